"""The webserver's connection to the manager: anonymous calls, and signed relaying."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

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
    def __init__(
        self,
        endpoint: str,
        *,
        timeout: float = 30.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.endpoint = endpoint.rstrip("/")
        self._host = urlsplit(self.endpoint).netloc
        self._http = httpx.AsyncClient(
            base_url=self.endpoint,
            timeout=httpx.Timeout(timeout, connect=5.0),
            limits=httpx.Limits(max_connections=200, max_keepalive_connections=50),
            transport=transport,
        )
        self._settings: tuple[float, dict[str, Any]] | None = None

    async def close(self) -> None:
        await self._http.aclose()

    async def call(
        self, method: str, path: str, *, json: Any = None, headers: Mapping[str, str] | None = None
    ) -> Answer:
        """An anonymous JSON call (log-in, log-out, version, settings)."""
        try:
            response = await self._http.request(method, path, json=json, headers=headers)
        except httpx.HTTPError as exc:
            raise ManagerUnreachable(str(exc)) from exc
        try:
            body = response.json()
        except ValueError:
            body = None
        return Answer(response.status_code, body, response.headers)

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
    ) -> httpx.Response:
        """Send one request on, signed with `keypair` when given; the answer is streamed."""
        version = api_version if api_version in VALID_VERSIONS else API_VERSION
        headers["X-BackendAI-Version"] = version
        if keypair is not None:
            headers.update(
                signed_headers(
                    method=method,
                    path=path,
                    host=self._host,
                    content_type=headers.get("Content-Type", "application/octet-stream"),
                    api_version=version,
                    access_key=keypair[0],
                    secret_key=keypair[1],
                )
            )
        request = self._http.build_request(method, path, headers=headers, content=body)
        try:
            return await self._http.send(request, stream=True)
        except httpx.HTTPError as exc:
            raise ManagerUnreachable(str(exc)) from exc
