"""Browser tests: a real `portico serve` process and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import email
import email.policy
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.processes import create_account, running
from tests.support.services import free_port, unavailable
from tests.support.smtp import SmtpServer

CHROMIUM = "/usr/bin/chromium"
# As this machine's notes prescribe: no sandbox as root, and nothing that phones home.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@dataclass
class Console:
    url: str
    env: dict[str, str]
    mail_dir: Path

    def mails_to(self, address: str) -> list[email.message.EmailMessage]:
        found = []
        for path in sorted(self.mail_dir.glob("*.eml")):
            message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            if address in message["To"]:
                found.append(message)
        return found

    def link_to(self, address: str, path: str) -> str:
        import time

        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            for message in reversed(self.mails_to(address)):
                text = message.get_body(preferencelist=("plain",)).get_content()
                match = re.search(rf"https?://\S+{re.escape(path)}\S*", text)
                if match:
                    return match.group(0)
            time.sleep(0.1)
        raise AssertionError(f"no {path} link mailed to {address}")


# Per module: Playwright's sync API keeps an event loop running while it lives, which the
# asyncio tests of the other suites must not find.
@pytest.fixture(scope="module")
def playwright_browser():  # type: ignore[no-untyped-def]
    if not Path(CHROMIUM).exists():
        unavailable(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def start_console(
    tmp_path: Path, *, host: str = "127.0.0.1", **extra_env: str
) -> Iterator[Console]:
    """`host`: the name the browser uses (passkeys need a name, such as localhost)."""
    port = free_port()
    url = f"http://{host}:{port}"
    mail_dir = tmp_path / "mail"
    env = {
        "PORTICO_GENERAL__DATA_DIR": str(tmp_path / "data"),
        "PORTICO_AUTH__BCRYPT_ROUNDS": "4",
        "PORTICO_SERVICE__PORT": str(port),
        "PORTICO_SERVICE__PUBLIC_URL": url,
        "PORTICO_MANAGER__PORT": str(free_port()),
        "PORTICO_SIGNUP__MODE": "invite",
        "PORTICO_RECOVERY__ENABLED": "true",
        "PORTICO_EMAIL__BACKEND": "file",
        "PORTICO_EMAIL__FILE_DIR": str(mail_dir),
        **extra_env,
    }
    create_account(env)
    with running(["serve"], env, url + "/func/ping", tmp_path / "serve.log"):
        yield Console(url, env, mail_dir)


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    """A real SMTP server on loopback; `smtp_env(smtp)` points a console at it."""
    with SmtpServer() as server:
        yield server


def smtp_env(smtp: SmtpServer) -> dict[str, str]:
    return {
        "PORTICO_EMAIL__BACKEND": "smtp",
        "PORTICO_EMAIL__SMTP_HOST": "127.0.0.1",
        "PORTICO_EMAIL__SMTP_PORT": str(smtp.port),
        "PORTICO_EMAIL__SMTP_SECURITY": "none",
    }


def wait_for_mail(smtp: SmtpServer, address: str, count: int = 1) -> list:  # type: ignore[type-arg]
    deadline = time.monotonic() + 15
    while len(smtp.mailbox.to(address)) < count:
        assert time.monotonic() < deadline, f"no mail #{count} for {address}"
        time.sleep(0.1)
    return smtp.mailbox.to(address)


@pytest.fixture
def console(tmp_path: Path) -> Iterator[Console]:
    yield from start_console(tmp_path)


@pytest.fixture
def page(playwright_browser, request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    locale = getattr(request, "param", "en-US")
    context = playwright_browser.new_context(locale=locale, viewport={"width": 1280, "height": 800})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert not errors, errors  # no script error on any screen


def confirm_it_is_me(page, password: str = "Corr3ct-h0rse!", *, wrong_first: bool = False) -> None:  # type: ignore[no-untyped-def]
    """Answer the step-up dialog that an action adding an authenticator opens."""
    from playwright.sync_api import expect

    dialog = page.get_by_role("dialog", name="Confirm it is you")
    expect(dialog).to_be_visible()
    if wrong_first:
        dialog.get_by_label("Password", exact=True).fill("Wr0ng-pass!")
        dialog.get_by_role("button", name="Confirm").click()
        expect(dialog.get_by_role("alert")).to_contain_text("That is not right")
        screenshot(page, "step-up")
    dialog.get_by_label("Password", exact=True).fill(password)
    dialog.get_by_role("button", name="Confirm").click()
    expect(dialog).to_be_hidden()


def screenshot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))
