"""Reading the token endpoint's answer: a token, a failure worth retrying, or a final error.

Failures are classified on the HTTP status and the OAuth ``error`` field; AADSTS numbers only pick
the hint, because Microsoft changes them. Messages carry codes and ids, never the response body.
"""

from __future__ import annotations

import json
import math
import re
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any, cast

import httpx

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

_RETRYABLE_STATUSES = frozenset({408, 429})
_RETRYABLE_OAUTH_ERRORS = frozenset({"temporarily_unavailable"})
_AADSTS_PREFIX = re.compile(r"^\s*AADSTS(\d+)")

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
    if status in _RETRYABLE_STATUSES or status >= 500 or info.error in _RETRYABLE_OAUTH_ERRORS:
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


def parse_retry_after(headers: httpx.Headers, *, now: float | None = None) -> float | None:
    """Seconds to wait from ``retry-after-ms`` or ``Retry-After`` (seconds or HTTP date)."""
    raw_ms = headers.get("retry-after-ms")
    if raw_ms is not None:
        millis = _number(raw_ms)
        if millis is not None:
            return max(millis / 1000.0, 0.0)
    raw = headers.get("retry-after")
    if raw is None:
        return None
    seconds = _number(raw)
    if seconds is not None:
        return max(seconds, 0.0)
    try:
        when = parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    return max(when.timestamp() - (time.time() if now is None else now), 0.0)


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
    # RFC 6749 requires token_type; Entra always sends "Bearer". Tolerate its absence only.
    token_type = body.get("token_type", "Bearer")
    if not isinstance(token_type, str) or token_type.lower() != "bearer":
        shown = token_type if isinstance(token_type, str) else type(token_type).__name__
        raise malformed(f"token_type {shown[:40]!r} instead of Bearer")
    if "expires_in" not in body:
        raise malformed("no expires_in")
    expires_in = _number(body["expires_in"])
    if expires_in is None or expires_in <= 0:
        raise malformed("an expires_in that is not a positive number of seconds")

    expires_on = sent_at + expires_in
    refresh_on = expires_on
    refresh_in = _number(body.get("refresh_in"))
    # Entra sends refresh_in for long-lived tokens; a nonsensical value is ignored, not fatal.
    if refresh_in is not None and 0 < refresh_in < expires_in:
        refresh_on = sent_at + refresh_in
    return AccessToken(token=access_token, expires_on=expires_on, refresh_on=refresh_on)


def _json_object(response: httpx.Response) -> dict[str, Any] | None:
    try:
        parsed: object = json.loads(response.content)
    except (ValueError, UnicodeDecodeError):
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
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return None
    else:
        return None
    return number if math.isfinite(number) else None
