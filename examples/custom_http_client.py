"""Bring your own httpx client and credential object, with logging switched on.

The client never closes an ``http_client`` you pass; ``EntraAuth`` works with any credential that
follows ``alleviate_debtcore.auth.TokenCredential``.

    python examples/custom_http_client.py   # with ALLEVIATE_* set, as for quickstart.py
"""

from __future__ import annotations

import asyncio
import logging
import os

import httpx

from alleviate_debtcore import AsyncDebtCore, Environment
from alleviate_debtcore.auth import ClientSecretCredential, EntraAuth


async def main() -> None:
    logging.basicConfig(level=logging.INFO)  # the package logs nothing unless configured
    base_url = os.environ.get("ALLEVIATE_BASE_URL")
    environment = Environment.local(base_url) if base_url else Environment.SANDBOX
    credential = ClientSecretCredential(
        tenant_id=environment.tenant_id,
        client_id=os.environ["ALLEVIATE_CLIENT_ID"],
        client_secret=os.environ["ALLEVIATE_CLIENT_SECRET"],
        authority=environment.authority,
    )
    auth = EntraAuth(credential, scope=environment.scope)
    limits = httpx.Limits(max_connections=20)
    async with httpx.AsyncClient(limits=limits) as http_client:
        debtcore = AsyncDebtCore(
            auth=auth, environment=environment, http_client=http_client, timeout=10.0
        )
        plan = await debtcore.offers.enrollment_plan(primary_applicant_state="GA")
        print(f"servicing company for GA: {plan.servicing_company}")
        await debtcore.aclose()  # leaves http_client open: it is ours
    await auth.aclose()


if __name__ == "__main__":
    asyncio.run(main())
