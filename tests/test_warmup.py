"""The SDK imported in the background of a provider process (`warmup`), each case in a fresh Python process."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from pulumi_pai_models import warmup


def fresh(code: str) -> dict:
    """What `code` leaves in `result` (JSON), run in a new Python process (nothing imported yet)."""
    done = subprocess.run([sys.executable, "-c", f"import json, sys\n{code}\nprint(json.dumps(result))"], check=True,
                          capture_output=True, text=True, timeout=120)
    return json.loads(done.stdout.strip().splitlines()[-1])


def loaded(modules: tuple[str, ...]) -> str:
    return f"[m for m in {list(modules)!r} if m in sys.modules]"


def test_the_plugin_module_imports_no_sdk_until_it_serves():
    result = fresh(f"import pulumi_pai_models.plugin\nresult = {loaded(warmup.SDK_MODULES)}")
    assert result == []


def test_start_imports_what_a_lookup_needs_in_the_background():
    result = fresh(f"from pulumi_pai_models import warmup\nwarmup.start()\nwarmup.start()\nwarmup.wait()\n"
                   f"result = {loaded(warmup.SDK_MODULES)}")
    assert result == list(warmup.SDK_MODULES)


#: The plugin process's server (`plugin.main` serves it) asked what Pulumi YAML asks the process it starts only to read
#: the schema (the one that looks up is started only once that answer is in).
SERVE_THE_SCHEMA_ONLY = """
import asyncio
from pulumi_pai_models import plugin, warmup

server = plugin.PluginServer(["127.0.0.1:1"], "127.0.0.1:1")

class Details:
    def __init__(self, method):
        self.method = "/pulumirpc.ResourceProvider/" + method

answers = {}
for method in ("Handshake", "GetPluginInfo", "GetSchema", "GetPluginInfo", "Cancel"):
    handler = server.service(Details(method))
    answers[method] = None if handler is None else len(asyncio.run(handler.unary_unary(b"", None)))
warmup.wait()
"""


#: What of this package the schema process loads (and `warmup`, which the code above imports to wait on it).
SCHEMA_ONLY = ("pulumi_pai_models", "pulumi_pai_models._version", "pulumi_pai_models.contract", "pulumi_pai_models.plugin",
               "pulumi_pai_models.schema", "pulumi_pai_models.warmup")


def test_a_plugin_process_that_only_serves_the_schema_imports_neither_the_sdk_nor_pulumi_nor_the_lookup():
    result = fresh(SERVE_THE_SCHEMA_ONLY + f"result = [answers, {loaded(warmup.SDK_MODULES)}, "
                   "sorted(m for m in sys.modules if m.split('.')[0] in ('pulumi', 'alibabacloud_credentials', 'aiohttp', "
                   f"'pulumi_pai_models') and m not in {SCHEMA_ONLY!r})]")
    answers, sdk, unneeded = result
    assert answers["Handshake"] is None and answers["Cancel"] == 0 and answers["GetPluginInfo"] > 2 and answers["GetSchema"] > 1000
    assert sdk == [] and unneeded == []


@pytest.mark.parametrize("call", ["check_config(CheckRequest('', {}, {}, b''))", "configure(ConfigureRequest({}, {}, False, False))"])
def test_configuring_the_plugin_imports_the_sdk_in_the_background(call):
    code = f"""
import asyncio
from pulumi.provider.experimental.provider import CheckRequest, ConfigureRequest
from pulumi_pai_models import pluginprovider, warmup
asyncio.run(pluginprovider.PaiModelsProvider().{call})
started = [t.name for t in warmup._threads]
warmup.wait()
result = [started, {loaded(warmup.SDK_MODULES)}]
"""
    assert fresh(code) == [["pai-models-warmup"], list(warmup.SDK_MODULES)]


def test_a_lookup_during_the_background_import_waits_for_it_and_answers(emulator, settings):
    from pulumi_pai_models import ModelQuery, PaiModelsClient

    code = f"""
from pulumi_pai_models import ModelQuery, PaiModelsClient, Settings, warmup
warmup.start()
settings = Settings(endpoint={settings.endpoint!r}, access_key_id={settings.access_key_id!r},
                    access_key_secret={settings.access_key_secret!r})
listing = PaiModelsClient(settings).list_models(ModelQuery.build(provider="pai"))
result = [m.model_id for m in listing.items]
"""
    expected = [m.model_id for m in PaiModelsClient(settings).list_models(ModelQuery.build(provider="pai")).items]
    assert fresh(code) == expected and expected
