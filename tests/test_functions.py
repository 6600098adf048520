"""get_models / get_model and their _output forms, through the public API against the emulator.

Program wiring uses `pulumi.runtime.set_mocks`, which gives the functions a Pulumi run to scope
coalescing to. Mocks never call a dynamic provider: ModelLookup itself is tested in test_provider.py
and, inside the real engine, in test_engine.py.
"""

from __future__ import annotations

import pulumi
import pytest
from conftest import api_requests
from pulumi_pai_models import AmbiguousMatch, InvalidQuery, NoMatch, Settings, get_model, get_model_output, get_models
from pulumi_pai_models.emulator import DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, load_demo_catalog
from pulumi_pai_models.functions import effective_settings


class NoResources(pulumi.runtime.Mocks):
    def new_resource(self, args):
        return f"{args.name}-id", dict(args.inputs)

    def call(self, args):
        return {}


@pytest.fixture
def in_program():
    """A Pulumi run (mocked engine), as the functions see it inside a program."""
    pulumi.runtime.set_mocks(NoResources(), preview=False)
    yield
    pulumi.runtime.settings.configure(pulumi.runtime.settings.Settings(project="p", stack="s"))
    pulumi.runtime.settings.SETTINGS.monitor = None


def demo(name):
    return next(m for m in load_demo_catalog()["Models"] if m["ModelName"] == name)


def test_get_models_by_tag_and_condition(emulator, settings):
    result = get_models(tags={"team": "risk"}, conditions=["ParameterSize<3000"], settings=settings)
    expected = {
        m["ModelId"]
        for m in load_demo_catalog()["Models"]
        if not m.get("Provider")
        and {"Key": "team", "Value": "risk"} in m.get("Tags", [])
        and m.get("ParameterSize") is not None
        and m["ParameterSize"] < 3000
    }
    assert set(result.ids) == expected and result.total_count == len(expected)
    [request] = api_requests(emulator, "ListModels")
    assert request["query"]["Tag"] == '[{"Key":"team","Value":"risk"}]'
    assert request["query"]["Conditions"] == '[{"Column":"ParameterSize","Operator":"LessThan","Value":"3000"}]'


def test_get_models_no_match_is_an_empty_list(emulator, settings):
    result = get_models(model_name="nothing-like-this", settings=settings)
    assert result.models == [] and result.ids == [] and result.total_count == 0


def test_get_model_exact_name_by_public_provider_in_chinese(emulator, settings):
    reference = demo("情感分析")
    result = get_model(model_name='"情感分析"', provider="pai", settings=settings)
    assert result.model_id == reference["ModelId"]
    assert result.uri == reference["LatestVersion"]["Uri"]
    assert result.model_version.inference_spec == reference["LatestVersion"]["InferenceSpec"]
    with pytest.deprecated_call(match="model_version"):  # the old name still works for one release
        assert result.version == result.model_version


def test_get_model_errors(emulator, settings):
    with pytest.raises(AmbiguousMatch) as info:
        get_model(tags={"env": "prod"}, settings=settings)
    assert info.value.count >= 2
    with pytest.raises(NoMatch):
        get_model(model_name='"missing"', settings=settings)
    emulator.reset()
    with pytest.raises(InvalidQuery) as info:
        get_model(conditions=["ParameterSize<3000"], version="1", approval_status="Approved", settings=settings)
    assert info.value.parameter == "version"
    assert api_requests(emulator) == []


def test_identical_lookups_in_one_program_cost_one_call(emulator, settings, in_program):
    results = [get_model(tags={"env": "prod"}, most_recent=True, settings=settings) for _ in range(20)]
    assert len({r.uri for r in results}) == 1
    assert len(api_requests(emulator, "ListModels")) == 1
    get_model(tags={"env": "staging"}, most_recent=True, settings=settings)
    assert len(api_requests(emulator, "ListModels")) == 2


def test_outside_a_program_nothing_is_cached(emulator, settings):
    get_models(provider="pai", settings=settings)
    get_models(provider="pai", settings=settings)
    assert len(api_requests(emulator, "ListModels")) == 2


def test_output_form_resolves_inputs_then_looks_up(emulator, settings, in_program):
    name = pulumi.Output.from_input('"fraud-detector"')
    out = get_model_output(model_name=name, approval_status=pulumi.Output.from_input("Approved"), settings=settings)
    fraud = demo("fraud-detector")
    versions = fraud.get("Versions") or [fraud["LatestVersion"]]
    approved = max((v for v in versions if v.get("ApprovalStatus") == "Approved"), key=lambda v: v["GmtCreateTime"])

    @pulumi.runtime.test
    def check():
        return out.apply(lambda r: r.uri).apply(lambda uri: _assert_equal(uri, approved["Uri"]))

    check()


def _assert_equal(actual, expected):
    assert actual == expected


def test_settings_precedence_explicit_then_stack_config_then_environment(monkeypatch, emulator):
    monkeypatch.setenv("ALIBABA_CLOUD_REGION_ID", "cn-beijing")
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", "env-id")
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "env-secret")
    s = effective_settings()
    assert (s.region, s.endpoint, s.access_key_id) == ("cn-beijing", "aiworkspace.cn-beijing.aliyuncs.com", "env-id")
    monkeypatch.setenv("PULUMI_CONFIG", '{"alicloud:region": "cn-shanghai", "alicloud:accessKey": "cfg-id", "alicloud:secretKey": "cfg-secret"}')
    s = effective_settings()
    assert (s.region, s.access_key_id, s.access_key_secret) == ("cn-shanghai", "cfg-id", "cfg-secret")
    s = effective_settings(Settings(endpoint=emulator.url, access_key_id=DEFAULT_ACCESS_KEY_ID, access_key_secret=DEFAULT_ACCESS_KEY_SECRET))
    assert (s.endpoint, s.protocol, s.access_key_id, s.region) == (emulator.endpoint, "http", DEFAULT_ACCESS_KEY_ID, "cn-shanghai")
    assert "cfg-secret" not in repr(s) and DEFAULT_ACCESS_KEY_SECRET not in repr(s)
