"""Every exception the package raises.

Catch ``DebtCoreError`` to catch them all. The tree::

    DebtCoreError
    ├── ConfigurationError ............ bad arguments, environment variables or Environment values
    ├── EventLoopError ................ an async client used from a second event loop still running
    ├── ClientClosedError ............. a call on (or in flight during) a closed client
    ├── InputValidationError .......... an operation's arguments failed client-side validation
    ├── WaitTimeoutError .............. a ``wait_for_*`` helper gave up (``pending`` says on what)
    ├── CredentialError ............... no access token could be obtained from Microsoft Entra ID
    │   ├── InvalidCredentialsError ... the token endpoint refused our configuration (never retried)
    │   ├── TokenEndpointError ........ the token endpoint failed or was unreachable (retried first)
    │   ├── TokenWaitTimeoutError ..... the call's timeout ran out waiting on another token fetch
    │   │                               or a token cache's lock (``waited_for`` says which)
    │   └── MalformedTokenResponseError  the token endpoint answered something other than a token
    ├── TokenCacheError ............... a shared token cache (file, Redis) could not be used
    ├── APIError ...................... the Debt Core API could not be used
    │   ├── APIConnectionError ........ no HTTP response arrived
    │   │   └── APITimeoutError ....... ... because a timeout expired
    │   ├── APIStatusError ............ a non-2xx HTTP response (``status_code``, ``request_id``)
    │   │   ├── BadRequestError ............. 400
    │   │   ├── AuthenticationError ......... 401 (after one token refresh and replay)
    │   │   ├── PermissionDeniedError ....... 403
    │   │   ├── EndpointNotFoundError ....... 404 (a wrong service URL)
    │   │   ├── ConflictError ............... 409
    │   │   ├── UnprocessableEntityError .... 422
    │   │   ├── RateLimitError .............. 429 (``retry_after``)
    │   │   └── InternalServerError ......... 5xx
    │   ├── ResponseDecodeError ....... a body that is not a GraphQL JSON response (or too deep)
    │   ├── ResponseTooLargeError ..... a body over the client's ``max_response_size``
    │   ├── GraphQLResponseError ...... the response's top-level ``errors`` (``partial_data`` kept)
    │   ├── PaginationError ........... pages that never end (a cursor seen before, endless empties)
    │   └── ResponseValidationError ... the data does not match the generated models
    ├── PayloadError .................. the operation's own ``{data, errors}`` payload has errors
    │   └── NotFoundError ............. ... and one of them is NOT_FOUND (no such id)
    └── SchemaToolError ............... bad input for ``debtcore schema`` (exit code 3)

Messages say what to do next and never contain secrets, tokens or applicant data: only status
codes, operation names, request ids, OAuth error codes and the server's own error texts for
GraphQL and payload errors, with the values the call sent (in any spelling) and SSN- or
date-shaped numbers removed (``_redaction``, the one redaction of every error text). Attributes
holding the server's answer (``data``, ``errors``, ``messages``, ``partial_data``) are kept as
they came.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import httpx

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ClientClosedError",
    "ConfigurationError",
    "ConflictError",
    "CredentialError",
    "DebtCoreError",
    "EndpointNotFoundError",
    "EventLoopError",
    "FieldError",
    "GraphQLErrorDetail",
    "GraphQLResponseError",
    "InputValidationError",
    "InternalServerError",
    "InvalidCredentialsError",
    "MalformedTokenResponseError",
    "NotFoundError",
    "PaginationError",
    "PayloadError",
    "PermissionDeniedError",
    "RateLimitError",
    "ResponseDecodeError",
    "ResponseTooLargeError",
    "ResponseValidationError",
    "SchemaToolError",
    "TokenCacheError",
    "TokenEndpointError",
    "TokenWaitTimeoutError",
    "UnprocessableEntityError",
    "WaitTimeoutError",
    "status_error_class",
]


class DebtCoreError(Exception):
    """Root of every exception raised by alleviate_debtcore."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ConfigurationError(DebtCoreError, ValueError):
    """An argument, environment variable or ``Environment`` value is missing or malformed."""


class EventLoopError(DebtCoreError, RuntimeError):
    """An async client or credential was used from an event loop other than the one it is running
    on. Create one client per event loop, or use the sync ``DebtCore`` from threads."""


class ClientClosedError(DebtCoreError, RuntimeError):
    """The client was closed before (or while) this call ran. Create a new client."""


# --- token endpoint (Microsoft Entra ID) ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FieldError:
    """One validation failure: where (``input.applicant_contact_info.applicant_state``) and why.
    Never the offending value, which may be applicant data."""

    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path or '<root>'}: {self.reason}"


class InputValidationError(DebtCoreError, ValueError):
    """An operation's arguments failed validation on the client; nothing was sent.

    ``errors`` lists each failure's field path and reason; values are never quoted.
    """

    def __init__(self, message: str, *, errors: Sequence[FieldError] = ()) -> None:
        super().__init__(message)
        self.errors = list(errors)


class WaitTimeoutError(DebtCoreError, TimeoutError):
    """A ``wait_for_*`` helper ran out of time; ``pending`` names what had not finished."""

    def __init__(self, message: str, *, pending: Mapping[str, str], waited: float) -> None:
        super().__init__(message)
        self.pending = dict(pending)
        self.waited = waited


class CredentialError(DebtCoreError):
    """No access token could be obtained.

    The fields come from Entra's error JSON where there was one; all are safe to log.
    """

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        oauth_error: str | None = None,
        aadsts_code: str | None = None,
        trace_id: str | None = None,
        correlation_id: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.oauth_error = oauth_error
        self.aadsts_code = aadsts_code
        self.trace_id = trace_id
        self.correlation_id = correlation_id

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(status_code={self.status_code!r}, "
            f"oauth_error={self.oauth_error!r}, aadsts_code={self.aadsts_code!r}, "
            f"trace_id={self.trace_id!r}, correlation_id={self.correlation_id!r})"
        )


class InvalidCredentialsError(CredentialError):
    """The token endpoint rejected the tenant, client id, secret or scope. Retrying cannot help."""


class TokenEndpointError(CredentialError):
    """The token endpoint was unreachable or failed (429, 5xx) on every attempt."""


class TokenWaitTimeoutError(CredentialError, TimeoutError):
    """The call's timeout ran out while it waited for a token that something else was getting:
    another thread's or task's token request, or a shared token cache's lock held by another
    process. ``waited_for`` names that wait; the token endpoint itself may be fine."""

    def __init__(self, message: str, *, waited_for: str, waited: float) -> None:
        super().__init__(message)
        self.waited_for = waited_for
        self.waited = waited


class MalformedTokenResponseError(CredentialError):
    """The token endpoint answered 2xx with a body that is not a usable bearer token."""


class TokenCacheError(DebtCoreError):
    """A shared token cache (a file, Redis) could not be read, written or locked.

    ``EntraAuth`` never lets it reach API calls: it logs a WARNING and fetches its own token.
    """


# --- the Debt Core API ---------------------------------------------------------------------------


class APIError(DebtCoreError):
    """A call to a Debt Core service failed.

    ``service`` and ``operation`` name the call; ``request_id`` is the id the server returned
    (``x-request-id`` and friends) or, failing that, the client request id we sent.
    """

    def __init__(
        self,
        message: str,
        *,
        service: str | None = None,
        operation: str | None = None,
        request_id: str | None = None,
    ) -> None:
        super().__init__(message)
        self.service = service
        self.operation = operation
        self.request_id = request_id


class APIConnectionError(APIError):
    """The request failed before any HTTP response arrived (DNS, refused connection, reset...)."""


class APITimeoutError(APIConnectionError):
    """A connect, read, write or pool timeout expired."""


class APIStatusError(APIError):
    """The service answered with a non-2xx HTTP status."""

    def __init__(
        self,
        message: str,
        *,
        response: httpx.Response,
        service: str | None = None,
        operation: str | None = None,
        request_id: str | None = None,
    ) -> None:
        super().__init__(message, service=service, operation=operation, request_id=request_id)
        self.response = response
        self.status_code = response.status_code


class BadRequestError(APIStatusError):
    """400: the server could not parse the request (often a GraphQL syntax or variable error)."""


class AuthenticationError(APIStatusError):
    """401: the token was rejected even after one refresh and replay."""


class PermissionDeniedError(APIStatusError):
    """403: the client app is not allowed to call this service."""


class EndpointNotFoundError(APIStatusError):
    """404: wrong service URL (check the environment's base URL and service paths).

    An id that does not exist is not a 404 in GraphQL: that is :class:`NotFoundError`."""


class ConflictError(APIStatusError):
    """409: the request conflicts with the server's state."""


class UnprocessableEntityError(APIStatusError):
    """422: the server understood the request but refused its content."""


class RateLimitError(APIStatusError):
    """429: too many requests. ``retry_after`` is the server's wait in seconds, when given."""

    def __init__(
        self,
        message: str,
        *,
        response: httpx.Response,
        retry_after: float | None = None,
        service: str | None = None,
        operation: str | None = None,
        request_id: str | None = None,
    ) -> None:
        super().__init__(
            message, response=response, service=service, operation=operation, request_id=request_id
        )
        self.retry_after = retry_after


class InternalServerError(APIStatusError):
    """5xx: the service failed."""


_STATUS_ERRORS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: EndpointNotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


def status_error_class(status_code: int) -> type[APIStatusError]:
    """The exception class for an HTTP status: a subclass where the status has one."""
    if status_code >= 500:
        return InternalServerError
    return _STATUS_ERRORS.get(status_code, APIStatusError)


class ResponseDecodeError(APIError):
    """A 2xx response whose body is not a GraphQL JSON object (HTML page, truncated JSON, JSON
    nested deeper than the parser's limit...)."""


class ResponseTooLargeError(APIError):
    """The response body exceeded the client's ``max_response_size``; the rest was not read."""


class GraphQLErrorDetail:
    """One entry of a GraphQL response's top-level ``errors`` list."""

    __slots__ = ("extensions", "locations", "message", "path")

    def __init__(
        self,
        message: str,
        *,
        path: Sequence[str | int] | None = None,
        locations: Sequence[Mapping[str, int]] | None = None,
        extensions: Mapping[str, Any] | None = None,
    ) -> None:
        self.message = message
        self.path = list(path) if path is not None else None
        self.locations = [dict(loc) for loc in locations] if locations is not None else None
        self.extensions = dict(extensions) if extensions is not None else {}

    @property
    def code(self) -> str | None:
        """``extensions.code`` (e.g. ``GRAPHQL_VALIDATION_FAILED``, ``UNAUTHORIZED``), if any."""
        code = self.extensions.get("code")
        return code if isinstance(code, str) else None

    def __repr__(self) -> str:
        return (
            f"GraphQLErrorDetail(message={self.message!r}, path={self.path!r}, code={self.code!r})"
        )


class GraphQLResponseError(APIError):
    """The response carried top-level GraphQL ``errors``.

    ``errors`` holds every entry; ``partial_data`` is the raw ``data`` that arrived beside them (or
    ``None``), and ``partial`` the same parsed into the operation's result model when it fits.
    """

    def __init__(
        self,
        message: str,
        *,
        errors: Sequence[GraphQLErrorDetail],
        partial_data: Mapping[str, Any] | None = None,
        partial: Any = None,
        service: str | None = None,
        operation: str | None = None,
        request_id: str | None = None,
    ) -> None:
        super().__init__(message, service=service, operation=operation, request_id=request_id)
        self.errors = list(errors)
        self.partial_data = partial_data
        self.partial = partial


class PaginationError(APIError):
    """The server's pages would never end: it handed back a cursor this pager already followed,
    or more empty pages in a row than a pager accepts while saying there are more."""


class ResponseValidationError(APIError):
    """The response data does not match the operation's generated models (schema drift?).

    ``errors`` lists the first failures' field paths and reasons (never the values).
    """

    def __init__(
        self,
        message: str,
        *,
        errors: Sequence[FieldError] = (),
        service: str | None = None,
        operation: str | None = None,
        request_id: str | None = None,
    ) -> None:
        super().__init__(message, service=service, operation=operation, request_id=request_id)
        self.errors = list(errors)


class PayloadError(DebtCoreError):
    """An operation's payload reported business errors in its ``errors`` list.

    ``messages`` flattens every error's message; ``errors`` keeps the typed error items,
    ``data`` whatever the payload returned beside them, and ``request_id`` the call's id. These
    are the server's answer as it came; the exception's text is redacted of what the call sent.
    """

    def __init__(
        self,
        message: str,
        *,
        messages: Sequence[str],
        errors: Sequence[Any],
        data: Any = None,
        request_id: str | None = None,
    ) -> None:
        super().__init__(message)
        self.messages = list(messages)
        self.errors = list(errors)
        self.data = data
        self.request_id = request_id


class NotFoundError(PayloadError):
    """The payload reported ``NOT_FOUND``: no record has the id (or key) that was asked for.

    Raised when any of its errors' messages reads ``NOT_FOUND`` or ``NOT_FOUND: detail``."""


class SchemaToolError(DebtCoreError):
    """Bad input for a schema command: a missing file, an unparsable SDL, an unknown service."""
