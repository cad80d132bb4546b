"""POST /server/replace-keypair: a new API keypair for the logged-in account, from its profile.

Not a plain relayed call: the browser session signs with the account's keypair, so the
webserver must switch it to the new one in the same step, or the session would end with the
old key. The answer carries the new secret key, shown to its owner once.
"""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from portico.asgi.problem_responses import problem_response
from portico.webserver.browser_request import current_session, manager_headers, web_services
from portico.wire import problems

MANAGER_PATH = "/portico/keypair/replace"


async def replace_keypair(request: Request) -> Response:
    web = web_services(request)
    found = await current_session(request)
    if found is None:
        return problem_response(401, problems.AUTH_FAILED, "Unauthorized access")
    session_id, session = found
    headers = manager_headers(request, session_id)
    upstream = await web.manager.relay(
        "POST",
        MANAGER_PATH,
        headers=headers,
        body=b"",
        keypair=(session.access_key, session.secret_key),
        api_version=None,
    )
    try:
        raw = await upstream.read()
    finally:
        upstream.release()
    answer = json.loads(raw) if raw else {}
    if upstream.status != 200:
        return JSONResponse(
            answer, status_code=upstream.status, media_type=problems.PROBLEM_CONTENT_TYPE
        )
    await web.store.replace_keypair(session_id, answer["access_key"], answer["secret_key"])
    return JSONResponse(answer, headers={"Cache-Control": "no-store"})


routes = [Route("/server/replace-keypair", replace_keypair, methods=["POST"])]
