"""Certificates and credential constructors (issue 21, items 7 and 8): a certificate outside its
validity dates is refused with the dates named, locally and by the sandbox (AADSTS700027, as
Entra does); password mistakes say which mistake; no constructor lets a raw exception out."""

from __future__ import annotations

import asyncio
import datetime
import os
import time
import traceback
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from pytest_httpx import HTTPXMock

from tests.support.certificates import ClientCertificate, sign_rs256
from tests.support.entra import CLIENT_ID, SCOPE, TENANT, TOKEN_URL, token_json

from alleviate_debtcore import AsyncDebtCore, DebtCore
from alleviate_debtcore.auth import CertificateCredential, ClientAssertionCredential
from alleviate_debtcore.errors import (
    ConfigurationError,
    CredentialError,
    DebtCoreError,
    InvalidCredentialsError,
)
from alleviate_debtcore.sandbox import SandboxApp, SandboxServer, create_app

DAY = datetime.timedelta(days=1)
PASSWORD = "correct-horse-battery"


def _date(moment: datetime.datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")


def _credential(path: Path, password: str | bytes | None = None, **options: object) -> object:
    return CertificateCredential(
        tenant_id=TENANT,
        client_id=CLIENT_ID,
        certificate_path=path,
        password=password,
        **options,  # type: ignore[arg-type]
    )


@pytest.fixture(scope="module")
def expired() -> ClientCertificate:
    return ClientCertificate("expired", valid_from=-60 * DAY, valid_until=-DAY)


@pytest.fixture(scope="module")
def future() -> ClientCertificate:
    return ClientCertificate("not-yet-valid", valid_from=2 * DAY, valid_until=60 * DAY)


@pytest.fixture(scope="module")
def current() -> ClientCertificate:
    return ClientCertificate("current")


# --- validity dates, locally --------------------------------------------------------------------


@pytest.mark.parametrize("form", ["pem", "pfx"])
def test_an_expired_certificate_is_refused_naming_its_dates(
    expired: ClientCertificate, tmp_path: Path, form: str
) -> None:
    path = (
        expired.write_pem(tmp_path / "c.pem")
        if form == "pem"
        else expired.write_pfx(tmp_path / "c.pfx", PASSWORD.encode())
    )
    with pytest.raises(ConfigurationError) as caught:
        _credential(path, PASSWORD if form == "pfx" else None)
    message = caught.value.message
    assert f"expired on {_date(expired.not_after)}" in message
    assert f"valid from {_date(expired.not_before)} to {_date(expired.not_after)}" in message
    assert expired.thumbprint_sha256 in message  # which certificate, to compare with the portal
    assert PASSWORD not in "".join(traceback.format_exception(caught.value))


def test_a_not_yet_valid_certificate_is_refused_naming_its_dates(
    future: ClientCertificate, tmp_path: Path
) -> None:
    with pytest.raises(ConfigurationError) as caught:
        _credential(future.write_pem(tmp_path / "c.pem"))
    message = caught.value.message
    assert f"not valid until {_date(future.not_before)}" in message
    assert f"to {_date(future.not_after)}" in message
    assert "clock" in message


def test_a_certificate_that_expires_while_in_use_stops_before_asking_entra(
    httpx_mock: HTTPXMock, current: ClientCertificate, tmp_path: Path
) -> None:
    now = [time.time()]
    httpx_mock.add_response(url=TOKEN_URL, json=token_json("while-valid"))
    credential = CertificateCredential(
        tenant_id=TENANT,
        client_id=CLIENT_ID,
        certificate_path=current.write_pem(tmp_path / "c.pem"),
        _clock=lambda: now[0],
    )
    assert credential.get_token_sync(SCOPE).token == "while-valid"
    now[0] = current.not_after.timestamp() + 1
    with pytest.raises(ConfigurationError, match=f"expired on {_date(current.not_after)}"):
        credential.get_token_sync(SCOPE)
    credential.close()
    assert len(httpx_mock.get_requests()) == 1  # no doomed request was sent


# --- passwords ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("form", "given", "expected"),
    [
        ("pem-encrypted", None, "the private key is encrypted: a password is needed"),
        ("pem-encrypted", "wrong-password", "the password is wrong"),
        ("pem", "needless-password", "password was given but the private key is not encrypted"),
        ("pfx-encrypted", None, "the PKCS#12 file is encrypted: a password is needed"),
        ("pfx-encrypted", "wrong-password", "the password is wrong"),
        ("pfx", "needless-password", "password was given but the PKCS#12 file is not encrypted"),
    ],
)
def test_password_mistakes_say_which_mistake(
    current: ClientCertificate, tmp_path: Path, form: str, given: str | None, expected: str
) -> None:
    writers = {
        "pem-encrypted": lambda: current.write_pem(tmp_path / "c.pem", PASSWORD.encode()),
        "pem": lambda: current.write_pem(tmp_path / "c.pem"),
        "pfx-encrypted": lambda: current.write_pfx(tmp_path / "c.pfx", PASSWORD.encode()),
        "pfx": lambda: current.write_pfx(tmp_path / "c.pfx", None),
    }
    with pytest.raises(ConfigurationError, match=expected) as caught:
        _credential(writers[form](), given)
    text = "".join(traceback.format_exception(caught.value)) + repr(caught.value)
    assert PASSWORD not in text
    assert given is None or given not in text
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


@pytest.mark.parametrize("password", [PASSWORD, PASSWORD.encode()])
def test_the_right_password_as_str_or_bytes_loads(
    current: ClientCertificate, tmp_path: Path, password: str | bytes
) -> None:
    path = current.write_pfx(tmp_path / "c.pfx", PASSWORD.encode())
    credential = _credential(path, password)
    assert isinstance(credential, CertificateCredential)
    assert credential.thumbprint == current.thumbprint_sha256


# --- constructors raise typed errors only -------------------------------------------------------


def _no_raw_exception(build: object) -> DebtCoreError:
    assert callable(build)
    with pytest.raises(DebtCoreError) as caught:
        build()
    return caught.value


@pytest.mark.parametrize(
    "path",
    [None, 123, b"/tmp/bytes-path", "", "a\0b", Path("/"), "/definitely/absent.pem"],
    ids=["none", "int", "bytes", "empty", "nul", "directory", "absent"],
)
def test_a_bad_certificate_path_is_a_configuration_error(path: object) -> None:
    error = _no_raw_exception(
        lambda: CertificateCredential(
            tenant_id=TENANT,
            client_id=CLIENT_ID,
            certificate_path=path,  # type: ignore[arg-type]
        )
    )
    assert isinstance(error, ConfigurationError)
    assert "certificate" in error.message


def test_an_endless_file_is_refused_without_reading_it_all() -> None:
    if not os.path.exists("/dev/zero"):
        pytest.skip("no /dev/zero here")
    started = time.monotonic()
    with pytest.raises(ConfigurationError, match="over 1048576 bytes"):
        _credential(Path("/dev/zero"))
    assert time.monotonic() - started < 30  # generous: it stops after 1 MiB


@pytest.mark.parametrize("password", [123, "\ud800", ["pw"]], ids=["int", "surrogate", "list"])
def test_a_bad_password_type_is_a_configuration_error(
    current: ClientCertificate, tmp_path: Path, password: object
) -> None:
    path = current.write_pem(tmp_path / "c.pem", PASSWORD.encode())
    error = _no_raw_exception(lambda: _credential(path, password))  # type: ignore[arg-type]
    assert isinstance(error, ConfigurationError) and "password" in error.message


@pytest.mark.parametrize(
    "options",
    [
        {"async_client": "not-a-client"},
        {"sync_client": httpx.AsyncClient()},
        {"timeout": "5"},
        {"max_retries": -1},
        {"authority": 42},
    ],
    ids=["async_client", "sync_client", "timeout", "max_retries", "authority"],
)
def test_bad_options_are_configuration_errors(
    current: ClientCertificate, tmp_path: Path, options: dict[str, Any]
) -> None:
    path = current.write_pem(tmp_path / "c.pem")
    assert isinstance(_no_raw_exception(lambda: _credential(path, **options)), ConfigurationError)


def test_assertion_credential_arguments_are_checked_at_construction() -> None:
    for kwargs in ({"func": "not callable"}, {"token_file": 123}, {"token_file": ""}):
        error = _no_raw_exception(
            lambda kwargs=kwargs: ClientAssertionCredential(
                tenant_id=TENANT,
                client_id=CLIENT_ID,
                **kwargs,  # type: ignore[arg-type]
            )
        )
        assert isinstance(error, ConfigurationError)


def test_a_failing_assertion_func_is_a_credential_error_that_keeps_its_cause() -> None:
    def func() -> str:
        raise RuntimeError("vault unreachable: token=do-not-print")

    credential = ClientAssertionCredential(tenant_id=TENANT, client_id=CLIENT_ID, func=func)
    with pytest.raises(CredentialError, match=r"func\(\) raised RuntimeError") as caught:
        credential.get_token_sync(SCOPE)
    credential.close()
    assert "do-not-print" not in str(caught.value) and "do-not-print" not in repr(caught.value)
    assert isinstance(caught.value.__cause__, RuntimeError)  # the caller's own error, for them


# --- the sandbox refuses what Entra refuses -----------------------------------------------------


def _assertion_for(app: SandboxApp, certificate: ClientCertificate, audience: str) -> str:
    """A client assertion signed as CertificateCredential signs one (which would refuse these
    certificates locally), so that the sandbox's own check is what is tested."""
    now = int(time.time())
    tokens = app.sandbox.tokens
    claims = {
        "aud": audience,
        "iss": tokens.client_id,
        "sub": tokens.client_id,
        "jti": str(uuid.uuid4()),
        "nbf": now,
        "exp": now + 600,
    }
    return sign_rs256(certificate.key, claims, **{"x5t#S256": certificate.thumbprint_sha256})


@pytest.fixture
def app(
    expired: ClientCertificate, future: ClientCertificate, current: ClientCertificate
) -> SandboxApp:
    app = create_app()
    for certificate in (expired, future, current):
        app.sandbox.tokens.assertions.register_certificate(certificate.certificate_pem)
    return app


@pytest.fixture
async def asgi(app: SandboxApp) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="https://sandbox.test") as client:
        yield client


@pytest.mark.parametrize(
    ("which", "reason"),
    [("expired", "The key used is expired."), ("future", "The key used is not yet valid.")],
)
async def test_the_sandbox_refuses_assertions_signed_with_an_invalid_certificate(
    app: SandboxApp,
    asgi: httpx.AsyncClient,
    expired: ClientCertificate,
    future: ClientCertificate,
    which: str,
    reason: str,
) -> None:
    certificate = expired if which == "expired" else future
    tokens = app.sandbox.tokens
    path = f"/{tokens.tenant_id}/oauth2/v2.0/token"
    form = {
        "grant_type": "client_credentials",
        "client_id": tokens.client_id,
        "scope": tokens.scope,
        "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        "client_assertion": _assertion_for(app, certificate, f"https://sandbox.test{path}"),
    }
    response = await asgi.post(path, data=form)
    assert response.status_code == 401
    body = response.json()
    assert body["error"] == "invalid_client"
    assert body["error_codes"] == [700027]
    assert reason in body["error_description"]
    start = certificate.not_before.strftime("%m/%d/%Y %H:%M:%S")
    end = certificate.not_after.strftime("%m/%d/%Y %H:%M:%S")
    assert f"Start={start}, End={end}" in body["error_description"]
    assert tokens.issued_count == 0


@pytest.mark.parametrize("face", ["async", "sync"])
async def test_an_expired_certificate_over_http_gets_a_hint_about_its_dates(
    app: SandboxApp, expired: ClientCertificate, current: ClientCertificate, face: str
) -> None:
    with SandboxServer(app) as server:
        tokens = server.state.tokens
        token_url = f"{server.base_url}/{tokens.tenant_id}/oauth2/v2.0/token"
        signed_with = [expired]

        def credential() -> ClientAssertionCredential:
            return ClientAssertionCredential(
                tenant_id=tokens.tenant_id,
                client_id=tokens.client_id,
                func=lambda: _assertion_for(app, signed_with[0], token_url),
            )

        if face == "async":
            async with AsyncDebtCore(
                credential=credential(), environment=server.environment
            ) as debtcore:
                with pytest.raises(InvalidCredentialsError) as caught:
                    await debtcore.offers.get_offer("og-offer-123456")
                signed_with[0] = current  # the same client works once the certificate is renewed
                assert await debtcore.offers.get_offer("og-offer-123456") is not None
        else:
            with DebtCore(credential=credential(), environment=server.environment) as sync:
                # In a thread: the blocking face must not run on this test's event loop.
                with pytest.raises(InvalidCredentialsError) as caught:
                    await asyncio.to_thread(sync.offers.get_offer, "og-offer-123456")
                signed_with[0] = current
                assert await asyncio.to_thread(sync.offers.get_offer, "og-offer-123456") is not None
    assert caught.value.aadsts_code == "AADSTS700027"
    assert "validity dates" in caught.value.message  # not the client-secret hint
    assert "CLIENT_SECRET" not in caught.value.message
