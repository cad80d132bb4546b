"""Renders a message (plain text and HTML) in the recipient's language."""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from portico.common.languages import LANGUAGES

_HERE = Path(__file__).parent
_ENV = Environment(
    loader=FileSystemLoader(_HERE / "templates"),
    autoescape=select_autoescape(enabled_extensions=("html.j2",), default=False),
    keep_trailing_newline=True,
)


# Stands for the link in a stored message: the link itself (a token) is kept sealed and put in
# only when the message is delivered. Letters and underscores survive HTML escaping unchanged.
LINK_PLACEHOLDER = "PORTICO_LINK_PLACEHOLDER_3F9C"


@dataclass(frozen=True)
class Composed:
    """A message whose bodies hold LINK_PLACEHOLDER where `link` goes."""

    subject: str
    text: str
    html: str
    link: str = ""

    def with_link(self) -> tuple[str, str]:
        """The text and HTML bodies with the real link, for delivery."""
        return (
            self.text.replace(LINK_PLACEHOLDER, self.link),
            self.html.replace(LINK_PLACEHOLDER, html.escape(self.link, quote=True)),
        )


@cache
def _catalog(lang: str) -> dict[str, Any]:
    catalog: dict[str, Any] = json.loads(
        (_HERE / "messages" / f"{lang}.json").read_text(encoding="utf-8")
    )
    return catalog


def compose(
    kind: str,
    lang: str,
    *,
    site: str,
    link: str,
    note: str | tuple[str, ...] = "",
    **values: Any,
) -> Composed:
    """`note` names one (or several) of the message's optional lines (its `notes`), added after
    the others."""
    entry = _catalog(lang if lang in LANGUAGES else "en")[kind]
    fill = {"site": site, **values}
    notes = (note,) if isinstance(note, str) else note
    lines = entry["lines"] + [entry["notes"][n] for n in notes if n]
    context = {
        "lang": lang,
        "site": site,
        "link": LINK_PLACEHOLDER,
        "subject": entry["subject"].format(**fill),
        "lines": [line.format(**fill) for line in lines],
        "action": entry["action"].format(**fill),
        "footer": entry["footer"].format(**fill),
    }
    return Composed(
        subject=context["subject"],
        text=_ENV.get_template("message.txt.j2").render(context),
        html=_ENV.get_template("message.html.j2").render(context),
        link=link,
    )
