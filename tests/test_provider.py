"""ModelLookup's dynamic provider, driven method by method against the emulator over HTTP.

The engine itself runs these methods in tests/test_engine.py; here each promise is pinned alone:
check resolves (so preview knows the URI), diff reports exactly what changed, update never wipes,
read re-resolves, delete owns nothing, and no credential reaches anything the provider returns.
"""

from __future__ import annotations

import copy
import json

import dill
import pytest
from conftest import api_requests, demo_model, dynamic_provider, emulator_config
from pulumi.runtime import rpc
from pulumi_pai_models import lifecycle
from pulumi_pai_models.emulator import DEFAULT_ACCESS_KEY_SECRET, load_demo_catalog
from pulumi_pai_models.lifecycle import OUTPUT_NAMES as OUTPUT_KEYS
from pulumi_pai_models.lifecycle import PREVIEW_NAMES
from pulumi_pai_models.resource import ModelLookupProvider, begin_operation

FRAUD = '"fraud-detector"'


@pytest.fixture
def provider(emulator, monkeypatch):
    for name in ("ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALIBABA_CLOUD_REGION_ID"):
        monkeypatch.delenv(name, raising=False)
    return dynamic_provider(emulator_config(emulator), "demo")


def newest_version(model):
    versions = model.get("Versions") or [model["LatestVersion"]]
    return max(versions, key=lambda v: v["GmtCreateTime"])


def test_check_resolves_so_preview_knows_the_uri(provider):
    result = provider.check({}, {"model_name": FRAUD, "uri": None})
    assert result.failures == []
    expected = newest_version(demo_model("fraud-detector"))
    assert result.inputs["uri"] == expected["Uri"]
    assert result.inputs["version_name"] == expected["VersionName"]
    assert result.inputs["model_id"] == demo_model("fraud-detector")["ModelId"]
    assert "ModelName" in result.inputs["query_summary"]
    assert result.inputs["model_version"]["Uri"] == expected["Uri"]  # what deployments read, e.g. its InferenceSpec
    assert "model" not in result.inputs  # the model's whole JSON arrives with create
    created = provider.create(result.inputs).outs
    assert created["model"]["ModelName"] == "fraud-detector" and created["model_version"]["Uri"] == expected["Uri"]


def test_check_with_unknown_input_defers_and_marks_outputs_unknown(provider, emulator):
    result = provider.check({}, {"model_name": rpc.UNKNOWN})
    assert result.failures == []
    assert all(result.inputs[k] == rpc.UNKNOWN for k in PREVIEW_NAMES)
    assert api_requests(emulator) == []


def test_bad_argument_is_a_check_failure_naming_the_property_before_any_call(provider, emulator):
    result = provider.check({}, {"conditions": [{"column": "ParameterSize", "operator": "LessThan", "value": "abc"}]})
    assert [f.property for f in result.failures] == ["conditions"]
    assert "not a number" in result.failures[0].reason
    result = provider.check({}, {"version": "1.0.0", "approval_status": "Approved"})
    assert [f.property for f in result.failures] == ["version"]
    assert api_requests(emulator) == []


def test_no_match_is_a_check_failure_with_the_message(provider):
    result = provider.check({}, {"model_name": '"no-such-model"'})
    assert len(result.failures) == 1
    assert result.failures[0].reason.startswith("NoModelMatch: no model matches ModelName='\"no-such-model\"'")


def test_diff_is_empty_when_nothing_changed_and_names_uri_when_a_version_arrives(provider, emulator):
    first = provider.check({}, {"model_name": FRAUD}).inputs
    created = provider.create(first)
    olds = created.outs
    again = provider.check(olds, {"model_name": FRAUD}).inputs
    assert provider.diff(created.id, olds, again).changes is False

    catalog = load_demo_catalog()
    fraud = next(m for m in catalog["Models"] if m["ModelName"] == "fraud-detector")
    newer = copy.deepcopy(newest_version(fraud))
    newer.update(VersionName="9.0.0", GmtCreateTime="2030-01-01T00:00:00Z", Uri="oss://new/fraud/9.0.0/")
    fraud["Versions"] = (fraud.get("Versions") or [fraud["LatestVersion"]]) + [newer]
    fraud.pop("LatestVersion", None)  # the emulator derives it from the newest version
    emulator.set_catalog(catalog)

    begin_operation()  # the next preview
    news = provider.check(olds, {"model_name": FRAUD}).inputs
    diff = provider.diff(created.id, olds, news)
    assert diff.changes is True and diff.replaces == []
    changed = set(OUTPUT_KEYS) - set(diff.stables)
    assert changed == {"uri", "version_name", "model", "model_version"}  # the whole JSON is never compared: never stable
    assert lifecycle.changed_properties(olds, news) == ["version_name", "uri", "model_version"]
    updated = provider.update(created.id, olds, news)
    assert updated.outs["uri"] == "oss://new/fraud/9.0.0/"
    assert updated.outs["model_id"] == olds["model_id"]  # update keeps every output
    assert updated.outs["model_version"]["VersionName"] == "9.0.0"


def test_read_re_resolves_and_delete_touches_nothing(provider, emulator):
    created = provider.create(provider.check({}, {"model_name": FRAUD}).inputs)
    emulator.reset()
    begin_operation()  # pulumi refresh
    read = provider.read(created.id, created.outs)
    assert read.id == created.id and read.outs["uri"] == created.outs["uri"]
    assert api_requests(emulator, "ListModels")
    emulator.reset()
    provider.delete(created.id, created.outs)
    assert api_requests(emulator) == []
    assert provider.check({}, {"model_name": FRAUD}).inputs["uri"] == created.outs["uri"]  # still there


def test_approval_status_and_pinned_version(provider):
    fraud = demo_model("fraud-detector")
    versions = fraud.get("Versions") or [fraud["LatestVersion"]]
    approved = max((v for v in versions if v.get("ApprovalStatus") == "Approved"), key=lambda v: v["GmtCreateTime"])
    got = provider.check({}, {"model_name": FRAUD, "approval_status": "Approved"}).inputs
    assert got["version_name"] == approved["VersionName"] and got["uri"] == approved["Uri"]
    oldest = min(versions, key=lambda v: v["GmtCreateTime"])
    pinned = provider.check({}, {"model_name": FRAUD, "version": oldest["VersionName"]}).inputs
    assert pinned["uri"] == oldest["Uri"]
    missing = provider.check({}, {"model_name": FRAUD, "version": "0.0.0-missing"})
    assert "there is no version '0.0.0-missing'; its versions: " in missing.failures[0].reason
    assert all(v["VersionName"] in missing.failures[0].reason for v in versions)  # it says what exists


def test_no_credential_in_anything_the_provider_returns_or_pickles(provider):
    checked = provider.check({}, {"model_name": FRAUD}).inputs
    created = provider.create(checked)
    failure = provider.check({}, {"model_name": '"nothing"'}).failures
    blob = json.dumps([checked, created.outs, provider.read(created.id, created.outs).outs, [f.reason for f in failure]])
    assert DEFAULT_ACCESS_KEY_SECRET not in blob
    # The provider is pickled into state before configure() runs, by reference: tiny and key-free.
    fresh = dill.dumps(ModelLookupProvider(), recurse=True)
    assert len(fresh) < 200 and DEFAULT_ACCESS_KEY_SECRET.encode() not in fresh


def test_a_locked_lookup_warns_once_per_operation(provider, emulator, capsys):
    """Outside an engine the warning goes to stderr; inside, the same dedupe keeps the engine's count at one."""
    from conftest import add_newer_version

    args = {"model_name": FRAUD, "approval_status": "Approved", "lock": True}
    first = provider.check({}, args).inputs
    add_newer_version(emulator)
    begin_operation()  # the next preview
    for _ in range(3):  # asked again in the same operation: one warning
        assert provider.check(first, args).inputs["uri"] == first["uri"]
    assert capsys.readouterr().err.count("ModelLookup locked to") == 1
    begin_operation()
    provider.check(first, args)
    assert capsys.readouterr().err.count("ModelLookup locked to") == 1
