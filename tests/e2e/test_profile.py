"""The profile page in Chromium: one's name, a new API keypair shown once, preferences."""

from __future__ import annotations

import httpx
from playwright.sync_api import Page, expect

from portico.wire.signing import signed_headers
from portico.wire.versions import API_VERSION
from tests.e2e.conftest import Console, confirm_it_is_me
from tests.e2e.test_login import log_in
from tests.support.processes import run_cli


def manager_role(console: Console, access_key: str, secret_key: str) -> int:
    """A signed call straight to the manager, as Backend.AI's SDK makes it."""
    url = f"http://127.0.0.1:{console.env['PORTICO_MANAGER__PORT']}"
    headers = signed_headers(
        method="GET",
        path="/auth/role",
        host=url.removeprefix("http://"),
        content_type="application/json",
        api_version=API_VERSION,
        access_key=access_key,
        secret_key=secret_key,
    )
    return httpx.get(url + "/auth/role", headers=headers).status_code


def test_the_profile_keeps_a_name_and_replaces_the_keypair(page: Page, console: Console) -> None:
    shown = run_cli(["keypair", "show", "--email", "alice@example.com", "--reveal"], console.env)
    old = dict(line.split(": ", 1) for line in shown.stdout.splitlines())
    assert manager_role(console, old["access_key"], old["secret_key"]) == 200

    page.goto(console.url)
    log_in(page)
    page.get_by_role("button", name="Account menu").click()
    page.get_by_role("menuitem", name="Profile").click()
    expect(page.get_by_role("heading", name="Profile", level=1)).to_be_visible()
    assert page.url.endswith("/profile")
    account = page.get_by_role("region", name="My account")
    expect(account).to_contain_text("alice@example.com")
    account.get_by_label("Full name").fill("Alice Liddell")
    account.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_have_text("Your name was saved.")

    keys = page.get_by_role("region", name="API keypair")
    expect(keys).to_contain_text(old["access_key"])
    keys.get_by_role("button", name="Replace the keypair").click()
    page.get_by_role("dialog").get_by_role("button", name="Replace").click()
    # Replacing the keypair needs the password again, right now: a wrong one is refused.
    confirm_it_is_me(page, wrong_first=True)
    new_access = keys.get_by_role("textbox", name="Access key").input_value()
    new_secret = keys.get_by_role("textbox", name="Secret key").input_value()
    assert new_access != old["access_key"] and len(new_secret) >= 40
    expect(keys.locator("code")).to_have_text(new_access)
    assert manager_role(console, old["access_key"], old["secret_key"]) == 401
    assert manager_role(console, new_access, new_secret) == 200

    # This browser session goes on with the new keypair; the secret shows nowhere any more.
    page.reload()
    expect(page.get_by_role("heading", name="Profile", level=1)).to_be_visible()
    expect(page.get_by_role("region", name="My account").get_by_label("Full name")).to_have_value(
        "Alice Liddell"
    )
    expect(page.get_by_role("region", name="API keypair")).not_to_contain_text(new_secret)
    page.get_by_role("link", name="Summary").first.click()
    expect(page.get_by_role("region", name="Resource statistics")).to_be_visible()


def test_preferences_change_the_language(page: Page, console: Console) -> None:
    page.goto(console.url + "/profile")
    log_in(page)
    expect(page.get_by_role("heading", name="Profile", level=1)).to_be_visible()
    page.get_by_role("combobox", name="Language").select_option("ko")
    expect(page.get_by_role("heading", name="프로필", level=1)).to_be_visible()
