"""Benchmark: the log-in page's weight and how soon it is usable, portico's console beside
Backend.AI's WebUI (the static files of the `backend.ai-webserver` package), in Debian's
Chromium.

Starts `portico serve` on loopback and, when a Python 3.13 is there (see bench/compare.py),
Backend.AI's webserver 26.9 in front of the same portico manager. Loads each log-in page in a
fresh browser context (cold cache) several times and reports:
- the bytes transferred (every response's headers and body as sent, so compressed where the
  server compressed) and the requests made, until the network is idle; the bodies unpacked;
- the time from navigation start until the first frame that shows the log-in form's ID
  field, enabled (looked for through shadow roots too), median and worst;
- the ratios: Backend.AI / portico for bytes and for time (targets >= 300 and >= 20).

Usage: .venv/bin/python bench/login_page.py [--runs 10]
Writes bench/results/login_page.json and prints a table.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from compare import backendai_running, backendai_webserver  # noqa: E402
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from tests.support.processes import running  # noqa: E402
from tests.support.services import free_port  # noqa: E402

# Installed before the page's own scripts: at every frame (requestAnimationFrame runs just
# before the browser paints one) it looks for the log-in form's ID field, a visible, enabled
# text or e-mail field meant for the user name, in the document or in any shadow root
# (Backend.AI's WebUI is made of web components), and notes the page's clock (ms since
# navigation start) at the first frame that shows it.
WATCH = """(() => {
  const wanted = (el) => el.tagName === 'INPUT' && ['text', 'email'].includes(el.type)
    && /user|email|id/i.test((el.autocomplete || '') + ' ' + el.id + ' ' + el.name)
    && !el.disabled && el.getClientRects().length > 0;
  const search = (root) => {
    for (const el of root.querySelectorAll('*')) {
      if (wanted(el)) return el;
      if (el.shadowRoot) { const found = search(el.shadowRoot); if (found) return found; }
    }
    return null;
  };
  window.__usableAt = null;
  const frame = (now) => {
    if (document.documentElement && search(document)) window.__usableAt = now;
    else requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
})()"""
READY = "() => window.__usableAt"


def measure(browser: Any, url: str, runs: int) -> dict[str, float]:
    # One unmeasured visit: it warms the browser process, not the page (each measured visit
    # below still starts from an empty cache in a fresh context).
    warm = browser.new_context()
    warm.new_page().goto(url)
    warm.close()
    sizes, unpacked, requests, ready_ms = [], [], [], []
    for _ in range(runs):
        context = browser.new_context()  # a cold cache every time
        context.add_init_script(WATCH)
        page = context.new_page()
        wire: list[int] = []
        bodies: list[int] = []

        def finished(req, wire=wire, bodies=bodies) -> None:  # type: ignore[no-untyped-def]
            sent = req.sizes()
            wire.append(sent["responseBodySize"] + sent["responseHeadersSize"])
            response = req.response()
            bodies.append(len(response.body()) if response is not None else 0)

        page.on("requestfinished", finished)
        page.goto(url, wait_until="commit")
        ready_ms.append(page.wait_for_function(READY, polling=5, timeout=60_000).json_value())
        page.wait_for_load_state("networkidle")
        sizes.append(sum(wire))
        unpacked.append(sum(bodies))
        requests.append(len(wire))
        context.close()
    return {
        "bytes_median": statistics.median(sizes),
        "bytes_max": max(sizes),
        "unpacked_bytes_max": max(unpacked),
        "requests_max": max(requests),
        "ready_ms_median": statistics.median(ready_ms),
        "ready_ms_max": max(ready_ms),
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    tmp = Path(tempfile.mkdtemp(prefix="portico-bench-ui-"))
    port, manager_port = free_port(), free_port()
    env = {
        "PORTICO_GENERAL__DATA_DIR": str(tmp / "data"),
        "PORTICO_SERVICE__PORT": str(port),
        "PORTICO_MANAGER__PORT": str(manager_port),
    }
    consoles = {"portico": f"http://127.0.0.1:{port}"}
    bai_command = backendai_webserver()
    results: dict[str, dict[str, float]] = {}
    with ExitStack() as stack, sync_playwright() as p:
        stack.enter_context(
            running(["serve"], env, consoles["portico"] + "/func/ping", tmp / "serve.log")
        )
        if bai_command is None:
            print("Backend.AI's WebUI: skipped (its webserver needs Python 3.13, not found)")
        else:
            bai_port = free_port()
            manager = f"http://127.0.0.1:{manager_port}"
            stack.enter_context(backendai_running(bai_command, tmp, bai_port, manager))
            consoles["Backend.AI"] = f"http://127.0.0.1:{bai_port}"
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for name, url in consoles.items():
            results[name] = measure(browser, url, args.runs)
        browser.close()

    report = {"runs": args.runs, "consoles": results, "targets": {"bytes": 300, "ready": 20}}
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "login_page.json").write_text(json.dumps(report, indent=2))
    print(
        f"\n{'log-in page, cold cache, ' + str(args.runs) + ' runs':40}"
        + "".join(f"{n:>12}" for n in results)
    )
    rows = [
        ("transferred, KB (max)", "bytes_max", 1 / 1024),
        ("unpacked, KB (max)", "unpacked_bytes_max", 1 / 1024),
        ("requests (max)", "requests_max", 1),
        ("usable after, ms (median)", "ready_ms_median", 1),
        ("usable after, ms (worst)", "ready_ms_max", 1),
    ]
    for label, key, scale in rows:
        print(f"{label:40}" + "".join(f"{r[key] * scale:12.1f}" for r in results.values()))
    if "Backend.AI" in results:
        ours, theirs = results["portico"], results["Backend.AI"]
        fewer = theirs["bytes_max"] / ours["bytes_max"]
        print(f"{'bytes: Backend.AI / portico':40}{fewer:12.0f}  >= 300")
        usable = theirs["ready_ms_median"] / ours["ready_ms_median"]
        print(f"{'usable: Backend.AI / portico (median)':40}{usable:12.1f}  >= 20")
    return 0


if __name__ == "__main__":
    sys.exit(main())
