"""The log-in dialog, as a person uses it."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from tests.conftest import GOOD_PASSWORD
from tests.e2e.conftest import Console, screenshot, start_console
from tests.support.processes import run_cli


def log_in(page: Page, login_id: str = "alice", password: str = GOOD_PASSWORD) -> None:
    page.get_by_label("E-mail or user name").fill(login_id)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Log in", exact=True).click()


def test_wrong_then_right_password_then_log_out(page: Page, console: Console) -> None:
    page.goto(console.url)
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    screenshot(page, "login")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_have_text("Enter your ID and password to log in.")
    log_in(page, password="Wr0ng-pass!")
    expect(page.get_by_role("alert")).to_contain_text("The ID or password is not correct")
    page.get_by_label("Password", exact=True).fill(GOOD_PASSWORD)
    page.get_by_label("Password", exact=True).press("Enter")  # Enter submits too
    expect(page.get_by_role("heading", name="Summary")).to_be_visible()
    expect(page.get_by_text("alice@example.com")).to_be_visible()
    screenshot(page, "summary")
    page.reload()  # the session survives a reload
    expect(page.get_by_role("heading", name="Summary")).to_be_visible()
    page.get_by_role("button", name="Account menu").click()
    expect(page.locator(".menu")).to_contain_text("alice@example.com")  # who is logged in
    page.get_by_role("menuitem", name="Log out").click()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    page.reload()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()


def test_show_password_toggle(page: Page, console: Console) -> None:
    page.goto(console.url)
    field = page.get_by_label("Password", exact=True)
    field.fill("visible?")
    expect(field).to_have_attribute("type", "password")
    page.get_by_role("button", name="Show password").click()
    expect(field).to_have_attribute("type", "text")
    page.get_by_role("button", name="Hide password").click()
    expect(field).to_have_attribute("type", "password")


def test_blocked_shows_the_minutes_left(page: Page, tmp_path: Path) -> None:
    for console in start_console(tmp_path, PORTICO_SESSION__LOGIN_ALLOWED_FAIL_COUNT="2"):
        page.goto(console.url)
        for _ in range(2):
            log_in(page, password="Wr0ng-pass!")
            expect(page.get_by_role("alert")).to_contain_text("not correct")
        log_in(page)
        expect(page.get_by_role("alert")).to_contain_text("Try again in 20 minute(s)")
        screenshot(page, "login-blocked")


def test_endpoint_checks(page: Page, console: Console) -> None:
    page.goto(console.url)
    endpoint = page.get_by_label("API endpoint")
    expect(endpoint).to_be_enabled()
    expect(endpoint).to_have_value(console.url)
    endpoint.fill("ftp://example.org")
    log_in(page)
    expect(page.get_by_role("alert")).to_have_text(
        "The endpoint must start with http:// or https://."
    )
    endpoint.fill("http://127.0.0.1:9")  # nothing listens there
    log_in(page)
    expect(page.get_by_role("alert")).to_contain_text("cannot be reached")
    endpoint.fill(console.url + "/i18n")  # a web server, but not a portico one
    log_in(page)
    expect(page.get_by_role("alert")).to_contain_text("not a portico or Backend.AI webserver")
    endpoint.fill(console.url)
    log_in(page)
    expect(page.get_by_role("heading", name="Summary")).to_be_visible()
    # The endpoint that worked is offered next time.
    page.get_by_role("button", name="Account menu").click()
    page.get_by_role("menuitem", name="Log out").click()
    expect(page.locator("#endpoint-history option")).to_have_count(1)
    expect(page.get_by_label("API endpoint")).to_have_value(console.url)


def test_pinned_endpoint_cannot_be_edited(page: Page, tmp_path: Path) -> None:
    for console in start_console(tmp_path, PORTICO_API__TEXT="Lab cluster"):
        page.goto(console.url)
        endpoint = page.get_by_label("API endpoint")
        expect(endpoint).to_be_disabled()
        expect(page.get_by_text("Lab cluster")).to_be_visible()
        log_in(page)
        expect(page.get_by_role("heading", name="Summary")).to_be_visible()


def test_keyboard_only_log_in(page: Page, console: Console) -> None:
    page.goto(console.url)
    expect(page.get_by_label("E-mail or user name")).to_be_focused()
    page.keyboard.type("alice")
    page.keyboard.press("Tab")
    page.keyboard.type(GOOD_PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Summary")).to_be_visible()


def test_the_form_is_usable_before_any_script_runs(page: Page, console: Console) -> None:
    held = []
    # The scripts are held back: what the server sent must be a working form on its own.
    page.route("**/js/main.*.js", lambda route: held.append(route))
    page.goto(console.url, wait_until="commit")  # "load" would wait for the held script
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    expect(page.get_by_label("E-mail or user name")).to_be_focused()
    expect(page.get_by_label("API endpoint")).to_have_value(console.url)
    page.keyboard.type("alice")
    page.get_by_label("Password", exact=True).fill(GOOD_PASSWORD)
    assert held, "the page asked for its script"
    for route in held:
        route.continue_()
    # The script takes the form over without losing what was typed.
    expect(page.get_by_role("button", name="Show password")).to_be_visible()
    expect(page.get_by_label("E-mail or user name")).to_have_value("alice")
    page.get_by_label("Password", exact=True).press("Enter")
    expect(page.get_by_role("heading", name="Summary")).to_be_visible()


def test_the_form_logs_in_with_scripts_turned_off(playwright_browser, console: Console) -> None:  # type: ignore[no-untyped-def]
    context = playwright_browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(console.url)
    log_in(page, password="Wr0ng-pass!")
    expect(page.get_by_role("alert")).to_contain_text("The ID or password is not correct")
    expect(page.get_by_label("E-mail or user name")).to_have_value("alice")
    page.get_by_label("Password", exact=True).fill(GOOD_PASSWORD)
    with page.expect_navigation():  # the post, its redirect, and the page it leads to
        page.get_by_label("Password", exact=True).press("Enter")
    page.wait_for_load_state()
    # Logged in: the page holds the console's frame (which needs scripts), not the form.
    expect(page.locator("#login-form")).to_have_count(0)
    assert "The console needs JavaScript" in page.content()
    assert any(c["name"] == "AIOHTTP_SESSION" for c in context.cookies())
    context.close()


def test_a_temporary_password_is_changed_before_anything_else(page: Page, console: Console) -> None:
    create = ["user", "create", "--email", "tmp@example.com", "--username", "tmp"]
    made = run_cli(
        [*create, "--must-change-password", "--password-stdin"],
        console.env,
        stdin=GOOD_PASSWORD + "\n",
    )
    assert made.returncode == 0, made.stderr
    page.goto(console.url)
    log_in(page, "tmp")
    dialog = page.get_by_role("dialog", name="Choose a new password")
    expect(dialog).to_be_visible()
    screenshot(page, "login-password-expired")
    dialog.get_by_label("New password", exact=True).fill(GOOD_PASSWORD)
    dialog.get_by_label("New password again").fill(GOOD_PASSWORD)
    dialog.get_by_role("button", name="Change password and log in").click()
    expect(dialog.get_by_role("alert")).to_have_text(
        "The new password must differ from the current one."
    )
    dialog.get_by_label("New password", exact=True).fill("Brand-n3w-secret!")
    dialog.get_by_label("New password again").fill("Brand-n3w-secret!")
    dialog.get_by_role("button", name="Change password and log in").click()
    expect(page.get_by_role("heading", name="Summary")).to_be_visible()
    expect(page.get_by_text("tmp@example.com")).to_be_visible()
