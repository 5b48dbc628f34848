"""Loopback servers for the bench, each in its own subprocess (see ``bench._serve``)."""

from __future__ import annotations

import select
import subprocess
import sys
import tempfile
from pathlib import Path
from types import TracebackType
from typing import Self

_STARTUP_TIMEOUT = 30.0
_STOP_TIMEOUT = 10.0

SERVER_DESCRIPTION = "uvicorn (h11, asyncio loop) in a subprocess on 127.0.0.1"


class LoopbackServer:
    """``python -m bench._serve ...`` as a context manager exposing ``base_url``."""

    def __init__(self, *args: str) -> None:
        self._args = args
        self._process: subprocess.Popen[str] | None = None
        self.base_url = ""

    @classmethod
    def responder(cls, body: bytes, workdir: Path) -> LoopbackServer:
        """The fixed-body responder answering ``body`` to every request."""
        with tempfile.NamedTemporaryFile("wb", dir=workdir, suffix=".json", delete=False) as f:
            f.write(body)
        return cls("responder", f.name)

    @classmethod
    def sandbox(cls) -> LoopbackServer:
        """The project's local sandbox (``SandboxServer``)."""
        return cls("sandbox")

    @property
    def pid(self) -> int:
        if self._process is None:
            raise RuntimeError("not running")
        return self._process.pid

    def start(self) -> Self:
        process = self._process = subprocess.Popen(
            [sys.executable, "-m", "bench._serve", *self._args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=Path(__file__).resolve().parent.parent,
        )
        assert process.stdout is not None
        # READY, or EOF if the server died; a hung start-up fails after the timeout.
        ready, _, _ = select.select([process.stdout], [], [], _STARTUP_TIMEOUT)
        line = process.stdout.readline() if ready else ""
        if not line.startswith("READY "):
            self.stop()
            raise RuntimeError(f"bench server {self._args[0]} did not start: {line!r}")
        self.base_url = line.split()[1]
        return self

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        if process.stdin is not None:
            process.stdin.close()  # the server's signal to exit
        try:
            process.wait(_STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.terminate()
            try:
                process.wait(_STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if process.stdout is not None:
            process.stdout.close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
