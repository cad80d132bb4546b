"""Every page and dialog of the console, visited in order: axe-core finds nothing at any level
(WCAG A, AA and AAA, best practices) in either theme, and each is photographed at 375, 768 and
1280 px in English, Japanese and Korean into test-artifacts/."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.conftest import GOOD_PASSWORD
from tests.e2e.conftest import ARTIFACTS, Console, start_console
from tests.support.processes import run_cli

CATALOGS = Path(__file__).resolve().parents[2] / "src" / "portico" / "webui" / "i18n"
EVERY_LEVEL = {
    "runOnly": {
        "type": "tag",
        "values": [
            "wcag2a",
            "wcag2aa",
            "wcag2aaa",
            "wcag21a",
            "wcag21aa",
            "wcag21aaa",
            "wcag22a",
            "wcag22aa",
            "best-practice",
        ],
    },
    "resultTypes": ["violations"],
}
LOCALES = {"en": "en-US", "ja": "ja-JP", "ko": "ko-KR"}

Visit = Callable[[str], None]


@pytest.fixture(scope="module")
def console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Console]:
    tmp = tmp_path_factory.mktemp("every-page")
    for console in start_console(tmp):
        for args in (
            ["--email", "root@example.com", "--role", "superadmin"],
            ["--email", "temp@example.com", "--must-change-password"],
        ):
            made = run_cli(
                ["user", "create", *args, "--password-stdin"], console.env, stdin=GOOD_PASSWORD
            )
            assert made.returncode == 0, made.stderr
        yield console


def catalog(lang: str) -> dict[str, str]:
    return json.loads((CATALOGS / f"{lang}.json").read_text(encoding="utf-8"))


def log_in(page: Page, t: dict[str, str], login_id: str) -> None:
    page.get_by_label(t["login.id"]).fill(login_id)
    page.get_by_label(t["login.password"], exact=True).fill(GOOD_PASSWORD)
    page.get_by_role("button", name=t["login.submit"], exact=True).click()


def tour(page: Page, console: Console, lang: str, visit: Visit) -> None:
    """Every screen a person can reach, each handed to `visit` once it is shown."""
    t = catalog(lang)
    dialog = page.get_by_role("dialog")
    # Another browser of alice's, so that the session list has something to revoke.
    httpx.post(
        console.url + "/server/login",
        json={"username": "alice", "password": GOOD_PASSWORD},
        headers={"User-Agent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Firefox/128.0"},
    )

    page.goto(console.url)
    expect(page.get_by_role("heading", name=t["login.title"])).to_be_visible()
    visit("login")
    page.get_by_role("button", name=t["login.signup"]).click()
    expect(dialog).to_be_visible()
    visit("sign-up")
    dialog.get_by_role("button", name=t["signup.terms"]).first.click()
    expect(page.locator(".doc")).to_be_visible()
    visit("terms")
    page.keyboard.press("Escape")
    page.keyboard.press("Escape")
    page.get_by_role("button", name=t["login.forgot"]).click()
    expect(dialog).to_be_visible()
    visit("forgot-password")
    page.keyboard.press("Escape")

    log_in(page, t, "temp@example.com")
    expect(dialog.get_by_role("heading", name=t["expired.title"])).to_be_visible()
    visit("password-expired")
    page.keyboard.press("Escape")

    page.goto(console.url + "/verify-email?verification_code=not-a-code")
    page.get_by_role("button", name=t["verify.submit"]).click()
    expect(page.get_by_role("alert")).to_be_visible()
    visit("verify-email")
    page.goto(console.url + "/change-password?token=not-a-token")
    expect(page.get_by_role("heading", name=t["change.title"])).to_be_visible()
    visit("change-password-link")
    page.goto(console.url + "/unlock?token=not-a-token")
    page.get_by_role("button", name=t["unlock.submit"]).click()
    expect(page.get_by_role("alert")).to_have_text(t["unlock.invalid"])
    visit("unlock-link")

    page.goto(console.url)
    log_in(page, t, "alice")
    expect(page.get_by_role("region", name=t["res.title"])).to_be_visible()
    expect(page.get_by_role("region", name=t["sec.title"])).to_contain_text("Firefox")
    visit("summary")
    page.get_by_role("button", name=t["shell.user"]).click()
    expect(page.get_by_role("menu")).to_be_visible()
    visit("user-menu")
    page.get_by_role("menuitem", name=t["shell.changePassword"]).click()
    expect(dialog).to_be_visible()
    visit("change-password")
    page.keyboard.press("Escape")
    page.get_by_role("button", name=t["sec.revoke"]).first.click()
    expect(dialog).to_be_visible()
    visit("revoke-session")
    page.keyboard.press("Escape")
    page.get_by_role("button", name=t["sec.signOutOthers"]).click()
    expect(dialog).to_be_visible()
    visit("sign-out-others")
    page.keyboard.press("Escape")
    page.get_by_role("button", name=t["shell.user"]).click()
    page.get_by_role("menuitem", name=t["shell.logout"]).click()

    expect(page.get_by_role("heading", name=t["login.title"])).to_be_visible()
    log_in(page, t, "root@example.com")
    expect(page.get_by_role("region", name=t["sys.title"])).to_be_visible()
    visit("summary-admin")
    page.get_by_role("link", name=t["nav.users"]).click()
    expect(page.get_by_role("table", name=t["admin.users"])).to_contain_text("alice@example.com")
    visit("admin-users")
    page.get_by_role("button", name=f"{t['admin.manage']}: alice@example.com").click()
    expect(dialog).to_be_visible()
    visit("admin-account")
    page.keyboard.press("Escape")
    page.get_by_role("link", name=t["nav.invitations"]).click()
    page.get_by_role("button", name=t["admin.createInvitation"]).click()
    expect(page.get_by_role("table", name=t["admin.invitations"])).to_be_visible()
    visit("admin-invitations")
    page.get_by_role("link", name=t["nav.resources"]).click()
    expect(page.get_by_role("table", name=t["res.policies"])).to_be_visible()
    visit("admin-resources")
    page.get_by_role("link", name=t["nav.audit"]).click()
    expect(page.get_by_role("table", name=t["admin.audit"])).to_be_visible()
    visit("admin-audit")
    page.get_by_role("button", name=t["shell.user"]).click()
    page.get_by_role("menuitem", name=t["shell.logout"]).click()
    expect(page.get_by_role("heading", name=t["login.title"])).to_be_visible()


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_axe_finds_nothing_on_any_page(playwright_browser, console: Console, theme: str) -> None:  # type: ignore[no-untyped-def]
    context = playwright_browser.new_context(color_scheme=theme)
    page = context.new_page()
    axe = Axe()
    found: dict[str, list[str]] = {}

    def check(name: str) -> None:
        for v in axe.run(page, options=EVERY_LEVEL).response["violations"]:
            targets = [node["target"] for node in v["nodes"]][:3]
            why = v["nodes"][0].get("failureSummary", "")
            found.setdefault(name, []).append(
                f"{v['id']} ({v['impact']}): {v['help']} {targets} {why}"
            )

    tour(page, console, "en", check)
    context.close()
    assert found == {}, "\n".join(f"{page}: {v}" for page, vs in found.items() for v in vs)


@pytest.mark.parametrize("lang", ["en", "ja", "ko"])
@pytest.mark.parametrize("width", [375, 768, 1280])
def test_every_page_is_photographed(
    playwright_browser,  # type: ignore[no-untyped-def]
    console: Console,
    lang: str,
    width: int,
) -> None:
    context = playwright_browser.new_context(
        locale=LOCALES[lang], viewport={"width": width, "height": 900}
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    folder = ARTIFACTS / "pages"
    folder.mkdir(parents=True, exist_ok=True)
    shots: list[str] = []

    def photograph(name: str) -> None:
        # Nothing runs off the side at this width, in this language.
        overflow = page.evaluate("document.documentElement.scrollWidth - innerWidth")
        assert overflow <= 0, f"{name} is {overflow}px too wide at {width}px in {lang}"
        path = folder / f"{name}-{lang}-{width}.png"
        page.screenshot(path=str(path), full_page=True)
        shots.append(path.name)

    tour(page, console, lang, photograph)
    context.close()
    assert not errors, errors
    assert len(shots) == 19
