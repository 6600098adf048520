"""Rules of the query layer: validation before any API call, normalisation, and the wire request."""

import json

import pytest
from pulumi_pai_models import Condition, InvalidQuery, ModelQuery
from pulumi_pai_models.client import list_models_request
from pulumi_pai_models.contract import MAX_TEXT_LENGTH
from pulumi_pai_models.selection import filter_models
from pulumi_pai_models.types import Model


@pytest.mark.parametrize(
    "text, expected",
    [
        ("ParameterSize<3000", ("ParameterSize", "LessThan", "3000")),
        ("ParameterSize <= 3000", ("ParameterSize", "LessThanOrEqual", "3000")),
        ("OrderNumber>5", ("OrderNumber", "GreaterThan", "5")),
        ("OrderNumber >= 5.5", ("OrderNumber", "GreaterThanOrEqual", "5.5")),
        ("Domain=nlp", ("Domain", "Equal", "nlp")),
        ("Domain==nlp", ("Domain", "Equal", "nlp")),
        ("Domain != cv", ("Domain", "NotEqual", "cv")),
        ("GmtCreateTime>2024-01-01T00:00:00Z", ("GmtCreateTime", "GreaterThan", "2024-01-01T00:00:00Z")),
    ],
)
def test_condition_text_maps_symbols_to_api_operators(text, expected):
    c = Condition.parse(text)
    assert (c.column, c.operator, c.value) == expected


def test_condition_forms_are_equivalent():
    forms = [
        "ParameterSize<3000",
        {"Column": "ParameterSize", "Operator": "LessThan", "Value": "3000"},
        {"column": "ParameterSize", "operator": "LessThan", "value": 3000},
        ("ParameterSize", "LessThan", 3000),
        Condition("ParameterSize", "LessThan", "3000"),
    ]
    assert {Condition.parse(f) for f in forms} == {Condition("ParameterSize", "LessThan", "3000")}


@pytest.mark.parametrize(
    "kwargs, parameter",
    [
        ({"conditions": ["ParameterSize < abc"]}, "conditions.value"),
        ({"conditions": [{"Column": "", "Operator": "LessThan", "Value": "1"}]}, "conditions.column"),
        ({"conditions": [{"Column": "ParameterSize", "Operator": "Around", "Value": "1"}]}, "conditions.operator"),
        ({"conditions": [{"Column": "Param Size", "Operator": "Equal", "Value": "1"}]}, "conditions.column"),
        ({"conditions": [{"Column": "ParameterSize", "Operator": "Equal", "Value": True}]}, "conditions.value"),
        ({"conditions": [{"Column": "GmtCreateTime", "Operator": "LessThan", "Value": "yesterday"}]}, "conditions.value"),
        ({"conditions": ["ParameterSize ~ 3"]}, "conditions"),
        ({"conditions": 42}, "conditions"),
        ({"order": "up"}, "order"),
        ({"sort_by": "ModelName"}, "sort_by"),
        ({"name_regex": "("}, "name_regex"),
        ({"tags": {"": "x"}}, "tags.key"),
        ({"tags": [{"Key": "env", "Value": "prod", "Extra": 1}]}, "tags"),
        ({"tags": 7}, "tags"),
        ({"model_name": 3}, "model_name"),
        ({"model_name": '"unterminated'}, "model_name"),
        ({"domain": "x" * (MAX_TEXT_LENGTH + 1)}, "domain"),
        ({"label": "bad\x00byte"}, "label"),
        ({"collections": 5}, "collections"),
    ],
)
def test_bad_input_names_the_parameter(kwargs, parameter):
    with pytest.raises(InvalidQuery) as info:
        ModelQuery.build(**kwargs)
    assert info.value.parameter == parameter
    assert parameter in str(info.value)


def test_normalisation_makes_equal_queries_equal_and_hashable():
    q = ModelQuery.build(
        model_name="情感分析",
        tags={"env": "prod", "team": "nlp"},
        conditions=["ParameterSize<3000"],
        collections="AI4D, QuickStart,AI4D",
        order="desc",
        provider="",
    )
    assert q.order == "DESC"
    assert q.provider is None  # empty Provider means "your own models", the same as unset
    assert q.collections == ("AI4D", "QuickStart")
    assert q.tags == (("env", "prod"), ("team", "nlp"))
    same = ModelQuery.build(
        model_name="情感分析", tags=[{"Key": "env", "Value": "prod"}, "team=nlp"], conditions=[("ParameterSize", "<", 3000)],
        collections=["AI4D", "QuickStart"], order="DESC",
    )  # fmt: skip
    assert same == q and hash(same) == hash(q)


def test_request_carries_every_parameter_in_api_names():
    q = ModelQuery.build(
        workspace_id="123", model_name="m", label="k1", provider="pai", domain="nlp", task="text-classification",
        origin="ModelScope", query="q", model_type="Checkpoint", collections=["AI4D", "QuickStart"],
        tags={"env": "prod"}, conditions=["ParameterSize<3000"], order="DESC", sort_by="GmtCreateTime",
    )  # fmt: skip
    wire = list_models_request(q, 3, 50).to_map()
    assert wire == {
        "WorkspaceId": "123", "ModelName": "m", "Label": "k1", "Provider": "pai", "Domain": "nlp",
        "Task": "text-classification", "Origin": "ModelScope", "Query": "q", "ModelType": "Checkpoint",
        "Collections": "AI4D,QuickStart", "Tag": [{"Key": "env", "Value": "prod"}],
        "Conditions": [{"Column": "ParameterSize", "Operator": "LessThan", "Value": "3000"}],
        "Order": "DESC", "SortBy": "GmtCreateTime", "PageNumber": 3, "PageSize": 50,
    }  # fmt: skip


def _model(name):
    return Model.from_api({"ModelId": "m-" + name, "ModelName": name})


def test_exact_name_is_also_enforced_client_side():
    q = ModelQuery.build(model_name='"qwen-7b"')
    assert q.exact_name == "qwen-7b"
    assert filter_models([_model("qwen-7b"), _model("qwen-7b-chat")], q) == [_model("qwen-7b")]
    fuzzy = ModelQuery.build(model_name="qwen-7b")  # unquoted: the server's fuzzy match stands
    assert filter_models([_model("qwen-7b-chat")], fuzzy) == [_model("qwen-7b-chat")]


def test_name_regex_searches_the_name():
    q = ModelQuery.build(name_regex=r"^qwen-\d+b$")
    assert filter_models([_model("qwen-7b"), _model("qwen-7b-chat")], q) == [_model("qwen-7b")]


def test_describe_names_the_filters_for_messages():
    text = ModelQuery.build(model_name="x", tags={"env": "prod"}, conditions=["ParameterSize<3"]).describe()
    assert "ModelName='x'" in text and "Tag env=prod" in text and "Condition ParameterSize LessThan 3" in text
    assert "own models" in ModelQuery.build().describe()
    assert "SortBy=GmtCreateTime" in ModelQuery.build(sort_by="GmtCreateTime").describe()


def test_unicode_names_survive_to_the_wire():
    q = ModelQuery.build(model_name="情感分析", tags={"环境": "生产"})
    wire = list_models_request(q, 1, 100).to_map()
    assert wire["ModelName"] == "情感分析"
    assert json.dumps(wire["Tag"], ensure_ascii=False) == '[{"Key": "环境", "Value": "生产"}]'
