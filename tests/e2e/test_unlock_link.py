"""A user blocked by failed log-ins unlocks the account from the log-in dialog, in Chromium,
with the link a real SMTP server on loopback receives."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import Console, screenshot, smtp_env, start_console, wait_for_mail
from tests.e2e.test_login import log_in
from tests.support.smtp import SmtpServer, link_in


@pytest.fixture
def console(tmp_path: Path, smtp: SmtpServer) -> Iterator[Console]:
    yield from start_console(
        tmp_path, **smtp_env(smtp), PORTICO_SESSION__LOGIN_ALLOWED_FAIL_COUNT="3"
    )


def test_blocked_then_unlocked_by_the_mailed_link_which_works_once(
    page: Page, console: Console, smtp: SmtpServer
) -> None:
    page.goto(console.url)
    for _ in range(3):
        log_in(page, password="Wr0ng-pass!")
        expect(page.get_by_role("alert")).to_contain_text("not correct")
    log_in(page)
    expect(page.get_by_role("alert")).to_contain_text("Try again in 20 minute(s)")
    page.get_by_role("button", name="Locked out? E-mail me an unlock link").click()
    status = page.locator("#login-status")
    expect(status).to_contain_text("an unlock link is on its way")
    screenshot(page, "login-unlock-link-sent")

    [mail] = wait_for_mail(smtp, "alice@example.com")
    link = link_in(mail, "/unlock")
    assert link.startswith(console.url + "/unlock?token=")
    page.goto(link)
    expect(page.get_by_role("heading", name="Unlock your account")).to_be_visible()
    page.get_by_role("button", name="Unlock my account").click()
    expect(page.get_by_text("Your account is unlocked")).to_be_visible()
    screenshot(page, "unlock-page")
    page.get_by_role("link", name="Go to log in").click()
    log_in(page)
    expect(page.get_by_role("heading", name="Summary")).to_be_visible()

    # The same link, opened again, lifts nothing.
    page.goto(link)
    page.get_by_role("button", name="Unlock my account").click()
    expect(page.get_by_role("alert")).to_contain_text("This link no longer works")


def test_an_account_that_is_not_blocked_hears_the_same_and_gets_no_mail(
    page: Page, console: Console, smtp: SmtpServer
) -> None:
    page.goto(console.url)
    for _ in range(3):
        log_in(page, login_id="nobody@example.com", password="Wr0ng-pass!")
    log_in(page, login_id="nobody@example.com", password="Wr0ng-pass!")
    expect(page.get_by_role("alert")).to_contain_text("Try again in")
    page.get_by_role("button", name="Locked out? E-mail me an unlock link").click()
    expect(page.locator("#login-status")).to_contain_text("an unlock link is on its way")
    page.wait_for_timeout(1000)
    assert smtp.mailbox.messages == []
