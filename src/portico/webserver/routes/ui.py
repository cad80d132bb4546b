"""The UI config document and the WebUI's static files (with the single-page-app fallback)."""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from portico.asgi.problem_responses import problem_response
from portico.webserver.deps import web_services
from portico.webserver.manager_client import ManagerUnreachable
from portico.wire import problems

PACKAGED_WEBUI = Path(__file__).resolve().parents[2] / "webui"
LANGUAGES = ["en", "ja", "ko"]
MAX_PATH_LENGTH = 1024


async def ui_config(request: Request) -> Response:
    web = web_services(request)
    api = web.settings.api
    try:
        manager = await web.manager.public_settings()
        reachable = True
    except ManagerUnreachable:
        manager, reachable = {}, False
    return JSONResponse(
        {
            "apiEndpoint": f"{request.url.scheme}://{request.headers.get('host', '')}",
            "apiEndpointText": api.text,
            "endpointPinned": bool(api.text),
            "domain": api.domain,
            "connectionMode": "SESSION",
            "managerReachable": reachable,
            "signup": manager.get("signup", {"enabled": False, "mode": "closed"}),
            "recovery": manager.get("recovery", {"enabled": False}),
            "passwordPolicy": manager.get("password_policy"),
            "login": manager.get("login"),
            "consent": manager.get("consent"),
            "languages": LANGUAGES,
            "defaultLanguage": "en",
        },
        # It names the Host the browser used: never cached, and never shared between hosts.
        headers={"Cache-Control": "no-store", "Vary": "Host"},
    )


def static_root(web_static_path: str) -> Path:
    return Path(web_static_path).resolve() if web_static_path else PACKAGED_WEBUI


@dataclass(frozen=True)
class StaticFile:
    body: bytes
    gzipped: bytes | None  # when compressing saves something
    media_type: str
    etag: str


COMPRESSIBLE = ("text/", "application/json", "application/javascript", "image/svg+xml")


@lru_cache(maxsize=256)
def _read(path: Path, mtime_ns: int) -> StaticFile:
    """The WebUI is a few dozen small files: kept in memory, compressed once, keyed by their
    modification time."""
    body = path.read_bytes()
    media = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    gzipped = None
    if media.startswith(COMPRESSIBLE):
        packed = gzip.compress(body, compresslevel=9, mtime=0)
        gzipped = packed if len(packed) < len(body) else None
    if media.startswith("text/") or media in ("application/json", "text/javascript"):
        media += "; charset=utf-8"
    return StaticFile(body, gzipped, media, '"' + hashlib.sha256(body).hexdigest()[:32] + '"')


def _file(request: Request, path: Path) -> Response:
    found = _read(path, path.stat().st_mtime_ns)
    accepted = request.headers.get("accept-encoding", "")
    gzipped = found.gzipped is not None and _accepts_gzip(accepted)
    # Each encoding is its own representation, with its own validator.
    etag = found.etag[:-1] + '-gzip"' if gzipped else found.etag
    headers = {"ETag": etag, "Cache-Control": "no-cache", "Vary": "Accept-Encoding"}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    if gzipped and found.gzipped is not None:
        headers["Content-Encoding"] = "gzip"
        return Response(found.gzipped, media_type=found.media_type, headers=headers)
    return Response(found.body, media_type=found.media_type, headers=headers)


def _accepts_gzip(accept_encoding: str) -> bool:
    for item in accept_encoding.split(","):
        coding, _, params = item.strip().partition(";")
        if coding.strip().lower() in ("gzip", "*"):
            return params.replace(" ", "") not in ("q=0", "q=0.0", "q=0.00", "q=0.000")
    return False


async def webui_file(request: Request) -> Response:
    web = web_services(request)
    path: str = request.path_params["path"]
    if path.startswith(("server/", "func/")) or path in ("server", "func"):
        return problem_response(404, problems.OBJECT_NOT_FOUND, "Not found")
    root = static_root(web.settings.service.static_path)
    if path and _servable(root, path):
        return _file(request, (root / path).resolve())
    if "." in path.rsplit("/", 1)[-1]:  # a missing asset, not an app route
        return problem_response(404, problems.OBJECT_NOT_FOUND, "Not found")
    return _file(request, root / "index.html")


def _servable(root: Path, path: str) -> bool:
    """A file inside the WebUI's folder; any path the file system refuses is simply absent."""
    if "\x00" in path or len(path) > MAX_PATH_LENGTH:
        return False
    try:
        candidate = (root / path).resolve()
        return candidate.is_relative_to(root) and candidate.is_file()
    except (OSError, ValueError):  # too long a name, and the like
        return False


routes = [
    Route("/config.json", ui_config, methods=["GET"]),
    Route("/{path:path}", webui_file, methods=["GET", "HEAD"]),
]
