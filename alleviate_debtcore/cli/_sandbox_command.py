"""``debtcore sandbox``: run the local sandbox in the foreground until Ctrl+C or SIGTERM."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from .._environment import (
    LEGACY_UNDERWRITING_PATH,
    SERVICE_PATHS,
    SERVICES,
    is_loopback,
    token_url,
)
from ..sandbox import Faults, SandboxApp, create_app, serve_forever
from ..sandbox._assertion_checks import FEDERATED_AUDIENCE, FederatedCredential, load_public_key
from ..sandbox._constants import (
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    DEFAULT_TOKEN_LIFETIME,
    SMS_PASS_CODE,
)
from . import Command
from ._argparse_helpers import port

DEFAULT_PORT = 8765
# The secret can come from here instead of the command line, where `ps` would show it.
SECRET_ENV = "DEBTCORE_SANDBOX_CLIENT_SECRET"


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
    parser.add_argument("--port", type=port, default=DEFAULT_PORT, help="0: any free port")
    parser.add_argument("--client-id", default=DEFAULT_CLIENT_ID, help="client_id to accept")
    secret = parser.add_mutually_exclusive_group()
    secret.add_argument(
        "--client-secret",
        default=None,
        help=f"secret to accept (visible in `ps`: prefer ${SECRET_ENV} or --client-secret-file)",
    )
    secret.add_argument(
        "--client-secret-file", type=Path, metavar="PATH", help="read the secret from this file"
    )
    tls = parser.add_argument_group("TLS and client certificates")
    tls.add_argument("--tls", action="store_true", help="serve HTTPS with a generated certificate")
    tls.add_argument(
        "--ca-file",
        type=Path,
        metavar="PATH",
        help="write the CA certificate clients should trust here (implies --tls)",
    )
    tls.add_argument(
        "--client-certificate",
        type=Path,
        action="append",
        default=[],
        metavar="PATH",
        help="PEM certificate registered for the client id (client assertions); repeatable",
    )
    tls.add_argument(
        "--federated-issuer", metavar="URL", help="federated credential: the issuer to trust"
    )
    tls.add_argument("--federated-subject", help="federated credential: the subject to accept")
    tls.add_argument(
        "--federated-key",
        type=Path,
        metavar="PATH",
        help="federated credential: the issuer's PEM public key or certificate",
    )
    tls.add_argument(
        "--federated-audience",
        default=FEDERATED_AUDIENCE,
        help=f"federated credential: the audience (default {FEDERATED_AUDIENCE})",
    )
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


def _banner(app: SandboxApp, base_url: str, ca_file: Path | None) -> str:
    tokens = app.sandbox.tokens
    services = "\n".join(
        f"  {service:<13} {base_url}{SERVICE_PATHS[service]}" for service in SERVICES
    )
    # The built-in secret is documented; one the user chose is never printed.
    secret = (
        tokens.client_secret
        if tokens.client_secret == DEFAULT_CLIENT_SECRET
        else "<the secret you configured>"
    )
    trust = (
        f"""
Trust its certificate authority:
  export SSL_CERT_FILE={ca_file} REQUESTS_CA_BUNDLE={ca_file} NODE_EXTRA_CA_CERTS={ca_file}
"""
        if ca_file is not None
        else ""
    )
    return f"""Alleviate Debt Core sandbox listening on {base_url}
  token         {token_url(base_url, tokens.tenant_id)}
{services}
  (legacy)      {base_url}{LEGACY_UNDERWRITING_PATH}

Accepts client_id={tokens.client_id} client_secret={secret}
        scope={tokens.scope} (tokens last {tokens.lifetime} s)
SMS code {SMS_PASS_CODE} passes; see `pydoc alleviate_debtcore.sandbox` for the other magic values.
{trust}
Point the client at it:
  export ALLEVIATE_BASE_URL={base_url}
  export ALLEVIATE_CLIENT_ID={tokens.client_id}
  export ALLEVIATE_CLIENT_SECRET={secret}

Press Ctrl+C to stop."""


def _client_secret(args: argparse.Namespace) -> str:
    secret: str
    if args.client_secret_file is not None:
        secret = Path(args.client_secret_file).read_text(encoding="utf-8").strip()
    else:
        secret = args.client_secret or os.environ.get(SECRET_ENV) or DEFAULT_CLIENT_SECRET
    if not secret:
        raise ValueError("the client secret is empty")
    return secret


def _register_client_credentials(app: SandboxApp, args: argparse.Namespace) -> None:
    """``--client-certificate`` and ``--federated-*``; ValueError/OSError when unusable."""
    assertions = app.sandbox.tokens.assertions
    for path in args.client_certificate:
        assertions.register_certificate(path.read_bytes())
    federated = (args.federated_issuer, args.federated_subject, args.federated_key)
    if any(value is not None for value in federated):
        if not all(value is not None for value in federated):
            raise ValueError(
                "a federated credential needs --federated-issuer, --federated-subject and "
                "--federated-key"
            )
        assertions.register_federated(
            FederatedCredential(
                issuer=args.federated_issuer,
                subject=args.federated_subject,
                key=load_public_key(args.federated_key.read_bytes()),
                audience=args.federated_audience,
            )
        )


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
    try:
        app = create_app(
            client_id=args.client_id,
            client_secret=_client_secret(args),
            token_lifetime=args.token_lifetime,
            faults=faults,
            docs_fixtures=not args.no_docs_fixtures,
        )
        _register_client_credentials(app, args)
    except (OSError, ValueError) as error:
        # Messages name files and reasons; never the secret (only the file that holds it).
        print(f"debtcore sandbox: {type(error).__name__}: {error}", file=sys.stderr)
        return 2
    tls = None
    if args.tls or args.ca_file is not None:
        from ..sandbox._tls import generate_tls

        tls = generate_tls(args.ca_file)

    def ready(base_url: str) -> None:
        ca_file: Path | None = args.ca_file or (tls.ca_file if tls is not None else None)
        print(_banner(app, base_url, ca_file), flush=True)

    try:
        serve_forever(
            app,
            host=args.host,
            port=args.port,
            access_log=args.access_log,
            on_ready=ready,
            tls=tls,
        )
    except OSError as error:
        print(
            f"debtcore sandbox: cannot listen on {args.host}:{args.port}: {error}", file=sys.stderr
        )
        return 1
    finally:
        if tls is not None:
            tls.remove()
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
