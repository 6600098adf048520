"""GetModel, ListModelVersions and GetModelVersion, through Alibaba's SDK.
"""

from __future__ import annotations

import json
from typing import Any

from alibabacloud_aiworkspace20210204 import models
from conftest import (
    UUID_UPPER,
    expect_error,
    make_client,
    raw_call,
)


def test_get_model_and_missing_model(pai_server):
    client = make_client(pai_server)
    body = client.get_model("m-d", models.GetModelRequest()).body
    assert (body.model_id, body.model_name, body.latest_version.version_name) == ("m-d", "fraud-detector", "1.2.0")
    assert UUID_UPPER.match(body.request_id)
    raw = json.loads(raw_call(pai_server, "/api/v1/models/m-d", action="GetModel")["body"])
    assert "Versions" not in raw and raw["ModelId"] == "m-d"
    expect_error(lambda: client.get_model("nope", models.GetModelRequest()), "201900002", 404)


def test_percent_encoded_path_segments(pai_server):
    client = make_client(pai_server)
    assert client.get_model("m x/1", models.GetModelRequest()).body.model_name == "a+b c/d~*'()!"
    version = client.get_model_version("m x/1", "v 1/2", models.GetModelVersionRequest()).body
    assert version.version_name == "v 1/2"
    assert client.get_model("m x/1", models.GetModelRequest()).body.latest_version.version_name == "v 1/2"
    body = client.list_model_versions("m x/1", models.ListModelVersionsRequest(version_name="v 1/2")).body
    assert [v.version_name for v in body.versions] == ["v 1/2"]


def test_list_model_versions(pai_server):
    client = make_client(pai_server)

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


def test_get_model_version(pai_server):
    client = make_client(pai_server)
    v = client.get_model_version("m-d", "1.1.0", models.GetModelVersionRequest()).body
    assert (v.version_name, v.approval_status, v.format_type) == ("1.1.0", "Approved", "PMML")
    assert v.uri == "oss://bucket.oss-cn-hangzhou.aliyuncs.com/models/1.1.0/"
    assert v.inference_spec == {"processor": "tensorflow_cpu_2.7"}
    # the catalog's own LatestVersion (9.9.9) was replaced by Versions, so it is no version
    expect_error(lambda: client.get_model_version("m-d", "9.9.9", models.GetModelVersionRequest()), "201900003", 404)
    expect_error(lambda: client.get_model_version("nope", "1.0.0", models.GetModelVersionRequest()), "201900002", 404)
    assert client.get_model_version("m-e", "2.0.0", models.GetModelVersionRequest()).body.approval_status == "Approved"
