"""The UI config document and the WebUI's static files (with the single-page-app fallback)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import FileResponse

from portico.asgi.problem_responses import problem_response
from portico.webserver.deps import Web
from portico.webserver.manager_client import ManagerUnreachable
from portico.wire import problems

router = APIRouter()

PACKAGED_WEBUI = Path(__file__).resolve().parents[2] / "webui"
LANGUAGES = ["en", "ja", "ko"]


@router.get("/config.json")
async def ui_config(request: Request, web: Web) -> dict[str, Any]:
    api = web.settings.api
    try:
        manager = await web.manager.public_settings()
        reachable = True
    except ManagerUnreachable:
        manager, reachable = {}, False
    return {
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
        "languages": LANGUAGES,
        "defaultLanguage": "en",
    }


def static_root(web_static_path: str) -> Path:
    return Path(web_static_path).resolve() if web_static_path else PACKAGED_WEBUI


@router.get("/{path:path}", include_in_schema=False)
async def webui_file(path: str, web: Web) -> Response:
    if path.startswith(("server/", "func/")) or path in ("server", "func"):
        return problem_response(404, problems.OBJECT_NOT_FOUND, "Not found")
    root = static_root(web.settings.service.static_path)
    candidate = (root / path).resolve()
    if path and candidate.is_file() and candidate.is_relative_to(root):
        return FileResponse(candidate)
    if "." in path.rsplit("/", 1)[-1]:  # a missing asset, not an app route
        return problem_response(404, problems.OBJECT_NOT_FOUND, "Not found")
    return FileResponse(root / "index.html", headers={"Cache-Control": "no-cache"})
