"""Where e-mailed links point, and how the site is named in e-mails.

Always the configured public URL, never a request's Host header, which a client controls.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from portico.config import Settings


def public_base(settings: Settings) -> str:
    if settings.service.public_url:
        return settings.service.public_url.rstrip("/")
    return f"http://{settings.service.ip}:{settings.service.port}"


def site_name(settings: Settings) -> str:
    return urlsplit(public_base(settings)).netloc or "portico"
