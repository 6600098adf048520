"""`pai-models` end to end: main([...]) in-process against a local emulator, and the installed
console script in a shell pipeline. Expected values come from CATALOG below, never from the code
under test; what reached the wire comes from the emulator's request log (/_emulator/requests)."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from pulumi_pai_models import cli
from pulumi_pai_models.emulator import DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, EmulatorServer
from pulumi_pai_models.settings import ENV_NAMES

REPO = Path(__file__).resolve().parents[1]
SCRIPT = Path(sys.executable).with_name("pai-models")
if not SCRIPT.exists():
    SCRIPT = REPO / ".venv" / "bin" / "pai-models"
WRONG_SECRET = "not-the-right-secret-4711"


def _version(name, uri, created, status="Approved", **extra):
    return {"VersionName": name, "Uri": uri, "GmtCreateTime": created, "ApprovalStatus": status, **extra}


#: The catalog every in-process test runs against. Own models have no Provider; public ones have "pai".
CATALOG = {
    "Models": [
        {
            "ModelId": "model-alpha",
            "ModelName": "alpha",
            "GmtCreateTime": "2024-01-10T00:00:00Z",
            "WorkspaceId": "ws-1",
            "Domain": "cv",
            "Task": "image-classification",
            "Origin": "Custom",
            "ModelType": "Checkpoint",
            "Labels": [{"Key": "owner", "Value": "vision-team"}],
            "Tags": [{"Key": "env", "Value": "prod"}, {"Key": "team", "Value": "vision"}],
            "Collections": ["Vision"],
            "ParameterSize": 1000,
            "Versions": [
                _version("1.0.0", "oss://acme/alpha/1.0.0/", "2024-01-10T00:00:00Z"),
                _version("1.1.0", "oss://acme/alpha/1.1.0/", "2024-02-10T00:00:00Z"),
                _version("1.2.0", "oss://acme/alpha/1.2.0/", "2024-03-10T00:00:00Z", "Pending"),
            ],
        },
        {
            "ModelId": "model-alpha-large",
            "ModelName": "alpha-large",
            "GmtCreateTime": "2024-04-01T00:00:00Z",
            "WorkspaceId": "ws-1",
            "Domain": "cv",
            "Task": "image-classification",
            "ModelType": "Checkpoint",
            "Labels": [{"Key": "owner", "Value": "vision-team"}],
            "Tags": [{"Key": "env", "Value": "prod"}, {"Key": "team", "Value": "vision"}],
            "ParameterSize": 9000,
            "Versions": [_version("0.1.0", "oss://acme/alpha-large/0.1.0/", "2024-04-01T00:00:00Z")],
        },
        {
            "ModelId": "model-risk",
            "ModelName": "risk-scorer",
            "GmtCreateTime": "2023-06-01T00:00:00Z",
            "WorkspaceId": "ws-2",
            "Domain": "tabular",
            "Task": "tabular-classification",
            "ModelType": "Checkpoint",
            "Labels": [{"Key": "owner", "Value": "risk-team"}],
            "Tags": [{"Key": "env", "Value": "staging"}, {"Key": "team", "Value": "risk"}],
            "ParameterSize": 20,
            "Versions": [_version("3.0.0", "oss://acme/risk-scorer/3.0.0/", "2023-06-01T00:00:00Z")],
        },
        {
            "ModelId": "model-chat",
            "ModelName": "chat-7b-instruct",
            "GmtCreateTime": "2024-09-19T08:00:00Z",
            "Provider": "pai",
            "Domain": "nlp",
            "Task": "text-generation",
            "Origin": "ModelScope",
            "ModelType": "Checkpoint",
            "Labels": [{"Key": "family", "Value": "chat"}],
            "Tags": [],
            "Collections": ["LLM", "QuickStart"],
            "ParameterSize": 7616,
            "Versions": [_version("1.0.0", "oss://pai-public/chat-7b-instruct/", "2024-09-19T08:00:00Z")],
        },
        {
            "ModelId": "model-no-versions",
            "ModelName": "empty-shell",
            "GmtCreateTime": "2022-01-01T00:00:00Z",
            "WorkspaceId": "ws-3",
            "Tags": [{"Key": "env", "Value": "dev"}],
            "Versions": [],
        },
    ]
}
MODELS = {m["ModelId"]: m for m in CATALOG["Models"]}
OWN = [m for m in CATALOG["Models"] if "Provider" not in m]


def newest(versions, status=None):
    fitting = [v for v in versions if status is None or v["ApprovalStatus"] == status]
    return max(fitting, key=lambda v: v["GmtCreateTime"])


# -- fixtures -------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def server():
    emulator = EmulatorServer(catalog=CATALOG).start()
    yield emulator
    emulator.stop()


def _admin(server, name, body=None):
    """Call an emulator admin endpoint over HTTP: GET without a body, POST with one (reset: always POST)."""
    post = body is not None or name == "reset"
    data = json.dumps(body if body is not None else {}).encode() if post else None
    request = urllib.request.Request(f"{server.url}/_emulator/{name}", data=data, method="POST" if post else "GET")
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.loads(answer.read())


def wire(server, action="ListModels"):
    """The query dicts of the API requests the emulator received (from its own log, over HTTP)."""
    return [r["query"] for r in _admin(server, "requests")["requests"] if r["action"] == action]


@pytest.fixture
def emu(server, monkeypatch):
    """The emulator, reset; the environment holding only the emulator's public key pair."""
    for name in [*ENV_NAMES, "ALIBABA_CLOUD_PROFILE", "ALIBABA_CLOUD_CREDENTIALS_FILE"]:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", DEFAULT_ACCESS_KEY_ID)
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", DEFAULT_ACCESS_KEY_SECRET)
    _admin(server, "reset")
    yield server
    _admin(server, "reset")


@pytest.fixture
def run(emu, capsys):
    """run(*args) -> (exit code, stdout, stderr) of main([...]) against the emulator; no secret ever printed."""

    def run(*args, endpoint=True):
        wanted = endpoint and args and args[0] in ("list", "get", "outdated") and "--endpoint" not in args
        argv = list(args) + (["--endpoint", emu.url] if wanted else [])
        code = cli.main(argv)
        out, err = capsys.readouterr()
        # The emulator's own help gives its public test key pair on purpose; nothing else may show a secret.
        for secret in (WRONG_SECRET,) if args[:1] == ("emulator",) else (DEFAULT_ACCESS_KEY_SECRET, WRONG_SECRET):
            assert secret not in out and secret not in err
        return code, out, err

    return run


# -- every filter reaches the wire -----------------------------------------------------------------------

WIRE_CASES = [
    (["--name", "alpha"], "ModelName", "alpha"),
    (["--exact-name", "alpha"], "ModelName", '"alpha"'),
    (["--label", "vision-team"], "Label", "vision-team"),
    (["--provider", "pai"], "Provider", "pai"),
    (["--domain", "cv"], "Domain", "cv"),
    (["--task", "text-generation"], "Task", "text-generation"),
    (["--origin", "ModelScope"], "Origin", "ModelScope"),
    (["--type", "Checkpoint"], "ModelType", "Checkpoint"),
    (["--collections", "LLM,Vision", "--collections", "QuickStart"], "Collections", "LLM,Vision,QuickStart"),
    (["--query", "risk"], "Query", "risk"),
    (["--workspace", "ws-1"], "WorkspaceId", "ws-1"),
    (["--order", "desc"], "Order", "DESC"),
    (["--page-size", "7"], "PageSize", "7"),
]


@pytest.mark.parametrize("flags, key, value", WIRE_CASES, ids=[case[1] for case in WIRE_CASES])
def test_each_filter_flag_reaches_the_wire(run, emu, flags, key, value):
    code, _, _ = run("list", *flags)
    assert code == 0
    sent = wire(emu)
    assert sent and all(q.get(key) == value for q in sent)


def test_tags_and_conditions_reach_the_wire_as_the_apis_json(run, emu):
    code, out, _ = run(
        "list", "--tag", "env=prod", "--tag", "team=vision",
        "--condition", "ParameterSize<3000", "--condition", "ParameterSize>=10", "--condition", "Domain!=nlp",
        "--condition", "Task=image-classification", "--condition", "ParameterSize<=1000", "--condition", "ParameterSize>1",
        "-o", "ids",
    )
    assert code == 0
    (query,) = wire(emu)
    assert json.loads(query["Tag"]) == [{"Key": "env", "Value": "prod"}, {"Key": "team", "Value": "vision"}]
    assert json.loads(query["Conditions"]) == [
        {"Column": "ParameterSize", "Operator": "LessThan", "Value": "3000"},
        {"Column": "ParameterSize", "Operator": "GreaterThanOrEqual", "Value": "10"},
        {"Column": "Domain", "Operator": "NotEqual", "Value": "nlp"},
        {"Column": "Task", "Operator": "Equal", "Value": "image-classification"},
        {"Column": "ParameterSize", "Operator": "LessThanOrEqual", "Value": "1000"},
        {"Column": "ParameterSize", "Operator": "GreaterThan", "Value": "1"},
    ]
    expected = [
        m["ModelId"] for m in OWN
        if {"Key": "env", "Value": "prod"} in m["Tags"] and {"Key": "team", "Value": "vision"} in m["Tags"]
        and 10 <= m.get("ParameterSize", -1) <= 1000
    ]
    assert out.split() == expected


def test_name_regex_is_applied_here_not_sent(run, emu):
    code, out, _ = run("list", "--name", "alpha", "--name-regex=-large$", "-o", "ids")  # = for a value starting with -
    assert code == 0
    assert out.split() == [m["ModelId"] for m in OWN if "alpha" in m["ModelName"] and m["ModelName"].endswith("-large")]
    assert all("name_regex" not in q and "NameRegex" not in q for q in wire(emu))


def test_exact_name_excludes_names_that_merely_contain_it(run):
    code, out, _ = run("list", "--exact-name", "alpha", "-o", "ids")
    assert code == 0 and out.split() == ["model-alpha"]
    code, out, _ = run("list", "--name", "alpha", "-o", "ids")
    assert sorted(out.split()) == sorted(m["ModelId"] for m in OWN if "alpha" in m["ModelName"])


def test_small_pages_are_all_read(run, emu):
    code, out, _ = run("list", "--page-size", "2", "--max-concurrency", "2", "-o", "ids")
    assert code == 0
    assert sorted(out.split()) == sorted(m["ModelId"] for m in OWN)
    pages = wire(emu)
    assert sorted(int(q["PageNumber"]) for q in pages) == list(range(1, -(-len(OWN) // 2) + 1))


# -- list output -----------------------------------------------------------------------------------------


def test_list_table_for_people(run):
    code, out, err = run("list", "--provider", "pai")
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert re.split(r"\s{2,}", lines[0].strip()) == ["MODEL ID", "NAME", "LATEST VERSION", "CREATED", "URI"]
    public = [m for m in CATALOG["Models"] if m.get("Provider") == "pai"]
    assert len(lines) == 1 + len(public)
    for model in public:
        latest = newest(model["Versions"])
        row = next(line for line in lines if line.startswith(model["ModelId"] + " "))
        assert re.split(r"\s{2,}", row.strip()) == [
            model["ModelId"], model["ModelName"], latest["VersionName"], model["GmtCreateTime"], latest["Uri"]
        ]


def test_list_table_shows_a_model_without_versions(run):
    code, out, _ = run("list", "--workspace", "ws-3")
    row = out.splitlines()[1]
    assert code == 0 and re.split(r"\s{2,}", row.strip()) == ["model-no-versions", "empty-shell", "-", "2022-01-01T00:00:00Z", "-"]


def test_list_json_is_the_models_as_pai_sent_them(run):
    code, out, err = run("list", "--tag", "env=prod", "-o", "json")
    assert code == 0 and err == ""
    models = json.loads(out)
    expected = [m for m in OWN if {"Key": "env", "Value": "prod"} in m["Tags"]]
    assert [m["ModelId"] for m in models] == [m["ModelId"] for m in sorted(expected, key=lambda m: m["GmtCreateTime"])]
    for got in models:
        source = MODELS[got["ModelId"]]
        for key in ("ModelName", "GmtCreateTime", "WorkspaceId", "Domain", "Task", "Tags", "Labels", "ParameterSize"):
            assert got[key] == source[key]
        assert got["LatestVersion"]["Uri"] == newest(source["Versions"])["Uri"]
        assert "Versions" not in got


@pytest.mark.parametrize("output, expected", [("json", "[]\n"), ("ids", "")])
def test_list_without_match_is_empty_and_exit_0(run, output, expected):
    code, out, err = run("list", "--exact-name", "no-such-model", "-o", output)
    assert (code, out, err) == (0, expected, "")


def test_list_table_without_match_is_a_header_and_a_note(run):
    code, out, err = run("list", "--exact-name", "no-such-model")
    assert code == 0
    assert out.splitlines() == [out.splitlines()[0]] and out.startswith("MODEL ID")
    assert err.startswith("pai-models: no model matches") and err.count("\n") == 1


def test_table_cuts_long_cells_and_keeps_both_ends_of_a_uri():
    from pulumi_pai_models.types import Model

    uri = "oss://a-very-long-bucket-name.oss-cn-hangzhou-internal.aliyuncs.com/" + "deep/" * 20 + "v9.9.9/"
    model = Model.from_api(
        {"ModelId": "m-1", "ModelName": "n" * 100, "GmtCreateTime": "2024-01-01T00:00:00Z",
         "LatestVersion": {"VersionName": "9.9.9", "Uri": uri}}
    )
    row = cli.render.render_table([model]).splitlines()[1]  # not a terminal: cells capped, URI up to 120
    assert "n" * 39 + "…" in row and "n" * 41 not in row
    assert row.endswith("v9.9.9/") and "oss://a-very" in row and "…" in row.split()[-1]
    for width in (100, 80):  # a terminal: the name gives way first, the row fits
        header, row = cli.render.render_table([model], terminal_width=width).splitlines()
        assert len(row) <= width and len(header) <= width
        assert row.endswith("v9.9.9/") and "n…" in row
    wide = Model.from_api({"ModelId": "m-2", "ModelName": "情感分析" * 20})
    header, cells = cli.render.render_table([wide]).splitlines()
    name_end = cells.index("…") + 1
    rest = cells[name_end:]
    column = cli.render._width(cells[:name_end]) + len(rest) - len(rest.lstrip())
    assert column == header.index("LATEST VERSION")  # double-width characters keep the columns aligned


# -- get -------------------------------------------------------------------------------------------------


def test_get_prints_exactly_the_uri_and_a_newline(run):
    code, out, err = run("get", "--exact-name", "chat-7b-instruct", "--provider", "pai")
    assert (code, err) == (0, "")
    assert out == MODELS["model-chat"]["Versions"][0]["Uri"] + "\n"


def test_get_version_rules(run):
    alpha = MODELS["model-alpha"]
    code, out, _ = run("get", "--exact-name", "alpha")
    assert (code, out) == (0, newest(alpha["Versions"])["Uri"] + "\n")
    code, out, _ = run("get", "--exact-name", "alpha", "--approval-status", "approved")
    assert (code, out) == (0, newest(alpha["Versions"], "Approved")["Uri"] + "\n")
    code, out, _ = run("get", "--exact-name", "alpha", "--version", "1.0.0")
    assert (code, out) == (0, next(v for v in alpha["Versions"] if v["VersionName"] == "1.0.0")["Uri"] + "\n")


def test_get_most_recent_takes_the_newest_model(run):
    prod = [m for m in OWN if {"Key": "env", "Value": "prod"} in m["Tags"]]
    chosen = max(prod, key=lambda m: m["GmtCreateTime"])
    code, out, _ = run("get", "--tag", "env=prod", "--most-recent")
    assert (code, out) == (0, newest(chosen["Versions"])["Uri"] + "\n")


def test_get_json_is_the_lookup_outputs(run):
    alpha = MODELS["model-alpha"]
    chosen = newest(alpha["Versions"], "Approved")
    code, out, _ = run("get", "--exact-name", "alpha", "--approval-status", "Approved", "-o", "json")
    assert code == 0
    data = json.loads(out)
    assert {"model_id", "model_name", "version_name", "uri", "model"} <= set(data)
    assert (data["model_id"], data["model_name"], data["version_name"], data["uri"]) == (
        alpha["ModelId"], alpha["ModelName"], chosen["VersionName"], chosen["Uri"]
    )
    assert data["model"]["ModelId"] == alpha["ModelId"] and data["model"]["Tags"] == alpha["Tags"]
    (version,) = [v for k, v in data.items() if k != "model" and isinstance(v, dict)]  # the version as PAI sent it
    assert {k: version[k] for k in chosen} == chosen


def test_get_table(run):
    risk = MODELS["model-risk"]
    version = risk["Versions"][0]
    code, out, _ = run("get", "--exact-name", risk["ModelName"], "-o", "table")
    assert code == 0
    fields = dict(re.split(r"\s{2,}", line, maxsplit=1) for line in out.splitlines())
    assert fields["MODEL ID"] == risk["ModelId"] and fields["NAME"] == risk["ModelName"]
    assert fields["VERSION"] == version["VersionName"] and fields["URI"] == version["Uri"]
    assert fields["APPROVAL"] == version["ApprovalStatus"]


# -- exit codes ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args, needle",
    [
        (["list", "--condition", "ParameterSize<abc"], "--condition value"),
        (["get", "--condition", "ParameterSize<abc"], "--condition value"),
        (["list", "--condition", "ParameterSize~3"], "--condition"),
        (["list", "--tag", "novalue"], "invalid --tag: cannot read 'novalue' (allowed: KEY=VALUE"),
        (["list", "--order", "sideways"], "--order"),
        (["list", "--name-regex", "("], "--name-regex"),
        (["list", "--exact-name", ""], "--exact-name"),
        (["get", "--approval-status", "Maybe"], "--approval-status"),
        (["list", "--page-size", "500"], "--page-size is 500, allowed 1..100"),
        (["list", "--max-concurrency", "0"], "--max-concurrency is 0, allowed 1..64"),
        (["list", "--endpoint", "ftp://example.com"], "--endpoint 'ftp://example.com' is not"),
        (["list", "--endpoint", ""], "--endpoint is empty"),  # an empty flag is an error, not "unset"
        (["list", "--protocol", "https"], "--protocol"),  # contradicts the emulator's http:// endpoint
    ],
)
def test_bad_input_exits_2_with_one_line_and_no_request(run, emu, args, needle):
    code, out, err = run(*args)
    assert code == 2 and out == ""
    assert err.startswith("pai-models: error: ") and err.count("\n") == 1 and needle in err
    assert "Traceback" not in err
    assert wire(emu) == []


@pytest.mark.parametrize(
    "args",
    [
        ["list", "--bogus"],
        ["list", "--page-size", "many"],
        ["list", "--name", "a", "--exact-name", "a"],
        ["get", "--version", "1", "--approval-status", "Approved"],
        ["get", "-o", "yaml"],
        ["frobnicate"],
        [],
    ],
)
def test_argparse_errors_exit_2_with_one_line(run, emu, args):
    code, out, err = run(*args, endpoint=False)
    assert code == 2 and out == ""
    assert err.startswith("pai-models: error: ") and err.count("\n") == 1
    assert wire(emu) == []


def test_no_region_and_no_endpoint_exits_2(run, emu):
    code, _, err = run("list", endpoint=False)
    assert code == 2 and "no PAI region or endpoint" in err


def test_a_bad_region_exits_2(run, emu):
    code, _, err = run("list", "--region", "Mars", endpoint=False)
    assert code == 2 and "region 'Mars'" in err and err.count("\n") == 1


def test_a_key_id_without_its_secret_exits_2(run, emu, monkeypatch):
    monkeypatch.delenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET")
    code, _, err = run("list")
    assert code == 2 and "secret is missing" in err and wire(emu) == []


def test_endpoint_from_the_environment(run, emu, monkeypatch):
    monkeypatch.setenv("PAI_MODELS_ENDPOINT", emu.url)
    code, out, _ = run("get", "--exact-name", "risk-scorer", endpoint=False)
    assert (code, out) == (0, MODELS["model-risk"]["Versions"][0]["Uri"] + "\n")


def test_no_match_exits_3(run):
    code, out, err = run("get", "--exact-name", "no-such-model")
    assert code == 3 and out == ""
    assert err.startswith("pai-models: error: no model matches") and "--provider" in err and err.count("\n") == 1


def test_missing_version_exits_3(run):
    code, out, err = run("get", "--exact-name", "alpha", "--version", "9.9.9")
    assert code == 3 and out == "" and "9.9.9" in err


def test_model_without_versions_exits_3(run):
    code, out, err = run("get", "--exact-name", "empty-shell")
    assert code == 3 and out == "" and "no versions" in err


def test_ambiguous_exits_4_naming_the_candidates(run):
    code, out, err = run("get", "--tag", "env=prod")
    assert code == 4 and out == ""
    prod = [m for m in OWN if {"Key": "env", "Value": "prod"} in m["Tags"]]
    assert f"{len(prod)} models match" in err and all(m["ModelId"] in err for m in prod)
    assert "--most-recent" in err and "most_recent=True" not in err and err.count("\n") == 1


def test_wrong_secret_exits_5_without_printing_it(run, emu, monkeypatch):
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", WRONG_SECRET)
    code, out, err = run("get", "--exact-name", "alpha")  # run() asserts the secret is not in out/err
    assert code == 5 and out == ""
    assert err.startswith("pai-models: error: ") and "SignatureDoesNotMatch" in err and err.count("\n") == 1
    assert len(wire(emu)) == 1  # an authentication failure is not retried


def test_server_error_exits_5_after_the_given_attempts(run, emu):
    _admin(emu, "faults", {"faults": [{"count": 5, "status": 500, "match": "ListModels"}]})
    code, out, err = run("list", "--max-attempts", "2", "-o", "json")
    assert code == 5 and out == "" and "HTTP 500" in err and "after 2 attempts" in err
    assert len(wire(emu)) == 2


def test_timeout_ms_bounds_each_attempt(run, emu):
    _admin(emu, "faults", {"faults": [{"count": 1, "status": 200, "delay_ms": 3000, "match": "ListModels"}]})
    started = time.monotonic()
    code, _, err = run("list", "--timeout-ms", "300", "--max-attempts", "1")
    assert code == 5 and "Timeout" in err
    assert time.monotonic() - started < 2.5


def test_unreachable_endpoint_exits_5(run, emu):
    code, out, err = run("list", "--endpoint", "http://127.0.0.1:9", "--max-attempts", "1", "--timeout-ms", "2000", endpoint=False)
    assert code == 5 and out == "" and err.count("\n") == 1


def test_keyboard_interrupt_exits_130(run, monkeypatch):
    def interrupted(*_args, **_kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli.commands.lookup, "find_models", interrupted)
    code, out, err = run("list")
    assert code == 130 and out == "" and "Traceback" not in err


def test_no_secret_even_if_a_message_carried_one(run, monkeypatch):
    from pulumi_pai_models.errors import ApiError

    def leaky(*_args, **_kwargs):
        raise ApiError("ListModels", f"echoing {DEFAULT_ACCESS_KEY_SECRET} back", code="Weird")

    monkeypatch.setattr(cli.commands.lookup, "find_models", leaky)
    code, _, err = run("list")  # run() asserts the secret is not printed
    assert code == 5 and "***" in err


def test_verbose_logs_retries_to_stderr_only_for_that_run(run, emu):
    _admin(emu, "faults", {"faults": [{"count": 1, "status": 503, "match": "ListModels"}]})
    code, out, err = run("list", "--verbose", "-o", "ids")
    assert code == 0 and "retry 1 of" in err and out.split()
    _admin(emu, "faults", {"faults": [{"count": 1, "status": 503, "match": "ListModels"}]})
    code, _, err = run("list", "-o", "ids")
    assert code == 0 and err == ""


# -- help ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("args", [["--help"], ["list", "--help"], ["get", "--help"]])
def test_help_has_examples_and_exit_codes(run, args):
    code, out, _ = run(*args, endpoint=False)
    assert code == 0 and "examples:" in out and "exit codes:" in out
    for status in ("0", "2", "3", "4", "5", "130"):
        assert re.search(rf"^  {status}\s", out, re.M)


def test_emulator_subcommand_is_delegated(run):
    code, out, _ = run("emulator", "--help", endpoint=False)
    assert code == 0 and "--catalog" in out and "--latency-ms" in out
    code, _, err = run("emulator", "--port", "not-a-port", endpoint=False)
    assert code == 2 and err


# -- progress --------------------------------------------------------------------------------------------


class FakeTerminal(io.StringIO):
    def isatty(self):
        return True


def test_progress_spinner_only_on_a_terminal_and_erased(run, emu, monkeypatch):
    monkeypatch.setenv("TERM", "xterm")
    _admin(emu, "faults", {"faults": [{"count": 1, "status": 200, "delay_ms": 900, "match": "ListModels"}]})
    terminal = FakeTerminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    code, out, _ = run("list", "-o", "ids")
    assert code == 0 and out.split()
    drawn = terminal.getvalue()
    assert "listing models..." in drawn and drawn.endswith("\r\x1b[K")
    assert not [t for t in threading.enumerate() if t.name == "pai-models-progress"]


def test_no_progress_when_stderr_is_not_a_terminal(run, emu):
    _admin(emu, "faults", {"faults": [{"count": 1, "status": 200, "delay_ms": 600, "match": "ListModels"}]})
    code, _, err = run("list", "-o", "ids")
    assert code == 0 and err == ""


# -- the installed console script in a pipeline --------------------------------------------------------------


@pytest.fixture
def emulator_process(tmp_path):
    """`pai-models emulator --port 0` as a subprocess; yields its URL (its first stdout line)."""
    catalog = tmp_path / "catalog.json"
    catalog.write_text(json.dumps(CATALOG), encoding="utf-8")
    process = subprocess.Popen(
        [str(SCRIPT), "emulator", "--port", "0", "--catalog", str(catalog)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        line = process.stdout.readline()
        found = re.fullmatch(r"listening on (http://\S+)\n", line)
        assert found, (line, process.poll())
        yield process, found.group(1)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        process.stdout.close()
        process.stderr.close()


def _pipeline_env(url, secret=DEFAULT_ACCESS_KEY_SECRET):
    env = {k: v for k, v in os.environ.items() if k not in ENV_NAMES}
    env.update(
        PATH=f"{SCRIPT.parent}{os.pathsep}{env.get('PATH', '')}",
        PAI_MODELS_ENDPOINT=url,
        ALIBABA_CLOUD_ACCESS_KEY_ID=DEFAULT_ACCESS_KEY_ID,
        ALIBABA_CLOUD_ACCESS_KEY_SECRET=secret,
    )
    return env


def _sh(script, env):
    return subprocess.run(["bash", "-c", script], env=env, capture_output=True, text=True, timeout=60, check=False)


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_console_script_in_a_shell_pipeline(emulator_process):
    process, url = emulator_process
    env = _pipeline_env(url)
    alpha = MODELS["model-alpha"]
    expected = newest(alpha["Versions"], "Approved")["Uri"]

    done = _sh('set -euo pipefail; URI=$(pai-models get --exact-name alpha --approval-status Approved); echo "deploy $URI"', env)
    assert (done.returncode, done.stdout, done.stderr) == (0, f"deploy {expected}\n", "")

    # set -e stops the pipeline at the failed lookup, with its exit code and nothing on stdout
    for args, status in [
        ("--exact-name no-such-model", 3),
        ("--tag env=prod", 4),
        ("--condition 'ParameterSize<abc'", 2),
    ]:
        done = _sh(f"set -e; URI=$(pai-models get {args}); echo unreachable", env)
        assert done.returncode == status and done.stdout == "", (args, done)
        assert done.stderr.startswith("pai-models: error: ") and done.stderr.count("\n") == 1

    done = _sh("URI=$(pai-models get --exact-name alpha); echo \"rc=$?\"", _pipeline_env(url, WRONG_SECRET))
    assert done.stdout == "rc=5\n" and WRONG_SECRET not in done.stderr

    done = _sh("pai-models list --tag env=prod -o ids | sort", env)
    assert done.stdout.split() == sorted(m["ModelId"] for m in OWN if {"Key": "env", "Value": "prod"} in m["Tags"])

    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=10) == 0


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_pipeline_shell_script(emulator_process):
    _, url = emulator_process
    alpha = MODELS["model-alpha"]
    env = _pipeline_env(url)
    env.update(
        PIPELINE_MODEL=alpha["ModelName"],
        PIPELINE_EXPECTED_URI=newest(alpha["Versions"], "Approved")["Uri"],
        PIPELINE_AMBIGUOUS_TAG="env=prod",
    )
    done = subprocess.run(
        ["bash", str(Path(__file__).with_name("test_pipeline_shell.sh"))], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip().endswith("pipeline checks passed")
