"""The log writer thread: a failing sink or a dead writer never ends logging, and a stalled
sink costs counted, dropped lines, not memory."""

from __future__ import annotations

import logging
import threading
import time

import pytest

from portico.common.metrics import LOG_LINES_DROPPED
from portico.serving import log_writer
from portico.serving.log_writer import written_by_thread

NAME = "portico.test-log-writer"


class Sink(logging.Handler):
    """Keeps the lines it is given; fails on the ones it is told to, and can be held."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []
        self.fail_on: set[str] = set()
        self.open = threading.Event()
        self.open.set()

    def handle(self, record: logging.LogRecord) -> bool:  # type: ignore[override]
        self.open.wait()
        message = record.getMessage()
        if message in self.fail_on:
            raise RuntimeError("the sink broke")  # what a bug in a handler would raise
        self.lines.append(message)
        return True


@pytest.fixture
def sink() -> Sink:
    handler = Sink()
    logger = logging.getLogger(NAME)
    logger.handlers = [handler]
    logger.setLevel(logging.INFO)
    logger.propagate = False
    yield handler
    logger.handlers = []


def wait_for(lines: list[str], line: str) -> None:
    deadline = time.monotonic() + 5
    while line not in lines:
        assert time.monotonic() < deadline, f"{line!r} never written: {lines}"
        time.sleep(0.01)


def test_a_line_the_sink_cannot_take_goes_to_stderr_and_the_next_ones_are_written(
    sink: Sink, capsys: pytest.CaptureFixture[str]
) -> None:
    sink.fail_on = {"two"}
    log = logging.getLogger(NAME)
    with written_by_thread((NAME,)):
        for line in ("one", "two", "three"):
            log.info(line)
        wait_for(sink.lines, "three")
    assert sink.lines == ["one", "three"]
    assert "two" in capsys.readouterr().err


def test_a_writer_thread_that_died_is_started_again_by_the_next_line(sink: Sink) -> None:
    log = logging.getLogger(NAME)
    with written_by_thread((NAME,)):
        (writer,) = [h for h in log.handlers if isinstance(h, log_writer._Enqueue)]
        thread = writer._writer._thread
        writer._writer.enqueue_sentinel()  # the thread ends, as a crash would end it
        thread.join(timeout=5)
        assert not thread.is_alive()
        log.info("after")
        wait_for(sink.lines, "after")


def test_a_stalled_sink_drops_and_counts_lines_beyond_the_bound(
    sink: Sink, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(log_writer, "MAX_QUEUED", 100)
    dropped_before = LOG_LINES_DROPPED._value.get()
    sink.open.clear()  # the sink hangs (a full pipe, a stuck disk)
    log = logging.getLogger(NAME)
    with written_by_thread((NAME,)):
        for i in range(350):
            log.info("line %d", i)
        (writer,) = [h for h in log.handlers if isinstance(h, log_writer._Enqueue)]
        assert writer.queue.qsize() <= 100
        dropped = LOG_LINES_DROPPED._value.get() - dropped_before
        assert dropped >= 350 - 100 - 1  # (one may be in the writer's hands)
        sink.open.set()
    assert len(sink.lines) == 350 - dropped
