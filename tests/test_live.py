"""The live suite: the same read-only lookups against real PAI through every door, like Terraform's TF_ACC tests.

Runs only with PAI_MODELS_LIVE=1; otherwise every test here is skipped with the reason (a skip is not a pass).
The target is whatever the usual settings reach: region, credentials (alicloud config, ALIBABA_CLOUD_* variables,
Alibaba's default chain) and PAI_MODELS_ENDPOINT, as each door resolves them for users. It only reads:
ListModels, GetModel, ListModelVersions, GetModelVersion; the Pulumi stacks it runs live in a temporary
local backend and hold data sources only.

What it looks up:
- what every account sees: public models (`provider="pai"`) whose name contains PAI_MODELS_LIVE_FAMILY
  (default "qwen"), the newest of them, and that model by its exact name and version;
- with PAI_MODELS_LIVE_WORKSPACE set, the account's own models in that workspace, and the newest of them.

Doors: the functions (get_models, get_model), ModelLookup in a Python program under the real engine, the
`pai-models` command, and the provider plugin in a Pulumi YAML program. Each must answer what the functions answer.
`test_wire_answers` makes the API calls of those lookups with Alibaba's SDK; with PAI_MODELS_LIVE_RECORD=1 it saves
them, redacted, under tests/recordings/ (test_parity.py replays them against the emulator). docs/live.md.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pulumi
import pytest
from engine import cli_env, inline_stack, run_pulumi
from live import recording, target

pytestmark = pytest.mark.skipif(not target.LIVE, reason=target.SKIP_REASON)

SCRIPT = Path(sys.executable).with_name("pai-models")
PLUGIN_DIR = Path(sys.executable).parent  # holds pulumi-resource-pai-models
FAMILY = target.FAMILY
WORKSPACE = target.WORKSPACE
needs_workspace = pytest.mark.skipif(target.LIVE and WORKSPACE is None, reason="PAI_MODELS_LIVE_WORKSPACE is not set: the account's own models are not looked up")

#: The lookups, by name: (their arguments for get_model and ModelLookup, the `pai-models get` flags).
LOOKUPS: dict[str, tuple[dict[str, Any], list[str]]] = {
    "public": ({"provider": "pai", "model_name": FAMILY, "most_recent": True}, ["--provider", "pai", "--name", FAMILY, "--most-recent"]),
}
if WORKSPACE:
    LOOKUPS["own"] = ({"workspace_id": WORKSPACE, "most_recent": True}, ["--workspace", WORKSPACE, "--most-recent"])
LOOKUP_NAMES = [pytest.param("public"), pytest.param("own", marks=needs_workspace)]


@pytest.fixture(scope="module")
def settings() -> Any:
    return target.resolved_settings()


@pytest.fixture(scope="module")
def answers() -> dict[str, Any]:
    """What the functions answer for each lookup: the reference every other door is held to."""
    from pulumi_pai_models import NoModelMatch, get_model

    found = {}
    for name, (arguments, _) in LOOKUPS.items():
        try:
            found[name] = get_model(**arguments)
        except NoModelMatch as err:
            if name == "public":
                raise AssertionError(f"no public model's name contains {FAMILY!r}: set PAI_MODELS_LIVE_FAMILY to a family PAI lists") from err
            found[name] = None
    return found


def answer(answers: dict[str, Any], name: str) -> Any:
    if answers.get(name) is None:
        pytest.skip(f"workspace {WORKSPACE} has no models of this account to look up")
    return answers[name]


def as_expected(result: Any) -> dict[str, str]:
    return {"model_id": result.model_id, "version_name": result.version_name, "uri": result.uri}


# -- the functions ------------------------------------------------------------------------------------------------


def test_functions_list_and_pick_public_models(answers):
    from pulumi_pai_models import get_model, get_models

    listing = get_models(provider="pai", model_name=FAMILY)
    assert listing.total_count >= 1 and len(listing.models) == listing.total_count
    assert all(FAMILY.lower() in m.model_name.lower() for m in listing.models), [m.model_name for m in listing.models]
    newest = answers["public"]
    assert newest.model_id in listing.ids and newest.uri
    # The same model by its exact name and version: GetModelVersion's answer agrees with ListModels'.
    exact = get_model(provider="pai", model_name=f'"{newest.model_name}"', version=newest.version_name)
    assert as_expected(exact) == as_expected(newest)


@needs_workspace
def test_functions_list_and_pick_own_models(answers):
    from pulumi_pai_models import get_models

    listing = get_models(workspace_id=WORKSPACE)
    newest = answer(answers, "own")
    assert newest.model_id in listing.ids
    assert all(not m.provider for m in listing.models), "the own listing returned public models"


# -- the command ----------------------------------------------------------------------------------------------------


@pytest.mark.shell
@pytest.mark.parametrize("name", LOOKUP_NAMES)
def test_the_command_answers_as_the_functions(answers, name):
    expected = answer(answers, name)
    done = subprocess.run([str(SCRIPT), "get", *LOOKUPS[name][1], "--output", "json"], capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    got = json.loads(done.stdout)
    assert {k: got[k] for k in ("model_id", "version_name", "uri")} == as_expected(expected)


# -- ModelLookup under the engine -----------------------------------------------------------------------------------


@pytest.mark.engine
def test_model_lookup_under_the_engine_answers_as_the_functions(tmp_path, answers):
    from pulumi_pai_models import ModelLookup

    names = [n for n in LOOKUPS if answers.get(n) is not None]

    def program() -> None:
        for name in names:
            lookup = ModelLookup(name, **LOOKUPS[name][0])
            pulumi.export(name, pulumi.Output.all(lookup.model_id, lookup.version_name, lookup.uri))

    stack = inline_stack(tmp_path, program, project="pai-models-live")
    try:
        preview = stack.preview()
        assert preview.change_summary.get("create") == len(names) + 1, preview.change_summary  # the stack and the lookups
        up = stack.up()
        for name in names:
            assert dict(zip(("model_id", "version_name", "uri"), up.outputs[name].value, strict=True)) == as_expected(answers[name])
    finally:
        stack.destroy()  # the local state only: a ModelLookup's delete touches nothing in PAI


# -- the provider plugin, in a Pulumi YAML program ------------------------------------------------------------------


def yaml_program(names: list[str]) -> str:
    camel = {"provider": "provider", "model_name": "modelName", "most_recent": "mostRecent", "workspace_id": "workspaceId"}
    lines = ["name: pai-models-live", "runtime: yaml", "plugins:", "  providers:", "    - name: pai-models", f"      path: {PLUGIN_DIR}",
             "variables:"]  # fmt: skip
    for name in names:
        args = json.dumps({camel[k]: v for k, v in LOOKUPS[name][0].items()})
        lines += [f"  {name}Fn:", "    fn::invoke:", "      function: pai-models:index:getModel", f"      arguments: {args}"]
    lines.append("resources:")
    for name in names:
        args = json.dumps({camel[k]: v for k, v in LOOKUPS[name][0].items()})
        lines += [f"  {name}:", "    type: pai-models:index:ModelLookup", f"    properties: {args}"]
    lines.append("outputs:")
    for name in names:
        lines += [f"  {name}Fn: [\"${{{name}Fn.modelId}}\", \"${{{name}Fn.versionName}}\", \"${{{name}Fn.uri}}\"]",
                  f"  {name}: [\"${{{name}.modelId}}\", \"${{{name}.versionName}}\", \"${{{name}.uri}}\"]"]  # fmt: skip
    return "\n".join(lines) + "\n"


@pytest.mark.engine
def test_the_plugin_in_a_yaml_program_answers_as_the_functions(tmp_path, answers):
    names = [n for n in LOOKUPS if answers.get(n) is not None]
    root = tmp_path / "project"
    root.mkdir()
    (root / "Pulumi.yaml").write_text(yaml_program(names))
    env = cli_env(tmp_path / "home")
    run_pulumi("stack", "select", "--create", "live", cwd=root, env=env)
    try:
        run_pulumi("up", "--yes", cwd=root, env=env)
        outputs = json.loads(run_pulumi("stack", "output", "--json", cwd=root, env=env).stdout)
        for name in names:
            expected = list(as_expected(answers[name]).values())
            assert outputs[name + "Fn"] == expected and outputs[name] == expected, outputs
    finally:
        run_pulumi("destroy", "--yes", cwd=root, env=env, check=False)


# -- the API calls of these lookups, and their recording ------------------------------------------------------------


def test_wire_answers(settings, answers):
    page_size = settings.page_size
    client = target.sdk_client(settings)
    lookups = {"public": target.list_models_query(page_size, provider="pai", model_name=FAMILY)}
    if answers.get("own") is not None:
        lookups["own"] = target.list_models_query(page_size, workspace_id=WORKSPACE)
    calls: list[target.Call] = []
    for scope, query in lookups.items():
        chosen = answers[scope]
        scoped = target.lookup_calls(scope, query, chosen.model_id, chosen.version_name, page_size)
        for call in scoped:
            target.send(client, call)
        calls += scoped
        calls += [target.send(client, page) for page in target.further_pages(scoped[0], page_size)]  # as the library reads them
        if scope == "public":
            missing = target.Call("public", "GetModel", "/api/v1/models/{ModelId}", {"ModelId": target.MISSING_MODEL_ID})
            calls.append(target.send(client, missing))
    if target.RECORD:  # first, so that a surprising answer is kept too
        made = "emulator" if target.is_emulator(settings) else "real PAI"
        if made == "emulator":
            note = ("Made by the live suite against the local emulator standing in for PAI (endpoint override, real signatures), "
                    "not against real PAI: it proves the record and parity machinery, not the emulator's fidelity. "
                    "A maintainer records real-pai.json from real PAI: docs/live.md.")  # fmt: skip
        else:
            note = f"Made by the live suite against real PAI ({target.endpoint_host(settings)}), redacted. Refresh: docs/live.md."
        recording.save(target.RECORD_DIR / ("emulator-made.json" if made == "emulator" else "real-pai.json"), made,
                       [c.as_json() for c in calls], note)  # fmt: skip

    for call in calls:
        expected_status = 404 if call.params.get("ModelId") == target.MISSING_MODEL_ID else 200
        assert call.status == expected_status or (expected_status == 404 and 400 <= call.status < 500), (call.action, call.status, call.body)
        assert isinstance(call.body, dict) and call.body.get("RequestId"), call.body
    for scope in lookups:
        chosen = answers[scope]
        listed, model, versions, version = [c for c in calls if c.scope == scope][:4]
        listings = [c for c in calls if c.scope == scope and c.action == "ListModels"]
        assert chosen.model_id in [m["ModelId"] for page in listings for m in page.body["Models"]]
        assert sum(len(page.body["Models"]) for page in listings) == listed.body["TotalCount"]
        assert model.body["ModelId"] == chosen.model_id
        assert chosen.version_name in [v["VersionName"] for v in versions.body["Versions"]] or versions.body["TotalCount"] > page_size
        assert version.body["VersionName"] == chosen.version_name and version.body["Uri"] == chosen.uri
