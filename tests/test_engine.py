"""End to end inside the real Pulumi engine: preview, up, a new version as a diff, refresh, destroy.

One stack, in order (the steps build on each other, so they are one test). The program has a
ModelLookup and a get_model_output, each feeding a stand-in deployment that records what it receives.
The emulator runs in this process with a key pair whose secret is configured as a stack secret.
"""

from __future__ import annotations

import json
import secrets
import urllib.request

import pulumi
import pytest
from conftest import add_newer_version, demo_model, newest_approved
from engine import Capture, failure_texts, inline_stack, run, stack_config, stored_state
from pulumi_pai_models import ModelLookup, get_model_output
from pulumi_pai_models.emulator import load_demo_catalog
from standin import RecordedDeployment, recorded

pytestmark = pytest.mark.engine

KEY_ID = "LTAIe2eTestKey"
SECRET = "e2e-" + secrets.token_hex(16)  # unique, so finding it anywhere is a real leak


@pytest.fixture
def e2e_emulator(private_emulator):
    return private_emulator(KEY_ID, SECRET)


def config(server) -> dict:
    return stack_config(server, KEY_ID, SECRET)


def test_lookup_lifecycle_in_the_engine(tmp_path, e2e_emulator):
    records = str(tmp_path / "deployments.jsonl")

    def program():
        lookup = ModelLookup("fraud", model_name='"fraud-detector"', approval_status="Approved")
        RecordedDeployment("svc-from-resource", model_path=lookup.uri, record_file=records)
        chosen = get_model_output(model_name='"fraud-detector"', approval_status="Approved")
        RecordedDeployment("svc-from-function", model_path=chosen.apply(lambda r: r.uri), record_file=records + ".fn")
        pulumi.export("uri", lookup.uri)
        pulumi.export("version_name", lookup.version_name)
        pulumi.export("function_uri", chosen.apply(lambda r: r.uri))

    stack = inline_stack(tmp_path, program, config=config(e2e_emulator))
    all_text = []
    expected = newest_approved(demo_model())

    # 1. preview: the URI is already known, in what the engine plans for the consumers.
    cap = Capture()
    run(stack.preview, cap)
    all_text.append(cap.text)
    [(op, _, inputs)] = cap.steps("svc-from-resource")
    assert op == "create" and inputs["model_path"] == expected["Uri"]
    [(op, _, inputs)] = cap.steps("svc-from-function")
    assert inputs["model_path"] == expected["Uri"]
    assert recorded(records) == []  # preview deployed nothing

    # 2. up: outputs carry the URI, and the stand-ins received it.
    cap = Capture()
    up = run(stack.up, cap)
    all_text.append(cap.text)
    assert up.outputs["uri"].value == expected["Uri"]
    assert up.outputs["function_uri"].value == expected["Uri"]
    assert up.outputs["version_name"].value == expected["VersionName"]
    assert recorded(records) == [expected["Uri"]] and recorded(records + ".fn") == [expected["Uri"]]

    # 3. up again: nothing to do.
    cap = Capture()
    again = run(stack.up, cap)
    all_text.append(cap.text)
    assert set(again.summary.resource_changes) == {"same"}

    # 4. a newer approved version arrives: preview shows updates naming the changed fields, up applies.
    catalog = load_demo_catalog()
    newer = add_newer_version(e2e_emulator, "7.0.0", catalog=catalog)

    cap = Capture()
    run(stack.preview, cap)
    all_text.append(cap.text)
    [(op, _, inputs)] = cap.steps("fraud")
    assert op == "update" and inputs["uri"] == newer["Uri"]
    # The dynamic provider protocol carries no per-key diff, so the engine names the changed keys
    # itself, from old and new values; this is what a person reads in the preview.
    assert cap.diff_keys("ModelLookup fraud") == {"model_version", "uri", "version_name"}  # the model's JSON is not compared
    [(op, _, inputs)] = cap.steps("svc-from-resource")
    assert op == "update" and inputs["model_path"] == newer["Uri"]
    assert cap.diff_keys("RecordedDeployment svc-from-resource") == {"model_path"}
    assert recorded(records) == [expected["Uri"]]

    cap = Capture()
    up = run(stack.up, cap)
    all_text.append(cap.text)
    assert up.outputs["uri"].value == newer["Uri"]
    assert recorded(records) == [expected["Uri"], newer["Uri"]]

    # 5. refresh succeeds; destroy succeeds and deletes nothing in the catalog.
    cap = Capture()
    run(stack.refresh, cap)
    all_text.append(cap.text)
    state = stored_state(tmp_path)
    lookup_state = next(r for r in stack.export_stack().deployment["resources"] if r["urn"].endswith("::fraud"))
    cap = Capture()
    run(stack.destroy, cap)
    all_text.append(cap.text)
    with urllib.request.urlopen(e2e_emulator.url + "/_emulator/catalog") as answer:
        after = json.load(answer)
    assert sorted(m["ModelId"] for m in after["Models"]) == sorted(m["ModelId"] for m in catalog["Models"])

    # 6. the secret is in no state and no engine output.
    assert SECRET not in state
    assert "alicloud:secretKey" in state  # the engine keeps the stack config of the provider, encrypted
    assert not {k for k in lookup_state["inputs"] | lookup_state["outputs"] if "key" in k.lower() or "secret" in k.lower()}
    assert SECRET not in "\n".join(all_text)
    assert "fraud-detector" in state  # the state was really captured


def test_no_match_fails_the_preview_with_the_message_not_a_traceback(tmp_path, e2e_emulator):
    def program():
        ModelLookup("missing", model_name='"no-such-model"')

    stack = inline_stack(tmp_path, program, stack="nomatch", config=config(e2e_emulator))
    text, shown = failure_texts(stack.preview)
    assert "NoModelMatch: no model matches ModelName='\"no-such-model\"'" in text
    assert "Traceback" not in shown
    assert SECRET not in text


def test_bad_argument_fails_in_check_naming_the_property(tmp_path, e2e_emulator):
    def program():
        ModelLookup("bad", conditions=["ParameterSize < abc"])

    stack = inline_stack(tmp_path, program, stack="badarg", config=config(e2e_emulator))
    e2e_emulator.reset()
    text, shown = failure_texts(stack.preview)
    assert "conditions" in text and "is not a number" in text
    assert "Traceback" not in shown
    assert [r for r in e2e_emulator.requests() if r.get("action")] == []
