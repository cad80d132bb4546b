"""The checkers and linters, run by the test command so that a type error or a lint fails the
suite: ruff (lint and format) and mypy --strict on the Python, TypeScript's checker and ESLint
on the console's JavaScript."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.services import unavailable

ROOT = Path(__file__).resolve().parents[2]
PYTHON_TREES = ["src", "tests", "bench"]


def _passes(command: list[str]) -> None:
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"{' '.join(command)}:\n{done.stdout}{done.stderr}"


def _tool(name: str) -> str:
    """A tool installed beside this Python (the test command's .venv)."""
    path = Path(sys.executable).parent / name
    if not path.exists():
        pytest.fail(f"{name} is not installed beside {sys.executable} (requirements-test.lock)")
    return str(path)


def test_ruff_finds_nothing() -> None:
    _passes([_tool("ruff"), "check", *PYTHON_TREES])


def test_the_code_is_formatted() -> None:
    _passes([_tool("ruff"), "format", "--check", *PYTHON_TREES])


def test_mypy_strict_finds_no_type_error() -> None:
    _passes([_tool("mypy")])  # what and how strictly: [tool.mypy] in pyproject.toml


def _node_tool(name: str) -> str:
    if shutil.which("node") is None:
        unavailable("Node.js is not installed: the console's JavaScript is not checked")
    path = ROOT / "node_modules" / ".bin" / name
    if not path.exists():
        unavailable(f"{name} is missing: `npm ci` (which ./dev test runs) installs it")
    return str(path)


def test_the_console_javascript_type_checks() -> None:
    _passes([_node_tool("tsc"), "-p", "jsconfig.json"])


def test_the_console_javascript_lints_clean() -> None:
    _passes([_node_tool("eslint"), "src/portico/webui/js"])
