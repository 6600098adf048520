"""`pai-models emulator add-model | add-version | set-status | delete`: driving a running emulator.

In-process first (`pai-models` main() against the session's emulator serving TEST_CATALOG, its changes checked
through Alibaba's SDK); then as a user does it, in a shell against `pai-models emulator` run as a subprocess
(marked `shell`): look a model up, add a newer version, reject it, delete it; and the curl command each
subcommand's --help gives, run with the machine's curl, makes the same change as the subcommand.
"""

from __future__ import annotations

import copy
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest
from alibabacloud_aiworkspace20210204 import models
from conftest import admin, demo_model, make_client, newest_approved
from pulumi_pai_models import cli
from pulumi_pai_models.emulator import DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, load_demo_catalog
from pulumi_pai_models.emulator.drive import COMMANDS, example_calls

REPO = Path(__file__).resolve().parents[1]
SCRIPT = Path(sys.executable).with_name("pai-models")
if not SCRIPT.exists():
    SCRIPT = REPO / ".venv" / "bin" / "pai-models"


@pytest.fixture
def run(pai_server, capsys, monkeypatch):
    """run(*args) -> (exit status, stdout, stderr) of `pai-models emulator <args>`, in-process, at the test emulator."""
    monkeypatch.setenv("PAI_MODELS_ENDPOINT", pai_server.url)

    def run(*args: str) -> tuple[int, str, str]:
        code = cli.main(["emulator", *args])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def _version(srv: Any, model_id: str, name: str) -> Any:
    return make_client(srv).get_model_version(model_id, name, models.GetModelVersionRequest()).body


def _latest(srv: Any, model_id: str) -> str | None:
    latest = make_client(srv).get_model(model_id, models.GetModelRequest()).body.latest_version
    return None if latest is None else latest.version_name


def _one_error_line(err: str) -> str:
    assert err.startswith("pai-models: error: ") and err.count("\n") == 1, err
    return err


# -- each subcommand, in-process ----------------------------------------------------------------------


def test_add_version(run, pai_server):
    code, out, err = run("add-version", "--model", "fraud-detector", "--version", "1.3.0", "--uri", "oss://acme/fd/1.3.0/",
                         "--approval-status", "approved", "--label", "dataset=q3", "--label", "owner=")
    assert (code, err) == (0, "")
    assert out == "added version 1.3.0 to model m-d (fraud-detector); its LatestVersion is 1.3.0\n"
    got = _version(pai_server, "m-d", "1.3.0")
    assert (got.uri, got.approval_status) == ("oss://acme/fd/1.3.0/", "Approved")  # any case in, PAI's spelling out
    assert [(label.key, label.value) for label in got.labels] == [("dataset", "q3"), ("owner", "")]
    assert _latest(pai_server, "m-d") == "1.3.0"


def test_add_version_older_with_a_file_of_more_fields(run, pai_server, tmp_path):
    more = tmp_path / "version.json"
    more.write_text(json.dumps({"FormatType": "ONNX", "Uri": "oss://from-file/", "VersionName": "ignored"}))
    code, out, _ = run("add-version", "--model", "m-d", "--version", "0.5.0", "--created", "2020-01-01T00:00:00Z",
                       "--file", str(more), "--uri", "oss://from-flag/")
    assert code == 0 and out.endswith("its LatestVersion is 1.2.0\n")  # older: the latest stays
    got = _version(pai_server, "m-d", "0.5.0")
    assert (got.format_type, got.uri, got.gmt_create_time) == ("ONNX", "oss://from-flag/", "2020-01-01T00:00:00Z")


def test_set_status(run, pai_server):
    code, out, err = run("set-status", "--model", "m-d", "--version", "1.1.0", "--approval-status", "Rejected")
    assert (code, err) == (0, "")
    assert out == "version 1.1.0 of model m-d (fraud-detector) is now Rejected; its LatestVersion is 1.2.0\n"
    assert _version(pai_server, "m-d", "1.1.0").approval_status == "Rejected"


def test_delete_a_version_then_a_model(run, pai_server):
    code, out, _ = run("delete", "--model", "fraud-detector", "--version", "1.2.0")
    assert code == 0 and out == "deleted version 1.2.0 of model m-d (fraud-detector); its LatestVersion is 1.1.0\n"
    assert _latest(pai_server, "m-d") == "1.1.0"
    code, out, _ = run("delete", "--model", "m-d")
    assert code == 0 and out == "deleted model m-d (fraud-detector) and its 3 version(s)\n"
    assert "m-d" not in [m["ModelId"] for m in admin(pai_server, "GET", "catalog")[1]["Models"]]
    code, out, _ = run("delete", "--model", "m-e", "--version", "2.0.0")
    assert code == 0 and out == "deleted version 2.0.0 of model m-e (churn); it has no version\n"


def test_add_model_from_a_file_from_stdin_and_from_flags(run, pai_server, tmp_path, monkeypatch):
    path = tmp_path / "model.json"
    path.write_text(json.dumps({"ModelId": "m-file", "ModelName": "from-file", "Versions": [{"VersionName": "1"}]}))
    code, out, _ = run("add-model", "--file", str(path))
    assert code == 0 and out == "added model m-file (from-file) with 1 version(s); its LatestVersion is 1\n"
    assert _latest(pai_server, "m-file") == "1"

    monkeypatch.setattr(sys, "stdin", io.StringIO('{"ModelName": "from-stdin", "Domain": "nlp"}'))
    code, out, _ = run("add-model", "--file", "-", "--id", "m-stdin")
    assert code == 0 and out == "added model m-stdin (from-stdin) with 0 version(s); it has no version\n"
    assert make_client(pai_server).get_model("m-stdin", models.GetModelRequest()).body.domain == "nlp"

    code, out, _ = run("add-model", "--name", "flags-only")
    found = re.fullmatch(r"added model (model-[0-9a-f]{16}) \(flags-only\) with 0 version\(s\); it has no version\n", out)
    assert code == 0 and found
    assert make_client(pai_server).get_model(found.group(1), models.GetModelRequest()).body.model_name == "flags-only"


def test_output_json_is_the_emulators_answer(run, pai_server):
    code, out, _ = run("add-version", "--model", "m-b", "--version", "1", "-o", "json")
    answer = json.loads(out)
    assert code == 0 and answer["Model"]["ModelId"] == "m-b" and answer["Version"]["VersionName"] == "1"
    assert re.fullmatch(r"[0-9A-F-]{36}", answer["RequestId"])


@pytest.mark.parametrize("endpoint", ["{url}", "{url}/", "{hostport}"])
def test_url_from_the_environment_with_or_without_a_scheme(run, pai_server, monkeypatch, endpoint):
    monkeypatch.setenv("PAI_MODELS_ENDPOINT", endpoint.format(url=pai_server.url, hostport=pai_server.endpoint))
    code, _, err = run("set-status", "--model", "m-d", "--version", "1.0.0", "--approval-status", "Pending")
    assert (code, err) == (0, "")
    assert _version(pai_server, "m-d", "1.0.0").approval_status == "Pending"


# -- errors: one line, pai-models' exit codes, and nothing changed -----------------------------------------


@pytest.mark.parametrize(
    "args, status, needles",
    [
        (["delete", "--model", "nope"], 3, ["No model has the ModelId or the exact ModelName 'nope'", "404 201900002",
                                            "DELETE /_emulator/models/nope", "request id "]),
        (["set-status", "--model", "m-d", "--version", "9", "--approval-status", "Approved"], 3, ["no version '9'"]),
        (["add-version", "--model", "m-d", "--version", "1.1.0"], 2, ["409 ModelVersionAlreadyExists"]),
        (["add-version", "--model", "m-d", "--version", "2", "--created", "soon"], 2,
         ["Version.GmtCreateTime 'soon' is not an ISO 8601 time", "400 InvalidParameter"]),
        (["add-model", "--id", "m-a"], 2, ["ModelId 'm-a' already exists"]),
        (["add-model"], 2, ["add-model needs --file FILE"]),
        (["add-model", "--file", "/nonexistent/model.json"], 2, ["--file /nonexistent/model.json: cannot read it"]),
        (["add-version", "--model", "m-d"], 2, ["the following arguments are required: --version",
                                                "(see 'pai-models emulator add-version --help')"]),
        (["set-status", "--model", "m-d", "--version", "1", "--approval-status", "OK"], 2,
         ["'OK' is not one of Approved, Pending, Rejected"]),
        (["add-version", "--model", "m-d", "--version", "2", "--label", "nokey"], 2, ["expected KEY=VALUE"]),
        (["delete", "--model", "m-d", "--url", "ftp://host"], 2, ["--url must be http://HOST:PORT", "'ftp://host'"]),
        (["delete", "--model", "m-d", "--url", "http://127.0.0.1:1"], 5, ["cannot reach the emulator at http://127.0.0.1:1"]),
    ],
)
def test_errors_are_one_line_with_the_exit_code(run, pai_server, args, status, needles):
    before = admin(pai_server, "GET", "catalog")[1]["Models"]
    code, out, err = run(*args)
    assert (code, out) == (status, "")
    line = _one_error_line(err)
    assert all(needle in line for needle in needles), line
    assert admin(pai_server, "GET", "catalog")[1]["Models"] == before


def test_a_shared_name_exits_4(run, pai_server):
    assert run("add-model", "--name", "churn", "--id", "m-twin")[0] == 0  # m-e is named churn too
    code, out, err = run("delete", "--model", "churn")
    assert (code, out) == (4, "")
    assert "2 models are named 'churn' ('m-e', 'm-twin')" in _one_error_line(err)
    assert run("delete", "--model", "m-twin")[0] == 0


@pytest.mark.parametrize("content, needle", [("{nope", "is not valid JSON"), ("[1]", "must hold one JSON object, not list")])
def test_a_bad_file_exits_2(run, tmp_path, content, needle):
    path = tmp_path / "model.json"
    path.write_text(content)
    code, _, err = run("add-model", "--file", str(path))
    assert code == 2 and needle in _one_error_line(err)


def test_no_emulator_given_exits_2(run, monkeypatch):
    monkeypatch.delenv("PAI_MODELS_ENDPOINT")
    code, _, err = run("delete", "--model", "m-d")
    assert code == 2 and "--url http://127.0.0.1:PORT, or set PAI_MODELS_ENDPOINT" in _one_error_line(err)


@pytest.fixture
def stand_in() -> Iterator[Any]:
    """A factory: stand_in(status, content_type, body) is the URL of a local web server answering every request so."""
    servers = []

    def start(status: int, content_type: str, body: bytes) -> str:
        class Answer(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_PATCH = do_DELETE = _answer

            def log_message(self, *args: Any) -> None:
                pass

        server = HTTPServer(("127.0.0.1", 0), Answer)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize(
    "status, content_type, body, needle",
    [
        (404, "text/html", b"<html>not here</html>", "HTTP 404 without the emulator's error body; is --url an emulator?"),
        (200, "text/html", b"<html>hello</html>", "the answer is not the emulator's JSON; is --url an emulator?"),
        # what the emulator answers a call from a Host name it does not take for loopback
        (403, "application/json", json.dumps({"RequestId": "R-1", "Code": "Forbidden", "Message": "Admin endpoints answer "
                                              "only loopback Host names, not 'box:8080'."}).encode(),
         "Admin endpoints answer only loopback Host names, not 'box:8080'. (DELETE /_emulator/models/m-d: 403 Forbidden, "
         "request id R-1)"),
    ],
)
def test_an_answer_that_is_no_change_exits_5(run, stand_in, status, content_type, body, needle):
    code, out, err = run("delete", "--model", "m-d", "--url", stand_in(status, content_type, body))
    assert (code, out) == (5, "")
    assert needle in _one_error_line(err)


def test_unknown_command_exits_2(run):
    code, _, err = run("add-verison", "--model", "m-d")
    assert code == 2
    assert "unknown command 'add-verison': choose serve, add-model, add-version, set-status, delete" in _one_error_line(err)


@pytest.mark.parametrize("name", list(COMMANDS))
def test_each_help_has_examples_their_curl_and_exit_codes(run, name):
    code, out, _ = run(name, "--help")
    assert code == 0
    pairs = example_calls(COMMANDS[name])
    assert pairs
    for example, curl in pairs:
        assert example.replace("\n", "\n  ") in out and curl.replace("\n", "\n  ") in out
        assert curl.startswith("curl -sS -X ") and '"$PAI_MODELS_ENDPOINT/_emulator/models' in curl
    for status in (0, 2, 3, 4, 5):
        assert re.search(rf"^  {status}\s", out, re.M)


def test_emulator_help_lists_the_commands(run):
    code, out, _ = run("--help")
    assert code == 0 and "[serve] [options]" in out
    for name, command in COMMANDS.items():
        assert re.search(rf"^  {name}\s+{re.escape(command.summary)}$", out, re.M)


# -- in a shell, as a user does it ------------------------------------------------------------------------


@pytest.fixture
def emulator_process() -> Iterator[dict[str, str]]:
    """`pai-models emulator serve --port 0` as a subprocess; yields the environment its second line exports."""
    process = subprocess.Popen([str(SCRIPT), "emulator", "serve", "--port", "0"], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    try:
        first = process.stdout.readline()
        assert re.fullmatch(r"listening on http://127\.0\.0\.1:\d+\n", first), (first, process.poll())
        second = process.stdout.readline()
        done = subprocess.run(["bash", "-c", second + "\nenv -0"], capture_output=True, text=True, timeout=30, check=True)
        exported = dict(item.split("=", 1) for item in done.stdout.split("\0") if "=" in item)
        names = ("ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "PAI_MODELS_ENDPOINT")
        env = {k: v for k, v in os.environ.items() if not k.startswith(("ALIBABA_CLOUD_", "PAI_MODELS_"))}
        env.update({name: exported[name] for name in names}, PATH=f"{SCRIPT.parent}{os.pathsep}{os.environ['PATH']}")
        assert env["PAI_MODELS_ENDPOINT"] == first.split()[-1]
        yield env
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            assert process.wait(timeout=10) == 0
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
            process.stdout.close()
            process.stderr.close()


def _sh(script: str, env: dict[str, str], cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", "-c", script], env=env, cwd=cwd, capture_output=True, text=True, timeout=120, check=False)


@pytest.mark.shell
@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_a_user_tries_a_new_version_against_the_emulator(emulator_process):
    env = emulator_process
    current = newest_approved(demo_model("fraud-detector"))["Uri"]
    new = "oss://acme-models/fraud-detector/1.3.0/"
    assert new != current
    script = """
set -u
get() { pai-models get --exact-name fraud-detector --approval-status Approved; }
echo "before: $(get)"
pai-models emulator add-version --model fraud-detector --version 1.3.0 --uri "$NEW_URI" --approval-status Approved
echo "added: $(get)"
pai-models emulator set-status --model fraud-detector --version 1.3.0 --approval-status Rejected
echo "rejected: $(get)"
echo "latest: $(pai-models get --exact-name fraud-detector)"
pai-models emulator delete --model fraud-detector --version 1.3.0
pai-models get --exact-name fraud-detector --version 1.3.0
echo "get 1.3.0 exit: $?"
"""
    done = _sh(script, {**env, "NEW_URI": new})
    assert done.stdout.splitlines() == [
        f"before: {current}",
        "added version 1.3.0 to model model-fraud-detector (fraud-detector); its LatestVersion is 1.3.0",
        f"added: {new}",
        "version 1.3.0 of model model-fraud-detector (fraud-detector) is now Rejected; its LatestVersion is 1.3.0",
        f"rejected: {current}",  # --approval-status Approved skips it
        f"latest: {new}",  # still the newest version
        "deleted version 1.3.0 of model model-fraud-detector (fraud-detector); its LatestVersion is 1.2.0",
        "get 1.3.0 exit: 3",  # gone
    ], done.stderr
    assert done.stderr.count("\n") == 1 and "no version '1.3.0'" in done.stderr


def _exported(url: str) -> list[dict[str, Any]]:
    """The catalog the emulator at `url` serves, its times of now blanked (two runs differ by seconds)."""
    with urllib.request.urlopen(f"{url}/_emulator/catalog", timeout=10) as answer:
        catalog = json.loads(answer.read())["Models"]
    demo_times = json.dumps(load_demo_catalog())

    def blank(item: dict[str, Any]) -> None:
        for key in ("GmtCreateTime", "GmtModifiedTime"):
            if key in item and f'"{item[key]}"' not in demo_times:
                item[key] = "NOW"

    for model in catalog:
        blank(model)
        for version in [*model.get("Versions", []), *([model["LatestVersion"]] if "LatestVersion" in model else [])]:
            blank(version)
    return catalog


@pytest.mark.shell
@pytest.mark.skipif(shutil.which("curl") is None or shutil.which("bash") is None, reason="needs curl and bash")
def test_the_curl_of_each_help_makes_the_change_its_command_makes(emulator, tmp_path):
    """Run every --help example in order, once with curl and once with the subcommand, each from the demo catalog;
    after each step both catalogs are the same, and what each step did is checked by hand."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAI_MODELS_")}
    env.update(PAI_MODELS_ENDPOINT=emulator.url, PATH=f"{SCRIPT.parent}{os.pathsep}{os.environ['PATH']}")
    for name, content in {n: c for command in COMMANDS.values() for n, c in command.files.items()}.items():
        (tmp_path / name).write_text(json.dumps(content), encoding="utf-8")
    steps = [pair for command in COMMANDS.values() for pair in example_calls(command)]

    def replay(column: int) -> list[list[dict[str, Any]]]:
        emulator.set_catalog(load_demo_catalog())
        after = []
        for pair in steps:
            done = _sh(pair[column], env, cwd=tmp_path)
            assert done.returncode == 0 and done.stderr == "", (pair[column], done)
            if column == 1:  # curl prints the emulator's answer, an error too: it must be none
                assert "Code" not in json.loads(done.stdout), done.stdout
            after.append(_exported(emulator.url))
        return after

    by_curl, by_command = replay(1), replay(0)
    assert by_curl == by_command

    # what each step did, from the examples' own words
    def model(catalog: list[dict[str, Any]], model_id: str) -> dict[str, Any] | None:
        return next((m for m in catalog if m["ModelId"] == model_id), None)

    def versions(catalog: list[dict[str, Any]], model_id: str) -> dict[str, str | None]:
        found = model(catalog, model_id)
        assert found is not None
        return {v["VersionName"]: v.get("ApprovalStatus") for v in found.get("Versions", [])}

    demo = copy.deepcopy(load_demo_catalog()["Models"])
    demo_versions = {v["VersionName"]: v.get("ApprovalStatus") for v in demo_model("fraud-detector")["Versions"]}
    added_file, added_flags, added_version, rejected, deleted_version, deleted_model = by_curl
    assert [m["ModelId"] for m in added_file] == [m["ModelId"] for m in demo] + ["model-my-detector"]
    assert added_file[-1]["LatestVersion"]["Uri"] == "oss://acme-models/my-detector/0.1.0/"
    assert model(added_flags, "model-churn-v2") == {"ModelId": "model-churn-v2", "ModelName": "churn-v2",
                                                    "GmtCreateTime": "NOW", "GmtModifiedTime": "NOW"}
    assert versions(added_version, "model-fraud-detector") == {**demo_versions, "1.3.0": "Approved"}
    assert model(added_version, "model-fraud-detector")["LatestVersion"]["Uri"] == "oss://acme-models/fraud-detector/1.3.0/"
    assert versions(rejected, "model-fraud-detector") == {**demo_versions, "1.3.0": "Rejected"}
    assert versions(deleted_version, "model-fraud-detector") == demo_versions
    assert model(deleted_model, "model-churn-v2") is None and model(deleted_model, "model-my-detector") is not None


# -- the guide (docs/emulator.md) -------------------------------------------------------------------------

GUIDE = REPO / "docs" / "emulator.md"


def test_the_guide_gives_each_help_example_with_its_curl_and_the_admin_endpoints_table():
    from pulumi_pai_models.emulator.server import ADMIN_ENDPOINTS

    guide = GUIDE.read_text(encoding="utf-8")
    for command in COMMANDS.values():
        for example, curl in example_calls(command):
            assert example in guide, example
            assert curl in guide, curl
    rows = [line for line in guide.splitlines() if line.startswith("| `")]
    assert rows == [f"| `{method}` | `/_emulator/{name}` | {summary} |" for method, name, summary in ADMIN_ENDPOINTS]
    assert DEFAULT_ACCESS_KEY_ID in guide and DEFAULT_ACCESS_KEY_SECRET in guide
    heredoc = re.search(r"cat > model.json <<'EOF'\n(.*?)\nEOF\n", guide, re.S)
    assert heredoc and json.loads(heredoc.group(1)) == COMMANDS["add-model"].files["model.json"]


def _guide_commands() -> list[str]:
    """The guide's shell commands, in order: continued lines joined, a heredoc with its command; comments dropped.

    Not run here: the block that starts the emulator (a fixed port; the tests start it with --port 0) and the
    `pulumi config` block (the engine tests and scripts/demo.sh run a stack against the emulator).
    """
    commands: list[str] = []
    for block in re.findall(r"```sh\n(.*?)```", GUIDE.read_text(encoding="utf-8"), re.S):
        if block.startswith(("pai-models emulator --port", "pulumi ")):
            continue
        lines = iter(block.splitlines())
        for line in lines:
            while line.endswith("\\"):
                line += "\n" + next(lines)
            if "<<'EOF'" in line:
                body = list(iter(lines.__next__, "EOF"))
                line = "\n".join([line, *body, "EOF"])
            if line and not line.startswith("#"):
                commands.append(line)
    return commands


@pytest.mark.shell
@pytest.mark.skipif(shutil.which("curl") is None or shutil.which("bash") is None, reason="needs curl and bash")
def test_the_guides_commands_run_as_written_with_the_command_or_with_curl(emulator, tmp_path):
    commands = _guide_commands()
    kinds = {kind: [c for c in commands if c.startswith(kind)] for kind in ("pai-models emulator ", "curl ")}
    assert len(kinds["pai-models emulator "]) == len(kinds["curl "]) == 6  # each change, both ways
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ALIBABA_CLOUD_", "PAI_MODELS_"))}
    env.update(PAI_MODELS_ENDPOINT=emulator.url, ALIBABA_CLOUD_ACCESS_KEY_ID=DEFAULT_ACCESS_KEY_ID,
               ALIBABA_CLOUD_ACCESS_KEY_SECRET=DEFAULT_ACCESS_KEY_SECRET,
               PATH=f"{SCRIPT.parent}{os.pathsep}{os.environ['PATH']}")

    def run_all(skip: str) -> list[dict[str, Any]]:
        emulator.set_catalog(load_demo_catalog())
        for command in commands:
            if command.startswith(skip):
                continue
            done = _sh(command, env, cwd=tmp_path)
            assert done.returncode == 0 and done.stderr == "", (command, done)
            if command.startswith("curl "):
                assert "Code" not in json.loads(done.stdout), (command, done.stdout)
        return _exported(emulator.url)

    by_command, by_curl = run_all(skip="curl "), run_all(skip="pai-models emulator ")
    assert by_command == by_curl
    demo_ids = [m["ModelId"] for m in load_demo_catalog()["Models"]]
    assert [m["ModelId"] for m in by_curl] == [*demo_ids, "model-my-detector"]  # churn-v2 added, then deleted
    fraud = next(m for m in by_curl if m["ModelId"] == "model-fraud-detector")
    assert fraud == demo_model("fraud-detector") | {"LatestVersion": fraud["LatestVersion"]}  # 1.3.0 added and deleted
    assert fraud["LatestVersion"]["VersionName"] == "1.2.0"
