"""`pai-models emulator` / `python -m pulumi_pai_models.emulator` as a subprocess: output, signals, --help, exit codes.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import types

import pytest
from alibabacloud_aiworkspace20210204 import models
from conftest import (
    OWN_ASC,
    PAI_ASC,
    STS_TOKEN,
    TEST_CATALOG,
    list_models,
    make_client,
    send,
)
from pulumi_pai_models.emulator import (
    DEFAULT_ACCESS_KEY_ID,
    DEFAULT_ACCESS_KEY_SECRET,
    EmulatorServer,
)

pytestmark = pytest.mark.shell  # every test here runs the command in a subprocess


def _spawn(*args: str) -> subprocess.Popen:
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    return subprocess.Popen(
        [sys.executable, "-m", "pulumi_pai_models.emulator", *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )


def _listening(proc: subprocess.Popen) -> EmulatorServer:
    line = proc.stdout.readline()
    m = re.fullmatch(r"listening on http://127\.0\.0\.1:(\d+)\n", line)
    assert m, (line, proc.stderr.read() if proc.poll() is not None else "")
    stub = types.SimpleNamespace(host="127.0.0.1", port=int(m.group(1)), endpoint=f"127.0.0.1:{m.group(1)}")
    return stub  # type: ignore[return-value]


def _stop(proc: subprocess.Popen) -> None:
    """Kill the emulator if a failed test left it running."""
    if proc.poll() is None:
        proc.kill()
        proc.wait()


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_cli_serves_and_stops_on_signal(tmp_path, sig):
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps(TEST_CATALOG), encoding="utf-8")
    proc = _spawn("--catalog", str(path), "--port", "0", "--access-key", "AKcli:SKcli",
                  "--access-key", f"AKsts:SKsts:{STS_TOKEN}")
    try:
        stub = _listening(proc)
        assert list_models(stub, client=make_client(stub, "AKcli", "SKcli"), provider="pai") == (4, PAI_ASC)
        sts = make_client(stub, "AKsts", "SKsts", security_token=STS_TOKEN)
        assert list_models(stub, client=sts) == (4, OWN_ASC)
        proc.send_signal(sig)
        assert proc.wait(timeout=10) == 0
        assert "SKcli" not in proc.stderr.read()
    finally:
        _stop(proc)


def test_cli_defaults_to_demo_catalog_and_test_key():
    proc = _spawn()
    try:
        stub = _listening(proc)
        client = make_client(stub, DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET)
        assert client.get_model("model-1123*****", models.GetModelRequest()).body.model_name == "情感分析"
        proc.terminate()
        assert proc.wait(timeout=10) == 0
    finally:
        _stop(proc)


@pytest.mark.parametrize(
    "args, fragment",
    [(["--host", "0.0.0.0"], "unsigned"), (["--access-key", "nocolon"], "ID:SECRET"), (["--catalog", "/nonexistent/x.json"], "Cannot read"),
     (["--latency-ms", "-1"], "milliseconds")],
)
def test_cli_rejects_bad_arguments(args, fragment):
    proc = subprocess.run([sys.executable, "-m", "pulumi_pai_models.emulator", *args],
                          capture_output=True, text=True, timeout=30, check=False)
    assert proc.returncode == 2
    assert fragment in proc.stderr
    assert proc.stdout == ""


def _sourced(line: str, *names: str) -> list[str]:
    """The values `names` have after a shell runs `line` (which must be a pasteable shell line)."""
    script = line + "\n" + "".join(f'printf "%s\\n" "${name}"\n' for name in names)
    done = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=30, check=True)
    return done.stdout.splitlines()


def test_cli_second_line_is_the_public_test_pair_to_paste():
    proc = _spawn()
    try:
        stub = _listening(proc)
        url = f"http://{stub.endpoint}"
        second = proc.stdout.readline()
        assert second.startswith("export ") and second.endswith("\n")
        assert DEFAULT_ACCESS_KEY_ID in second and DEFAULT_ACCESS_KEY_SECRET in second  # a public test pair: shown
        key, secret, endpoint = _sourced(second, "ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "PAI_MODELS_ENDPOINT")
        assert (key, secret, endpoint) == ("LTAIemulatorTestKey", "emulator-test-secret", url)
        assert list_models(stub, client=make_client(stub, key, secret), provider="pai", page_size=1)[0] >= 1
        proc.terminate()
        assert proc.wait(timeout=10) == 0
        assert proc.stdout.read() == "" and proc.stderr.read() == ""
    finally:
        _stop(proc)


def test_cli_second_line_never_shows_a_given_secret():
    proc = _spawn("--access-key", "AKcli:SKcli", "--access-key", f"AKsts:SKsts:{STS_TOKEN}")
    try:
        stub = _listening(proc)
        second = proc.stdout.readline()
        assert "AKcli" in second and "AKsts" in second
        assert "SKcli" not in second and "SKsts" not in second and STS_TOKEN not in second
        assert DEFAULT_ACCESS_KEY_SECRET not in second  # the public pair is not accepted here: not offered either
        assert _sourced(second, "PAI_MODELS_ENDPOINT") == [f"http://{stub.endpoint}"]
        proc.terminate()
        assert proc.wait(timeout=10) == 0
    finally:
        _stop(proc)


def test_cli_help_gives_the_test_secret_and_the_admin_endpoints(pai_server):
    done = subprocess.run([sys.executable, "-m", "pulumi_pai_models.emulator", "--help"],
                          capture_output=True, text=True, timeout=30, check=False)
    assert done.returncode == 0 and done.stderr == ""
    out = done.stdout
    assert "LTAIemulatorTestKey" in out and "emulator-test-secret" in out
    # Each admin endpoint with its methods and what it takes, as the server really serves them.
    expected = {
        "health": {"GET"},
        "catalog": {"GET", "PUT"},
        "faults": {"GET", "POST"},
        "hooks": {"GET", "POST"},
        "reset": {"POST"},
        "requests": {"GET"},
        "models": {"POST"},
        "models/{model}": {"DELETE"},
        "models/{model}/versions": {"POST"},
        "models/{model}/versions/{version}": {"PATCH", "DELETE"},
    }
    listed: dict[str, set[str]] = {}
    for method, name in re.findall(r"^  (GET|PUT|POST|PATCH|DELETE)\s+/_emulator/(\S+)", out, re.M):
        listed.setdefault(name, set()).add(method)
    assert listed == expected
    for name, methods in expected.items():
        path = name.replace("{model}", "m-d").replace("{version}", "1.0.0")
        status, headers, _ = send(pai_server, "OPTIONS", f"/_emulator/{path}")
        assert status == 405 and set(headers["allow"].split(", ")) == methods, name
    assert re.search(r"PUT\s+/_emulator/catalog\s+body \{\"Models\": \[\.\.\.\]\}", out)
    assert re.search(r"POST\s+/_emulator/faults\s+body \{\"faults\": \[", out)
    assert re.search(r"POST\s+/_emulator/reset\s+no body", out)
    assert re.search(r"^  2\s.*port", out, re.M)  # exit codes, with the one for a port in use


def test_cli_port_in_use_exits_2_naming_the_port():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run([sys.executable, "-m", "pulumi_pai_models.emulator", "--port", str(port)],
                              capture_output=True, text=True, timeout=30, check=False)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1 and str(port) in done.stderr and "--port 0" in done.stderr
    assert "Traceback" not in done.stderr
