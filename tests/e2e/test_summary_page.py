"""The Summary page in a browser: its panels, and revoking another session of one's own."""

from __future__ import annotations

import httpx
import psutil
from playwright.sync_api import Page, expect

from tests.conftest import GOOD_PASSWORD
from tests.e2e.conftest import Console, screenshot
from tests.e2e.test_login import log_in
from tests.support.processes import create_account, run_cli


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
    cpu = resources.get_by_role("meter", name="CPU").first
    expect(cpu).to_have_attribute("aria-valuetext", "0 of 4 cores")
    expect(cpu).to_contain_text("0%")
    expect(resources.get_by_role("meter", name="Memory").first).to_contain_text("0 MiB of 16.0 GiB")
    expect(resources.get_by_role("meter", name="Sessions")).to_contain_text("0 of 2 sessions")
    # The node this console runs on reports to the default group.
    node_cores = f"of {psutil.cpu_count(logical=True)} cores"
    expect(resources.get_by_role("meter", name="CPU").last).to_contain_text(node_cores)
    expect(resources.get_by_label("Resource group")).to_have_value("default")
    # The cluster's state is for admins; a user's own sessions are in the gauges above.
    expect(page.get_by_role("region", name="System resources")).to_have_count(0)
    expect(page.get_by_role("main")).not_to_contain_text("null")
    security = page.get_by_role("region", name="My account security")
    expect(security).to_contain_text("this session")
    sessions = security.get_by_role("list")
    expect(sessions).to_contain_text("Laptop-Browser/1.0")
    expect(sessions).to_contain_text("HeadlessChrome")  # this browser, named, not cut mid-word
    expect(sessions).not_to_contain_text("Mozilla/5.0")
    screenshot(page, "summary-panels")

    # Revoking asks first; Cancel keeps the session.
    security.get_by_role("button", name="Revoke").click()
    confirm = page.get_by_role("dialog", name="Revoke this session?")
    expect(confirm).to_contain_text("Laptop-Browser/1.0 from")
    confirm.get_by_role("button", name="Cancel").click()
    expect(sessions).to_contain_text("Laptop-Browser/1.0")
    assert httpx.get(console.url + "/func/auth/role", cookies=laptop_cookie).status_code == 200
    security.get_by_role("button", name="Revoke").click()
    page.get_by_role("dialog").get_by_role("button", name="Revoke").click()
    expect(page.get_by_role("status").filter(has_text="revoked")).to_have_text(
        "The session was revoked."
    )
    expect(security.get_by_role("list")).not_to_contain_text("Laptop-Browser/1.0")
    # The laptop's next request is refused.
    assert httpx.get(console.url + "/func/auth/role", cookies=laptop_cookie).status_code == 401
    # This browser's session goes on.
    page.reload()
    expect(page.get_by_role("region", name="My account security")).to_contain_text("this session")


def test_an_admin_sees_the_cluster_with_each_figure_once(page: Page, console: Console) -> None:
    create_account(console.env, "root@example.com", "root", role="superadmin")
    page.goto(console.url)
    log_in(page, "root@example.com")
    system = page.get_by_role("region", name="System resources")
    expect(system).to_contain_text("Connected nodes1")
    expect(system).to_contain_text("Active sessions0")
    cpu = system.get_by_role("meter", name="CPU utilisation")
    expect(cpu).to_contain_text("across 1 node(s)")
    percentages = cpu.inner_text().count("%")
    assert percentages == 1, cpu.inner_text()
    expect(system.get_by_role("meter", name="Memory in use")).to_contain_text(" of ")
    # Each resource reads with its unit where it belongs, in every language.
    page.get_by_role("button", name="Account menu").click()
    page.get_by_role("menuitemradio", name="日本語").click()
    resources = page.get_by_role("region", name="リソース統計")
    expect(resources.get_by_role("meter", name="CPU").first).to_contain_text("0 コア（上限なし）")  # noqa: RUF001 (Japanese brackets)
