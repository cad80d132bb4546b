import pytest

from portico.manager.credentials.password_policy import PasswordPolicy, normalize_password
from portico.manager.errors import WeakPassword


def codes(policy: PasswordPolicy, password: str, **kw: str) -> set[str]:
    return {v.code for v in policy.violations(password, **kw)}


def test_the_seed_rule() -> None:
    policy = PasswordPolicy("backendai")
    assert codes(policy, "Zebra-42-quilt") == set()
    assert codes(policy, "Ab1!") == {"too_short"}
    assert codes(policy, "zebraquiltpass!") == {"no_digit"}
    assert codes(policy, "293847561029!") == {"no_letter"}
    assert codes(policy, "Zebra42quilt") == {"no_special"}


def test_every_reason_is_listed_at_once() -> None:
    with pytest.raises(WeakPassword) as info:
        PasswordPolicy("backendai").check("qzx")
    assert {v.code for v in info.value.violations} == {
        "too_short",
        "no_digit",
        "no_special",
    }
    assert all(v.message for v in info.value.violations)


def test_nist_mode_drops_composition_but_keeps_the_rest() -> None:
    policy = PasswordPolicy("nist")
    assert codes(policy, "correct horse battery staple") == set()
    assert codes(policy, "zebraquilt") == set()
    assert codes(policy, "short") == {"too_short"}
    assert codes(policy, "password1") == {"common"}


def test_common_passwords_are_refused_in_any_case() -> None:
    assert "common" in codes(PasswordPolicy("nist"), "PassWord123")
    assert "common" in codes(PasswordPolicy("backendai"), "P@ssw0rd")


def test_the_email_and_user_name_are_refused() -> None:
    policy = PasswordPolicy("backendai")
    assert "contains_identity" in codes(
        policy, "Alice.Liddell#1", email="alice.liddell@example.com"
    )
    assert "contains_identity" in codes(policy, "xx-Rabbit99!", username="rabbit99")
    assert "contains_identity" not in codes(policy, "Zebra-42-quilt", email="al@example.com")


def test_length_limit_and_unicode() -> None:
    policy = PasswordPolicy("backendai")
    assert "too_long" in codes(policy, "Aa1!" * 65)
    assert codes(policy, "Aa1!" * 64) == set()  # exactly 256
    assert codes(policy, "비밀번호-안전해7") == set()
    # NFKC: a full-width digit is a digit, a ligature is letters.
    assert normalize_password("ﬁ１") == "fi1"
