"""`pai-models outdated` on exported states, and the scheduled workflow step that runs it (examples/pipeline/outdated.yml).

The states here are written the way `pulumi stack export` writes them (resources with a type, a URN and
outputs); tests/test_rollout.py runs the command on the export of a real stack.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import demo_model, model_named
from pulumi_pai_models.contract import camel
from pulumi_pai_models.emulator import DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, load_demo_catalog

REPO = Path(__file__).resolve().parent.parent
WORKFLOW = REPO / "examples" / "pipeline" / "outdated.yml"
BIN = Path(sys.executable).parent
DYNAMIC = "pulumi-python:dynamic/pai-models:ModelLookup"
PLUGIN = "pai-models:index:ModelLookup"

pytestmark = pytest.mark.shell


def approved(model: dict) -> list[dict]:
    return sorted((v for v in model.get("Versions") or [model["LatestVersion"]] if v.get("ApprovalStatus") == "Approved"),
                  key=lambda v: v["GmtCreateTime"])  # fmt: skip


def lookup(name: str, version: dict, *, lock: bool = False, kind: str = DYNAMIC, model_name: Any = '"fraud-detector"') -> dict:
    """A ModelLookup of fraud-detector's newest approved version as the state holds it, holding `version` (the
    provider plugin's state names its properties in camelCase)."""
    outputs = {
        "model_name": model_name, "approval_status": "Approved", "lock": lock, "model_id": "model-fraud-detector",
        "resolved_model_name": "fraud-detector", "version_name": version["VersionName"], "uri": version["Uri"],
    }  # fmt: skip
    if kind == PLUGIN:
        outputs = {camel(k): v for k, v in outputs.items()}
    else:
        outputs["__provider"] = "ignored"
    return {"urn": f"urn:pulumi:prod::app::{kind}::{name}", "type": kind, "outputs": outputs, "inputs": outputs}


def state(*resources: dict) -> str:
    stack = {"urn": "urn:pulumi:prod::app::pulumi:pulumi:Stack::app-prod", "type": "pulumi:pulumi:Stack"}
    return json.dumps({"version": 3, "deployment": {"manifest": {}, "resources": [stack, *resources]}})


def outdated(emulator, text: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ALIBABA_CLOUD_ACCESS_KEY_ID": DEFAULT_ACCESS_KEY_ID, "ALIBABA_CLOUD_ACCESS_KEY_SECRET": DEFAULT_ACCESS_KEY_SECRET}
    return subprocess.run([str(BIN / "pai-models"), "outdated", "--endpoint", emulator.url, *args], input=text, capture_output=True,
                          text=True, env=env, timeout=60, check=False)  # fmt: skip


BEHIND, FAILED = 6, 7  # the documented exit codes of `pai-models outdated` (README, --help), written out here


def test_behind_exits_6_with_a_row_per_lookup(emulator):
    versions = approved(demo_model())
    old, new = versions[-2], versions[-1]
    done = outdated(emulator, state(lookup("a", old, lock=True), lookup("b", new, kind=PLUGIN)), "--output", "json")
    assert done.returncode == BEHIND, done.stderr
    rows = {r["urn"].rsplit("::", 1)[1]: r for r in json.loads(done.stdout)}
    assert (rows["a"]["status"], rows["a"]["locked"], rows["a"]["held_version"], rows["a"]["newest_version"]) == (
        "behind", True, old["VersionName"], new["VersionName"])  # fmt: skip
    assert rows["b"]["status"] == "current" and rows["b"]["newest_uri"] == new["Uri"]

    table = outdated(emulator, state(lookup("a", old, lock=True)))
    assert table.returncode == BEHIND and "BEHIND" in table.stdout and f"newest: {new['VersionName']}" in table.stdout


def test_secret_arguments_need_an_export_with_show_secrets(emulator):
    newest = approved(demo_model())[-1]
    encrypted = {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", "ciphertext": "AAAA"}
    done = outdated(emulator, state(lookup("a", newest, model_name=encrypted)), "--output", "json")
    [row] = json.loads(done.stdout)
    assert done.returncode == FAILED and row["status"] == "failed" and "--show-secrets" in row["problem"]
    assert [r for r in emulator.requests() if r.get("action")] == []  # nothing asked with a query missing its name

    shown = {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", "plaintext": json.dumps('"fraud-detector"')}
    done = outdated(emulator, state(lookup("a", newest, model_name=shown, kind=PLUGIN)), "--output", "json")
    [row] = json.loads(done.stdout)
    assert done.returncode == 0 and row["status"] == "current"


def test_current_exits_0(emulator):
    newest = approved(demo_model())[-1]
    done = outdated(emulator, state(lookup("a", newest), lookup("b", newest, lock=True)))
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("CURRENT") == 2


def test_a_lookup_whose_query_no_longer_resolves_is_reported_not_fatal(emulator):
    catalog = load_demo_catalog()
    held = approved(model_named(catalog))[-1]
    catalog["Models"] = [m for m in catalog["Models"] if m["ModelName"] != "fraud-detector"]
    emulator.set_catalog(catalog)
    done = outdated(emulator, state(lookup("a", held)), "--output", "json")
    [row] = json.loads(done.stdout)
    assert done.returncode == FAILED and row["status"] == "failed" and "no model matches" in row["problem"]
    assert "model_name in double quotes" in row["problem"]  # worded for the Python program that declared it


def test_failed_wins_over_behind_and_a_plugin_lookup_is_worded_in_schema_terms(emulator):
    catalog = load_demo_catalog()
    versions = approved(model_named(catalog))
    gone = {**versions[-1], "VersionName": "0.0.1"}
    held = lookup("gone", gone, kind=PLUGIN, model_name='"no-such-model"')
    done = outdated(emulator, state(lookup("behind", versions[-2]), held), "--output", "json")
    rows = {r["urn"].rsplit("::", 1)[1]: r for r in json.loads(done.stdout)}
    assert done.returncode == FAILED and rows["behind"]["status"] == "behind" and rows["gone"]["status"] == "failed"
    assert "modelName in double quotes" in rows["gone"]["problem"] and "model_name" not in rows["gone"]["problem"]


@pytest.mark.parametrize(
    "deployment",
    [{"manifest": {"time": "2024-01-01T00:00:00Z"}}, {"manifest": {}, "resources": []}, None],
    ids=["never-deployed", "destroyed", "no-deployment"],
)
def test_an_export_without_resources_is_nothing_to_check(emulator, deployment):
    done = outdated(emulator, json.dumps({"version": 3, "deployment": deployment} if deployment is not None else {"version": 3}))
    if deployment is None:  # not what `pulumi stack export` writes
        assert done.returncode == 2 and "--state" in done.stderr
        return
    assert done.returncode == 0 and done.stdout == "nothing to check: no ModelLookup in this state\n", done.stderr
    assert [r for r in emulator.requests() if r.get("action")] == []


@pytest.mark.parametrize(
    "text, fragment",
    [("not json", "invalid --state: is not JSON"), ('{"version": 3}', "invalid --state: is not the output of `pulumi stack export`")],
)
def test_bad_state_exits_2_naming_the_flag(emulator, text, fragment):
    done = outdated(emulator, text)
    assert done.returncode == 2 and fragment in done.stderr and done.stderr.count("\n") == 1
    assert [r for r in emulator.requests() if r.get("action")] == []


def test_api_failure_exits_5(emulator):
    emulator.add_faults([{"status": 403, "code": "Forbidden.RAM", "count": 5}])
    done = outdated(emulator, state(lookup("a", approved(demo_model())[-1])))
    assert done.returncode == 5 and "Forbidden.RAM" in done.stderr


# -- the scheduled workflow -------------------------------------------------------------------------------


def test_the_workflow_is_scheduled_and_needs_nothing_from_this_repository():
    text = WORKFLOW.read_text()
    doc = yaml.safe_load(text)
    triggers = doc.get("on", doc.get(True))
    assert "schedule" in triggers and doc["permissions"]["issues"] == "write"
    for path in ("./provider", "examples/", "scripts/", "tests/"):
        assert path not in text
    steps = doc["jobs"]["outdated"]["steps"]
    assert any("pulumi stack export" in s.get("run", "") and "--file state.json" in s["run"] for s in steps)


@pytest.mark.parametrize("behind", [True, False])
def test_the_workflow_step_reports_behind(emulator, tmp_path, behind):
    """The step's own script, as GitHub runs it (bash -e), on an exported state."""
    versions = approved(demo_model())
    (tmp_path / "state.json").write_text(state(lookup("a", versions[-2] if behind else versions[-1])))
    step = next(s for s in yaml.safe_load(WORKFLOW.read_text())["jobs"]["outdated"]["steps"] if s.get("id") == "outdated")
    outputs, summary = tmp_path / "out", tmp_path / "summary"
    env = {
        **os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}", "GITHUB_OUTPUT": str(outputs), "GITHUB_STEP_SUMMARY": str(summary),
        "ALIBABA_CLOUD_ACCESS_KEY_ID": DEFAULT_ACCESS_KEY_ID, "ALIBABA_CLOUD_ACCESS_KEY_SECRET": DEFAULT_ACCESS_KEY_SECRET,
        "PAI_MODELS_ENDPOINT": emulator.url,
    }  # fmt: skip
    done = subprocess.run(["bash", "-e", "-c", step["run"]], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert outputs.read_text().strip() == f"behind={'true' if behind else 'false'}"
    assert ("BEHIND" in summary.read_text()) if behind else not summary.exists()


def test_outdated_in_the_readme_and_help_agree():
    help_text = subprocess.run([str(BIN / "pai-models"), "outdated", "--help"], capture_output=True, text=True, check=True).stdout
    assert "pulumi stack export" in help_text and "--state" in help_text
    assert "pai-models outdated" in (REPO / "README.md").read_text()


def test_states_are_read_not_changed(emulator, tmp_path):
    versions = approved(demo_model())
    path = tmp_path / "state.json"
    path.write_text(state(lookup("a", versions[-2])))
    before = copy.deepcopy(path.read_bytes())
    outdated(emulator, "", "--state", str(path))
    assert path.read_bytes() == before
