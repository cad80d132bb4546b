"""An administrator's work in the console, in Chromium: unlock, invite by e-mail (received by a
real SMTP server on loopback), deactivate, approve; and what a normal user does not see."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.conftest import GOOD_PASSWORD
from tests.e2e.conftest import Console, smtp_env, start_console, wait_for_mail
from tests.e2e.test_console_defects import sign_up
from tests.e2e.test_login import log_in
from tests.support.processes import create_account, invite
from tests.support.smtp import SmtpServer, link_in


@pytest.fixture
def console(tmp_path: Path, smtp: SmtpServer) -> Iterator[Console]:
    env = {
        **smtp_env(smtp),
        "PORTICO_SIGNUP__APPROVAL": "true",
        "PORTICO_SESSION__LOGIN_ALLOWED_FAIL_COUNT": "3",
    }
    for console in start_console(tmp_path, **env):
        create_account(console.env, "root@example.com", "root", role="superadmin")
        yield console


def open_account(page: Page, email: str) -> None:
    page.get_by_role("link", name="Users").click()
    page.get_by_role("searchbox", name="Search").fill(email)
    page.get_by_role("button", name="Find").click()
    page.get_by_role("button", name=f"Manage: {email}").click()
    expect(page.get_by_role("dialog", name=email)).to_be_visible()


def log_in_over_http(console: Console, login_id: str) -> httpx.Response:
    return httpx.post(
        console.url + "/server/login", json={"username": login_id, "password": GOOD_PASSWORD}
    )


def test_an_admin_unlocks_a_blocked_user(page: Page, console: Console) -> None:
    for _ in range(3):
        httpx.post(
            console.url + "/server/login", json={"username": "alice", "password": "Wr0ng!1x"}
        )
    assert log_in_over_http(console, "alice").status_code == 429
    page.goto(console.url)
    log_in(page, "root@example.com")
    open_account(page, "alice@example.com")
    page.get_by_role("dialog").get_by_role("button", name="Unlock log-in").click()
    expect(page.get_by_role("status")).to_have_text("alice@example.com can log in again.")
    assert log_in_over_http(console, "alice").json()["authenticated"] is True


def test_an_admin_invites_by_mail_and_the_link_signs_the_person_up(
    page: Page,
    console: Console,
    smtp: SmtpServer,
    playwright_browser,  # type: ignore[no-untyped-def]
) -> None:
    page.goto(console.url)
    log_in(page, "root@example.com")
    page.get_by_role("link", name="Invitations").click()
    form = page.get_by_role("form", name="New invitation")
    form.get_by_label("E-mail (optional)").fill("friend@example.com")
    form.get_by_role("button", name="Create the invitation").click()
    expect(page.get_by_role("status")).to_contain_text("mailed to friend@example.com")
    shown = page.get_by_role("textbox", name="Sign-up link").input_value()
    table = page.get_by_role("table", name="Invitations")
    expect(table).to_contain_text("friend@example.com")
    expect(table).to_contain_text("Open")

    [mail] = wait_for_mail(smtp, "friend@example.com")
    link = link_in(mail, "/?token=")
    assert link == shown
    other = playwright_browser.new_context()
    guest = other.new_page()
    guest.goto(link)
    sign_up(guest.get_by_role("dialog"), "friend@example.com")
    expect(guest.get_by_role("dialog")).to_contain_text("We sent a verification e-mail")
    other.close()
    page.reload()
    expect(page.get_by_role("table", name="Invitations")).to_contain_text("Used")


def test_an_admin_deactivates_a_user_whose_session_ends(page: Page, console: Console) -> None:
    alice = log_in_over_http(console, "alice")
    cookie = {"AIOHTTP_SESSION": alice.cookies["AIOHTTP_SESSION"]}
    assert httpx.get(console.url + "/func/auth/role", cookies=cookie).status_code == 200
    page.goto(console.url)
    log_in(page, "root@example.com")
    open_account(page, "alice@example.com")
    page.get_by_role("dialog").get_by_role("button", name="Deactivate").click()
    confirm = page.get_by_role("dialog", name="Deactivate")
    expect(confirm).to_contain_text("logged out everywhere")
    confirm.get_by_role("button", name="Deactivate").click()
    expect(page.get_by_role("status")).to_contain_text("alice@example.com was deactivated")
    assert httpx.get(console.url + "/func/auth/role", cookies=cookie).status_code == 401
    refused = log_in_over_http(console, "alice")
    assert refused.json()["authenticated"] is False
    page.get_by_role("combobox", name="Status").select_option("inactive")
    expect(page.get_by_role("table", name="Users")).to_contain_text("alice@example.com")


def test_an_admin_approves_a_pending_sign_up(
    page: Page, console: Console, smtp: SmtpServer
) -> None:
    link, _ = invite(console.env)
    page.goto(link)
    sign_up(page.get_by_role("dialog"), "waiting@example.com")
    expect(page.get_by_role("dialog")).to_contain_text("We sent a verification e-mail")
    [verify] = wait_for_mail(smtp, "waiting@example.com")
    page.goto(link_in(verify, "/verify-email"))
    page.get_by_role("button", name="Confirm my e-mail address").click()
    expect(page.get_by_role("status")).to_contain_text("awaits approval")

    page.goto(console.url)
    log_in(page, "root@example.com")
    page.get_by_role("link", name="Users").click()
    page.get_by_role("combobox", name="Status").select_option("pending")
    table = page.get_by_role("table", name="Users")
    expect(table).to_contain_text("waiting@example.com")
    expect(table).to_contain_text("Awaiting approval")
    page.get_by_role("button", name="Manage: waiting@example.com").click()
    page.get_by_role("dialog").get_by_role("button", name="Approve").click()
    expect(page.get_by_role("status")).to_contain_text("was approved")
    mails = wait_for_mail(smtp, "waiting@example.com", 2)
    assert re.search("approved", mails[-1]["Subject"])
    assert log_in_over_http(console, "waiting@example.com").json()["authenticated"] is True
    # The audit log shows the approval, by this admin.
    page.get_by_role("link", name="Audit log").click()
    audit = page.get_by_role("table", name="Audit log")
    expect(audit.get_by_role("row").filter(has_text="account.approved")).to_contain_text(
        "root@example.com"
    )


def test_a_normal_user_sees_no_administration(page: Page, console: Console) -> None:
    page.goto(console.url)
    log_in(page)
    expect(page.get_by_role("heading", name="Summary")).to_be_visible()
    nav = page.get_by_role("complementary", name="Menu").get_by_role("link")
    expect(nav).to_have_count(1)
    page.goto(console.url + "/admin/users")  # typed by hand: back to the Summary
    expect(page.get_by_role("heading", name="Summary")).to_be_visible()
    assert page.url.endswith("/summary")


def test_an_admin_makes_a_resource_policy_and_gives_it_to_a_user(
    page: Page,
    console: Console,
    playwright_browser,  # type: ignore[no-untyped-def]
) -> None:
    page.goto(console.url)
    log_in(page, "root@example.com")
    page.get_by_role("link", name="Resources").click()
    form = page.get_by_role("region", name="New resource policy")
    form.get_by_label("Name").fill("gpu-small")
    form.get_by_label("CPU").fill("8")
    form.get_by_label("Memory (GiB)").fill("32")
    form.get_by_label("Concurrent sessions").fill("3")
    form.get_by_role("button", name="Create the policy").click()
    expect(page.get_by_role("status")).to_have_text("Policy gpu-small was saved.")
    expect(page.get_by_role("table", name="Resource policies")).to_contain_text("32.0 GiB")
    # Edited in place.
    page.get_by_role("button", name="Edit: gpu-small").click()
    page.get_by_role("dialog").get_by_label("CPU").fill("6")
    page.get_by_role("dialog").get_by_role("button", name="Save").click()
    row = page.get_by_role("table", name="Resource policies").get_by_role("row", name="gpu-small")
    expect(row).to_contain_text("6")

    open_account(page, "alice@example.com")
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Resource policy").select_option("gpu-small")
    dialog.get_by_role("button", name="Set the policy").click()
    expect(page.get_by_role("status")).to_contain_text("now follows policy gpu-small")

    other = playwright_browser.new_context()
    alice = other.new_page()
    alice.goto(console.url)
    log_in(alice)
    cpu = alice.get_by_role("region", name="Resource statistics").get_by_role("meter", name="CPU")
    expect(cpu.first).to_have_attribute("aria-valuetext", "0 of 6 cores")
    other.close()
