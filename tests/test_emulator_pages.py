"""The emulator's ListModels pages, joined from each model's JSON encoded once (`Catalog.list_models_encoded`), are
byte for byte what encoding the catalog's answer (`Catalog.list_models`, deep copies) gives, on the wire."""

from __future__ import annotations

import http.client
import json
from urllib.parse import quote, urlencode

import pytest
from conftest import acs3_headers
from pulumi_pai_models.emulator import DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, load_demo_catalog

QUERIES = [
    {},
    {"Provider": "pai"},  # public models, one named in Chinese: UTF-8, not \\u escapes
    {"Provider": "pai", "PageSize": "2", "PageNumber": "2"},
    {"Provider": "pai", "PageSize": "100", "PageNumber": "9"},  # past the end: no models, the full TotalCount
    {"Provider": "pai", "Order": "DESC", "PageSize": "3"},
    {"ModelName": "qwen"},
]


def get(emulator, query: dict) -> tuple[int, str, bytes]:
    headers = acs3_headers(emulator, "/api/v1/models", query, DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET)
    target = "/api/v1/models" + ("?" + urlencode(query, quote_via=quote, safe="~") if query else "")
    conn = http.client.HTTPConnection(emulator.host, emulator.port, timeout=10)
    try:
        conn.putrequest("GET", target, skip_host=True, skip_accept_encoding=True)
        for name, value in headers.items():
            conn.putheader(name, value)
        conn.endheaders()
        answer = conn.getresponse()
        return answer.status, answer.getheader("x-acs-request-id") or "", answer.read()
    finally:
        conn.close()


@pytest.mark.parametrize("query", QUERIES, ids=[json.dumps(q) for q in QUERIES])
def test_a_page_on_the_wire_is_the_catalogs_answer_encoded(emulator, query):
    emulator.set_catalog(load_demo_catalog())
    for _ in range(2):  # the second time from the encodings kept
        status, request_id, body = get(emulator, query)
        assert status == 200
        expected = json.dumps({"RequestId": request_id, **emulator.catalog.list_models(query)}, ensure_ascii=False)
        assert body == expected.encode("utf-8")
    if query.get("Provider") == "pai" and "PageSize" not in query:
        assert "情感分析".encode() in body


def test_a_new_catalog_is_encoded_anew(emulator):
    catalog = load_demo_catalog()
    emulator.set_catalog(catalog)
    get(emulator, {"Provider": "pai"})
    catalog["Models"][0]["ModelName"] = "renamed-after-the-first-page"
    emulator.set_catalog(catalog)
    _, _, body = get(emulator, {"Provider": "pai"})
    assert b"renamed-after-the-first-page" in body
