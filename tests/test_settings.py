"""Settings: declared once (`contract.SETTINGS`), every door derived from or checked against the declaration, resolved
through each door's own sources, unknown keys refused, and messages that fix what they name.

A message "fixes" when doing what it says fixes the problem: the tests below read the places a message names, check
that the door really reads each of them, set the first one it suggests, and run the lookup again.
"""

from __future__ import annotations

import dataclasses
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pulumi
import pytest
from conftest import api_requests, documented
from plugin_harness import FakeEngine, Plugin
from pulumi_pai_models import ConfigurationError, Settings, get_model
from pulumi_pai_models.cli import build_parser
from pulumi_pai_models.contract import CREDENTIALS, SETTINGS, Setting, setting
from pulumi_pai_models.doors import CLI, DOORS, PYTHON, SCHEMA, Door
from pulumi_pai_models.emulator import DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET
from pulumi_pai_models.settings import ENV_NAMES, ResolvedSettings, resolve

BIN = Path(sys.executable).parent
FRAUD = '"fraud-detector"'


@pytest.fixture(autouse=True)
def no_settings_from_outside(monkeypatch):
    """No setting leaks in from the environment running the tests, nor from a stack config an earlier test set."""
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)
    pulumi.runtime.set_all_config({})
    yield
    pulumi.runtime.set_all_config({})


# -- declared once: each door derived from, or checked against, the declaration ---------------------------------------


def drift(cls: type, declared: tuple[Setting, ...]) -> list[str]:
    """What differs between a settings class's fields (less `sources`) and the declaration, in order."""
    fields = [f.name for f in dataclasses.fields(cls) if f.name != "sources"]
    names = [s.name for s in declared]
    if fields == names:
        return []
    return [f"missing {n}" for n in names if n not in fields] + [f"extra {n}" for n in fields if n not in names] + (
        ["order differs"] if sorted(fields) == sorted(names) else []
    )


def test_settings_has_exactly_the_declared_fields():
    assert drift(Settings, SETTINGS) == []
    assert {f.name for f in dataclasses.fields(ResolvedSettings)} == {f.name for f in dataclasses.fields(Settings)}


def test_the_drift_check_can_fail():
    @dataclasses.dataclass(frozen=True)
    class OneMore(Settings):
        surprise: int | None = None

    assert drift(OneMore, SETTINGS) == ["extra surprise"]
    assert drift(Settings, (*SETTINGS, Setting("page_limit", "integer", "A new one."))) == ["missing page_limit"]


def expected_doc(declared: Setting) -> str:
    text = declared.doc
    if declared.default is not None:
        text += f" Default: {declared.default}" + (f" ({declared.allowed})" if declared.limits else "") + "."
    return text + (" A secret." if declared.secret else "")


def test_settings_documents_every_setting_with_the_declared_text():
    assert documented(Settings.__doc__ or "") == {s.name: expected_doc(s) for s in SETTINGS}


def test_the_command_has_a_flag_for_every_declared_flag():
    parser = build_parser()
    subcommands = next(a for a in parser._actions if a.dest == "command").choices
    for name in ("list", "get", "outdated"):
        options = {option: action.dest for action in subcommands[name]._actions for option in action.option_strings}
        for declared in SETTINGS:
            if declared.flag:
                assert options.get(declared.flag) == declared.name, (name, declared.flag)
    assert not [s.name for s in SETTINGS if s.secret and s.flag], "secrets are never flags"


@pytest.mark.parametrize("door", DOORS.values(), ids=list(DOORS))
def test_every_door_reads_every_setting_somewhere(door: Door):
    for declared in SETTINGS:
        assert any(source.keys(declared) for source in door.sources), (door.name, declared.name)


# -- resolved through each door's sources, first set wins -------------------------------------------------------------


def test_python_precedence_settings_then_pai_models_config_then_alicloud_config_then_environment():
    environ = {"ALIBABA_CLOUD_REGION_ID": "cn-beijing", "ALICLOUD_REGION": "cn-shenzhen", "PAI_MODELS_PAGE_SIZE": "20"}
    config = {"alicloud:region": "cn-shanghai", "pai-models:pageSize": "30"}
    resolved = resolve(PYTHON, config=config, environ=environ)
    assert (resolved.region, resolved.source("region")) == ("cn-shanghai", "stack config alicloud:region")
    assert (resolved.page_size, resolved.source("page_size")) == (30, "stack config pai-models:pageSize")
    resolved = resolve(PYTHON, config={**config, "pai-models:region": "cn-hangzhou"}, environ=environ)
    assert (resolved.region, resolved.source("region")) == ("cn-hangzhou", "stack config pai-models:region")
    resolved = resolve(PYTHON, explicit=Settings(region="cn-zhangjiakou"), config=config, environ=environ)
    assert (resolved.region, resolved.source("region")) == ("cn-zhangjiakou", "region")
    resolved = resolve(PYTHON, environ=environ)
    assert (resolved.region, resolved.source("region"), resolved.page_size) == ("cn-beijing", "environment variable ALIBABA_CLOUD_REGION_ID", 20)


def test_the_plugin_and_the_command_read_their_own_sources_only():
    config = {"alicloud:region": "cn-shanghai", "pai-models:maxAttempts": "2"}
    environ = {"ALIBABA_CLOUD_REGION_ID": "cn-beijing", "PAI_MODELS_MAX_ATTEMPTS": "3"}
    plugin = resolve(SCHEMA, config=config, environ=environ)  # a plugin is never given alicloud:*
    assert (plugin.region, plugin.max_attempts) == ("cn-beijing", 2)
    command = resolve(CLI, flags={"--max-attempts": 5}, environ=environ)
    assert (command.region, command.max_attempts, command.source("max_attempts")) == ("cn-beijing", 5, "--max-attempts")


def test_credentials_come_as_a_set_from_the_first_place_that_sets_any():
    config = {"pai-models:endpoint": "http://127.0.0.1:1", "alicloud:accessKey": "AK-alicloud", "alicloud:secretKey": "sk-alicloud"}
    environ = {"ALIBABA_CLOUD_ACCESS_KEY_ID": "AK-env", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "sk-env", "ALIBABA_CLOUD_SECURITY_TOKEN": "tok"}
    resolved = resolve(PYTHON, config=config, environ=environ)
    assert (resolved.access_key_id, resolved.access_key_secret, resolved.security_token) == ("AK-alicloud", "sk-alicloud", None)
    with pytest.raises(ConfigurationError, match="stack config pai-models:accessKey is set but stack config pai-models:secretKey is not"):
        resolve(PYTHON, config={**config, "pai-models:accessKey": "AK-mine"}, environ=environ)


@pytest.mark.parametrize(
    "door, where",
    [(PYTHON, "page_size"), (SCHEMA, "stack config pai-models:pageSize"), (CLI, "--page-size")],
    ids=["python", "plugin", "cli"],
)
def test_a_bad_value_is_named_where_it_came_from(door, where):
    given: dict[str, Any] = {
        "explicit": Settings(endpoint="http://127.0.0.1:1", page_size=500),
        "config": {"pai-models:endpoint": "http://127.0.0.1:1", "pai-models:pageSize": "500"},
        "flags": {"--endpoint": "http://127.0.0.1:1", "--page-size": 500},
    }
    kind = {"python": "explicit", "schema": "config", "cli": "flags"}[door.name]
    with pytest.raises(ConfigurationError) as info:
        resolve(door, environ={}, **{kind: given[kind]})
    assert info.value.explain(door) == f"{where} is 500, allowed 1..100"


def test_the_client_alone_reads_the_environment(monkeypatch):
    monkeypatch.setenv("ALIBABA_CLOUD_REGION_ID", "cn-hangzhou")
    from pulumi_pai_models import PaiModelsClient

    client = PaiModelsClient(Settings(access_key_id="AK", access_key_secret="sk"))
    assert client.settings.endpoint == "aiworkspace.cn-hangzhou.aliyuncs.com"


# -- unknown keys ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typo, meant", [("pai-models:endpiont", "pai-models:endpoint"), ("pai-models:page_size", "pai-models:pageSize")]
)
def test_an_unknown_key_of_this_namespace_is_refused_naming_the_closest(typo, meant):
    with pytest.raises(ConfigurationError) as info:
        resolve(PYTHON, config={typo: "x"})
    assert str(info.value) == f"unknown stack config key {typo}: did you mean {meant}?"


# -- messages that fix: what a message names is read by its door, and doing it fixes the lookup ------------------------

PLACE = re.compile(r"(?:pai-models|alicloud):\w+|--[a-z][a-z-]+|Settings\(([^)]*)\)|\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b")


def places(message: str) -> list[str]:
    """The settings places a message names: config keys, flags, environment variables, `Settings(name=...)` (a command
    it shows, `pulumi config set --secret KEY ...`, names KEY)."""
    found = []
    for match in PLACE.finditer(message.replace("pulumi config set --secret ", "")):
        if match.group(1) is not None:
            found += [f"Settings.{part.split('=')[0].strip()}" for part in match.group(1).split(",")]
        else:
            found.append(match.group(0))
    return found


def read_by(door: Door) -> set[str]:
    """Every place `door` reads a setting from, spelled as messages name them."""
    names = set()
    for source in door.sources:
        for declared in SETTINGS:
            names |= {f"Settings.{key}" if source.kind == "explicit" else key for key in source.keys(declared)}
    return names


def setting_of(place: str) -> Setting:
    for declared in SETTINGS:
        if place in (*declared.config_keys, *declared.env, declared.flag, f"Settings.{declared.name}"):
            return declared
    raise KeyError(place)


def value_for(declared: Setting, emulator) -> str:
    return {"endpoint": emulator.url, "access_key_id": DEFAULT_ACCESS_KEY_ID, "access_key_secret": DEFAULT_ACCESS_KEY_SECRET}[
        declared.name
    ]


def assert_names_only_what_the_door_reads(message: str, door: Door) -> list[str]:
    named = places(message)
    assert named, message
    assert set(named) <= read_by(door), (door.name, set(named) - read_by(door), message)
    return named


def first_config_keys(named: list[str], prefix: str) -> list[str]:
    """The config keys of the first place the message suggests in the stack config (a pair for credentials)."""
    keys = [n for n in named if n.startswith(prefix)]
    wanted = {setting_of(keys[0]).name}
    if wanted & set(CREDENTIALS):
        wanted = {"access_key_id", "access_key_secret"}
    return [k for k in keys if setting_of(k).name in wanted][: len(wanted)]


def test_python_messages_fix_what_they_name(emulator):
    """get_model reads Settings(...), the stack config and the environment: each message names only those, and setting
    the stack config keys it names first makes the lookup work."""
    config: dict[str, str] = {}
    for expected in ("no PAI region or endpoint", "no Alibaba Cloud credentials", None):
        pulumi.runtime.set_all_config(config)
        try:
            result = get_model(model_name=FRAUD)
        except ConfigurationError as error:
            assert expected is not None and str(error).startswith(expected), str(error)
            named = assert_names_only_what_the_door_reads(str(error), PYTHON)
            wanted = first_config_keys(named, "pai-models:") if expected.startswith("no Alibaba") else ["pai-models:endpoint"]
            assert wanted[0] in named
            config.update({key: value_for(setting_of(key), emulator) for key in wanted})
        else:
            assert expected is None and result.model_name == "fraud-detector"


def test_python_half_a_key_pair_says_which_half_to_set(emulator):
    pulumi.runtime.set_all_config({"pai-models:endpoint": emulator.url, "pai-models:accessKey": DEFAULT_ACCESS_KEY_ID})
    with pytest.raises(ConfigurationError) as info:
        get_model(model_name=FRAUD)
    message = str(info.value)
    assert "pulumi config set --secret pai-models:secretKey" in message
    assert_names_only_what_the_door_reads(message, PYTHON)
    pulumi.runtime.set_all_config(
        {"pai-models:endpoint": emulator.url, "pai-models:accessKey": DEFAULT_ACCESS_KEY_ID, "pai-models:secretKey": DEFAULT_ACCESS_KEY_SECRET}
    )
    assert get_model(model_name=FRAUD).model_name == "fraud-detector"


@pytest.fixture(scope="module")
def fake_engine():
    fake = FakeEngine()
    yield fake
    fake.server.stop(None)


def test_plugin_messages_fix_what_they_name(emulator, fake_engine, tmp_path):
    """The plugin reads its stack config namespace and the environment: a YAML, TypeScript or Go user who sets the keys
    a message names gets a working lookup; an unknown key fails CheckConfig naming the closest."""
    config: dict[str, str] = {}
    for expected in ("no PAI region or endpoint", "no Alibaba Cloud credentials", None):
        plugin = Plugin(fake_engine, config, HOME=str(tmp_path))
        try:
            values, failures = plugin.invoke("pai-models:index:getModel", {"modelName": FRAUD})
        finally:
            plugin.close()
        if expected is None:
            assert failures == [] and values["modelName"] == "fraud-detector"
            break
        [(_, reason)] = failures
        assert reason.startswith(f"ConfigurationError: {expected}"), reason
        named = assert_names_only_what_the_door_reads(reason, SCHEMA)
        wanted = first_config_keys(named, "pai-models:") if expected.startswith("no Alibaba") else ["pai-models:endpoint"]
        config.update({key.split(":", 1)[1]: value_for(setting_of(key), emulator) for key in wanted})


def test_plugin_refuses_an_unknown_key_and_honours_every_setting(emulator, fake_engine):
    good = {"endpoint": emulator.url, "accessKey": DEFAULT_ACCESS_KEY_ID, "secretKey": DEFAULT_ACCESS_KEY_SECRET}
    plugin = Plugin(fake_engine, {**good, "endpiont": "http://127.0.0.1:1"})
    try:
        answer = plugin.stub.CheckConfig(plugin_check_request({**good, "endpiont": "http://127.0.0.1:1"}))
        assert [f.reason for f in answer.failures] == [
            "ConfigurationError: unknown stack config key pai-models:endpiont: did you mean pai-models:endpoint?"
        ]
    finally:
        plugin.close()
    plugin = Plugin(fake_engine, {**good, "pageSize": 3})  # the setting a YAML stack's pageSize silently lost before
    try:
        _, failures = plugin.invoke("pai-models:index:getModels", {"provider": "pai"})
        assert failures == []
    finally:
        plugin.close()
    sizes = {r["query"].get("PageSize") for r in api_requests(emulator, "ListModels")}
    assert sizes == {"3"}


def plugin_check_request(config: dict[str, Any]) -> Any:
    from plugin_harness import to_struct
    from pulumi.runtime.proto import provider_pb2

    return provider_pb2.CheckRequest(urn="urn:pulumi:test::proj::pulumi:providers:pai-models::default", olds=to_struct({}),
                                     news=to_struct(config))  # fmt: skip


@pytest.mark.shell
def test_command_messages_fix_what_they_name(emulator):
    """`pai-models` reads its flags and the environment: it names only those, and setting what it names works."""
    env = {k: v for k, v in os.environ.items() if k not in ENV_NAMES} | {"HOME": "/nonexistent"}
    for expected in ("no PAI region or endpoint", "no Alibaba Cloud credentials", None):
        done = subprocess.run([str(BIN / "pai-models"), "get", "--exact-name", "fraud-detector"], env=env, capture_output=True,
                              text=True, timeout=60, check=False)  # fmt: skip
        if expected is None:
            assert done.returncode == 0 and "fraud-detector" in done.stdout, done.stderr
            break
        assert done.returncode == 2 and done.stderr.startswith(f"pai-models: error: {expected}"), done.stderr
        named = assert_names_only_what_the_door_reads(done.stderr, CLI)
        variables = [n for n in named if n.isupper()]
        wanted = ["PAI_MODELS_ENDPOINT"] if expected.startswith("no PAI") else variables[:2]
        assert all(w in variables for w in wanted), (wanted, variables)
        env.update({name: value_for(setting_of(name), emulator) for name in wanted})
    half = env | {"ALIBABA_CLOUD_ACCESS_KEY_SECRET": ""}
    done = subprocess.run([str(BIN / "pai-models"), "get", "--exact-name", "fraud-detector"], env=half, capture_output=True, text=True,
                          timeout=60, check=False)  # fmt: skip
    assert done.returncode == 2 and "environment variable ALIBABA_CLOUD_ACCESS_KEY_SECRET is not: set it too" in done.stderr
    assert_names_only_what_the_door_reads(done.stderr, CLI)


def test_the_message_parser_sees_what_a_wrong_message_would_name():
    wrong = "no Alibaba Cloud credentials: set alicloud:accessKey and alicloud:secretKey"  # what the plugin used to say
    with pytest.raises(AssertionError):
        assert_names_only_what_the_door_reads(wrong, SCHEMA)
    assert places("set --region, REGION_ID_X, Settings(region=..., vpc=...)") == ["--region", "REGION_ID_X", "Settings.region", "Settings.vpc"]
    assert setting("region").flag == "--region"


@pytest.mark.engine
def test_a_python_program_with_a_misspelt_key_ends_with_the_closest_and_the_fix_works(tmp_path, emulator):
    from engine import failure_text, inline_stack, stack_config
    from pulumi import automation as auto
    from pulumi_pai_models import ModelLookup

    def program() -> None:
        pulumi.export("uri", ModelLookup("model", model_name=FRAUD).uri)

    config = stack_config(emulator, DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET)
    stack = inline_stack(tmp_path, program, config={**config, "pai-models:maxAttempt": auto.ConfigValue("2")})
    text = failure_text(stack.preview)
    assert "unknown stack config key pai-models:maxAttempt: did you mean pai-models:maxAttempts?" in text
    assert "Traceback" not in text
    stack.remove_config("pai-models:maxAttempt")
    assert stack.up(on_output=lambda _: None).outputs["uri"].value.endswith("/fraud-detector/1.2.0/")
