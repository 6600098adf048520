"""Rollout control in the real engine: tracking and locked lookups, warnings, refresh, moving a lock, outdated.

One stack walks through the life of a model rollout (the steps build on each other, so they are one
test); the others pin one promise each: refresh re-runs the program's own query, a locked version that
vanished fails the preview with one line, 20 identical lookups cost the requests of one, and a program's
get_model error ends the program with its message alone.
"""

from __future__ import annotations

import json
import secrets
import subprocess
import sys

import pulumi
import pytest
from conftest import add_newer_version, model_named, newest_approved
from engine import Capture, failure_text, failure_texts, inline_stack, run, stack_config
from pulumi import automation as auto
from pulumi_pai_models import ModelLookup, get_model
from pulumi_pai_models.emulator import load_demo_catalog

pytestmark = pytest.mark.engine

KEY_ID = "LTAIrolloutTestKey"
SECRET = "rollout-" + secrets.token_hex(16)
FRAUD = '"fraud-detector"'


@pytest.fixture
def pai(private_emulator):
    return private_emulator(KEY_ID, SECRET)


def config(server) -> dict:
    return stack_config(server, KEY_ID, SECRET)


def warnings_of(capture: Capture) -> list[str]:
    """The engine's warning diagnostics of an operation (what its summary counts)."""
    return [e.diagnostic_event.message for e in capture.events if e.diagnostic_event and e.diagnostic_event.severity == "warning"]


def step_ops(capture: Capture) -> dict[str, str]:
    """Resource name -> the step the engine planned or took for it."""
    return {urn.rsplit("::", 1)[1]: op for urn, op in capture.ops().items()}


def lookup_urn(stack: auto.Stack, name: str) -> str:
    return next(r["urn"] for r in stack.export_stack().deployment["resources"] if r["urn"].endswith(f"::{name}"))


def outdated(stack: auto.Stack, server) -> tuple[int, list[dict]]:
    """`pai-models outdated --output json` on the stack's exported state, as a pipeline runs it."""
    exported = stack.export_stack()
    state = json.dumps({"version": exported.version, "deployment": exported.deployment})
    env = {"ALIBABA_CLOUD_ACCESS_KEY_ID": KEY_ID, "ALIBABA_CLOUD_ACCESS_KEY_SECRET": SECRET, "PATH": ""}
    done = subprocess.run(
        [sys.executable, "-m", "pulumi_pai_models.cli", "outdated", "--endpoint", server.url, "--output", "json"],
        input=state, capture_output=True, text=True, env=env, timeout=60, check=False,
    )  # fmt: skip
    assert SECRET not in done.stdout + done.stderr
    return done.returncode, json.loads(done.stdout or "[]")


def test_tracking_and_locked_lookups_through_a_rollout(tmp_path, pai):
    catalog = load_demo_catalog()
    first = newest_approved(model_named(catalog))
    keepers = {"release": "1"}

    def program():
        tracking = ModelLookup("tracking", model_name=FRAUD, approval_status="Approved")
        locked = ModelLookup("locked", model_name=FRAUD, approval_status="Approved", lock=True, keepers=keepers)
        pulumi.export("tracking_uri", tracking.uri)
        pulumi.export("locked_uri", locked.uri)

    stack = inline_stack(tmp_path, program, stack="rollout", config=config(pai))
    up = run(stack.up, Capture())
    assert up.outputs["tracking_uri"].value == up.outputs["locked_uri"].value == first["Uri"]
    code, rows = outdated(stack, pai)
    assert code == 0 and {r["status"] for r in rows} == {"current"} and len(rows) == 2

    # 1. a newer approved version: preview updates the tracking lookup only, and warns once about the locked one.
    newer = add_newer_version(pai, "8.0.0", catalog=catalog, created="2032-01-01T00:00:00Z")
    cap = Capture()
    run(stack.preview, cap)
    assert step_ops(cap)["tracking"] == "update" and step_ops(cap)["locked"] == "same"
    [warning] = warnings_of(cap)
    locked_urn = lookup_urn(stack, "locked")
    assert first["VersionName"] in warning and "8.0.0" in warning and f"pulumi up --replace '{locked_urn}'" in warning

    code, rows = outdated(stack, pai)
    assert code == 6  # behind (the documented exit code)
    assert {r["urn"].rsplit("::", 1)[1]: (r["status"], r["held_version"], r["newest_version"]) for r in rows} == {
        "tracking": ("behind", first["VersionName"], "8.0.0"),
        "locked": ("behind", first["VersionName"], "8.0.0"),
    }

    cap = Capture()
    up = run(stack.up, cap)
    assert up.outputs["tracking_uri"].value == newer["Uri"] and up.outputs["locked_uri"].value == first["Uri"]
    assert len(warnings_of(cap)) == 1, warnings_of(cap)  # the update warns too, once (it did 6 times in a terminal)

    # refresh moves nothing, and the next preview has no changes.
    run(stack.refresh, Capture())
    assert stack.outputs()["locked_uri"].value == first["Uri"] and stack.outputs()["tracking_uri"].value == newer["Uri"]
    run(stack.preview, Capture(), expect_no_changes=True)

    code, rows = outdated(stack, pai)
    assert code == 6 and {r["urn"].rsplit("::", 1)[1]: r["status"] for r in rows} == {"tracking": "current", "locked": "behind"}

    # 2. moving the lock on purpose: up --replace <urn>, then a keepers change after a still newer version.
    up = run(stack.up, Capture(), replace=[locked_urn])
    assert up.outputs["locked_uri"].value == newer["Uri"]
    code, rows = outdated(stack, pai)
    assert code == 0 and {r["status"] for r in rows} == {"current"}

    newest = add_newer_version(pai, "9.0.0", catalog=catalog, created="2033-01-01T00:00:00Z")
    up = run(stack.up, Capture())
    assert up.outputs["locked_uri"].value == newer["Uri"]  # locked: an unrelated up does not move it
    keepers["release"] = "2"
    cap = Capture()
    up = run(stack.up, cap)
    assert up.outputs["locked_uri"].value == newest["Uri"] and up.outputs["tracking_uri"].value == newest["Uri"]

    # 3. the locked version is deleted from the registry: the preview fails with one line, nothing switches.
    model = model_named(catalog)
    model["Versions"] = [v for v in model["Versions"] if v["VersionName"] != "9.0.0"]
    pai.set_catalog(catalog)
    text, shown = failure_texts(stack.preview)
    assert "LockedVersionGone: ModelLookup is locked to version '9.0.0' of model" in text
    assert "pulumi up --replace" in text and "Traceback" not in shown and SECRET not in text
    assert stack.outputs()["locked_uri"].value == newest["Uri"]


def test_refresh_reruns_the_programs_own_query(tmp_path, pai):
    """The state keeps the program's model_name apart from the name found, so refresh asks what the program asked."""

    def program():
        ModelLookup("fuzzy", model_name="fraud-detector", approval_status="Approved")  # a substring: matches one model today

    stack = inline_stack(tmp_path, program, stack="refresh", config=config(pai))
    run(stack.up, Capture())
    cap = Capture()
    refreshed = run(stack.refresh, cap)
    assert set(refreshed.summary.resource_changes or {}) <= {"same"}
    run(stack.preview, Capture(), expect_no_changes=True)

    state = next(r for r in stack.export_stack().deployment["resources"] if r["urn"].endswith("::fuzzy"))
    assert state["outputs"]["model_name"] == "fraud-detector" and state["outputs"]["resolved_model_name"] == "fraud-detector"
    assert state["inputs"]["model_name"] == "fraud-detector"


def test_refresh_failure_is_one_line(tmp_path, pai):
    def program():
        ModelLookup("gone", model_name=FRAUD, approval_status="Approved")

    stack = inline_stack(tmp_path, program, stack="gone", config=config(pai))
    run(stack.up, Capture())
    catalog = load_demo_catalog()
    catalog["Models"] = [m for m in catalog["Models"] if m["ModelName"] != "fraud-detector"]
    pai.set_catalog(catalog)
    text = failure_text(stack.refresh)
    # pulumi < 3.260's dynamic provider server leaves the error to gRPC: one line, its prefix for the error's name
    # (docs/development.md; tests/test_internals.py pins which form each release gives)
    said = "no model matches ModelName='\"fraud-detector\"'"
    assert f"NoModelMatch: {said}" in text or f"Exception calling application: {said}" in text
    assert "Traceback" not in text and 'File "' not in text


def test_twenty_identical_lookups_cost_the_requests_of_one(tmp_path, pai):
    def program():
        for i in range(20):
            ModelLookup(f"same-{i}", model_name=FRAUD, approval_status="Approved")
        ModelLookup("pinned", model_name=FRAUD, version="1.0.0")  # differs only in selection: shares the listing

    stack = inline_stack(tmp_path, program, stack="coalesce", config=config(pai))
    pai.reset()
    run(stack.preview, Capture())
    actions = [r["action"] for r in pai.requests() if r.get("action")]
    assert actions.count("ListModels") == 1, actions
    assert actions.count("ListModelVersions") == 1, actions


def test_a_get_model_error_ends_the_program_with_its_message_alone(tmp_path, pai):
    def program():
        get_model(model_name='"no-such-model"')

    stack = inline_stack(tmp_path, program, stack="programerror", config=config(pai))
    text = failure_text(stack.preview)
    assert "no model matches ModelName='\"no-such-model\"'" in text
    assert "Traceback" not in text and "functions.py" not in text
