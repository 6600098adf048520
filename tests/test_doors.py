"""The same inputs through every front door: the same answer, or the same error class, worded in that door's terms
on one line.

The doors: `get_model` (the Python function), `ModelLookup` in a Python program under the real engine, the provider
plugin over gRPC as the engine drives it (its `getModel` invoke and its `ModelLookup` check: what YAML, TypeScript
and Go programs reach; tests/test_yaml.py runs YAML under the engine), and `pai-models get`. Each row is written
once, in the Python API's names; every other door's spelling is derived from the contract. The expected answers are
written out by hand from the demo catalog, never taken from a door.
"""

from __future__ import annotations

import io
import json
import re
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from typing import Any

import pulumi
import pytest
from engine import Capture, inline_stack, run, stack_config
from plugin_harness import FakeEngine, Plugin
from pulumi import automation as auto
from pulumi_pai_models import ModelLookup, PaiModelsError, Settings, cli, get_model
from pulumi_pai_models.contract import ARGUMENTS, camel
from pulumi_pai_models.doors import PYTHON
from pulumi_pai_models.emulator import DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET

FRAUD = '"fraud-detector"'
#: The CLI's exit code for each error class (the command's documented exit codes).
EXIT_OF = {"InvalidQuery": 2, "NoModelMatch": 3, "NoVersionMatch": 3, "AmbiguousMatch": 4}


@dataclass(frozen=True)
class Row:
    """One input (in the Python API's names) and the answer every door must give: a model and version, or an error
    class (with the argument it names, for a bad argument)."""

    name: str
    args: dict[str, Any]
    model: str | None = None
    version: str | None = None
    error: str | None = None
    argument: str | None = None
    #: Doors that cannot express this input (e.g. the command line has no null tag value).
    not_in: tuple[str, ...] = ()


ROWS = [
    Row("exact name, newest approved", {"model_name": FRAUD, "approval_status": "Approved"}, "fraud-detector", "1.1.0"),
    Row("a tag without a value is no filter", {"model_name": FRAUD, "tags": {"env": "prod", "lang": None}, "approval_status": "Approved"},
        "fraud-detector", "1.1.0", not_in=("cli", "go")),  # neither a flag nor a Go StringMap holds a null
    Row("tags, newest model", {"tags": {"env": "prod"}, "most_recent": True}, "support-summarizer", "1.0.0"),
    Row("condition, public models", {"provider": "pai", "conditions": ["ParameterSize<3000"], "most_recent": True},
        "qwen2.5-0.5b-instruct", "1.0.0"),
    Row("exact version", {"model_name": FRAUD, "version": "1.0.0"}, "fraud-detector", "1.0.0"),
    Row("unknown operator", {"conditions": ["ParameterSize~3"]}, error="InvalidQuery", argument="conditions"),
    Row("unknown approval status", {"model_name": FRAUD, "approval_status": "Nope"}, error="InvalidQuery", argument="approval_status"),
    Row("version and approval status", {"model_name": FRAUD, "version": "1.0.0", "approval_status": "Approved"},
        error="InvalidQuery", argument="version"),
    Row("unterminated exact name", {"model_name": '"fraud'}, error="InvalidQuery", argument="model_name"),
    Row("nothing matches", {"model_name": '"no-such-model"'}, error="NoModelMatch"),
    Row("several match", {"tags": {"env": "prod"}}, error="AmbiguousMatch"),
    Row("no version with that status", {"model_name": '"support-summarizer"', "approval_status": "Pending"}, error="NoVersionMatch"),
]  # fmt: skip
IDS = [row.name for row in ROWS]

#: How each door spells an argument (the CLI: its flag; the plugin: its schema name).
SPELLING = {
    "python": {a.name: a.name for a in ARGUMENTS},
    "cli": {a.name: a.flag for a in ARGUMENTS if a.flag},
    "plugin": {a.name: camel(a.name) for a in ARGUMENTS},
}


@dataclass
class Outcome:
    """What a door answered: a model and version, or an error class and the one line it was worded in."""

    model: str | None = None
    version: str | None = None
    error: str | None = None
    text: str = ""


def check(outcome: Outcome, row: Row, door: str) -> None:
    """The door gave the row's answer; an error names the argument in the door's terms only, on one line."""
    if row.error is None:
        assert (outcome.error, outcome.model, outcome.version) == (None, row.model, row.version), (door, outcome)
        return
    assert outcome.error == row.error, (door, outcome)
    assert "\n" not in outcome.text.strip() and outcome.text.strip(), (door, outcome.text)
    if row.argument is not None:
        assert f"invalid {SPELLING[door][row.argument]}" in outcome.text, (door, outcome.text)
    others = {spelling for name, spelling in SPELLING["python"].items() if "_" in name} if door != "python" else set()
    for spelling in others:  # a snake_case argument name belongs to the Python API alone
        assert not re.search(rf"(?<![\w-]){re.escape(spelling)}(?![\w])", outcome.text), (door, spelling, outcome.text)


@pytest.fixture
def settings(emulator) -> Settings:
    return Settings(endpoint=emulator.url, access_key_id=DEFAULT_ACCESS_KEY_ID, access_key_secret=DEFAULT_ACCESS_KEY_SECRET)


# -- get_model --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("row", ROWS, ids=IDS)
def test_get_model(row, settings):
    try:
        result = get_model(**row.args, settings=settings)
    except PaiModelsError as error:
        outcome = Outcome(error=type(error).__name__, text=error.one_line(PYTHON))
    else:
        outcome = Outcome(result.model_name, result.version_name)
    check(outcome, row, "python")


# -- pai-models get ---------------------------------------------------------------------------------------------


def flags(args: dict[str, Any]) -> list[str]:
    """The row's arguments as `pai-models get` flags (from the contract's flag names)."""
    argv: list[str] = []
    for name, value in args.items():
        flag = SPELLING["cli"][name]
        if isinstance(value, bool):
            argv += [flag] if value else []
        elif isinstance(value, dict):
            argv += [part for k, v in value.items() for part in (flag, f"{k}={v}")]
        elif isinstance(value, list):
            argv += [part for v in value for part in (flag, v)]
        else:
            argv += [flag, value]
    return argv


@pytest.mark.parametrize("row", [r for r in ROWS if "cli" not in r.not_in], ids=[r.name for r in ROWS if "cli" not in r.not_in])
def test_pai_models_get(row, emulator, monkeypatch):
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", DEFAULT_ACCESS_KEY_ID)
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", DEFAULT_ACCESS_KEY_SECRET)
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = cli.main(["get", *flags(row.args), "--endpoint", emulator.url, "--output", "json"])
    if code == 0:
        found = json.loads(out.getvalue())
        outcome = Outcome(found["model_name"], found["version_name"])
    else:
        text = err.getvalue()
        assert text.startswith("pai-models: error: "), text
        error = next((name for name, exit_code in EXIT_OF.items() if exit_code == code and _names_class(name, text)), f"exit {code}")
        outcome = Outcome(error=error, text=text.removeprefix("pai-models: error: "))
    check(outcome, row, "cli")


def _names_class(name: str, text: str) -> bool:
    """Which error class of an exit code a message is (3 is both NoModelMatch and NoVersionMatch)."""
    return {"NoModelMatch": "no model matches", "NoVersionMatch": ": there is no "}.get(name, "") in text


# -- the provider plugin (YAML, TypeScript, Go, ...), over gRPC as the engine drives it -------------------------------------


@pytest.fixture(scope="module")
def fake_engine():
    fake = FakeEngine()
    yield fake
    fake.server.stop(None)


@pytest.fixture
def plugin(emulator, fake_engine):
    started = Plugin(fake_engine, {"endpoint": emulator.url, "accessKey": DEFAULT_ACCESS_KEY_ID, "secretKey": DEFAULT_ACCESS_KEY_SECRET})
    yield started
    started.close()


def plugin_outcome(values: dict[str, Any], failures: list[tuple[str, str]], model_key: str) -> Outcome:
    if not failures:
        return Outcome(values[model_key], values["versionName"])
    [(_, reason)] = failures
    error = "InvalidQuery" if reason.startswith("invalid ") else reason.split(":", 1)[0]
    return Outcome(error=error, text=reason)


@pytest.mark.parametrize("row", ROWS, ids=IDS)
def test_plugin_get_model_and_model_lookup(row, plugin):
    wire = {camel(k): v for k, v in row.args.items()}
    values, failures = plugin.invoke("pai-models:index:getModel", wire)
    check(plugin_outcome(values, failures, "modelName"), row, "plugin")
    inputs, failures = plugin.check({}, wire)
    check(plugin_outcome(inputs, failures, "resolvedModelName"), row, "plugin")


# -- ModelLookup in a Python program, under the real engine -----------------------------------------------------------


def lookups(rows: list[Row]):
    def program() -> None:
        for i, row in enumerate(rows):
            lookup = ModelLookup(f"row{i}", **row.args)
            pulumi.export(f"row{i}", pulumi.Output.all(lookup.resolved_model_name, lookup.version_name))

    return program


@pytest.mark.engine
def test_model_lookup_in_the_engine(tmp_path, emulator):
    config = stack_config(emulator, DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET)
    working = [row for row in ROWS if row.error is None]
    stack = inline_stack(tmp_path / "working", lookups(working), config=config)
    outputs = stack.up(on_output=lambda _: None).outputs
    for i, row in enumerate(working):
        model, version = outputs[f"row{i}"].value
        check(Outcome(model, version), row, "python")
    # One stack for the failing rows, each previewed with a program of its own: a failed preview leaves no state, so
    # each preview is as on a stack of its own, without making and configuring one (~1 CPU-s of CLI calls) per row.
    failing = inline_stack(tmp_path / "failing", lookups([]), config=config)
    for row in (row for row in ROWS if row.error is not None):
        capture = Capture()
        with pytest.raises(auto.errors.CommandError):
            run(failing.preview, capture, program=lookups([row]))
        [line] = [line for line in capture.lines if "error:" in line and "ModelLookup resource" in line][:1] or [""]
        found = re.search(r"(invalid \S+: .*|(\w+Match): .*)$", line.strip())
        assert found, capture.lines
        error = "InvalidQuery" if found.group(0).startswith("invalid ") else found.group(2)
        check(Outcome(error=error, text=found.group(0)), row, "python")


# -- TypeScript and Go programs, under the real engine, through the SDKs in sdk/ ---------------------------------------
# Each row as a ModelLookup (a failing one fails its check at once); getModel for a working row (a failing getModel's
# wording is covered once by tests/test_languages.py).


PROGRAM_CASES = [(row, language) for row in ROWS for language in ("typescript", "go") if language not in row.not_in]


@pytest.mark.engine
@pytest.mark.parametrize("row, language", PROGRAM_CASES, ids=[f"{row.name}-{language}" for row, language in PROGRAM_CASES])
def test_typescript_and_go_model_lookup(row, language, tmp_path, emulator):
    import languages
    wire = {camel(k): v for k, v in row.args.items()}
    found = languages.run_lookup(language, wire, resource=True, server=emulator, key_id=DEFAULT_ACCESS_KEY_ID,
                                 secret=DEFAULT_ACCESS_KEY_SECRET, folder=tmp_path)  # fmt: skip
    check(program_outcome(found, "resolvedModelName"), row, "plugin")


@pytest.mark.engine
@pytest.mark.parametrize("language", ["typescript", "go"])
def test_typescript_and_go_get_model(language, tmp_path, emulator):
    import languages

    [row] = [r for r in ROWS if r.name == "condition, public models"]
    wire = {camel(k): v for k, v in row.args.items()}
    found = languages.run_lookup(language, wire, server=emulator, key_id=DEFAULT_ACCESS_KEY_ID, secret=DEFAULT_ACCESS_KEY_SECRET,
                                 folder=tmp_path)  # fmt: skip
    check(program_outcome(found, "modelName"), row, "plugin")


def program_outcome(found: Any, model_key: str) -> Outcome:
    """A TypeScript or Go program's result (the schema's names) or its one-line error, as an Outcome."""
    if found.error is None:
        return Outcome(found.result[model_key], found.result["versionName"])
    message = re.search(r"(invalid \S+: .*|(\w+Match): .*)$", found.error)
    assert message, found.text
    error = "InvalidQuery" if message.group(0).startswith("invalid ") else message.group(2)
    return Outcome(error=error, text=message.group(0))
