"""How shared caches write a token: compact JSON, optionally sealed with AES-256-GCM."""

from __future__ import annotations

import base64
import binascii
import json
import logging
import math
import os
from typing import TYPE_CHECKING, Any, cast

from alleviate_debtcore.errors import ConfigurationError

from ._token import AccessToken, token_value_problem

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

__all__ = ["TokenCodec", "parse_json", "token_from_fields", "token_to_fields"]

logger = logging.getLogger("alleviate_debtcore.auth")

# Sealed entries are this marker and base64 (ASCII, so a client with decode_responses=True reads
# them too); plain JSON entries start with "{".
_SEALED = b"aesgcm1:"
_NONCE_BYTES = 12


def token_to_fields(token: AccessToken) -> dict[str, Any]:
    return {"token": token.token, "expires_on": token.expires_on, "refresh_on": token.refresh_on}


def parse_json(data: bytes | str) -> object:
    """The JSON document in ``data``; None when it is not JSON, or nested too deep to parse
    (RecursionError): a damaged entry reads as missing and is replaced, never raised."""
    try:
        return json.loads(data)
    except (ValueError, RecursionError):
        return None


def token_from_fields(fields: object, *, source: str | None = None) -> AccessToken | None:
    """The token ``fields`` describe, or None when they are not a well-formed entry.

    A token that cannot go in an ``Authorization`` header (empty, over 16 KiB, CR/LF or any
    character outside visible ASCII) is not one: the entry reads as missing, a fresh token is
    fetched and replaces it. With ``source`` (the store's name), that is logged as a WARNING that
    says why, never quoting the value.
    """
    if not isinstance(fields, dict):
        return None
    entry = cast("dict[str, object]", fields)
    token, expires_on, refresh_on = (
        entry.get("token"),
        entry.get("expires_on"),
        entry.get("refresh_on"),
    )
    if (
        not isinstance(token, str)
        or not isinstance(expires_on, int | float)
        or not isinstance(refresh_on, int | float)
        or not math.isfinite(expires_on)
        or not math.isfinite(refresh_on)
    ):
        return None
    problem = token_value_problem(token)
    if problem is not None:
        if source is not None:
            logger.warning("%s holds %s; dropped as a miss and fetching a new one", source, problem)
        return None
    return AccessToken(token, float(expires_on), float(refresh_on))


class TokenCodec:
    """Token to bytes and back; with ``key``, AES-256-GCM sealed and bound to the entry's name.

    The entry's name is the associated data, so a sealed entry copied under another name does not
    open. An entry that does not open (another key, tampering) reads as missing.
    """

    __slots__ = ("_aead",)

    def __init__(self, key: bytes | None) -> None:
        self._aead: AESGCM | None = None if key is None else _aead(key)

    @property
    def encrypted(self) -> bool:
        return self._aead is not None

    def encode(self, name: str, token: AccessToken) -> bytes:
        plain = json.dumps(token_to_fields(token), separators=(",", ":")).encode()
        if self._aead is None:
            return plain
        nonce = os.urandom(_NONCE_BYTES)
        sealed = nonce + self._aead.encrypt(nonce, plain, name.encode())
        return _SEALED + base64.b64encode(sealed)

    def decode(
        self, name: str, data: bytes | str, *, source: str | None = None
    ) -> AccessToken | None:
        if isinstance(data, str):
            data = data.encode()
        if self._aead is not None:
            if not data.startswith(_SEALED):
                return None  # a plain entry where sealed ones are expected: not ours
            from cryptography.exceptions import InvalidTag

            try:
                sealed = base64.b64decode(data[len(_SEALED) :], validate=True)
                data = self._aead.decrypt(
                    sealed[:_NONCE_BYTES], sealed[_NONCE_BYTES:], name.encode()
                )
            except (InvalidTag, binascii.Error, ValueError):
                return None
        elif data.startswith(_SEALED):
            return None  # sealed by a cache that has the key
        return token_from_fields(parse_json(data), source=source)

    def __repr__(self) -> str:
        return f"TokenCodec(encrypted={self.encrypted})"


def _aead(key: bytes) -> AESGCM:
    if not isinstance(key, bytes) or len(key) != 32:  # pyright: ignore[reportUnnecessaryIsInstance]
        raise ConfigurationError(
            "encryption_key must be 32 random bytes (AES-256), e.g. os.urandom(32), kept in your "
            "secret store"
        )
    try:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    except ImportError as exc:
        raise ConfigurationError(
            "encryption_key needs the cryptography package: pip install "
            "'alleviate-debtcore[cache-encryption]'"
        ) from exc
    return AESGCM(key)
