"""Benchmark: the log-in page's weight and how soon it is usable, in Debian's Chromium.

Starts `portico serve` on loopback, loads the log-in page in a fresh browser context (cold
cache) several times, and reports:
- the bytes transferred for the page (every response's headers and body as sent, so
  compressed where the server compressed), target < 60 KB, and the bodies' size unpacked;
- the time from navigation start until the log-in form accepts input (the ID field exists,
  is focused and enabled), target < 300 ms; median and worst of the runs.

Usage: .venv/bin/python bench/login_page.py [--runs 10]
Writes bench/results/login_page.json and prints a table.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from tests.support.processes import running  # noqa: E402
from tests.support.services import free_port  # noqa: E402

# Returns the page's own clock (ms since navigation start) at the first moment it is usable.
READY = """() => {
  const field = document.querySelector('input[autocomplete=username]');
  return field && !field.disabled && document.activeElement === field ? performance.now() : false;
}"""


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    tmp = Path(tempfile.mkdtemp(prefix="portico-bench-ui-"))
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        "PORTICO_GENERAL__DATA_DIR": str(tmp / "data"),
        "PORTICO_SERVICE__PORT": str(port),
        "PORTICO_MANAGER__PORT": str(free_port()),
    }
    sizes, unpacked, ready_ms = [], [], []
    with running(["serve"], env, url + "/func/ping", tmp / "serve.log"), sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        # One unmeasured visit: it warms the browser process, not the page (each measured
        # visit below still starts from an empty cache in a fresh context).
        warm = browser.new_context()
        warm.new_page().goto(url)
        warm.close()
        for _ in range(args.runs):
            context = browser.new_context()  # a cold cache every time
            page = context.new_page()
            wire: list[int] = []
            bodies: list[int] = []

            def finished(req, wire=wire, bodies=bodies) -> None:  # type: ignore[no-untyped-def]
                sent = req.sizes()
                wire.append(sent["responseBodySize"] + sent["responseHeadersSize"])
                bodies.append(len(req.response().body()))

            page.on("requestfinished", finished)
            page.goto(url, wait_until="commit")
            ready_ms.append(page.wait_for_function(READY, polling=5).json_value())
            page.wait_for_load_state("networkidle")
            sizes.append(sum(wire))
            unpacked.append(sum(bodies))
            context.close()
        browser.close()
    result = {
        "bytes_median": statistics.median(sizes),
        "bytes_max": max(sizes),
        "unpacked_bytes_max": max(unpacked),
        "ready_ms_median": statistics.median(ready_ms),
        "ready_ms_max": max(ready_ms),
        "runs": args.runs,
        "targets": {"bytes": 60 * 1024, "ready_ms": 300},
    }
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "login_page.json").write_text(json.dumps(result, indent=2))
    print(f"{'log-in page transfer, KB (max of runs)':44} {result['bytes_max'] / 1024:8.1f}  < 60")
    print(f"{'the same unpacked, KB':44} {result['unpacked_bytes_max'] / 1024:8.1f}")
    print(f"{'usable after navigation, ms (median)':44} {result['ready_ms_median']:8.0f}  < 300")
    print(f"{'usable after navigation, ms (worst)':44} {result['ready_ms_max']:8.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
