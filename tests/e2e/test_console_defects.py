"""Rough edges of the console found by trying it as a new user would; each test failed before
its fix."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.conftest import GOOD_PASSWORD
from tests.e2e.conftest import Console, screenshot, start_console
from tests.e2e.test_login import log_in
from tests.support.processes import invite


def sign_up(dialog: Locator, email: str, *, username: str = "") -> None:
    """Fill the sign-up dialog with a good password, agree to both documents, submit."""
    dialog.get_by_label("E-mail").fill(email)
    if username:
        dialog.get_by_label("User name (optional)").fill(username)
    dialog.get_by_label("Password", exact=True).fill(GOOD_PASSWORD)
    dialog.get_by_label("Password again").fill(GOOD_PASSWORD)
    dialog.get_by_label("I have read and agree to the").first.check()
    dialog.get_by_label("I have read and agree to the").last.check()
    dialog.get_by_role("button", name="Sign up").click()


def test_forgot_password_refuses_an_empty_or_malformed_address(
    page: Page, console: Console
) -> None:
    page.goto(console.url)
    page.get_by_role("button", name="Forgot password? Change it").click()
    dialog = page.get_by_role("dialog")
    for typed in ("", "not-an-address", "a@b"):
        dialog.get_by_label("E-mail").fill(typed)
        dialog.get_by_role("button", name="Send").click()
        expect(dialog.get_by_role("alert")).to_have_text("Enter a valid e-mail address.")
    assert not console.mails_to("not-an-address")


def test_a_pending_account_is_told_it_awaits_approval(page: Page, tmp_path: Path) -> None:
    env = {"PORTICO_SIGNUP__MODE": "open", "PORTICO_SIGNUP__APPROVAL": "true"}
    env["PORTICO_SIGNUP__EMAIL_VERIFICATION"] = "false"
    for console in start_console(tmp_path, **env):
        page.goto(console.url)
        page.get_by_role("button", name="Sign up").click()
        dialog = page.get_by_role("dialog")
        sign_up(dialog, "waiting@example.com")
        expect(page.get_by_role("dialog")).to_contain_text("awaits approval")
        page.get_by_role("dialog").get_by_role("button", name="Close").click()
        log_in(page, "waiting@example.com")
        expect(page.get_by_role("alert")).to_have_text(
            "Your account awaits approval by an administrator. You can log in once it is approved."
        )


def test_without_recovery_or_sign_up_the_way_out_is_the_administrator(
    page: Page, tmp_path: Path
) -> None:
    env = {
        "PORTICO_RECOVERY__ENABLED": "false",
        "PORTICO_SIGNUP__MODE": "closed",
        "PORTICO_SESSION__LOGIN_ALLOWED_FAIL_COUNT": "2",
    }
    for console in start_console(tmp_path, **env):
        page.goto(console.url)
        expect(page.get_by_text("No account? Ask your administrator for one.")).to_be_visible()
        expect(page.get_by_role("button", name="Sign up")).to_have_count(0)
        for _ in range(2):
            log_in(page, password="Wr0ng-pass!")
            expect(page.get_by_role("alert")).to_contain_text("not correct")
        log_in(page)
        alert = page.get_by_role("alert")
        expect(alert).to_contain_text("or contact your administrator")
        expect(alert).not_to_contain_text("reset your password")


def test_the_checklist_holds_the_servers_rules_and_a_common_password_is_named_as_such(
    page: Page, console: Console
) -> None:
    link, _ = invite(console.env)
    page.goto(link)
    dialog = page.get_by_role("dialog")
    checklist = dialog.get_by_role("listitem")
    common = checklist.filter(has_text="Not a commonly used password")
    dialog.get_by_label("Password", exact=True).fill("Password1!")  # on the common list
    # Every rule the server enforces is listed; the common-password one is not met.
    expect(common).to_have_class("bad")
    expect(checklist.filter(has_text="At least 8 characters")).to_have_class("good")
    expect(checklist.filter(has_text="Not your e-mail address or user name")).to_have_class("good")
    dialog.get_by_label("Password", exact=True).fill("Gr33n-tea-k3ttle")
    expect(common).to_have_class("good")
    # The server's refusal reads as what is wrong, not as the rule's name.
    dialog.get_by_label("E-mail").fill("common@example.com")
    dialog.get_by_label("Password", exact=True).fill("Password1!")
    dialog.get_by_label("Password again").fill("Password1!")
    dialog.get_by_label("I have read and agree to the").first.check()
    dialog.get_by_label("I have read and agree to the").last.check()
    dialog.get_by_role("button", name="Sign up").click()
    expect(dialog.get_by_role("alert")).to_have_text(
        "Sign-up failed: This password is too common; choose another."
    )


def test_a_taken_user_name_is_named_as_such(page: Page, console: Console) -> None:
    link, _ = invite(console.env)
    page.goto(link)
    dialog = page.get_by_role("dialog")
    sign_up(dialog, "someone@example.com", username="alice")  # the console's own account
    expect(dialog.get_by_role("alert")).to_have_text("That user name is taken. Choose another.")


def test_the_invitation_leaves_the_address_bar_after_sign_up(page: Page, console: Console) -> None:
    link, _ = invite(console.env)
    page.goto(link)
    dialog = page.get_by_role("dialog")
    sign_up(dialog, "fresh@example.com")
    expect(page.get_by_role("dialog")).to_contain_text("We sent a verification e-mail")
    assert "token=" not in page.url


def test_a_password_change_is_not_called_a_sign_up(page: Page, console: Console) -> None:
    page.goto(console.url)
    log_in(page)
    page.get_by_role("button", name="Account menu").click()
    page.get_by_role("menuitem", name="Change password").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Current password").fill(GOOD_PASSWORD)
    for new in ("password", GOOD_PASSWORD):  # a common one, then the current one again
        dialog.get_by_label("New password", exact=True).fill(new)
        dialog.get_by_label("New password again").fill(new)
        dialog.get_by_role("button", name="Change password").click()
        alert = dialog.get_by_role("alert")
        expect(alert).not_to_contain_text("Sign-up")
    expect(alert).to_have_text("The new password must differ from the current one.")


def test_a_reset_link_refuses_the_current_password(page: Page, console: Console) -> None:
    page.goto(console.url)
    page.get_by_role("button", name="Forgot password? Change it").click()
    page.get_by_role("dialog").get_by_label("E-mail").fill("alice@example.com")
    page.get_by_role("dialog").get_by_role("button", name="Send").click()
    expect(page.get_by_role("dialog")).to_contain_text("If the address belongs")
    page.goto(console.link_to("alice@example.com", "/change-password"))
    page.get_by_label("E-mail").fill("alice@example.com")
    page.get_by_label("New password", exact=True).fill(GOOD_PASSWORD)
    page.get_by_label("New password again").fill(GOOD_PASSWORD)
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("alert")).to_have_text(
        "The new password must differ from the current one."
    )
    # The link still works for a new password.
    page.get_by_label("New password", exact=True).fill("Brand-n3w-secret!")
    page.get_by_label("New password again").fill("Brand-n3w-secret!")
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("status")).to_contain_text("changed")


def test_a_used_verification_link_offers_only_a_new_one(page: Page, console: Console) -> None:
    page.goto(console.url + "/verify-email?verification_code=not-a-real-code")
    page.get_by_role("button", name="Confirm my e-mail address").click()
    expect(page.get_by_role("alert")).to_be_visible()
    expect(page.get_by_role("button", name="Confirm my e-mail address")).to_have_count(0)


def test_the_log_in_page_has_a_main_landmark_and_no_page_wide_live_region(
    page: Page, console: Console
) -> None:
    page.goto(console.url)
    expect(page.get_by_role("main")).to_contain_text("Log in")
    assert page.locator("#app").get_attribute("aria-live") is None


def test_the_change_password_dialog_checks_as_you_type_and_can_be_cancelled(
    page: Page, console: Console
) -> None:
    page.goto(console.url)
    log_in(page)
    page.get_by_role("button", name="Account menu").click()
    page.get_by_role("menuitem", name="Change password").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("New password", exact=True).fill("short")
    checks = dialog.locator("ul.checks")
    expect(checks).to_contain_text("At least 8 characters")
    expect(checks.locator("li.bad").first).to_be_visible()
    dialog.get_by_role("button", name="Cancel").click()
    expect(page.get_by_role("dialog")).to_have_count(0)


def test_a_manual_theme_stays_across_pages(page: Page, console: Console) -> None:
    page.emulate_media(color_scheme="light")
    page.goto(console.url)
    log_in(page)
    page.get_by_role("button", name="Account menu").click()
    page.get_by_role("menuitemradio", name="Dark").click()
    html = page.locator("html")
    expect(html).to_have_attribute("data-theme", "dark")
    background = "getComputedStyle(document.documentElement).backgroundColor"
    assert page.evaluate(background) == "rgb(15, 23, 42)"
    page.reload()  # the server sends the page in the chosen theme: no flash of the other one
    expect(html).to_have_attribute("data-theme", "dark")
    page.get_by_role("button", name="Account menu").click()
    page.get_by_role("menuitemradio", name="As the system").click()
    expect(html).not_to_have_attribute("data-theme", "dark")
    assert page.evaluate(background) == "rgb(243, 244, 246)"


def test_another_kind_of_server_at_the_endpoint_is_named_as_such(
    page: Page, tmp_path: Path
) -> None:
    import subprocess
    import sys

    from tests.support.processes import wait_until_answering
    from tests.support.services import free_port

    port = free_port()
    (tmp_path / "www").mkdir()
    log = tmp_path / "http.log"
    with log.open("wb") as out:
        other = subprocess.Popen(
            [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
            cwd=tmp_path / "www",
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    # The operator allows that endpoint (the page may connect to no other).
    consoles = start_console(
        tmp_path, PORTICO_SERVICE__ALLOWED_ENDPOINTS=f'["http://127.0.0.1:{port}"]'
    )
    console = next(consoles)
    try:
        wait_until_answering(other, f"http://127.0.0.1:{port}/", log, seconds=20)
        page.goto(console.url)
        page.get_by_label("API endpoint").fill(f"http://127.0.0.1:{port}")
        log_in(page)
        expect(page.get_by_role("alert")).to_contain_text("not a portico or Backend.AI webserver")
    finally:
        other.terminate()
        other.wait(10)
        consoles.close()


# Elements whose right edge passes the window's: cut off, or reachable only sideways.
CUT_OFF = """() => [...document.querySelectorAll('body *')]
  .filter((el) => el.getClientRects().length && el.getBoundingClientRect().right
    > document.documentElement.clientWidth + 1)
  .map((el) => `${el.tagName}.${el.className}`)"""


@pytest.mark.parametrize("width", [320, 375, 768, 1280, 1920])
def test_every_page_fits_the_window(playwright_browser, console: Console, width: int) -> None:  # type: ignore[no-untyped-def]
    context = playwright_browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    page.goto(console.url)
    assert page.evaluate(CUT_OFF) == [], "log-in page"
    log_in(page)
    expect(page.get_by_role("heading", name="Summary")).to_be_visible()
    expect(page.get_by_text("alice@example.com").first).to_be_visible()
    assert page.evaluate(CUT_OFF) == [], "summary"
    width_now = page.evaluate("document.documentElement.scrollWidth")
    assert width_now <= width
    context.close()


def test_the_log_in_warns_when_three_attempts_remain_for_any_id(page: Page, tmp_path: Path) -> None:
    for console in start_console(tmp_path, PORTICO_SESSION__LOGIN_ALLOWED_FAIL_COUNT="5"):
        page.goto(console.url)
        for login_id in ("alice", "nobody-here"):
            log_in(page, login_id, password="Wr0ng-pass!")
            alert = page.get_by_role("alert")
            expect(alert).to_have_text(
                "The ID or password is not correct. Check them and try again."
            )
            log_in(page, login_id, password="Wr0ng-pass!")
            expect(alert).to_have_text(
                "The ID or password is not correct. Check them and try again. "
                "3 attempt(s) left before log-in is blocked for a while."
            )


def test_the_user_menu_works_from_the_keyboard_and_closes_on_a_click_elsewhere(
    page: Page, console: Console
) -> None:
    page.goto(console.url)
    log_in(page)
    button = page.get_by_role("button", name="Account menu")
    expect(button).to_have_attribute("aria-haspopup", "menu")
    button.focus()
    page.keyboard.press("ArrowDown")  # opens on the first item
    menu = page.get_by_role("menu", name="Account menu")
    expect(button).to_have_attribute("aria-expanded", "true")
    expect(menu.get_by_role("menuitem", name="Profile")).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(menu.get_by_role("menuitem", name="Change password")).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(menu.get_by_role("menuitemradio", name="English")).to_be_focused()
    expect(menu.get_by_role("menuitemradio", name="English")).to_have_attribute(
        "aria-checked", "true"
    )
    page.keyboard.press("End")
    expect(menu.get_by_role("menuitem", name="Log out")).to_be_focused()
    page.keyboard.press("ArrowDown")  # wraps around
    expect(menu.get_by_role("menuitem", name="Profile")).to_be_focused()
    page.keyboard.press("ArrowUp")
    expect(menu.get_by_role("menuitem", name="Log out")).to_be_focused()
    page.keyboard.press("Escape")  # closes, and focus goes back to the button
    expect(menu).to_have_count(0)
    expect(button).to_be_focused()
    expect(button).to_have_attribute("aria-expanded", "false")
    page.keyboard.press("ArrowUp")  # opens on the last item
    expect(page.get_by_role("menuitem", name="Log out")).to_be_focused()
    page.get_by_role("heading", name="Summary").click()  # a click elsewhere closes it
    expect(page.get_by_role("menu")).to_have_count(0)
    # The sidebar shortcut still works, and a language change keeps exactly one handler.
    button.click()
    page.get_by_role("menuitemradio", name="日本語").click()
    expect(page.get_by_role("heading", name="サマリー")).to_be_visible()
    sidebar = page.locator("aside.sidebar")
    page.get_by_role("heading", name="サマリー").click()
    page.keyboard.press("[")
    expect(sidebar).to_have_class("sidebar collapsed")


def test_the_sign_up_dialogs_buttons_stay_in_view(playwright_browser, console: Console) -> None:  # type: ignore[no-untyped-def]
    context = playwright_browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    link, _ = invite(console.env)
    page.goto(link)
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Password", exact=True).fill("x")  # the checklist shows: taller still
    expect(dialog.get_by_role("button", name="Cancel")).to_be_in_viewport()
    expect(dialog.get_by_role("button", name="Sign up")).to_be_in_viewport()
    screenshot(page, "signup-1280x900")
    dialog.get_by_role("button", name="Cancel").click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    context.close()


def test_consent_sentences_name_their_documents(page: Page, console: Console) -> None:
    link, _ = invite(console.env)
    page.goto(link)
    dialog = page.get_by_role("dialog")
    terms = dialog.get_by_role("checkbox", name="I have read and agree to the Terms of Service")
    privacy = dialog.get_by_role("checkbox", name="I have read and agree to the Privacy Policy")
    for box in (terms, privacy):
        row = box.locator("xpath=..")
        # The box and the sentence start on one line; the link flows in the sentence.
        box_top = box.bounding_box()["y"]  # type: ignore[index]
        label_top = row.locator("label").bounding_box()["y"]  # type: ignore[index]
        assert abs(box_top - label_top) < 8
        assert row.locator("label").evaluate("e => getComputedStyle(e).display") == "inline"
        assert row.locator("label").evaluate("e => getComputedStyle(e).fontWeight") == "400"


def test_a_language_is_picked_before_log_in_and_dates_follow_it(
    page: Page, console: Console
) -> None:
    link, _ = invite(console.env)
    page.goto(link)  # an invitation: the pick keeps it
    expect(page.get_by_role("dialog")).to_be_visible()
    page.keyboard.press("Escape")
    languages = page.get_by_role("navigation", name="Language")
    expect(languages.get_by_role("link", name="English")).to_have_attribute("aria-current", "true")
    languages.get_by_role("link", name="한국어").click()
    expect(page.get_by_role("heading", name="로그인")).to_be_visible()
    expect(page.get_by_role("dialog")).to_be_visible()  # the sign-up for the invitation again
    assert "lang=" not in page.url and "token=" in page.url
    page.goto(console.url)  # remembered
    expect(page.get_by_role("heading", name="로그인")).to_be_visible()
    page.get_by_label("이메일 또는 사용자 이름").fill("alice")
    page.get_by_label("비밀번호", exact=True).fill(GOOD_PASSWORD)
    page.get_by_role("button", name="로그인").click()
    expect(page.get_by_role("heading", name="요약")).to_be_visible()
    # The exact time of this log-in, in Korean, whatever the browser's own locale (en-US here).
    stamp = page.get_by_role("region", name="내 계정 보안").locator("time").first
    assert "오" in (stamp.get_attribute("title") or "")  # 오전 / 오후


def test_the_language_links_work_without_scripts(playwright_browser, console: Console) -> None:  # type: ignore[no-untyped-def]
    context = playwright_browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(console.url)
    page.get_by_role("link", name="日本語").click()
    expect(page.get_by_role("heading", name="ログイン")).to_be_visible()
    context.close()
