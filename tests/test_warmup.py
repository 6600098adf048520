"""The SDK imported in the background of a provider process (`warmup`), each case in a fresh Python process."""

from __future__ import annotations

import json
import subprocess
import sys

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


def test_stop_imports_nothing_more():
    result = fresh(f"from pulumi_pai_models import warmup\nwarmup.stop()\nwarmup.start()\nwarmup.wait()\n"
                   f"result = {loaded(warmup.SDK_MODULES)}")
    assert result == []


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
