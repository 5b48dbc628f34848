"""``debtcore demo``: the full enrollment flow, against the embedded sandbox unless credentials
are set (then against the real environment, through the same code path)."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from contextlib import ExitStack

from .._client import ENV_CLIENT_ID, ENV_CLIENT_SECRET, ENV_ENVIRONMENT, AsyncDebtCore
from ..errors import DebtCoreError
from . import Command
from ._demo import run_enrollment_flow


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--environment",
        choices=("sandbox", "production"),
        default=None,
        help=f"with credentials set: which environment (default: ${ENV_ENVIRONMENT}, else sandbox)",
    )


def _say(line: str) -> None:
    print(line, flush=True)


async def _run(debtcore: AsyncDebtCore) -> None:
    async with debtcore:
        await run_enrollment_flow(debtcore, _say)


def run(args: argparse.Namespace) -> int:
    environ = dict(os.environ)
    if args.environment:
        environ[ENV_ENVIRONMENT] = args.environment
    with ExitStack() as stack:
        try:
            if environ.get(ENV_CLIENT_ID) or environ.get(ENV_CLIENT_SECRET):
                debtcore = AsyncDebtCore.from_env(environ=environ)
                env = debtcore.environment
                _say(f"Running against {env.name} ({env.api_base_url})")
            else:
                from ..sandbox import SandboxServer  # the sandbox extra

                server = stack.enter_context(SandboxServer())
                _say(
                    f"No {ENV_CLIENT_ID}/{ENV_CLIENT_SECRET} set: running against the embedded "
                    f"sandbox at {server.base_url}"
                )
                debtcore = AsyncDebtCore(
                    client_id=server.state.tokens.client_id,
                    client_secret=server.state.tokens.client_secret,
                    environment=server.environment,
                )
            asyncio.run(_run(debtcore))
        except (DebtCoreError, TimeoutError) as error:
            print(f"demo failed: {type(error).__name__}: {error}", file=sys.stderr)
            return 1
    _say("Done: the applicant is enrolled.")
    return 0


COMMAND = Command(
    name="demo",
    help="run the full enrollment flow step by step",
    description="Pull a credit report, check eligibility, price and save an offer, enroll and "
    f"poll the enrollment. Without {ENV_CLIENT_ID} and {ENV_CLIENT_SECRET} it starts the local "
    "sandbox on a free loopback port and runs against it.",
    configure=configure,
    run=run,
)
