"""The in-memory cache of verified API keys: expiry, forgetting, and no stale refill."""

from __future__ import annotations

import uuid

from portico.manager.services.credential_cache import Credential, CredentialCache

ALICE = uuid.uuid4()
BOB = uuid.uuid4()


def credential(user_id: uuid.UUID, secret: str = "s3cret") -> Credential:
    return Credential(secret, user_id, f"{user_id}@example.com", "user", "default")


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_an_entry_lives_for_the_ttl_only() -> None:
    clock = Clock()
    cache = CredentialCache(10, clock=clock)
    cache.put("AKIA1", credential(ALICE), cache.generation)
    clock.now += 9.9
    assert cache.get("AKIA1") == credential(ALICE)
    clock.now += 0.1
    assert cache.get("AKIA1") is None


async def test_forget_drops_every_key_of_that_account_and_no_other() -> None:
    cache = CredentialCache(10)
    for key, user in (("AKIA1", ALICE), ("AKIA2", ALICE), ("AKIA3", BOB)):
        cache.put(key, credential(user), cache.generation)
    await cache.forget(ALICE)
    assert cache.get("AKIA1") is None and cache.get("AKIA2") is None
    assert cache.get("AKIA3") == credential(BOB)


async def test_a_lookup_that_began_before_a_change_does_not_store_what_it_read() -> None:
    cache = CredentialCache(10)
    began = cache.generation  # a lookup reads the database ...
    await cache.forget(ALICE)  # ... while the key is revoked
    cache.put("AKIA1", credential(ALICE), began)
    assert cache.get("AKIA1") is None


def test_zero_ttl_keeps_nothing_and_the_size_is_bounded() -> None:
    assert CredentialCache(0).get("AKIA1") is None
    off = CredentialCache(0)
    off.put("AKIA1", credential(ALICE), off.generation)
    assert off.get("AKIA1") is None
    small = CredentialCache(10, max_entries=2)
    for i in range(3):
        small.put(f"AKIA{i}", credential(ALICE), small.generation)
    assert small.get("AKIA0") is None  # the oldest went
    assert small.get("AKIA1") is not None and small.get("AKIA2") is not None
