"""Parity: the emulator answers the recorded requests with the shapes PAI answered them with (always runs, offline).

Each recording under tests/recordings/ (made by the live suite, tests/test_live.py, with PAI_MODELS_LIVE_RECORD=1)
holds the API calls of its lookups and what came back, redacted. Here the emulator serves a catalog of exactly the
models and versions those answers show, every recorded request is sent to it again through Alibaba's SDK (real
signatures), and each answer must have the recorded status and shape: the same keys, recursively, and the same JSON
types (LocalStack's parity snapshots; values are not compared). A second check replays the recorded lookups through
the library and finds that it still sends the recorded requests, so a recording cannot silently go stale.

Until a maintainer records from real PAI (docs/live.md), the one recording is `emulator-made.json`, made by running the
live suite against the emulator as if it were PAI: it proves the machinery, not the emulator's fidelity.
"""

from __future__ import annotations

import copy
import json
from typing import Any
from urllib.parse import unquote

import pytest
from live import recording, target
from pulumi_pai_models import Settings, get_model, get_models
from pulumi_pai_models.emulator import DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET

RECORDINGS = recording.load_all()


def test_there_is_a_recording_and_each_says_where_it_was_made():
    assert "emulator-made.json" in RECORDINGS
    for name, data in RECORDINGS.items():
        assert data["recorded_from"] in ("emulator", "real PAI"), name
        assert (name == "emulator-made.json") == (data["recorded_from"] == "emulator"), name
        assert {c["action"] for c in data["calls"]} == {"ListModels", "GetModel", "ListModelVersions", "GetModelVersion"}, name


@pytest.fixture
def seeded(emulator_server):
    """A factory: the session's emulator serving the catalog a recording implies, to the public test key pair."""

    def serve(calls: list[dict[str, Any]]) -> Any:
        emulator_server.set_access_keys(None)
        emulator_server.set_catalog(recording.catalog_of(calls))
        emulator_server.reset()
        return emulator_server

    yield serve
    emulator_server.reset()


def settings_for(server: Any) -> Any:
    return Settings(endpoint=server.url, access_key_id=DEFAULT_ACCESS_KEY_ID, access_key_secret=DEFAULT_ACCESS_KEY_SECRET).resolved()


def replay(server: Any, calls: list[dict[str, Any]]) -> list[str]:
    """Each recorded call sent to `server`; the differences of status and shape, one line each."""
    client = target.sdk_client(settings_for(server))
    found = []
    for i, recorded in enumerate(calls):
        call = target.Call(recorded["scope"], recorded["action"], recorded["pattern"], dict(recorded["params"]), dict(recorded["query"]))
        target.send(client, call)
        where = f"call {i} ({call.action} {call.pathname()})"
        if call.status != recorded["status"]:
            found.append(f"{where}: status {recorded['status']} recorded, {call.status} from the emulator")
        found += [f"{where}: {line}" for line in recording.differences(recording.shape(recorded["body"]), recording.shape(call.body))]
    return found


@pytest.mark.parametrize("name", sorted(RECORDINGS))
def test_the_emulator_answers_the_recorded_requests_in_the_recorded_shapes(seeded, name):
    calls = RECORDINGS[name]["calls"]
    assert replay(seeded(calls), calls) == []


@pytest.mark.parametrize("name", sorted(RECORDINGS))
def test_the_library_still_sends_the_recorded_requests(seeded, name):
    calls = RECORDINGS[name]["calls"]
    server = seeded(calls)
    recorded = {(c["action"], c["pattern"].format(**c["params"]), json.dumps(c["query"], sort_keys=True)) for c in calls}
    settings = Settings(endpoint=server.url, access_key_id=DEFAULT_ACCESS_KEY_ID, access_key_secret=DEFAULT_ACCESS_KEY_SECRET)
    for scope in ("public", "own"):
        scoped = [c for c in calls if c["scope"] == scope and c["status"] == 200]
        if not scoped:
            continue
        asked = {k: v for k, v in scoped[0]["query"].items() if k not in ("PageNumber", "PageSize")}
        arguments = {"provider": asked["Provider"], "model_name": asked["ModelName"]} if scope == "public" else {"workspace_id": asked["WorkspaceId"]}
        chosen = get_model(**arguments, most_recent=True, settings=settings)
        assert chosen.model_id == scoped[1]["params"]["ModelId"]  # the recording's pick is the library's
        get_models(**arguments, settings=settings)
        get_model(**arguments, most_recent=True, version=chosen.version_name, settings=settings)
    sent = {(r["action"], unquote(r["path"]), json.dumps(r["query"], sort_keys=True)) for r in server.requests()}
    assert sent <= recorded, sorted(sent - recorded)


# -- the comparison itself, on the committed recording ---------------------------------------------------------------


def test_a_field_the_emulator_lacks_is_a_difference(seeded):
    calls = RECORDINGS["emulator-made.json"]["calls"]
    server = seeded(calls)  # the catalog as recorded
    changed = copy.deepcopy(calls)
    get_model_call = next(c for c in changed if c["action"] == "GetModel" and c["status"] == 200)
    get_model_call["body"]["NewField"] = {"Nested": 1}  # as if PAI answered with a field the emulator does not know
    listing = next(c for c in changed if c["action"] == "ListModels")
    listing["body"]["TotalCount"] = str(listing["body"]["TotalCount"])  # as if PAI sent the count as text
    versions = next(c for c in changed if c["action"] == "ListModelVersions")
    versions["body"]["Versions"] = []  # as if PAI listed no versions
    found = replay(server, changed)
    assert any("$.NewField: in the recording, missing from the emulator's answer" in line for line in found), found
    assert any('$.TotalCount: "string" in the recording, "integer" from the emulator' in line for line in found), found
    assert any("$.Versions[]: the recording's list is empty" in line for line in found), found
    assert len(found) == 3, found


def test_shapes_compare_keys_and_types_not_values():
    assert recording.shape({"a": 1, "b": [{"x": "s"}, {"y": None}]}) == recording.shape({"b": [{"y": None, "x": "t"}], "a": 7})
    assert recording.differences(recording.shape({"a": 1}), recording.shape({"a": 1.5})) == ['$.a: "integer" in the recording, "number" from the emulator']
    assert recording.differences(recording.shape({"a": [1]}), recording.shape({"a": [1, "x"]})) == [
        '$.a[]: "integer" in the recording, ["integer", "string"] from the emulator']
    assert recording.differences(recording.shape({"a": {"b": 1}}), recording.shape({"a": {"c": 1}})) == [
        "$.a.b: in the recording, missing from the emulator's answer", "$.a.c: in the emulator's answer, not in the recording"]


# -- redaction ------------------------------------------------------------------------------------------------------

ACCOUNT = "1234567890123456"
RAW_CALLS = [
    {"scope": "own", "action": "ListModels", "pattern": "/api/v1/models", "params": {}, "query": {"WorkspaceId": "98765", "PageSize": "100"},
     "status": 200, "body": {"RequestId": "11111111-AAAA", "TotalCount": 1, "Models": [
         {"ModelId": "model-secretid", "ModelName": "acme-fraud", "WorkspaceId": "98765", "OwnerId": ACCOUNT, "Domain": "nlp",
          "GmtCreateTime": "2024-01-01T00:00:00Z", "Tags": [{"Key": "team", "Value": "acme-risk"}], "ParameterSize": 7,
          "LatestVersion": {"VersionName": "2.1.0", "Uri": f"oss://acme-bucket/{ACCOUNT}/fraud/", "ApprovalStatus": "Approved"}}]}},
    {"scope": "own", "action": "GetModel", "pattern": "/api/v1/models/{ModelId}", "params": {"ModelId": "model-secretid"}, "query": {},
     "status": 200, "body": {"RequestId": "22222222-BBBB", "ModelId": "model-secretid", "ModelName": "acme-fraud"}},
    {"scope": "public", "action": "GetModel", "pattern": "/api/v1/models/{ModelId}", "params": {"ModelId": "nope"}, "query": {},
     "status": 404, "body": {"RequestId": "33333333-CCCC", "Code": "201900002", "HostId": "aiworkspace.cn-hangzhou.aliyuncs.com",
                             "Recommend": "https://api.aliyun.com/troubleshoot?q=201900002&requestId=33333333-CCCC"}},
]  # fmt: skip


def test_redaction_keeps_nothing_of_the_account_and_is_deterministic():
    redacted = recording.redact(copy.deepcopy(RAW_CALLS))
    text = json.dumps(redacted, ensure_ascii=False)
    for secret in (ACCOUNT, "98765", "model-secretid", "acme-fraud", "acme-risk", "acme-bucket", "11111111-AAAA", "33333333-CCCC"):
        assert secret not in text, secret
    assert redacted == recording.redact(copy.deepcopy(RAW_CALLS))  # the same input, the same file
    other_ids = json.loads(json.dumps(RAW_CALLS).replace("11111111-AAAA", "99999999-ZZZZ"))
    assert recording.redact(other_ids) == redacted  # a fresh request id changes nothing
    model = redacted[0]["body"]["Models"][0]
    # the same value, the same placeholder, in the query, the path and the bodies; types, timestamps, enumerations kept
    assert redacted[0]["query"] == {"WorkspaceId": "<WorkspaceId-1>", "PageSize": "100"} and model["WorkspaceId"] == "<WorkspaceId-1>"
    assert redacted[1]["params"]["ModelId"] == model["ModelId"] == redacted[1]["body"]["ModelId"] == "<ModelId-1>"
    assert redacted[1]["body"]["ModelName"] == model["ModelName"]
    assert (model["Domain"], model["GmtCreateTime"], model["ParameterSize"]) == ("nlp", "2024-01-01T00:00:00Z", 7)
    assert model["LatestVersion"]["ApprovalStatus"] == "Approved"
    assert redacted[2]["body"]["Recommend"] == "https://api.aliyun.com/troubleshoot?q=201900002&requestId=<RequestId>"
    assert redacted[2]["params"] == {"ModelId": "<ModelId-2>"}
    assert [recording.shape(c["body"]) for c in redacted] == [recording.shape(c["body"]) for c in RAW_CALLS]


def test_the_suite_records_every_page_the_library_reads():
    first = target.Call("public", "ListModels", "/api/v1/models", {}, {"Provider": "pai", "PageNumber": "1", "PageSize": "100"}, 200,
                        {"TotalCount": 201, "Models": []})  # fmt: skip
    pages = target.further_pages(first, 100)
    assert [p.query for p in pages] == [{"Provider": "pai", "PageNumber": str(n), "PageSize": "100"} for n in (2, 3)]
    assert target.further_pages(target.Call("public", "ListModels", "/api/v1/models", status=200, body={"TotalCount": 100}), 100) == []
