"""The Summary page in a browser: its panels, and revoking another session of one's own."""

from __future__ import annotations

import httpx
import psutil
from playwright.sync_api import Page, expect

from tests.conftest import GOOD_PASSWORD
from tests.e2e.conftest import Console, screenshot
from tests.e2e.test_login import log_in
from tests.support.processes import run_cli


def test_panels_and_revoking_another_session(page: Page, console: Console) -> None:
    run_cli(
        [
            "policy",
            "create",
            "--name",
            "small",
            "--cpu",
            "4",
            "--mem",
            "16g",
            "--max-sessions",
            "2",
        ],
        console.env,
    )
    run_cli(
        ["keypair", "set-policy", "--email", "alice@example.com", "--policy", "small"], console.env
    )
    # Another session of the same user, e.g. a laptop left logged in.
    laptop = httpx.post(
        console.url + "/server/login",
        json={"username": "alice", "password": GOOD_PASSWORD},
        headers={"User-Agent": "Laptop-Browser/1.0"},
    )
    laptop_cookie = {"AIOHTTP_SESSION": laptop.cookies["AIOHTTP_SESSION"]}
    assert httpx.get(console.url + "/func/auth/role", cookies=laptop_cookie).status_code == 200

    page.goto(console.url)
    log_in(page)
    resources = page.get_by_role("region", name="Resource statistics")
    expect(resources).to_contain_text("0 / 4 cores")
    expect(resources).to_contain_text("16.0 GiB")
    expect(resources).to_contain_text(f"/ {psutil.cpu_count(logical=True)} cores")  # this node
    expect(resources.get_by_label("Resource group")).to_have_value("default")
    expect(page.get_by_role("region", name="System resources")).to_contain_text(
        "My active sessions"
    )
    security = page.get_by_role("region", name="My account security")
    expect(security).to_contain_text("this session")
    expect(security.get_by_role("list")).to_contain_text("Laptop-Browser/1.0")
    screenshot(page, "summary-panels")

    security.get_by_role("button", name="Revoke").click()
    expect(page.get_by_role("status").filter(has_text="revoked")).to_have_text(
        "The session was revoked."
    )
    expect(security.get_by_role("list")).not_to_contain_text("Laptop-Browser/1.0")
    # The laptop's next request is refused.
    assert httpx.get(console.url + "/func/auth/role", cookies=laptop_cookie).status_code == 401
    # This browser's session goes on.
    page.reload()
    expect(page.get_by_role("region", name="My account security")).to_contain_text("this session")
