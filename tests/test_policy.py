"""The policy pack's parts without the engine: model paths in EAS configs, the registry index and the requests it
makes (against the emulator, through Alibaba's SDK), each policy's decision and one-line message, the pack's
settings, the `pai-models policy-pack` command, and the docs naming every policy and config key.

The engine runs of the pack (Python and YAML programs, `pulumi preview|up --policy-pack`) are tests/test_policy_engine.py.
Expected messages are checked for the facts written out here by hand from the demo catalog, never for text the pack made.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import api_requests
from engine import REPO
from pulumi_pai_models import Settings
from pulumi_pai_models.client import PaiModelsClient
from pulumi_pai_models.emulator import load_demo_catalog
from pulumi_pai_models.errors import ConfigurationError
from pulumi_pai_models.policy import config as pack_config
from pulumi_pai_models.policy import rules
from pulumi_pai_models.policy.index import PathIndex
from pulumi_pai_models.policy.paths import ServiceConfigError, model_paths, path_key
from pulumi_pai_models.registry import CachedRegistry

# The demo catalog's own models, as written in provider/pulumi_pai_models/emulator/demo_catalog.json.
ACME = "oss://acme-ml-models.oss-cn-hangzhou.aliyuncs.com"
FRAUD = {v: f"{ACME}/fraud-detector/{v}/" for v in ("0.9.0", "1.0.0", "1.1.0", "1.2.0")}  # Rejected, Approved, Approved, Pending
CHURN_200 = f"{ACME}/churn-predictor/2.0.0/"  # Approved; the latest, 2.1.0, is Pending
SUMMARIZER_100 = f"{ACME}/support-summarizer/1.0.0/"  # Approved, the model's only (latest) version
OWN_MODELS = 5  # fraud-detector, churn-predictor, product-image-classifier, 情感分析-客服, support-summarizer


def service(model_path: str, **extra) -> str:
    return json.dumps({"metadata": {"name": "svc", "instance": 1}, "model_path": model_path, "processor": "pmml", **extra})


@pytest.fixture
def index(emulator, settings) -> PathIndex:
    """A fresh pack run's index over the emulator's demo catalog."""
    return PathIndex(CachedRegistry(PaiModelsClient(settings)), 8)


def calls(server) -> list[tuple[str, str]]:
    return [(r["action"], r["path"]) for r in api_requests(server)]


# -- model paths in a service config ----------------------------------------------------------------------------


def test_every_place_a_service_config_names_a_model_is_read():
    config = {
        "metadata": {"name": "svc"},
        "model_path": "oss://acme/models/a/",
        "processor_path": "oss://acme/code/processor.tar.gz",  # the processor's code, not a model
        "storage": [
            {"oss": {"path": "oss://acme/models/b/", "readOnly": True}, "mount_path": "/models/b"},
            {"nfs": {"path": "/share"}, "mount_path": "/data"},
        ],
        "future_field": {"weights": ["oss://acme/models/c/"]},  # whatever EAS adds: an OSS path is checked
        "oss_endpoint": "oss-cn-hangzhou-internal.aliyuncs.com",
    }
    found = model_paths(json.dumps(config))
    assert [(p.where, p.value) for p in found] == [
        ("model_path", "oss://acme/models/a/"),
        ("storage[0].oss.path", "oss://acme/models/b/"),
        ("future_field.weights[0]", "oss://acme/models/c/"),
    ]


def test_an_http_model_path_is_a_model_path_and_a_location_is_read_once():
    found = model_paths(service("https://example.com/model.tar.gz", storage=[{"oss": {"path": "oss://a/b"}, "mount_path": "/m"},
                                                                             {"oss": {"path": "oss://a/b/"}, "mount_path": "/n"}]))
    assert [p.value for p in found] == ["https://example.com/model.tar.gz", "oss://a/b"]


@pytest.mark.parametrize(("text", "problem"), [("not json", "is not JSON"), ("[1]", "is a JSON list"), ('"x"', "is a JSON str")])
def test_a_service_config_that_is_not_a_json_object_is_an_error(text, problem):
    with pytest.raises(ServiceConfigError, match=problem):
        model_paths(text)


def test_a_registry_uri_and_an_eas_path_of_the_same_folder_compare_equal():
    assert path_key(FRAUD["1.1.0"]) == path_key("oss://acme-ml-models/fraud-detector/1.1.0")
    assert path_key("oss://b.oss-cn-beijing-internal.aliyuncs.com/x/") == path_key("OSS://b/x")
    assert path_key("oss://acme-ml-models/fraud-detector/1.1.0") != path_key("oss://acme-ml-models/fraud-detector/1.1")
    assert path_key("oss://other/fraud-detector/1.1.0") != path_key("oss://acme-ml-models/fraud-detector/1.1.0")
    # URLs compare as written: the host's case and a trailing slash aside.
    assert path_key("https://Example.com/m/") == path_key("https://example.com/m")
    assert path_key("https://example.com/m?sig=1") != path_key("https://example.com/m?sig=2")
    assert path_key("http://example.com/m") != path_key("https://example.com/m")


def test_exempt_prefixes_take_code_and_data_mounts_out():
    config = service(FRAUD["1.1.0"], storage=[{"oss": {"path": "oss://acme-code/app/v2/"}, "mount_path": "/code"}])
    assert [p.where for p in rules.checked_paths(config, {})] == ["model_path", "storage[0].oss.path"]
    assert [p.where for p in rules.checked_paths(config, {"exemptPrefixes": ["oss://acme-code/app"]})] == ["model_path"]
    assert [p.where for p in rules.checked_paths(config, {"exemptPrefixes": ["oss://acme-code/ap"]})] == ["model_path", "storage[0].oss.path"]


# -- the index: which version a path is, and what it costs -----------------------------------------------------------


def test_a_models_latest_version_is_found_with_the_listing_alone(index, emulator):
    found = index.find("oss://acme-ml-models/support-summarizer/1.0.0")
    assert found is not None and (found.model.model_name, found.version.version_name, found.is_latest) == ("support-summarizer", "1.0.0", True)
    assert calls(emulator) == [("ListModels", "/api/v1/models")]


def test_an_older_version_costs_one_version_listing_of_the_model_it_lives_beside(index, emulator):
    found = index.find(FRAUD["1.1.0"])
    assert found is not None and (found.model.model_id, found.version.version_name, found.version.approval_status) == (
        "model-fraud-detector", "1.1.0", "Approved")  # fmt: skip
    assert not found.is_latest
    assert calls(emulator) == [("ListModels", "/api/v1/models"), ("ListModelVersions", "/api/v1/models/model-fraud-detector/versions")]


def test_a_path_registered_nowhere_costs_every_own_models_versions_once_per_run(index, emulator):
    assert index.find("oss://acme-ml-models/hand-made/model/") is None
    assert index.find("oss://elsewhere/model/") is None
    assert index.find(FRAUD["1.0.0"]) is not None
    listed = calls(emulator)
    assert listed.count(("ListModels", "/api/v1/models")) == 1
    versions = [path for action, path in listed if action == "ListModelVersions"]
    assert len(versions) == OWN_MODELS == len(set(versions)), versions  # public models are not searched


def test_twenty_services_on_four_models_cost_the_listing_and_two_version_listings(index, emulator):
    paths = [FRAUD["1.1.0"], CHURN_200, SUMMARIZER_100, f"{ACME}/sentiment-zh/0.1.0/"] * 5
    assert all(index.find(p) is not None for p in paths)
    assert sorted(calls(emulator)) == [
        ("ListModelVersions", "/api/v1/models/model-churn-predictor/versions"),
        ("ListModelVersions", "/api/v1/models/model-fraud-detector/versions"),
        ("ListModels", "/api/v1/models"),
    ]


# -- each policy's decision and message ------------------------------------------------------------------------------


def problems(index, config_text, config=None) -> list[str]:
    return rules.approval_problems("inference", rules.checked_paths(config_text, {}), index, config or {})


def test_an_approved_version_passes(index):
    assert problems(index, service(FRAUD["1.1.0"])) == []
    assert problems(index, service("oss://acme-ml-models/fraud-detector/1.0.0")) == []


def assert_one_line(message: str, *facts: str) -> None:
    assert "\n" not in message
    for fact in facts:
        assert fact in message, (fact, message)


def test_a_path_not_in_the_registry_is_a_violation_saying_what_to_do(index):
    [message] = problems(index, service("oss://acme-ml-models/hand-made/model/"))
    assert_one_line(message, 'service "inference"', 'model_path "oss://acme-ml-models/hand-made/model/"',
                    "is not a model version in the PAI registry", f"{OWN_MODELS} own models searched", "register it",
                    "get it Approved")  # fmt: skip


def test_an_http_url_is_a_violation_unless_a_version_has_that_uri(index):
    [message] = problems(index, service("https://example.com/fraud.tar.gz"))
    assert_one_line(message, '"https://example.com/fraud.tar.gz"', "is not a model version", "a URL passes only if it is a registered version's URI")


def test_a_pending_version_names_the_model_version_status_and_the_way_out(index):
    [message] = problems(index, service(FRAUD["1.2.0"]))
    assert_one_line(message, f'model_path "{FRAUD["1.2.0"]}"', "version 1.2.0 of model fraud-detector (model-fraud-detector)",
                    "approval status is Pending (allowed: Approved)", f"newest Approved version 1.1.0 ({FRAUD['1.1.0']})",
                    "get 1.2.0 Approved")  # fmt: skip


def test_a_rejected_version_points_to_the_newest_approved_one(index):
    [message] = problems(index, service(FRAUD["0.9.0"], storage=[{"oss": {"path": FRAUD["1.1.0"]}, "mount_path": "/m"}]))
    assert_one_line(message, "version 0.9.0 of model fraud-detector", "approval status is Rejected", "newest Approved version 1.1.0")
    assert "get 0.9.0" not in message  # a rejected version is not "to be approved"


def test_allowed_statuses_and_workspaces_come_from_the_config(index):
    assert problems(index, service(FRAUD["1.2.0"]), {"approvalStatuses": ["Approved", "Pending"]}) == []
    [message] = problems(index, service(FRAUD["1.1.0"]), {"workspaces": ["ws-1"]})
    assert_one_line(message, "version 1.1.0 of model fraud-detector", "registered in workspace 86075 (allowed: ws-1)", "an allowed workspace")
    assert problems(index, service(FRAUD["1.1.0"]), {"workspaces": ["86075"]}) == []


def test_an_older_approved_version_gets_the_newest_approved_advisory(index):
    paths = rules.checked_paths(service("oss://acme-ml-models/fraud-detector/1.0.0"), {})
    [note] = rules.newer_approved("inference", paths, index, {})
    assert_one_line(note, "Approved version 1.0.0 of model fraud-detector", f"1.1.0 ({FRAUD['1.1.0']})")
    for newest in (FRAUD["1.1.0"], SUMMARIZER_100, FRAUD["1.2.0"]):  # newest approved; latest; not approved (another policy's)
        assert rules.newer_approved("inference", rules.checked_paths(service(newest), {}), index, {}) == []


def test_an_unreachable_registry_is_one_violation_that_says_how_to_go_advisory():
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings = Settings(endpoint=f"http://127.0.0.1:{port}", access_key_id="k", access_key_secret="s", max_attempts=1).resolved()
    index = PathIndex(CachedRegistry(PaiModelsClient(settings)))
    paths = rules.checked_paths(service(FRAUD["1.1.0"]), {})
    message = rules.registry_problem("inference", paths, index)
    assert message is not None
    assert_one_line(message, f'service "inference" model_path "{FRAUD["1.1.0"]}" cannot be checked', "ListModels failed",
                    f"127.0.0.1:{port}", '"pai-registry": "advisory"')  # fmt: skip
    assert rules.approval_problems("inference", paths, index, {}) == []  # said once, by pai-registry


def test_missing_registry_settings_say_where_the_pack_takes_them(monkeypatch):
    for variable in ("ALIBABA_CLOUD_REGION_ID", "ALICLOUD_REGION", "PAI_MODELS_ENDPOINT"):
        monkeypatch.delenv(variable, raising=False)
    with pytest.raises(ConfigurationError) as info:
        pack_config.registry_settings({})
    message = rules.registry_problem("inference", rules.checked_paths(service(FRAUD["1.1.0"]), {}), info.value)
    assert message is not None
    assert_one_line(message, "registry settings are incomplete", '"region"', '"pai-registry"', "--policy-pack-config", "ALIBABA_CLOUD_REGION_ID")


def test_an_unlocked_lookup_is_an_advisory_only_in_the_named_stacks():
    urn = "urn:pulumi:prod::app::pai-models:index:ModelLookup::model"
    assert rules.stack_of(urn) == "prod"
    message = rules.unlocked_lookup("model", urn, None, {"stacks": ["prod"]})
    assert message is not None
    assert_one_line(message, 'ModelLookup "model" in stack "prod" is not locked', "lock=True", "keepers", "pulumi up --replace")
    assert rules.unlocked_lookup("model", urn, True, {"stacks": ["prod"]}) is None
    assert rules.unlocked_lookup("model", urn, False, {"stacks": ["staging"]}) is None
    assert rules.unlocked_lookup("model", urn, False, {}) is None


def test_a_service_config_that_is_not_json_cannot_pass():
    message = rules.service_config_problem("inference", ServiceConfigError("is not JSON (Expecting value: line 1 column 1 (char 0))"))
    assert_one_line(message, 'service "inference" serviceConfig is not JSON', "cannot be checked")


# -- the pack's settings ------------------------------------------------------------------------------------------


def test_the_pack_config_wins_over_the_environment_and_each_setting_says_where_it_came_from(monkeypatch):
    monkeypatch.setenv("PAI_MODELS_ENDPOINT", "http://127.0.0.1:1")
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", "from-env")
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "secret-from-env")
    settings = pack_config.registry_settings({"endpoint": "http://127.0.0.1:2", "maxAttempts": 2.0})  # numbers come as floats
    assert (settings.endpoint, settings.max_attempts, settings.access_key_id) == ("127.0.0.1:2", 2, "from-env")
    assert settings.source("endpoint") == "policy pack config pai-registry.endpoint"
    assert pack_config.registry_settings({}).source("endpoint") == "environment variable PAI_MODELS_ENDPOINT"
    with pytest.raises(ConfigurationError, match=r"pai-registry.maxAttempts is 0, allowed 1\.\.20"):
        pack_config.registry_settings({"endpoint": "http://127.0.0.1:2", "maxAttempts": 0})


def test_the_pack_config_takes_no_credentials_and_no_unknown_keys():
    assert set(pack_config.SETTING_KEYS) == {"region", "endpoint", "protocol", "vpc", "readTimeoutMs", "connectTimeoutMs", "maxAttempts",
                                             "backoffBaseMs", "backoffMaxMs", "pageSize", "maxConcurrency", "maxInFlight"}  # fmt: skip
    for key in ("accessKey", "secretKey", "regoin"):
        with pytest.raises(ConfigurationError, match=rf"unknown key\(s\) {key} .*credentials come from the environment"):
            pack_config.registry_settings({key: "x"})


def test_the_cli_checks_the_registry_settings_types_from_the_schema():
    schema = pack_config.CONFIG_SCHEMAS["pai-registry"]
    assert schema["maxAttempts"] == {"type": "integer", "minimum": 1, "maximum": 20}
    assert schema["vpc"] == {"type": "boolean"} and schema["endpoint"] == {"type": "string"}


# -- the command -----------------------------------------------------------------------------------------------


def pai_models(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(Path(sys.executable).parent / "pai-models"), *args], check=False, capture_output=True, text=True, timeout=60)


@pytest.mark.shell
def test_the_command_prints_the_installed_pack_and_writes_a_folder(tmp_path):
    printed = pai_models("policy-pack")
    assert printed.returncode == 0, printed.stderr
    assert printed.stdout == f"{Path(sys.executable).parent / 'pai-models-policy-pack'}\n"
    assert pai_models("policy-pack", "--print-path").stdout == printed.stdout
    written = pai_models("policy-pack", "--write", str(tmp_path / "pack"))
    assert written.returncode == 0, written.stderr
    launcher = tmp_path / "pack" / "pai-models-policy-pack"
    assert written.stdout == f"{launcher}\n" and os.access(launcher, os.X_OK)
    assert sys.executable in launcher.read_text()
    policy_yaml = (tmp_path / "pack" / "PulumiPolicy.yaml").read_text()
    assert re.search(r"^name: pai-models$", policy_yaml, re.M) and re.search(r"^version: 0\.1\.0$", policy_yaml, re.M)
    bad = pai_models("policy-pack", "--write", "/proc/not-writable")
    assert bad.returncode == 2 and bad.stderr.startswith("pai-models policy-pack: cannot write the pack into '/proc/not-writable'")
    assert "policy-pack" in pai_models("--help").stdout


@pytest.mark.shell
def test_the_pack_without_pulumi_policy_says_how_to_install_it(tmp_path):
    # A Python that cannot import pulumi_policy (an import hook refuses it) runs the pack's entry point.
    blocker = tmp_path / "sitecustomize.py"
    blocker.write_text("import sys\nclass _No:\n    def find_spec(self, name, *a):\n        if name.startswith('pulumi_policy'):\n"
                       "            raise ModuleNotFoundError(name=name)\nsys.meta_path.insert(0, _No())\n")  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    done = subprocess.run([sys.executable, "-m", "pulumi_pai_models.policy", "127.0.0.1:1"], check=False, capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.strip() == "pai-models policy pack: pulumi-policy is not installed here: pip install 'pulumi-pai-models[policy]'"


# -- the docs ---------------------------------------------------------------------------------------------------


def test_the_guardrails_doc_names_every_policy_and_config_key():
    doc = (REPO / "docs" / "guardrails.md").read_text()
    for policy, keys in pack_config.CONFIG_SCHEMAS.items():
        assert f"`{policy}`" in doc, policy
        for key in keys:
            assert f"`{key}`" in doc, (policy, key)
    assert "pai-models policy-pack" in doc and "--policy-pack-config" in doc


def test_the_demo_catalog_is_what_these_tests_assume():
    fraud = next(m for m in load_demo_catalog()["Models"] if m["ModelName"] == "fraud-detector")
    assert {v["Uri"]: v["ApprovalStatus"] for v in fraud["Versions"]} == {
        FRAUD["0.9.0"]: "Rejected", FRAUD["1.0.0"]: "Approved", FRAUD["1.1.0"]: "Approved", FRAUD["1.2.0"]: "Pending"}  # fmt: skip
    assert len([m for m in load_demo_catalog()["Models"] if not m.get("Provider")]) == OWN_MODELS
