"""Messages in the user's terms: the command names its flags, the library its arguments and settings' sources.

Each case is one a new user met (the first-hour issue); each would read as it did before if it came back.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from pulumi_pai_models import ApiError, ConfigurationError, ModelQuery, NoVersionMatch, PaiModelsClient, Settings, get_model
from pulumi_pai_models.client import _first_line
from pulumi_pai_models.doors import PYTHON
from pulumi_pai_models.emulator import DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET
from pulumi_pai_models.settings import resolve

BIN = Path(sys.executable).parent
CLEAN = {"PATH": os.environ["PATH"], "HOME": "/nonexistent", "ALIBABA_CLOUD_ECS_METADATA_DISABLED": "true"}
KEYS = {"ALIBABA_CLOUD_ACCESS_KEY_ID": DEFAULT_ACCESS_KEY_ID, "ALIBABA_CLOUD_ACCESS_KEY_SECRET": DEFAULT_ACCESS_KEY_SECRET}


def command(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """`pai-models ...` in a clean environment (no credentials, no region) plus `env`."""
    return subprocess.run([str(BIN / "pai-models"), *args], env={**CLEAN, **env}, capture_output=True, text=True, timeout=60, check=False)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.shell
def test_no_region_names_the_flags_on_the_command_line():
    done = command("list")
    assert done.returncode == 2
    assert "set the region with --region, or the environment variable ALIBABA_CLOUD_REGION_ID" in done.stderr
    assert "an endpoint with --endpoint, or the environment variable PAI_MODELS_ENDPOINT" in done.stderr
    assert "Settings(" not in done.stderr and "alicloud:region" not in done.stderr and "pai-models:region" not in done.stderr


def test_no_region_names_the_config_key_and_arguments_in_the_library():
    with pytest.raises(ConfigurationError) as info:
        Settings().resolved()
    assert "pai-models:region (or alicloud:region)" in str(info.value) and "Settings(region=...)" in str(info.value)
    assert info.value.setting == "region" and info.value.missing


@pytest.mark.shell
def test_missing_credentials_are_said_whole():
    done = command("list", "--region", "cn-hangzhou")
    assert done.returncode == 2
    text = done.stderr.strip()
    assert "set the environment variables ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET" in text
    assert "--access" not in text and "pai-models:accessKey" not in text  # credentials are never flags; the command reads no config
    assert text.endswith(")") and "failed to get cred)" not in text


def test_long_underlying_messages_are_shortened_at_a_word():
    error = RuntimeError("word " * 200)
    shortened = _first_line(error, limit=50)
    assert shortened.endswith(" …") and all(part == "word" for part in shortened[:-2].split())


@pytest.mark.shell
def test_connection_refused_names_the_endpoint_and_its_setting():
    port = free_port()
    done = command("list", "--max-attempts", "1", PAI_MODELS_ENDPOINT=f"http://127.0.0.1:{port}", **KEYS)
    assert done.returncode == 5
    assert f"http://127.0.0.1:{port} (from environment variable PAI_MODELS_ENDPOINT) refused the connection" in done.stderr
    assert "urllib3" not in done.stderr and "request id" not in done.stderr and "HTTPConnectionPool" not in done.stderr

    flag = command("list", "--max-attempts", "1", "--endpoint", f"http://127.0.0.1:{port}", **KEYS)
    assert "(from --endpoint)" in flag.stderr


def test_connection_refused_names_the_stack_config_key():
    port = free_port()
    settings = resolve(PYTHON, config={"pai-models:endpoint": f"http://127.0.0.1:{port}", "pai-models:accessKey": "k",
                                       "pai-models:secretKey": "s", "pai-models:maxAttempts": "1"})  # fmt: skip
    with pytest.raises(ApiError) as info:
        PaiModelsClient(settings).list_models(ModelQuery.build())
    assert "(from stack config pai-models:endpoint) refused the connection" in str(info.value)


def test_an_endpoint_without_scheme_to_a_plain_http_server_says_so_at_once(emulator):
    settings = Settings(endpoint=emulator.endpoint, access_key_id=DEFAULT_ACCESS_KEY_ID, access_key_secret=DEFAULT_ACCESS_KEY_SECRET)
    with pytest.raises(ApiError) as info:
        PaiModelsClient(settings).list_models(ModelQuery.build())
    error = info.value
    assert error.code == "TlsError" and error.attempts == 1  # not retried: the next handshake fails the same way
    assert f"https://{emulator.endpoint} (from endpoint)" in str(error) and "starts with http://" in str(error)


def test_a_missing_approval_status_says_which_versions_exist(emulator, settings):
    with pytest.raises(NoVersionMatch) as info:
        get_model(model_name='"support-summarizer"', approval_status="Pending", settings=settings)
    text = str(info.value)
    assert "there is no version with ApprovalStatus Pending; its versions: 1.0.0 (Approved)" in text
    assert "has no the" not in text and "it has no versions" not in text
    assert [v.version_name for v in info.value.versions] == ["1.0.0"]


@pytest.mark.shell
def test_the_command_says_the_same_about_versions(emulator):
    done = command("get", "--exact-name", "support-summarizer", "--approval-status", "Pending", "--endpoint", emulator.url, **KEYS)
    assert done.returncode == 3
    assert "there is no version with ApprovalStatus Pending; its versions: 1.0.0 (Approved)" in done.stderr


def test_library_messages_name_the_argument(emulator, settings):
    with pytest.raises(ConfigurationError, match=r"^page_size is 500, allowed 1\.\.100$"):
        Settings(page_size=500).over(settings).resolved()
    with pytest.raises(ConfigurationError, match=r"^endpoint is empty"):
        Settings(endpoint="").resolved()
