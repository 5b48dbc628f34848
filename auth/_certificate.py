"""``CertificateCredential``: the client proves its identity with a certificate's private key.

Each token request carries a fresh client assertion (RFC 7523): a PS256 JWT whose header names the
certificate by its SHA-256 thumbprint (``x5t#S256``), with ``aud`` = the token endpoint,
``iss`` = ``sub`` = the client id, a unique ``jti``, ``nbf`` and a 10-minute ``exp``, as
Microsoft documents for certificate credentials. Needs the ``certificates`` extra
(``cryptography``).
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import json
import os
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, Unpack, cast

from alleviate_debtcore.errors import ConfigurationError

from ._credential import (
    CredentialOptions,
    TokenEndpointCredential,
    authority_from_env,
    require_env,
)

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey

__all__ = [
    "ASSERTION_TYPE",
    "CertificateCredential",
    "b64url",
    "load_certificate",
    "path_name",
]

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
# Entra accepts assertions valid for up to about an hour; MSAL uses 10 minutes.
_ASSERTION_LIFETIME = 600
# A PEM or PKCS#12 file with a chain is a few KB; a larger one (or /dev/zero) is not one.
_MAX_CERTIFICATE_FILE: Final = 1024 * 1024


def b64url(data: bytes) -> str:
    """Base64url without padding, as JWTs use."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


@dataclass(frozen=True, slots=True)
class _Certificate:
    """A private key, the SHA-256 thumbprint of its certificate and the certificate's validity."""

    key: RSAPrivateKey
    thumbprint_sha256: str  # base64url, the x5t#S256 header value
    not_before: datetime.datetime
    not_after: datetime.datetime

    def __repr__(self) -> str:
        return f"_Certificate(x5t#S256={self.thumbprint_sha256!r})"

    def check_validity(self, now: float) -> None:
        """Raise ``ConfigurationError`` naming the dates unless the certificate is valid at
        ``now`` (epoch seconds): Entra ID refuses assertions signed with it (AADSTS700027)."""
        moment = datetime.datetime.fromtimestamp(now, datetime.UTC)
        window = f"valid from {_utc(self.not_before)} to {_utc(self.not_after)}"
        if moment > self.not_after:
            raise ConfigurationError(
                f"the certificate (x5t#S256 {self.thumbprint_sha256}) expired on "
                f"{_utc(self.not_after)} ({window}): Entra ID refuses assertions signed with "
                "it. Register a renewed certificate on the app and point certificate_path at it"
            )
        if moment < self.not_before:
            raise ConfigurationError(
                f"the certificate (x5t#S256 {self.thumbprint_sha256}) is not valid until "
                f"{_utc(self.not_before)} ({window}): Entra ID refuses assertions signed with "
                "it. Check this machine's clock, or use the certificate once it is valid"
            )


def _utc(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _crypto_missing() -> ConfigurationError:
    return ConfigurationError(
        "CertificateCredential needs the cryptography package: "
        "pip install 'alleviate-debtcore[certificates]'"
    )


def load_certificate(
    data: bytes, password: bytes | None, *, now: float | None = None
) -> _Certificate:
    """The RSA key and certificate in PEM (key and certificate in one file) or PKCS#12 bytes.

    With ``now`` (epoch seconds), a certificate not valid at that moment is refused. Errors name
    what is wrong, never the password or the key.
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
        raise ConfigurationError(
            f"the certificate file is not a usable PEM or PKCS#12 certificate "
            f"({_unreadable_reason(data, password, exc)})"
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
            loaded = _Certificate(
                key=key,
                thumbprint_sha256=b64url(hashlib.sha256(der).digest()),
                not_before=certificate.not_valid_before_utc,
                not_after=certificate.not_valid_after_utc,
            )
            if now is not None:
                loaded.check_validity(now)
            return loaded
    raise ConfigurationError(
        "the certificate file has a private key but not its certificate: put both in one "
        "PEM file (or use a PKCS#12 file)"
    )


def _unreadable_reason(data: bytes, password: bytes | None, exc: Exception) -> str:
    """Why cryptography refused the file, told from the file itself where it can be: whether
    the key is encrypted decides between a missing, a wrong and a needless password.
    cryptography's own messages change between versions; they name no key material."""
    if b"-----BEGIN" in data:
        encrypted = b"ENCRYPTED PRIVATE KEY" in data or b"Proc-Type: 4,ENCRYPTED" in data
        if not encrypted and b"PRIVATE KEY" in data and password is not None:
            return "a password was given but the private key is not encrypted: leave password unset"
        if encrypted and password is None:
            return "the private key is encrypted: a password is needed"
        if encrypted:
            return "the password is wrong"
        return "it cannot be read; check certificate_path"
    # PKCS#12 says "Invalid password or PKCS12 data" for both a wrong and a missing password.
    if "password" not in str(exc).lower():
        return "it cannot be read; check certificate_path"
    if password is None:
        return "the PKCS#12 file is encrypted: a password is needed"
    from cryptography.hazmat.primitives.serialization import pkcs12

    try:
        pkcs12.load_key_and_certificates(data, None)
    except (ValueError, TypeError):
        return "the password is wrong"
    return "a password was given but the PKCS#12 file is not encrypted: leave password unset"


def path_name(value: object, what: str) -> str:
    """``value`` as a file name: a non-empty str or ``os.PathLike``, else ``ConfigurationError``
    (a TypeError or ValueError from ``Path()`` would not say which argument)."""
    name: object = (
        os.fspath(cast("os.PathLike[str]", value)) if isinstance(value, os.PathLike) else value
    )
    if not isinstance(name, str) or not name:
        shown = "an empty string" if isinstance(name, str) else type(name).__name__
        raise ConfigurationError(f"{what} must name a file (a str or os.PathLike), not {shown}")
    return name


def _read_certificate_file(path: object) -> bytes:
    name = path_name(path, "certificate_path")
    try:
        with open(name, "rb") as file:
            data = file.read(_MAX_CERTIFICATE_FILE + 1)
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the path
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__
        raise ConfigurationError(f"cannot read the certificate file {name!r}: {reason}") from None
    if len(data) > _MAX_CERTIFICATE_FILE:
        raise ConfigurationError(
            f"the certificate file {name!r} is over {_MAX_CERTIFICATE_FILE} bytes: not a PEM or "
            "PKCS#12 certificate"
        )
    return data


class CertificateCredential(TokenEndpointCredential):
    """Client-credentials grant with a certificate (PEM with key and certificate, or PKCS#12).

    The certificate's public part must be registered on the app in Entra ID; the file is read
    once, here. A certificate outside its validity dates (expired, or not yet valid) is refused
    with a ``ConfigurationError`` naming them, here and at each token request, as Entra ID would
    refuse it (AADSTS700027). Takes the options of :class:`TokenEndpointCredential` (``authority``,
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
        data = _read_certificate_file(certificate_path)
        if password is not None and not isinstance(password, str | bytes):  # pyright: ignore[reportUnnecessaryIsInstance]
            raise ConfigurationError("password must be a string or bytes")
        try:
            secret = password.encode() if isinstance(password, str) else password
        except UnicodeEncodeError:  # a lone surrogate: not a password any tool could have set
            raise ConfigurationError("password is not valid UTF-8 text") from None
        self._certificate = load_certificate(data, secret or None, now=self._clock())

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
        """A fresh signed client assertion for this credential's token endpoint.

        Raises ``ConfigurationError`` once the certificate has expired (a long-running process
        outlives it): Entra ID would refuse the assertion, and no retry can help.
        """
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding

        clock = self._clock()
        self._certificate.check_validity(clock)
        now = int(clock)
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
