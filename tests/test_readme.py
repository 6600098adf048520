"""The README's program, run line for line against the emulator.

`pulumi_alicloud.pai.Service` needs the alicloud plugin, which cannot be had here, so the program runs
under `pulumi.runtime.set_mocks`. Mocks never call a dynamic provider, so the mock answers
ModelLookup by calling its real provider's `check` (what the engine does in a preview) against the
emulator; the real engine runs ModelLookup in tests/test_engine.py.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pulumi
import pytest
from pulumi_pai_models.emulator import DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, load_demo_catalog
from pulumi_pai_models.resource import ModelLookupProvider

README = Path(__file__).resolve().parent.parent / "README.md"


def readme_program() -> str:
    text = README.read_text(encoding="utf-8")
    section = text.split("## A program", 1)[1]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


def expected_uri(catalog) -> str:
    """The README's promise computed from the catalog, independently of the library."""
    candidates = [
        m
        for m in catalog["Models"]
        if not m.get("Provider")
        and {"Key": "env", "Value": "prod"} in m.get("Tags", [])
        and isinstance(m.get("ParameterSize"), (int, float))
        and m["ParameterSize"] < 3000
    ]
    newest = max(candidates, key=lambda m: (m["GmtCreateTime"], m["ModelId"]))
    versions = [v for v in newest.get("Versions") or [newest["LatestVersion"]] if v.get("ApprovalStatus") == "Approved"]
    return max(versions, key=lambda v: v["GmtCreateTime"])["Uri"]


class Mocks(pulumi.runtime.Mocks):
    def __init__(self, provider):
        self.provider = provider
        self.resources = {}

    def new_resource(self, args):
        outputs = dict(args.inputs)
        if args.typ == "pulumi-python:dynamic/pai-models:ModelLookup":
            checked = self.provider.check({}, dict(args.inputs))
            assert checked.failures == [], [f.reason for f in checked.failures]
            outputs = checked.inputs
        self.resources[args.name] = (args.typ, outputs)
        return f"{args.name}-id", outputs

    def call(self, args):
        return {}


@pytest.fixture
def readme_mocks(emulator):
    provider = ModelLookupProvider()
    from pulumi.dynamic import ConfigureRequest
    from pulumi.dynamic.config import Config

    provider.configure(
        ConfigureRequest(
            Config(
                {
                    "pai-models:endpoint": emulator.url,
                    "alicloud:accessKey": DEFAULT_ACCESS_KEY_ID,
                    "alicloud:secretKey": DEFAULT_ACCESS_KEY_SECRET,
                },
                "readme",
            )
        )
    )
    mocks = Mocks(provider)
    pulumi.runtime.set_mocks(mocks, preview=False)
    yield mocks
    pulumi.runtime.settings.SETTINGS.monitor = None


def test_readme_program_feeds_the_looked_up_uri_to_the_eas_service(readme_mocks):
    code = readme_program()
    assert len(code.strip().splitlines()) <= 12

    @pulumi.runtime.test
    def run():
        exec(compile(code, "README.md", "exec"), {"__name__": "__main__"})
        # Let every output settle before reading what the mocks received.
        return pulumi.Output.from_input(None)

    run()
    typ, service = readme_mocks.resources["inference"]
    assert typ == "alicloud:pai/service:Service"
    assert json.loads(service["serviceConfig"])["model_path"] == expected_uri(load_demo_catalog())
