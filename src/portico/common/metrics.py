"""Prometheus metrics of both services (prometheus_client's default registry; under
`portico serve` one process holds both services, and each /metrics shows all of them).

Counters and histograms are updated where the work happens; gauges that need the database
(outbox backlog, browser sessions) are refreshed by the services' background loops.
"""

from __future__ import annotations

import ipaddress

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from portico.asgi.problem_responses import problem_response
from portico.wire import problems

LOGINS = Counter(
    "portico_logins", "Log-in attempts checked by the manager, by outcome.", ["outcome"]
)
LOCKOUTS = Counter("portico_lockouts", "Accounts (or unknown ids) blocked after failed log-ins.")
HASH_SECONDS = Histogram(
    "portico_password_hash_seconds",
    "Time of one password hash or check in the hashing pool.",
    ["operation"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.4, 0.8, 1.6, 3.2),
)
RELAY_SECONDS = Histogram(
    "portico_relay_seconds",
    "Time the webserver takes to relay a call to the manager, until the answer starts.",
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
)
LOG_LINES_DROPPED = Counter(
    "portico_log_lines_dropped", "Log lines dropped because the log sink fell too far behind."
)
REQUESTS_SHED = Counter(
    "portico_requests_shed",
    "Requests answered 503 at once: too many in flight, or past the request deadline.",
    ["reason"],
)
OUTBOX_BACKLOG = Gauge("portico_outbox_backlog", "Mails waiting in the outbox to be sent.")
ACTIVE_SESSIONS = Gauge("portico_active_browser_sessions", "Browser sessions not yet expired.")

_LOOPBACK = [ipaddress.ip_network("127.0.0.0/8"), ipaddress.ip_network("::1/128")]


def parse_allowed(networks: list[str]) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(n, strict=False) for n in networks] or _LOOPBACK


def metrics_endpoint(allowed: list[ipaddress.IPv4Network | ipaddress.IPv6Network]):  # type: ignore[no-untyped-def]
    """GET /metrics for the Prometheus scraper; only for the peers in `allowed` (the scraper's
    network, by default this machine), since the figures describe the server's users."""

    async def metrics(request: Request) -> Response:
        if "x-forwarded-for" in request.headers or "forwarded" in request.headers:
            # Came through a proxy (a TLS terminator on this machine looks local): a scraper
            # asks directly.
            return problem_response(403, problems.GENERIC_FORBIDDEN, "Metrics are not public.")
        peer = request.client.host if request.client else ""
        try:
            address = ipaddress.ip_address(peer)
        except ValueError:
            address = None
        if address is None or not any(address in net for net in allowed):
            return problem_response(403, problems.GENERIC_FORBIDDEN, "Metrics are not public.")
        return PlainTextResponse(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return metrics
