"""A full disk, said in plain words: which errors mean it, and where space has run out.

SQLite's "database or disk is full", PostgreSQL's disk_full (SQLSTATE 53100) and an OSError
with ENOSPC or EDQUOT all mean the same to a client (nothing was saved; try again later) and
to an operator (free some space at this path), which a generic "service unreachable" hid.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from portico.config import Settings

# Below this much free space a path counts as full (readiness fails until there is more).
MIN_FREE_BYTES = 1024 * 1024
_FULL_ERRNOS = {errno.ENOSPC, errno.EDQUOT}
_FULL_SQLSTATE = "53100"


def is_storage_full(exc: BaseException) -> bool:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, OSError) and current.errno in _FULL_ERRNOS:
            return True
        if "database or disk is full" in str(current):
            return True
        if getattr(current, "sqlstate", None) == _FULL_SQLSTATE:
            return True
        current = current.__cause__ or current.__context__
    return False


def free_bytes(path: Path) -> int:
    stats = os.statvfs(path)
    return stats.f_bavail * stats.f_frsize


def full_paths(paths: Iterable[Path]) -> list[Path]:
    """Those of `paths` (that exist) with less than MIN_FREE_BYTES free."""
    return [p for p in paths if p.exists() and free_bytes(p) < MIN_FREE_BYTES]


def storage_of(settings: Settings) -> list[Path]:
    """The folders this deployment writes: the data folder, a SQLite database's, mail files'."""
    paths = [settings.general.data_dir]
    scheme, _, rest = settings.database_url.partition(":///")
    if scheme.startswith("sqlite") and rest:
        paths.append(Path(rest).parent)
    if settings.email.backend == "file" and settings.email.file_dir:
        paths.append(Path(settings.email.file_dir))
    return list(dict.fromkeys(p.resolve() for p in paths))
