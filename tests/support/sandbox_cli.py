"""`debtcore sandbox` as a separate process, for tests that need the real command line."""

from __future__ import annotations

import os
import re
import signal
import ssl
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

DEBTCORE = Path(sys.executable).with_name("debtcore")
URL_LINE = re.compile(r"listening on (https?://127\.0\.0\.1:\d+)")
TENANT = "8797fa3f-ba90-4187-97fb-6ab892ea9035"
CLIENT_ID = "local-client"
SCOPE = "api://aba793eb-f395-4f86-be59-7a7d0c1bfdb0/.default"
OFFER_QUERY = 'query { getOffer(ogId: "og-offer-123456") { data { id } } }'


@contextmanager
def cli_sandbox(
    args: list[str], env: dict[str, str] | None = None, *, forbidden: tuple[str, ...] = ()
) -> Iterator[tuple[str, str]]:
    """The CLI sandbox on a free port: yields (base URL, banner); then stops it with SIGINT and
    checks it exited cleanly without printing any of ``forbidden``."""
    process = subprocess.Popen(
        [str(DEBTCORE), "sandbox", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})},
    )
    try:
        assert process.stdout is not None
        lines: list[str] = []
        for line in process.stdout:
            lines.append(line)
            if line.startswith("Press Ctrl+C"):
                break
        banner = "".join(lines)
        match = URL_LINE.search(banner)
        assert match, banner + (process.stderr.read() if process.stderr else "")
        yield match.group(1), banner
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=15)
        assert process.returncode == 0, err
        for secret in forbidden:
            assert secret not in banner + out + err
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)


class CliSandbox:
    """A running `debtcore sandbox --tls` process: its URL and the CA file it wrote."""

    def __init__(self, base_url: str, ca_file: Path, certificate_path: Path) -> None:
        self.base_url = base_url
        self.ca_file = str(ca_file)
        self.certificate_path = certificate_path  # key and certificate the sandbox accepts

    def accepts(self, token: str) -> bool:
        """Whether the sandbox's services take ``token`` (a token it issued, still valid)."""
        response = httpx.post(
            f"{self.base_url}/og-service/graphql",
            json={"query": OFFER_QUERY},
            headers={"Authorization": f"Bearer {token}"},
            verify=ssl.create_default_context(cafile=self.ca_file),
        )
        if response.status_code != 200:
            return False
        return response.json()["data"]["getOffer"]["data"]["id"] == "og-offer-123456"
