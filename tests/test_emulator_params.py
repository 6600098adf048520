"""Request parameters: what is refused with InvalidParameter, and what a real client sends that is accepted.
"""

from __future__ import annotations

import json

import pytest
from conftest import (
    OWN_ASC,
    PAI_ASC,
    cond,
    expect_error,
    list_models,
    make_client,
    raw_call,
)


@pytest.mark.parametrize(
    "query, names",
    [
        ({"SortBy": "ModelName"}, "SortBy"),
        ({"Order": "UP"}, "Order"),
        ({"PageNumber": "0"}, "PageNumber"),
        ({"PageNumber": "-1"}, "PageNumber"),
        ({"PageNumber": "abc"}, "PageNumber"),
        ({"PageNumber": "1.5"}, "PageNumber"),
        ({"PageSize": "0"}, "PageSize"),
        ({"PageSize": "101"}, "PageSize"),
        ({"PageSize": " 10"}, "PageSize"),
        ({"PageSize": "99999999999999999999999999"}, "PageSize"),
        ({"Tag": "not json"}, "Tag"),
        ({"Tag": '{"Key":"env","Value":"prod"}'}, "Tag"),
        ({"Tag": '["env"]'}, "Tag"),
        ({"Tag": '[{"Key":1,"Value":"prod"}]'}, "Tag"),
        ({"Tag": '[{"Key":"env","Value":2}]'}, "Tag"),
        ({"Tag": '[{"Key":"env","Colour":"red"}]'}, "Tag"),
        ({"Tag": "[" * 5000}, "Tag"),
        ({"Conditions": "[{"}, "Conditions"),
        ({"Conditions": '[{"Column":"Colour","Operator":"Equal","Value":"red"}]'}, "Conditions"),
        ({"Conditions": '[{"Column":"ParameterSize","Operator":"Like","Value":"1"}]'}, "Conditions"),
        ({"Conditions": '[{"Column":"ParameterSize","Operator":"LessThan"}]'}, "Conditions"),
        ({"Conditions": '[{"Column":"ParameterSize","Operator":"LessThan","Value":[1]}]'}, "Conditions"),
        ({"Conditions": '{"Column":"ParameterSize"}'}, "Conditions"),
    ],
)
def test_invalid_list_models_parameters(pai_server, query, names):
    err = expect_error(lambda: raw_call(pai_server, "/api/v1/models", query), "InvalidParameter", 400)
    assert names in err.data["Message"]
    assert set(err.data) >= {"RequestId", "Code", "Message", "Recommend"}


@pytest.mark.parametrize("query", [{"SortBy": "GmtModifiedTime"}, {"Order": "random"}, {"PageSize": "1000"}])
def test_invalid_version_list_parameters(pai_server, query):
    expect_error(lambda: raw_call(pai_server, "/api/v1/models/m-d/versions", query, action="ListModelVersions"),
                 "InvalidParameter", 400)


def test_sdk_built_invalid_request_is_rejected(pai_server):
    client = make_client(pai_server)
    err = expect_error(lambda: list_models(pai_server, client=client, page_size=500), "InvalidParameter", 400)
    assert "PageSize" in err.message
    err = expect_error(lambda: list_models(pai_server, client=client, conditions=[cond("Nope", "Equal", "1")]),
                       "InvalidParameter", 400)
    assert "Conditions" in err.message


def test_unhashable_condition_fields_are_400_not_500(pai_server):
    for conditions in ('[{"Column":["ParameterSize"],"Operator":"LessThan","Value":"1"}]',
                       '[{"Column":"ParameterSize","Operator":{"op":"LessThan"},"Value":"1"}]'):
        err = expect_error(lambda c=conditions: raw_call(pai_server, "/api/v1/models", {"Conditions": c}), "InvalidParameter", 400)
        assert "Conditions[0]" in err.data["Message"]


def test_label_string_and_labels_are_accepted_and_ignored(pai_server):
    # Alibaba's PAI SDK (alipai) sends LabelString and Labels, which the API reference does not list.
    # A real client sends them, so the emulator takes them, and (their effect on PAI unknown) ignores them.
    query = {"Provider": "pai", "LabelString": "qwen", "Labels": "family:qwen", "PageSize": "50"}
    body = json.loads(raw_call(pai_server, "/api/v1/models", query)["body"])
    assert (body["TotalCount"], [m["ModelId"] for m in body["Models"]]) == (4, PAI_ASC)
    body = json.loads(raw_call(pai_server, "/api/v1/models", {"LabelString": "no-such-label", "Labels": ""})["body"])
    assert [m["ModelId"] for m in body["Models"]] == OWN_ASC
    assert pai_server.requests()[0]["query"] == query  # they did reach the emulator
