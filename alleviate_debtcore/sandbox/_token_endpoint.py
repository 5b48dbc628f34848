"""The Entra-compatible endpoints: the client-credentials token endpoint and OIDC discovery.

What Microsoft's libraries see matches Entra ID closely enough for them to work unpatched:

- ``GET /{tenant}/v2.0/.well-known/openid-configuration`` (and the v1 path): MSAL (Python and
  Node) fetch it before the first token request, to find ``token_endpoint``.
- ``POST /{tenant}/oauth2/v2.0/token``: the client authenticates with ``client_secret`` in the
  form, HTTP Basic (RFC 6749 2.3.1), or a ``client_assertion`` (certificate or federated); Entra's
  error shapes and AADSTS codes; ``client-request-id`` (header, query, or azure-core's
  ``x-ms-client-request-id``) becomes the correlation id and is echoed; every answer carries
  ``x-ms-request-id`` (the trace id); ``refresh_in`` on tokens that live two hours or more.
"""

from __future__ import annotations

import base64
import binascii
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, unquote

from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ._assertion_checks import AssertionRejected

if TYPE_CHECKING:
    from ._state import SandboxState
    from ._token_issuer import TokenIssuer

__all__ = ["token_routes"]

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
_NO_CACHE = {"Cache-Control": "no-store, no-cache", "Pragma": "no-cache"}
_MAX_FORM = 64 * 1024  # a client assertion is a few KB; Entra rejects far smaller bodies too
_LONG_LIVED = 7200  # Entra sends refresh_in (half the lifetime) on tokens this long or longer


class _Call:
    """One request's ids: the correlation id (the caller's GUID or ours) and the trace id."""

    def __init__(self, request: Request) -> None:
        given = (
            request.headers.get("client-request-id")
            or request.query_params.get("client-request-id")
            or request.headers.get("x-ms-client-request-id")
            or ""
        )
        self.echo = given[:64] if given.isprintable() else ""
        try:
            self.correlation_id = str(uuid.UUID(given))  # Entra adopts a GUID as correlation id
        except ValueError:
            self.correlation_id = str(uuid.uuid4())
        self.trace_id = str(uuid.uuid4())

    def headers(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        headers = {**_NO_CACHE, "x-ms-request-id": self.trace_id, **(extra or {})}
        if self.echo:
            headers["client-request-id"] = self.echo
        return headers

    def error(
        self,
        status: int,
        error: str,
        code: int,
        text: str,
        *,
        headers: Mapping[str, str] | None = None,
    ) -> JSONResponse:
        """An error body shaped like Entra's, ids and timestamp "\\r\\n"-separated."""
        stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%SZ")
        description = (
            f"AADSTS{code}: {text}\r\nTrace ID: {self.trace_id}\r\n"
            f"Correlation ID: {self.correlation_id}\r\nTimestamp: {stamp}"
        )
        body = {
            "error": error,
            "error_description": description,
            "error_codes": [code],
            "timestamp": stamp,
            "trace_id": self.trace_id,
            "correlation_id": self.correlation_id,
            "error_uri": f"https://login.microsoftonline.com/error?code={code}",
        }
        return JSONResponse(body, status_code=status, headers=self.headers(headers))

    def missing(self, name: str) -> JSONResponse:
        return self.error(
            400,
            "invalid_request",
            900144,
            f"The request body must contain the following parameter: '{name}'.",
        )


def _basic_credentials(request: Request) -> tuple[str, str] | None:
    """``(client_id, secret)`` from ``Authorization: Basic``, form-urlencoded as RFC 6749 says."""
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic" or not value:
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        return None
    client_id, separator, secret = decoded.partition(":")
    return (unquote(client_id), unquote(secret)) if separator else None


def _tenant_error(call: _Call, tenant: str) -> JSONResponse:
    return call.error(
        400,
        "invalid_request",
        90002,
        f"Tenant '{tenant[:64]}' not found. Check to make sure you have the correct tenant ID "
        "and are signing into the correct cloud.",
    )


def _resource_of(scope: str) -> str | None:
    """The resource a ``<resource>/.default`` scope names, or None for any other scope."""
    if " " in scope.strip() or not scope.endswith("/.default"):
        return None
    return scope.removesuffix("/.default")


async def _read_form(request: Request) -> dict[str, str] | None:
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > _MAX_FORM:
            return None
    parsed = parse_qs(body.decode("utf-8", errors="replace"), keep_blank_values=True)
    return {key: values[0] for key, values in parsed.items()}


def _authenticate(
    call: _Call, request: Request, form: dict[str, str], issuer: TokenIssuer
) -> JSONResponse | None:
    """None when the client proved who it is; otherwise Entra's refusal."""
    client_id = form.get("client_id", "")
    secret = form.get("client_secret")
    assertion = form.get("client_assertion")
    if assertion:
        kind = form.get("client_assertion_type")
        if not kind:
            return call.missing("client_assertion_type")
        if kind != ASSERTION_TYPE:
            return call.error(
                400,
                "invalid_request",
                50027,
                f"Invalid JWT token. The client_assertion_type must be {ASSERTION_TYPE}.",
            )
        base = str(request.base_url).rstrip("/")
        token_urls = (
            f"{base}/{issuer.tenant_id}/oauth2/v2.0/token",
            f"{base}/{issuer.tenant_id}/oauth2/token",
        )
        try:
            issuer.assertions.verify(
                assertion, client_id=client_id, token_urls=token_urls, now=issuer.now()
            )
        except AssertionRejected as rejected:
            return call.error(401, rejected.error, rejected.code, rejected.text)
        return None
    if not secret:
        return call.error(
            401,
            "invalid_client",
            7000218,
            "The request body must contain the following parameter: 'client_assertion' or "
            "'client_secret'.",
        )
    if not issuer.secret_matches(secret):
        return call.error(
            401,
            "invalid_client",
            7000215,
            "Invalid client secret provided. Ensure the secret being sent in the request is the "
            f"client secret value, not the client secret ID, for a secret added to app "
            f"'{issuer.client_id}'.",
        )
    return None


async def token_endpoint(request: Request) -> Response:
    """``POST /{tenant}/oauth2/v2.0/token`` with a client-credentials form."""
    sandbox: SandboxState = request.app.state.sandbox
    sandbox.count_request("token")
    issuer = sandbox.tokens
    call = _Call(request)

    failure = sandbox.faults.take_token_failure()
    if failure is not None:
        retry = {"Retry-After": str(sandbox.faults.retry_after)} if failure == 429 else None
        return call.error(
            failure,
            "temporarily_unavailable",
            90033,
            "A transient error has occurred. Please try again.",
            headers=retry,
        )

    tenant = request.path_params["tenant"]
    if tenant != issuer.tenant_id:
        return _tenant_error(call, tenant)

    try:
        form = await _read_form(request)
    except ClientDisconnect:
        # The client left mid-body, or its connection outlived the body bound (_server): nobody
        # reads an answer, and a traceback in the sandbox's log would alarm for nothing.
        return Response(status_code=400)
    if form is None:
        return call.error(400, "invalid_request", 90014, "The request body is too large.")
    basic = _basic_credentials(request)
    if basic is not None:
        if form.get("client_id", basic[0]) != basic[0]:
            return call.error(
                400,
                "invalid_request",
                900144,
                "The client_id in the form differs from the one in the Authorization header.",
            )
        form = {**form, "client_id": basic[0], "client_secret": basic[1]}

    grant_type = form.get("grant_type")
    if not grant_type:
        return call.missing("grant_type")
    if grant_type != "client_credentials":
        return call.error(
            400,
            "unsupported_grant_type",
            70003,
            f"The app requested an unsupported grant type '{grant_type[:64]}'.",
        )

    client_id = form.get("client_id")
    if not client_id:
        return call.missing("client_id")
    if client_id != issuer.client_id:
        return call.error(
            400,
            "unauthorized_client",
            700016,
            f"Application with identifier '{client_id[:64]}' was not found in the directory "
            f"'{issuer.tenant_id}'. This can happen if the application has not been installed "
            "by the administrator of the tenant.",
        )

    refused = _authenticate(call, request, form, issuer)
    if refused is not None:
        return refused

    scope = form.get("scope")
    if not scope:
        return call.missing("scope")
    resource = _resource_of(scope)
    if resource is None:
        return call.error(
            400,
            "invalid_scope",
            70011,
            "The provided request must include a 'scope' input parameter. The provided value "
            f"for the input parameter 'scope' is not valid. The scope {scope[:128]} is not "
            f"valid. Use {issuer.scope}.",
        )
    if resource not in (issuer.audience, issuer.app_id):
        return call.error(
            400,
            "invalid_resource",
            500011,
            f"The resource principal named {resource[:128]} was not found in the tenant named "
            f"{issuer.tenant_id}. This can happen if the application has not been installed by "
            "the administrator of the tenant or consented to by any user in the tenant.",
        )

    body: dict[str, object] = {
        "token_type": "Bearer",
        "expires_in": issuer.lifetime,
        "ext_expires_in": issuer.lifetime,
        "access_token": issuer.issue(),
    }
    if issuer.lifetime >= _LONG_LIVED:
        body["refresh_in"] = issuer.lifetime // 2
    return JSONResponse(body, headers=call.headers())


def _discovery(request: Request, *, v2: bool) -> Response:
    sandbox: SandboxState = request.app.state.sandbox
    issuer = sandbox.tokens
    call = _Call(request)
    tenant = request.path_params["tenant"]
    if tenant != issuer.tenant_id:
        return _tenant_error(call, tenant)
    base = f"{str(request.base_url).rstrip('/')}/{tenant}"
    version = "/v2.0" if v2 else ""
    document = {
        "issuer": f"{base}/v2.0" if v2 else issuer.issuer,
        "token_endpoint": f"{base}/oauth2{version}/token",
        "authorization_endpoint": f"{base}/oauth2{version}/authorize",
        "device_authorization_endpoint": f"{base}/oauth2{version}/devicecode",
        "end_session_endpoint": f"{base}/oauth2{version}/logout",
        "jwks_uri": f"{base}/discovery{version}/keys",
        "token_endpoint_auth_methods_supported": [
            "client_secret_post",
            "client_secret_basic",
            "private_key_jwt",
        ],
        "response_modes_supported": ["query", "fragment", "form_post"],
        "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "claims_supported": ["sub", "iss", "aud", "exp", "iat", "nbf", "tid", "ver"],
        "request_uri_parameter_supported": False,
        "tenant_region_scope": None,
        "cloud_instance_name": "microsoftonline.com",
        "cloud_graph_host_name": "graph.windows.net",
        "msgraph_host": "graph.microsoft.com",
    }
    return JSONResponse(document, headers=call.headers())


async def _discovery_v2(request: Request) -> Response:
    return _discovery(request, v2=True)


async def _discovery_v1(request: Request) -> Response:
    return _discovery(request, v2=False)


async def _keys(_request: Request) -> Response:
    # Access tokens are HS256 with a private key: there is no public key to publish.
    return JSONResponse({"keys": []})


def token_routes() -> list[Route]:
    """The token endpoint and the discovery documents, for ``create_app``."""
    return [
        Route("/{tenant}/oauth2/v2.0/token", token_endpoint, methods=["POST"]),
        Route("/{tenant}/v2.0/.well-known/openid-configuration", _discovery_v2, methods=["GET"]),
        Route("/{tenant}/.well-known/openid-configuration", _discovery_v1, methods=["GET"]),
        Route("/{tenant}/discovery/v2.0/keys", _keys, methods=["GET"]),
        Route("/{tenant}/discovery/keys", _keys, methods=["GET"]),
    ]
