"""The admin endpoints that change one model at a time (/_emulator/models/...): add a model, add a version,
change a version, delete either. Each change is made over HTTP, as curl or `pai-models emulator` make it, and
checked through Alibaba's SDK, as a lookup would see it. Expected values are written out from TEST_CATALOG.
"""

from __future__ import annotations

import json
import re
import sys
import threading
from datetime import datetime, timezone
from typing import Any
from urllib.parse import quote

import pytest
from alibabacloud_aiworkspace20210204 import models
from conftest import (
    TEST_CATALOG,
    admin,
    assert_alibaba_error,
    expect_error,
    ids,
    make_catalog,
    make_client,
    send,
)
from pulumi_pai_models.emulator import Catalog


def _model(ref: str) -> str:
    return f"models/{quote(ref, safe='')}"


def _version(ref: str, name: str) -> str:
    return f"{_model(ref)}/versions/{quote(name, safe='')}"


def _latest(srv: Any, model_id: str) -> str | None:
    latest = make_client(srv).get_model(model_id, models.GetModelRequest()).body.latest_version
    return None if latest is None else latest.version_name


def _version_names(srv: Any, model_id: str, **kw: Any) -> list[str]:
    body = make_client(srv).list_model_versions(model_id, models.ListModelVersionsRequest(page_size=100, **kw)).body
    return [v.version_name for v in body.versions]


def _catalog(srv: Any) -> dict[str, Any]:
    """The catalog as GET /_emulator/catalog exports it (without the answer's RequestId)."""
    status, data = admin(srv, "GET", "catalog")
    assert status == 200
    return {"Models": data["Models"]}


class _Clock:
    """The window an admin call happened in, to check the times it filled in."""

    def __enter__(self) -> _Clock:
        self.start = datetime.now(timezone.utc).replace(microsecond=0)
        return self

    def __exit__(self, *exc: Any) -> None:
        self.end = datetime.now(timezone.utc)

    def holds(self, text: str) -> bool:
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", text), text
        return self.start <= datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc) <= self.end


# -- add a version ---------------------------------------------------------------------------------------


def test_a_new_version_becomes_the_latest_and_is_served(pai_server):
    assert _latest(pai_server, "m-d") == "1.2.0"
    with _Clock() as clock:
        status, data = admin(pai_server, "POST", _model("m-d") + "/versions",
                             {"VersionName": "1.3.0", "Uri": "oss://acme/fd/1.3.0/", "ApprovalStatus": "Approved"})
    assert status == 201
    assert data["Version"]["VersionName"] == "1.3.0" and data["Model"]["LatestVersion"]["VersionName"] == "1.3.0"
    assert clock.holds(data["Version"]["GmtCreateTime"]) and clock.holds(data["Version"]["GmtModifiedTime"])
    assert _latest(pai_server, "m-d") == "1.3.0"
    assert _version_names(pai_server, "m-d") == ["0.9.0", "1.0.0", "1.1.0", "1.2.0", "1.3.0"]
    assert _version_names(pai_server, "m-d", approval_status="Approved") == ["1.0.0", "1.1.0", "1.3.0"]
    got = make_client(pai_server).get_model_version("m-d", "1.3.0", models.GetModelVersionRequest()).body
    assert (got.uri, got.approval_status) == ("oss://acme/fd/1.3.0/", "Approved")


def test_an_older_version_is_added_without_becoming_the_latest(pai_server):
    status, data = admin(pai_server, "POST", _model("m-d") + "/versions",
                         {"VersionName": "0.5.0", "GmtCreateTime": "2020-01-01T00:00:00Z"})
    assert status == 201 and data["Model"]["LatestVersion"]["VersionName"] == "1.2.0"
    assert _latest(pai_server, "m-d") == "1.2.0"
    assert _version_names(pai_server, "m-d") == ["0.5.0", "0.9.0", "1.0.0", "1.1.0", "1.2.0"]


def test_a_version_added_to_a_model_with_only_a_latest_version_or_none(pai_server):
    # m-e has only a LatestVersion (2.0.0): it becomes one of its Versions
    status, data = admin(pai_server, "POST", _model("m-e") + "/versions", {"VersionName": "2.1.0"})
    assert status == 201
    assert [v["VersionName"] for v in data["Model"]["Versions"]] == ["2.0.0", "2.1.0"]
    assert _version_names(pai_server, "m-e") == ["2.0.0", "2.1.0"] and _latest(pai_server, "m-e") == "2.1.0"
    # m-b has no version at all
    assert _latest(pai_server, "m-b") is None
    admin(pai_server, "POST", _model("m-b") + "/versions", {"VersionName": "1"})
    assert _latest(pai_server, "m-b") == "1"


def test_a_version_name_taken_is_409_and_changes_nothing(pai_server):
    before = _catalog(pai_server)
    status, headers, body = send(pai_server, "POST", "/_emulator/models/m-d/versions", {"Content-Type": "application/json"},
                                 json.dumps({"VersionName": "1.1.0"}).encode())
    data = assert_alibaba_error(status, headers, body, "ModelVersionAlreadyExists", 409)
    assert "'m-d'" in data["Message"] and "'1.1.0'" in data["Message"]
    assert _catalog(pai_server) == before


@pytest.mark.parametrize(
    "version, names",
    [
        ({"Uri": "oss://x/"}, ["Version.VersionName", "required"]),
        ({"VersionName": ""}, ["Version.VersionName", "empty"]),
        ({"VersionName": "2", "Uri": 7}, ["Version.Uri", "string"]),
        ({"VersionName": "2", "ApprovalStatus": "approved"}, ["Version.ApprovalStatus", "Approved, Pending, Rejected"]),
        ({"VersionName": "2", "GmtCreateTime": "yesterday"}, ["Version.GmtCreateTime", "ISO 8601"]),
        ({"VersionName": "2", "Labels": [{"Value": "v"}]}, ["Version.Labels[0].Key", "required"]),
        (["1.3.0"], ["Version must be an object"]),
    ],
)
def test_a_bad_version_is_400_naming_what_is_wrong(pai_server, version, names):
    before = _catalog(pai_server)
    status, data = admin(pai_server, "POST", _model("m-d") + "/versions", version)
    assert (status, data["Code"]) == (400, "InvalidParameter")
    assert all(name in data["Message"] for name in names), data["Message"]
    assert _catalog(pai_server) == before


# -- change a version ------------------------------------------------------------------------------------


def test_set_status_changes_what_an_approved_lookup_finds(pai_server):
    assert _version_names(pai_server, "m-d", approval_status="Approved") == ["1.0.0", "1.1.0"]
    with _Clock() as clock:
        status, data = admin(pai_server, "PATCH", _version("fraud-detector", "1.1.0"), {"ApprovalStatus": "Rejected"})
    assert status == 200 and data["Version"]["ApprovalStatus"] == "Rejected"
    assert clock.holds(data["Version"]["GmtModifiedTime"])
    assert data["Version"]["GmtCreateTime"] == "2024-04-01T00:00:00Z"  # unchanged
    assert _version_names(pai_server, "m-d", approval_status="Approved") == ["1.0.0"]
    assert _version_names(pai_server, "m-d", approval_status="Rejected") == ["0.9.0", "1.1.0"]
    got = make_client(pai_server).get_model_version("m-d", "1.1.0", models.GetModelVersionRequest()).body
    assert (got.approval_status, got.format_type) == ("Rejected", "PMML")  # the other fields stay


def test_a_change_that_makes_a_version_newest_makes_it_the_latest(pai_server):
    status, data = admin(pai_server, "PATCH", _version("m-d", "1.0.0"), {"GmtCreateTime": "2030-01-01T00:00:00Z"})
    assert status == 200 and data["Model"]["LatestVersion"]["VersionName"] == "1.0.0"
    assert _latest(pai_server, "m-d") == "1.0.0"


def test_a_change_is_a_merge_patch_and_null_removes_a_field(pai_server):
    status, data = admin(pai_server, "PATCH", _version("m-d", "1.2.0"),
                         {"Uri": None, "GmtModifiedTime": "2025-01-01T00:00:00Z", "Labels": [{"Key": "k", "Value": "v"}]})
    assert status == 200
    assert "Uri" not in data["Version"] and data["Version"]["GmtModifiedTime"] == "2025-01-01T00:00:00Z"
    got = make_client(pai_server).get_model_version("m-d", "1.2.0", models.GetModelVersionRequest()).body
    assert got.uri is None and [(label.key, label.value) for label in got.labels] == [("k", "v")]
    assert got.approval_status == "Pending"


@pytest.mark.parametrize(
    "patch, names",
    [
        ({"ApprovalStatus": "OK"}, ["Version.ApprovalStatus", "Approved, Pending, Rejected", "'OK'"]),
        ({"VersionName": "1.9.9"}, ["VersionName cannot be changed"]),
        ({"Uri": ["x"]}, ["Version.Uri", "string"]),
        ("Approved", ["must be an object"]),
    ],
)
def test_a_bad_change_is_400_naming_what_is_wrong(pai_server, patch, names):
    before = _catalog(pai_server)
    status, data = admin(pai_server, "PATCH", _version("m-d", "1.2.0"), patch)
    assert (status, data["Code"]) == (400, "InvalidParameter")
    assert all(name in data["Message"] for name in names), data["Message"]
    assert _catalog(pai_server) == before


# -- delete ----------------------------------------------------------------------------------------------


def test_delete_a_version_and_the_latest_moves_back(pai_server):
    status, data = admin(pai_server, "DELETE", _version("m-d", "1.2.0"))
    assert status == 200
    assert data["Deleted"]["VersionName"] == "1.2.0" and data["Model"]["LatestVersion"]["VersionName"] == "1.1.0"
    assert _latest(pai_server, "m-d") == "1.1.0"
    expect_error(lambda: make_client(pai_server).get_model_version("m-d", "1.2.0", models.GetModelVersionRequest()),
                 "201900003", 404)


def test_delete_the_last_version_leaves_a_model_without_versions(pai_server):
    status, data = admin(pai_server, "DELETE", _version("m-e", "2.0.0"))
    assert status == 200 and data["Model"]["Versions"] == [] and "LatestVersion" not in data["Model"]
    assert _latest(pai_server, "m-e") is None and _version_names(pai_server, "m-e") == []
    exported = next(m for m in _catalog(pai_server)["Models"] if m["ModelId"] == "m-e")
    assert exported["Versions"] == [] and "LatestVersion" not in exported


def test_delete_a_model(pai_server):
    status, data = admin(pai_server, "DELETE", _model("Alpha-Chat"))
    assert status == 200 and data["Deleted"]["ModelId"] == "m-a"
    assert ids(pai_server, provider="pai") == ["m-c", "m-b", "m-g"]
    expect_error(lambda: make_client(pai_server).get_model("m-a", models.GetModelRequest()), "201900002", 404)
    assert admin(pai_server, "GET", "health")[1]["models"] == len(TEST_CATALOG["Models"]) - 1


# -- add a model -----------------------------------------------------------------------------------------


def test_add_a_model_with_versions(pai_server):
    model = {
        "ModelId": "m-new", "ModelName": "new-detector", "WorkspaceId": "ws-1",
        "Tags": [{"Key": "env", "Value": "prod"}],
        "Versions": [
            {"VersionName": "1.0.0", "Uri": "oss://acme/new/1.0.0/", "ApprovalStatus": "Approved",
             "GmtCreateTime": "2024-01-01T00:00:00Z"},
            {"VersionName": "1.1.0", "Uri": "oss://acme/new/1.1.0/", "ApprovalStatus": "Pending"},
        ],
    }
    with _Clock() as clock:
        status, data = admin(pai_server, "POST", "models", model)
    assert status == 201
    added = data["Model"]
    assert clock.holds(added["GmtCreateTime"]) and clock.holds(added["Versions"][1]["GmtCreateTime"])
    assert added["Versions"][0]["GmtCreateTime"] == "2024-01-01T00:00:00Z"  # given: kept
    assert added["LatestVersion"]["VersionName"] == "1.1.0"
    # served to lookups: the newest own model now, filtered as any other
    assert ids(pai_server, workspace_id="ws-1") == ["m-f", "m-d", "m-new"]
    body = make_client(pai_server).get_model("m-new", models.GetModelRequest()).body
    assert (body.model_name, body.latest_version.version_name) == ("new-detector", "1.1.0")
    assert _version_names(pai_server, "m-new", approval_status="Approved") == ["1.0.0"]


def test_add_a_model_without_an_id_gets_one(pai_server):
    status, data = admin(pai_server, "POST", "models", {"ModelName": "anonymous"})
    assert status == 201
    model_id = data["Model"]["ModelId"]
    assert re.fullmatch(r"model-[0-9a-f]{16}", model_id)
    assert "Versions" not in data["Model"] and "LatestVersion" not in data["Model"]
    assert make_client(pai_server).get_model(model_id, models.GetModelRequest()).body.model_name == "anonymous"


def test_add_a_model_with_only_a_latest_version(pai_server):
    status, data = admin(pai_server, "POST", "models", {"ModelId": "m-lv", "LatestVersion": {"VersionName": "3"}})
    assert status == 201 and data["Model"]["LatestVersion"]["VersionName"] == "3"
    assert _version_names(pai_server, "m-lv") == ["3"]


@pytest.mark.parametrize(
    "model, status, code, names",
    [
        ({"ModelId": "m-d"}, 409, "ModelAlreadyExists", ["'m-d'"]),
        ({"ModelId": 5}, 400, "InvalidParameter", ["ModelId", "string"]),
        ({"ModelId": "m-n", "Labels": "x"}, 400, "InvalidParameter", ["(m-n).Labels"]),
        ({"ModelId": "m-n", "Collections": [1]}, 400, "InvalidParameter", ["(m-n).Collections"]),
        ({"ModelId": "m-n", "Versions": [{"VersionName": "1"}, {"VersionName": "1"}]}, 400, "InvalidParameter",
         ["two versions named '1'"]),
        ({"ModelId": "m-n", "Versions": [{"VersionName": "1", "ApprovalStatus": "Yes"}]}, 400, "InvalidParameter",
         ["Model.Versions[0].ApprovalStatus"]),
        ({"ModelId": "m-n", "Versions": {"VersionName": "1"}}, 400, "InvalidParameter", ["Versions must be a list"]),
        ([{"ModelId": "m-n"}], 400, "InvalidParameter", ["Model must be an object"]),
    ],
)
def test_a_bad_model_is_refused_naming_what_is_wrong(pai_server, model, status, code, names):
    before = _catalog(pai_server)
    got_status, data = admin(pai_server, "POST", "models", model)
    assert (got_status, data["Code"]) == (status, code)
    assert all(name in data["Message"] for name in names), data["Message"]
    assert _catalog(pai_server) == before


# -- naming a model: by id, else by exact name ---------------------------------------------------------


def test_a_model_is_named_by_id_or_exact_name_percent_encoded(pai_server):
    # "m x/1" is named "a+b c/d~*'()!": both need percent-encoding in a path, / as %2F
    for ref in ("m x/1", "a+b c/d~*'()!"):
        status, data = admin(pai_server, "PATCH", _version(ref, "v 1/2"), {"ApprovalStatus": "Pending"})
        assert status == 200 and data["Model"]["ModelId"] == "m x/1", ref
    # exact: "alpha-chat" is m-g, not m-a ("Alpha-Chat") nor m-b ("alpha-chat-large")
    status, data = admin(pai_server, "POST", _model("alpha-chat") + "/versions", {"VersionName": "1"})
    assert status == 201 and data["Model"]["ModelId"] == "m-g"
    status, data = admin(pai_server, "DELETE", _model("alpha"))
    assert (status, data["Code"]) == (404, "201900002") and "'alpha'" in data["Message"]


def test_an_id_wins_over_a_name_and_a_shared_name_is_ambiguous(pai_server):
    admin(pai_server, "POST", "models", {"ModelId": "m-twin", "ModelName": "churn"})  # m-e is named churn too
    admin(pai_server, "POST", "models", {"ModelId": "m-odd", "ModelName": "m-d"})  # a name that is another's id
    status, headers, body = send(pai_server, "DELETE", "/_emulator/models/churn")
    data = assert_alibaba_error(status, headers, body, "AmbiguousModelName", 409)
    assert "'m-e'" in data["Message"] and "'m-twin'" in data["Message"]
    status, data = admin(pai_server, "DELETE", _version("m-d", "0.9.0"))
    assert status == 200 and data["Model"]["ModelId"] == "m-d"
    status, data = admin(pai_server, "DELETE", _model("m-twin"))
    assert status == 200
    assert admin(pai_server, "DELETE", _model("churn"))[1]["Deleted"]["ModelId"] == "m-e"  # one left with the name


def test_missing_model_and_version_are_404_in_alibabas_shape(pai_server):
    for method, path, code in [
        ("DELETE", "models/nope", "201900002"),
        ("DELETE", "models/m-d/versions/9.9.9", "201900003"),
        ("PATCH", "models/nope/versions/1", "201900002"),
        ("POST", "models/nope/versions", "201900002"),
    ]:
        body = b'{"VersionName": "1", "ApprovalStatus": "Approved"}' if method != "DELETE" else None
        status, headers, raw = send(pai_server, method, f"/_emulator/{path}", {"Content-Type": "application/json"}, body)
        assert_alibaba_error(status, headers, raw, code, 404)


# -- the rules every admin endpoint follows ----------------------------------------------------------


def test_changes_are_refused_to_browsers_foreign_hosts_and_bad_bodies(pai_server):
    before = _catalog(pai_server)
    body = json.dumps({"VersionName": "6.6.6"}).encode()
    for headers in ({"Origin": "https://evil.example"}, {"Host": "evil.example"}):
        for method, path in [("POST", "models/m-d/versions"), ("DELETE", "models/m-d"), ("PATCH", "models/m-d/versions/1.0.0")]:
            status, got, raw = send(pai_server, method, f"/_emulator/{path}", {**headers, "Content-Type": "application/json"},
                                    body if method != "DELETE" else None)
            assert_alibaba_error(status, got, raw, "Forbidden", 403)
    for path in ("models", "models/m-d/versions"):
        status, got, raw = send(pai_server, "POST", f"/_emulator/{path}", {"Content-Type": "application/json"}, b"{nope")
        data = assert_alibaba_error(status, got, raw, "InvalidParameter", 400)
        assert f"POST /_emulator/{path}" in data["Message"] and "JSON" in data["Message"]
    for path in ("models/", "models/m-d/", "models/m-d/versions/", "models/m-d/tags"):
        status, got, raw = send(pai_server, "DELETE", f"/_emulator/{path}")
        assert_alibaba_error(status, got, raw, "InvalidAction.NotFound", 404)
    assert _catalog(pai_server) == before


def test_concurrent_changes_are_all_kept():
    """Each change starts from the catalog the last one left, however the threads interleave (a change computed
    from an older catalog and swapped in would drop the ones made meanwhile)."""
    catalog = Catalog(make_catalog(2000))  # big enough that building the next catalog takes a while
    workers, each = 8, 25

    def add(worker: int) -> None:
        for i in range(each):
            catalog.add_version(f"model-{worker:06d}", {"VersionName": f"w{i}"})

    threads = [threading.Thread(target=add, args=(w,)) for w in range(workers)]
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(interval)
    for w in range(workers):
        versions = catalog.list_model_versions(f"model-{w:06d}", {"PageSize": "100"})["Versions"]
        assert sorted(v["VersionName"] for v in versions) == sorted(["1.0.0", *(f"w{i}" for i in range(each))])


def test_a_change_survives_a_later_catalog_read_and_a_reset(pai_server):
    admin(pai_server, "POST", _model("m-d") + "/versions", {"VersionName": "1.3.0"})
    exported = next(m for m in _catalog(pai_server)["Models"] if m["ModelId"] == "m-d")
    assert [v["VersionName"] for v in exported["Versions"]][-1] == "1.3.0"
    assert admin(pai_server, "POST", "reset")[0] == 200  # reset clears faults and the log, not the catalog
    assert _latest(pai_server, "m-d") == "1.3.0"
    # and the whole catalog, changed, can be PUT back as it is
    catalog = _catalog(pai_server)
    status, data = admin(pai_server, "PUT", "catalog", catalog)
    assert (status, data["models"]) == (200, len(TEST_CATALOG["Models"]))
    assert _catalog(pai_server) == catalog
