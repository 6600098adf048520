"""Shared fixtures: one emulator for the whole run (reset per test), and settings that reach it."""

from __future__ import annotations

import hashlib
import types
import uuid
from datetime import datetime, timezone

import hypothesis  # noqa: F401  imported up front: see the note below
import pytest
from alibabacloud_tea_openapi.utils import Utils as OpenApiUtils
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


@pytest.fixture(scope="session")
def emulator_server():
    server = EmulatorServer(load_demo_catalog()).start()
    yield server
    server.stop()


@pytest.fixture
def emulator(emulator_server):
    """The shared emulator with the demo catalog, no faults and an empty request log."""
    emulator_server.set_catalog(load_demo_catalog())
    emulator_server.reset()
    yield emulator_server
    emulator_server.reset()


@pytest.fixture
def settings(emulator) -> Settings:
    """Settings that reach the emulator with its public test key pair, fast retries."""
    return Settings(
        endpoint=emulator.url,
        access_key_id=DEFAULT_ACCESS_KEY_ID,
        access_key_secret=DEFAULT_ACCESS_KEY_SECRET,
        backoff_base_ms=10,
        backoff_max_ms=100,
        read_timeout_ms=2000,
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
