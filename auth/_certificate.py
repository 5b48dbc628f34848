"""``CertificateCredential``: the client proves its identity with a certificate's private key.

Each token request carries a fresh client assertion (RFC 7523): a PS256 JWT whose header names the
certificate by its SHA-256 thumbprint (``x5t#S256``), with ``aud`` = the token endpoint,
``iss`` = ``sub`` = the client id, a unique ``jti``, ``nbf`` and a 10-minute ``exp``, as
Microsoft documents for certificate credentials. Needs the ``certificates`` extra
(``cryptography``).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Unpack

from alleviate_debtcore.errors import ConfigurationError

from ._credential import (
    CredentialOptions,
    TokenEndpointCredential,
    authority_from_env,
    require_env,
)

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey

__all__ = ["ASSERTION_TYPE", "CertificateCredential", "b64url", "load_certificate"]

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
# Entra accepts assertions valid for up to about an hour; MSAL uses 10 minutes.
_ASSERTION_LIFETIME = 600


def b64url(data: bytes) -> str:
    """Base64url without padding, as JWTs use."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


@dataclass(frozen=True, slots=True)
class _Certificate:
    """A private key and the SHA-256 thumbprint of its certificate."""

    key: RSAPrivateKey
    thumbprint_sha256: str  # base64url, the x5t#S256 header value

    def __repr__(self) -> str:
        return f"_Certificate(x5t#S256={self.thumbprint_sha256!r})"


def _crypto_missing() -> ConfigurationError:
    return ConfigurationError(
        "CertificateCredential needs the cryptography package: "
        "pip install 'alleviate-debtcore[certificates]'"
    )


def load_certificate(data: bytes, password: bytes | None) -> _Certificate:
    """The RSA key and certificate in PEM (key and certificate in one file) or PKCS#12 bytes.

    Errors name what is wrong, never the password or the key.
    """
    try:
        from cryptography import x509
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa
        from cryptography.hazmat.primitives.serialization import pkcs12
    except ImportError:
        raise _crypto_missing() from None

    key: object
    certificates: list[x509.Certificate]
    try:
        if b"-----BEGIN" in data:
            certificates = x509.load_pem_x509_certificates(data) if b"CERTIFICATE--" in data else []
            key = serialization.load_pem_private_key(data, password=password)
        else:
            key, leaf, extra = pkcs12.load_key_and_certificates(data, password)
            certificates = [c for c in (leaf, *extra) if c is not None]
    except (ValueError, TypeError) as exc:
        # cryptography's messages say "bad password" or "could not deserialize"; no key material.
        reason = "a password is needed" if "password" in str(exc).lower() else "it cannot be read"
        raise ConfigurationError(
            f"the certificate file is not a usable PEM or PKCS#12 certificate ({reason}; "
            "check certificate_path and password)"
        ) from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ConfigurationError(
            "the certificate file has no RSA private key (Entra ID signs client assertions "
            "with RSA keys only)"
        )
    public = key.public_key().public_numbers()
    for certificate in certificates:
        certificate_key = certificate.public_key()
        if (
            isinstance(certificate_key, rsa.RSAPublicKey)
            and certificate_key.public_numbers() == public
        ):
            der = certificate.public_bytes(serialization.Encoding.DER)
            return _Certificate(key=key, thumbprint_sha256=b64url(hashlib.sha256(der).digest()))
    raise ConfigurationError(
        "the certificate file has a private key but not its certificate: put both in one "
        "PEM file (or use a PKCS#12 file)"
    )


class CertificateCredential(TokenEndpointCredential):
    """Client-credentials grant with a certificate (PEM with key and certificate, or PKCS#12).

    The certificate's public part must be registered on the app in Entra ID; the file is read
    once, here. Takes the options of :class:`TokenEndpointCredential` (``authority``,
    ``timeout``, ``max_retries``, ``async_client``, ``sync_client``).
    """

    def __init__(
        self,
        *,
        tenant_id: str,
        client_id: str,
        certificate_path: str | os.PathLike[str],
        password: str | bytes | None = None,
        **options: Unpack[CredentialOptions],
    ) -> None:
        super().__init__(tenant_id=tenant_id, client_id=client_id, **options)
        try:
            data = Path(certificate_path).read_bytes()
        except OSError as exc:
            raise ConfigurationError(
                f"cannot read the certificate file {os.fspath(certificate_path)!r}: "
                f"{exc.strerror or type(exc).__name__}"
            ) from None
        secret = password.encode() if isinstance(password, str) else password
        self._certificate = load_certificate(data, secret or None)

    @classmethod
    def from_env(
        cls, *, environ: Mapping[str, str] | None = None, **options: Unpack[CredentialOptions]
    ) -> CertificateCredential:
        """From ``AZURE_TENANT_ID``, ``AZURE_CLIENT_ID``, ``AZURE_CLIENT_CERTIFICATE_PATH``,
        ``AZURE_CLIENT_CERTIFICATE_PASSWORD`` (optional) and ``AZURE_AUTHORITY_HOST``
        (optional), azure-identity's names."""
        env = os.environ if environ is None else environ
        merged: CredentialOptions = {**authority_from_env(env), **options}
        return cls(
            tenant_id=require_env(env, "AZURE_TENANT_ID"),
            client_id=require_env(env, "AZURE_CLIENT_ID"),
            certificate_path=require_env(env, "AZURE_CLIENT_CERTIFICATE_PATH"),
            password=env.get("AZURE_CLIENT_CERTIFICATE_PASSWORD") or None,
            **merged,
        )

    @property
    def thumbprint(self) -> str:
        """The certificate's SHA-256 thumbprint, base64url (the ``x5t#S256`` header)."""
        return self._certificate.thumbprint_sha256

    def _client_authentication(self) -> dict[str, str]:
        return {
            "client_assertion_type": ASSERTION_TYPE,
            "client_assertion": self.create_assertion(),
        }

    def create_assertion(self) -> str:
        """A fresh signed client assertion for this credential's token endpoint."""
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding

        now = int(self._clock())
        header = {"alg": "PS256", "typ": "JWT", "x5t#S256": self._certificate.thumbprint_sha256}
        claims = {
            "aud": self.token_url,
            "iss": self._client_id,
            "sub": self._client_id,
            "jti": str(uuid.uuid4()),
            "iat": now,
            "nbf": now,
            "exp": now + _ASSERTION_LIFETIME,
        }
        signing_input = ".".join(
            b64url(json.dumps(part, separators=(",", ":")).encode()) for part in (header, claims)
        ).encode("ascii")
        signature = self._certificate.key.sign(
            signing_input,
            padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.DIGEST_LENGTH),
            hashes.SHA256(),
        )
        return f"{signing_input.decode('ascii')}.{b64url(signature)}"
