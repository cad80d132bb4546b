import hashlib
import hmac
from datetime import UTC, datetime, timedelta, timezone

import pytest

from portico.wire import signing


def test_signature_follows_backendai_key_derivation() -> None:
    date = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    raw = date.isoformat()
    got = signing.signature(
        method="get",
        path="/auth/role?group=x",
        raw_date=raw,
        date=date,
        host="h:8081",
        content_type="Application/JSON",
        api_version="v9.20250722",
        secret_key="s3cret",
    )
    to_sign = (
        "GET\n/auth/role?group=x\n" + raw + "\nhost:h:8081\ncontent-type:application/json\n"
        "x-backendai-version:v9.20250722\n" + hashlib.sha256(b"").hexdigest()
    )
    assert got == _backendai_signature("s3cret", "20260102", "h:8081", to_sign)


def _backendai_signature(secret: str, day: str, host: str, to_sign: str) -> str:
    """Written out independently of the module: date key, then host key, then the string."""
    k = hmac.new(secret.encode(), day.encode(), hashlib.sha256).digest()
    k = hmac.new(k, host.encode(), hashlib.sha256).digest()
    return hmac.new(k, to_sign.encode(), hashlib.sha256).hexdigest()


def test_each_day_signs_with_its_own_key_though_keys_are_remembered() -> None:
    """Before and after midnight, twice each: the remembered key is always that day's."""
    for date in [
        datetime(2026, 3, 1, 23, 59, 59, tzinfo=UTC),
        datetime(2026, 3, 2, tzinfo=UTC),
    ] * 2:
        raw = date.isoformat()
        got = signing.signature(
            method="GET",
            path="/",
            raw_date=raw,
            date=date,
            host="h",
            content_type="text/plain",
            api_version="v9.20250722",
            secret_key="k",
        )
        to_sign = (
            f"GET\n/\n{raw}\nhost:h\ncontent-type:text/plain\n"
            f"x-backendai-version:v9.20250722\n{hashlib.sha256(b'').hexdigest()}"
        )
        assert got == _backendai_signature("k", date.strftime("%Y%m%d"), "h", to_sign)


def test_date_key_uses_the_request_dates_own_day() -> None:
    # 23:30 at UTC-5 is the next day in UTC; the client derives the key from its own date.
    date = datetime(2026, 1, 1, 23, 30, tzinfo=timezone(timedelta(hours=-5)))
    kwargs = dict(
        method="GET",
        path="/",
        raw_date=date.isoformat(),
        host="h",
        content_type="text/plain",
        api_version="v9.20250722",
        secret_key="k",
    )
    assert signing.signature(date=date, **kwargs) != signing.signature(
        date=date.astimezone(UTC), **kwargs
    )


def test_parse_authorization() -> None:
    cred = signing.parse_authorization(
        "BackendAI signMethod=HMAC-SHA256, credential=AKIAXXXXXXXXXXXXXXXX:ABCdef0123"
    )
    assert cred == signing.Credential("sha256", "AKIAXXXXXXXXXXXXXXXX", "abcdef0123")
    assert (
        signing.parse_authorization("Sorna signMethod=HMAC-SHA256, credential=A:00").access_key
        == "A"
    )


@pytest.mark.parametrize(
    "value",
    [
        "",
        "Bearer x",
        "BackendAI signMethod=HMAC-MD5, credential=A:00",
        "BackendAI signMethod=HMAC-SHA256, credential=A",
        "BackendAI credential=A:00",
    ],
)
def test_malformed_authorization_is_refused(value: str) -> None:
    with pytest.raises(ValueError):
        signing.parse_authorization(value)


def test_parse_date_accepts_python_and_javascript_forms() -> None:
    assert signing.parse_date("2026-01-02T03:04:05.123Z") == datetime(
        2026, 1, 2, 3, 4, 5, 123000, UTC
    )
    assert signing.parse_date("2026-01-02T03:04:05+00:00").tzinfo is not None
    assert signing.parse_date("2026-01-02T03:04:05").tzinfo == UTC
    with pytest.raises(ValueError):
        signing.parse_date("yesterday")
