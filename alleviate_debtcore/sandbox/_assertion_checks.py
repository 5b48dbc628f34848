"""Client assertions at the sandbox's token endpoint: certificates and federated credentials.

Checked the way Entra ID does, with its AADSTS codes: the signature first (with the registered
certificate named by ``x5t#S256`` / ``x5t``, or a federated issuer's key), then the certificate's
validity dates (an expired or not-yet-valid key is 700027: Entra's key credentials carry the
certificate's dates), and only then the claims: ``iss`` = ``sub`` = client id (700021),
``aud`` = the token endpoint (50013), the time window (700024), ``jti`` replay (50013); a
federated assertion must match a federated credential on issuer, subject and audience (70021).
The payload is parsed only after its signature checks.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, cast

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

__all__ = [
    "FEDERATED_AUDIENCE",
    "AssertionRejected",
    "ClientAssertions",
    "FederatedCredential",
    "load_public_key",
]

FEDERATED_AUDIENCE = "api://AzureADTokenExchange"
_CLOCK_SKEW = 300  # Entra tolerates about five minutes of skew on assertions
_MAX_ASSERTION = 16 * 1024
_MAX_HEADER = 2 * 1024
_MAX_SEEN_JTIS = 100_000
_ALGORITHMS = ("RS256", "PS256")


class AssertionRejected(Exception):
    """An assertion Entra would refuse: ``code`` is the AADSTS number, ``text`` its message."""

    def __init__(self, code: int, text: str, *, error: str = "invalid_client") -> None:
        super().__init__(text)
        self.code = code
        self.text = text
        self.error = error


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _json_object(segment: str) -> dict[str, Any]:
    try:
        parsed: object = json.loads(_b64decode(segment))
    except (ValueError, binascii.Error, UnicodeDecodeError, RecursionError):
        raise AssertionRejected(50027, "Invalid JWT token. The token is malformed.") from None
    if not isinstance(parsed, dict):
        raise AssertionRejected(50027, "Invalid JWT token. The token is malformed.")
    return cast("dict[str, Any]", parsed)


def load_public_key(pem: bytes) -> rsa.RSAPublicKey:
    """The RSA public key in a PEM certificate or PEM public key (a private key's file works too:
    only the certificate or public part is read)."""
    key: object
    if b"CERTIFICATE-----" in pem:
        key = x509.load_pem_x509_certificates(pem)[0].public_key()
    else:
        key = serialization.load_pem_public_key(pem)
    if not isinstance(key, rsa.RSAPublicKey):
        raise ValueError("only RSA keys are supported")
    return key


@dataclass(frozen=True, slots=True)
class _Certificate:
    key: rsa.RSAPublicKey
    sha1: str  # base64url thumbprints of the DER certificate
    sha256: str
    not_before: float  # epoch seconds: the key credential's start and end
    not_after: float


def _entra_date(epoch: float) -> str:
    # Entra's messages show key dates as "Start=04/01/2024 00:00:00" (UTC, month first).
    return datetime.datetime.fromtimestamp(epoch, datetime.UTC).strftime("%m/%d/%Y %H:%M:%S")


@dataclass(frozen=True, slots=True)
class FederatedCredential:
    """A federated identity credential on the app: whose tokens it accepts."""

    issuer: str
    subject: str
    key: rsa.RSAPublicKey
    audience: str = FEDERATED_AUDIENCE


def _verify_signature(key: rsa.RSAPublicKey, algorithm: str, data: bytes, signature: bytes) -> bool:
    pad: padding.AsymmetricPadding = (
        padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.AUTO)
        if algorithm == "PS256"
        else padding.PKCS1v15()
    )
    try:
        key.verify(signature, data, pad, hashes.SHA256())
    except InvalidSignature:
        return False
    return True


class ClientAssertions:
    """The certificates and federated credentials registered for the sandbox's client app."""

    def __init__(self) -> None:
        self._certificates: list[_Certificate] = []
        self._federated: list[FederatedCredential] = []
        self._seen: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def configured(self) -> bool:
        return bool(self._certificates or self._federated)

    def register_certificate(self, pem: bytes) -> str:
        """Accept assertions signed by this certificate's key; returns its x5t#S256."""
        certificate = x509.load_pem_x509_certificates(pem)[0]
        key = certificate.public_key()
        if not isinstance(key, rsa.RSAPublicKey):
            raise ValueError("only RSA certificates are supported")
        der = certificate.public_bytes(serialization.Encoding.DER)
        entry = _Certificate(
            key=key,
            sha1=_b64url(hashlib.sha1(der).digest()),
            sha256=_b64url(hashlib.sha256(der).digest()),
            not_before=certificate.not_valid_before_utc.timestamp(),
            not_after=certificate.not_valid_after_utc.timestamp(),
        )
        self._certificates.append(entry)
        return entry.sha256

    def register_federated(self, credential: FederatedCredential) -> None:
        self._federated.append(credential)

    def verify(
        self, assertion: str, *, client_id: str, token_urls: Iterable[str], now: float
    ) -> None:
        """Raise :class:`AssertionRejected` unless ``assertion`` authenticates ``client_id``."""
        parts = assertion.split(".")
        if len(assertion) > _MAX_ASSERTION or len(parts) != 3 or len(parts[0]) > _MAX_HEADER:
            raise AssertionRejected(50027, "Invalid JWT token. The token is malformed.")
        header = _json_object(parts[0])
        algorithm = header.get("alg")
        if algorithm not in _ALGORITHMS:
            raise AssertionRejected(
                50027, f"Invalid JWT token. The signing algorithm must be one of {_ALGORITHMS}."
            )
        try:
            signature = _b64decode(parts[2])
        except (ValueError, binascii.Error):
            raise AssertionRejected(50027, "Invalid JWT token. The token is malformed.") from None
        signed = f"{parts[0]}.{parts[1]}".encode("ascii", errors="replace")
        thumbprint = header.get("x5t#S256") or header.get("x5t")
        if thumbprint is not None:
            self._verify_certificate(header, str(thumbprint), signed, signature, client_id, now)
            claims = _json_object(parts[1])
            self._check_client_claims(claims, client_id, token_urls, now)
            return
        federated = [
            entry
            for entry in self._federated
            if _verify_signature(entry.key, str(algorithm), signed, signature)
        ]
        if not federated:
            raise AssertionRejected(
                70021,
                "No matching federated identity record found for presented assertion: no "
                "federated credential's issuer signed it.",
            )
        self._check_federated_claims(_json_object(parts[1]), federated, now)

    def _verify_certificate(
        self,
        header: dict[str, Any],
        thumbprint: str,
        signed: bytes,
        signature: bytes,
        client_id: str,
        now: float,
    ) -> None:
        wanted = thumbprint.rstrip("=")
        by_sha256 = "x5t#S256" in header
        matches = [
            entry
            for entry in self._certificates
            if (entry.sha256 if by_sha256 else entry.sha1) == wanted
        ]
        if not matches:
            raise AssertionRejected(
                700027,
                "The certificate with identifier used to sign the client assertion is not "
                f"registered on application. [Reason - The key was not found., Thumbprint of key "
                f"used by client: '{wanted[:64]}', Please visit the Azure Portal to see "
                f"configured keys for app Id '{client_id[:64]}'.]",
            )
        entry = matches[0]
        if not _verify_signature(entry.key, str(header["alg"]), signed, signature):
            raise AssertionRejected(700027, "Client assertion failed signature validation.")
        if entry.not_before <= now <= entry.not_after:
            return
        reason = (
            "The key used is expired."
            if now > entry.not_after
            else "The key used is not yet valid."
        )
        raise AssertionRejected(
            700027,
            f"Client assertion contains an invalid signature. [Reason - {reason}, Thumbprint of "
            f"key used by client: '{wanted[:64]}', Found key 'Start={_entra_date(entry.not_before)}"
            f", End={_entra_date(entry.not_after)}', Please visit the Azure Portal, Graph Explorer "
            f"or directly use MS Graph to see configured keys for app Id '{client_id[:64]}'.]",
        )

    def _check_client_claims(
        self, claims: dict[str, Any], client_id: str, token_urls: Iterable[str], now: float
    ) -> None:
        if claims.get("iss") != client_id or claims.get("sub") != client_id:
            raise AssertionRejected(
                700021,
                "Client assertion application identifier doesn't match 'client_id' parameter.",
            )
        if claims.get("aud") not in set(token_urls):
            raise AssertionRejected(
                50013,
                "Assertion audience claim does not match the required value: it must be the "
                "token endpoint.",
            )
        exp = self._check_window(claims, now)
        jti = claims.get("jti")
        if not isinstance(jti, str) or not jti:
            raise AssertionRejected(50027, "Invalid JWT token. The assertion has no jti claim.")
        with self._lock:
            for seen, expiry in list(self._seen.items()):
                if expiry + _CLOCK_SKEW >= now:
                    break  # insertion order is close to expiry order; stop at the first live one
                del self._seen[seen]
            if jti in self._seen:
                raise AssertionRejected(
                    50013, "Assertion is invalid: its jti has already been used (replay)."
                )
            self._seen[jti] = exp
            while len(self._seen) > _MAX_SEEN_JTIS:
                self._seen.popitem(last=False)

    def _check_federated_claims(
        self, claims: dict[str, Any], candidates: list[FederatedCredential], now: float
    ) -> None:
        issuer, subject, audience = claims.get("iss"), claims.get("sub"), claims.get("aud")
        audiences = cast("list[object]", audience) if isinstance(audience, list) else [audience]
        for entry in candidates:
            if entry.issuer == issuer and entry.subject == subject and entry.audience in audiences:
                self._check_window(claims, now)
                return
        shown = ", ".join(str(a)[:128] for a in audiences)
        raise AssertionRejected(
            70021,
            "No matching federated identity record found for presented assertion. Assertion "
            f"Issuer: '{str(issuer)[:256]}'. Assertion Subject: '{str(subject)[:256]}'. "
            f"Assertion Audience: '{shown}'.",
        )

    @staticmethod
    def _check_window(claims: dict[str, Any], now: float) -> float:
        exp, nbf = claims.get("exp"), claims.get("nbf", claims.get("iat", 0))
        if not isinstance(exp, int | float) or not isinstance(nbf, int | float):
            raise AssertionRejected(50027, "Invalid JWT token. The assertion has no valid exp.")
        if now > exp + _CLOCK_SKEW or now + _CLOCK_SKEW < nbf:
            raise AssertionRejected(
                700024,
                f"Client assertion is not within its valid time range. Current time: {int(now)}, "
                f"assertion valid from {int(nbf)}, expiry time of assertion {int(exp)}.",
            )
        return float(exp)
