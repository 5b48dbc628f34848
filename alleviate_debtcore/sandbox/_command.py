"""``debtcore sandbox``: run the local sandbox in the foreground until Ctrl+C or SIGTERM."""

from __future__ import annotations

import argparse
import logging
import sys

from .._cli import Command
from .._environment import LEGACY_UNDERWRITING_PATH, SERVICE_PATHS, SERVICES, is_loopback
from ._app import SandboxApp, create_app
from ._constants import (
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    DEFAULT_TOKEN_LIFETIME,
    SMS_PASS_CODE,
)
from ._faults import Faults
from ._server import serve_forever

DEFAULT_PORT = 8765


def _non_negative_int(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError("must not be negative")
    return value


def _non_negative_float(text: str) -> float:
    value = float(text)
    if value < 0:
        raise argparse.ArgumentTypeError("must not be negative")
    return value


def _positive_int(text: str) -> int:
    value = int(text)
    if value <= 0:
        raise argparse.ArgumentTypeError("must be positive")
    return value


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (loopback)")
    parser.add_argument("--port", type=_non_negative_int, default=DEFAULT_PORT, help="0: any free")
    parser.add_argument("--client-id", default=DEFAULT_CLIENT_ID, help="client_id to accept")
    parser.add_argument("--client-secret", default=DEFAULT_CLIENT_SECRET, help="secret to accept")
    parser.add_argument(
        "--token-lifetime",
        type=_positive_int,
        default=DEFAULT_TOKEN_LIFETIME,
        metavar="S",
        help="access-token lifetime in seconds",
    )
    parser.add_argument(
        "--no-docs-fixtures",
        action="store_true",
        help="start empty, without the records the docs examples refer to",
    )
    parser.add_argument("--access-log", action="store_true", help="log one line per request")
    faults = parser.add_argument_group("fault injection")
    faults.add_argument(
        "--latency", type=_non_negative_float, default=0.0, metavar="S", help="delay per request"
    )
    faults.add_argument(
        "--fail-token-requests",
        type=_non_negative_int,
        default=0,
        metavar="N",
        help="fail the next N token requests",
    )
    faults.add_argument(
        "--token-failure-status",
        type=int,
        choices=(429, 500, 503),
        default=503,
        help="status of failed token requests",
    )
    faults.add_argument(
        "--fail-service-requests",
        type=_non_negative_int,
        default=0,
        metavar="N",
        help="fail the next N GraphQL requests without executing them",
    )
    faults.add_argument(
        "--service-failure-status",
        type=int,
        choices=(429, 500, 502, 503, 504),
        default=503,
        help="status of failed GraphQL requests",
    )
    faults.add_argument(
        "--lose-responses",
        type=_non_negative_int,
        default=0,
        metavar="N",
        help="execute the next N GraphQL requests, then answer 502",
    )
    faults.add_argument(
        "--retry-after",
        type=_non_negative_int,
        default=1,
        metavar="S",
        help="Retry-After seconds sent with 429",
    )


def _banner(app: SandboxApp, base_url: str) -> str:
    tokens = app.sandbox.tokens
    services = "\n".join(
        f"  {service:<13} {base_url}{SERVICE_PATHS[service]}" for service in SERVICES
    )
    return f"""Alleviate Debt Core sandbox listening on {base_url}
  token         {base_url}/{tokens.tenant_id}/oauth2/v2.0/token
{services}
  (legacy)      {base_url}{LEGACY_UNDERWRITING_PATH}

Accepts client_id={tokens.client_id} client_secret={tokens.client_secret}
        scope={tokens.scope} (tokens last {tokens.lifetime} s)
SMS code {SMS_PASS_CODE} passes; see `pydoc alleviate_debtcore.sandbox` for the other magic values.

Point the client at it:
  export ALLEVIATE_BASE_URL={base_url}
  export ALLEVIATE_CLIENT_ID={tokens.client_id}
  export ALLEVIATE_CLIENT_SECRET={tokens.client_secret}

Press Ctrl+C to stop."""


def run(args: argparse.Namespace) -> int:
    logging.basicConfig(level=logging.INFO if args.access_log else logging.WARNING)
    try:
        faults = Faults(
            latency=args.latency,
            token_failures=args.fail_token_requests,
            token_failure_status=args.token_failure_status,
            service_failures=args.fail_service_requests,
            service_failure_status=args.service_failure_status,
            lost_responses=args.lose_responses,
            retry_after=args.retry_after,
        )
    except ValueError as error:
        print(f"debtcore sandbox: {error}", file=sys.stderr)
        return 2
    if not is_loopback(args.host):
        print(
            f"warning: binding {args.host}, not loopback: anyone who can reach it can use it",
            file=sys.stderr,
        )
    app = create_app(
        client_id=args.client_id,
        client_secret=args.client_secret,
        token_lifetime=args.token_lifetime,
        faults=faults,
        docs_fixtures=not args.no_docs_fixtures,
    )

    def ready(base_url: str) -> None:
        print(_banner(app, base_url), flush=True)

    try:
        serve_forever(
            app, host=args.host, port=args.port, access_log=args.access_log, on_ready=ready
        )
    except OSError as error:
        print(
            f"debtcore sandbox: cannot listen on {args.host}:{args.port}: {error}", file=sys.stderr
        )
        return 1
    print("Sandbox stopped.", flush=True)
    return 0


COMMAND = Command(
    name="sandbox",
    help="run the local Debt Core sandbox server",
    description="Run a local server that behaves like the Debt Core API (token endpoint and the "
    "four GraphQL services), with in-memory data and optional fault injection.",
    configure=configure,
    run=run,
)
