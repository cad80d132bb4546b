"""Two-factor log-in in Chromium: set up from the profile, log in with the app's code and with a
recovery code (once only), and the enrolment a log-in leads to when the service requires it."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pyotp
import pytest
from playwright.sync_api import Page, expect

from tests.conftest import GOOD_PASSWORD
from tests.e2e.conftest import Console, confirm_it_is_me, screenshot, start_console
from tests.e2e.test_login import log_in


def code(secret: str, steps_ahead: int = 0) -> str:
    return pyotp.TOTP(secret).at(time.time() + 30 * steps_ahead)


def log_out(page: Page) -> None:
    page.get_by_role("button", name="Account menu").click()
    page.get_by_role("menuitem", name="Log out").click()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()


def set_up_app(page: Page) -> tuple[str, list[str]]:
    """In the open enrolment dialog: read the key as a person would, confirm, keep the codes."""
    setup = page.get_by_role("dialog", name="Set up two-factor log-in")
    expect(setup.get_by_role("img", name="QR code holding the key")).to_be_visible()
    screenshot(page, "two-factor-setup")
    secret = setup.locator("code.secret").inner_text().replace(" ", "")
    setup.get_by_label("6-digit code").fill("000000")
    setup.get_by_role("button", name="Confirm").click()
    expect(setup.get_by_role("alert")).to_contain_text("That code is not right")
    setup.get_by_label("6-digit code").fill(code(secret))
    setup.get_by_role("button", name="Confirm").click()
    codes_dialog = page.get_by_role("dialog", name="Your recovery codes")
    expect(codes_dialog.get_by_role("listitem")).to_have_count(10)
    screenshot(page, "two-factor-recovery-codes")
    codes = [c.strip() for c in codes_dialog.get_by_role("listitem").all_inner_texts()]
    codes_dialog.get_by_role("button", name="I have saved them").click()
    return secret, codes


def enter_code(page: Page, value: str, *, recovery: bool = False) -> None:
    dialog = page.get_by_role("dialog", name="Enter your code")
    if recovery:
        dialog.get_by_role("button", name="Use a recovery code instead").click()
        dialog.get_by_label("Recovery code").fill(value)
    else:
        dialog.get_by_label("6-digit code").fill(value)
    dialog.get_by_role("button", name="Log in").click()


def test_set_up_from_the_profile_then_log_in_with_a_code_and_a_recovery_code(
    page: Page, console: Console
) -> None:
    page.goto(console.url + "/profile")
    log_in(page)
    panel = page.get_by_role("region", name="Two-factor log-in")
    expect(panel).to_contain_text("Off")
    panel.get_by_role("button", name="Turn on").click()
    confirm_it_is_me(page)
    secret, codes = set_up_app(page)
    expect(panel).to_contain_text("On · 10 recovery codes left")
    log_out(page)

    log_in(page)
    expect(page.get_by_role("dialog", name="Enter your code")).to_be_visible()
    screenshot(page, "two-factor-code")
    enter_code(page, code(secret, 1))  # the enrolment used this step's code
    expect(page.get_by_role("heading", name="Summary")).to_be_visible()
    log_out(page)

    log_in(page)
    enter_code(page, codes[0], recovery=True)
    expect(page.get_by_role("heading", name="Summary")).to_be_visible()
    log_out(page)

    log_in(page)
    enter_code(page, codes[0], recovery=True)
    dialog = page.get_by_role("dialog", name="Enter your code")
    expect(dialog.get_by_role("alert")).to_have_text("That code is not right.")
    expect(page.get_by_role("heading", name="Summary")).to_have_count(0)
    # The owner was told by mail of the enrolment and of the recovery code's use.
    subjects = [m["Subject"] for m in console.mails_to("alice@example.com")]
    assert any("Two-factor log-in is on" in s for s in subjects), subjects
    assert any("recovery code was used" in s for s in subjects), subjects


def test_new_recovery_codes_from_the_profile_replace_the_old_ones(
    page: Page, console: Console
) -> None:
    page.goto(console.url + "/profile")
    log_in(page)
    panel = page.get_by_role("region", name="Two-factor log-in")
    panel.get_by_role("button", name="Turn on").click()
    confirm_it_is_me(page)
    _, old = set_up_app(page)
    panel.get_by_role("button", name="New recovery codes").click()
    dialog = page.get_by_role("dialog", name="Make new recovery codes")
    dialog.get_by_label("Password", exact=True).fill(GOOD_PASSWORD)
    dialog.get_by_label("6-digit code").fill("000000")
    dialog.get_by_role("button", name="New recovery codes").click()
    expect(dialog.get_by_role("alert")).to_be_visible()
    # A recovery code proves the factor too; it goes with the old set.
    dialog.get_by_label("6-digit code").fill(old[0])
    dialog.get_by_role("button", name="New recovery codes").click()
    codes_dialog = page.get_by_role("dialog", name="Your recovery codes")
    expect(codes_dialog.get_by_role("listitem")).to_have_count(10)
    new = [c.strip() for c in codes_dialog.get_by_role("listitem").all_inner_texts()]
    assert not set(new) & set(old)
    codes_dialog.get_by_role("button", name="I have saved them").click()
    expect(page.get_by_text("New recovery codes made")).to_be_visible()
    expect(panel).to_contain_text("On · 10 recovery codes left")
    log_out(page)

    log_in(page)
    enter_code(page, old[1], recovery=True)
    expect(page.get_by_role("dialog", name="Enter your code").get_by_role("alert")).to_have_text(
        "That code is not right."
    )
    dialog = page.get_by_role("dialog", name="Enter your code")
    dialog.get_by_label("Recovery code").fill(new[0])
    dialog.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Summary")).to_be_visible()
    subjects = [m["Subject"] for m in console.mails_to("alice@example.com")]
    assert any("New recovery codes" in s for s in subjects), subjects


@pytest.fixture
def required_console(tmp_path: Path) -> Iterator[Console]:
    yield from start_console(tmp_path, PORTICO_AUTH__TWO_FACTOR="required")


def test_when_required_a_fresh_account_is_led_to_enrolment_before_anything(
    page: Page, required_console: Console
) -> None:
    page.goto(required_console.url)
    log_in(page)
    expect(page.get_by_role("dialog", name="Set up two-factor log-in")).to_be_visible()
    # No session yet: the console itself is out of reach.
    assert page.context.cookies() == [] or all(
        c["name"] != "AIOHTTP_SESSION" for c in page.context.cookies()
    )
    secret, _ = set_up_app(page)
    enter_code(page, code(secret, 1))
    expect(page.get_by_role("heading", name="Summary")).to_be_visible()
    page.goto(required_console.url + "/profile")
    panel = page.get_by_role("region", name="Two-factor log-in")
    expect(panel).to_contain_text("On · 10 recovery codes left")
    expect(panel.get_by_role("button", name="Turn off")).to_have_count(0)


@pytest.fixture
def passkey_console(tmp_path: Path) -> Iterator[Console]:
    # A relying party must be a name: the browser reaches the console as localhost.
    yield from start_console(tmp_path, host="localhost")


class Authenticator:
    """Chromium's own authenticator, as a phone or a laptop's fingerprint reader would be: it
    keeps discoverable credentials and verifies its user."""

    def __init__(self, page: Page) -> None:
        self.cdp = page.context.new_cdp_session(page)
        self.cdp.send("WebAuthn.enable")
        self.id = self.cdp.send(
            "WebAuthn.addVirtualAuthenticator",
            {
                "options": {
                    "protocol": "ctap2",
                    "transport": "internal",
                    "hasResidentKey": True,
                    "hasUserVerification": True,
                    "isUserVerified": True,
                    "automaticPresenceSimulation": True,
                }
            },
        )["authenticatorId"]

    def touched(self, yes: bool) -> None:
        """Whether the person answers the authenticator's prompts at once."""
        self.cdp.send(
            "WebAuthn.setAutomaticPresenceSimulation",
            {"authenticatorId": self.id, "enabled": yes},
        )


def test_a_passkey_made_in_the_profile_logs_in_without_a_password(
    page: Page, passkey_console: Console
) -> None:
    authenticator = Authenticator(page)
    page.goto(passkey_console.url + "/profile")
    expect(page.get_by_label("E-mail or user name")).to_have_attribute(
        "autocomplete", "username webauthn"
    )
    log_in(page)
    passkeys = page.get_by_role("region", name="Passkeys")
    expect(passkeys).to_contain_text("No passkeys yet.")
    passkeys.get_by_label("Name of the new passkey").fill("Laptop")
    passkeys.get_by_role("button", name="Add a passkey").click()
    confirm_it_is_me(page)
    expect(page.get_by_role("status")).to_have_text("Passkey added.")
    expect(passkeys.get_by_role("listitem")).to_have_count(1)
    expect(passkeys).to_contain_text("Laptop")
    screenshot(page, "passkeys")
    log_out(page)
    # The log-in page offers the passkey among the ID field's suggestions (conditional UI); the
    # authenticator answers at once, and no password is typed.
    expect(page.get_by_role("heading", name="Summary")).to_be_visible()
    assert page.get_by_label("Password", exact=True).count() == 0

    # The button: the suggestion's request is left waiting (nobody touches the authenticator
    # for it), then the person clicks and touches.
    authenticator.touched(False)
    with page.expect_response("**/portico/passkeys/login-options"):
        log_out(page)
    page.wait_for_timeout(500)  # the suggestion's request is now pending
    authenticator.touched(True)
    page.get_by_role("button", name="Log in with a passkey").click()
    expect(page.get_by_role("heading", name="Summary")).to_be_visible()
    subjects = [m["Subject"] for m in passkey_console.mails_to("alice@example.com")]
    assert any("passkey was added" in s for s in subjects), subjects

    # Removed, it logs in no more.
    page.goto(passkey_console.url + "/profile")
    passkeys = page.get_by_role("region", name="Passkeys")
    passkeys.get_by_role("button", name="Remove: Laptop").click()
    page.get_by_role("dialog").get_by_role("button", name="Remove").click()
    confirm_it_is_me(page)  # a new session since the passkey was added: the password again
    expect(passkeys).to_contain_text("No passkeys yet.")
    log_out(page)  # the suggestion is answered with the removed passkey
    expect(page.get_by_role("alert")).to_have_text("That passkey did not log you in.")
