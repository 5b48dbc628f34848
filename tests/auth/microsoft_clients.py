"""Run by tests/auth/test_microsoft_libraries.py in a fresh interpreter: Microsoft's libraries as
shipped, trusting the sandbox's CA only through SSL_CERT_FILE / REQUESTS_CA_BUNDLE.

usage: microsoft_clients.py LIBRARY AUTHORITY TENANT CLIENT_ID SCOPE (secret S | certificate PATH)
Prints one JSON line: {"token": ...} or {"error": ...}.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path


def msal_token(
    authority: str, tenant: str, client_id: str, scope: str, kind: str, value: str
) -> str:
    import msal

    credential: object
    if kind == "secret":
        credential = value
    else:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes

        pem = Path(value).read_bytes()
        certificate = x509.load_pem_x509_certificates(pem)[0]
        credential = {
            "private_key": pem.decode(),
            "thumbprint": certificate.fingerprint(hashes.SHA1()).hex(),
            "public_certificate": pem.decode(),
        }
    app = msal.ConfidentialClientApplication(
        client_id,
        client_credential=credential,
        authority=f"{authority}/{tenant}",
        instance_discovery=False,
    )
    result = app.acquire_token_for_client(scopes=[scope])
    if "access_token" not in result:
        raise RuntimeError(f"{result.get('error')}: {result.get('error_description')}")
    return str(result["access_token"])


def identity_token(
    authority: str, tenant: str, client_id: str, scope: str, kind: str, value: str
) -> str:
    from azure.identity import CertificateCredential, ClientSecretCredential

    options = {"authority": authority, "disable_instance_discovery": True}
    credential = (
        ClientSecretCredential(tenant, client_id, value, **options)
        if kind == "secret"
        else CertificateCredential(tenant, client_id, certificate_path=value, **options)
    )
    return credential.get_token(scope).token


async def identity_aio_token(
    authority: str, tenant: str, client_id: str, scope: str, kind: str, value: str
) -> str:
    from azure.identity.aio import CertificateCredential, ClientSecretCredential

    options = {"authority": authority, "disable_instance_discovery": True}
    credential = (
        ClientSecretCredential(tenant, client_id, value, **options)
        if kind == "secret"
        else CertificateCredential(tenant, client_id, certificate_path=value, **options)
    )
    async with credential:
        return (await credential.get_token(scope)).token


def main() -> None:
    library, authority, tenant, client_id, scope, kind, value = sys.argv[1:8]
    args = (authority, tenant, client_id, scope, kind, value)
    try:
        if library == "msal":
            token = msal_token(*args)
        elif library == "azure-identity":
            token = identity_token(*args)
        else:
            token = asyncio.run(identity_aio_token(*args))
    except Exception as exc:  # the test shows what went wrong
        print(json.dumps({"error": f"{type(exc).__name__}: {exc}"}))
        return
    print(json.dumps({"token": token}))


if __name__ == "__main__":
    main()
