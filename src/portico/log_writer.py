"""Log lines written by a thread of their own, not by the event loop.

Writing a line to stderr, a file or journald's pipe is a system call that can take tens of
microseconds; made on the event loop for every access-log line, it was 7% of the webserver's
time under load. The loop now only queues the record; a writer thread formats and writes it
(the standard library's QueueHandler and QueueListener).

Woken by a line, the writer waits `WAKE_SECONDS` and then writes every line queued meanwhile:
being woken for each record cost a futex call on the loop and a hand-over of the interpreter
lock to the writer for every request, about 10% of a relayed call's time. An idle service's
writer sleeps until the next line."""

from __future__ import annotations

import contextlib
import logging
import queue
import time
from collections.abc import Iterator
from logging.handlers import QueueHandler, QueueListener

# uvicorn's two loggers (its access log does not propagate) and the root, which has portico's.
LOGGERS = ("uvicorn.access", "uvicorn", "")
WAKE_SECONDS = 0.02


class _Enqueue(QueueHandler):
    def prepare(self, record: logging.LogRecord) -> logging.LogRecord:
        # As it is: the real handler formats it in the writer thread (uvicorn's access
        # formatter needs the record's own args).
        return record


class _Writer(QueueListener):
    def dequeue(self, block: bool) -> logging.LogRecord:
        try:
            return self.queue.get_nowait()
        except queue.Empty:
            if not block:
                raise
        record = self.queue.get()  # nothing queued: sleep until a line comes
        time.sleep(WAKE_SECONDS)  # and let the lines that follow it gather behind it
        return record


@contextlib.contextmanager
def written_by_thread(names: tuple[str, ...] = LOGGERS) -> Iterator[None]:
    """While inside, the loggers' handlers run in writer threads; leaving writes what is
    still queued and puts the handlers back."""
    moved: list[tuple[logging.Logger, list[logging.Handler], QueueListener]] = []
    for name in names:
        logger = logging.getLogger(name)
        if not logger.handlers:
            continue
        lines: queue.SimpleQueue[logging.LogRecord] = queue.SimpleQueue()
        listener = _Writer(lines, *logger.handlers, respect_handler_level=True)
        moved.append((logger, logger.handlers, listener))
        logger.handlers = [_Enqueue(lines)]
        listener.start()
    try:
        yield
    finally:
        for logger, handlers, listener in moved:
            listener.stop()
            logger.handlers = handlers
