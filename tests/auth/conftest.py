"""Shared fixtures for tests/auth: one `debtcore sandbox --tls` process for the Microsoft-library
tests, with a client certificate registered."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.certificates import ClientCertificate
from tests.support.sandbox_cli import CliSandbox, cli_sandbox


@pytest.fixture(scope="session")
def tls_cli_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CliSandbox]:
    folder = tmp_path_factory.mktemp("cli-sandbox")
    client = ClientCertificate("microsoft-libraries")
    registered = folder / "registered.pem"
    registered.write_bytes(client.certificate_pem)
    ca_file = folder / "ca.pem"
    args = ["--tls", "--ca-file", str(ca_file), "--client-certificate", str(registered)]
    with cli_sandbox(args) as (base_url, _banner):
        yield CliSandbox(base_url, ca_file, client.write_pem(folder / "client.pem"))
