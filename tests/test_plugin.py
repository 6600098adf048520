"""The provider plugin `pai-models` (`pulumi_pai_models.plugin`): its schema, and the plugin driven over gRPC.

The schema is derived from the contract: the file `schema/pai-models.json` must be what `schema.py`
builds and what the running plugin serves, and it must name every contract argument and output under
its camelCase name, and nothing else.

The plugin runs as the engine runs it: the `pulumi-resource-pai-models` console script started as a
process with an engine address (here a small fake engine that records Log calls), its port read from
its stdout, then called with the engine's gRPC requests. Each `Plugin` is one process, i.e. one engine
operation (its answers are cached for its life). Its answers are compared with the dynamic provider's
(`ModelLookupProvider`) and the Python functions' (`get_model`, `get_models`) for the same query on
the same catalog.
"""

from __future__ import annotations

import json
import re
import secrets
import shutil
import subprocess
import sys
from typing import Any

import grpc
import pytest
from conftest import add_newer_version, api_requests
from engine import REPO
from google.protobuf import empty_pb2
from plugin_harness import URN, FakeEngine, Plugin, to_struct
from pulumi.dynamic import ConfigureRequest
from pulumi.dynamic.config import Config
from pulumi.runtime import rpc
from pulumi.runtime.proto import engine_pb2, plugin_pb2, provider_pb2
from pulumi_pai_models import Condition, get_model, get_models, lifecycle, schema
from pulumi_pai_models._version import __version__
from pulumi_pai_models.contract import ARGUMENTS, OUTPUTS, QUERY, RESOURCE_ONLY, SELECTION, SETTINGS, arguments, camel, outputs
from pulumi_pai_models.emulator import load_demo_catalog
from pulumi_pai_models.resource import ModelLookupProvider, begin_operation
from pulumi_pai_models.settings import ENV_NAMES, Settings

SCHEMA_FILE = REPO / "schema" / "pai-models.json"
FRAUD = '"fraud-detector"'
KEY_ID = "LTAIpluginTest"
SECRET = "plugin-" + secrets.token_hex(16)  # unique, so finding it anywhere is a real leak

#: ModelLookup's names, snake (the contract's) -> camel (the wire's), from the contract alone.
RESOURCE_WIRE = {a.name: a.schema_name for a in arguments(QUERY, SELECTION, RESOURCE_ONLY)} | {
    o.resource_name: camel(o.resource_name) for o in OUTPUTS if o.resource_name
}


# -- the schema -------------------------------------------------------------------------------------------


def test_the_schema_file_is_what_schema_py_derives():
    assert SCHEMA_FILE.read_text(encoding="utf-8") == schema.render(), (
        "schema/pai-models.json is stale: run `python -m pulumi_pai_models.schema > schema/pai-models.json`"
    )


def test_the_schema_command_prints_it():
    done = subprocess.run([sys.executable, "-m", "pulumi_pai_models.schema"], check=True, capture_output=True, text=True)
    assert done.stdout == SCHEMA_FILE.read_text(encoding="utf-8")


def test_the_schema_names_every_argument_and_output_in_camel_case_and_nothing_else():
    spec = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    assert (spec["name"], spec["version"]) == ("pai-models", __version__)
    get_model_fn = spec["functions"]["pai-models:index:getModel"]
    assert list(get_model_fn["inputs"]["properties"]) == [camel(a.name) for a in arguments(QUERY, SELECTION)]
    assert list(get_model_fn["outputs"]["properties"]) == [camel(o.name) for o in outputs(resource=False)]
    assert list(get_model_fn["outputs"]["properties"]) == ["modelId", "modelName", "versionName", "uri", "model", "modelVersion"]
    get_models_fn = spec["functions"]["pai-models:index:getModels"]
    assert list(get_models_fn["inputs"]["properties"]) == [camel(a.name) for a in arguments(QUERY)]
    assert list(get_models_fn["outputs"]["properties"]) == ["models", "ids", "totalCount"]
    assert set(spec["functions"]) == {"pai-models:index:getModel", "pai-models:index:getModels"}

    lookup = spec["resources"]["pai-models:index:ModelLookup"]
    inputs = [camel(a.name) for a in arguments(QUERY, SELECTION, RESOURCE_ONLY)]
    resolved = [camel(o.resource_name) for o in outputs(resource=True) if o.resource_name]
    assert resolved == ["modelId", "resolvedModelName", "versionName", "uri", "model", "modelVersion", "querySummary"]
    assert list(lookup["inputProperties"]) == inputs
    assert list(lookup["properties"]) == inputs + resolved
    assert lookup["required"] == resolved and "requiredInputs" not in lookup
    assert set(spec["resources"]) == {"pai-models:index:ModelLookup"}
    # every contract argument appears, each exactly under its schema name
    assert {a.schema_name for a in ARGUMENTS} == set(lookup["inputProperties"])


def test_the_getmodels_outputs_are_attributes_of_its_result():
    from pulumi_pai_models import GetModelsResult
    from pulumi_pai_models.contract import MODELS_OUTPUTS

    for output in MODELS_OUTPUTS:
        assert hasattr(GetModelsResult, output.name) or output.name in GetModelsResult.__dataclass_fields__, output.name


def test_the_schema_types_follow_the_argument_kinds():
    spec = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    props = spec["resources"]["pai-models:index:ModelLookup"]["properties"]
    assert props["modelName"]["type"] == "string" and props["mostRecent"]["type"] == "boolean"
    assert props["collections"] == {**props["collections"], "type": "array", "items": {"type": "string"}}
    assert props["tags"]["additionalProperties"] == {"type": "string"} and props["keepers"]["type"] == "object"
    assert props["conditions"]["items"] == {"type": "string"}
    assert props["model"]["additionalProperties"] == {"$ref": "pulumi.json#/Any"}
    for name, prop in props.items():
        assert prop["description"], name
    # conditions are text: the schema's own example is what Condition.parse reads
    example = re.search(r"`(ParameterSize<3000)`", props["conditions"]["description"]).group(1)
    assert Condition.parse(example) == Condition("ParameterSize", "LessThan", "3000")
    totals = spec["functions"]["pai-models:index:getModels"]["outputs"]["properties"]
    assert totals["totalCount"]["type"] == "integer" and totals["models"]["type"] == "array"


def test_the_configuration_is_the_settings_table_under_the_plugins_own_namespace():
    spec = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    variables = spec["config"]["variables"]
    assert list(variables) == [s.config_key.split(":", 1)[1] for s in SETTINGS]
    assert set(variables) == {"endpoint", "protocol", "region", "vpc", "readTimeoutMs", "connectTimeoutMs", "maxAttempts",
                              "maxConcurrency", "maxInFlight", "accessKey", "secretKey", "securityToken", "pageSize",
                              "backoffBaseMs", "backoffMaxMs"}  # fmt: skip
    assert {k for k, v in variables.items() if v.get("secret")} == {"secretKey", "securityToken"}
    assert variables["maxAttempts"]["type"] == "integer" and variables["vpc"]["type"] == "boolean"
    assert spec["provider"]["inputProperties"] == variables
    assert {s.name for s in SETTINGS} | {"sources"} == set(Settings.__dataclass_fields__)


# -- the plugin as the engine drives it -------------------------------------------------------------------


def snake(props: dict[str, Any]) -> dict[str, Any]:
    """ModelLookup's wire properties under the contract's snake_case names."""
    back = {wire: name for name, wire in RESOURCE_WIRE.items()}
    assert set(props) <= set(back), set(props) - set(back)
    return {back[k]: v for k, v in props.items()}


@pytest.fixture
def emu(private_emulator):
    return private_emulator(KEY_ID, SECRET)


@pytest.fixture(scope="module")
def engine():
    fake = FakeEngine()
    yield fake
    fake.server.stop(None)


@pytest.fixture
def start(emu, engine):
    """Start plugin processes configured for the emulator (secretKey as the stack config gives it); all closed after."""
    started: list[Plugin] = []
    stderr: list[str] = []
    engine.logs.clear()

    def start_plugin(**extra: Any) -> Plugin:
        plugin = Plugin(engine, {"endpoint": emu.url, "accessKey": KEY_ID, "secretKey": SECRET, "readTimeoutMs": 2000, **extra})
        started.append(plugin)
        return plugin

    yield start_plugin
    for plugin in started:
        stderr.append(plugin.close())
    assert SECRET not in "".join(stderr) + repr(engine.logs)


@pytest.fixture
def dynamic(emu, monkeypatch):
    """The dynamic provider of the Python programs, configured for the same emulator."""
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)
    begin_operation()
    provider = ModelLookupProvider()
    provider.configure(
        ConfigureRequest(Config({"pai-models:endpoint": emu.url, "alicloud:accessKey": KEY_ID, "alicloud:secretKey": SECRET}, "demo"))
    )
    return provider


def emulator_settings(emu) -> Settings:
    return Settings(endpoint=emu.url, access_key_id=KEY_ID, access_key_secret=SECRET, read_timeout_ms=2000)


def test_the_plugin_serves_the_schema_file(start):
    plugin = start()
    assert plugin.schema() == SCHEMA_FILE.read_text(encoding="utf-8")
    assert plugin.configured.supportsPreview and not plugin.configured.acceptSecrets


def test_the_plugins_server_answers_the_schema_version_and_handshake_as_the_experimental_server_would():
    """`plugin.PluginServer` answers these without the Pulumi SDK; the experimental server's answers are the same bytes."""
    from pulumi.provider.experimental import server
    from pulumi.runtime._grpc_settings import _GRPC_CHANNEL_OPTIONS
    from pulumi.runtime.proto import provider_pb2_grpc
    from pulumi_pai_models import plugin

    assert plugin._schema_message() == provider_pb2.GetSchemaResponse(schema=SCHEMA_FILE.read_text(encoding="utf-8")).SerializeToString()
    for version in ("0.1.0", "x" * 200, "é" * 70):  # a length of one and of two varint bytes
        assert plugin._string_field(version) == plugin_pb2.PluginInfo(version=version).SerializeToString()
    assert server.ProviderServicer.Handshake is provider_pb2_grpc.ResourceProviderServicer.Handshake  # unimplemented there too
    assert [tuple(option) for option in plugin.GRPC_OPTIONS] == [tuple(option) for option in _GRPC_CHANNEL_OPTIONS]


def test_the_plugin_answers_the_schema_before_and_after_it_was_configured(engine):
    plugin = Plugin.unconfigured(engine)
    try:
        assert plugin.schema() == SCHEMA_FILE.read_text(encoding="utf-8")
        assert plugin.stub.GetPluginInfo(empty_pb2.Empty()).version == __version__
        with pytest.raises(grpc.RpcError) as raised:
            plugin.stub.Handshake(provider_pb2.ProviderHandshakeRequest(engine_address=engine.address))
        assert raised.value.code() == grpc.StatusCode.UNIMPLEMENTED
        plugin.configure({"endpoint": "http://127.0.0.1:1"})
        assert plugin.schema() == SCHEMA_FILE.read_text(encoding="utf-8")
    finally:
        plugin.close()


@pytest.mark.parametrize(
    "query",
    [
        {"model_name": FRAUD, "approval_status": "Approved"},
        {"tags": {"env": "prod"}, "most_recent": True},
        {"provider": "pai", "conditions": ["ParameterSize<3000"], "most_recent": True, "lock": True, "keepers": {"release": "1"}},
    ],
    ids=["exact-name-approved", "tags-most-recent", "conditions-locked"],
)
def test_model_lookup_gives_what_the_dynamic_provider_gives(start, dynamic, query):
    checked = dynamic.check({}, dict(query))
    assert checked.failures == []
    expected = dynamic.create(checked.inputs).outs
    plugin = start()
    wire = {RESOURCE_WIRE[k]: v for k, v in query.items()}
    inputs, failures = plugin.check({}, wire)
    assert failures == []
    assert snake(inputs) == checked.inputs  # what a preview shows
    lookup_id, props = plugin.create(inputs)
    assert lookup_id.startswith("lookup-")
    assert snake(props) == expected
    assert set(props) == set(wire) | {RESOURCE_WIRE[o.resource_name] for o in OUTPUTS if o.resource_name}


def test_get_model_and_get_models_give_what_the_functions_give(start, emu):
    plugin = start()
    settings = emulator_settings(emu)
    expected = get_model(model_name=FRAUD, approval_status="Approved", settings=settings).outputs()
    got, failures = plugin.invoke("pai-models:index:getModel", {"modelName": FRAUD, "approvalStatus": "Approved"})
    assert failures == []
    assert got == {camel(k): v for k, v in expected.items()}
    assert set(got) == {"modelId", "modelName", "versionName", "uri", "model", "modelVersion"}

    listed = get_models(tags={"env": "prod"}, settings=settings)
    got, failures = plugin.invoke("pai-models:index:getModels", {"tags": {"env": "prod"}})
    assert failures == []
    assert got == {"models": [m.to_dict() for m in listed.models], "ids": listed.ids, "totalCount": listed.total_count}
    assert got["totalCount"] > 0

    none, failures = plugin.invoke("pai-models:index:getModels", {"modelName": '"no-such-model"'})
    assert failures == [] and none == {"models": [], "ids": [], "totalCount": 0}


def test_bad_arguments_fail_naming_the_schema_property_before_any_call(start, emu):
    plugin = start()
    _, failures = plugin.invoke("pai-models:index:getModel", {"conditions": ["ParameterSize < abc"]})
    assert [p for p, _ in failures] == ["conditions"] and "not a number" in failures[0][1]
    _, failures = plugin.invoke("pai-models:index:getModel", {"version": "1.0.0", "approvalStatus": "Approved"})
    assert [p for p, _ in failures] == ["version"]
    _, failures = plugin.invoke("pai-models:index:getModel", {"approvalStatus": "Maybe"})
    assert [p for p, _ in failures] == ["approvalStatus"]
    _, failures = plugin.check({}, {"modelName": '"unterminated'})
    assert [p for p, _ in failures] == ["modelName"]
    _, failures = plugin.check({}, {"lock": "yes"})
    assert [p for p, _ in failures] == ["lock"]
    assert api_requests(emu) == []


def test_messages_name_schema_properties_and_the_plugins_config_keys(engine, emu, tmp_path):
    plugin = Plugin(engine, {"endpoint": emu.url, "accessKey": KEY_ID, "secretKey": SECRET})
    try:
        _, failures = plugin.invoke("pai-models:index:getModel", {"modelName": '"unterminated'})
        assert failures == [("modelName", failures[0][1])] and failures[0][1].startswith("invalid modelName: an exact name must")
        _, failures = plugin.invoke("pai-models:index:getModel", {"conditions": ["Size < abc"]})
        assert failures[0][1].startswith("invalid conditions.value: 'abc' is not a number")
    finally:
        plugin.close()
    nowhere = Plugin(engine, {}, HOME=str(tmp_path))  # no region, endpoint or credentials anywhere
    with_endpoint = Plugin(engine, {"endpoint": emu.url}, HOME=str(tmp_path))
    try:
        _, failures = nowhere.invoke("pai-models:index:getModel", {"modelName": FRAUD})
        reason = failures[0][1]
        assert reason.startswith("ConfigurationError: no PAI region or endpoint: set the region with the stack config pai-models:region")
        assert "pai-models:endpoint" in reason and "ALIBABA_CLOUD_REGION_ID" in reason and "PAI_MODELS_ENDPOINT" in reason
        assert "alicloud:" not in reason and "Settings(" not in reason and "--" not in reason
        _, failures = with_endpoint.check({}, {"modelName": FRAUD})
        reason = failures[0][1]
        assert reason.startswith("ConfigurationError: no Alibaba Cloud credentials: set the stack config pai-models:accessKey and "
                                 "pai-models:secretKey")  # fmt: skip
        assert "alicloud:" not in reason and "Settings(" not in reason
    finally:
        nowhere.close()
        with_endpoint.close()


def test_lookup_failures_are_one_line(start):
    plugin = start()
    _, failures = plugin.invoke("pai-models:index:getModel", {"modelName": '"no-such-model"'})
    [(prop, reason)] = failures
    assert prop == "" and reason.startswith("NoModelMatch: no model matches ModelName='\"no-such-model\"'") and "\n" not in reason
    assert "provider pai: its public ones" in reason and "modelName in double quotes" in reason and "model_name" not in reason
    _, failures = plugin.invoke("pai-models:index:getModel", {"provider": "pai"})
    assert failures[0][1].startswith("AmbiguousMatch: ")
    assert "set mostRecent" in failures[0][1] and "most_recent" not in failures[0][1] and "name_regex" not in failures[0][1]
    _, failures = plugin.check({}, {"modelName": '"no-such-model"'})
    assert failures[0][0] == "" and failures[0][1].startswith("NoModelMatch: ")


def test_unknown_inputs_pass_through_and_the_outputs_are_unknown(start, emu):
    plugin = start()
    inputs, failures = plugin.check({}, {"modelName": rpc.UNKNOWN, "approvalStatus": "Approved"})
    assert failures == []
    assert inputs["modelName"] == rpc.UNKNOWN and inputs["approvalStatus"] == "Approved"
    assert {k for k, v in snake(inputs).items() if v == rpc.UNKNOWN} == {"model_name", *lifecycle.PREVIEW_NAMES}
    _, props = plugin.create(inputs, preview=True)
    assert all(props[RESOURCE_WIRE[k]] == rpc.UNKNOWN for k in lifecycle.OUTPUT_NAMES)
    got, failures = plugin.invoke("pai-models:index:getModel", {"modelName": rpc.UNKNOWN})
    assert failures == [] and got["uri"] == rpc.UNKNOWN
    assert api_requests(emu) == []


def test_preview_knows_the_uri_and_leaves_the_whole_json_to_up(start):
    plugin = start()
    inputs, _ = plugin.check({}, {"modelName": FRAUD, "approvalStatus": "Approved"})
    lookup_id, props = plugin.create(inputs, preview=True)
    assert lookup_id == "" and props["uri"].startswith("oss://")
    assert lifecycle.DETAIL_NAMES, "the contract keeps some whole JSON out of previews"
    assert {k for k, v in snake(props).items() if v == rpc.UNKNOWN} == set(lifecycle.DETAIL_NAMES)
    assert set(snake(props)) == set(lifecycle.ARGUMENT_NAMES) & {"model_name", "approval_status"} | set(lifecycle.OUTPUT_NAMES)


def test_a_newer_version_is_a_detailed_diff_of_exactly_the_changed_properties(start, emu):
    first = start()
    inputs, _ = first.check({}, {"modelName": FRAUD, "approvalStatus": "Approved"})
    _, state = first.create(inputs)
    same = first.diff(state, inputs)
    assert same.changes == provider_pb2.DiffResponse.DIFF_NONE and dict(same.detailedDiff) == {}

    newer = add_newer_version(emu)
    second = start()  # the next engine operation
    news, _ = second.check(inputs, {"modelName": FRAUD, "approvalStatus": "Approved"})
    assert news["uri"] == newer["Uri"]
    diff = second.diff(state, news)
    assert diff.changes == provider_pb2.DiffResponse.DIFF_SOME and diff.hasDetailedDiff
    # what differs and is compared: the version's name and uri, and its whole JSON if the contract shows it in previews
    expected = {"uri", "versionName"} | ({"modelVersion"} if "model_version" in lifecycle.PREVIEW_NAMES else set())
    assert set(diff.detailedDiff) == expected == set(diff.diffs)
    assert all(d.kind == provider_pb2.PropertyDiff.UPDATE for d in diff.detailedDiff.values())
    assert not diff.replaces and "modelName" in diff.stables
    updated = second.update(state, news)
    assert updated["uri"] == newer["Uri"] and updated["modelVersion"]["VersionName"] == "7.0.0"


def test_a_locked_lookup_keeps_its_version_and_warns_on_the_resource(start, emu, engine):
    first = start()
    args = {"modelName": FRAUD, "approvalStatus": "Approved", "lock": True}
    inputs, _ = first.check({}, args)
    _, state = first.create(inputs)
    newer = add_newer_version(emu)
    second = start()
    news, failures = second.check(inputs, args)
    assert failures == [] and news["uri"] == inputs["uri"] != newer["Uri"]
    [(severity, message, urn)] = engine.logs
    assert severity == engine_pb2.WARNING and urn == URN
    assert newer["VersionName"] in message and f"pulumi up --replace '{URN}'" in message
    assert second.diff(state, news).changes == provider_pb2.DiffResponse.DIFF_NONE
    second.check(inputs, args)  # the engine may ask again in the same operation (e.g. up's preview and update)
    assert len(engine.logs) == 1, "a warning is sent once per resource and operation"
    start().check(inputs, args)  # the next operation warns again
    assert len(engine.logs) == 2


def test_refresh_reruns_the_query_and_a_gone_version_is_one_line(start, emu):
    first = start()
    args = {"modelName": FRAUD, "approvalStatus": "Approved", "lock": True}
    inputs, _ = first.check({}, args)
    _, state = first.create(inputs)
    props, refreshed_inputs = start().read(state)
    assert props == state and "model" not in refreshed_inputs and refreshed_inputs["uri"] == state["uri"]

    catalog = load_demo_catalog()
    catalog["Models"] = [m for m in catalog["Models"] if m["ModelName"] != "fraud-detector"]
    emu.set_catalog(catalog)
    with pytest.raises(grpc.RpcError) as info:
        start().read(state)
    details = info.value.details()
    assert details.startswith("LockedVersionGone: ") and "Traceback" not in details and 'File "' not in details
    assert f"pulumi up --replace '{URN}'" in details


def test_a_bad_config_value_fails_check_config_and_settings_come_from_the_config(start, emu):
    plugin = start()
    answer = plugin.stub.CheckConfig(provider_pb2.CheckRequest(urn="urn:pulumi:test::proj::pulumi:providers:pai-models::default",
                                                               news=to_struct({"maxAttempts": "many", "secretKey": SECRET})))  # fmt: skip
    [failure] = answer.failures
    assert "stack config pai-models:maxAttempts must be a whole number" in failure.reason and SECRET not in failure.reason
    # the config, not the environment, reached the emulator: with a wrong secret the emulator refuses
    wrong = start(secretKey="wrong-" + secrets.token_hex(8))
    _, failures = wrong.invoke("pai-models:index:getModel", {"modelName": FRAUD})
    assert failures[0][1].startswith("ApiError: ") and "wrong-" not in failures[0][1]
    assert {r.get("access_key_id") for r in api_requests(emu)} == {KEY_ID}


def test_no_credential_in_anything_the_plugin_returns(start):
    plugin = start()
    inputs, _ = plugin.check({}, {"modelName": FRAUD})
    returned = [json.dumps(inputs), json.dumps(plugin.create(inputs)[1])]
    returned.append(json.dumps(plugin.invoke("pai-models:index:getModel", {"modelName": FRAUD})))
    returned.append(json.dumps(plugin.invoke("pai-models:index:getModel", {"modelName": '"no-such-model"'})))
    returned.append(json.dumps(plugin.read(plugin.create(inputs)[1])))
    text = "\n".join(returned)
    assert SECRET not in text and not re.search("secret|accessKey", text, re.IGNORECASE)
    assert SECRET not in plugin.schema()


# -- the SDKs in sdk/, generated from the schema ---------------------------------------------------------------
# scripts/gen-sdks.sh writes sdk/nodejs and sdk/go with the code generators of the CLI's Pulumi release
# (scripts/pulumi-wrapper/sdkgen); tests/test_languages.py installs, compiles and runs them under the engine.


@pytest.mark.shell
def test_the_committed_sdks_are_what_the_schema_generates():
    go = shutil.which("go") or shutil.which("go", path="/usr/local/go/bin")
    if go is None:
        pytest.skip("no Go: the generators are Go packages")
    done = subprocess.run(["bash", str(REPO / "scripts" / "gen-sdks.sh"), "--check"], capture_output=True, text=True, timeout=1200, check=False)
    assert done.returncode == 0, done.stderr


def test_the_sdks_are_installed_under_the_names_the_schema_gives():
    nodejs = json.loads((REPO / "sdk" / "nodejs" / "package.json").read_text())
    assert (nodejs["name"], nodejs["version"], nodejs["main"]) == (schema.NPM_PACKAGE, __version__, "bin/index.js")
    assert nodejs["pulumi"] == {"resource": True, "name": schema.PACKAGE, "version": __version__}
    # The Go module is the folder sdk/go of the repository; its package is the schema's importBasePath.
    go_mod = (REPO / "sdk" / "go" / "go.mod").read_text()
    assert re.search(r"^module (\S+)$", go_mod, re.MULTILINE).group(1) == schema.GO_MODULE == f"{schema.REPOSITORY}/sdk/go"
    spec = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    assert spec["language"]["go"]["importBasePath"] == schema.GO_IMPORT_PATH
    assert (REPO / "sdk" / "go" / schema.GO_IMPORT_PATH.removeprefix(schema.GO_MODULE + "/") / "modelLookup.go").is_file()
    assert re.search(r"^\s*github.com/pulumi/pulumi/sdk/v3 v3.260.0$", go_mod, re.MULTILINE), "the Go SDK of the CLI's release"
