"""Renders a message (plain text and HTML) in the recipient's language."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

LANGUAGES = ("en", "ja", "ko")
_HERE = Path(__file__).parent
_ENV = Environment(
    loader=FileSystemLoader(_HERE / "templates"),
    autoescape=select_autoescape(enabled_extensions=("html.j2",), default=False),
    keep_trailing_newline=True,
)


@dataclass(frozen=True)
class Composed:
    subject: str
    text: str
    html: str


@cache
def _catalog(lang: str) -> dict[str, Any]:
    return json.loads((_HERE / "messages" / f"{lang}.json").read_text(encoding="utf-8"))


def pick_language(*candidates: str | None) -> str:
    """The first supported language among an account's setting and Accept-Language tags."""
    for candidate in candidates:
        for tag in (candidate or "").split(","):
            code = tag.split(";")[0].strip().lower()[:2]
            if code in LANGUAGES:
                return code
    return "en"


def compose(kind: str, lang: str, *, site: str, link: str, **values: Any) -> Composed:
    entry = _catalog(lang if lang in LANGUAGES else "en")[kind]
    fill = {"site": site, **values}
    context = {
        "lang": lang,
        "site": site,
        "link": link,
        "subject": entry["subject"].format(**fill),
        "lines": [line.format(**fill) for line in entry["lines"]],
        "action": entry["action"].format(**fill),
        "footer": entry["footer"].format(**fill),
    }
    return Composed(
        subject=context["subject"],
        text=_ENV.get_template("message.txt.j2").render(context),
        html=_ENV.get_template("message.html.j2").render(context),
    )
