"""What failures look like: business errors in payloads, typed HTTP errors, request ids.

python examples/handling_errors.py      # with ALLEVIATE_* set, as for quickstart.py
"""

from __future__ import annotations

import asyncio
from typing import Any

from alleviate_debtcore import (
    APIError,
    AsyncDebtCore,
    CredentialError,
    InputValidationError,
    NotFoundError,
    PayloadError,
)


async def main() -> None:
    async with AsyncDebtCore.from_env(max_retries=1) as debtcore:
        # Arguments are checked before anything is sent: field paths and reasons, never values.
        untrusted: Any = {"credit_report_id": "cr-1", "color": "blue"}  # e.g. from a web form
        try:
            await debtcore.credit.credit_report(input=untrusted)
        except InputValidationError as error:
            print(f"rejected before sending: {[str(e) for e in error.errors]}")
        # The API reports business failures inside the payload; the methods raise them.
        try:
            await debtcore.offers.offers(
                uw_result_id="no-such-review", first_payment_date="2020-01-01"
            )
        except PayloadError as error:
            # str(error) has the values this call sent removed; error.messages is the server's
            # answer as it came, which may quote them: don't log it.
            print(f"business error: {error} (request id {error.request_id})")
        # Transport, HTTP and GraphQL failures raise typed APIError subclasses with request ids;
        # token failures raise CredentialError subclasses with the Entra error code.
        try:
            await debtcore.enrollment.enrollment_status("unknown", timeout=5)
        except NotFoundError as error:  # a PayloadError: the API answered, no such enrollment
            print(f"not found (request id {error.request_id}): {error}")
        except PayloadError as error:
            print(f"business error: {error} (request id {error.request_id})")
        except CredentialError as error:
            print(f"token problem: {error.oauth_error} {error.aadsts_code}: {error}")
        except APIError as error:
            print(f"{type(error).__name__} (request id {error.request_id}): {error}")


if __name__ == "__main__":
    asyncio.run(main())
