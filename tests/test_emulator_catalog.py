"""The catalog backend alone (loading, checks, LatestVersion, copies, atomic swaps), the API reference's example, the demo catalog.
"""

from __future__ import annotations

import copy
import json
import re
import threading
import time
from typing import Any

import pytest
from alibabacloud_aiworkspace20210204 import models
from conftest import (
    PAI_ASC,
    TEST_CATALOG,
    ids,
    list_models,
    make_client,
    make_version,
    raw_call,
    tag,
)
from darabonba.runtime import RuntimeOptions
from pulumi_pai_models.emulator import (
    DEFAULT_ACCESS_KEY_ID,
    DEFAULT_ACCESS_KEY_SECRET,
    Catalog,
    CatalogError,
    EmulatorServer,
    load_demo_catalog,
)

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


def test_reference_example_loads_and_is_found_by_its_chinese_name(pai_server):
    example = json.loads(REFERENCE_EXAMPLE)
    pai_server.set_catalog(example)
    client = make_client(pai_server)
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
    raw = json.loads(raw_call(pai_server, "/api/v1/models", {"ModelName": '"情感分析"', "Provider": "pai"})["body"])
    assert raw["Models"] == example["Models"]
    got = client.get_model("model-1123*****", models.GetModelRequest()).body
    assert got.model_name == "情感分析" and got.latest_version.version_name == "0.1.0"
    assert list_models(pai_server, model_name="情感分析") == (0, [])  # public model: not without Provider


def test_latest_version_rules():
    cat = Catalog({"Models": [
        {"ModelId": "a", "Versions": [
            make_version("1.9.0", "2024-01-01T00:00:00Z", "Approved"),
            make_version("1.10.0", "2024-01-01T00:00:00Z", "Approved"),
            make_version("0.1.0", "2023-01-01T00:00:00Z", "Approved"),
        ]},
        {"ModelId": "b", "Versions": [
            make_version("2.0.0", "2024-01-01T08:00:00+08:00", "Approved"),  # = 00:00Z
            make_version("1.0.0", "2024-01-01T00:00:01Z", "Approved"),
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


def test_reference_example_public_model_is_listed_whatever_the_workspace_id(pai_server):
    # The reference's public example model carries a WorkspaceId of its own ("234**"); asked for with
    # another one (as alipai does, sending its session's workspace), it is still listed.
    pai_server.set_catalog(json.loads(REFERENCE_EXAMPLE))
    for workspace in ("234**", "86075"):
        assert ids(pai_server, provider="pai", workspace_id=workspace) == ["model-1123*****"]
    assert ids(pai_server, workspace_id="234**") == []  # without Provider: your own models, and it is public


def test_workspace_rule_in_the_backend_alone():
    cat = Catalog(TEST_CATALOG)
    assert [m["ModelId"] for m in cat.list_models({"Provider": "pai", "WorkspaceId": "ws-9", "PageSize": "100"})["Models"]] == PAI_ASC
    assert [m["ModelId"] for m in cat.list_models({"WorkspaceId": "ws-2"})["Models"]] == ["m-e"]
