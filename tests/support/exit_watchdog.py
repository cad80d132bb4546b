"""A run that has finished must also end.

The interpreter waits at exit for every non-daemon thread (an aiosqlite connection nobody
closed keeps one) and every atexit handler. A run stuck there prints nothing and only ends when
CI's own time runs out. After the last test, this watchdog gives the interpreter a minute to
exit; past that it prints every thread's stack and ends the process with the run's own status,
so the cause is in the log.
"""

from __future__ import annotations

import faulthandler
import os
import sys
import threading

GRACE_SECONDS = 60


def arm(exit_status: int) -> None:
    def expire() -> None:
        print(
            f"\nthe test run finished but the interpreter had not exited {GRACE_SECONDS} s later;"
            " every thread's stack:",
            file=sys.stderr,
            flush=True,
        )
        faulthandler.dump_traceback(file=sys.stderr, all_threads=True)
        sys.stderr.flush()
        os._exit(exit_status or 3)

    timer = threading.Timer(GRACE_SECONDS, expire)
    # A daemon thread: it never holds the exit up itself.
    timer.daemon = True
    timer.start()
