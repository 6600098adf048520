"""The PAI emulator, driven with Alibaba's own SDK (alibabacloud_aiworkspace20210204) as users would.

Expected results are written out by hand from the small TEST_CATALOG below, never taken from the
emulator's own output. Raw HTTP is used only where the SDK cannot send the request (garbage input,
missing signature) or hides the answer (corrupted bodies, headers).
"""

from __future__ import annotations

import copy
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import types
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import urlencode

import pytest
from alibabacloud_aiworkspace20210204 import models
from alibabacloud_aiworkspace20210204.client import Client
from alibabacloud_tea_openapi import utils_models as open_api_util_models
from alibabacloud_tea_openapi.exceptions import ClientException, ServerException, ThrottlingException
from alibabacloud_tea_openapi.models import Config
from conftest import acs3_headers
from darabonba.exceptions import UnretryableException
from darabonba.runtime import RuntimeOptions
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pulumi_pai_models.emulator import (
    DEFAULT_ACCESS_KEY_ID,
    DEFAULT_ACCESS_KEY_SECRET,
    Catalog,
    CatalogError,
    EmulatorServer,
    load_demo_catalog,
)

KEY, SECRET = "LTAItestKeyOne", "test-secret-one"
STS_KEY, STS_SECRET, STS_TOKEN = "STS.testKey", "sts-secret", "CAIS+token/with=odd&chars"
UUID_UPPER = re.compile(r"^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$")

# The example response of the ListModels API reference, verbatim.
REFERENCE_EXAMPLE = r"""
{
"RequestId": "5A14FA81-DD4E-******-6343FE44B941",
"Models": [
{
"ModelId": "model-1123*****",
"ModelName": "情感分析",
"GmtCreateTime": "2021-01-21T17:12:35Z",
"GmtModifiedTime": "2021-01-21T17:12:35Z",
"WorkspaceId": "234**",
"UserId": "1557702098******",
"OwnerId": "1557702098******",
"ModelDescription": "情感分析。",
"Accessibility": "PUBLIC",
"LatestVersion": {
"VersionName": "0.1.0",
"GmtCreateTime": "2021-01-21T17:12:35Z",
"GmtModifiedTime": "2021-01-21T17:12:35Z",
"UserId": "155770209******",
"OwnerId": "155770209******",
"Uri": "oss://mybucket.oss-cn-beijing.aliyuncs.com/mypath/",
"VersionDescription": "情感分析。",
"FormatType": "SavedModel",
"FrameworkType": "TensorFlow",
"Options": "{}",
"SourceType": "PAIFlow",
"SourceId": "region=cn-shanghai,workspaceId=13**,kind=PipelineRun,id=run-sakdb****jdf",
"ApprovalStatus": "Approved",
"Labels": [
{
"Value": "v1",
"Key": "k1"
}
],
"Metrics": {
"Results": [
{
"Dataset": {
"DatasetId": "d-sdkjanksaklerhfd"
},
"Metrics": {
"cer": 0.175
}
},
{
"Dataset": {
"Uri": "oss://xxxx/"
},
"Metrics": {
"cer": 0.172
}
}
]
},
"TrainingSpec": {},
"InferenceSpec": {
"processor": "tensorflow_gpu_1.12"
},
"EvaluationSpec": {},
"CompressionSpec": {},
"ExtraInfo": {
"CoverUris": [
"https://e***u.oss-cn-hangzhou.aliyuncs.com/st****017.preview.png"
],
"TrainedWords": [
"albedo_overlord"
]
},
"DistillationSpec": {}
},
"OrderNumber": 101,
"Origin": "ModelScope",
"Domain": "nlp",
"Task": "text-classifiaction",
"ModelDoc": "https://***.md",
"Provider": "pai",
"ModelType": "Checkpoint",
"Labels": [
{
"Key": "env",
"Value": "test"
}
],
"Tags": [
{
"Key": "env",
"Value": "test"
}
],
"ExtraInfo": {
"RatingCount": 2866,
"Rating": 4.94,
"FavoriteCount": 34992,
"CommentCount": 754,
"CoverUris": [
"https://e***u.oss-cn-hangzhou.aliyuncs.com/drea***w.png"
],
"TippedAmountCount": 32,
"DownloadCount": 606056
},
"ParameterSize": 1024,
"GmtLatestVersionModifiedTime": "2021-01-21T17:12:35Z"
}
],
"TotalCount": 15
}
"""


def _version(name: str, created: str, status: str, **extra: Any) -> dict[str, Any]:
    v = {
        "VersionName": name,
        "GmtCreateTime": created,
        "GmtModifiedTime": created,
        "Uri": f"oss://bucket.oss-cn-hangzhou.aliyuncs.com/models/{name}/",
        "ApprovalStatus": status,
        "FormatType": "SavedModel",
        "FrameworkType": "TensorFlow",
        "SourceType": "TrainingService",
        "SourceId": f"train-{name}",
        "InferenceSpec": {"processor": "tensorflow_cpu_2.7"},
        "Labels": [],
    }
    v.update(extra)
    return v


# Public ("pai") models, ascending by (GmtCreateTime, ModelId): m-a, m-c, m-b, m-g.
# Own models (no Provider), ascending: m-f, m-d, m-e, m-x.
TEST_CATALOG: dict[str, Any] = {
    "Models": [
        {
            "ModelId": "m-a", "ModelName": "Alpha-Chat", "Provider": "pai", "Domain": "nlp",
            "Task": "text-generation", "Origin": "ModelScope", "ModelType": "Checkpoint",
            "ParameterSize": 1500, "OrderNumber": 5, "GmtCreateTime": "2024-01-01T00:00:00Z",
            "Labels": [{"Key": "family", "Value": "qwen"}], "Collections": ["QuickStart"], "Tags": [],
            "LatestVersion": _version("1.0.0", "2024-01-01T00:00:00Z", "Approved"),
        },
        {
            "ModelId": "m-b", "ModelName": "alpha-chat-large", "Provider": "pai", "Domain": "nlp",
            "Task": "text-generation", "Origin": "HuggingFace", "ModelType": "Checkpoint",
            "ParameterSize": 7000, "OrderNumber": 9, "GmtCreateTime": "2024-02-01T00:00:00Z",
            "Labels": [{"Key": "family", "Value": "llama"}], "Collections": ["LLM"],
        },
        {
            "ModelId": "m-c", "ModelName": "vision-net", "Provider": "pai", "Domain": "cv",
            "Task": "image-classification", "Origin": "ModelScope", "ModelType": "Endpoint",
            "ParameterSize": 25, "OrderNumber": 1, "GmtCreateTime": "2024-01-01T00:00:00Z",
            "Labels": [{"Key": "usage", "Value": "not-for-NLP"}], "Collections": ["QuickStart", "AI4D"],
        },
        {
            "ModelId": "m-g", "ModelName": "alpha-chat", "Provider": "pai", "Domain": "nlp",
            "Task": "text-generation", "GmtCreateTime": "2024-05-01T00:00:00Z",
        },
        {
            "ModelId": "m-d", "ModelName": "fraud-detector", "WorkspaceId": "ws-1", "Domain": "tabular",
            "Task": "tabular-classification", "GmtCreateTime": "2024-03-01T00:00:00Z",
            "Tags": [{"Key": "env", "Value": "prod"}, {"Key": "team", "Value": "risk"}],
            "LatestVersion": _version("9.9.9", "2030-01-01T00:00:00Z", "Approved"),  # replaced by Versions
            "Versions": [
                _version("1.0.0", "2024-03-01T00:00:00Z", "Approved", Labels=[{"Key": "dataset", "Value": "q1"}]),
                _version("1.1.0", "2024-04-01T00:00:00Z", "Approved", FormatType="PMML", FrameworkType="XGBoost"),
                _version("1.2.0", "2024-05-01T00:00:00Z", "Pending", Labels=[{"Key": "dataset", "Value": "q2"}]),
                _version("0.9.0", "2024-02-01T00:00:00Z", "Rejected", SourceType="PAIFlow", SourceId="run-1"),
            ],
        },
        {
            "ModelId": "m-e", "ModelName": "churn", "WorkspaceId": "ws-2", "GmtCreateTime": "2024-03-15T00:00:00Z",
            "Tags": [{"Key": "env", "Value": "staging"}, {"Key": "team", "Value": "risk"}],
            "LatestVersion": _version("2.0.0", "2024-03-15T00:00:00Z", "Approved"),
        },
        {
            "ModelId": "m-f", "ModelName": "Fraud-Rules", "WorkspaceId": "ws-1", "GmtCreateTime": "2023-12-01T00:00:00Z",
            "Tags": [{"Key": "env", "Value": "prod"}], "Labels": [{"Key": "env-like", "Value": "prod"}],
        },
        {
            "ModelId": "m x/1", "ModelName": "a+b c/d~*'()!", "GmtCreateTime": "2024-06-01T00:00:00Z",
            "Versions": [_version("v 1/2", "2024-06-01T00:00:00Z", "Approved"), _version("1.0.0", "2024-05-01T00:00:00Z", "Pending")],
        },
    ]
}
PAI_ASC = ["m-a", "m-c", "m-b", "m-g"]
OWN_ASC = ["m-f", "m-d", "m-e", "m x/1"]


# --------------------------------------------------------------------------- fixtures and helpers


@pytest.fixture(scope="module")
def server():
    srv = EmulatorServer(
        catalog=TEST_CATALOG,
        access_keys=[(KEY, SECRET), (STS_KEY, STS_SECRET, STS_TOKEN), (DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET)],
    )
    with srv:
        yield srv


@pytest.fixture(autouse=True)
def _fresh_state(request):
    if "server" in request.fixturenames:
        srv = request.getfixturevalue("server")
        srv.reset()
        srv.set_catalog(TEST_CATALOG)
    yield


def make_client(srv: EmulatorServer, key: str = KEY, secret: str = SECRET, **extra: Any) -> Client:
    return Client(Config(access_key_id=key, access_key_secret=secret, endpoint=srv.endpoint, protocol="http", **extra))


def list_models(srv: EmulatorServer, client: Client | None = None, **kwargs: Any) -> tuple[int, list[str]]:
    client = client or make_client(srv)
    body = client.list_models_with_options(models.ListModelsRequest(**kwargs), {}, RuntimeOptions()).body
    return body.total_count, [m.model_id for m in body.models]


def ids(srv: EmulatorServer, **kwargs: Any) -> list[str]:
    kwargs.setdefault("page_size", 100)
    total, got = list_models(srv, **kwargs)
    assert total == len(got)
    return got


def raw_call(srv: EmulatorServer, pathname: str, query: dict[str, str] | None = None, *, action: str = "ListModels",
             client: Client | None = None) -> dict[str, Any]:
    """Call through the SDK's generic call_api: real signing, raw bytes and headers back."""
    params = open_api_util_models.Params(
        action=action, version="2021-02-04", protocol="HTTPS", pathname=pathname, method="GET",
        auth_type="AK", style="ROA", req_body_type="json", body_type="byte",
    )
    req = open_api_util_models.OpenApiRequest(query=query or {})
    return (client or make_client(srv)).call_api(params, req, RuntimeOptions())


def expect_error(fn, code: str, status: int, exc_type: type = ClientException) -> Exception:
    with pytest.raises(exc_type) as info:
        fn()
    err = info.value
    assert err.code == code, err
    assert err.status_code == status, err
    assert UUID_UPPER.match(err.request_id), err.request_id
    return err


def sdk_sign(srv: EmulatorServer, pathname: str, query: dict[str, str], key: str = KEY, secret: str = SECRET,
             extra: dict[str, str] | None = None) -> dict[str, str]:
    """ACS3 headers for a GET, computed with the SDK's own signing function."""
    return acs3_headers(srv, pathname, query, key, secret, extra)


def send(srv: Any, method: str, target: str, headers: dict[str, str] | None = None,
         body: bytes | None = None) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection(srv.host, srv.port, timeout=10)
    try:
        conn.request(method, target, body=body, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


def admin(srv: EmulatorServer, method: str, name: str, data: Any = None) -> tuple[int, Any]:
    body = None if data is None else json.dumps(data).encode("utf-8")
    status, _, raw = send(srv, method, f"/_emulator/{name}", {"Content-Type": "application/json"} if body else {}, body)
    return status, json.loads(raw)


def raw_bytes(srv: EmulatorServer, data: bytes) -> tuple[int, bytes]:
    """Send bytes as they are; returns (status, body)."""
    with socket.create_connection((srv.host, srv.port), timeout=10) as sock:
        sock.sendall(data)
        sock.shutdown(socket.SHUT_WR)
        chunks = []
        while True:
            try:
                chunk = sock.recv(65536)
            except (ConnectionResetError, TimeoutError):
                break
            if not chunk:
                break
            chunks.append(chunk)
    reply = b"".join(chunks)
    head, _, body = reply.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1]) if head.startswith(b"HTTP/") else 0
    return status, body


def assert_alibaba_error(status: int, headers: dict[str, str], body: bytes, code: str, expected_status: int) -> dict[str, Any]:
    assert status == expected_status
    data = json.loads(body)
    assert set(data) == {"RequestId", "Code", "Message", "Recommend"}
    assert data["Code"] == code
    assert UUID_UPPER.match(data["RequestId"])
    assert headers["x-acs-request-id"] == data["RequestId"]
    return data


# --------------------------------------------------------------------------- ListModels, one parameter at a time


def test_no_parameters_lists_own_models_ascending(server):
    assert list_models(server) == (4, OWN_ASC)


def test_provider(server):
    assert ids(server, provider="pai") == PAI_ASC
    assert ids(server, provider="acme") == []
    assert ids(server, provider="") == OWN_ASC  # sent as "Provider=", counts as absent


def test_model_name_substring_is_case_insensitive(server):
    assert ids(server, provider="pai", model_name="ALPHA") == ["m-a", "m-b", "m-g"]
    assert ids(server, model_name="fraud") == ["m-f", "m-d"]


def test_model_name_in_quotes_is_exact(server):
    assert ids(server, provider="pai", model_name='"alpha-chat"') == ["m-g"]
    assert ids(server, provider="pai", model_name='"Alpha"') == []
    assert ids(server, provider="pai", model_name='"Alpha-Chat"') == ["m-a"]


def test_model_name_with_reserved_characters_round_trips(server):
    # '+' is sent as %2B and spaces as '+'; both must survive decoding and the signature check.
    assert ids(server, model_name="\"a+b c/d~*'()!\"") == ["m x/1"]
    v2 = make_client(server, signature_algorithm="v2")
    assert list_models(server, client=v2, model_name="\"a+b c/d~*'()!\"") == (1, ["m x/1"])


def test_label_matches_key_or_value_substring_case_sensitively(server):
    assert ids(server, provider="pai", label="qwen") == ["m-a"]
    assert ids(server, provider="pai", label="fam") == ["m-a", "m-b"]
    assert ids(server, provider="pai", label="NLP") == ["m-c"]
    assert ids(server, provider="pai", label="nlp") == []
    assert ids(server, label="prod") == ["m-f"]  # label value, not the tag


def test_query_searches_name_domain_task_and_labels(server):
    assert ids(server, provider="pai", query="nlp") == ["m-a", "m-c", "m-b", "m-g"]
    assert ids(server, provider="pai", query="IMAGE") == ["m-c"]
    assert ids(server, provider="pai", query="qwen") == ["m-a"]
    assert ids(server, provider="pai", query="large") == ["m-b"]
    assert ids(server, provider="pai", query="nothing-like-this") == []


def test_workspace_domain_task_origin_model_type_are_equality(server):
    assert ids(server, workspace_id="ws-1") == ["m-f", "m-d"]
    assert ids(server, workspace_id="ws") == []
    assert ids(server, provider="pai", domain="cv") == ["m-c"]
    assert ids(server, provider="pai", domain="NLP") == []
    assert ids(server, provider="pai", task="text-generation") == ["m-a", "m-b", "m-g"]
    assert ids(server, provider="pai", task="text") == []
    assert ids(server, provider="pai", origin="HuggingFace") == ["m-b"]
    assert ids(server, provider="pai", model_type="Endpoint") == ["m-c"]


def test_collections_any_of(server):
    assert ids(server, provider="pai", collections="QuickStart") == ["m-a", "m-c"]
    assert ids(server, provider="pai", collections="AI4D,LLM") == ["m-c", "m-b"]
    assert ids(server, provider="pai", collections=" LLM , nope") == ["m-b"]
    assert ids(server, provider="pai", collections="nope") == []


def tag(key: str, value: str | None = None) -> models.ListModelsRequestTag:
    return models.ListModelsRequestTag(key=key, value=value)


def cond(column: str, operator: str, value: str) -> models.ListModelsRequestConditions:
    return models.ListModelsRequestConditions(column=column, operator=operator, value=value)


def test_tag_pairs_must_all_be_present(server):
    assert ids(server, tag=[tag("env", "prod")]) == ["m-f", "m-d"]
    assert ids(server, tag=[tag("env", "prod"), tag("team", "risk")]) == ["m-d"]
    assert ids(server, tag=[tag("env", "staging")]) == ["m-e"]
    assert ids(server, tag=[tag("env", "dev")]) == []
    assert ids(server, tag=[tag("team")]) == ["m-d", "m-e"]  # {"Key": "team"} only: the key exists
    assert ids(server, tag=[]) == OWN_ASC  # sent as Tag=[]


def test_conditions_numeric(server):
    assert ids(server, provider="pai", conditions=[cond("ParameterSize", "LessThan", "3000")]) == ["m-a", "m-c"]
    assert ids(server, provider="pai", conditions=[cond("ParameterSize", "GreaterThanOrEqual", "7000")]) == ["m-b"]
    assert ids(server, provider="pai", conditions=[cond("ParameterSize", "GreaterThan", "7000")]) == []
    assert ids(server, provider="pai", conditions=[cond("ParameterSize", "LessThanOrEqual", "25")]) == ["m-c"]
    # m-g has no ParameterSize: it never matches, not even NotEqual.
    assert ids(server, provider="pai", conditions=[cond("ParameterSize", "NotEqual", "1500")]) == ["m-c", "m-b"]
    assert ids(server, provider="pai", conditions=[cond("ParameterSize", "Equal", "1500.0")]) == ["m-a"]
    # numeric, not string, comparison: "25" < "3000" < "7000" but also 25 < 100 while "25" > "100"
    assert ids(server, provider="pai", conditions=[cond("ParameterSize", "LessThan", "100")]) == ["m-c"]
    assert ids(server, provider="pai", conditions=[cond("OrderNumber", "GreaterThan", "4")]) == ["m-a", "m-b"]


def test_conditions_strings_and_several(server):
    assert ids(server, provider="pai", conditions=[cond("GmtCreateTime", "GreaterThan", "2024-01-15")]) == ["m-b", "m-g"]
    assert ids(server, provider="pai", conditions=[cond("ModelName", "Equal", "vision-net")]) == ["m-c"]
    assert ids(server, provider="pai", conditions=[cond("Domain", "NotEqual", "nlp")]) == ["m-c"]
    both = [cond("ParameterSize", "GreaterThan", "100"), cond("ParameterSize", "LessThan", "5000")]
    assert ids(server, provider="pai", conditions=both) == ["m-a"]


def test_order_and_tie_break(server):
    assert ids(server, provider="pai", order="DESC") == ["m-g", "m-b", "m-a", "m-c"]  # m-a/m-c tie: ModelId ascending
    assert ids(server, provider="pai", order="desc") == ["m-g", "m-b", "m-a", "m-c"]
    assert ids(server, provider="pai", order="asc", sort_by="GmtCreateTime") == PAI_ASC


def test_paging(server):
    assert list_models(server, provider="pai", page_size=2) == (4, ["m-a", "m-c"])
    assert list_models(server, provider="pai", page_size=2, page_number=2) == (4, ["m-b", "m-g"])
    assert list_models(server, provider="pai", page_size=2, page_number=3) == (4, [])
    assert list_models(server, provider="pai", page_size=3, page_number=2, order="DESC") == (4, ["m-c"])
    assert list_models(server, provider="pai", page_number=1000000) == (4, [])


def test_default_page_size_is_10(server):
    many = {"Models": [{"ModelId": f"m{i:02d}", "GmtCreateTime": "2024-01-01T00:00:00Z"} for i in range(23)]}
    server.set_catalog(many)
    assert list_models(server) == (23, [f"m{i:02d}" for i in range(10)])
    assert list_models(server, page_number=3) == (23, ["m20", "m21", "m22"])


def test_combined_filters(server):
    assert ids(
        server, provider="pai", domain="nlp", collections="QuickStart,LLM",
        conditions=[cond("ParameterSize", "LessThan", "5000")],
    ) == ["m-a"]
    assert ids(server, workspace_id="ws-1", tag=[tag("env", "prod")], model_name="fraud", order="DESC") == ["m-d", "m-f"]
    assert ids(server, provider="pai", query="chat", label="family", origin="ModelScope") == ["m-a"]
    total, page = list_models(server, provider="pai", task="text-generation", order="DESC", page_size=1, page_number=2)
    assert (total, page) == (3, ["m-b"])


def test_tag_and_conditions_wire_format(server):
    make_client(server).list_models_with_options(
        models.ListModelsRequest(tag=[tag("env", "prod")], conditions=[cond("ParameterSize", "LessThan", "3000")],
                                 model_name="情感 分析"),
        {}, RuntimeOptions(),
    )
    logged = server.requests()[-1]["query"]
    assert logged == {
        "Tag": '[{"Key":"env","Value":"prod"}]',
        "Conditions": '[{"Column":"ParameterSize","Operator":"LessThan","Value":"3000"}]',
        "ModelName": "情感 分析",
    }


def test_list_items_have_no_versions_key_and_computed_latest_version(server):
    body = json.loads(raw_call(server, "/api/v1/models", {"WorkspaceId": "ws-1", "PageSize": "100"})["body"])
    assert [m["ModelId"] for m in body["Models"]] == ["m-f", "m-d"]
    assert all("Versions" not in m for m in body["Models"])
    fraud = body["Models"][1]
    assert fraud["LatestVersion"]["VersionName"] == "1.2.0"  # newest GmtCreateTime, not the catalog's 9.9.9
    assert "LatestVersion" not in body["Models"][0]
    assert list(body) == ["RequestId", "TotalCount", "Models"]


# --------------------------------------------------------------------------- the reference example


def test_reference_example_loads_and_is_found_by_its_chinese_name(server):
    example = json.loads(REFERENCE_EXAMPLE)
    server.set_catalog(example)
    client = make_client(server)
    body = client.list_models_with_options(
        models.ListModelsRequest(model_name="情感分析", provider="pai"), {}, RuntimeOptions()
    ).body
    assert body.total_count == 1  # the emulator counts; the example's "TotalCount": 15 is not data
    model = body.models[0]
    assert model.model_id == "model-1123*****"
    assert model.model_name == "情感分析"
    assert model.latest_version.uri == "oss://mybucket.oss-cn-beijing.aliyuncs.com/mypath/"
    assert model.latest_version.inference_spec == {"processor": "tensorflow_gpu_1.12"}
    assert model.parameter_size == 1024
    assert [(t.key, t.value) for t in model.tags] == [("env", "test")]
    # and the whole model comes back exactly as written
    raw = json.loads(raw_call(server, "/api/v1/models", {"ModelName": '"情感分析"', "Provider": "pai"})["body"])
    assert raw["Models"] == example["Models"]
    got = client.get_model("model-1123*****", models.GetModelRequest()).body
    assert got.model_name == "情感分析" and got.latest_version.version_name == "0.1.0"
    assert list_models(server, model_name="情感分析") == (0, [])  # public model: not without Provider


# --------------------------------------------------------------------------- paging a large catalog


def test_paging_1234_models_has_no_loss_or_duplicates(server):
    base = datetime(2024, 1, 1, tzinfo=timezone.utc)
    generated = []
    for i in range(1234):
        created = base + timedelta(minutes=(i * 7919) % 97)  # 97 distinct times: many ties
        generated.append({"ModelId": f"gen-{(i * 31) % 1234:04d}", "ModelName": f"gen {i}",
                          "GmtCreateTime": created.strftime("%Y-%m-%dT%H:%M:%SZ")})
    server.set_catalog({"Models": generated})
    expected = [m["ModelId"] for m in sorted(generated, key=lambda m: (m["GmtCreateTime"], m["ModelId"]))]
    client = make_client(server)
    for order, want in (("ASC", expected), ("DESC", None)):
        seen: list[str] = []
        page = 1
        while True:
            total, got = list_models(server, client=client, page_size=100, page_number=page, order=order)
            assert total == 1234
            if not got:
                break
            seen.extend(got)
            page += 1
        assert page == 14  # 13 pages of data, then an empty one
        assert len(seen) == len(set(seen)) == 1234
        if want is not None:
            assert seen == want
        else:
            desc = [m["ModelId"] for m in sorted(generated, key=lambda m: m["ModelId"])]
            desc.sort(key=lambda mid: next(g["GmtCreateTime"] for g in generated if g["ModelId"] == mid), reverse=True)
            assert seen == desc


# --------------------------------------------------------------------------- GetModel and versions


def test_get_model_and_missing_model(server):
    client = make_client(server)
    body = client.get_model("m-d", models.GetModelRequest()).body
    assert (body.model_id, body.model_name, body.latest_version.version_name) == ("m-d", "fraud-detector", "1.2.0")
    assert UUID_UPPER.match(body.request_id)
    raw = json.loads(raw_call(server, "/api/v1/models/m-d", action="GetModel")["body"])
    assert "Versions" not in raw and raw["ModelId"] == "m-d"
    expect_error(lambda: client.get_model("nope", models.GetModelRequest()), "201900002", 404)


def test_percent_encoded_path_segments(server):
    client = make_client(server)
    assert client.get_model("m x/1", models.GetModelRequest()).body.model_name == "a+b c/d~*'()!"
    version = client.get_model_version("m x/1", "v 1/2", models.GetModelVersionRequest()).body
    assert version.version_name == "v 1/2"
    assert client.get_model("m x/1", models.GetModelRequest()).body.latest_version.version_name == "v 1/2"
    body = client.list_model_versions("m x/1", models.ListModelVersionsRequest(version_name="v 1/2")).body
    assert [v.version_name for v in body.versions] == ["v 1/2"]


def test_list_model_versions(server):
    client = make_client(server)

    def names(**kw: Any) -> tuple[int, list[str]]:
        body = client.list_model_versions("m-d", models.ListModelVersionsRequest(**kw)).body
        return body.total_count, [v.version_name for v in body.versions]

    assert names() == (4, ["0.9.0", "1.0.0", "1.1.0", "1.2.0"])
    assert names(order="DESC") == (4, ["1.2.0", "1.1.0", "1.0.0", "0.9.0"])
    assert names(approval_status="Approved") == (2, ["1.0.0", "1.1.0"])
    assert names(approval_status="Rejected") == (1, ["0.9.0"])
    assert names(version_name="1.1.0") == (1, ["1.1.0"])
    assert names(version_name="1.1") == (0, [])
    assert names(format_type="PMML") == (1, ["1.1.0"])
    assert names(framework_type="TensorFlow") == (3, ["0.9.0", "1.0.0", "1.2.0"])
    assert names(source_type="PAIFlow") == (1, ["0.9.0"])
    assert names(source_id="train-1.2.0") == (1, ["1.2.0"])
    assert names(label="q") == (2, ["1.0.0", "1.2.0"])
    assert names(label="dataset") == (2, ["1.0.0", "1.2.0"])
    assert names(page_size=3, page_number=2) == (4, ["1.2.0"])
    assert names(page_size=3, page_number=5) == (4, [])
    assert names(approval_status="Approved", order="DESC", page_size=1) == (2, ["1.1.0"])
    # without Versions, the LatestVersion is the only version; without either, none
    e = client.list_model_versions("m-e", models.ListModelVersionsRequest()).body
    assert (e.total_count, [v.version_name for v in e.versions]) == (1, ["2.0.0"])
    f = client.list_model_versions("m-f", models.ListModelVersionsRequest()).body
    assert (f.total_count, f.versions) == (0, [])
    expect_error(lambda: client.list_model_versions("nope", models.ListModelVersionsRequest()), "201900002", 404)
    expect_error(lambda: client.list_model_versions("m-d", models.ListModelVersionsRequest(sort_by="VersionName")),
                 "InvalidParameter", 400)


def test_get_model_version(server):
    client = make_client(server)
    v = client.get_model_version("m-d", "1.1.0", models.GetModelVersionRequest()).body
    assert (v.version_name, v.approval_status, v.format_type) == ("1.1.0", "Approved", "PMML")
    assert v.uri == "oss://bucket.oss-cn-hangzhou.aliyuncs.com/models/1.1.0/"
    assert v.inference_spec == {"processor": "tensorflow_cpu_2.7"}
    # the catalog's own LatestVersion (9.9.9) was replaced by Versions, so it is no version
    expect_error(lambda: client.get_model_version("m-d", "9.9.9", models.GetModelVersionRequest()), "201900003", 404)
    expect_error(lambda: client.get_model_version("nope", "1.0.0", models.GetModelVersionRequest()), "201900002", 404)
    assert client.get_model_version("m-e", "2.0.0", models.GetModelVersionRequest()).body.approval_status == "Approved"


# --------------------------------------------------------------------------- InvalidParameter


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
def test_invalid_list_models_parameters(server, query, names):
    err = expect_error(lambda: raw_call(server, "/api/v1/models", query), "InvalidParameter", 400)
    assert names in err.data["Message"]
    assert set(err.data) >= {"RequestId", "Code", "Message", "Recommend"}


@pytest.mark.parametrize("query", [{"SortBy": "GmtModifiedTime"}, {"Order": "random"}, {"PageSize": "1000"}])
def test_invalid_version_list_parameters(server, query):
    expect_error(lambda: raw_call(server, "/api/v1/models/m-d/versions", query, action="ListModelVersions"),
                 "InvalidParameter", 400)


def test_sdk_built_invalid_request_is_rejected(server):
    client = make_client(server)
    err = expect_error(lambda: list_models(server, client=client, page_size=500), "InvalidParameter", 400)
    assert "PageSize" in err.message
    err = expect_error(lambda: list_models(server, client=client, conditions=[cond("Nope", "Equal", "1")]),
                       "InvalidParameter", 400)
    assert "Conditions" in err.message


# --------------------------------------------------------------------------- authentication


def test_wrong_secret(server):
    client = make_client(server, secret="not-the-secret")
    expect_error(lambda: list_models(server, client=client), "SignatureDoesNotMatch", 400)


def test_unknown_access_key(server):
    client = make_client(server, key="LTAIunknown")
    expect_error(lambda: list_models(server, client=client), "InvalidAccessKeyId.NotFound", 404)


def test_missing_authorization(server):
    status, headers, body = send(server, "GET", "/api/v1/models")
    assert_alibaba_error(status, headers, body, "MissingAuthorization", 400)


@pytest.mark.parametrize(
    "authorization",
    ["Bearer abc", "ACS3-HMAC-SHA256 Credential=LTAItestKeyOne", "acs nocolon", "ACS3-HMAC-SM3 Credential=a,SignedHeaders=host,Signature=00",
     "ACS3-HMAC-SHA256 Credential=LTAItestKeyOne,SignedHeaders=Host,Signature=" + "0" * 64],
)
def test_malformed_authorization(server, authorization):
    status, headers, body = send(server, "GET", "/api/v1/models", {"Authorization": authorization})
    assert_alibaba_error(status, headers, body, "InvalidAuthorization", 400)


def test_v2_signature(server):
    client = make_client(server, signature_algorithm="v2")
    assert list_models(server, client=client, provider="pai", page_size=2, page_number=2) == (4, ["m-b", "m-g"])
    assert client.get_model_version("m-d", "1.0.0", models.GetModelVersionRequest()).body.approval_status == "Approved"
    assert list_models(server, client=client, label="") == (4, OWN_ASC)  # empty value signs as "Label"
    bad = make_client(server, secret="wrong", signature_algorithm="v2")
    expect_error(lambda: list_models(server, client=bad), "SignatureDoesNotMatch", 400)


@pytest.mark.parametrize("algorithm", [None, "v2"])
def test_sts_token(server, algorithm):
    good = make_client(server, STS_KEY, STS_SECRET, security_token=STS_TOKEN, signature_algorithm=algorithm)
    assert list_models(server, client=good, provider="pai", page_size=1) == (4, ["m-a"])
    wrong = make_client(server, STS_KEY, STS_SECRET, security_token="other-token", signature_algorithm=algorithm)
    expect_error(lambda: list_models(server, client=wrong), "InvalidSecurityToken.MismatchWithAccessKey", 400)
    missing = make_client(server, STS_KEY, STS_SECRET, signature_algorithm=algorithm)
    expect_error(lambda: list_models(server, client=missing), "MissingSecurityToken", 400)
    not_sts = make_client(server, security_token=STS_TOKEN, signature_algorithm=algorithm)
    expect_error(lambda: list_models(server, client=not_sts), "InvalidSecurityToken.MismatchWithAccessKey", 400)
    logged = json.dumps(server.requests())
    assert STS_TOKEN not in logged and STS_SECRET not in logged and SECRET not in logged


def test_tampered_query_fails_the_signature(server):
    query = {"Provider": "pai", "ModelName": "a b+c"}
    headers = sdk_sign(server, "/api/v1/models", query)
    status, _, body = send(server, "GET", "/api/v1/models?" + urlencode(query), headers)
    assert status == 200 and json.loads(body)["TotalCount"] == 0  # control: the untampered request passes
    headers = sdk_sign(server, "/api/v1/models", query)
    status, resp_headers, body = send(server, "GET", "/api/v1/models?" + urlencode({**query, "Provider": "acme"}), headers)
    assert_alibaba_error(status, resp_headers, body, "SignatureDoesNotMatch", 400)
    # '+' in the query is a space: "a b+c" sent as a+b%2Bc, re-encoded as a%20b%2Bc for the signature
    headers = sdk_sign(server, "/api/v1/models", query)
    status, _, _ = send(server, "GET", "/api/v1/models?Provider=pai&ModelName=a%20b%2Bc", headers)
    assert status == 200


def test_accesskey_id_header_must_name_the_signing_key(server):
    sts = {"x-acs-security-token": STS_TOKEN}
    headers = sdk_sign(server, "/api/v1/models", {}, STS_KEY, STS_SECRET, {**sts, "x-acs-accesskey-id": STS_KEY})
    assert send(server, "GET", "/api/v1/models", headers)[0] == 200  # control
    headers = sdk_sign(server, "/api/v1/models", {}, STS_KEY, STS_SECRET, {**sts, "x-acs-accesskey-id": KEY})
    status, resp_headers, body = send(server, "GET", "/api/v1/models", headers)
    assert_alibaba_error(status, resp_headers, body, "InvalidAuthorization", 400)


def test_unsigned_security_token_header_is_rejected(server):
    headers = sdk_sign(server, "/api/v1/models", {}, STS_KEY, STS_SECRET)
    headers["x-acs-security-token"] = STS_TOKEN  # added after signing
    status, resp_headers, body = send(server, "GET", "/api/v1/models", headers)
    assert_alibaba_error(status, resp_headers, body, "SignatureDoesNotMatch", 400)


# --------------------------------------------------------------------------- response shape, garbage input


def test_request_ids_are_fresh_and_in_header_and_body(server):
    seen = set()
    for _ in range(3):
        resp = raw_call(server, "/api/v1/models")
        body = json.loads(resp["body"])
        assert UUID_UPPER.match(body["RequestId"])
        assert resp["headers"]["x-acs-request-id"] == body["RequestId"]
        seen.add(body["RequestId"])
    assert len(seen) == 3


def test_unknown_path_and_wrong_method(server):
    status, headers, body = send(server, "GET", "/api/v1/datasets")
    assert_alibaba_error(status, headers, body, "InvalidAction.NotFound", 404)
    status, headers, body = send(server, "GET", "/api/v1/models/")
    assert_alibaba_error(status, headers, body, "InvalidAction.NotFound", 404)
    status, headers, body = send(server, "POST", "/api/v1/models", body=b"{}")
    assert_alibaba_error(status, headers, body, "UnsupportedHTTPMethod", 405)
    status, headers, body = send(server, "DELETE", "/api/v1/models/m-d")
    assert_alibaba_error(status, headers, body, "UnsupportedHTTPMethod", 405)
    status, headers, body = send(server, "BREW", "/api/v1/models")
    assert_alibaba_error(status, headers, body, "UnsupportedHTTPMethod", 405)


@pytest.mark.parametrize(
    "target",
    ["/api/v1/models?ModelName=%ZZ", "/api/v1/models?ModelName=%E6%83", "/api/v1/models?ModelName=%", "/api/v1/models/%FF",
     "/api/v1/models?Provider=pai&Provider=acme", "/api/v1/models?=x"],
)
def test_malformed_query_or_path_is_400(server, target):
    status, headers, body = send(server, "GET", target)
    assert_alibaba_error(status, headers, body, "InvalidParameter", 400)


@pytest.mark.parametrize(
    "request_bytes",
    [
        b"GARBAGE\r\n\r\n",
        b"GET /api/v1/models HTTP/9.9\r\n\r\n",
        b"GET /api/v1/models HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
        b"GET /api/v1/models HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nshort",
        b"GET /api/v1/models HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        b"GET /api/v1/models HTTP/1.1\r\nAuthorization: \xff\xfe\r\n\r\n",
        b"GET /" + b"a" * 70000 + b" HTTP/1.1\r\n\r\n",
    ],
)
def test_garbage_requests_get_4xx(server, request_bytes):
    status, body = raw_bytes(server, request_bytes)
    assert 400 <= status < 500
    assert json.loads(body)["Code"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    path=st.sampled_from(["/api/v1/models", "/api/v1/models/m-d", "/api/v1/models/m-d/versions", "/api/v1/models/x/versions/y", "/x"]),
    query=st.binary(max_size=200),
    auth=st.one_of(st.none(), st.binary(max_size=120)),
)
def test_fuzzed_requests_never_500(server, path, query, auth):
    clean = bytes(b for b in query if b not in b" \r\n#")
    head = b"GET " + path.encode() + (b"?" + clean if clean else b"") + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
    if auth is not None:
        head += b"Authorization: " + bytes(b for b in auth if b not in b"\r\n") + b"\r\n"
    status, body = raw_bytes(server, head + b"\r\n")
    assert 400 <= status < 500, (status, body[:300])
    assert json.loads(body)["Code"]


# --------------------------------------------------------------------------- admin endpoints


def test_fault_queue_in_order(server):
    status, data = admin(server, "POST", "faults", {"faults": [
        {"count": 2, "status": 503, "code": "ServiceUnavailable"},
        {"count": 1, "status": 429, "code": "Throttling.User", "retry_after_ms": 1500},
    ]})
    assert status == 200 and data["pending"] == 2
    client = make_client(server)
    for _ in range(2):
        expect_error(lambda: list_models(server, client=client), "ServiceUnavailable", 503, ServerException)
    err = expect_error(lambda: list_models(server, client=client), "Throttling.User", 429, ThrottlingException)
    assert err.retry_after == 1500
    assert list_models(server, client=client) == (4, OWN_ASC)
    assert [r["status"] for r in server.requests()] == [503, 503, 429, 200]


def test_fault_match_applies_only_to_its_action(server):
    server.add_faults([{"status": 500, "code": "InternalError", "match": "GetModel"}])
    client = make_client(server)
    assert list_models(server, client=client) == (4, OWN_ASC)
    expect_error(lambda: client.get_model("m-d", models.GetModelRequest()), "InternalError", 500, ServerException)
    assert client.get_model("m-d", models.GetModelRequest()).body.model_id == "m-d"


def test_fault_body_variants(server):
    server.add_faults([
        {"status": 200, "body": "missing_total"},
        {"status": 200, "body": "missing_models"},
        {"status": 200, "body": "malformed"},
        {"status": 502, "body": "html"},
    ])
    body = json.loads(raw_call(server, "/api/v1/models")["body"])
    assert "TotalCount" not in body and [m["ModelId"] for m in body["Models"]] == OWN_ASC
    body = json.loads(raw_call(server, "/api/v1/models")["body"])
    assert "Models" not in body and body["TotalCount"] == 4
    resp = raw_call(server, "/api/v1/models")
    assert resp["statusCode"] == 200
    with pytest.raises(ValueError):
        json.loads(resp["body"])
    with pytest.raises(UnretryableException):  # the SDK cannot parse an HTML error page
        list_models(server)
    assert [r["status"] for r in server.requests()] == [200, 200, 200, 502]


def test_html_error_page_on_the_wire(server):
    server.add_faults([{"status": 503, "body": "html", "retry_after_ms": 250}])
    status, headers, body = send(server, "GET", "/api/v1/models")
    assert status == 503
    assert headers["content-type"].startswith("text/html")
    assert headers["x-acs-retry-after"] == "250"
    assert body.startswith(b"<html>")


def test_fault_reset_connection_and_delay(server):
    server.add_faults([{"reset_connection": True}, {"status": 200, "delay_ms": 400}])
    client = make_client(server)
    with pytest.raises(UnretryableException):
        list_models(server, client=client)
    started = time.monotonic()
    assert list_models(server, client=client) == (4, OWN_ASC)
    assert time.monotonic() - started >= 0.4
    assert [r["status"] for r in server.requests()] == [None, 200]


def test_invalid_fault_specs_are_400(server):
    for spec in ({"faults": [{"status": 302}]}, {"faults": [{"count": 0}]}, {"faults": [{"body": "weird"}]},
                 {"faults": [{"match": "DeleteModel"}]}, {"faults": [{"colour": 1}]}, {"faults": "x"}, [1]):
        status, data = admin(server, "POST", "faults", spec)
        assert status == 400 and data["Code"] == "InvalidParameter", spec
    assert admin(server, "GET", "faults")[1]["faults"] == []


def test_request_log_and_reset(server):
    sts = make_client(server, STS_KEY, STS_SECRET, security_token=STS_TOKEN)
    list_models(server, client=sts, provider="pai", page_size=1)
    with pytest.raises(ClientException):
        make_client(server, secret="bad").get_model("m-d", models.GetModelRequest())
    make_client(server).get_model_version("m x/1", "v 1/2", models.GetModelVersionRequest())
    status, data = admin(server, "GET", "requests")
    assert status == 200
    log = data["requests"]
    assert [(r["action"], r["status"], r["access_key_id"]) for r in log] == [
        ("ListModels", 200, STS_KEY), ("GetModel", 400, KEY), ("GetModelVersion", 200, KEY)
    ]
    assert log[0]["query"] == {"Provider": "pai", "PageSize": "1"}
    assert log[0]["path"] == "/api/v1/models"
    assert log[2]["path"] == "/api/v1/models/m%20x%2F1/versions/v%201%2F2"
    assert all(isinstance(r["time"], float) and abs(r["time"] - time.time()) < 60 for r in log)
    dumped = json.dumps(data)
    for secret in (SECRET, STS_SECRET, STS_TOKEN, "Signature", "ACS3"):
        assert secret not in dumped
    server.add_faults([{"status": 503}])
    status, _ = admin(server, "POST", "reset")
    assert status == 200
    assert admin(server, "GET", "requests")[1]["requests"] == []
    assert list_models(server) == (4, OWN_ASC)  # the fault was cleared


def test_catalog_replace_and_read(server, tmp_path):
    new = {"Models": [{"ModelId": "only", "ModelName": "only-model", "GmtCreateTime": "2024-01-01T00:00:00Z",
                       "Versions": [_version("1", "2024-01-01T00:00:00Z", "Approved")]}]}
    status, data = admin(server, "PUT", "catalog", new)
    assert (status, data["models"]) == (200, 1)
    assert list_models(server) == (1, ["only"])
    status, data = admin(server, "GET", "catalog")
    assert status == 200
    assert data["Models"][0]["Versions"] == new["Models"][0]["Versions"]
    assert data["Models"][0]["LatestVersion"] == new["Models"][0]["Versions"][0]
    # a bad catalog is refused whole: the old one stays
    bad = {"Models": [{"ModelId": "x"}, {"ModelId": "x"}]}
    status, data = admin(server, "PUT", "catalog", bad)
    assert status == 400 and data["Code"] == "InvalidParameter" and "twice" in data["Message"]
    status, _, body = send(server, "PUT", "/_emulator/catalog", {"Content-Type": "application/json"}, b"{not json")
    assert status == 400
    # a path is not a catalog here: unsigned admin calls must not make the server read its files
    on_disk = tmp_path / "catalog.json"
    on_disk.write_text(json.dumps({"Models": [{"ModelId": "from-disk"}]}), encoding="utf-8")
    status, data = admin(server, "PUT", "catalog", str(on_disk))
    assert status == 400 and data["Code"] == "InvalidParameter"
    status, data = admin(server, "POST", "hooks", {"mutate_after_request": 0, "catalog": str(on_disk)})
    assert status == 400 and data["Code"] == "InvalidParameter"
    assert list_models(server) == (1, ["only"])


def test_hook_changes_catalog_between_pages(server):
    other = {"Models": [{"ModelId": "z-new", "GmtCreateTime": "2020-01-01T00:00:00Z"}]}
    status, _ = admin(server, "POST", "hooks", {"mutate_after_request": 1, "catalog": other})
    assert status == 200
    client = make_client(server)
    assert list_models(server, client=client, page_size=2) == (4, ["m-f", "m-d"])
    assert list_models(server, client=client, page_size=2, page_number=2) == (1, [])
    assert list_models(server, client=client) == (1, ["z-new"])
    status, data = admin(server, "POST", "hooks", {"mutate_after_request": 1, "catalog": {"Models": "x"}})
    assert status == 400 and data["Code"] == "InvalidParameter"


def test_admin_refuses_browser_and_foreign_host(server):
    status, headers, body = send(server, "POST", "/_emulator/reset", {"Origin": "https://evil.example"})
    assert_alibaba_error(status, headers, body, "Forbidden", 403)
    status, headers, body = send(server, "PUT", "/_emulator/catalog", {"Host": "evil.example:80"}, b'{"Models": []}')
    assert_alibaba_error(status, headers, body, "Forbidden", 403)
    assert list_models(server) == (4, OWN_ASC)
    status, headers, body = send(server, "DELETE", "/_emulator/catalog")
    assert_alibaba_error(status, headers, body, "UnsupportedHTTPMethod", 405)
    status, headers, body = send(server, "GET", "/_emulator/nothing")
    assert_alibaba_error(status, headers, body, "InvalidAction.NotFound", 404)
    assert admin(server, "GET", "health")[1]["models"] == len(TEST_CATALOG["Models"])


def test_admin_requests_are_not_logged_and_do_not_consume_faults(server):
    server.add_faults([{"status": 503}])
    admin(server, "GET", "catalog")
    admin(server, "GET", "health")
    assert server.requests() == []
    expect_error(lambda: list_models(server), "ServiceUnavailable", 503, ServerException)


# --------------------------------------------------------------------------- server construction and latency


def test_non_loopback_bind_is_refused_without_the_flag():
    with pytest.raises(ValueError, match="unsigned"):
        EmulatorServer(TEST_CATALOG, host="0.0.0.0")
    with pytest.raises(ValueError, match="admin"):
        EmulatorServer(TEST_CATALOG, host="192.168.1.10")
    with EmulatorServer(TEST_CATALOG, host="0.0.0.0", allow_remote_admin=True) as srv:
        assert srv.endpoint == f"0.0.0.0:{srv.port}"
        status, headers, _ = send(srv, "GET", "/api/v1/models")
        assert status == 400 and headers["x-acs-request-id"]


def test_url_endpoint_lifecycle_and_access_key_forms():
    srv = EmulatorServer(TEST_CATALOG, access_keys={"AK1": "S1"})
    with pytest.raises(RuntimeError):
        srv.url
    srv.start()
    port = srv.port
    try:
        assert re.fullmatch(r"127\.0\.0\.1:\d+", srv.endpoint)
        assert srv.url == f"http://127.0.0.1:{srv.port}"
        assert list_models(srv, client=make_client(srv, "AK1", "S1")) == (4, OWN_ASC)
        expect_error(lambda: list_models(srv, client=make_client(srv)), "InvalidAccessKeyId.NotFound", 404)
    finally:
        srv.stop()
    srv.stop()  # idempotent
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=1)
    with EmulatorServer(TEST_CATALOG) as default_keys:  # the documented public test pair
        client = make_client(default_keys, DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET)
        assert list_models(default_keys, client=client, provider="pai", page_size=1) == (4, ["m-a"])
    for bad in ({"AK": ""}, [("AK",)], [("AK", "S"), ("AK", "S2")], "AK:S"):
        with pytest.raises(ValueError):
            EmulatorServer(TEST_CATALOG, access_keys=bad)
    with pytest.raises(ValueError):
        EmulatorServer({"Models": [{"ModelName": "no id"}]})


def test_latency_is_concurrent():
    with EmulatorServer(TEST_CATALOG, access_keys={KEY: SECRET}, latency_ms=400) as srv:
        durations: list[float] = []
        errors: list[BaseException] = []

        def one() -> None:
            try:
                t0 = time.monotonic()
                assert list_models(srv) == (4, OWN_ASC)
                durations.append(time.monotonic() - t0)
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=one) for _ in range(5)]
        started = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - started
        assert not errors
        assert len(durations) == 5 and min(durations) >= 0.4
        assert elapsed < 1.6  # five serialized sleeps would take 2.0 s
        t0 = time.monotonic()
        assert admin(srv, "GET", "health")[0] == 200
        assert time.monotonic() - t0 < 0.3  # admin requests are not delayed


# --------------------------------------------------------------------------- the backend alone


def test_latest_version_rules():
    cat = Catalog({"Models": [
        {"ModelId": "a", "Versions": [
            _version("1.9.0", "2024-01-01T00:00:00Z", "Approved"),
            _version("1.10.0", "2024-01-01T00:00:00Z", "Approved"),
            _version("0.1.0", "2023-01-01T00:00:00Z", "Approved"),
        ]},
        {"ModelId": "b", "Versions": [
            _version("2.0.0", "2024-01-01T08:00:00+08:00", "Approved"),  # = 00:00Z
            _version("1.0.0", "2024-01-01T00:00:01Z", "Approved"),
        ]},
        {"ModelId": "c", "Versions": []},
    ]})
    assert cat.get_model("a")["LatestVersion"]["VersionName"] == "1.10.0"
    assert cat.get_model("b")["LatestVersion"]["VersionName"] == "1.0.0"
    assert "LatestVersion" not in cat.get_model("c")
    assert cat.list_model_versions("c", {}) == {"TotalCount": 0, "Versions": []}


@pytest.mark.parametrize(
    "data, fragment",
    [
        ({}, "Models"),
        ({"Models": {}}, "Models"),
        ({"Models": ["x"]}, "Models[0]"),
        ({"Models": [{"ModelId": ""}]}, "ModelId"),
        ({"Models": [{"ModelId": "a", "GmtCreateTime": "yesterday"}]}, "GmtCreateTime"),
        ({"Models": [{"ModelId": "a", "Tags": [{"Value": "x"}]}]}, "Tags[0].Key"),
        ({"Models": [{"ModelId": "a", "Collections": "QuickStart"}]}, "Collections"),
        ({"Models": [{"ModelId": "a", "Versions": [{"VersionName": "1"}, {"VersionName": "1"}]}]}, "two versions"),
        ({"Models": [{"ModelId": "a", "LatestVersion": {"Uri": "oss://x/"}}]}, "VersionName"),
    ],
)
def test_bad_catalogs(data, fragment):
    with pytest.raises(CatalogError, match=re.escape(fragment)):
        Catalog(data)
    with pytest.raises(ValueError):
        Catalog(data)


def test_catalog_file_path(tmp_path):
    path = tmp_path / "cat.json"
    path.write_text(json.dumps(TEST_CATALOG, ensure_ascii=False), encoding="utf-8")
    assert Catalog(str(path)).list_models({"Provider": "pai"})["TotalCount"] == 4
    with pytest.raises(CatalogError, match="Cannot read"):
        Catalog(str(tmp_path / "missing.json"))
    (tmp_path / "bad.json").write_text("{", encoding="utf-8")
    with pytest.raises(CatalogError, match="not valid JSON"):
        Catalog(str(tmp_path / "bad.json"))


def test_results_are_copies():
    cat = Catalog(TEST_CATALOG)
    cat.get_model("m-a")["ModelName"] = "changed"
    cat.list_models({"Provider": "pai"})["Models"][0]["Labels"].clear()
    assert cat.get_model("m-a")["ModelName"] == "Alpha-Chat"
    assert cat.get_model("m-a")["Labels"] == [{"Key": "family", "Value": "qwen"}]
    source = copy.deepcopy(TEST_CATALOG)
    cat2 = Catalog(source)
    source["Models"][0]["ModelName"] = "mutated after load"
    assert cat2.get_model("m-a")["ModelName"] == "Alpha-Chat"


def test_replace_is_atomic_under_concurrency():
    one = {"Models": [{"ModelId": f"one-{i:03d}", "GmtCreateTime": "2024-01-01T00:00:00Z"} for i in range(100)]}
    two = {"Models": [{"ModelId": f"two-{i:03d}", "GmtCreateTime": "2024-01-01T00:00:00Z"} for i in range(60)]}
    cat = Catalog(one)
    stop = threading.Event()
    bad: list[Any] = []

    def reader() -> None:
        while not stop.is_set():
            result = cat.list_models({"PageSize": "100"})
            prefixes = {m["ModelId"][:3] for m in result["Models"]}
            expected_total = {"one": 100, "two": 60}
            if len(prefixes) != 1 or result["TotalCount"] != expected_total[prefixes.pop()]:
                bad.append(result["TotalCount"])

    readers = [threading.Thread(target=reader) for _ in range(2)]
    for t in readers:
        t.start()
    for i in range(60):
        cat.replace(two if i % 2 else one)
        time.sleep(0.001)
    stop.set()
    for t in readers:
        t.join()
    assert bad == []


# --------------------------------------------------------------------------- the demo catalog


def test_demo_catalog_contents():
    demo = load_demo_catalog()
    models_ = demo["Models"]
    assert 8 <= len(models_) <= 12
    example_model = json.loads(REFERENCE_EXAMPLE)["Models"][0]
    assert example_model in models_  # verbatim
    own = [m for m in models_ if not m.get("Provider")]
    envs = {t["Value"] for m in own for t in m.get("Tags", []) if t["Key"] == "env"}
    assert {"prod", "staging"} <= envs
    statuses = {v["ApprovalStatus"] for m in models_ for v in m.get("Versions", [])}
    assert {"Approved", "Pending", "Rejected"} <= statuses
    qwen = [m for m in models_ if m.get("Provider") == "pai" and m["ModelName"].startswith("qwen")]
    assert qwen and all(m["Domain"] in ("nlp", "multimodal") and isinstance(m["ParameterSize"], int) for m in qwen)
    uris = [v["Uri"] for m in models_ for v in m.get("Versions", [m.get("LatestVersion")]) if v]
    assert uris and all(u.startswith("oss://") for u in uris)
    assert all("processor" in v["InferenceSpec"] for m in models_ for v in m.get("Versions", []))
    Catalog(demo)  # loads


def test_demo_catalog_served_by_default():
    with EmulatorServer() as srv:
        client = make_client(srv, DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET)
        body = client.list_models_with_options(
            models.ListModelsRequest(provider="pai", model_name='"情感分析"'), {}, RuntimeOptions()
        ).body
        assert [m.model_id for m in body.models] == ["model-1123*****"]
        prod = client.list_models_with_options(
            models.ListModelsRequest(tag=[tag("env", "prod")], page_size=100), {}, RuntimeOptions()
        ).body
        assert prod.total_count >= 1 and all(not m.provider for m in prod.models)


# --------------------------------------------------------------------------- CLI


def _spawn(*args: str) -> subprocess.Popen:
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    return subprocess.Popen(
        [sys.executable, "-m", "pulumi_pai_models.emulator", *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )


def _listening(proc: subprocess.Popen) -> EmulatorServer:
    line = proc.stdout.readline()
    m = re.fullmatch(r"listening on http://127\.0\.0\.1:(\d+)\n", line)
    assert m, (line, proc.stderr.read() if proc.poll() is not None else "")
    stub = types.SimpleNamespace(host="127.0.0.1", port=int(m.group(1)), endpoint=f"127.0.0.1:{m.group(1)}")
    return stub  # type: ignore[return-value]


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_cli_serves_and_stops_on_signal(tmp_path, sig):
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps(TEST_CATALOG), encoding="utf-8")
    proc = _spawn("--catalog", str(path), "--port", "0", "--access-key", "AKcli:SKcli",
                  "--access-key", f"AKsts:SKsts:{STS_TOKEN}")
    try:
        stub = _listening(proc)
        assert list_models(stub, client=make_client(stub, "AKcli", "SKcli"), provider="pai") == (4, PAI_ASC)
        sts = make_client(stub, "AKsts", "SKsts", security_token=STS_TOKEN)
        assert list_models(stub, client=sts) == (4, OWN_ASC)
        proc.send_signal(sig)
        assert proc.wait(timeout=10) == 0
        assert "SKcli" not in proc.stderr.read()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_cli_defaults_to_demo_catalog_and_test_key():
    proc = _spawn()
    try:
        stub = _listening(proc)
        client = make_client(stub, DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET)
        assert client.get_model("model-1123*****", models.GetModelRequest()).body.model_name == "情感分析"
        proc.terminate()
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


@pytest.mark.parametrize(
    "args, fragment",
    [(["--host", "0.0.0.0"], "unsigned"), (["--access-key", "nocolon"], "ID:SECRET"), (["--catalog", "/nonexistent/x.json"], "Cannot read"),
     (["--latency-ms", "-1"], "milliseconds")],
)
def test_cli_rejects_bad_arguments(args, fragment):
    proc = subprocess.run([sys.executable, "-m", "pulumi_pai_models.emulator", *args],
                          capture_output=True, text=True, timeout=30)
    assert proc.returncode == 2
    assert fragment in proc.stderr
    assert proc.stdout == ""
