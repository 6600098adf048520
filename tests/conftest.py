"""Shared fixtures: one emulator for the whole run (reset per test), and settings that reach it."""

from __future__ import annotations

import asyncio
import copy
import hashlib
import http.client
import json
import os
import re
import types
import uuid
import warnings
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

# No test may ask the ECS instance metadata address (100.100.100.200) for a RAM role: Alibaba's default
# credential chain does when nothing else gives credentials, and it reads this variable at import.
os.environ["ALIBABA_CLOUD_ECS_METADATA_DISABLED"] = "true"

import hypothesis  # noqa: F401  imported up front: see the note below
import pytest
from alibabacloud_aiworkspace20210204 import models
from alibabacloud_aiworkspace20210204.client import Client
from alibabacloud_tea_openapi import utils_models as open_api_util_models
from alibabacloud_tea_openapi.exceptions import ClientException
from alibabacloud_tea_openapi.models import Config
from alibabacloud_tea_openapi.utils import Utils as OpenApiUtils
from darabonba.runtime import RuntimeOptions
from pulumi_pai_models import Settings
from pulumi_pai_models.emulator import DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, EmulatorServer, load_demo_catalog

# Note: CPython 3.11.7 can fail to compile a module ("AST constructor recursion depth mismatch",
# CPython gh-106905) after the Automation API's in-process language server has run; hypothesis's
# pytest plugin imports hypothesis lazily at the end of the run, so it is imported here first.


def make_catalog(count: int, *, start: int = 0, provider: str | None = "pai") -> dict:
    """A synthetic catalog of `count` models with distinct ids and creation times."""
    models = []
    for i in range(start, start + count):
        models.append(
            {
                "ModelId": f"model-{i:06d}",
                "ModelName": f"synthetic-{i:06d}",
                "GmtCreateTime": _time(i),
                "Provider": provider,
                "Domain": "nlp" if i % 2 == 0 else "cv",
                "ParameterSize": (i * 37) % 5000,
                "LatestVersion": {"VersionName": "1.0.0", "Uri": f"oss://bench/models/{i}/1.0.0/", "GmtCreateTime": _time(i)},
            }
        )
        if provider is None:
            del models[-1]["Provider"]
    return {"Models": models}


def _time(i: int) -> str:
    day, rest = divmod(i, 86400)
    hour, rest = divmod(rest, 3600)
    minute, second = divmod(rest, 60)
    return f"2024-{1 + (day // 28) % 12:02d}-{1 + day % 28:02d}T{hour:02d}:{minute:02d}:{second:02d}Z"


@pytest.fixture(autouse=True)
def no_pulumi_program_left_over():
    """A test that ran a program under mocks (or inline) leaves Pulumi's settings pointing at its monitor; a later test
    would run as if inside that program (and share its answers). Pulumi's settings are context properties whose first
    value also becomes their default in every other thread (pulumi._utils.ContextProperty.fset), so resetting the
    options is not enough: the default is cleared too (a private field: test hygiene only, the package never does it)."""
    yield
    from pulumi.runtime import settings as runtime_settings

    monitor = type(runtime_settings.SETTINGS).__dict__.get("monitor")
    if getattr(monitor, "_ContextProperty__default", None) is not None:
        monitor._ContextProperty__default = None  # type: ignore[union-attr]
    if runtime_settings.get_monitor() is not None:
        runtime_settings.reset_options()
    # asyncio.run() ends by setting the main thread's loop to None, after which get_event_loop() (pulumi.runtime.test
    # and set_mocks use it) raises "There is no current event loop": seen when pytest-xdist ran such a test first.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            asyncio.get_event_loop()
        except RuntimeError:
            asyncio.set_event_loop(asyncio.new_event_loop())


@pytest.fixture(scope="session")
def emulator_server():
    server = EmulatorServer(load_demo_catalog()).start()
    yield server
    server.stop()


@pytest.fixture
def emulator(emulator_server):
    """The shared emulator with the demo catalog, the public test key pair, no faults and an empty request log."""
    emulator_server.set_access_keys(None)
    emulator_server.set_catalog(load_demo_catalog())
    emulator_server.reset()
    yield emulator_server
    emulator_server.reset()


@pytest.fixture
def settings(emulator) -> Settings:
    """Settings that reach the emulator with its public test key pair, fast retries. The read timeout is no test's
    subject (those set their own): 10 s, because at 2 s a loaded machine's slow answer was retried, and tests that
    count requests saw one more (test_outside_a_program_nothing_is_cached: 3 for 2, at load 7-9)."""
    return Settings(
        endpoint=emulator.url,
        access_key_id=DEFAULT_ACCESS_KEY_ID,
        access_key_secret=DEFAULT_ACCESS_KEY_SECRET,
        backoff_base_ms=10,
        backoff_max_ms=100,
        read_timeout_ms=10_000,
    )


def api_requests(server, action: str | None = None) -> list[dict]:
    """The API requests the emulator served, optionally of one action."""
    return [r for r in server.requests() if action is None or r.get("action") == action]


def acs3_headers(server, pathname: str, query: dict, key: str, secret: str, extra: dict | None = None) -> dict[str, str]:
    """ACS3-HMAC-SHA256 headers for a GET to the emulator, signed with the SDK's own signing function."""
    headers = {
        **(extra or {}),
        "host": server.endpoint,
        "x-acs-version": "2021-02-04",
        "x-acs-action": "ListModels",
        "x-acs-date": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "x-acs-signature-nonce": uuid.uuid4().hex,
        "accept": "application/json",
        "x-acs-content-sha256": hashlib.sha256(b"").hexdigest(),
    }
    request = types.SimpleNamespace(method="GET", pathname=pathname, query=query, headers=headers)
    headers["Authorization"] = OpenApiUtils.get_authorization(request, "ACS3-HMAC-SHA256", hashlib.sha256(b"").hexdigest(), key, secret)
    return headers


# -- the emulator's own tests (tests/test_emulator_*.py) ------------------------------------------------------
# Expected results there are written out by hand from the small TEST_CATALOG below, never taken from the
# emulator's own output. They drive the emulator with Alibaba's own SDK (alibabacloud_aiworkspace20210204),
# as users do; raw HTTP only where the SDK cannot send the request or hides the answer.

KEY, SECRET = "LTAItestKeyOne", "test-secret-one"
STS_KEY, STS_SECRET, STS_TOKEN = "STS.testKey", "sts-secret", "CAIS+token/with=odd&chars"
TEST_KEYS = [(KEY, SECRET), (STS_KEY, STS_SECRET, STS_TOKEN), (DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET)]
UUID_UPPER = re.compile(r"^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$")


def make_version(name: str, created: str, status: str, **extra: Any) -> dict[str, Any]:
    """A ModelVersion for a catalog."""
    v = {
        "VersionName": name,
        "GmtCreateTime": created,
        "GmtModifiedTime": created,
        "Uri": f"oss://bucket.oss-cn-hangzhou.aliyuncs.com/models/{name}/",
        "ApprovalStatus": status,
        "FormatType": "SavedModel",
        "FrameworkType": "TensorFlow",
        "SourceType": "TrainingService",
        "SourceId": f"train-{name}",
        "InferenceSpec": {"processor": "tensorflow_cpu_2.7"},
        "Labels": [],
    }
    v.update(extra)
    return v


# Public ("pai") models, ascending by (GmtCreateTime, ModelId): m-a, m-c, m-b, m-g.
# Own models (no Provider), ascending: m-f, m-d, m-e, m-x.
TEST_CATALOG: dict[str, Any] = {
    "Models": [
        {
            "ModelId": "m-a", "ModelName": "Alpha-Chat", "Provider": "pai", "Domain": "nlp",
            "Task": "text-generation", "Origin": "ModelScope", "ModelType": "Checkpoint",
            "ParameterSize": 1500, "OrderNumber": 5, "GmtCreateTime": "2024-01-01T00:00:00Z",
            "Labels": [{"Key": "family", "Value": "qwen"}], "Collections": ["QuickStart"], "Tags": [],
            "LatestVersion": make_version("1.0.0", "2024-01-01T00:00:00Z", "Approved"),
        },
        {
            "ModelId": "m-b", "ModelName": "alpha-chat-large", "Provider": "pai", "Domain": "nlp",
            "Task": "text-generation", "Origin": "HuggingFace", "ModelType": "Checkpoint",
            "ParameterSize": 7000, "OrderNumber": 9, "GmtCreateTime": "2024-02-01T00:00:00Z",
            "Labels": [{"Key": "family", "Value": "llama"}], "Collections": ["LLM"],
        },
        {
            "ModelId": "m-c", "ModelName": "vision-net", "Provider": "pai", "Domain": "cv",
            "Task": "image-classification", "Origin": "ModelScope", "ModelType": "Endpoint",
            "ParameterSize": 25, "OrderNumber": 1, "GmtCreateTime": "2024-01-01T00:00:00Z",
            "Labels": [{"Key": "usage", "Value": "not-for-NLP"}], "Collections": ["QuickStart", "AI4D"],
        },
        {
            "ModelId": "m-g", "ModelName": "alpha-chat", "Provider": "pai", "Domain": "nlp",
            "Task": "text-generation", "GmtCreateTime": "2024-05-01T00:00:00Z",
        },
        {
            "ModelId": "m-d", "ModelName": "fraud-detector", "WorkspaceId": "ws-1", "Domain": "tabular",
            "Task": "tabular-classification", "GmtCreateTime": "2024-03-01T00:00:00Z",
            "Tags": [{"Key": "env", "Value": "prod"}, {"Key": "team", "Value": "risk"}],
            "LatestVersion": make_version("9.9.9", "2030-01-01T00:00:00Z", "Approved"),  # replaced by Versions
            "Versions": [
                make_version("1.0.0", "2024-03-01T00:00:00Z", "Approved", Labels=[{"Key": "dataset", "Value": "q1"}]),
                make_version("1.1.0", "2024-04-01T00:00:00Z", "Approved", FormatType="PMML", FrameworkType="XGBoost"),
                make_version("1.2.0", "2024-05-01T00:00:00Z", "Pending", Labels=[{"Key": "dataset", "Value": "q2"}]),
                make_version("0.9.0", "2024-02-01T00:00:00Z", "Rejected", SourceType="PAIFlow", SourceId="run-1"),
            ],
        },
        {
            "ModelId": "m-e", "ModelName": "churn", "WorkspaceId": "ws-2", "GmtCreateTime": "2024-03-15T00:00:00Z",
            "Tags": [{"Key": "env", "Value": "staging"}, {"Key": "team", "Value": "risk"}],
            "LatestVersion": make_version("2.0.0", "2024-03-15T00:00:00Z", "Approved"),
        },
        {
            "ModelId": "m-f", "ModelName": "Fraud-Rules", "WorkspaceId": "ws-1", "GmtCreateTime": "2023-12-01T00:00:00Z",
            "Tags": [{"Key": "env", "Value": "prod"}], "Labels": [{"Key": "env-like", "Value": "prod"}],
        },
        {
            "ModelId": "m x/1", "ModelName": "a+b c/d~*'()!", "GmtCreateTime": "2024-06-01T00:00:00Z",
            "Versions": [
                make_version("v 1/2", "2024-06-01T00:00:00Z", "Approved"),
                make_version("1.0.0", "2024-05-01T00:00:00Z", "Pending"),
            ],
        },
    ]
}
PAI_ASC = ["m-a", "m-c", "m-b", "m-g"]
OWN_ASC = ["m-f", "m-d", "m-e", "m x/1"]


@pytest.fixture
def pai_server(emulator_server):
    """The session's emulator serving TEST_CATALOG to TEST_KEYS, with no faults and an empty request log.

    Like `emulator`, it sets up all the state it promises, so neither fixture has to undo the other's.
    """
    emulator_server.set_access_keys(TEST_KEYS)
    emulator_server.set_catalog(TEST_CATALOG)
    emulator_server.reset()
    yield emulator_server
    emulator_server.reset()


def make_client(srv: EmulatorServer, key: str = KEY, secret: str = SECRET, **extra: Any) -> Client:
    """Alibaba's SDK client for the emulator at `srv` (anything with `.endpoint`)."""
    return Client(Config(access_key_id=key, access_key_secret=secret, endpoint=srv.endpoint, protocol="http", **extra))


def list_models(srv: EmulatorServer, client: Client | None = None, **kwargs: Any) -> tuple[int, list[str]]:
    """(TotalCount, the ModelIds of the page) of a ListModels call through the SDK."""
    client = client or make_client(srv)
    body = client.list_models_with_options(models.ListModelsRequest(**kwargs), {}, RuntimeOptions()).body
    return body.total_count, [m.model_id for m in body.models]


def ids(srv: EmulatorServer, **kwargs: Any) -> list[str]:
    """All ModelIds a ListModels call finds (one page of 100), checked against its TotalCount."""
    kwargs.setdefault("page_size", 100)
    total, got = list_models(srv, **kwargs)
    assert total == len(got)
    return got


def tag(key: str, value: str | None = None) -> models.ListModelsRequestTag:
    return models.ListModelsRequestTag(key=key, value=value)


def cond(column: str, operator: str, value: str) -> models.ListModelsRequestConditions:
    return models.ListModelsRequestConditions(column=column, operator=operator, value=value)


def raw_call(srv: EmulatorServer, pathname: str, query: dict[str, str] | None = None, *, action: str = "ListModels",
             client: Client | None = None) -> dict[str, Any]:
    """Call through the SDK's generic call_api: real signing, raw bytes and headers back."""
    params = open_api_util_models.Params(
        action=action, version="2021-02-04", protocol="HTTPS", pathname=pathname, method="GET",
        auth_type="AK", style="ROA", req_body_type="json", body_type="byte",
    )
    req = open_api_util_models.OpenApiRequest(query=query or {})
    return (client or make_client(srv)).call_api(params, req, RuntimeOptions())


def expect_error(fn: Callable[[], Any], code: str, status: int, exc_type: type = ClientException) -> Any:
    """The SDK exception `fn` raises, checked for its code, HTTP status and request id."""
    with pytest.raises(exc_type) as info:
        fn()
    err = info.value
    assert err.code == code, err
    assert err.status_code == status, err
    assert UUID_UPPER.match(err.request_id), err.request_id
    return err


def send(srv: Any, method: str, target: str, headers: dict[str, str] | None = None,
         body: bytes | None = None) -> tuple[int, dict[str, str], bytes]:
    """One raw HTTP request to the emulator: (status, lower-cased headers, body)."""
    conn = http.client.HTTPConnection(srv.host, srv.port, timeout=10)
    try:
        conn.request(method, target, body=body, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


def admin(srv: Any, method: str, name: str, data: Any = None) -> tuple[int, Any]:
    """Call the emulator admin endpoint /_emulator/<name> over HTTP: (status, the JSON answer)."""
    body = None if data is None else json.dumps(data).encode("utf-8")
    status, _, raw = send(srv, method, f"/_emulator/{name}", {"Content-Type": "application/json"} if body else {}, body)
    return status, json.loads(raw)


def assert_alibaba_error(status: int, headers: dict[str, str], body: bytes, code: str, expected_status: int) -> dict[str, Any]:
    """The raw answer is Alibaba's error shape with `code` and `expected_status`; returns the body."""
    assert status == expected_status
    data = json.loads(body)
    assert set(data) == {"RequestId", "Code", "Message", "Recommend"}
    assert data["Code"] == code
    assert UUID_UPPER.match(data["RequestId"])
    assert headers["x-acs-request-id"] == data["RequestId"]
    return data


# -- a key pair of a test module's own (the leak checks of test_secrets, test_plugin, test_yaml, test_engine, test_rollout) --


@pytest.fixture
def private_emulator(emulator_server):
    """A factory: `private_emulator(key_id, secret)` is the session's emulator serving the demo catalog to that key pair
    alone, with no faults and an empty request log.

    Each module passes a secret of its own, random per run, so finding it in any output, log or state is a real leak.
    Like `emulator` and `pai_server`, it sets up all the state it promises.
    """

    def serve(key_id: str, secret: str) -> EmulatorServer:
        emulator_server.set_access_keys({key_id: secret})
        emulator_server.set_catalog(load_demo_catalog())
        emulator_server.reset()
        return emulator_server

    yield serve
    emulator_server.reset()


def model_named(catalog: dict[str, Any], name: str = "fraud-detector") -> dict[str, Any]:
    """The model of `catalog` with this name (the dict itself: changing it changes the catalog)."""
    return next(m for m in catalog["Models"] if m["ModelName"] == name)


def demo_model(name: str = "fraud-detector") -> dict[str, Any]:
    """A model of the demo catalog, as the emulator serves it before a test changes the catalog."""
    return model_named(load_demo_catalog(), name)


def newest_approved(model: dict[str, Any]) -> dict[str, Any]:
    """A catalog model's newest approved version (what `approval_status="Approved"` picks)."""
    versions = model.get("Versions") or [model["LatestVersion"]]
    return max((v for v in versions if v.get("ApprovalStatus") == "Approved"), key=lambda v: v["GmtCreateTime"])


def add_newer_version(
    server: EmulatorServer,
    version: str = "7.0.0",
    name: str = "fraud-detector",
    *,
    catalog: dict[str, Any] | None = None,
    created: str = "2031-01-01T00:00:00Z",
) -> dict[str, Any]:
    """Serve `catalog` (default: the demo catalog; it is changed in place) with a newer approved version of `name`, a
    copy of its newest approved one; returns it."""
    catalog = load_demo_catalog() if catalog is None else catalog
    model = model_named(catalog, name)
    newer = copy.deepcopy(newest_approved(model))
    newer.update(VersionName=version, GmtCreateTime=created, Uri=f"oss://acme/{name}/{version}/")
    model["Versions"] = [*(model.get("Versions") or [model["LatestVersion"]]), newer]
    model.pop("LatestVersion", None)  # the emulator derives it from the newest version
    server.set_catalog(catalog)
    return newer


def dynamic_provider(config: dict[str, str], project: str = "test") -> Any:
    """ModelLookup's dynamic provider in a new engine operation, configured with this stack config as the engine does."""
    from pulumi.dynamic import ConfigureRequest
    from pulumi.dynamic.config import Config
    from pulumi_pai_models.resource import ModelLookupProvider, begin_operation

    begin_operation()  # answers of an earlier operation are not reused
    provider = ModelLookupProvider()
    provider.configure(ConfigureRequest(Config(config, project)))
    return provider


def emulator_config(server: EmulatorServer) -> dict[str, str]:
    """The stack config that reaches `server` with its public test key pair."""
    return {"pai-models:endpoint": server.url, "alicloud:accessKey": DEFAULT_ACCESS_KEY_ID, "alicloud:secretKey": DEFAULT_ACCESS_KEY_SECRET}


def documented(docstring: str | None) -> dict[str, str]:
    """The entries of a Google-style docstring's `Args:` or `Attributes:` section: name -> its text, continuation lines
    joined with a space."""
    entries: dict[str, str] = {}
    section: int | None = None  # the indentation of the section's header
    current = None
    for line in (docstring or "").splitlines():
        indent = len(line) - len(line.lstrip())
        if line.strip() in ("Args:", "Attributes:"):
            section, current = indent, None
        elif section is None or not line.strip():
            continue
        elif indent <= section:
            section = current = None
        elif indent == section + 4 and (entry := re.match(r"^(\w+): (.*)$", line.strip())):
            current = entry.group(1)
            entries[current] = entry.group(2)
        elif current is not None:
            entries[current] += " " + line.strip()
    return entries
