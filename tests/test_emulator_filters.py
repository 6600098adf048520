"""ListModels filters, one parameter at a time and together, through Alibaba's SDK.

Expected results are written out by hand from conftest.TEST_CATALOG, never taken from the emulator.
"""

from __future__ import annotations

import json

from alibabacloud_aiworkspace20210204 import models
from conftest import (
    OWN_ASC,
    PAI_ASC,
    cond,
    ids,
    list_models,
    make_client,
    raw_call,
    tag,
)
from darabonba.runtime import RuntimeOptions


def test_no_parameters_lists_own_models_ascending(pai_server):
    assert list_models(pai_server) == (4, OWN_ASC)


def test_provider(pai_server):
    assert ids(pai_server, provider="pai") == PAI_ASC
    assert ids(pai_server, provider="acme") == []
    assert ids(pai_server, provider="") == OWN_ASC  # sent as "Provider=", counts as absent


def test_model_name_substring_is_case_insensitive(pai_server):
    assert ids(pai_server, provider="pai", model_name="ALPHA") == ["m-a", "m-b", "m-g"]
    assert ids(pai_server, model_name="fraud") == ["m-f", "m-d"]


def test_model_name_in_quotes_is_exact(pai_server):
    assert ids(pai_server, provider="pai", model_name='"alpha-chat"') == ["m-g"]
    assert ids(pai_server, provider="pai", model_name='"Alpha"') == []
    assert ids(pai_server, provider="pai", model_name='"Alpha-Chat"') == ["m-a"]


def test_model_name_with_reserved_characters_round_trips(pai_server):
    # '+' is sent as %2B and spaces as '+'; both must survive decoding and the signature check.
    assert ids(pai_server, model_name="\"a+b c/d~*'()!\"") == ["m x/1"]
    v2 = make_client(pai_server, signature_algorithm="v2")
    assert list_models(pai_server, client=v2, model_name="\"a+b c/d~*'()!\"") == (1, ["m x/1"])


def test_label_matches_key_or_value_substring_case_sensitively(pai_server):
    assert ids(pai_server, provider="pai", label="qwen") == ["m-a"]
    assert ids(pai_server, provider="pai", label="fam") == ["m-a", "m-b"]
    assert ids(pai_server, provider="pai", label="NLP") == ["m-c"]
    assert ids(pai_server, provider="pai", label="nlp") == []
    assert ids(pai_server, label="prod") == ["m-f"]  # label value, not the tag


def test_query_searches_name_domain_task_and_labels(pai_server):
    assert ids(pai_server, provider="pai", query="nlp") == ["m-a", "m-c", "m-b", "m-g"]
    assert ids(pai_server, provider="pai", query="IMAGE") == ["m-c"]
    assert ids(pai_server, provider="pai", query="qwen") == ["m-a"]
    assert ids(pai_server, provider="pai", query="large") == ["m-b"]
    assert ids(pai_server, provider="pai", query="nothing-like-this") == []


def test_workspace_domain_task_origin_model_type_are_equality(pai_server):
    assert ids(pai_server, workspace_id="ws-1") == ["m-f", "m-d"]
    assert ids(pai_server, workspace_id="ws") == []
    assert ids(pai_server, provider="pai", domain="cv") == ["m-c"]
    assert ids(pai_server, provider="pai", domain="NLP") == []
    assert ids(pai_server, provider="pai", task="text-generation") == ["m-a", "m-b", "m-g"]
    assert ids(pai_server, provider="pai", task="text") == []
    assert ids(pai_server, provider="pai", origin="HuggingFace") == ["m-b"]
    assert ids(pai_server, provider="pai", model_type="Endpoint") == ["m-c"]


def test_collections_any_of(pai_server):
    assert ids(pai_server, provider="pai", collections="QuickStart") == ["m-a", "m-c"]
    assert ids(pai_server, provider="pai", collections="AI4D,LLM") == ["m-c", "m-b"]
    assert ids(pai_server, provider="pai", collections=" LLM , nope") == ["m-b"]
    assert ids(pai_server, provider="pai", collections="nope") == []


def test_tag_pairs_must_all_be_present(pai_server):
    assert ids(pai_server, tag=[tag("env", "prod")]) == ["m-f", "m-d"]
    assert ids(pai_server, tag=[tag("env", "prod"), tag("team", "risk")]) == ["m-d"]
    assert ids(pai_server, tag=[tag("env", "staging")]) == ["m-e"]
    assert ids(pai_server, tag=[tag("env", "dev")]) == []
    assert ids(pai_server, tag=[tag("team")]) == ["m-d", "m-e"]  # {"Key": "team"} only: the key exists
    assert ids(pai_server, tag=[]) == OWN_ASC  # sent as Tag=[]


def test_conditions_numeric(pai_server):
    assert ids(pai_server, provider="pai", conditions=[cond("ParameterSize", "LessThan", "3000")]) == ["m-a", "m-c"]
    assert ids(pai_server, provider="pai", conditions=[cond("ParameterSize", "GreaterThanOrEqual", "7000")]) == ["m-b"]
    assert ids(pai_server, provider="pai", conditions=[cond("ParameterSize", "GreaterThan", "7000")]) == []
    assert ids(pai_server, provider="pai", conditions=[cond("ParameterSize", "LessThanOrEqual", "25")]) == ["m-c"]
    # m-g has no ParameterSize: it never matches, not even NotEqual.
    assert ids(pai_server, provider="pai", conditions=[cond("ParameterSize", "NotEqual", "1500")]) == ["m-c", "m-b"]
    assert ids(pai_server, provider="pai", conditions=[cond("ParameterSize", "Equal", "1500.0")]) == ["m-a"]
    # numeric, not string, comparison: "25" < "3000" < "7000" but also 25 < 100 while "25" > "100"
    assert ids(pai_server, provider="pai", conditions=[cond("ParameterSize", "LessThan", "100")]) == ["m-c"]
    assert ids(pai_server, provider="pai", conditions=[cond("OrderNumber", "GreaterThan", "4")]) == ["m-a", "m-b"]


def test_conditions_strings_and_several(pai_server):
    assert ids(pai_server, provider="pai", conditions=[cond("GmtCreateTime", "GreaterThan", "2024-01-15")]) == ["m-b", "m-g"]
    assert ids(pai_server, provider="pai", conditions=[cond("ModelName", "Equal", "vision-net")]) == ["m-c"]
    assert ids(pai_server, provider="pai", conditions=[cond("Domain", "NotEqual", "nlp")]) == ["m-c"]
    both = [cond("ParameterSize", "GreaterThan", "100"), cond("ParameterSize", "LessThan", "5000")]
    assert ids(pai_server, provider="pai", conditions=both) == ["m-a"]


def test_combined_filters(pai_server):
    assert ids(
        pai_server, provider="pai", domain="nlp", collections="QuickStart,LLM",
        conditions=[cond("ParameterSize", "LessThan", "5000")],
    ) == ["m-a"]
    assert ids(pai_server, workspace_id="ws-1", tag=[tag("env", "prod")], model_name="fraud", order="DESC") == ["m-d", "m-f"]
    assert ids(pai_server, provider="pai", query="chat", label="family", origin="ModelScope") == ["m-a"]
    total, page = list_models(pai_server, provider="pai", task="text-generation", order="DESC", page_size=1, page_number=2)
    assert (total, page) == (3, ["m-b"])


def test_tag_and_conditions_wire_format(pai_server):
    make_client(pai_server).list_models_with_options(
        models.ListModelsRequest(tag=[tag("env", "prod")], conditions=[cond("ParameterSize", "LessThan", "3000")],
                                 model_name="情感 分析"),
        {}, RuntimeOptions(),
    )
    logged = pai_server.requests()[-1]["query"]
    assert logged == {
        "Tag": '[{"Key":"env","Value":"prod"}]',
        "Conditions": '[{"Column":"ParameterSize","Operator":"LessThan","Value":"3000"}]',
        "ModelName": "情感 分析",
    }


def test_list_items_have_no_versions_key_and_computed_latest_version(pai_server):
    body = json.loads(raw_call(pai_server, "/api/v1/models", {"WorkspaceId": "ws-1", "PageSize": "100"})["body"])
    assert [m["ModelId"] for m in body["Models"]] == ["m-f", "m-d"]
    assert all("Versions" not in m for m in body["Models"])
    fraud = body["Models"][1]
    assert fraud["LatestVersion"]["VersionName"] == "1.2.0"  # newest GmtCreateTime, not the catalog's 9.9.9
    assert "LatestVersion" not in body["Models"][0]
    assert list(body) == ["RequestId", "TotalCount", "Models"]


# -- WorkspaceId: it narrows your own models only (what Alibaba's PAI SDK, alipai, relies on)


def test_workspace_id_does_not_hide_public_models(pai_server):
    # alipai sends its session's WorkspaceId on every ListModels call, public-model lookups included,
    # and real PAI answers those with the public models.
    assert ids(pai_server, provider="pai", workspace_id="ws-1") == PAI_ASC
    assert ids(pai_server, provider="pai", workspace_id="no-such-workspace") == PAI_ASC
    assert ids(pai_server, provider="pai", workspace_id="ws-1", model_name='"alpha-chat"') == ["m-g"]  # other filters still apply
    assert list_models(pai_server, provider="pai", workspace_id="ws-2", page_size=2) == (4, ["m-a", "m-c"])


def test_workspace_id_narrows_own_models(pai_server):
    assert ids(pai_server, workspace_id="ws-1") == ["m-f", "m-d"]
    assert ids(pai_server, workspace_id="ws-2") == ["m-e"]
    assert ids(pai_server, workspace_id="WS-1") == []  # equality, case-sensitive
    assert ids(pai_server, workspace_id="no-such-workspace") == []  # m x/1 has no WorkspaceId: not listed either
    assert ids(pai_server, workspace_id="ws-1", tag=[tag("env", "prod")], order="DESC") == ["m-d", "m-f"]
