"""After log-in: the sidebar, the "[" shortcut and its exceptions, the language menu."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import Console, screenshot
from tests.e2e.test_login import log_in


def sidebar_collapsed(page: Page) -> bool:
    return "collapsed" in (page.locator("aside.sidebar").get_attribute("class") or "")


def test_sidebar_button_and_bracket_key(page: Page, console: Console) -> None:
    page.goto(console.url)
    log_in(page)
    expect(page.get_by_role("heading", name="Summary")).to_be_visible()
    assert not sidebar_collapsed(page)
    page.get_by_role("button", name="Collapse the sidebar").click()
    assert sidebar_collapsed(page)
    screenshot(page, "summary-sidebar-narrow")
    page.get_by_role("button", name="Expand the sidebar").click()
    assert not sidebar_collapsed(page)

    page.locator("main").click()
    page.keyboard.press("[")
    assert sidebar_collapsed(page)
    page.keyboard.press("[")
    assert not sidebar_collapsed(page)
    page.keyboard.press("Control+[")  # a modifier held: not the shortcut
    page.keyboard.press("Alt+[")
    assert not sidebar_collapsed(page)

    # Not while a dialog is open, and not while typing in a field.
    page.get_by_role("button", name="Account menu").click()
    page.get_by_role("menuitem", name="Change password").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    page.keyboard.press("[")
    assert not sidebar_collapsed(page)
    expect(dialog.get_by_label("Current password")).to_have_value("[")  # it typed instead
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()

    # The choice is remembered.
    page.keyboard.press("[")
    assert sidebar_collapsed(page)
    page.reload()
    expect(page.get_by_role("heading", name="Summary")).to_be_visible()
    assert sidebar_collapsed(page)


def test_narrow_screens_start_collapsed(playwright_browser, console: Console) -> None:  # type: ignore[no-untyped-def]
    context = playwright_browser.new_context(viewport={"width": 600, "height": 800})
    page = context.new_page()
    page.goto(console.url)
    log_in(page)
    expect(page.get_by_role("heading", name="Summary")).to_be_visible()
    assert sidebar_collapsed(page)
    context.close()


def test_language_menu_switches_every_string(page: Page, console: Console) -> None:
    page.goto(console.url)
    log_in(page)
    page.get_by_role("button", name="Account menu").click()
    page.get_by_role("menuitemradio", name="日本語").click()
    expect(page.get_by_role("heading", name="サマリー")).to_be_visible()
    expect(page.get_by_text("マイアカウント")).to_be_visible()
    screenshot(page, "summary-ja")
    page.get_by_role("button", name="アカウントメニュー").click()
    page.get_by_role("menuitem", name="ログアウト").click()
    expect(page.get_by_role("heading", name="ログイン")).to_be_visible()  # remembered
    assert page.evaluate("document.documentElement.lang") == "ja"


@pytest.mark.parametrize("page", ["ko-KR"], indirect=True)
def test_the_language_follows_the_browser(page: Page, console: Console) -> None:
    page.goto(console.url)
    expect(page.get_by_role("heading", name="로그인")).to_be_visible()
    expect(page.get_by_label("이메일 또는 사용자 이름")).to_be_visible()
    screenshot(page, "login-ko")


def test_change_password_from_the_menu(page: Page, console: Console) -> None:
    page.goto(console.url)
    log_in(page)
    page.get_by_role("button", name="Account menu").click()
    page.get_by_role("menuitem", name="Change password").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Current password").fill("Wr0ng-pass!")
    dialog.get_by_label("New password", exact=True).fill("Brand-n3w-secret!")
    dialog.get_by_label("New password again").fill("Brand-n3w-secret!")
    dialog.get_by_role("button", name="Change password").click()
    expect(dialog.get_by_role("alert")).to_have_text("The current password is not correct.")
    from tests.conftest import GOOD_PASSWORD

    dialog.get_by_label("Current password").fill(GOOD_PASSWORD)
    dialog.get_by_role("button", name="Change password").click()
    expect(dialog.get_by_role("status")).to_contain_text("Your password was changed")
    # This session stays; the new password is the one that works from now on.
    page.reload()
    expect(page.get_by_role("heading", name="Summary")).to_be_visible()


def test_focus_stays_in_an_open_dialog_and_returns(page: Page, console: Console) -> None:
    page.goto(console.url)
    opener = page.get_by_role("button", name="Forgot password? Change it")
    opener.focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_label("E-mail")).to_be_focused()
    for _ in range(6):
        page.keyboard.press("Tab")
        assert page.evaluate(
            "document.querySelector('[role=dialog]').contains(document.activeElement)"
        )
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(opener).to_be_focused()
