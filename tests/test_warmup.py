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


#: The plugin's `main()` up to its server, which here answers GetSchema and returns (as the engine's schema-only process
#: of the plugin: Pulumi YAML starts one just to read the schema, and the one that looks up only after it answered).
SERVE_THE_SCHEMA_ONLY = """
import asyncio
from pulumi.provider.experimental.provider import GetSchemaRequest
from pulumi_pai_models import internals, plugin, warmup

def serve(argv, version, provider, ours):
    asyncio.run(provider.get_schema(GetSchemaRequest(0)))

internals.serve_plugin = serve
sys.argv = ["pulumi-resource-pai-models", "127.0.0.1:1"]
plugin.main()
warmup.wait()
"""


def test_a_plugin_process_that_only_serves_the_schema_imports_no_sdk():
    result = fresh(SERVE_THE_SCHEMA_ONLY + f"result = {loaded(warmup.SDK_MODULES)}")
    assert result == []


@pytest.mark.parametrize("call", ["check_config(CheckRequest('', {}, {}, b''))", "configure(ConfigureRequest({}, {}, False, False))"])
def test_configuring_the_plugin_imports_the_sdk_in_the_background(call):
    code = f"""
import asyncio
from pulumi.provider.experimental.provider import CheckRequest, ConfigureRequest
from pulumi_pai_models import plugin, warmup
asyncio.run(plugin.PaiModelsProvider().{call})
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
