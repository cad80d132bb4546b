"""FastAPI dependencies: the services, the client's address, the signed caller."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from portico.asgi.client_address import client_address
from portico.manager.container import ManagerServices
from portico.manager.credentials.step_up import holder_of
from portico.manager.services.audit import AccountActor, Actor
from portico.manager.services.request_auth import Caller
from portico.wire.forwarding import PROOF_HEADER, Vouched
from portico.wire.headers import BODY_DIGEST_HEADER, SESSION_HASH_HEADER

# Every dependency is `async def`, even when it does not await: FastAPI runs a plain `def`
# dependency in a worker thread, and that hop was half the cost of a signed call.


async def services(request: Request) -> ManagerServices:
    built: ManagerServices = request.app.state.services
    return built


Services = Annotated[ManagerServices, Depends(services)]


_UNREAD = object()


def vouched(request: Request) -> Vouched | None:
    """What a portico webserver vouches for on this call (the browser's address, the browser
    session), read once per request; None without a good proof."""
    found: Vouched | object | None = getattr(request.state, "vouched", _UNREAD)
    if found is _UNREAD:
        svc: ManagerServices = request.app.state.services
        headers = request.headers
        found = request.state.vouched = svc.forwarding.verify(
            headers.get(PROOF_HEADER),
            # The webserver's entry is the first: a proxy between may append its own.
            headers.get("x-forwarded-for", "").split(",")[0].strip(),
            headers.get(SESSION_HASH_HEADER),
        )
    return found  # type: ignore[return-value]


async def address_of(request: Request) -> str:
    """The webserver's word for the browser's address; else a trusted proxy's X-Forwarded-For
    ([manager] trusted_proxies, none by default); else the peer."""
    found = vouched(request)
    if found is not None:
        return found.client_address
    svc: ManagerServices = request.app.state.services
    peer = request.client.host if request.client else ""
    return client_address(peer, request.headers.get("x-forwarded-for"), svc.trusted_proxies)


ClientAddress = Annotated[str, Depends(address_of)]


async def browser_session_hash(request: Request) -> str | None:
    """The hash of the browser session making this call, when a webserver vouches for it."""
    found = vouched(request)
    return found.session_hash if found is not None else None


# The browser session behind a relayed call (None for a call signed by an API client).
BrowserSession = Annotated[str | None, Depends(browser_session_hash)]


async def signed_caller(request: Request) -> Caller:
    return await _authenticated(request, reading=False)


async def signed_reader(request: Request) -> Caller:
    """The signed caller of a route that changes nothing whatever its method."""
    return await _authenticated(request, reading=True)


async def _authenticated(request: Request, *, reading: bool) -> Caller:
    svc: ManagerServices = request.app.state.services
    # Clients sign the path as sent on the wire (percent-encoded), query included.
    raw_path = request.scope.get("raw_path")
    if raw_path is None:  # not every server sets it; building request.url costs every call
        raw_path = request.url.path.encode()
    path = raw_path.decode("latin-1")
    if request.scope.get("query_string"):
        path += "?" + request.scope["query_string"].decode("latin-1")
    # The relay's body digest is checked against the body itself (read once; FastAPI reuses it).
    body = await request.body() if BODY_DIGEST_HEADER in request.headers else None
    return await svc.authenticator.authenticate(
        method=request.method,
        path=path,
        host=request.headers.get("host", ""),
        headers=request.headers,
        body=body,
        reading=reading,
    )


SignedCaller = Annotated[Caller, Depends(signed_caller)]
SignedReader = Annotated[Caller, Depends(signed_reader)]


async def acting_caller(
    request: Request, caller: SignedCaller, address: ClientAddress
) -> AccountActor:
    """The signed caller as the audit trail names it: who, from where, with what."""
    return AccountActor(
        caller.user_id, caller.email, address, request.headers.get("user-agent", ""), caller.role
    )


async def anonymous_actor(request: Request, address: ClientAddress) -> Actor:
    return Actor(None, "", address, request.headers.get("user-agent", ""))


async def stepped_up_caller(caller: SignedCaller, request: Request) -> Caller:
    """The signed caller, if it gave the password or a second factor again recently (its
    browser session, or its API key); StepUpRequired otherwise."""
    svc: ManagerServices = request.app.state.services
    await svc.step_up.require(
        caller.user_id, holder_of(await browser_session_hash(request), caller.access_key)
    )
    return caller


# For actions that add or remove an authenticator or hand out a new keypair.
SteppedUp = Annotated[Caller, Depends(stepped_up_caller)]


# The signed caller, for routes that record what it does.
Acting = Annotated[AccountActor, Depends(acting_caller)]
Anonymous = Annotated[Actor, Depends(anonymous_actor)]
