"""The console page as the server sends it: the log-in form already in the HTML (usable before
any script runs, and posting on its own without one), the language chosen on the server, the
style sheet inline, the scripts under content-hashed names cached for good."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import time
from html.parser import HTMLParser
from typing import Any

import httpx
import pyotp
import pytest

from portico.webserver.console_page import LOGIN_STRING_PREFIXES
from portico.webserver.webui_files import PACKAGED_WEBUI
from tests.conftest import GOOD_PASSWORD, WEB_HOST, signed, step_up

OWN_ORIGIN = f"http://{WEB_HOST}"


class Page(HTMLParser):
    """What a browser would build from the HTML: elements by id, and the text inside each
    element with an id (or each inline script, by its type)."""

    VOID = ("input", "meta", "link")

    def __init__(self, html: str) -> None:
        super().__init__()
        self.by_id: dict[str, dict[str, Any]] = {}
        self.tags: list[tuple[str, dict[str, Any]]] = []
        self.text: dict[str, str] = {}
        self._open: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.tags.append((tag, found))
        if "id" in found:
            self.by_id[found["id"] or ""] = found
        if tag not in self.VOID:
            inherited = self._open[-1] if self._open else ""
            script_type = found.get("type") if tag == "script" else None
            self._open.append(found.get("id") or script_type or inherited)

    def handle_endtag(self, tag: str) -> None:
        if tag not in self.VOID and self._open:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        if self._open and self._open[-1] and data.strip():
            self.text[self._open[-1]] = self.text.get(self._open[-1], "") + data

    @property
    def blocks(self) -> dict[str, str]:
        return self.text


def parse(r: httpx.Response) -> Page:
    assert r.headers["content-type"].startswith("text/html")
    return Page(r.text)


def catalog(lang: str) -> dict[str, str]:
    return json.loads((PACKAGED_WEBUI / "i18n" / f"{lang}.json").read_text(encoding="utf-8"))


def csp_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def login_strings(lang: str) -> dict[str, str]:
    strings = {k: v for k, v in catalog(lang).items() if k.startswith(LOGIN_STRING_PREFIXES)}
    assert "login.title" in strings and "tf.code" in strings and "admin.users" not in strings
    return strings


async def test_the_log_in_form_is_in_the_html(console: httpx.AsyncClient) -> None:
    r = await console.get("/", headers={"Accept-Language": "en-US,en;q=0.8"})
    assert r.status_code == 200
    page = parse(r)
    form = page.by_id["login-form"]
    assert form["method"] == "post" and form["action"] == "/"
    assert page.by_id["login-id"]["name"] == "username"
    assert "autofocus" in page.by_id["login-id"]
    assert page.by_id["login-password"]["type"] == "password"
    assert page.by_id["login-endpoint"]["value"] == OWN_ORIGIN
    assert "disabled" not in page.by_id["login-endpoint"]
    assert page.text["login-title"] == catalog("en")["login.title"]
    assert page.text["endpoint-help"] == catalog("en")["login.endpointHelp"]
    config = json.loads(page.blocks["portico-config"])
    assert config["signedIn"] is False and config["apiEndpoint"] == OWN_ORIGIN
    # The log-in page's own strings only; the console loads the rest after log-in.
    assert json.loads(page.blocks["portico-strings"]) == login_strings("en")
    assert config["stringsComplete"] is False
    # Nothing may hold back the first paint: no external style sheet, no classic script.
    assert not [a for tag, a in page.tags if tag == "link" and a.get("rel") == "stylesheet"]
    scripts = [a for tag, a in page.tags if tag == "script"]
    assert {a.get("type") for a in scripts} == {"importmap", "module", "application/json"}


@pytest.mark.parametrize(
    ("headers", "cookies", "expected"),
    [
        ({"Accept-Language": "ko-KR,ko;q=0.9,en;q=0.5"}, {}, "ko"),
        ({"Accept-Language": "fr, ja;q=0.3"}, {}, "ja"),
        ({"Accept-Language": "ko-KR"}, {"portico_lang": "ja"}, "ja"),  # the person's choice
        ({"Accept-Language": "ko-KR"}, {"portico_lang": "xx"}, "ko"),
        ({}, {}, "en"),
    ],
)
async def test_the_page_speaks_the_chosen_language(
    console: httpx.AsyncClient, headers: dict[str, str], cookies: dict[str, str], expected: str
) -> None:
    console.cookies.update(cookies)
    page = parse(await console.get("/", headers=headers))
    assert page.tags[0] == ("html", {"lang": expected})
    assert page.text["login-title"] == catalog(expected)["login.title"]
    label = next(a for tag, a in page.tags if tag == "label" and a.get("for") == "login-id")
    assert label == {"for": "login-id"}
    assert json.loads(page.blocks["portico-strings"]) == login_strings(expected)


async def test_a_language_link_picks_the_language_and_keeps_the_pick(
    console: httpx.AsyncClient,
) -> None:
    console.cookies.update({"portico_lang": "ko"})
    answer = await console.get("/?token=abc&lang=ja")
    assert parse(answer).tags[0] == ("html", {"lang": "ja"})
    assert "portico_lang=ja" in answer.headers["set-cookie"]
    assert "samesite=lax" in answer.headers["set-cookie"].lower()
    links = {a["hreflang"]: a["href"] for tag, a in parse(answer).tags if "hreflang" in a}
    assert links == {code: f"?token=abc&lang={code}" for code in ("en", "ja", "ko")}
    # Anything else is not a pick: no cookie, the language stays as it was.
    console.cookies.clear()
    console.cookies.update({"portico_lang": "ko"})
    assert (await console.get("/?lang=ja%00")).status_code == 400  # the NUL guard's answer
    for query in ("?lang=xx", "?lang=", "?lang=JA"):
        other = await console.get("/" + query)
        assert parse(other).tags[0] == ("html", {"lang": "ko"})
        assert "set-cookie" not in other.headers


async def test_a_pinned_endpoint_arrives_disabled(console: httpx.AsyncClient) -> None:
    console_settings = console._transport.app.state.web.settings  # type: ignore[attr-defined]
    console_settings.api.text = "Lab cluster"
    try:
        page = parse(await console.get("/"))
    finally:
        console_settings.api.text = ""
    assert "disabled" in page.by_id["login-endpoint"]
    assert page.text["endpoint-help"] == "Lab cluster"
    assert json.loads(page.blocks["portico-config"])["endpointPinned"] is True


async def test_the_policy_lets_exactly_the_inline_parts_run(console: httpx.AsyncClient) -> None:
    r = await console.get("/")
    assert len(r.headers.get_list("content-security-policy")) == 1
    csp = r.headers["content-security-policy"]
    page = parse(r)
    assert csp_hash(page.blocks["importmap"]) in csp.split("script-src")[1].split(";")[0]
    style = re.search(r"<style>(.*?)</style>", r.text, re.S)
    assert style is not None
    assert style.group(1) == (PACKAGED_WEBUI / "app.css").read_text()
    assert csp_hash(style.group(1)) in csp.split("style-src")[1].split(";")[0]
    assert "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert r.headers["cache-control"] == "no-store"


async def test_scripts_load_by_content_hash_and_are_cached_for_good(
    console: httpx.AsyncClient,
) -> None:
    page = parse(await console.get("/"))
    imports = json.loads(page.blocks["importmap"])["imports"]
    on_disk = {
        "/" + p.relative_to(PACKAGED_WEBUI).as_posix()
        for p in (PACKAGED_WEBUI / "js").rglob("*.js")
    }
    assert set(imports) == on_disk  # every module, so every import resolves to a hash
    main = next(a["src"] for tag, a in page.tags if tag == "script" and a.get("type") == "module")
    assert main == imports["/js/main.js"]
    for plain, hashed in imports.items():
        digest = hashed.rsplit(".", 2)[1]
        body = (PACKAGED_WEBUI / plain.lstrip("/")).read_bytes()
        assert hashlib.sha256(body).hexdigest().startswith(digest)
        r = await console.get(hashed, headers={"Accept-Encoding": "gzip"})
        assert r.status_code == 200 and r.content == body
        assert r.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert r.headers["content-encoding"] == "gzip"
    preloads = [a["href"] for tag, a in page.tags if a.get("rel") == "modulepreload"]
    assert preloads and set(preloads) <= set(imports.values())
    # A plain name still works, revalidated every time.
    plain = await console.get("/js/main.js")
    assert plain.status_code == 200 and plain.headers["cache-control"] == "no-cache"


async def test_an_outdated_hash_is_not_cached_for_good(console: httpx.AsyncClient) -> None:
    r = await console.get("/js/main.0123456789ab.js")
    assert r.status_code == 200
    assert r.content == (PACKAGED_WEBUI / "js" / "main.js").read_bytes()
    assert r.headers["cache-control"] == "no-cache"
    assert (await console.get("/js/nothing.0123456789ab.js")).status_code == 404


async def test_the_form_logs_in_without_any_script(
    console: httpx.AsyncClient, make_account
) -> None:
    await make_account()
    form = {"username": "alice", "password": GOOD_PASSWORD}
    r = await console.post("/", data=form, headers={"Origin": OWN_ORIGIN})
    assert r.status_code == 303 and r.headers["location"] == "/"
    assert "AIOHTTP_SESSION" in r.cookies
    after = parse(await console.get("/"))
    assert json.loads(after.blocks["portico-config"])["signedIn"] is True
    assert json.loads(after.blocks["portico-strings"]) == catalog("en")  # the console's too
    assert "login-form" not in after.by_id  # the console, not the form
    check = await console.post("/server/login-check")
    assert check.json()["authenticated"] is True


async def test_without_scripts_the_form_asks_for_the_second_factors_code(
    console: httpx.AsyncClient, manager: httpx.AsyncClient, make_account
) -> None:
    alice = await make_account()
    await step_up(manager, alice)
    begun = await signed(manager, "POST", "/portico/two-factor/totp", alice)
    secret = begun.json()["secret"]
    confirm = {"code": pyotp.TOTP(secret).now()}
    await signed(manager, "POST", "/portico/two-factor/totp/confirm", alice, json=confirm)

    form = {"username": "alice", "password": GOOD_PASSWORD}
    asked = await console.post("/", data=form, headers={"Origin": OWN_ORIGIN})
    assert asked.status_code == 200 and "set-cookie" not in asked.headers
    page = parse(asked)
    assert page.by_id["login-otp"]["autocomplete"] == "one-time-code"
    assert page.text["login-status"] == catalog("en")["login.codeText"]
    next_code = pyotp.TOTP(secret).at(time.time() + 30)
    done = await console.post("/", data={**form, "otp": next_code}, headers={"Origin": OWN_ORIGIN})
    assert done.status_code == 303 and "AIOHTTP_SESSION" in done.cookies


async def test_a_refused_form_shows_the_page_again(
    console: httpx.AsyncClient, make_account
) -> None:
    await make_account()
    en = catalog("en")
    wrong = {"username": "alice", "password": "Wr0ng-pass!"}
    r = await console.post("/", data=wrong, headers={"Origin": OWN_ORIGIN})
    assert r.status_code == 401 and "set-cookie" not in r.headers
    page = parse(r)
    assert page.by_id["login-id"]["value"] == "alice"  # kept; the password is not
    assert "value" not in page.by_id["login-password"]
    assert page.text["login-status"] == en["login.mismatch"]
    empty = await console.post("/", data={"username": "alice"}, headers={"Origin": OWN_ORIGIN})
    assert empty.status_code == 400
    assert parse(empty).text["login-status"] == en["login.empty"]
    ja = await console.post(
        "/", data=wrong, headers={"Origin": OWN_ORIGIN, "Accept-Language": "ja"}
    )
    assert parse(ja).text["login-status"] == catalog("ja")["login.mismatch"]


async def test_the_form_counts_toward_the_lock_out(
    console: httpx.AsyncClient, make_account
) -> None:
    await make_account()
    wrong = {"username": "alice", "password": "Wr0ng-pass!"}
    statuses = [
        (await console.post("/", data=wrong, headers={"Origin": OWN_ORIGIN})).status_code
        for _ in range(12)
    ]
    assert statuses[-1] == 429, statuses
    right = {"username": "alice", "password": GOOD_PASSWORD}
    blocked = await console.post("/", data=right, headers={"Origin": OWN_ORIGIN})
    assert blocked.status_code == 429 and "set-cookie" not in blocked.headers
    assert "minute" in parse(blocked).text["login-status"]


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Origin": "https://evil.example"},
        {"Origin": "http://console.test.evil"},
        {"Origin": "null"},
        {"Origin": "null", "Sec-Fetch-Site": "cross-site"},
        {"Origin": "https://evil.example", "Sec-Fetch-Site": "same-origin"},
    ],
)
async def test_only_the_page_itself_may_post_the_form(
    console: httpx.AsyncClient, make_account, headers: dict[str, str]
) -> None:
    await make_account()
    form = {"username": "alice", "password": GOOD_PASSWORD}
    r = await console.post("/", data=form, headers=headers)
    assert r.status_code == 403 and "set-cookie" not in r.headers
    assert r.headers["content-type"] == "application/problem+json"
    # And Backend.AI's JSON log-in still takes no form at all.
    json_route = await console.post("/server/login", data=form, headers={"Origin": OWN_ORIGIN})
    assert json_route.status_code == 415


async def test_a_browser_under_no_referrer_may_post_the_form(
    console: httpx.AsyncClient, make_account
) -> None:
    """Chromium sends `Origin: null` for a form under the page's no-referrer policy, with
    `Sec-Fetch-Site: same-origin`."""
    await make_account()
    form = {"username": "alice", "password": GOOD_PASSWORD}
    headers = {"Origin": "null", "Sec-Fetch-Site": "same-origin"}
    r = await console.post("/", data=form, headers=headers)
    assert r.status_code == 303 and "AIOHTTP_SESSION" in r.cookies
