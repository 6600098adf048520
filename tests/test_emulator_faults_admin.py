"""The admin endpoints (/_emulator/*): injected faults, the request log, reset, catalog replacement and hooks.
"""

from __future__ import annotations

import json
import time

import pytest
from alibabacloud_aiworkspace20210204 import models
from alibabacloud_tea_openapi.exceptions import ClientException, ServerException, ThrottlingException
from conftest import (
    KEY,
    OWN_ASC,
    SECRET,
    STS_KEY,
    STS_SECRET,
    STS_TOKEN,
    TEST_CATALOG,
    admin,
    assert_alibaba_error,
    expect_error,
    list_models,
    make_client,
    make_version,
    raw_call,
    send,
)
from darabonba.exceptions import UnretryableException


def test_fault_queue_in_order(pai_server):
    status, data = admin(pai_server, "POST", "faults", {"faults": [
        {"count": 2, "status": 503, "code": "ServiceUnavailable"},
        {"count": 1, "status": 429, "code": "Throttling.User", "retry_after_ms": 1500},
    ]})
    assert status == 200 and data["pending"] == 2
    client = make_client(pai_server)
    for _ in range(2):
        expect_error(lambda: list_models(pai_server, client=client), "ServiceUnavailable", 503, ServerException)
    err = expect_error(lambda: list_models(pai_server, client=client), "Throttling.User", 429, ThrottlingException)
    assert err.retry_after == 1500
    assert list_models(pai_server, client=client) == (4, OWN_ASC)
    assert [r["status"] for r in pai_server.requests()] == [503, 503, 429, 200]


def test_fault_match_applies_only_to_its_action(pai_server):
    pai_server.add_faults([{"status": 500, "code": "InternalError", "match": "GetModel"}])
    client = make_client(pai_server)
    assert list_models(pai_server, client=client) == (4, OWN_ASC)
    expect_error(lambda: client.get_model("m-d", models.GetModelRequest()), "InternalError", 500, ServerException)
    assert client.get_model("m-d", models.GetModelRequest()).body.model_id == "m-d"


def test_fault_body_variants(pai_server):
    pai_server.add_faults([
        {"status": 200, "body": "missing_total"},
        {"status": 200, "body": "missing_models"},
        {"status": 200, "body": "malformed"},
        {"status": 502, "body": "html"},
    ])
    body = json.loads(raw_call(pai_server, "/api/v1/models")["body"])
    assert "TotalCount" not in body and [m["ModelId"] for m in body["Models"]] == OWN_ASC
    body = json.loads(raw_call(pai_server, "/api/v1/models")["body"])
    assert "Models" not in body and body["TotalCount"] == 4
    resp = raw_call(pai_server, "/api/v1/models")
    assert resp["statusCode"] == 200
    with pytest.raises(ValueError):
        json.loads(resp["body"])
    with pytest.raises(UnretryableException):  # the SDK cannot parse an HTML error page
        list_models(pai_server)
    assert [r["status"] for r in pai_server.requests()] == [200, 200, 200, 502]


def test_html_error_page_on_the_wire(pai_server):
    pai_server.add_faults([{"status": 503, "body": "html", "retry_after_ms": 250}])
    status, headers, body = send(pai_server, "GET", "/api/v1/models")
    assert status == 503
    assert headers["content-type"].startswith("text/html")
    assert headers["x-acs-retry-after"] == "250"
    assert body.startswith(b"<html>")


def test_fault_reset_connection_and_delay(pai_server):
    pai_server.add_faults([{"reset_connection": True}, {"status": 200, "delay_ms": 400}])
    client = make_client(pai_server)
    with pytest.raises(UnretryableException):
        list_models(pai_server, client=client)
    started = time.monotonic()
    assert list_models(pai_server, client=client) == (4, OWN_ASC)
    assert time.monotonic() - started >= 0.4
    assert [r["status"] for r in pai_server.requests()] == [None, 200]


def test_invalid_fault_specs_are_400(pai_server):
    for spec in ({"faults": [{"status": 302}]}, {"faults": [{"count": 0}]}, {"faults": [{"body": "weird"}]},
                 {"faults": [{"match": "DeleteModel"}]}, {"faults": [{"colour": 1}]}, {"faults": "x"}, [1]):
        status, data = admin(pai_server, "POST", "faults", spec)
        assert status == 400 and data["Code"] == "InvalidParameter", spec
    assert admin(pai_server, "GET", "faults")[1]["faults"] == []


def test_request_log_and_reset(pai_server):
    sts = make_client(pai_server, STS_KEY, STS_SECRET, security_token=STS_TOKEN)
    list_models(pai_server, client=sts, provider="pai", page_size=1)
    with pytest.raises(ClientException):
        make_client(pai_server, secret="bad").get_model("m-d", models.GetModelRequest())
    make_client(pai_server).get_model_version("m x/1", "v 1/2", models.GetModelVersionRequest())
    status, data = admin(pai_server, "GET", "requests")
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
    pai_server.add_faults([{"status": 503}])
    status, _ = admin(pai_server, "POST", "reset")
    assert status == 200
    assert admin(pai_server, "GET", "requests")[1]["requests"] == []
    assert list_models(pai_server) == (4, OWN_ASC)  # the fault was cleared


def test_catalog_replace_and_read(pai_server, tmp_path):
    new = {"Models": [{"ModelId": "only", "ModelName": "only-model", "GmtCreateTime": "2024-01-01T00:00:00Z",
                       "Versions": [make_version("1", "2024-01-01T00:00:00Z", "Approved")]}]}
    status, data = admin(pai_server, "PUT", "catalog", new)
    assert (status, data["models"]) == (200, 1)
    assert list_models(pai_server) == (1, ["only"])
    status, data = admin(pai_server, "GET", "catalog")
    assert status == 200
    assert data["Models"][0]["Versions"] == new["Models"][0]["Versions"]
    assert data["Models"][0]["LatestVersion"] == new["Models"][0]["Versions"][0]
    # a bad catalog is refused whole: the old one stays
    bad = {"Models": [{"ModelId": "x"}, {"ModelId": "x"}]}
    status, data = admin(pai_server, "PUT", "catalog", bad)
    assert status == 400 and data["Code"] == "InvalidParameter" and "twice" in data["Message"]
    status, _, _ = send(pai_server, "PUT", "/_emulator/catalog", {"Content-Type": "application/json"}, b"{not json")
    assert status == 400
    # a path is not a catalog here: unsigned admin calls must not make the server read its files
    on_disk = tmp_path / "catalog.json"
    on_disk.write_text(json.dumps({"Models": [{"ModelId": "from-disk"}]}), encoding="utf-8")
    status, data = admin(pai_server, "PUT", "catalog", str(on_disk))
    assert status == 400 and data["Code"] == "InvalidParameter"
    status, data = admin(pai_server, "POST", "hooks", {"mutate_after_request": 0, "catalog": str(on_disk)})
    assert status == 400 and data["Code"] == "InvalidParameter"
    assert list_models(pai_server) == (1, ["only"])


def test_hook_changes_catalog_between_pages(pai_server):
    other = {"Models": [{"ModelId": "z-new", "GmtCreateTime": "2020-01-01T00:00:00Z"}]}
    status, _ = admin(pai_server, "POST", "hooks", {"mutate_after_request": 1, "catalog": other})
    assert status == 200
    client = make_client(pai_server)
    assert list_models(pai_server, client=client, page_size=2) == (4, ["m-f", "m-d"])
    assert list_models(pai_server, client=client, page_size=2, page_number=2) == (1, [])
    assert list_models(pai_server, client=client) == (1, ["z-new"])
    status, data = admin(pai_server, "POST", "hooks", {"mutate_after_request": 1, "catalog": {"Models": "x"}})
    assert status == 400 and data["Code"] == "InvalidParameter"


def test_admin_refuses_browser_and_foreign_host(pai_server):
    status, headers, body = send(pai_server, "POST", "/_emulator/reset", {"Origin": "https://evil.example"})
    assert_alibaba_error(status, headers, body, "Forbidden", 403)
    status, headers, body = send(pai_server, "PUT", "/_emulator/catalog", {"Host": "evil.example:80"}, b'{"Models": []}')
    assert_alibaba_error(status, headers, body, "Forbidden", 403)
    assert list_models(pai_server) == (4, OWN_ASC)
    status, headers, body = send(pai_server, "DELETE", "/_emulator/catalog")
    assert_alibaba_error(status, headers, body, "UnsupportedHTTPMethod", 405)
    status, headers, body = send(pai_server, "GET", "/_emulator/nothing")
    assert_alibaba_error(status, headers, body, "InvalidAction.NotFound", 404)
    assert admin(pai_server, "GET", "health")[1]["models"] == len(TEST_CATALOG["Models"])


def test_admin_requests_are_not_logged_and_do_not_consume_faults(pai_server):
    pai_server.add_faults([{"status": 503}])
    admin(pai_server, "GET", "catalog")
    admin(pai_server, "GET", "health")
    assert pai_server.requests() == []
    expect_error(lambda: list_models(pai_server), "ServiceUnavailable", 503, ServerException)
