"""Signatures (ACS3-HMAC-SHA256 and v2), unknown keys, STS tokens, tampered requests.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest
from alibabacloud_aiworkspace20210204 import models
from conftest import (
    KEY,
    OWN_ASC,
    SECRET,
    STS_KEY,
    STS_SECRET,
    STS_TOKEN,
    acs3_headers,
    assert_alibaba_error,
    expect_error,
    list_models,
    make_client,
    raw_call,
    send,
)


def test_wrong_secret(pai_server):
    client = make_client(pai_server, secret="not-the-secret")
    expect_error(lambda: list_models(pai_server, client=client), "SignatureDoesNotMatch", 400)


def test_unknown_access_key(pai_server):
    client = make_client(pai_server, key="LTAIunknown")
    expect_error(lambda: list_models(pai_server, client=client), "InvalidAccessKeyId.NotFound", 404)


def test_missing_authorization(pai_server):
    status, headers, body = send(pai_server, "GET", "/api/v1/models")
    assert_alibaba_error(status, headers, body, "MissingAuthorization", 400)


@pytest.mark.parametrize(
    "authorization",
    ["Bearer abc", "ACS3-HMAC-SHA256 Credential=LTAItestKeyOne", "acs nocolon",
     "ACS3-HMAC-SM3 Credential=a,SignedHeaders=host,Signature=00",
     "ACS3-HMAC-SHA256 Credential=LTAItestKeyOne,SignedHeaders=Host,Signature=" + "0" * 64],
)
def test_malformed_authorization(pai_server, authorization):
    status, headers, body = send(pai_server, "GET", "/api/v1/models", {"Authorization": authorization})
    assert_alibaba_error(status, headers, body, "InvalidAuthorization", 400)


def test_v2_signature(pai_server):
    client = make_client(pai_server, signature_algorithm="v2")
    assert list_models(pai_server, client=client, provider="pai", page_size=2, page_number=2) == (4, ["m-b", "m-g"])
    assert client.get_model_version("m-d", "1.0.0", models.GetModelVersionRequest()).body.approval_status == "Approved"
    assert list_models(pai_server, client=client, label="") == (4, OWN_ASC)  # empty value signs as "Label"
    bad = make_client(pai_server, secret="wrong", signature_algorithm="v2")
    expect_error(lambda: list_models(pai_server, client=bad), "SignatureDoesNotMatch", 400)


@pytest.mark.parametrize("algorithm", [None, "v2"])
def test_sts_token(pai_server, algorithm):
    good = make_client(pai_server, STS_KEY, STS_SECRET, security_token=STS_TOKEN, signature_algorithm=algorithm)
    assert list_models(pai_server, client=good, provider="pai", page_size=1) == (4, ["m-a"])
    wrong = make_client(pai_server, STS_KEY, STS_SECRET, security_token="other-token", signature_algorithm=algorithm)
    expect_error(lambda: list_models(pai_server, client=wrong), "InvalidSecurityToken.MismatchWithAccessKey", 400)
    missing = make_client(pai_server, STS_KEY, STS_SECRET, signature_algorithm=algorithm)
    expect_error(lambda: list_models(pai_server, client=missing), "MissingSecurityToken", 400)
    not_sts = make_client(pai_server, security_token=STS_TOKEN, signature_algorithm=algorithm)
    expect_error(lambda: list_models(pai_server, client=not_sts), "InvalidSecurityToken.MismatchWithAccessKey", 400)
    logged = json.dumps(pai_server.requests())
    assert STS_TOKEN not in logged and STS_SECRET not in logged and SECRET not in logged


def test_tampered_query_fails_the_signature(pai_server):
    query = {"Provider": "pai", "ModelName": "a b+c"}
    headers = acs3_headers(pai_server, "/api/v1/models", query, KEY, SECRET)
    status, _, body = send(pai_server, "GET", "/api/v1/models?" + urlencode(query), headers)
    assert status == 200 and json.loads(body)["TotalCount"] == 0  # control: the untampered request passes
    headers = acs3_headers(pai_server, "/api/v1/models", query, KEY, SECRET)
    status, resp_headers, body = send(pai_server, "GET", "/api/v1/models?" + urlencode({**query, "Provider": "acme"}), headers)
    assert_alibaba_error(status, resp_headers, body, "SignatureDoesNotMatch", 400)
    # '+' in the query is a space: "a b+c" sent as a+b%2Bc, re-encoded as a%20b%2Bc for the signature
    headers = acs3_headers(pai_server, "/api/v1/models", query, KEY, SECRET)
    status, _, _ = send(pai_server, "GET", "/api/v1/models?Provider=pai&ModelName=a%20b%2Bc", headers)
    assert status == 200


def test_accesskey_id_header_must_name_the_signing_key(pai_server):
    sts = {"x-acs-security-token": STS_TOKEN}
    headers = acs3_headers(pai_server, "/api/v1/models", {}, STS_KEY, STS_SECRET, {**sts, "x-acs-accesskey-id": STS_KEY})
    assert send(pai_server, "GET", "/api/v1/models", headers)[0] == 200  # control
    headers = acs3_headers(pai_server, "/api/v1/models", {}, STS_KEY, STS_SECRET, {**sts, "x-acs-accesskey-id": KEY})
    status, resp_headers, body = send(pai_server, "GET", "/api/v1/models", headers)
    assert_alibaba_error(status, resp_headers, body, "InvalidAuthorization", 400)


def test_unsigned_security_token_header_is_rejected(pai_server):
    headers = acs3_headers(pai_server, "/api/v1/models", {}, STS_KEY, STS_SECRET)
    headers["x-acs-security-token"] = STS_TOKEN  # added after signing
    status, resp_headers, body = send(pai_server, "GET", "/api/v1/models", headers)
    assert_alibaba_error(status, resp_headers, body, "SignatureDoesNotMatch", 400)


def test_alipai_shaped_calls_verify_with_the_v2_signature(pai_server):
    # What Alibaba's PAI SDK (alipai) sends: v2 signatures, its session's WorkspaceId on public-model
    # lookups, PageSize=50, the exact-name form, and LabelString / Labels.
    v2 = make_client(pai_server, signature_algorithm="v2")
    query = {"Provider": "pai", "WorkspaceId": "ws-1", "ModelName": '"alpha-chat"', "PageSize": "50", "PageNumber": "1",
             "LabelString": "", "Labels": ""}
    body = json.loads(raw_call(pai_server, "/api/v1/models", query, client=v2)["body"])
    assert (body["TotalCount"], [m["ModelId"] for m in body["Models"]]) == (1, ["m-g"])
    assert v2.get_model("m x/1", models.GetModelRequest()).body.model_name == "a+b c/d~*'()!"
    assert v2.get_model_version("m x/1", "v 1/2", models.GetModelVersionRequest()).body.version_name == "v 1/2"
    body = v2.list_model_versions("m x/1", models.ListModelVersionsRequest(page_size=50, page_number=1)).body
    assert [v.version_name for v in body.versions] == ["1.0.0", "v 1/2"]
    expect_error(lambda: v2.get_model("m-zzz", models.GetModelRequest()), "201900002", 404)
    expect_error(lambda: v2.get_model_version("m-d", "9.9.9", models.GetModelVersionRequest()), "201900003", 404)
    wrong = make_client(pai_server, secret="wrong", signature_algorithm="v2")
    expect_error(lambda: raw_call(pai_server, "/api/v1/models", query, client=wrong), "SignatureDoesNotMatch", 400)
