"""Run by tests/auth/test_microsoft_libraries.py in a fresh interpreter: AsyncDebtCore driven by
azure.identity.aio.ClientSecretCredential against an HTTPS sandbox, through a token revocation.

The sandbox's CA is written to $SSL_CERT_FILE before azure-identity (aiohttp) is imported, so the
libraries trust it the usual way. Prints one JSON line with what happened.
"""

from __future__ import annotations

import asyncio
import json
import os

from alleviate_debtcore import AsyncDebtCore
from alleviate_debtcore.sandbox import SandboxServer


async def main(server: SandboxServer) -> dict[str, object]:
    from azure.identity.aio import ClientSecretCredential

    tokens = server.state.tokens
    credential = ClientSecretCredential(
        tokens.tenant_id,
        tokens.client_id,
        tokens.client_secret,
        authority=server.base_url,
        disable_instance_discovery=True,
    )
    calls: list[str] = []
    async with (
        credential,
        AsyncDebtCore(credential=credential, environment=server.environment) as debtcore,
    ):
        for step in ("first", "second"):
            offer = await debtcore.offers.get_offer("og-offer-123456")
            calls.append(f"{step}:{offer is not None}")
        before_revoke = server.state.http_requests["token"]
        server.state.revoke_tokens()
        offer = await debtcore.offers.get_offer("og-offer-123456")
        calls.append(f"after-revoke:{offer is not None}")
        after_revoke = server.state.http_requests["token"]
    return {
        "calls": calls,
        "tokens_before_revoke": before_revoke,
        "tokens_after_revoke": after_revoke,
    }


if __name__ == "__main__":
    with SandboxServer(tls=True, ca_file=os.environ["SSL_CERT_FILE"]) as running:
        print(json.dumps(asyncio.run(main(running))))
