"""This machine's capacity and live utilisation, in base units (cores, bytes, devices)."""

from __future__ import annotations

import shutil
import socket
import subprocess
from dataclasses import dataclass, field
from typing import Any

import psutil


@dataclass(frozen=True)
class NodeReport:
    hostname: str
    capacity: dict[str, Any]
    cpu_util: float
    mem_used: int
    gpus: list[dict[str, Any]] = field(default_factory=list)


def nvidia_gpus() -> list[dict[str, Any]]:
    """NVIDIA GPUs as nvidia-smi lists them; none when it is absent or fails."""
    executable = shutil.which("nvidia-smi")
    if executable is None:
        return []
    try:
        out = subprocess.run(  # noqa: S603 (a fixed command line)
            [executable, "--query-gpu=name,memory.total", "--format=csv,noheader,nounits"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    gpus = []
    for line in out.strip().splitlines():
        name, _, mem_mib = line.partition(",")
        try:
            gpus.append({"name": name.strip(), "memory": int(mem_mib.strip()) * 1024 * 1024})
        except ValueError:
            continue
    return gpus


def collect() -> NodeReport:
    gpus = nvidia_gpus()
    capacity: dict[str, Any] = {
        "cpu": psutil.cpu_count(logical=True) or 1,
        "mem": psutil.virtual_memory().total,
    }
    if gpus:
        capacity["cuda.device"] = len(gpus)
    return NodeReport(
        hostname=socket.gethostname(),
        capacity=capacity,
        # Since the previous call: the reporter calls it every interval.
        cpu_util=psutil.cpu_percent(interval=None),
        mem_used=psutil.virtual_memory().used,
        gpus=gpus,
    )
