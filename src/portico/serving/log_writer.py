"""Log lines written by a thread of their own, not by the event loop.

Writing a line to stderr, a file or journald's pipe is a system call that can take tens of
microseconds; made on the event loop for every access-log line, it was 7% of the webserver's
time under load. The loop now only queues the record; a writer thread formats and writes it
(the standard library's QueueHandler and QueueListener).

Woken by a line, the writer waits `WAKE_SECONDS` and then writes every line queued meanwhile:
being woken for each record cost a futex call on the loop and a hand-over of the interpreter
lock to the writer for every request, about 10% of a relayed call's time. An idle service's
writer sleeps until the next line.

Logging never ends because of a fault: a line the sink cannot take goes to stderr instead, a
writer thread that died is started again by the next line, and the queue is bounded, so a sink
that stalls costs dropped lines (counted in `portico_log_lines_dropped`), never memory."""

from __future__ import annotations

import contextlib
import logging
import queue
import sys
import threading
import time
from collections.abc import Iterator
from logging.handlers import QueueHandler, QueueListener

from portico.common.metrics import LOG_LINES_DROPPED

# uvicorn's two loggers (its access log does not propagate) and the root, which has portico's.
LOGGERS = ("uvicorn.access", "uvicorn", "")
WAKE_SECONDS = 0.02
MAX_QUEUED = 10_000  # lines waiting for the sink; beyond this, new ones are dropped
SENTINEL_WAIT_SECONDS = 5.0


class _Writer(QueueListener):
    def __init__(self, lines: queue.Queue[logging.LogRecord], *handlers: logging.Handler) -> None:
        super().__init__(lines, *handlers, respect_handler_level=True)
        self._lines = lines  # (typeshed types the listener's own as put-only)
        self._restarting = threading.Lock()

    def dequeue(self, block: bool) -> logging.LogRecord:
        try:
            return self._lines.get_nowait()
        except queue.Empty:
            if not block:
                raise
        record = self._lines.get()  # nothing queued: sleep until a line comes
        with contextlib.suppress(Exception):  # (a clock that jumps must not end the writer)
            time.sleep(WAKE_SECONDS)  # and let the lines that follow it gather behind it
        return record

    def handle(self, record: logging.LogRecord) -> None:
        try:
            super().handle(record)
        except Exception:  # the sink failed: the line goes to stderr, the writer goes on
            with contextlib.suppress(Exception):
                sys.stderr.write(f"{record.levelname} {record.name}: {record.getMessage()}\n")

    def enqueue_sentinel(self) -> None:
        # The queue may be full: wait a little for room rather than fail to stop.
        with contextlib.suppress(queue.Full):
            # The listener's own end-of-queue mark, which typeshed does not declare.
            sentinel = self._sentinel  # type: ignore[attr-defined]
            self._lines.put(sentinel, timeout=SENTINEL_WAIT_SECONDS)

    def ensure_running(self) -> None:
        """Start the writer again if its thread died (whatever killed it)."""
        thread = self._thread
        if thread is not None and not thread.is_alive():
            with self._restarting:
                if self._thread is thread:
                    self._thread = None
                    self.start()


class _Enqueue(QueueHandler):
    def __init__(self, lines: queue.Queue[logging.LogRecord], writer: _Writer) -> None:
        super().__init__(lines)
        self._writer = writer

    def prepare(self, record: logging.LogRecord) -> logging.LogRecord:
        # As it is: the real handler formats it in the writer thread (uvicorn's access
        # formatter needs the record's own args).
        return record

    def enqueue(self, record: logging.LogRecord) -> None:
        self._writer.ensure_running()
        try:
            self.queue.put_nowait(record)
        except queue.Full:
            LOG_LINES_DROPPED.inc()


@contextlib.contextmanager
def written_by_thread(names: tuple[str, ...] = LOGGERS) -> Iterator[None]:
    """While inside, the loggers' handlers run in writer threads; leaving writes what is
    still queued and puts the handlers back."""
    moved: list[tuple[logging.Logger, list[logging.Handler], _Writer]] = []
    for name in names:
        logger = logging.getLogger(name)
        if not logger.handlers:
            continue
        lines: queue.Queue[logging.LogRecord] = queue.Queue(maxsize=MAX_QUEUED)
        listener = _Writer(lines, *logger.handlers)
        moved.append((logger, logger.handlers, listener))
        listener.start()
        logger.handlers = [_Enqueue(lines, listener)]
    try:
        yield
    finally:
        for logger, handlers, listener in moved:
            listener.stop()
            logger.handlers = handlers
