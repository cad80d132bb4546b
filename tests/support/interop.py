"""A separate virtual environment holding Backend.AI's own client (PyPI backend.ai-client).

It is built once into .cache/ and reused; it never shares packages with portico's own.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from tests.support.services import unavailable

ROOT = Path(__file__).resolve().parents[2]
VENV = ROOT / ".cache" / "backendai-client-venv"
# 23.9 is the newest client that installs on Python 3.11 here; it reaches into yarl's
# internals, which changed in yarl 1.10.
REQUIREMENTS = ["backend.ai-client==23.9.10", "yarl<1.10"]


# The newest client, on the Python it needs (3.13), in a venv of its own.
REQUIREMENTS_26 = ["backend.ai-client==26.9.6"]
VENV_26 = ROOT / ".cache" / "backendai-client-26-venv"


def python313() -> str | None:
    """A Python 3.13 that runs: on the PATH, or one pyenv installed but did not activate."""
    candidates = [
        shutil.which("python3.13"),
        *map(str, Path.home().glob(".pyenv/versions/3.13*/bin/python3.13")),
    ]
    for candidate in filter(None, candidates):
        probe = subprocess.run([candidate, "-c", "pass"], capture_output=True, check=False)
        if probe.returncode == 0:
            return candidate
    return None


def _client_venv(venv_dir: Path, requirements: list[str], base_python: Callable[[], str]) -> Path:
    """The Python of a venv holding `requirements`, made from `base_python()` on first use
    (and again when the requirements change)."""
    python = venv_dir / "bin" / "python"
    stamp = venv_dir / ".installed"
    if stamp.exists() and stamp.read_text() == repr(requirements):
        return python
    subprocess.run([base_python(), "-m", "venv", "--clear", str(venv_dir)], check=True)
    result = subprocess.run(
        [str(python), "-m", "pip", "install", "-q", *requirements],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    if result.returncode != 0:
        unavailable(f"cannot install {requirements[0]}: {result.stderr.strip()[-500:]}")
    stamp.write_text(repr(requirements))
    return python


def _required_python313() -> str:
    base = python313()
    if base is None:
        unavailable("Backend.AI's client 26.9 needs Python 3.13, and there is none here")
    return str(base)


def backendai_python_26() -> Path:
    """The Python of a venv holding Backend.AI's client 26.9.6."""
    return _client_venv(VENV_26, REQUIREMENTS_26, _required_python313)


def backendai_python() -> Path:
    """The Python of a venv holding Backend.AI's client 23.9, on this Python."""
    return _client_venv(VENV, REQUIREMENTS, lambda: sys.executable)


def run_client_script(
    python: Path, script: str, env: dict[str, str]
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(python), "-c", script],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def backendai_cli(python: Path, args: list[str], env: dict[str, str], stdin: str = "") -> str:
    result = subprocess.run(
        [str(python.parent / "backend.ai"), *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    return result.stdout + result.stderr


def cli_session(serve_env: dict[str, str], tmp_path: Path) -> tuple[str, dict[str, str]]:
    """The webserver's URL, and the environment of Backend.AI's CLI in session mode there."""
    url = f"http://127.0.0.1:{serve_env['PORTICO_SERVICE__PORT']}"
    return url, {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path / "home"),
        "BACKEND_ENDPOINT": url,
        "BACKEND_ENDPOINT_TYPE": "session",
        "PYTHONWARNINGS": "ignore",
    }


__all__ = [
    "backendai_cli",
    "backendai_python",
    "backendai_python_26",
    "cli_session",
    "python313",
    "run_client_script",
    "sys",
]
