"""Invited sign-up, e-mail verification, password recovery and re-consent, in a browser."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from tests.conftest import GOOD_PASSWORD
from tests.e2e.conftest import Console, screenshot, start_console
from tests.e2e.test_login import log_in
from tests.support.processes import invite, run_cli, running


def test_invited_sign_up_then_verify_then_log_in(page: Page, console: Console) -> None:
    link, token = invite(console.env)
    page.goto(link)  # the invitation link opens the dialog
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_label("Invitation token")).to_have_value(token)
    dialog.get_by_label("E-mail").fill("newbie@example.com")
    dialog.get_by_label("User name (optional)").fill("newbie")
    password = dialog.get_by_label("Password", exact=True)
    password.fill("newbie1")
    checks = dialog.locator("ul.checks")
    expect(checks.locator("li.bad")).to_have_count(3)  # too short, no special, contains name
    expect(checks).to_contain_text("At least 8 characters")
    expect(checks).to_contain_text("Not your e-mail address or user name")
    password.fill(GOOD_PASSWORD)
    expect(checks.locator("li.bad")).to_have_count(0)
    dialog.get_by_label("Password again").fill(GOOD_PASSWORD)
    screenshot(page, "signup")
    dialog.get_by_role("button", name="Sign up").click()
    expect(dialog.get_by_role("alert")).to_contain_text("agree to the Terms of Service")

    dialog.get_by_role("button", name="Terms of Service").click()
    document = page.get_by_role("dialog", name="Terms of Service")
    expect(document).to_contain_text("By creating an account")
    document.get_by_role("button", name="Close").click()
    dialog.get_by_label("I have read and agree to the").first.check()
    dialog.get_by_label("I have read and agree to the").last.check()
    dialog.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("dialog")).to_contain_text(
        "We sent a verification e-mail to newbie@example.com"
    )
    screenshot(page, "signup-sent")

    link = console.link_to("newbie@example.com", "/verify-email")
    page.goto(link)
    expect(page.get_by_role("heading", name="Verify your e-mail address")).to_be_visible()
    screenshot(page, "verify-email")
    page.get_by_role("button", name="Confirm my e-mail address").click()
    expect(page.get_by_role("status")).to_contain_text("You can log in now")
    page.get_by_role("link", name="Go to log in").click()
    log_in(page, "newbie@example.com")
    expect(page.get_by_role("heading", name="Summary")).to_be_visible()


def test_unverified_account_is_told_and_can_ask_again(page: Page, console: Console) -> None:
    link, _ = invite(console.env)
    page.goto(link)
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("E-mail").fill("slow@example.com")
    dialog.get_by_label("Password", exact=True).fill(GOOD_PASSWORD)
    dialog.get_by_label("Password again").fill(GOOD_PASSWORD)
    for box in dialog.get_by_role("checkbox").all():
        box.check()
    dialog.get_by_role("button", name="Sign up").click()
    page.get_by_role("dialog").get_by_role("button", name="Close").click()
    log_in(page, "slow@example.com")
    expect(page.get_by_role("alert")).to_contain_text("not verified yet")
    page.get_by_role("button", name="Send the verification e-mail again").click()
    expect(page.get_by_role("status")).to_contain_text("a new e-mail is on its way")


def test_forgot_password_by_e_mail(page: Page, console: Console) -> None:
    page.goto(console.url)
    page.get_by_role("button", name="Forgot password? Change it").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("E-mail").fill("alice@example.com")
    dialog.get_by_role("button", name="Send").click()
    expect(dialog.get_by_role("status")).to_contain_text("an e-mail with a link is on its way")
    screenshot(page, "forgot-password")
    link = console.link_to("alice@example.com", "/change-password")
    page.goto(link)
    expect(page.get_by_role("heading", name="Choose a new password")).to_be_visible()
    page.get_by_label("E-mail").fill("alice@example.com")
    page.get_by_label("New password", exact=True).fill("Brand-n3w-secret!")
    page.get_by_label("New password again").fill("Brand-n3w-secret!")
    expect(page.get_by_label("Also replace my API keypair", exact=False)).to_be_checked()
    screenshot(page, "change-password")
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("status")).to_contain_text("Your password was changed")
    expect(page.get_by_role("status")).to_contain_text("Your API keypair was replaced")
    page.goto(link)  # the link is spent
    page.get_by_label("E-mail").fill("alice@example.com")
    page.get_by_label("New password", exact=True).fill("Another-n3w-one!")
    page.get_by_label("New password again").fill("Another-n3w-one!")
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("alert")).to_contain_text("invalid or has expired")
    page.goto(console.url)
    log_in(page, password="Brand-n3w-secret!")
    expect(page.get_by_role("heading", name="Summary")).to_be_visible()


def test_re_consent_after_the_terms_change(page: Page, tmp_path: Path, playwright_browser) -> None:  # type: ignore[no-untyped-def]
    consoles = start_console(
        tmp_path, PORTICO_SIGNUP__MODE="open", PORTICO_SIGNUP__EMAIL_VERIFICATION="false"
    )
    console = next(consoles)
    page.goto(console.url)
    page.get_by_role("button", name="Sign up").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("E-mail").fill("rita@example.com")
    dialog.get_by_label("Password", exact=True).fill(GOOD_PASSWORD)
    dialog.get_by_label("Password again").fill(GOOD_PASSWORD)
    for box in dialog.get_by_role("checkbox").all():
        box.check()
    dialog.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("dialog")).to_contain_text("You can log in now")
    consoles.close()  # stop the server; the operator publishes version 2 of the terms

    env = {**console.env, "PORTICO_CONSENT__TERMS_VERSION": "2"}
    with running(["serve"], env, console.url + "/func/ping", tmp_path / "serve2.log"):
        page.goto(console.url)
        log_in(page, "rita@example.com")
        consent = page.get_by_role("dialog", name="Updated terms")
        expect(consent).to_be_visible()
        screenshot(page, "re-consent")
        consent.get_by_role("button", name="Accept and continue").click()
        expect(consent.get_by_role("alert")).to_contain_text("agree")
        consent.get_by_role(
            "checkbox",
            name="I have read and agree to the updated Terms of Service and Privacy Policy",
        ).check()
        consent.get_by_role("button", name="Accept and continue").click()
        expect(page.get_by_role("heading", name="Summary")).to_be_visible()


def test_an_invitation_by_mail_reaches_the_person_and_opens_sign_up(
    page: Page, console: Console
) -> None:
    printed, token = invite(console.env, "--email", "friend@example.com", "--lang", "ja")
    mailed = console.link_to("friend@example.com", "/?token=")
    assert mailed == printed  # the same one-time link, printed for the operator and mailed
    (message,) = console.mails_to("friend@example.com")
    assert message["Subject"].endswith("への招待")  # in the language asked for
    page.goto(mailed)
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_label("Invitation token")).to_have_value(token)


def test_a_mailed_link_talks_only_to_its_own_server(page: Page, console: Console) -> None:
    """A reset page opened after logging in elsewhere (an endpoint remembered in the browser)
    sends the token and the new password to the server that mailed the link, and nowhere else."""
    page.goto(console.url)
    page.evaluate("localStorage.setItem('portico.endpoint', 'http://127.0.0.1:9')")
    made = run_cli(["user", "reset-link", "--email", "alice@example.com"], console.env)
    assert made.returncode == 0, made.stderr
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    page.goto(made.stdout.strip())
    page.get_by_label("E-mail").fill("alice@example.com")
    page.get_by_label("New password", exact=True).fill("Brand-n3w-secret!")
    page.get_by_label("New password again").fill("Brand-n3w-secret!")
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("status")).to_contain_text("Your password was changed")
    assert asked and all(url.startswith(console.url + "/") for url in asked), asked
