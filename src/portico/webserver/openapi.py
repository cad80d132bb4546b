"""The webserver's HTTP interface as an OpenAPI document (it has no validation layer to derive
one from). The relay's paths are the manager's own document, under /func."""

from __future__ import annotations

from typing import Any

_PROBLEM = {"description": "a problem document", "content": {"application/problem+json": {}}}
_JSON = {"description": "JSON", "content": {"application/json": {}}}


def _op(summary: str, **extra: Any) -> dict[str, Any]:
    return {"summary": summary, "responses": {"200": _JSON, "4XX": _PROBLEM}, **extra}


_LOGIN_BODY = {
    "required": True,
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "properties": {
                    "username": {"type": "string"},
                    "password": {"type": "string"},
                    "otp": {"type": "string"},
                },
                "required": ["username", "password"],
            }
        }
    },
}

_RELAYED_PATH = {
    "name": "path",
    "in": "path",
    "required": True,
    "schema": {"type": "string"},
    "description": "the manager path, relayed signed with the session's keypair",
}


def openapi() -> dict[str, Any]:
    return {
        "openapi": "3.0.3",
        "info": {"title": "portico webserver", "version": "1"},
        "paths": {
            "/server/login": {
                "post": _op("log in; sets the session cookie", requestBody=_LOGIN_BODY)
            },
            "/server/login-passkey": {
                "post": _op(
                    "log in with a passkey (the browser's answer to /func/portico/passkeys/"
                    "login-options); sets the session cookie",
                    requestBody={
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {"credential": {"type": "object"}},
                                    "required": ["credential"],
                                }
                            }
                        }
                    },
                )
            },
            "/server/login-check": {
                "get": _op("is this session logged in?"),
                "post": _op("is this session logged in?"),
            },
            "/server/logout": {"post": _op("end this session")},
            "/func/ping": {"get": _op("the webserver answers")},
            "/func/": {"get": _op("the manager's version document")},
            "/func/{path}": {
                "get": _op("relayed GET", parameters=[_RELAYED_PATH]),
                "post": _op(
                    "relayed POST",
                    parameters=[_RELAYED_PATH],
                    requestBody={"content": {"application/json": {"schema": {"type": "object"}}}},
                ),
            },
            "/config.json": {"get": _op("the WebUI's configuration")},
            "/health/livez": {"get": _op("the process answers")},
            "/health/readyz": {"get": _op("its session store and the manager answer")},
        },
    }
