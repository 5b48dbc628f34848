"""Pull a credit report, read it back by id and list its debts.

export ALLEVIATE_CLIENT_ID=... ALLEVIATE_CLIENT_SECRET=...   # or run `debtcore sandbox`
python examples/quickstart.py
"""

from __future__ import annotations

import asyncio

from alleviate_debtcore import AsyncDebtCore


async def main() -> None:
    async with AsyncDebtCore.from_env() as debtcore:
        pulled = await debtcore.credit.pull_credit_report(
            credit_report_source="CRS_TRANSUNION",
            req_org_contact_id="your-contact-id",
            first_name="TAMMY",
            last_name="KERR",
            address_line1="1511 W KIRBY AVE",
            city="CHAMPAIGN",
            state="IL",
            zip="618215541",
        )
        # Read it back by id, as a later process would; wait until the bureau has answered.
        report = await debtcore.credit.wait_for_credit_report(pulled.credit_report_id)
        print(f"report {report.id}: status {report.report_status}")
        for debt in report.debts or []:
            if debt is not None:
                balance = debt.current_balance or 0.0
                print(f"  {debt.creditor_name}: {debt.account_type} ${balance:,.2f}")


if __name__ == "__main__":
    asyncio.run(main())
