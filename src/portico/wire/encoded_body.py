"""The `X-BackendAI-Encoded: true` request body that Backend.AI's WebUI and SDK send over http.

`iv:base64(AES-256-CBC(PKCS7(body)))`, the key made from the endpoint URL and the IV. The key
comes from public data: this is obfuscation that the protocol requires, not protection.
"""

from __future__ import annotations

import base64
import binascii
import secrets
import string
from collections.abc import Mapping

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

HEADER = "X-BackendAI-Encoded"
_IV_ALPHABET = string.ascii_letters + string.digits


class MalformedEncodedBody(ValueError):
    pass


def is_encoded(headers: Mapping[str, str]) -> bool:
    """Whether the request says its body is encoded (`headers` case-insensitive)."""
    return headers.get(HEADER, "").lower() == "true"


def _cipher(endpoint: str, iv: bytes) -> Cipher[modes.CBC]:
    key = (base64.b64encode(endpoint.encode("ascii")) + iv + iv)[:32]
    return Cipher(algorithms.AES(key), modes.CBC(iv))


def decode(endpoint: str, payload: bytes) -> bytes:
    """`endpoint` is `scheme://host[:port]` as the client addressed this webserver."""
    try:
        iv, _, encrypted = payload.strip().partition(b":")
        if len(iv) != 16:
            raise MalformedEncodedBody("bad IV")
        decryptor = _cipher(endpoint, iv).decryptor()
        padded = decryptor.update(base64.b64decode(encrypted, validate=True))
        padded += decryptor.finalize()
        unpadder = padding.PKCS7(128).unpadder()
        return unpadder.update(padded) + unpadder.finalize()
    except (ValueError, binascii.Error, UnicodeEncodeError) as exc:
        raise MalformedEncodedBody("the encoded body does not decode") from exc


def encode(endpoint: str, body: bytes) -> bytes:
    """What a client sends; used by portico's tests and benchmarks."""
    iv = "".join(secrets.choice(_IV_ALPHABET) for _ in range(16)).encode()
    padder = padding.PKCS7(128).padder()
    padded = padder.update(body) + padder.finalize()
    encryptor = _cipher(endpoint, iv).encryptor()
    return iv + b":" + base64.b64encode(encryptor.update(padded) + encryptor.finalize())
