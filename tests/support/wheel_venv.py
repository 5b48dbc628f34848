"""A fresh virtualenv holding the built wheel, as a user installs it, without a package index.

Dependencies come from the wheelhouse that `make install` downloads into the test environment's
virtualenv (``.venv/wheelhouse``), so the test suite never reaches the network.
"""

from __future__ import annotations

import atexit
import functools
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WHEELHOUSE = Path(sys.prefix) / "wheelhouse"


def run(command: list[str], cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """Run without our own pytest and ALLEVIATE_* settings leaking into the child."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "ALLEVIATE_"))}
    return subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


@functools.cache
def built_wheel() -> Path:
    """The package's wheel, built once per test process (xdist: per worker) from the checkout.

    Building writes into the source tree (build/, *.egg-info): the tests that build run in one
    xdist group (``SOURCE_TREE_BUILDS``), so that two builds never share those folders.
    """
    dist = Path(tempfile.mkdtemp(prefix="debtcore-wheel-"))
    atexit.register(shutil.rmtree, dist, ignore_errors=True)
    built = run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
         "--no-index", "-q", "-w", str(dist), str(ROOT)],
        ROOT,
    )  # fmt: skip
    assert built.returncode == 0, built.stderr
    (wheel,) = dist.glob("alleviate_debtcore-*.whl")
    return wheel


class WheelVenv:
    """``python`` of a new virtualenv; ``install(...)`` adds requirements from the wheelhouse.

    The virtualenv has no pip of its own (``--without-pip``: seeding it costs seconds); the
    test environment's pip installs into it (``pip --python``), as ``make test-floors`` does.
    """

    def __init__(self, where: Path) -> None:
        assert (WHEELHOUSE / ".downloaded").is_file(), (
            "run `make install` (it fills the wheelhouse)"
        )
        self.wheel = built_wheel()
        venv = where / "venv"
        done = run([sys.executable, "-m", "venv", "--without-pip", str(venv)], where)
        assert done.returncode == 0, done.stderr
        self.python = str(venv / "bin" / "python")
        self.bin = venv / "bin"

    def install(self, *requirements: str) -> None:
        done = run(
            [sys.executable, "-m", "pip", "--python", self.python, "install", "-q",
             "--disable-pip-version-check", "--no-index", "--find-links", str(WHEELHOUSE),
             *requirements],
            self.bin.parent,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
