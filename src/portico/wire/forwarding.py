"""How the manager knows a call comes from a portico webserver: a MAC, with a key derived from
the shared server secret, over the moment and what the webserver vouches for (the browser's
address and the browser session making the call). Without a good one, the manager believes
neither, whatever the peer's address: a local process is not a webserver.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import dataclass

from portico.common.sealing import derived_key

PROOF_HEADER = "X-Portico-Forwarded"
# A proof is good this long either side of the manager's clock (replicas' clocks differ a bit).
PROOF_SECONDS = 300


@dataclass(frozen=True)
class Vouched:
    client_address: str
    session_hash: str | None


class ForwardingKey:
    def __init__(self, server_secret: str) -> None:
        self._key = derived_key(server_secret, "forwarded-by-webserver")

    def _mac(self, moment: int, address: str, session_hash: str) -> str:
        message = f"{moment}\n{address}\n{session_hash}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()

    def proof(self, address: str, session_hash: str | None, now: float | None = None) -> str:
        """The header's value: `<unix time>:<mac>`."""
        moment = int(time.time() if now is None else now)
        return f"{moment}:{self._mac(moment, address, session_hash or '')}"

    def verify(
        self, proof: str | None, address: str, session_hash: str | None, now: float | None = None
    ) -> Vouched | None:
        """What the webserver vouched for, or None when the proof is missing, stale or wrong."""
        if not proof:
            return None
        raw_moment, _, mac = proof.partition(":")
        if not raw_moment.isascii() or not raw_moment.isdigit() or len(raw_moment) > 12:
            return None
        moment = int(raw_moment)
        if abs((time.time() if now is None else now) - moment) > PROOF_SECONDS:
            return None
        expected = self._mac(moment, address, session_hash or "")
        if not hmac.compare_digest(expected.encode(), mac.encode("utf-8", "replace")):
            return None
        return Vouched(address, session_hash)
