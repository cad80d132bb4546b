"""The languages portico speaks, and choosing one from a setting or an Accept-Language header."""

from __future__ import annotations

LANGUAGES = ("en", "ja", "ko")
DEFAULT = "en"


def pick_language(*candidates: str | None) -> str:
    """The first candidate that names a supported language. A candidate is a stored setting
    ("ja") or an Accept-Language header ("ko-KR,ko;q=0.9,en;q=0.5"), read by weight; a tag
    with q=0 is refused, as the header means."""
    for candidate in candidates:
        for code in _by_weight(candidate or ""):
            if code in LANGUAGES:
                return code
    return DEFAULT


def _by_weight(header: str) -> list[str]:
    weighted: list[tuple[float, int, str]] = []
    for position, item in enumerate(header.split(",")):
        tag, _, params = item.strip().partition(";")
        weight = 1.0
        key, _, value = params.strip().partition("=")
        if key.strip().lower() == "q":
            try:
                weight = float(value)
            except ValueError:
                continue
        if weight > 0 and tag.strip():
            # Stable: equal weights keep the header's order.
            weighted.append((-weight, position, tag.strip().lower()[:2]))
    return [code for _, _, code in sorted(weighted)]
