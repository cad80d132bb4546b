import base64

import pytest
from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from portico.wire import encoded_body

ENDPOINT = "http://127.0.0.1:8090"


def test_round_trip() -> None:
    body = b'{"username": "alice", "password": "Zebra-42-quilt!"}'
    payload = encoded_body.encode(ENDPOINT, body)
    iv, _, _ = payload.partition(b":")
    assert len(iv) == 16
    assert iv.isalnum()
    assert encoded_body.decode(ENDPOINT, payload) == body


def test_decodes_what_a_backendai_client_builds() -> None:
    # Built step by step as the protocol describes: key = (b64(endpoint) + iv + iv)[:32].
    iv = b"AbCdEfGh12345678"
    key = (base64.b64encode(ENDPOINT.encode()) + iv + iv)[:32]
    padder = padding.PKCS7(128).padder()
    data = padder.update(b'{"a": 1}') + padder.finalize()
    enc = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    payload = iv + b":" + base64.b64encode(enc.update(data) + enc.finalize())
    assert encoded_body.decode(ENDPOINT, payload) == b'{"a": 1}'


def test_another_endpoint_does_not_decode_it() -> None:
    payload = encoded_body.encode(ENDPOINT, b'{"a": 1}')
    with pytest.raises(encoded_body.MalformedEncodedBody):
        encoded_body.decode("http://elsewhere:8090", payload)


@pytest.mark.parametrize(
    "payload",
    [
        b"",
        b"nocolon",
        b"short:AAAA",
        b"AbCdEfGh12345678:***",
        b"AbCdEfGh12345678:" + base64.b64encode(b"x" * 15),
    ],
)
def test_malformed(payload: bytes) -> None:
    with pytest.raises(encoded_body.MalformedEncodedBody):
        encoded_body.decode(ENDPOINT, payload)
