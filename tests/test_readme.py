"""What the user guides claim, checked (docs/lookups.md, docs/permissions.md; the README's quick start is
tests/test_quickstart.py).

"A program that deploys the chosen version" (docs/lookups.md): its lines run as they are, but under `pulumi.runtime.set_mocks`, not in the engine:
`pulumi_alicloud.pai.Service` needs the alicloud plugin, which cannot be had here. Mocks never call a
dynamic provider, so the mocks answer ModelLookup by calling its real provider's `check` (what the engine
does in a preview) against the emulator, and record the inputs every other resource is given; the real
engine runs ModelLookup in tests/test_engine.py. The same mocks run examples/eas-service, whose EAS
service config must have the guide's shape. The section's outputs table must list ModelLookup's outputs.

"Permissions on real PAI" (docs/permissions.md): each kind of lookup runs against the emulator, and the API calls it served
must be the table's; the example policy must grant exactly the table's actions.
"""

from __future__ import annotations

import json
import re
import runpy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pulumi
import pytest
from conftest import api_requests, dynamic_provider, emulator_config
from pulumi_pai_models import get_model, get_models
from pulumi_pai_models.contract import outputs
from pulumi_pai_models.emulator import load_demo_catalog
from pulumi_pai_models.resource import ModelLookupProvider, begin_operation

REPO = Path(__file__).resolve().parent.parent
EAS_EXAMPLE = REPO / "examples" / "eas-service" / "__main__.py"
LOOKUP_TYPE = "pulumi-python:dynamic/pai-models:ModelLookup"
SERVICE_TYPE = "alicloud:pai/service:Service"


#: Where each guide the tests hold to its word lives now (the README links them).
GUIDES = {"A program that deploys the chosen version": REPO / "docs" / "lookups.md", "Permissions on real PAI": REPO / "docs" / "permissions.md"}
PROGRAM = "A program that deploys the chosen version"


def section(title: str) -> str:
    """A guide's section (a guide that is one section: all of it, after its title)."""
    text = GUIDES[title].read_text(encoding="utf-8")
    if text.startswith(f"# {title}\n"):
        return text.split("\n", 1)[1]
    return text.split(f"\n## {title}\n", 1)[1].split("\n## ", 1)[0]


def readme_program() -> str:
    return re.search(r"```python\n(.*?)```", section(PROGRAM), re.S).group(1)


def table(text: str, header: str) -> list[list[str]]:
    """The rows of the markdown table whose header line is `header`, as cells."""
    lines = text.splitlines()
    start = lines.index(header) + 2  # past the header and its |---| line
    rows = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip("|").split(" | ")])
    return rows


def expected_uri(catalog) -> str:
    """The guide's promise computed from the catalog, independently of the library."""
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


# -- A program ------------------------------------------------------------------------------------------


class Mocks(pulumi.runtime.Mocks):
    def __init__(self, provider):
        self.provider = provider
        self.resources = {}

    def new_resource(self, args):
        outputs = dict(args.inputs)
        if args.typ == LOOKUP_TYPE:
            checked = self.provider.check({}, dict(args.inputs))
            assert checked.failures == [], [f.reason for f in checked.failures]
            outputs = checked.inputs
        self.resources[args.name] = (args.typ, outputs)
        return f"{args.name}-id", outputs

    def call(self, args):
        return {}

    def one(self, typ: str) -> dict:
        [outputs] = [outputs for t, outputs in self.resources.values() if t == typ]
        return outputs

    def service_config(self) -> dict:
        return json.loads(self.one(SERVICE_TYPE)["serviceConfig"])


@pytest.fixture
def provider(emulator) -> ModelLookupProvider:
    """ModelLookup's real provider, configured for the emulator as the engine would from the stack config."""
    return dynamic_provider(emulator_config(emulator), "readme")


def run_under_mocks(provider: ModelLookupProvider, program: Callable[[], Any]) -> Mocks:
    mocks = Mocks(provider)
    pulumi.runtime.set_mocks(mocks, preview=False)
    try:

        @pulumi.runtime.test
        def run():
            program()
            # Let every output settle before reading what the mocks received.
            return pulumi.Output.from_input(None)

        run()
    finally:
        pulumi.runtime.settings.SETTINGS.monitor = None
    return mocks


def run_readme_program(provider: ModelLookupProvider) -> Mocks:
    code = readme_program()
    return run_under_mocks(provider, lambda: exec(compile(code, "docs/lookups.md", "exec"), {"__name__": "__main__"}))


def shape(value: Any) -> Any:
    """The keys of every object and the type of every leaf: what two service configs must share."""
    if isinstance(value, dict):
        return {key: shape(item) for key, item in value.items()}
    return type(value).__name__


def test_readme_program_feeds_the_looked_up_uri_to_the_eas_service(provider):
    assert len(readme_program().strip().splitlines()) <= 12
    mocks = run_readme_program(provider)
    assert mocks.resources["inference"][0] == SERVICE_TYPE
    assert mocks.service_config()["model_path"] == expected_uri(load_demo_catalog()) == mocks.one(LOOKUP_TYPE)["uri"]


def test_readme_program_and_the_eas_example_write_one_service_config_shape(provider):
    readme = run_readme_program(provider).service_config()
    example_mocks = run_under_mocks(provider, lambda: runpy.run_path(str(EAS_EXAMPLE), run_name="__main__"))
    example = example_mocks.service_config()

    assert shape(readme) == shape(example)
    # The shape EAS documents (shared/reference: eas-service-config.md): the service name inside metadata,
    # the looked-up URI as model_path, a built-in processor, the resources in metadata.
    assert set(readme) == {"metadata", "model_path", "processor"}
    assert set(readme["metadata"]) == {"name", "instance", "cpu", "memory"}
    assert re.fullmatch(r"[a-z][a-z0-9_]*", readme["metadata"]["name"])
    assert example["model_path"] == example_mocks.one(LOOKUP_TYPE)["uri"]


def test_the_readme_says_how_its_program_is_tested():
    text = section(PROGRAM)
    claim = text[text.index("How this is tested") :]
    assert "tests/test_readme.py" in claim and "`pulumi.runtime.set_mocks`" in claim
    assert "runs exactly these lines against the emulator" not in text  # it runs them under mocks
    assert "pip install pulumi-alicloud" in text and "plugin" in text


def test_the_outputs_table_lists_what_model_lookup_outputs():
    rows = table(section(PROGRAM), "| output | what it holds |")
    documented = [re.fullmatch(r"`(\w+)`", row[0]).group(1) for row in rows]
    declared = [o.resource_name for o in outputs(resource=True)]
    assert sorted(documented) == sorted(declared)


# -- Permissions on real PAI ----------------------------------------------------------------------------

PERMISSIONS = "Permissions on real PAI"


def permission_rows() -> dict[str, tuple[str, str]]:
    """API call -> (when, RAM action), from the section's table."""
    rows = table(section(PERMISSIONS), "| API call | when | RAM action |")
    return {row[0].strip("`"): (row[1], row[2].strip("`")) for row in rows}


def test_the_example_policy_grants_exactly_the_tables_actions():
    rows = permission_rows()
    assert all(action == f"paimodel:{call}" for call, (_, action) in rows.items())
    policy = json.loads(re.search(r"```json\n(.*?)```", section(PERMISSIONS), re.S).group(1))
    assert policy["Version"] == "1"
    [statement] = policy["Statement"]
    assert statement["Effect"] == "Allow" and statement["Resource"] == "*"
    assert sorted(statement["Action"]) == sorted(action for _, action in rows.values())


@pytest.mark.parametrize(
    "selection, argument",
    [({}, None), ({"approval_status": "Approved"}, "approval_status"), ({"version": "1.0.0"}, "version")],
    ids=["latest-version", "approval-status", "version"],
)
def test_each_lookup_makes_the_calls_the_permissions_table_says(emulator, settings, selection, argument):
    rows = permission_rows()
    get_model(model_name='"fraud-detector"', settings=settings, **selection)
    served = {request["action"] for request in api_requests(emulator)}
    assert served <= set(rows), f"a call the table does not list: {served - set(rows)}"
    assert "ListModels" in served and "always" in rows["ListModels"][0]
    for call in served - {"ListModels"}:
        assert argument is not None and f"`{argument}`" in rows[call][0], f"{call} is made with {selection}"
    assert len(served) == (1 if argument is None else 2)


def test_listing_makes_only_the_first_call(emulator, settings):
    get_models(tags={"env": "prod"}, settings=settings)
    assert {request["action"] for request in api_requests(emulator)} == {"ListModels"}


def test_a_model_lookup_also_reads_the_model_and_its_version(emulator, provider):
    rows = permission_rows()
    checked = provider.check({}, {"model_name": '"fraud-detector"'}).inputs  # a preview: the functions' calls
    assert {request["action"] for request in api_requests(emulator)} == {"ListModels"}
    emulator.reset()
    provider.create(checked)  # the same operation (up without a separate preview): what check listed is reused
    assert api_requests(emulator) == []
    begin_operation()  # up after a preview: a new provider process
    provider.create(checked)  # the model's whole JSON
    served = {request["action"] for request in api_requests(emulator)}
    assert served == {"GetModel", "GetModelVersion"}
    assert all("`ModelLookup` at `up`" in rows[call][0] for call in served)


def test_every_call_in_the_permissions_table_is_one_a_lookup_makes(emulator, settings, provider):
    for selection in ({}, {"approval_status": "Approved"}, {"version": "1.0.0"}):
        get_model(model_name='"fraud-detector"', settings=settings, **selection)
    checked = provider.check({}, {"model_name": '"fraud-detector"'}).inputs
    begin_operation()  # up after a preview
    provider.create(checked)
    assert {request["action"] for request in api_requests(emulator)} == set(permission_rows())
