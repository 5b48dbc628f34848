"""Reading the token endpoint's answer: a token, a failure worth retrying, or a final error.

Failures are classified on the HTTP status and the OAuth ``error`` field; AADSTS numbers only pick
the hint, because Microsoft changes them. Messages carry codes and ids, never the response body.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any, Final, cast

import httpx

from alleviate_debtcore import _json
from alleviate_debtcore._retry import parse_retry_after, retryable_status
from alleviate_debtcore.errors import (
    InvalidCredentialsError,
    MalformedTokenResponseError,
    TokenEndpointError,
)

from ._token import AccessToken

__all__ = [
    "OAuthErrorInfo",
    "RetryableTokenError",
    "parse_retry_after",
    "read_token_response",
]

_RETRYABLE_OAUTH_ERRORS = frozenset({"temporarily_unavailable"})
_AADSTS_PREFIX = re.compile(r"^\s*AADSTS(\d+)")
# A bearer token goes into a header: RFC 6750's b64token characters, nothing that could split it.
_TOKEN_CHARS: Final = re.compile(r"[A-Za-z0-9\-._~+/]+=*")
# No token lives a year; a larger number is not a lifetime (and would overflow the arithmetic).
_MAX_LIFETIME: Final = 365 * 24 * 3600.0

# What to check, by AADSTS code. Only a hint: the classification never depends on these.
_AADSTS_HINTS: dict[str, str] = {
    "7000215": (
        "the client secret is wrong: check ALLEVIATE_CLIENT_SECRET and use the secret's Value, "
        "not its Secret ID"
    ),
    "7000222": (
        "the client secret has expired: create a new secret for the app and update "
        "ALLEVIATE_CLIENT_SECRET"
    ),
    "7000218": "the request carried no client secret: set ALLEVIATE_CLIENT_SECRET",
    "700016": (
        "no application with this client id exists in the tenant: check ALLEVIATE_CLIENT_ID "
        "and the tenant id"
    ),
    "90002": "the tenant was not found: check the tenant id",
    "900023": "the tenant id is not a valid tenant identifier: check the tenant id",
    "500011": (
        "the resource named in the scope was not found in the tenant: check the Debt Core app id "
        "in api://<app id>/.default"
    ),
    "70011": "the scope is invalid: it must be api://<Debt Core app id>/.default",
    "1002012": "the scope is invalid: it must be api://<Debt Core app id>/.default",
    "7000112": "the application is disabled: ask Alleviate to enable it",
    "53003": "Conditional Access blocked the token: ask the tenant's administrator",
    # Client assertions (certificates, workload identity federation): the secret hint misleads.
    "700027": (
        "the certificate that signed the client assertion is not registered on the app, is "
        "outside its validity dates (expired or not yet valid), or the signature does not "
        "verify: compare the app's registered certificates (thumbprint, start and end dates) "
        "with certificate_path"
    ),
    "700024": "the client assertion is outside its valid time range: check this machine's clock",
    "700021": "the client assertion's iss and sub must both be the client id",
    "70021": (
        "no federated identity credential on the app matches the assertion's issuer, subject "
        "and audience: check the app's federated credentials"
    ),
}

# What to check, by OAuth error, when the AADSTS code has no hint of its own.
_OAUTH_HINTS: dict[str, str] = {
    "invalid_client": (
        "check ALLEVIATE_CLIENT_ID and ALLEVIATE_CLIENT_SECRET (use the secret's Value, not its "
        "Secret ID; the secret may have expired)"
    ),
    "unauthorized_client": (
        "the app is unknown in this tenant or may not use client credentials: check "
        "ALLEVIATE_CLIENT_ID and the tenant id"
    ),
    "invalid_scope": "the scope must be api://<Debt Core app id>/.default",
    "invalid_resource": "check the Debt Core app id in the scope api://<app id>/.default",
    "invalid_tenant": "check the tenant id",
    "invalid_request": "check the tenant id, the client id and the scope",
    "invalid_grant": "check the client id, the client secret and the tenant id",
    "unsupported_grant_type": "the authority does not accept client credentials: check its URL",
}
_DEFAULT_HINT = "check the authority URL and the tenant id"


@dataclass(frozen=True, slots=True)
class OAuthErrorInfo:
    """The loggable fields of an Entra error response (none of them secret)."""

    error: str | None = None
    aadsts_code: str | None = None
    trace_id: str | None = None
    correlation_id: str | None = None

    def describe(self) -> str:
        """``invalid_client, AADSTS7000215``-style summary; empty when nothing is known."""
        return ", ".join(part for part in (self.error, self.aadsts_code) if part)


class RetryableTokenError(Exception):
    """Internal: one attempt failed in a way that another attempt may fix."""

    def __init__(self, error: TokenEndpointError, retry_after: float | None) -> None:
        super().__init__(error.message)
        self.error = error
        self.retry_after = retry_after


def read_token_response(response: httpx.Response, *, sent_at: float) -> AccessToken:
    """The token in ``response``, with expiry counted from ``sent_at`` (epoch seconds).

    Raises :class:`RetryableTokenError` for 408, 429, 5xx and ``temporarily_unavailable``;
    :class:`InvalidCredentialsError` for any other refusal; :class:`MalformedTokenResponseError`
    for a 2xx that is not a usable bearer token.
    """
    status = response.status_code
    body = _json_object(response)
    if 200 <= status < 300:
        return _token_from(body, response, sent_at)

    info = _error_info(body, response)
    where = f"HTTP {status}" + (f", {info.describe()}" if info.describe() else "")
    ids = _ids(info)
    if retryable_status(status, "token") or info.error in _RETRYABLE_OAUTH_ERRORS:
        error = TokenEndpointError(
            f"The Entra ID token endpoint failed ({where}); it may be busy or down{ids}.",
            status_code=status,
            oauth_error=info.error,
            aadsts_code=info.aadsts_code,
            trace_id=info.trace_id,
            correlation_id=info.correlation_id,
        )
        raise RetryableTokenError(error, parse_retry_after(response.headers))

    raise InvalidCredentialsError(
        f"Entra ID refused the token request ({where}): {_hint(info)}{ids}.",
        status_code=status,
        oauth_error=info.error,
        aadsts_code=info.aadsts_code,
        trace_id=info.trace_id,
        correlation_id=info.correlation_id,
    )


def _token_from(
    body: dict[str, Any] | None, response: httpx.Response, sent_at: float
) -> AccessToken:
    def malformed(what: str) -> MalformedTokenResponseError:
        return MalformedTokenResponseError(
            f"The token endpoint answered HTTP {response.status_code} with {what}; check the "
            "authority URL (a proxy or captive portal may be answering instead of Entra ID).",
            status_code=response.status_code,
        )

    if body is None:
        content_type = response.headers.get("content-type", "no content type")
        raise malformed(f"a body that is not a JSON object ({content_type})")
    access_token = body.get("access_token")
    if not isinstance(access_token, str) or not access_token:
        raise malformed("no access_token")
    if not _TOKEN_CHARS.fullmatch(access_token):
        # Never retried: the same endpoint would send the same thing.
        raise malformed("an access_token with characters a bearer token cannot hold")
    # RFC 6749 requires token_type; Entra always sends "Bearer". Tolerate its absence only.
    token_type = body.get("token_type", "Bearer")
    if not isinstance(token_type, str) or token_type.lower() != "bearer":
        shown = token_type if isinstance(token_type, str) else type(token_type).__name__
        raise malformed(f"token_type {shown[:40]!r} instead of Bearer")
    if "expires_in" not in body:
        raise malformed("no expires_in")
    expires_in = _number(body["expires_in"])
    if expires_in is None or not 0 < expires_in <= _MAX_LIFETIME:
        raise malformed("an expires_in that is not a number of seconds up to a year")

    expires_on = sent_at + expires_in
    refresh_on = expires_on
    raw_refresh_in: object = body.get("refresh_in")
    refresh_in = _number(raw_refresh_in)
    if refresh_in is None and _looks_numeric(raw_refresh_in):
        raise malformed("a refresh_in that is not a finite number of seconds")
    if refresh_in is not None and abs(refresh_in) > _MAX_LIFETIME:
        raise malformed("a refresh_in beyond a year")
    # Entra sends refresh_in for long-lived tokens; a nonsensical value is ignored, not fatal.
    if refresh_in is not None and 0 < refresh_in < expires_in:
        refresh_on = sent_at + refresh_in
    return AccessToken(token=access_token, expires_on=expires_on, refresh_on=refresh_on)


def _json_object(response: httpx.Response) -> dict[str, Any] | None:
    try:
        parsed: object = _json.loads(response.content)
    except ValueError:  # not JSON, not UTF-8, or nested too deep
        return None
    return cast("dict[str, Any]", parsed) if isinstance(parsed, dict) else None


def _error_info(body: dict[str, Any] | None, response: httpx.Response) -> OAuthErrorInfo:
    body = body or {}
    error = _text(body.get("error"))
    aadsts: str | None = None
    codes: object = body.get("error_codes")
    if isinstance(codes, list) and codes:
        first: object = cast("list[object]", codes)[0]
        if isinstance(first, int) and not isinstance(first, bool):
            aadsts = f"AADSTS{first}"
    if aadsts is None:
        match = _AADSTS_PREFIX.match(_text(body.get("error_description")) or "")
        if match:
            aadsts = f"AADSTS{match.group(1)}"
    # Entra echoes our client-request-id and names its own request id in headers too.
    return OAuthErrorInfo(
        error=error,
        aadsts_code=aadsts,
        trace_id=_text(body.get("trace_id")) or _text(response.headers.get("x-ms-request-id")),
        correlation_id=_text(body.get("correlation_id"))
        or _text(response.headers.get("client-request-id")),
    )


def _hint(info: OAuthErrorInfo) -> str:
    if info.aadsts_code is not None:
        hint = _AADSTS_HINTS.get(info.aadsts_code.removeprefix("AADSTS"))
        if hint is not None:
            return hint
    if info.error is not None:
        return _OAUTH_HINTS.get(info.error, "check the client id, secret, tenant id and scope")
    return _DEFAULT_HINT


def _ids(info: OAuthErrorInfo) -> str:
    parts = [
        f"{name}={value}"
        for name, value in (("trace_id", info.trace_id), ("correlation_id", info.correlation_id))
        if value
    ]
    return f" ({', '.join(parts)})" if parts else ""


def _text(value: object) -> str | None:
    # Ids and codes only: short, printable tokens. Anything else is not repeated to the user.
    if isinstance(value, str) and value and len(value) <= 100 and value.isprintable():
        return value
    return None


def _number(value: object) -> float | None:
    """A finite number from a JSON number or numeric string; None otherwise (never raises)."""
    if isinstance(value, bool):
        return None
    try:
        if isinstance(value, int | float):
            number = float(value)  # OverflowError for a 400-digit integer
        elif isinstance(value, str) and len(value) <= 64:
            number = float(value.strip())
        else:
            return None
    except (ValueError, OverflowError):
        return None
    return number if math.isfinite(number) else None


def _looks_numeric(value: object) -> bool:
    """A JSON number, or a string of digits: meant as a number even if unusable as one."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float):
        return True
    return isinstance(value, str) and bool(
        re.fullmatch(r"\s*[-+]?(\d+\.?\d*([eE][-+]?\d+)?|inf(inity)?|nan)\s*", value, re.IGNORECASE)
    )
