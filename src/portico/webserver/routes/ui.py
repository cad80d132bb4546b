"""The UI config document and the WebUI's static files (with the single-page-app fallback)."""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route

from portico.asgi.problem_responses import problem_response
from portico.webserver.deps import web_services
from portico.webserver.manager_client import ManagerUnreachable
from portico.wire import problems

PACKAGED_WEBUI = Path(__file__).resolve().parents[2] / "webui"
LANGUAGES = ["en", "ja", "ko"]


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
        }
    )


def static_root(web_static_path: str) -> Path:
    return Path(web_static_path).resolve() if web_static_path else PACKAGED_WEBUI


async def webui_file(request: Request) -> Response:
    web = web_services(request)
    path: str = request.path_params["path"]
    if path.startswith(("server/", "func/")) or path in ("server", "func"):
        return problem_response(404, problems.OBJECT_NOT_FOUND, "Not found")
    root = static_root(web.settings.service.static_path)
    candidate = (root / path).resolve()
    if path and candidate.is_file() and candidate.is_relative_to(root):
        return FileResponse(candidate)
    if "." in path.rsplit("/", 1)[-1]:  # a missing asset, not an app route
        return problem_response(404, problems.OBJECT_NOT_FOUND, "Not found")
    return FileResponse(root / "index.html", headers={"Cache-Control": "no-cache"})


routes = [
    Route("/config.json", ui_config, methods=["GET"]),
    Route("/{path:path}", webui_file, methods=["GET", "HEAD"]),
]
