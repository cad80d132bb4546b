"""A browser and an operating system named from a User-Agent header, for the session list:
"Chrome 156 on Linux" reads better than 60 characters of "Mozilla/5.0 (X11; ...".

Parsing is ua-parser's (the uap-core rules); a client it does not know (an SDK, curl) keeps
its own product name.
"""

from __future__ import annotations

from functools import lru_cache

import ua_parser

_MAX_PRODUCT = 48


@lru_cache(maxsize=1024)
def describe(user_agent: str) -> dict[str, str | None]:
    """{"browser": "Firefox 128", "os": "Windows 10"}; either may be None when unknown."""
    parsed = ua_parser.parse(user_agent[:512])
    browser = None
    if parsed.user_agent is not None:
        browser = _named(parsed.user_agent.family, parsed.user_agent.major)
    elif user_agent.strip():
        browser = _product(user_agent)
    os_name = None
    if parsed.os is not None:
        os_name = _named(parsed.os.family, parsed.os.major)
    return {"browser": browser, "os": os_name}


def _named(family: str, major: str | None) -> str:
    return f"{family} {major}" if major else family


def _product(user_agent: str) -> str:
    """The first product of a header no rule knows, cut at a word, not mid-word."""
    product = user_agent.split("(", 1)[0].strip() or user_agent.strip()
    if len(product) <= _MAX_PRODUCT:
        return product
    return product[:_MAX_PRODUCT].rsplit(" ", 1)[0] + "…"
