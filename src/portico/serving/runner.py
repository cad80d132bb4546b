"""Running the HTTP services: one or several uvicorn servers in one event loop."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import resource
import signal
from dataclasses import dataclass

import uvicorn
from starlette.types import ASGIApp

from portico.config import ServiceConfig, Settings
from portico.serving.head_deadline import HeadDeadlineProtocol
from portico.serving.log_format import use_log_format
from portico.serving.log_writer import written_by_thread

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ConnectionBounds:
    """[service]'s bounds on connections (see the configuration)."""

    head_timeout: float = 10.0
    max_idle: int = 1000
    keep_alive: float = 75.0

    @classmethod
    def of(cls, config: ServiceConfig) -> ConnectionBounds:
        return cls(config.header_timeout, config.max_idle_connections, config.keep_alive)


DEFAULT_BOUNDS = ConnectionBounds()


class _NoQueryStrings(logging.Filter):
    """Access log lines keep the path but never the query: links carry tokens there."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) == 5 and isinstance(args[2], str):
            path, _, query = args[2].partition("?")
            record.args = (args[0], args[1], path + ("?..." if query else ""), args[3], args[4])
        return True


def http_server(
    app: ASGIApp, host: str, port: int, bounds: ConnectionBounds = DEFAULT_BOUNDS
) -> uvicorn.Server:
    return uvicorn.Server(
        uvicorn.Config(
            app,
            host=host,
            port=port,
            log_level="info",
            server_header=False,
            # Longer than clients pool idle connections (aiohttp's client 15 s, portico's relay
            # 30 s): closing them sooner makes a pooled client write to a closing transport.
            # (uvicorn hands it to the event loop's timer, which takes a float; its hint says int)
            timeout_keep_alive=bounds.keep_alive,  # type: ignore[arg-type]
            # X-Forwarded-For is judged by portico itself (the webserver's proof, [manager]
            # trusted_proxies):
            # uvicorn's own proxy-headers layer would only cost time on every request.
            proxy_headers=False,
            forwarded_allow_ips="",
            # Neither service speaks WebSocket: its protocol modules stay out of memory.
            ws="none",
            http=HeadDeadlineProtocol.with_bounds(bounds.head_timeout, bounds.max_idle),
            interface="asgi3",
        )
    )


def raise_open_file_limit() -> int:
    """Every connection is an open file: the soft limit (often 1,024) goes up to the hard one,
    so that a thousand idle sockets do not turn away the next log-in."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or soft < hard:
        wanted = hard if hard != resource.RLIM_INFINITY else max(soft, 1 << 20)
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


async def serve_all(servers: list[uvicorn.Server], log_format: str = "text") -> None:
    """Serve until SIGINT/SIGTERM; every server then shuts down gracefully."""
    loop = asyncio.get_running_loop()
    log.info("open files: up to %d", raise_open_file_limit())
    for server in servers:
        # uvicorn configures its loggers when the config loads; the filter goes on after that.
        server.config.load()
    logging.getLogger("uvicorn.access").addFilter(_NoQueryStrings())
    use_log_format(log_format)

    def stop() -> None:
        for server in servers:
            server.should_exit = True

    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop)
    for server in servers:
        # The handlers above stop all servers together; uvicorn's own would stop only one.
        server.capture_signals = contextlib.nullcontext  # type: ignore[method-assign,assignment]
    with written_by_thread():
        await asyncio.gather(*(server.serve() for server in servers))


def _loopback_for(bind_ip: str) -> str:
    """Where this process reaches a server bound to `bind_ip`, as a URL host."""
    if bind_ip in ("0.0.0.0", ""):  # noqa: S104 - comparing, not binding
        return "127.0.0.1"
    if bind_ip == "::":
        return "[::1]"
    return f"[{bind_ip}]" if ":" in bind_ip else bind_ip


async def serve_embedded(settings: Settings) -> None:
    """`portico serve`: manager and webserver in one process, on one database."""
    from portico.manager.app import create_app as manager_app
    from portico.manager.bootstrap import ensure_first_superadmin, hand_over_first_password
    from portico.manager.container import build_services
    from portico.webserver.app import create_app as webserver_app
    from portico.webserver.container import build_web_services

    settings = settings.model_copy(deep=True)
    settings.api.endpoint = f"http://{_loopback_for(settings.manager.ip)}:{settings.manager.port}"

    services = await build_services(settings, single_process=True)
    # One session store for both parts: a session the manager ends leaves the webserver's
    # cache at once.
    web = build_web_services(settings, services.browser_sessions)
    try:
        created = await ensure_first_superadmin(services.accounts)
        if created is not None:
            hand_over_first_password(*created, settings.general.data_dir)
        log.info(
            "webserver on http://%s:%d, manager on http://%s:%d",
            settings.service.ip,
            settings.service.port,
            settings.manager.ip,
            settings.manager.port,
        )
        await serve_all(
            [
                http_server(
                    manager_app(settings, services),
                    settings.manager.ip,
                    settings.manager.port,
                    ConnectionBounds.of(settings.service),
                ),
                http_server(
                    webserver_app(settings, web),
                    settings.service.ip,
                    settings.service.port,
                    ConnectionBounds.of(settings.service),
                ),
            ],
            settings.logging.format,
        )
    finally:
        await web.close()
        await services.close()
