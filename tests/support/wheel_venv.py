"""A fresh virtualenv holding the built wheel, as a user installs it, without a package index.

Dependencies come from the wheelhouse that `make install` downloads into the test environment's
virtualenv (``.venv/wheelhouse``), so the test suite never reaches the network.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WHEELHOUSE = Path(sys.prefix) / "wheelhouse"


def run(command: list[str], cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """Run without our own pytest and ALLEVIATE_* settings leaking into the child."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "ALLEVIATE_"))}
    return subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


class WheelVenv:
    """``python`` of a new virtualenv; ``install(...)`` adds requirements from the wheelhouse."""

    def __init__(self, where: Path) -> None:
        assert (WHEELHOUSE / ".downloaded").is_file(), (
            "run `make install` (it fills the wheelhouse)"
        )
        dist = where / "dist"
        built = run(
            [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
             "--no-index", "-q", "-w", str(dist), str(ROOT)],
            ROOT,
        )  # fmt: skip
        assert built.returncode == 0, built.stderr
        (self.wheel,) = dist.glob("alleviate_debtcore-*.whl")
        venv = where / "venv"
        assert run([sys.executable, "-m", "venv", str(venv)], where).returncode == 0
        self.python = str(venv / "bin" / "python")
        self.bin = venv / "bin"

    def install(self, *requirements: str) -> None:
        done = run(
            [self.python, "-m", "pip", "install", "-q", "--disable-pip-version-check",
             "--no-index", "--find-links", str(WHEELHOUSE), *requirements],
            self.bin.parent,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
