"""The console's HTML page, rendered per request so that it is usable at first paint.

The log-in form is in the HTML with the endpoint, the pinned state and the language filled in;
the style sheet is inline and the scripts load after (ES modules, deferred), so nothing blocks
the first paint. The scripts, reached through an import map under content-hashed names, are
cached by browsers for good. The page carries the UI config and its language's strings, so the
scripts need no further request to start.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader
from markupsafe import Markup
from starlette.requests import Request

from portico.common.languages import LANGUAGES, pick_language
from portico.webserver.browser_request import current_session, web_services
from portico.webserver.guards import connect_sources, content_security_policy, own_origin
from portico.webserver.manager_client import ManagerUnreachable
from portico.webserver.webui_files import hashed_name, read

LANGUAGE_COOKIE = "portico_lang"
THEME_COOKIE = "portico_theme"
THEMES = ("light", "dark")  # else the system's
# The pages an e-mailed link opens: no log-in form on them.
LINK_PAGES = ("/verify-email", "/change-password", "/unlock")
# What the first screen runs, fetched in parallel rather than one import after another.
FIRST_SCREEN = ("js/main.js", "js/i18n.js", "js/api.js", "js/dom.js", "js/icons.js")
# The log-in form's further steps and dialogs load when one is needed (views/login_steps.js).
LOGIN_SCREEN = ("js/views/login.js", "js/views/eye_toggle.js")
# The strings the log-in page and its dialogs use; the console loads the rest after log-in.
LOGIN_STRING_PREFIXES = (
    "app.", "common.", "consent.", "expired.", "forgot.", "lang.", "login.", "pk.", "policy.",
    "pwchange.", "shell.", "signup.", "tf.", "theme.", "time.", "verify.", "weak.",
    "admin.copied",
)  # fmt: skip
CONSOLE_SCREEN = (
    "js/views/shell.js",
    "js/views/summary.js",
    "js/dialog.js",
    "js/errors.js",
    "js/views/common.js",
)

_ENV = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=True,
    trim_blocks=True,
)


@dataclass(frozen=True)
class PageAssets:
    css: Markup
    import_map: Markup
    urls: dict[str, str]  # "js/main.js" -> "/js/main.<digest>.js"
    csp_script: str  # the import map's hash, as a CSP source
    csp_style: str  # the inline style sheet's hash

    @property
    def main(self) -> str:
        return self.urls["js/main.js"]


@dataclass(frozen=True)
class LoginForm:
    username: str = ""
    error: str = ""
    otp: bool = False  # the password was right: ask for the second factor's code too


def page_assets(root: Path) -> PageAssets:
    scripts = sorted(p.relative_to(root).as_posix() for p in (root / "js").rglob("*.js"))
    stamp = tuple((name, (root / name).stat().st_mtime_ns) for name in [*scripts, "app.css"])
    return _page_assets(root, stamp)


@lru_cache(maxsize=4)
def _page_assets(root: Path, stamp: tuple[tuple[str, int], ...]) -> PageAssets:
    urls = {name: "/" + hashed_name(root, name) for name, _ in stamp if name.endswith(".js")}
    # Every module imports the others by their plain names; the map sends each to its hash.
    import_map = json.dumps({"imports": {"/" + name: url for name, url in urls.items()}})
    css = read(root / "app.css").body.decode()
    if "</" in css + import_map:  # either would end its element early
        raise ValueError("the WebUI's style sheet or script names may not contain '</'")
    return PageAssets(
        css=Markup(css),  # noqa: S704 -- the packaged style sheet, checked just above
        import_map=Markup(import_map),  # noqa: S704 -- our own file names, checked above
        urls=urls,
        csp_script=_csp_hash(import_map),
        csp_style=_csp_hash(css),
    )


def _csp_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def chosen_language(request: Request) -> str | None:
    """A language picked on the log-in page (`?lang=ja`, a plain link, so it works before any
    script runs); the page answering it keeps the choice in the cookie."""
    lang = request.query_params.get("lang")
    return lang if lang in LANGUAGES else None


def page_language(request: Request) -> str:
    """The language just picked, else the one chosen before (a cookie), else the browser's."""
    return pick_language(
        chosen_language(request),
        request.cookies.get(LANGUAGE_COOKIE),
        request.headers.get("accept-language"),
    )


def language_links(request: Request, current: str) -> list[dict[str, str | bool]]:
    """One link per language to this page in it, keeping the rest of the query (an invitation)."""
    links: list[dict[str, str | bool]] = []
    for code in LANGUAGES:
        query = {**request.query_params, "lang": code}
        links.append({"code": code, "href": "?" + urlencode(query), "current": code == current})
    return links


def strings(root: Path, lang: str) -> dict[str, str]:
    """The WebUI's own catalog for `lang`: one source for the scripts and this page."""
    catalog = root / "i18n" / f"{lang}.json"
    return _strings(catalog, catalog.stat().st_mtime_ns)


@lru_cache(maxsize=8)
def _strings(catalog: Path, mtime_ns: int) -> dict[str, str]:
    loaded: dict[str, str] = json.loads(read(catalog).body)
    return loaded


async def console_config(request: Request) -> dict[str, Any]:
    """What the WebUI needs to know before anyone logs in (also served as /config.json)."""
    web = web_services(request)
    api = web.settings.api
    try:
        manager = await web.manager.public_settings()
        reachable = True
    except ManagerUnreachable:
        manager, reachable = {}, False
    return {
        "apiEndpoint": own_origin(request.scope, request.headers),
        "apiEndpointText": api.text,
        "endpointPinned": bool(api.text),
        "domain": api.domain,
        "connectionMode": "SESSION",
        "managerReachable": reachable,
        "signup": manager.get("signup", {"enabled": False, "mode": "closed"}),
        "recovery": manager.get("recovery", {"enabled": False}),
        "passwordPolicy": manager.get("password_policy"),
        "login": manager.get("login"),
        "consent": manager.get("consent"),
        "twoFactor": manager.get("two_factor", {"mode": "off"}),
        "languages": list(LANGUAGES),
        "defaultLanguage": "en",
    }


async def render_page(
    request: Request, root: Path, form: LoginForm | None = None
) -> tuple[str, str]:
    """The page's HTML and the Content-Security-Policy that lets exactly its inline parts run."""
    lang = page_language(request)
    signed_in = await current_session(request) is not None
    show_login = not signed_in and request.url.path not in LINK_PAGES
    config = {**await console_config(request), "signedIn": signed_in}
    catalog = strings(root, lang)
    if show_login:
        catalog = {k: v for k, v in catalog.items() if k.startswith(LOGIN_STRING_PREFIXES)}
        config["stringsComplete"] = False
    assets = page_assets(root)
    screen = FIRST_SCREEN + (LOGIN_SCREEN if show_login else CONSOLE_SCREEN)
    theme = request.cookies.get(THEME_COOKIE)
    html = _ENV.get_template("index.html.j2").render(
        lang=lang,
        theme=theme if theme in THEMES else None,
        t=strings(root, lang),
        page_strings=catalog,
        config=config,
        assets=assets,
        preload=[assets.urls[name] for name in screen if name in assets.urls],
        login=(form or LoginForm()) if show_login else None,
        languages=language_links(request, lang),
    )
    settings = web_services(request).settings
    csp = content_security_policy(
        connect_sources(settings), scripts=(assets.csp_script,), styles=(assets.csp_style,)
    )
    return html, csp
