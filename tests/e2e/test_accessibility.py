"""axe-core (WCAG 2 A and AA rules, colour contrast included) on the main screens."""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.e2e.conftest import Console
from tests.e2e.test_login import log_in

WCAG_AA = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}


def violations(page: Page) -> list[str]:
    found = Axe().run(page, options=WCAG_AA).response["violations"]
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])}x: {v['nodes'][0]['target']})" for v in found
    ]


def test_screens_pass_axe(page: Page, console: Console) -> None:
    page.goto(console.url)
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    assert violations(page) == []

    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("dialog")).to_be_visible()
    assert violations(page) == []
    page.keyboard.press("Escape")

    log_in(page)
    expect(page.get_by_role("region", name="Resource statistics")).to_be_visible()
    assert violations(page) == []


def test_dark_theme_passes_axe(playwright_browser, console: Console) -> None:  # type: ignore[no-untyped-def]
    context = playwright_browser.new_context(color_scheme="dark")
    page = context.new_page()
    page.goto(console.url)
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    assert violations(page) == []
    log_in(page)
    expect(page.get_by_role("region", name="Resource statistics")).to_be_visible()
    assert violations(page) == []
    context.close()
