"""Test certificates and JWTs made on the fly (cryptography is a dev dependency)."""

from __future__ import annotations

import base64
import datetime
import json
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

PEM = serialization.Encoding.PEM


class ClientCertificate:
    """An RSA key with a self-signed certificate, as an app registration would hold."""

    def __init__(
        self,
        common_name: str = "debtcore-test-client",
        *,
        valid_from: datetime.timedelta = datetime.timedelta(days=-1),
        valid_until: datetime.timedelta = datetime.timedelta(days=30),
    ) -> None:
        """``valid_from`` and ``valid_until`` are offsets from now: negative ones lie in the
        past (an expired certificate has a negative ``valid_until``)."""
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
        now = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
        self.not_before = now + valid_from
        self.not_after = now + valid_until
        self.certificate = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(self.key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(self.not_before)
            .not_valid_after(self.not_after)
            .sign(self.key, hashes.SHA256())
        )

    @property
    def certificate_pem(self) -> bytes:
        return self.certificate.public_bytes(PEM)

    def write_pem(self, path: Path, password: bytes | None = None) -> Path:
        """Key and certificate in one PEM file, the key encrypted when a password is given."""
        encryption: serialization.KeySerializationEncryption = (
            serialization.BestAvailableEncryption(password)
            if password
            else serialization.NoEncryption()
        )
        key = self.key.private_bytes(PEM, serialization.PrivateFormat.PKCS8, encryption)
        path.write_bytes(key + self.certificate_pem)
        return path

    def write_pfx(self, path: Path, password: bytes | None) -> Path:
        """A PKCS#12 file, unencrypted when ``password`` is None."""
        encryption: serialization.KeySerializationEncryption = (
            serialization.BestAvailableEncryption(password)
            if password
            else serialization.NoEncryption()
        )
        path.write_bytes(
            pkcs12.serialize_key_and_certificates(
                b"client", self.key, self.certificate, None, encryption
            )
        )
        return path

    @property
    def thumbprint_sha256(self) -> str:
        """The base64url SHA-256 thumbprint (the x5t#S256 header value)."""
        der = self.certificate.public_bytes(serialization.Encoding.DER)
        digest = hashes.Hash(hashes.SHA256())
        digest.update(der)
        return _b64(digest.finalize())


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def sign_rs256(key: rsa.RSAPrivateKey, claims: dict[str, Any], **header: Any) -> str:
    """A compact RS256 JWT, as an external token issuer (Kubernetes, GitHub) would mint."""
    signing_input = ".".join(
        _b64(json.dumps(part, separators=(",", ":")).encode())
        for part in ({"alg": "RS256", "typ": "JWT", **header}, claims)
    )
    signature = key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    return f"{signing_input}.{_b64(signature)}"
