"""Every manager route and dependency runs on the event loop: FastAPI sends a plain `def` to a
worker thread, which once cost half of a signed call."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from portico.manager import routes as route_modules


def _calls(dependant: Dependant) -> list[object]:
    found = [dependant.call] if dependant.call is not None else []
    for sub in dependant.dependencies:
        found += _calls(sub)
    return found


def test_every_route_and_dependency_is_a_coroutine() -> None:
    modules = [
        importlib.import_module(f"{route_modules.__name__}.{info.name}")
        for info in pkgutil.iter_modules(route_modules.__path__)
    ]
    routes = [
        route
        for module in modules
        if hasattr(module, "router")
        for route in module.router.routes
        if isinstance(route, APIRoute)
    ]
    assert len(routes) > 20
    blocking = {
        f"{route.path}: {getattr(call, '__qualname__', call)}"
        for route in routes
        for call in _calls(route.dependant)
        if not inspect.iscoroutinefunction(call)
    }
    assert not blocking
