"""A local sandbox that behaves like the Alleviate Debt Core API, for demos and end-to-end tests.

It serves an Entra-style token endpoint and the four GraphQL services on one base URL, keeps
everything in memory, and derives every pseudo-random value from a sha256 of the inputs, so the
same requests against a fresh server give the same answers. Nothing here is Alleviate's real
logic: the rules and magic values below are the sandbox's own, documented so tests can rely on
them. They live in ``_constants.py``.

Use it in-process (``alleviate_debtcore.testing``: its client reaches ``create_app()`` through
``InProcessTransport``), in a background thread
(``with SandboxServer() as server: server.base_url``), or from the shell (``debtcore sandbox``).

Endpoints (``SERVICE_PATHS``; underwriting also at ``LEGACY_UNDERWRITING_PATH``):
    POST /{tenant}/oauth2/v2.0/token     client credentials; tenant ALLEVIATE_TENANT_ID
    POST /credit-service/graphql, /eligibility-review-service/graphql, /og-service/graphql,
         /enrollment-service/graphql     bearer token required; introspection on
    GET  /healthz, GET /                 liveness, endpoint index

Tokens: client ``local-client`` / secret ``local-secret`` (configurable), scope
``api://{SANDBOX_APP_ID}/.default``, lifetime 3599 s. Errors are Entra-shaped (``error``,
``error_description`` starting ``AADSTSnnnn:``, ``error_codes``, ``timestamp``, ``trace_id``,
``correlation_id``): unknown tenant 400 invalid_request AADSTS90002; missing parameter 400
invalid_request AADSTS900144; grant type other than client_credentials 400 unsupported_grant_type
AADSTS70003; unknown client 400 unauthorized_client AADSTS700016; missing secret 401 invalid_client
AADSTS7000218; wrong secret 401 invalid_client AADSTS7000215; other scope 400 invalid_scope
AADSTS70011. Tokens are HS256 JWTs (key random per app) with aud ``api://{app id}``, iss
``https://sts.windows.net/{tenant}/``, tid, appid, iat, nbf, exp, jti. A missing, forged,
expired, foreign-audience or revoked token gets HTTP 401 with
``WWW-Authenticate: Bearer error="invalid_token", error_description="..."``.

HTTP: every response has an ``x-request-id`` (a UUID). A request that fails GraphQL parsing,
validation or variable coercion gets HTTP 400 with top-level ``errors`` and no ``data``
(ariadne's behaviour); once execution starts the answer is HTTP 200. Business errors are in each
payload's ``errors``, messages reading ``CODE: detail`` (offers' date error also sends the bare
``INVALID_FIRST_PAYMENT_DATE`` first, as the docs show); codes include VALIDATION_ERROR,
NOT_FOUND, STALE_REVISION, CONSENT_REQUIRED, OTP_INCORRECT, UNDERWRITING_NOT_PASSED, PLAN_REQUIRED.

Docs fixtures (``create_app(docs_fixtures=True)``, the default) preload what the docs examples
name: reports ``cr-abc123def456`` and ``cr-xyz789`` of contact ``contact-12345``, review
``uw-xyz789`` (revisions 1 and 2), offers ``og-offer-123456`` and
``0195e1d8-7f3a-7000-8000-000000000001``, enrollment ``enroll-abc123xyz``, creditors ``cred-001``
to ``cred-003``, and a pending SMS code and KBA questions for ``contact-12345``.

Faults (``Faults``, or ``debtcore sandbox`` flags): latency, failing token requests (503 or 429
with Retry-After), failing service requests (5xx or 429, not executed), lost responses
(executed, then 502), ``state.revoke_tokens()``. ``state.executions`` records each executed root
field with its ``x-client-request-id``; ``repeated_mutations()`` should stay empty. Scripted
outcomes (``Scenarios``, which ``alleviate_debtcore.testing`` drives): a chosen credit file and
report status per applicant, a failing enrollment step, per-operation faults.

Connections (``ConnectionBounds``, served by ``SandboxServer`` and ``debtcore sandbox``): an idle
keep-alive connection is closed after 5 s, one whose request head is not complete 10 s after it
opened (or after the previous response) or whose body is not complete 30 s after the head is
closed too, so idle or trickling clients cannot hold connections for ever.

Limits (``RequestLimits``): bodies over 4 MiB get 413; documents over 15,000 tokens, nesting 32
or 5,000 fields (fragments expanded) get 400 GRAPHQL_VALIDATION_FAILED, JSON nested over 64
levels 400 BAD_REQUEST, as Apollo Server answers. The document cache and the execution and
request logs are bounded; the request log redacts applicant fields.

Business rules (one source, ``_rulebook``; the docs' table is generated from it too):

"""

from typing import TYPE_CHECKING, Any

from . import _rulebook
from ._app import SandboxApp, create_app
from ._faults import Faults
from ._limits import RequestLimits
from ._scenarios import CreditFile, OperationFault, Scenarios
from ._state import Execution, ExecutionLog, ReceivedRequest, RequestLog, SandboxState
from ._token_issuer import InvalidTokenError, TokenIssuer

if TYPE_CHECKING:
    from ._server import ConnectionBounds, SandboxServer, serve_forever

__doc__ = (__doc__ or "") + _rulebook.as_text()


def __getattr__(name: str) -> Any:
    # The server needs uvicorn; the in-process sandbox (alleviate_debtcore.testing) does not.
    if name in ("ConnectionBounds", "SandboxServer", "serve_forever"):
        from . import _server

        return getattr(_server, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "ConnectionBounds",
    "CreditFile",
    "Execution",
    "ExecutionLog",
    "Faults",
    "InvalidTokenError",
    "OperationFault",
    "ReceivedRequest",
    "RequestLimits",
    "RequestLog",
    "SandboxApp",
    "SandboxServer",
    "SandboxState",
    "Scenarios",
    "TokenIssuer",
    "create_app",
    "serve_forever",
]
