"""Properties that must hold for every input (Hypothesis): the password policy, the HMAC
request signature and its parsers, and the encoded log-in body."""

from __future__ import annotations

import base64
import contextlib
import unicodedata
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from portico.manager.credentials.password_policy import MAX_LENGTH, PasswordPolicy
from portico.wire import encoded_body, signing

policies = st.sampled_from([PasswordPolicy("backendai"), PasswordPolicy("nist")])
printable = st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1)


# -- the password policy ------------------------------------------------------------------------


@given(policy=policies, password=st.text(max_size=400), name=st.text(max_size=40))
def test_the_policy_answers_every_password_with_reasons(
    policy: PasswordPolicy, password: str, name: str
) -> None:
    found = policy.violations(password, email=f"{name}@example.com", username=name)
    assert all(v.code and v.message for v in found)
    codes = [v.code for v in found]
    assert len(codes) == len(set(codes))  # each reason once


@given(policy=policies, password=st.text(max_size=80))
def test_nfkc_equivalent_passwords_get_the_same_verdict(
    policy: PasswordPolicy, password: str
) -> None:
    composed = unicodedata.normalize("NFKC", password)
    assert [v.code for v in policy.violations(password)] == [
        v.code for v in policy.violations(composed)
    ]


@given(policy=policies, extra=st.integers(min_value=1, max_value=50))
def test_over_the_maximum_is_always_refused(policy: PasswordPolicy, extra: int) -> None:
    password = ("Aa1!" * 100)[: MAX_LENGTH + extra]
    assert "too_long" in [v.code for v in policy.violations(password)]


@given(
    name=st.text(st.characters(whitelist_categories=("Ll",)), min_size=3, max_size=12),
    prefix=st.text(max_size=8),
    suffix=st.text(max_size=8),
)
def test_a_password_holding_the_user_name_is_refused(name: str, prefix: str, suffix: str) -> None:
    password = prefix + name + suffix + "-9Xy!"
    found = PasswordPolicy("nist").violations(password, username=name)
    if name.casefold() in unicodedata.normalize("NFKC", password).casefold():
        assert "contains_identity" in [v.code for v in found]


@given(password=st.text(min_size=8, max_size=60))
def test_an_accepted_backendai_password_has_letter_digit_and_special(password: str) -> None:
    if not PasswordPolicy("backendai").violations(password):
        normal = unicodedata.normalize("NFKC", password)
        assert any(c.isalpha() for c in normal) and any(c.isdigit() for c in normal)
        assert not all(c.isalnum() for c in normal)


# -- the HMAC signature --------------------------------------------------------------------------

requests = st.fixed_dictionaries(
    {
        "method": st.sampled_from(["GET", "POST", "PUT", "PATCH", "DELETE"]),
        "path": printable.map(lambda p: "/" + p),
        "host": printable,
        "content_type": st.sampled_from(["application/json", "text/plain", "multipart/x"]),
        "api_version": st.sampled_from(["v4.20190615", "v8.20240915", "v9.20250722"]),
        "access_key": st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=20, max_size=20),
        "secret_key": printable,
        "now": st.datetimes(
            min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
        ),
    }
)


def _verifies(headers: dict[str, str], **request: object) -> bool:
    """What the manager computes for the request it received, given the headers sent."""
    credential = signing.parse_authorization(headers["Authorization"])
    expected = signing.signature(
        method=str(request["method"]),
        path=str(request["path"]),
        raw_date=headers["Date"],
        date=signing.parse_date(headers["Date"]),
        host=str(request["host"]),
        content_type=str(request["content_type"]),
        api_version=str(request["api_version"]),
        secret_key=str(request["secret_key"]),
        hash_type=credential.hash_type,
    )
    return expected == credential.signature


@given(request=requests)
def test_a_signed_request_verifies(request: dict) -> None:
    headers = signing.signed_headers(**request)
    assert signing.parse_authorization(headers["Authorization"]).access_key == request["access_key"]
    assert _verifies(headers, **request)


@given(
    request=requests,
    field=st.sampled_from(["method", "path", "host", "content_type", "secret_key"]),
    change=printable,
)
def test_changing_any_signed_part_breaks_the_signature(
    request: dict, field: str, change: str
) -> None:
    headers = signing.signed_headers(**request)
    changed = {**request, field: request[field] + change}
    if field == "method":
        changed["method"] = "GET" if request["method"] != "GET" else "POST"
    assert not _verifies(headers, **changed)


@given(request=requests, skew=st.integers(min_value=1, max_value=10**6))
def test_a_different_date_breaks_the_signature(request: dict, skew: int) -> None:
    headers = signing.signed_headers(**request)
    later = request["now"] + timedelta(seconds=skew)
    assert not _verifies({**headers, "Date": later.isoformat()}, **request)


@settings(max_examples=300)
@given(value=st.text(max_size=200))
def test_the_parsers_refuse_garbage_with_value_error_only(value: str) -> None:
    for parse in (signing.parse_authorization, signing.parse_date):
        with contextlib.suppress(ValueError):
            parse(value)


# -- the encoded log-in body ----------------------------------------------------------------------

endpoints = st.builds(
    lambda scheme, host, port: f"{scheme}://{host}:{port}",
    st.sampled_from(["http", "https"]),
    st.from_regex(r"[a-z0-9.-]{1,40}", fullmatch=True),
    st.integers(min_value=1, max_value=65535),
)


@given(endpoint=endpoints, body=st.binary(max_size=2048))
def test_encoded_bodies_round_trip(endpoint: str, body: bytes) -> None:
    assert encoded_body.decode(endpoint, encoded_body.encode(endpoint, body)) == body


@given(endpoint=endpoints, payload=st.binary(max_size=512))
def test_garbage_decodes_to_malformed_only(endpoint: str, payload: bytes) -> None:
    with contextlib.suppress(encoded_body.MalformedEncodedBody):
        encoded_body.decode(endpoint, payload)


@given(endpoint=endpoints, other=endpoints, body=st.binary(min_size=1, max_size=256))
def test_a_body_encoded_for_another_endpoint_does_not_decode_to_it(
    endpoint: str, other: str, body: bytes
) -> None:
    if base64.b64encode(other.encode())[:32] == base64.b64encode(endpoint.encode())[:32]:
        return  # the key is made from the first 32 bytes of the endpoint's base64
    with contextlib.suppress(encoded_body.MalformedEncodedBody):
        assert encoded_body.decode(other, encoded_body.encode(endpoint, body)) != body
