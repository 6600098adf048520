"""The contract (`contract.py`) against every front door: each is derived from it or equal to it.

A front door that gains or loses an argument, or an output, fails here; `test_the_check_can_fail` shows
that the comparison itself notices a door with one argument too many or too few.
"""

from __future__ import annotations

import inspect
import re
import subprocess
import sys
from dataclasses import fields
from pathlib import Path

import pytest
from conftest import documented
from pulumi_pai_models import GetModelResult, ModelLookup, ModelQuery, Selection, cli
from pulumi_pai_models.client import sdk_field
from pulumi_pai_models.contract import ARGUMENTS, QUERY, RESOURCE_ONLY, SELECTION, SETTINGS, arguments, camel, outputs
from pulumi_pai_models.functions import get_model, get_model_output, get_models, get_models_output
from pulumi_pai_models.lifecycle import ARGUMENT_NAMES, OUTPUT_NAMES

LOOKUPS = Path(__file__).resolve().parent.parent / "docs" / "lookups.md"


def names(*groups: str) -> list[str]:
    return [a.name for a in arguments(*groups)]  # type: ignore[arg-type]


def mismatch(function, declared: list[str], extra: tuple[str, ...] = ()) -> list[str]:
    """What differs between `function`'s keyword parameters (less `extra`) and `declared`, in order."""
    params = [p for p in inspect.signature(function).parameters.values() if p.kind is p.KEYWORD_ONLY and p.name not in extra]
    got = [p.name for p in params]
    if got == declared:
        return []
    return [f"missing {n}" for n in declared if n not in got] + [f"extra {n}" for n in got if n not in declared] + (
        ["order differs"] if sorted(got) == sorted(declared) else []
    )


@pytest.mark.parametrize(
    "door, groups",
    [
        (get_models, (QUERY,)),
        (get_models_output, (QUERY,)),
        (get_model, (QUERY, SELECTION)),
        (get_model_output, (QUERY, SELECTION)),
        (ModelLookup.__init__, (QUERY, SELECTION, RESOURCE_ONLY)),
    ],
    ids=["get_models", "get_models_output", "get_model", "get_model_output", "ModelLookup"],
)
def test_python_signatures_equal_the_declaration(door, groups):
    assert mismatch(door, names(*groups), extra=("settings", "opts")) == []


def test_the_check_can_fail():
    def one_more(*, model_name=None, label=None, surprise=None):
        """A door with an argument the contract does not have, and without others it has."""

    assert mismatch(one_more, ["model_name", "label"]) == ["extra surprise"]
    assert mismatch(one_more, ["model_name", "label", "surprise", "task"]) == ["missing task"]


DOCUMENTED = [
    (get_models, (QUERY,)),
    (get_models_output, (QUERY,)),
    (get_model, (QUERY, SELECTION)),
    (get_model_output, (QUERY, SELECTION)),
    (ModelLookup.__init__, (QUERY, SELECTION, RESOURCE_ONLY)),
]


@pytest.mark.parametrize("door, groups", DOCUMENTED, ids=["get_models", "get_models_output", "get_model", "get_model_output", "ModelLookup"])
def test_python_doors_document_every_argument_with_the_contracts_text(door, groups):
    """`help(pai.get_model)` and an IDE show each argument's doc: the contract's text, word for word."""
    docs = documented(door.__doc__)
    assert {name: docs.get(name) for name in names(*groups)} == {a.name: a.doc for a in arguments(*groups)}
    assert set(docs) - set(names(*groups)) <= {"settings", "resource_name", "opts"}


def test_the_docs_check_can_fail():
    def undocumented(*, model_name=None, label=None):
        """A door.

        Args:
            model_name: Something else.
        """

    docs = documented(undocumented.__doc__)
    assert docs == {"model_name": "Something else."}
    assert docs.get("label") is None


def test_query_and_selection_fields_are_the_declared_arguments():
    assert [f.name for f in fields(ModelQuery)] == names(QUERY)
    assert [f.name for f in fields(Selection)] == names(SELECTION)
    assert tuple(names(QUERY, SELECTION, RESOURCE_ONLY)) == ARGUMENT_NAMES


def test_every_api_parameter_is_a_field_of_the_sdk_request():
    from alibabacloud_aiworkspace20210204 import models as pai

    request = pai.ListModelsRequest()
    for argument in arguments(QUERY):
        if argument.api is not None:
            assert hasattr(request, sdk_field(argument.api)), argument.api
    # and the SDK sends each under the declared ListModels name
    sent = pai.ListModelsRequest(**{sdk_field(a.api): "x" for a in arguments(QUERY) if a.api and a.kind == "string"}).to_map()
    assert {a.api for a in arguments(QUERY) if a.api and a.kind == "string"} <= set(sent)


def test_outputs_never_take_an_argument_name_in_the_resource():
    resource = [o.resource_name for o in outputs(resource=True)]
    assert not set(resource) & {a.name for a in ARGUMENTS}
    assert tuple(resource) == OUTPUT_NAMES
    declared = [n for n, t in ModelLookup.__annotations__.items() if str(t).startswith("pulumi.Output")]
    assert declared == resource


def test_function_outputs_are_attributes_of_the_result():
    result_fields = {f.name for f in fields(GetModelResult)}
    for output in outputs(resource=False):
        assert output.name in result_fields or isinstance(getattr(GetModelResult, output.name, None), property), output.name


def test_schema_names_are_camel_case():
    assert camel("most_recent") == "mostRecent" and camel("uri") == "uri"
    assert len({a.schema_name for a in ARGUMENTS}) == len(ARGUMENTS)


def flags_of(subcommand: str) -> set[str]:
    parser = cli.build_parser()
    sub = next(a for a in parser._actions if a.dest == "command").choices[subcommand]
    return {option for action in sub._actions for option in action.option_strings if option.startswith("--")}


SETTINGS_FLAGS = {s.flag for s in SETTINGS if s.flag} | {"--timeout-ms", "--verbose"}


def test_cli_flags_are_the_declared_ones():
    query_flags = {a.flag for a in arguments(QUERY) if a.flag}
    assert all(a.flag for a in arguments(QUERY, SELECTION)), "every lookup argument has a flag"
    assert flags_of("list") == query_flags | {"--exact-name", "--output", "--help"} | SETTINGS_FLAGS
    selection_flags = {a.flag for a in arguments(SELECTION) if a.flag}
    assert flags_of("get") == query_flags | selection_flags | {"--exact-name", "--output", "--help"} | SETTINGS_FLAGS


def test_the_readme_filter_table_names_every_query_argument_and_its_flag():
    section = LOOKUPS.read_text(encoding="utf-8").split("## Filters", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    documented: dict[str, str] = {}
    for row in rows:
        cells = [c.strip() for c in row.strip("|").split("|")]
        arguments_cell = re.findall(r"`(\w+)`", cells[0])
        flags_cell = re.findall(r"`(--[\w-]+)", cells[1])
        for index, name in enumerate(arguments_cell):
            documented[name] = flags_cell[min(index, len(flags_cell) - 1)]
    assert documented == {a.name: a.flag for a in arguments(QUERY)}


def test_the_command_line_loads_neither_pulumi_nor_the_glue():
    code = (
        "import sys; from pulumi_pai_models import cli; from pulumi_pai_models.emulator import cli as e; "
        "cli.build_parser(); assert not [m for m in sys.modules if m == 'pulumi' or m.startswith(('pulumi.', 'grpc'))], "
        "sorted(m for m in sys.modules if m.startswith(('pulumi', 'grpc')))"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_the_emulator_reads_every_declared_listmodels_parameter():
    """The emulator is a second implementation of the server: it parses the request itself, but no parameter
    the contract sends may be missing from it."""
    from pulumi_pai_models.emulator.params import ListModelsQuery, Paging

    emulated = {f.name for f in fields(ListModelsQuery)} | {f.name for f in fields(Paging)}  # Order and SortBy page
    assert {a.name for a in arguments(QUERY) if a.api} <= emulated


def test_the_unknown_marker_is_pulumis():
    from pulumi.runtime import rpc
    from pulumi_pai_models import lifecycle

    assert lifecycle.UNKNOWN == rpc.UNKNOWN


def test_get_models_outputs_are_attributes_of_its_result():
    from pulumi_pai_models import GetModelsResult
    from pulumi_pai_models.contract import MODELS_OUTPUTS

    for output in MODELS_OUTPUTS:
        assert output.name in {f.name for f in fields(GetModelsResult)} or isinstance(getattr(GetModelsResult, output.name), property)


def test_the_dynamic_resource_type_is_model_lookups():
    from pulumi_pai_models.contract import DYNAMIC_RESOURCE_TYPE

    assert f"pulumi-python:{ModelLookup._resource_type_name}" == DYNAMIC_RESOURCE_TYPE
