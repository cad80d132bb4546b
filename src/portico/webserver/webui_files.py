"""The WebUI's files as the webserver sends them: read once, compressed once, and also reachable
under a content-hashed name (`js/main.<digest>.js`) that browsers may cache for good."""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response

PACKAGED_WEBUI = Path(__file__).resolve().parents[1] / "webui"
MAX_PATH_LENGTH = 1024
DIGEST_LENGTH = 12
COMPRESSIBLE = ("text/", "application/json", "application/javascript", "image/svg+xml")
# A hashed name never changes meaning, so it is cached for a year without revalidation.
IMMUTABLE = "public, max-age=31536000, immutable"
_HASHED = re.compile(rf"^(?P<stem>.+)\.(?P<digest>[0-9a-f]{{{DIGEST_LENGTH}}})(?P<suffix>\.\w+)$")


@dataclass(frozen=True)
class StaticFile:
    body: bytes
    gzipped: bytes | None  # when compressing saves something
    media_type: str
    digest: str  # sha-256, hex

    @property
    def etag(self) -> str:
        return f'"{self.digest[:32]}"'


def static_root(web_static_path: str) -> Path:
    return Path(web_static_path).resolve() if web_static_path else PACKAGED_WEBUI


def read(path: Path) -> StaticFile:
    return _read(path, path.stat().st_mtime_ns)


@lru_cache(maxsize=256)
def _read(path: Path, mtime_ns: int) -> StaticFile:
    """The WebUI is a few dozen small files: kept in memory, compressed once, keyed by their
    modification time."""
    body = path.read_bytes()
    media = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    gzipped = None
    if media.startswith(COMPRESSIBLE):
        packed = gzip.compress(body, compresslevel=9, mtime=0)
        gzipped = packed if len(packed) < len(body) else None
    if media.startswith("text/") or media in ("application/json", "text/javascript"):
        media += "; charset=utf-8"
    return StaticFile(body, gzipped, media, hashlib.sha256(body).hexdigest())


def hashed_name(root: Path, relative: str) -> str:
    """`js/main.js` -> `js/main.<digest>.js`, the name a page links to."""
    stem, dot, suffix = relative.rpartition(".")
    return f"{stem}.{read(root / relative).digest[:DIGEST_LENGTH]}{dot}{suffix}"


def locate(root: Path, path: str) -> tuple[Path, bool] | None:
    """The file a request path names, and whether it was named by its current content hash."""
    if _servable(root, path):
        return (root / path).resolve(), False
    hashed = _HASHED.match(path)
    if hashed is not None:
        plain = hashed["stem"] + hashed["suffix"]
        if _servable(root, plain):
            found = (root / plain).resolve()
            # An outdated hash still gets today's file, but not for keeps.
            return found, read(found).digest.startswith(hashed["digest"])
    return None


def send(request: Request, found: StaticFile, *, immutable: bool = False) -> Response:
    gzipped = found.gzipped is not None and accepts_gzip(request.headers.get("accept-encoding", ""))
    # Each encoding is its own representation, with its own validator.
    etag = found.etag[:-1] + '-gzip"' if gzipped else found.etag
    headers = {
        "ETag": etag,
        "Cache-Control": IMMUTABLE if immutable else "no-cache",
        "Vary": "Accept-Encoding",
    }
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    if gzipped and found.gzipped is not None:
        headers["Content-Encoding"] = "gzip"
        return Response(found.gzipped, media_type=found.media_type, headers=headers)
    return Response(found.body, media_type=found.media_type, headers=headers)


def accepts_gzip(accept_encoding: str) -> bool:
    for item in accept_encoding.split(","):
        coding, _, params = item.strip().partition(";")
        if coding.strip().lower() in ("gzip", "*"):
            return params.replace(" ", "") not in ("q=0", "q=0.0", "q=0.00", "q=0.000")
    return False


def _servable(root: Path, path: str) -> bool:
    """A file inside the WebUI's folder; any path the file system refuses is simply absent."""
    if "\x00" in path or len(path) > MAX_PATH_LENGTH:
        return False
    try:
        candidate = (root / path).resolve()
        return candidate.is_relative_to(root) and candidate.is_file()
    except (OSError, ValueError):  # too long a name, and the like
        return False
