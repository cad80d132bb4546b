"""The webserver's connection to the manager (aiohttp): anonymous calls, and signed relaying."""

from __future__ import annotations

import json as jsonlib
import time
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp
from yarl import URL

from portico.wire.signing import signed_headers
from portico.wire.versions import API_VERSION, VALID_VERSIONS


class ManagerUnreachable(Exception):
    """The manager could not be reached or did not answer in time."""


@dataclass(frozen=True)
class Answer:
    status: int
    body: Any
    headers: Mapping[str, str]


class ManagerClient:
    def __init__(self, endpoint: str, *, timeout: float = 120.0) -> None:
        self.endpoint = endpoint.rstrip("/")
        self._origin = URL(self.endpoint)
        self._host = self._origin.raw_authority
        self._timeout = aiohttp.ClientTimeout(total=timeout, connect=5.0)
        self._session: aiohttp.ClientSession | None = None
        self._settings: tuple[float, dict[str, Any]] | None = None

    def _http(self) -> aiohttp.ClientSession:
        # Created on first use, inside the running event loop.
        if self._session is None:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=200, keepalive_timeout=30),
                timeout=self._timeout,
                # One client relays for every visitor: a cookie the manager set must never be
                # kept and sent on someone else's call (and the jar costs time on each one).
                cookie_jar=aiohttp.DummyCookieJar(),
                auto_decompress=False,
                skip_auto_headers=("User-Agent",),
            )
        return self._session

    def _url(self, path_and_query: str) -> URL:
        """The upstream URL on the manager's fixed origin; the path cannot reach the authority.

        encoded=True: the path goes out byte for byte as it was signed.
        """
        path, _, query = path_and_query.partition("?")
        return URL.build(
            scheme=self._origin.scheme,
            authority=self._host,
            path=self._origin.raw_path.rstrip("/") + "/" + path.lstrip("/"),
            query_string=query,
            encoded=True,
        )

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

    async def call(
        self, method: str, path: str, *, json: Any = None, headers: Mapping[str, str] | None = None
    ) -> Answer:
        """An anonymous JSON call (log-in, log-out, version, settings)."""
        try:
            async with self._http().request(
                method, self._url(path), json=json, headers=dict(headers or {})
            ) as response:
                raw = await response.read()
                try:
                    body = jsonlib.loads(raw) if raw else None
                except ValueError:
                    body = None
                return Answer(response.status, body, response.headers)
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise ManagerUnreachable(str(exc)) from exc

    async def public_settings(self, max_age: float = 30.0) -> dict[str, Any]:
        """The manager's sign-up/recovery/password settings, cached briefly."""
        now = time.monotonic()
        if self._settings is None or now - self._settings[0] > max_age:
            answer = await self.call("GET", "/portico/ui-settings")
            if answer.status != 200 or not isinstance(answer.body, dict):
                raise ManagerUnreachable(f"settings answered {answer.status}")
            self._settings = (now, answer.body)
        return self._settings[1]

    async def relay(
        self,
        method: str,
        path: str,
        *,
        headers: dict[str, str],
        body: AsyncIterator[bytes] | bytes,
        keypair: tuple[str, str] | None,
        api_version: str | None,
    ) -> aiohttp.ClientResponse:
        """Send one request on, signed with `keypair` when given. The caller reads the answer
        as a stream and must release it."""
        version = api_version if api_version in VALID_VERSIONS else API_VERSION
        headers["X-BackendAI-Version"] = version
        if keypair is not None:
            client_type = headers.get("Content-Type")
            headers.update(
                signed_headers(
                    method=method,
                    path=path,
                    host=self._host,
                    # The media type alone, as the manager (and Backend.AI) read it.
                    content_type=headers.get("Content-Type", "application/octet-stream")
                    .split(";")[0]
                    .strip(),
                    api_version=version,
                    access_key=keypair[0],
                    secret_key=keypair[1],
                    # The signature covers the body too (the manager checks its digest).
                    body=body if isinstance(body, bytes) else None,
                )
            )
            if client_type:  # signed as its media type, sent on as the client wrote it
                headers["Content-Type"] = client_type
        try:
            return await self._http().request(
                method, self._url(path), headers=headers, data=body, allow_redirects=False
            )
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise ManagerUnreachable(str(exc)) from exc
