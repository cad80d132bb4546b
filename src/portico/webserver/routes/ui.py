"""The console: its page (with the log-in form, which also works before any script runs), the
UI config document, and the WebUI's static files (plain or content-hashed names)."""

from __future__ import annotations

import gzip
from pathlib import Path
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from portico.asgi.problem_responses import problem_response
from portico.webserver.browser_request import current_session, web_services
from portico.webserver.console_page import (
    LANGUAGE_COOKIE,
    LoginForm,
    chosen_language,
    console_config,
    page_language,
    render_page,
    strings,
)
from portico.webserver.manager_client import ManagerUnreachable
from portico.webserver.sign_in import FurtherStep, Opened, Refused, hand_over, sign_in
from portico.webserver.webui_files import (
    PACKAGED_WEBUI,
    accepts_gzip,
    locate,
    read,
    send,
    static_root,
)
from portico.wire import problems

# Enough for an ID, a password and the form's own encoding of them.
MAX_FORM_BYTES = 4096


async def ui_config(request: Request) -> Response:
    return JSONResponse(
        await console_config(request),
        # It names the Host the browser used: never cached, and never shared between hosts.
        headers={"Cache-Control": "no-store", "Vary": "Host"},
    )


async def webui_file(request: Request) -> Response:
    path: str = request.path_params["path"]
    if path.startswith(("server/", "func/")) or path in ("server", "func"):
        return problem_response(404, problems.OBJECT_NOT_FOUND, "Not found")
    root = static_root(web_services(request).settings.service.static_path)
    found = locate(root, path) if path else None
    if found is not None:
        file, immutable = found
        return send(request, read(file), immutable=immutable)
    if "." in path.rsplit("/", 1)[-1]:  # a missing asset, not an app route
        return problem_response(404, problems.OBJECT_NOT_FOUND, "Not found")
    if root != PACKAGED_WEBUI:  # an operator's own WebUI build: its index.html as it is
        return send(request, read(root / "index.html"))
    return await _page(request, root)


async def _page(
    request: Request, root: Path, form: LoginForm | None = None, status: int = 200
) -> Response:
    html, csp = await render_page(request, root, form)
    body = html.encode()
    headers = {
        "Content-Security-Policy": csp,
        # It holds the Host, the language and whether a session exists: never stored.
        "Cache-Control": "no-store",
        "Vary": "Accept-Encoding, Accept-Language, Cookie",
    }
    if accepts_gzip(request.headers.get("accept-encoding", "")):
        body = gzip.compress(body, compresslevel=6)
        headers["Content-Encoding"] = "gzip"
    response = HTMLResponse(body, status_code=status, headers=headers)
    chosen = chosen_language(request)
    if chosen is not None:
        # Not a secret, and the console's script sets it too: no HttpOnly.
        response.set_cookie(LANGUAGE_COOKIE, chosen, max_age=365 * 86400, samesite="lax")
    return response


async def login_form(request: Request) -> Response:
    """The log-in form posted before the page's scripts took it over (the guards let it in only
    from this server's own page). Success goes to the console; a refusal shows the page again."""
    root = PACKAGED_WEBUI
    t = strings(root, page_language(request))
    raw = await request.body()
    fields = parse_qs(raw[:MAX_FORM_BYTES].decode("utf-8", "replace"), max_num_fields=8)
    username = (fields.get("username") or [""])[0].strip()
    password = (fields.get("password") or [""])[0]
    otp = (fields.get("otp") or [""])[0].strip()
    if await current_session(request) is not None:
        return RedirectResponse("/", status_code=303)
    if not username or not password or len(raw) > MAX_FORM_BYTES:
        return await _page(request, root, LoginForm(username[:256], t["login.empty"]), 400)
    try:
        outcome = await sign_in(request, username, password, {"otp": otp} if otp else {})
    except ManagerUnreachable:
        message = t["login.unknown"].format(status=502)
        return await _page(request, root, LoginForm(username, message), 502)
    if isinstance(outcome, Opened):
        return hand_over(RedirectResponse("/", status_code=303), request, outcome.session_id)
    if isinstance(outcome, FurtherStep):
        step = outcome.step.type.rpartition("/")[2]
        if step == "require-totp-authentication":  # the page asks for the code too
            return await _page(request, root, LoginForm(username, t["login.codeText"], otp=True))
        # Accepting changed terms or setting up a second factor takes the scripted dialogs.
        text = t["tf.required"] if step == "require-totp-registration" else t["consent.text"]
        return await _page(request, root, LoginForm(username, text))
    return await _page(request, root, LoginForm(username, _refusal(outcome, t)), outcome.status)


def _refusal(refused: Refused, t: dict[str, str]) -> str:
    if refused.status == 429:
        return t["login.blocked"].format(minutes=refused.doc.get("minutes_left", 1))
    if refused.doc.get("type") == problems.PASSWORD_EXPIRED:
        return t["login.expired"]
    match refused.doc.get("code"):
        case "email-unverified":
            return t["login.unverified"]
        case "account-inactive":
            return t["login.inactive"]
        case "pending-approval":
            return t["login.pending"]
    if refused.status == 401:
        left = refused.doc.get("attempts_left")
        return t["login.mismatch"] + (f" {t['login.attemptsLeft']}".format(n=left) if left else "")
    return t["login.unknown"].format(status=refused.status)


routes = [
    Route("/config.json", ui_config, methods=["GET"]),
    Route("/", login_form, methods=["POST"]),
    Route("/{path:path}", webui_file, methods=["GET", "HEAD"]),
]
