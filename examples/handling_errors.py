"""What failures look like: business errors in payloads, typed HTTP errors, request ids.

python examples/handling_errors.py      # with ALLEVIATE_* set, as for quickstart.py
"""

from __future__ import annotations

import asyncio

from alleviate_debtcore import (
    APIError,
    AsyncDebtCore,
    CredentialError,
    PayloadError,
    unwrap,
)
from alleviate_debtcore.offers import OffersInput


async def main() -> None:
    async with AsyncDebtCore.from_env(max_retries=1) as debtcore:
        # The API reports business failures inside the payload; unwrap() raises them.
        try:
            unwrap(
                (
                    await debtcore.offers.offers(
                        input=OffersInput(
                            uw_result_id="no-such-review", first_payment_date="2020-01-01"
                        )
                    )
                ).offers
            )
        except PayloadError as error:
            print(f"business error: {error.messages}")
        # Transport, HTTP and GraphQL failures raise typed APIError subclasses with request ids;
        # token failures raise CredentialError subclasses with the Entra error code.
        try:
            await debtcore.enrollment.enrollment_status(enrollment_id="unknown", timeout=5)
        except CredentialError as error:
            print(f"token problem: {error.oauth_error} {error.aadsts_code}: {error}")
        except APIError as error:
            print(f"{type(error).__name__} (request id {error.request_id}): {error}")


if __name__ == "__main__":
    asyncio.run(main())
