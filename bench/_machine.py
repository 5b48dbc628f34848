"""What the numbers were measured on: CPU, cores, memory, OS and library versions."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

PACKAGES = (
    "alleviate-debtcore",
    "httpx",
    "httpcore",
    "h11",
    "pydantic",
    "pydantic-core",
    "gql",
    "graphql-core",
    "uvicorn",
    "starlette",
    "ariadne",
)


def _cpu_model() -> str:
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def _memory_gib() -> float | None:
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        for line in meminfo.read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024**2, 1)
    return None


def _version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def _git_commit(root: Path) -> str | None:
    try:
        completed = subprocess.run(
            ["git", "describe", "--always", "--dirty", "--abbrev=7"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return completed.stdout.strip() or None


def describe_machine(root: Path) -> dict[str, Any]:
    return {
        "cpu_model": _cpu_model(),
        "cpu_count": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "memory_gib": _memory_gib(),
        "os": platform.platform(),
        "python": sys.version.split()[0],
        "python_implementation": platform.python_implementation(),
        "load_average_at_start": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
        "versions": {name: _version(name) for name in PACKAGES},
        "git_commit": _git_commit(root),
    }


def one_line(machine: dict[str, Any]) -> str:
    versions = machine["versions"]
    return (
        f"{machine['cpu_model']}, {machine['cpus_usable'] or machine['cpu_count']} cores, "
        f"{machine['memory_gib']} GiB; Python {machine['python']}, httpx {versions['httpx']}, "
        f"pydantic {versions['pydantic']}, gql {versions['gql']}"
    )
