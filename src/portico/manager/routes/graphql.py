"""POST /admin/gql: Backend.AI's GraphQL API, for its CLI and WebUI (portico.manager.graphql).
Signed like every manager route; only queries are answered, so a signature may recur."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from portico.asgi.problem_responses import problem_response
from portico.manager.deps import ClientAddress, Services, SignedReader
from portico.manager.graphql import endpoint
from portico.wire import problems

router = APIRouter()


@router.post("/admin/gql")
async def graphql(
    request: Request, caller: SignedReader, svc: Services, address: ClientAddress
) -> Any:
    try:
        body = json.loads(await request.body())
    except (ValueError, UnicodeDecodeError, RecursionError):
        return problem_response(400, problems.INVALID_API_PARAMS, "The body is not JSON.")
    return JSONResponse(await endpoint.run(svc, caller, body, address))
