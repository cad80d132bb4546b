"""A password change of any kind ends every authenticator set-up begun with the old password,
and a reset offers (and by default does) the removal of the account's passkeys."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sqlalchemy import select

from portico.db.models import Passkey, TokenPurpose, TotpFactor
from portico.manager.container import ManagerServices
from portico.manager.errors import InvalidToken
from tests.conftest import GOOD_PASSWORD, Account, signed, step_up
from tests.support.smtp import SmtpServer, text_of

LOGIN = {"username": "alice@example.com", "password": GOOD_PASSWORD}
NEW_PASSWORD = "Brand-n3w-secret!"


@pytest.fixture
def two_factor_mode() -> str:
    return "optional"


@pytest.fixture
def manager_overrides(smtp: SmtpServer, two_factor_mode: str) -> dict[str, dict[str, Any]]:
    return {
        "auth": {"two_factor": two_factor_mode},
        "service": {"public_url": "https://console.example.org"},
        "recovery": {"enabled": True},
        "email": smtp.email_settings(),
    }


@pytest.fixture
async def alice(make_account, manager: httpx.AsyncClient) -> Account:  # type: ignore[no-untyped-def]
    """Alice, who just gave her password again (adding an authenticator needs a step-up)."""
    account: Account = await make_account()
    await step_up(manager, account)
    return account


async def reset_token(services: ManagerServices, email: str) -> str:
    link = await services.recovery.operator_link(email)
    return parse_qs(urlsplit(link).query)["token"][0]


async def add_passkey(services: ManagerServices, account: Account, name: str) -> None:
    user = await services.accounts.user_by_email(account.email)
    assert user is not None
    async with services.database.begin() as db:
        db.add(
            Passkey(
                user_id=user.uuid,
                credential_id=f"credential-{name}",
                public_key=b"\x01" * 32,
                sign_count=0,
                name=name,
            )
        )


@pytest.mark.parametrize("two_factor_mode", ["required"])
async def test_a_set_up_token_got_with_the_old_password_dies_with_a_reset(
    console: httpx.AsyncClient, services: ManagerServices, alice: Account
) -> None:
    step = await console.post("/server/login", json=LOGIN)
    token = step.json()["data"]["two_factor_registration_token"]
    begun = await console.post("/func/portico/two-factor/setup/totp", json={"token": token})
    assert begun.status_code == 200
    changed = await console.post(
        "/func/cloud/change-password",
        json={
            "email": alice.email,
            "password": NEW_PASSWORD,
            "token": await reset_token(services, alice.email),
        },
    )
    assert changed.status_code == 200, changed.text
    again = await console.post("/func/portico/two-factor/setup/totp", json={"token": token})
    assert again.status_code == 400
    async with services.database() as db:  # the secret shown before the reset is gone too
        assert (await db.scalars(select(TotpFactor))).all() == []


@pytest.mark.parametrize("two_factor_mode", ["required"])
async def test_an_operators_new_password_ends_the_set_up_too(
    console: httpx.AsyncClient, services: ManagerServices, alice: Account
) -> None:
    token = (await console.post("/server/login", json=LOGIN)).json()["data"][
        "two_factor_registration_token"
    ]
    await services.passwords.set_by_operator(alice.email, NEW_PASSWORD)
    refused = await console.post("/func/portico/two-factor/setup/totp", json={"token": token})
    assert refused.status_code == 400


async def test_a_passkey_registration_begun_before_a_reset_cannot_finish(
    manager: httpx.AsyncClient, services: ManagerServices, alice: Account
) -> None:
    options = await signed(manager, "POST", "/portico/passkeys/register-options", alice)
    assert options.status_code == 200, options.text
    challenge = options.json()["challenge"]
    await services.tokens.check(TokenPurpose.PASSKEY_REGISTER, challenge)  # live
    await services.recovery.change_password(
        alice.email, NEW_PASSWORD, await reset_token(services, alice.email)
    )
    with pytest.raises(InvalidToken):
        await services.tokens.check(TokenPurpose.PASSKEY_REGISTER, challenge)


async def test_the_reset_page_lists_the_passkeys_and_removes_them_by_default(
    console: httpx.AsyncClient,
    services: ManagerServices,
    alice: Account,
    smtp: SmtpServer,
    sender: None,
) -> None:
    await add_passkey(services, alice, "Laptop")
    await add_passkey(services, alice, "Phone")
    token = await reset_token(services, alice.email)
    listed = await console.post("/func/cloud/change-password/passkeys", json={"token": token})
    assert listed.status_code == 200
    assert listed.json() == {"passkeys": ["Laptop", "Phone"]}
    wrong = await console.post("/func/cloud/change-password/passkeys", json={"token": "nope"})
    assert wrong.status_code == 400
    changed = await console.post(
        "/func/cloud/change-password",
        json={"email": alice.email, "password": NEW_PASSWORD, "token": token},
    )
    assert changed.status_code == 200
    assert changed.json()["passkeys_removed"] == 2
    assert (
        await services.passkeys.owned_by((await services.accounts.user_by_email(alice.email)).uuid)
        == []
    )  # type: ignore[union-attr]
    mail = (await smtp.mailbox.wait_for(alice.email))[-1]
    assert "password was changed" in mail["Subject"]
    assert "These passkeys were removed as well: Laptop, Phone." in text_of(mail)


async def test_the_owner_may_keep_the_passkeys(
    console: httpx.AsyncClient,
    services: ManagerServices,
    alice: Account,
    smtp: SmtpServer,
    sender: None,
) -> None:
    await add_passkey(services, alice, "Laptop")
    changed = await console.post(
        "/func/cloud/change-password",
        json={
            "email": alice.email,
            "password": NEW_PASSWORD,
            "token": await reset_token(services, alice.email),
            "remove_passkeys": False,
        },
    )
    assert changed.json()["passkeys_removed"] == 0
    user = await services.accounts.user_by_email(alice.email)
    assert user is not None and len(await services.passkeys.owned_by(user.uuid)) == 1
    mail = (await smtp.mailbox.wait_for(alice.email))[-1]
    assert "passkeys were removed" not in text_of(mail)
