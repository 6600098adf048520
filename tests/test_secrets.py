"""Secrets and trust: the access key secret never shows, TLS verification stays on.

The emulator serves a fresh random key pair alone (conftest's `private_emulator`), and the secret is
configured each of the three ways a user can (explicit `Settings`, the environment, the stack config through
`ModelLookupProvider.configure`). Lookups that succeed and lookups that fail (wrong secret, no
match, ambiguous, bad argument, server faults, timeouts, unreadable answers) are run while every log
record (root and `pulumi_pai_models`, DEBUG), stdout and stderr are captured; then the secret is
searched for in all of it and in every message, `repr` and traceback produced.

Already covered elsewhere, not repeated: the emulator refuses a non-loopback bind without
`allow_remote_admin` (tests/test_emulator.py::test_non_loopback_bind_is_refused_without_the_flag);
`Settings(region=..., protocol="http")` is refused (tests/test_client.py::
test_configuration_errors_say_what_to_set); nothing the provider returns or pickles holds the key
(tests/test_provider.py::test_no_credential_in_anything_the_provider_returns_or_pickles).
"""

from __future__ import annotations

import datetime
import ipaddress
import json
import logging
import pickle
import secrets
import socket
import ssl
import threading
import traceback
from collections.abc import Callable
from typing import Any

import pytest
from conftest import dynamic_provider
from pulumi.dynamic import ConfigureRequest
from pulumi.dynamic.config import Config
from pulumi_pai_models import (
    ApiError,
    ConfigurationError,
    ModelQuery,
    PaiModelsClient,
    PaiModelsError,
    Settings,
    get_model,
    get_models,
)
from pulumi_pai_models.functions import effective_settings
from pulumi_pai_models.resource import ModelLookupProvider, begin_operation
from pulumi_pai_models.settings import ENV_NAMES, resolve

KEY_ID = "LTAI5tSecretsTest" + secrets.token_hex(4)
SECRET = "S3cr3t-" + secrets.token_urlsafe(30)
WRONG_SECRET = "Wr0ng-" + secrets.token_urlsafe(30)
NEEDLES = (SECRET, SECRET[7:23], WRONG_SECRET, WRONG_SECRET[6:22])  # whole, and a piece of the random part
FAST = {"backoff_base_ms": 5, "backoff_max_ms": 20, "max_attempts": 2, "read_timeout_ms": 600}


@pytest.fixture
def emu(private_emulator):
    return private_emulator(KEY_ID, SECRET)


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)


class Evidence:
    """Everything a run shows to a person: messages, reprs, tracebacks, returned values."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    def add(self, *values: Any) -> None:
        for value in values:
            if isinstance(value, BaseException):
                self.texts += [str(value), repr(value), repr(value.args), repr(vars(value)),
                               "".join(traceback.format_exception(type(value), value, value.__traceback__))]
                for inner in (value.__cause__, value.__context__):
                    if inner is not None:
                        self.add(inner)
            elif isinstance(value, str):
                self.texts.append(value)
            else:
                self.texts += [repr(value), str(value)]

    def outcome(self, action: Callable[[], Any]) -> str:
        try:
            result = action()
        except PaiModelsError as error:
            self.add(error)
            return type(error).__name__
        self.add(result)
        if hasattr(result, "outputs"):
            self.add(json.dumps(result.outputs(), default=str))
        return "ok"

    def assert_clean(self, caplog, capsys) -> None:
        captured = capsys.readouterr()
        records = [f"{r.name} {r.levelname} {r.getMessage()} {r.args!r} {r.exc_text or ''}" for r in caplog.records]
        everything = "\n".join(self.texts + records + [captured.out, captured.err, caplog.text])
        for needle in NEEDLES:
            assert needle not in everything, f"secret material {needle[:4]}... found"
        assert len(everything) > 1000, "the evidence is suspiciously thin"


@pytest.fixture
def evidence(caplog):
    caplog.set_level(logging.DEBUG)  # root: the SDK, urllib3, everything
    caplog.set_level(logging.DEBUG, logger="pulumi_pai_models")
    return Evidence()


SCENARIOS: list[tuple[str, list[dict] | None, dict, str]] = [
    # (name, faults to inject, get_model arguments, expected outcome)
    ("success", None, {"model_name": '"fraud-detector"'}, "ok"),
    ("no match", None, {"model_name": '"nothing-here"'}, "NoModelMatch"),
    ("ambiguous", None, {"tags": {"env": "prod"}}, "AmbiguousMatch"),
    ("bad argument", None, {"conditions": ["ParameterSize<abc"]}, "InvalidQuery"),
    ("503 persists", [{"status": 503, "count": 10}], {"model_name": '"fraud-detector"'}, "ApiError"),
    ("429 with retry-after", [{"status": 429, "code": "Throttling.User", "retry_after_ms": 30}], {"model_name": '"fraud-detector"'}, "ok"),
    ("connection reset", [{"reset_connection": True, "count": 10}], {"model_name": '"fraud-detector"'}, "ApiError"),
    ("malformed answer", [{"status": 200, "body": "malformed", "count": 10}], {"model_name": '"fraud-detector"'}, "ApiError"),
    ("HTML error page", [{"status": 502, "body": "html", "count": 10}], {"model_name": '"fraud-detector"'}, "ApiError"),
    ("timeout", [{"status": 200, "delay_ms": 900, "count": 2}], {"model_name": '"fraud-detector"'}, "ApiError"),
]


def run_scenarios(emu, evidence: Evidence, run: Callable[[dict], str]) -> list[str]:
    """Each scenario once; `run(kwargs)` does the lookup and returns its outcome's name."""
    outcomes = []
    for name, faults, kwargs, expected in SCENARIOS:
        emu.reset()
        if faults:
            emu.add_faults(faults)
        outcome = run(kwargs)
        assert outcome == expected, (name, outcome)
        outcomes.append(outcome)
    return outcomes


def test_explicit_settings_never_show_the_secret(emu, evidence, caplog, capsys):
    settings = Settings(endpoint=emu.url, access_key_id=KEY_ID, access_key_secret=SECRET, **FAST)
    run_scenarios(emu, evidence, lambda kwargs: evidence.outcome(lambda: get_model(settings=settings, **kwargs)))
    evidence.add(get_models(provider="pai", settings=settings))
    client = PaiModelsClient(settings)
    client.list_models(ModelQuery.build())  # builds the SDK client inside
    evidence.add(settings, settings.resolved(), effective_settings(settings), client, client.settings, vars(client))
    wrong = Settings(access_key_secret=WRONG_SECRET, access_key_id=KEY_ID).over(settings)
    assert evidence.outcome(lambda: get_model(model_name='"fraud-detector"', settings=wrong)) == "ApiError"
    assert emu.requests()[-1]["status"] == 400  # the emulator did reject the signature
    evidence.add(wrong, PaiModelsClient(wrong))
    evidence.assert_clean(caplog, capsys)


def test_environment_credentials_never_show_the_secret(emu, evidence, caplog, capsys, monkeypatch):
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", KEY_ID)
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", SECRET)
    monkeypatch.setenv("PAI_MODELS_ENDPOINT", emu.url)
    policy = Settings(**FAST)  # no credentials here: they come from the environment
    assert effective_settings(policy).access_key_secret == SECRET
    run_scenarios(emu, evidence, lambda kwargs: evidence.outcome(lambda: get_model(settings=policy, **kwargs)))
    evidence.add(resolve(), effective_settings(policy))
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", WRONG_SECRET)
    assert evidence.outcome(lambda: get_models(settings=policy)) == "ApiError"
    monkeypatch.delenv("ALIBABA_CLOUD_ACCESS_KEY_ID")  # a secret without its key id
    assert evidence.outcome(lambda: get_models(settings=policy)) == "ConfigurationError"
    evidence.assert_clean(caplog, capsys)


def provider_for(emu, secret: str) -> ModelLookupProvider:
    config = {"pai-models:endpoint": emu.url, "alicloud:accessKey": KEY_ID, "alicloud:secretKey": secret,
              "pai-models:maxAttempts": "2", "pai-models:readTimeoutMs": "600"}  # fmt: skip
    return dynamic_provider(config, "secrets-test")


def test_stack_config_secret_never_shows_through_the_provider(emu, evidence, caplog, capsys):
    provider = provider_for(emu, SECRET)

    def lookup(kwargs: dict) -> str:
        """What the engine would do: check, then create and read; the outcome as the functions name it."""
        begin_operation()  # each scenario is an operation of its own: no answer of the one before is reused
        result = provider.check({}, kwargs)
        evidence.add(json.dumps(result.inputs, default=str), *[f"{f.property}: {f.reason}" for f in result.failures])
        if result.failures:
            [failure] = result.failures
            return "InvalidQuery" if failure.property else failure.reason.split(":", 1)[0]
        created = provider.create(result.inputs)
        evidence.add(json.dumps(created.outs, default=str), json.dumps(provider.read(created.id, created.outs).outs, default=str))
        return "ok"

    run_scenarios(emu, evidence, lookup)
    evidence.add(provider, vars(provider), pickle.dumps(provider._config).hex())
    wrong = provider_for(emu, WRONG_SECRET)
    failures = wrong.check({}, {"model_name": '"fraud-detector"'}).failures
    assert failures and "SignatureDoesNotMatch" in failures[0].reason
    evidence.add(*[f.reason for f in failures], wrong, vars(wrong))
    evidence.assert_clean(caplog, capsys)


def test_repr_of_settings_hides_secret_and_token():
    settings = Settings(region="cn-hangzhou", access_key_id=KEY_ID, access_key_secret=SECRET, security_token=WRONG_SECRET)
    for text in (repr(settings), str(settings), repr(settings.resolved()), repr(PaiModelsClient(settings).settings)):
        assert KEY_ID in text  # the key id is not secret, and helps tell configurations apart
        assert SECRET not in text and WRONG_SECRET not in text


# --------------------------------------------------------------------------- TLS


def test_real_endpoints_use_https_with_certificate_verification(monkeypatch):
    client = PaiModelsClient(Settings(region="cn-hangzhou", access_key_id=KEY_ID, access_key_secret=SECRET, max_attempts=1))
    config = client._sdk_config()
    assert config.protocol == "https"
    assert config.endpoint == "aiworkspace.cn-hangzhou.aliyuncs.com"
    assert config.ca is None and config.cert is None and config.key is None  # the default trust store (certifi)

    # What the SDK hands to its transport, caught before anything leaves the machine.
    from darabonba.core import DaraCore
    from darabonba.exceptions import RetryError

    seen = []

    def no_network(request, runtime_option=None):
        seen.append((request.protocol, request.headers.get("host"), dict(runtime_option or {})))
        raise RetryError("stopped before the network (test)")

    monkeypatch.setattr(DaraCore, "do_action", staticmethod(no_network))
    with pytest.raises(ApiError) as info:
        client.list_models(ModelQuery.build())
    assert info.value.code == "ConnectionError"
    [(protocol, host, runtime)] = seen
    assert protocol.lower() == "https" and host == "aiworkspace.cn-hangzhou.aliyuncs.com"
    assert not runtime.get("ignoreSSL")  # darabonba verifies unless ignoreSSL is truthy
    assert runtime.get("ca") is None  # ... against its default CA bundle


def test_vpc_and_explicit_endpoints_default_to_https():
    assert Settings(region="cn-shanghai", vpc=True).resolved().protocol == "https"
    assert Settings(endpoint="pai.internal.example.com").resolved().protocol == "https"
    assert Settings(endpoint="https://pai.internal.example.com").resolved().protocol == "https"
    assert Settings(endpoint="http://127.0.0.1:8080").resolved().protocol == "http"  # explicit, e.g. the emulator
    with pytest.raises(ConfigurationError):
        Settings(endpoint="https://pai.internal.example.com", protocol="http").resolved()


def test_plain_http_from_environment_or_stack_config_needs_an_explicit_endpoint(monkeypatch):
    monkeypatch.setenv("ALIBABA_CLOUD_REGION_ID", "cn-hangzhou")
    monkeypatch.setenv("PAI_MODELS_PROTOCOL", "http")
    with pytest.raises(ConfigurationError) as info:
        effective_settings()
    assert "explicit endpoint" in str(info.value)
    with pytest.raises(ConfigurationError):
        get_models(model_name="x")
    monkeypatch.delenv("PAI_MODELS_PROTOCOL")
    provider = ModelLookupProvider()
    provider.configure(ConfigureRequest(Config({"alicloud:region": "cn-hangzhou", "pai-models:protocol": "http",
                                                "alicloud:accessKey": KEY_ID, "alicloud:secretKey": SECRET}, "p")))
    [failure] = provider.check({}, {"model_name": "x"}).failures
    assert "ConfigurationError" in failure.reason and "explicit endpoint" in failure.reason
    assert SECRET not in failure.reason


def _self_signed_certificate(tmp_path) -> tuple[str, str]:
    pytest.importorskip("cryptography")
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return str(cert_path), str(key_path)


def test_a_self_signed_certificate_is_refused(tmp_path, monkeypatch):
    """A TLS server on localhost whose certificate no CA signed: the client must not talk to it."""
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    cert, key = _self_signed_certificate(tmp_path)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.05)  # short waits, so the thread sees `done` at once (a blocked accept() outlives close())
    port = listener.getsockname()[1]
    got_http = []
    done = threading.Event()

    def serve():
        while not done.is_set():
            try:
                raw, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            try:
                with context.wrap_socket(raw, server_side=True) as conn:  # the handshake fails on the client's side
                    conn.settimeout(5)
                    got_http.append(conn.recv(65536))
                    body = b'{"RequestId":"X","TotalCount":0,"Models":[]}'
                    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
            except (ssl.SSLError, OSError):
                pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        client = PaiModelsClient(Settings(endpoint=f"https://127.0.0.1:{port}", access_key_id=KEY_ID, access_key_secret=SECRET,
                                          max_attempts=1, read_timeout_ms=3000, connect_timeout_ms=3000))
        with pytest.raises(ApiError) as info:
            client.list_models(ModelQuery.build())
    finally:
        done.set()
        thread.join(timeout=5)
        listener.close()
    assert not thread.is_alive()
    text = str(info.value)
    assert info.value.code == "TlsError"  # not retried: another handshake with the same server fails the same way
    assert "CERTIFICATE_VERIFY_FAILED" in text or "certificate verify failed" in text, text
    assert got_http == [], "no request may be sent over an unverified connection"
    assert SECRET not in text


def test_the_fields_kept_out_of_repr_are_the_declared_secrets():
    import dataclasses

    from pulumi_pai_models.settings import SECRET_FIELDS

    hidden = {f.name for f in dataclasses.fields(Settings) if not f.repr} - {"sources"}
    assert hidden == SECRET_FIELDS
