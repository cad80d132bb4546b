"""Caps the number of glibc malloc arenas of a long-running service.

glibc gives each thread that allocates its own arena (up to 8 per core). A portico process runs
many threads (a database driver thread per pooled connection, the hashing pool, the executor),
and memory freed in one arena is not reused by another, so the resident size creeps up for
hours. Two arenas keep it flat at no measurable cost (bench/soak.py). An operator's own
MALLOC_ARENA_MAX wins.
"""

from __future__ import annotations

import ctypes
import os

M_ARENA_MAX = -8  # from glibc's malloc.h
ARENAS = 2


def limit_malloc_arenas(count: int = ARENAS) -> bool:
    """Call before the process starts threads. False where this is not glibc, or when set."""
    if "MALLOC_ARENA_MAX" in os.environ:
        return False
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:  # not Linux with glibc (musl, macOS): nothing to tune
        return False
    mallopt = getattr(libc, "mallopt", None)
    return bool(mallopt is not None and mallopt(M_ARENA_MAX, count) == 1)
