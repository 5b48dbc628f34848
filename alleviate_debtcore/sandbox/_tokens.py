"""An Entra-compatible client-credentials token endpoint and the HS256 JWTs it issues.

Tokens are signed with a random per-app key (stdlib ``hmac``), carry the claims an Entra v1 access
token for the Debt Core app would (``aud``, ``iss``, ``tid``, ``appid``, ``iat``, ``nbf``,
``exp``, ``jti``), and can be revoked all at once to force 401s.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from .._environment import ALLEVIATE_TENANT_ID, SANDBOX_APP_ID

if TYPE_CHECKING:
    from ._state import SandboxState

__all__ = ["InvalidTokenError", "TokenIssuer", "token_endpoint"]

_HEADER = {"alg": "HS256", "typ": "JWT"}
_CLOCK_SKEW = 5  # seconds of nbf tolerance, as resource servers usually allow
_NO_CACHE = {"Cache-Control": "no-store, no-cache", "Pragma": "no-cache"}


class InvalidTokenError(Exception):
    """The bearer token is missing, malformed, forged, expired, for another audience or revoked."""


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class TokenIssuer:
    """Issues and verifies the sandbox's access tokens for one client registration."""

    def __init__(
        self,
        *,
        client_id: str,
        client_secret: str,
        lifetime: int,
        tenant_id: str = ALLEVIATE_TENANT_ID,
        app_id: str = SANDBOX_APP_ID,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if lifetime <= 0:
            raise ValueError("token lifetime must be positive")
        self.client_id = client_id
        self.client_secret = client_secret
        self.lifetime = lifetime
        self.tenant_id = tenant_id
        self.app_id = app_id
        self._clock = clock
        self._key = secrets.token_bytes(32)
        self._lock = threading.Lock()
        self._issued: set[str] = set()
        self._revoked: set[str] = set()

    @property
    def audience(self) -> str:
        return f"api://{self.app_id}"

    @property
    def scope(self) -> str:
        return f"api://{self.app_id}/.default"

    @property
    def issuer(self) -> str:
        return f"https://sts.windows.net/{self.tenant_id}/"

    @property
    def issued_count(self) -> int:
        with self._lock:
            return len(self._issued)

    def issue(self, *, lifetime: int | None = None) -> str:
        """A signed token; a negative ``lifetime`` gives an already expired one (for tests)."""
        now = int(self._clock())
        jti = str(uuid.uuid4())
        claims = {
            "aud": self.audience,
            "iss": self.issuer,
            "iat": now,
            "nbf": now,
            "exp": now + (self.lifetime if lifetime is None else lifetime),
            "appid": self.client_id,
            "appidacr": "1",
            "tid": self.tenant_id,
            "ver": "1.0",
            "jti": jti,
        }
        with self._lock:
            self._issued.add(jti)
        return self._sign(claims)

    def _sign(self, claims: Mapping[str, object]) -> str:
        signing_input = ".".join(
            _b64encode(json.dumps(part, separators=(",", ":")).encode())
            for part in (_HEADER, claims)
        )
        signature = hmac.new(self._key, signing_input.encode("ascii"), hashlib.sha256).digest()
        return f"{signing_input}.{_b64encode(signature)}"

    def verify(self, token: str) -> dict[str, Any]:
        """The token's claims; raises InvalidTokenError with a reason fit for the client."""
        parts = token.split(".")
        if len(parts) != 3:
            raise InvalidTokenError("The access token is malformed")
        try:
            header = json.loads(_b64decode(parts[0]))
            claims = json.loads(_b64decode(parts[1]))
            signature = _b64decode(parts[2])
        except (ValueError, binascii.Error, UnicodeDecodeError):
            raise InvalidTokenError("The access token is malformed") from None
        if not isinstance(header, dict) or not isinstance(claims, dict):
            raise InvalidTokenError("The access token is malformed")
        if header.get("alg") != "HS256":  # pyright: ignore[reportUnknownMemberType]
            raise InvalidTokenError("The access token's signing algorithm is not accepted")
        expected = hmac.new(
            self._key, f"{parts[0]}.{parts[1]}".encode("ascii"), hashlib.sha256
        ).digest()
        if not hmac.compare_digest(expected, signature):
            raise InvalidTokenError("The access token's signature is invalid")
        checked: dict[str, Any] = dict(claims)  # pyright: ignore[reportUnknownArgumentType]
        now = self._clock()
        exp, nbf = checked.get("exp"), checked.get("nbf")
        if not isinstance(exp, int) or not isinstance(nbf, int):
            raise InvalidTokenError("The access token lacks exp or nbf")
        if now >= exp:
            raise InvalidTokenError("The access token has expired")
        if now + _CLOCK_SKEW < nbf:
            raise InvalidTokenError("The access token is not valid yet")
        if checked.get("aud") != self.audience:
            raise InvalidTokenError(f"The access token's audience is not {self.audience}")
        with self._lock:
            if checked.get("jti") in self._revoked:
                raise InvalidTokenError("The access token has been revoked")
        return checked

    def revoke_all(self) -> int:
        """Revoke every token issued so far; returns how many were still live-able."""
        with self._lock:
            fresh = self._issued - self._revoked
            self._revoked |= self._issued
            return len(fresh)


# --- The token endpoint -----------------------------------------------------------------------


def _entra_error(
    status: int,
    error: str,
    code: int,
    text: str,
    *,
    correlation_id: str,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    """An error body shaped like Microsoft Entra's token endpoint errors."""
    trace_id = str(uuid.uuid4())
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%SZ")
    description = (
        f"AADSTS{code}: {text} Trace ID: {trace_id} Correlation ID: {correlation_id} "
        f"Timestamp: {stamp}"
    )
    body = {
        "error": error,
        "error_description": description,
        "error_codes": [code],
        "timestamp": stamp,
        "trace_id": trace_id,
        "correlation_id": correlation_id,
        "error_uri": f"https://login.microsoftonline.com/error?code={code}",
    }
    return JSONResponse(body, status_code=status, headers={**_NO_CACHE, **(headers or {})})


def _correlation_id(request: Request) -> str:
    # Entra adopts the caller's client-request-id as correlation id when it is a GUID.
    given = request.headers.get("client-request-id", "")
    try:
        return str(uuid.UUID(given))
    except ValueError:
        return str(uuid.uuid4())


def _missing(name: str, correlation_id: str) -> JSONResponse:
    return _entra_error(
        400,
        "invalid_request",
        900144,
        f"The request body must contain the following parameter: '{name}'.",
        correlation_id=correlation_id,
    )


async def token_endpoint(request: Request) -> Response:
    """``POST /{tenant}/oauth2/v2.0/token`` with a client-credentials form."""
    sandbox: SandboxState = request.app.state.sandbox
    sandbox.count_request("token")
    issuer = sandbox.tokens
    correlation_id = _correlation_id(request)

    failure = sandbox.faults.take_token_failure()
    if failure is not None:
        retry = {"Retry-After": str(sandbox.faults.retry_after)} if failure == 429 else None
        return _entra_error(
            failure,
            "temporarily_unavailable",
            90033,
            "A transient error has occurred. Please try again.",
            correlation_id=correlation_id,
            headers=retry,
        )

    tenant = request.path_params["tenant"]
    if tenant != issuer.tenant_id:
        return _entra_error(
            400,
            "invalid_request",
            90002,
            f"Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID "
            "and are signing into the correct cloud.",
            correlation_id=correlation_id,
        )

    raw = (await request.body()).decode("utf-8", errors="replace")
    form = {key: values[0] for key, values in parse_qs(raw, keep_blank_values=True).items()}

    grant_type = form.get("grant_type")
    if not grant_type:
        return _missing("grant_type", correlation_id)
    if grant_type != "client_credentials":
        return _entra_error(
            400,
            "unsupported_grant_type",
            70003,
            f"The app requested an unsupported grant type '{grant_type[:64]}'.",
            correlation_id=correlation_id,
        )

    client_id = form.get("client_id")
    if not client_id:
        return _missing("client_id", correlation_id)
    if client_id != issuer.client_id:
        return _entra_error(
            400,
            "unauthorized_client",
            700016,
            f"Application with identifier '{client_id[:64]}' was not found in the directory "
            f"'{issuer.tenant_id}'. This can happen if the application has not been installed "
            "by the administrator of the tenant.",
            correlation_id=correlation_id,
        )

    client_secret = form.get("client_secret")
    if not client_secret:
        return _entra_error(
            401,
            "invalid_client",
            7000218,
            "The request body must contain the following parameter: 'client_assertion' or "
            "'client_secret'.",
            correlation_id=correlation_id,
        )
    if not hmac.compare_digest(client_secret.encode(), issuer.client_secret.encode()):
        return _entra_error(
            401,
            "invalid_client",
            7000215,
            "Invalid client secret provided. Ensure the secret being sent in the request is the "
            f"client secret value, not the client secret ID, for a secret added to app "
            f"'{issuer.client_id}'.",
            correlation_id=correlation_id,
        )

    scope = form.get("scope")
    if not scope:
        return _missing("scope", correlation_id)
    if scope != issuer.scope:
        return _entra_error(
            400,
            "invalid_scope",
            70011,
            "The provided request must include a 'scope' input parameter. The provided value "
            f"for the input parameter 'scope' is not valid. The scope {scope[:128]} is not "
            f"valid. Use {issuer.scope}.",
            correlation_id=correlation_id,
        )

    body = {
        "token_type": "Bearer",
        "expires_in": issuer.lifetime,
        "ext_expires_in": issuer.lifetime,
        "access_token": issuer.issue(),
    }
    return JSONResponse(body, headers=_NO_CACHE)
