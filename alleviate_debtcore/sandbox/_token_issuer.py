"""The sandbox's client registration and the HS256 access tokens it issues and verifies.

Tokens are signed with a random per-app key (stdlib ``hmac``), carry the claims an Entra v1 access
token for the Debt Core app would (``aud``, ``iss``, ``tid``, ``appid``, ``iat``, ``nbf``,
``exp``, ``jti``), and can be revoked all at once to force 401s. A bearer token's signature is
checked before any of it is parsed, so an unauthenticated caller cannot make the server parse
hostile JSON. The token endpoint itself is in ``_token_endpoint``.
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
from typing import Any

from .._environment import ALLEVIATE_TENANT_ID, SANDBOX_APP_ID
from ._assertion_checks import ClientAssertions

__all__ = ["InvalidTokenError", "TokenIssuer"]

_HEADER = {"alg": "HS256", "typ": "JWT"}
_CLOCK_SKEW = 5  # seconds of nbf tolerance, as resource servers usually allow
# Our tokens are a few hundred bytes; anything much longer is not one of them.
_MAX_TOKEN = 8 * 1024


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
        # Certificates and federated credentials registered for the client app (`--client-*`).
        self.assertions = ClientAssertions()

    @property
    def audience(self) -> str:
        return f"api://{self.app_id}"

    @property
    def scope(self) -> str:
        return f"api://{self.app_id}/.default"

    @property
    def issuer(self) -> str:
        return f"https://sts.windows.net/{self.tenant_id}/"

    def now(self) -> float:
        return self._clock()

    def secret_matches(self, secret: str) -> bool:
        """Whether ``secret`` is the client secret (constant time)."""
        return hmac.compare_digest(secret.encode(), self.client_secret.encode())

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
        if len(parts) != 3 or len(token) > _MAX_TOKEN or not token.isascii():
            raise InvalidTokenError("The access token is malformed")
        try:
            signature = _b64decode(parts[2])
        except (ValueError, binascii.Error):
            raise InvalidTokenError("The access token is malformed") from None
        # The signature first: only our own (small, flat) JSON is ever parsed below.
        expected = hmac.new(
            self._key, f"{parts[0]}.{parts[1]}".encode("ascii"), hashlib.sha256
        ).digest()
        if not hmac.compare_digest(expected, signature):
            raise InvalidTokenError("The access token's signature is invalid")
        try:
            header = json.loads(_b64decode(parts[0]))
            claims = json.loads(_b64decode(parts[1]))
        except (ValueError, binascii.Error, UnicodeDecodeError, RecursionError):
            raise InvalidTokenError("The access token is malformed") from None
        if not isinstance(header, dict) or not isinstance(claims, dict):
            raise InvalidTokenError("The access token is malformed")
        if header.get("alg") != "HS256":  # pyright: ignore[reportUnknownMemberType]
            raise InvalidTokenError("The access token's signing algorithm is not accepted")
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
