import hashlib
import hmac
from datetime import UTC, datetime, timedelta, timezone

import pytest

from portico.wire import signing

VERSION = "v9.20250722"


def test_signature_follows_backendai_key_derivation() -> None:
    date = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    got = _portico_signature(
        date, "get", "/auth/role?group=x", "h:8081", "Application/JSON", "s3cret"
    )
    # The method is signed upper-case and the media type lower-case, as Backend.AI does.
    expected = _backendai_signature(
        date, "GET", "/auth/role?group=x", "h:8081", "application/json", "s3cret"
    )
    assert got == expected


def test_each_day_signs_with_its_own_key_though_keys_are_remembered() -> None:
    """Before and after midnight, twice each: the remembered key is always that day's."""
    for date in [
        datetime(2026, 3, 1, 23, 59, 59, tzinfo=UTC),
        datetime(2026, 3, 2, tzinfo=UTC),
    ] * 2:
        got = _portico_signature(date, "GET", "/", "h", "text/plain", "k")
        assert got == _backendai_signature(date, "GET", "/", "h", "text/plain", "k")


def _portico_signature(
    date: datetime, method: str, path: str, host: str, content_type: str, secret: str
) -> str:
    return signing.signature(
        method=method,
        path=path,
        raw_date=date.isoformat(),
        date=date,
        host=host,
        content_type=content_type,
        api_version=VERSION,
        secret_key=secret,
    )


def _backendai_signature(
    date: datetime, method: str, path: str, host: str, content_type: str, secret: str
) -> str:
    """Written out independently of the module: the string to sign (empty body), then the
    date key, the host key and the string's HMAC."""
    to_sign = (
        f"{method}\n{path}\n{date.isoformat()}\nhost:{host}\ncontent-type:{content_type}\n"
        f"x-backendai-version:{VERSION}\n{hashlib.sha256(b'').hexdigest()}"
    )
    k = hmac.new(secret.encode(), date.strftime("%Y%m%d").encode(), hashlib.sha256).digest()
    k = hmac.new(k, host.encode(), hashlib.sha256).digest()
    return hmac.new(k, to_sign.encode(), hashlib.sha256).hexdigest()


def test_date_key_uses_the_request_dates_own_day() -> None:
    # 23:30 at UTC-5 is the next day in UTC; the client derives the key from its own date.
    date = datetime(2026, 1, 1, 23, 30, tzinfo=timezone(timedelta(hours=-5)))
    kwargs = dict(
        method="GET",
        path="/",
        raw_date=date.isoformat(),
        host="h",
        content_type="text/plain",
        api_version=VERSION,
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
