"""Sorting and paging of ListModels: order, ties, page sizes, pages past the end, a large catalog.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from conftest import (
    PAI_ASC,
    ids,
    list_models,
    make_catalog,
    make_client,
    raw_call,
)


def test_order_and_tie_break(pai_server):
    assert ids(pai_server, provider="pai", order="DESC") == ["m-g", "m-b", "m-a", "m-c"]  # m-a/m-c tie: ModelId ascending
    assert ids(pai_server, provider="pai", order="desc") == ["m-g", "m-b", "m-a", "m-c"]
    assert ids(pai_server, provider="pai", order="asc", sort_by="GmtCreateTime") == PAI_ASC


def test_paging(pai_server):
    assert list_models(pai_server, provider="pai", page_size=2) == (4, ["m-a", "m-c"])
    assert list_models(pai_server, provider="pai", page_size=2, page_number=2) == (4, ["m-b", "m-g"])
    assert list_models(pai_server, provider="pai", page_size=2, page_number=3) == (4, [])
    assert list_models(pai_server, provider="pai", page_size=3, page_number=2, order="DESC") == (4, ["m-c"])
    assert list_models(pai_server, provider="pai", page_number=1000000) == (4, [])


def test_default_page_size_is_10(pai_server):
    many = {"Models": [{"ModelId": f"m{i:02d}", "GmtCreateTime": "2024-01-01T00:00:00Z"} for i in range(23)]}
    pai_server.set_catalog(many)
    assert list_models(pai_server) == (23, [f"m{i:02d}" for i in range(10)])
    assert list_models(pai_server, page_number=3) == (23, ["m20", "m21", "m22"])


def test_paging_1234_models_has_no_loss_or_duplicates(pai_server):
    base = datetime(2024, 1, 1, tzinfo=timezone.utc)
    generated = []
    for i in range(1234):
        created = base + timedelta(minutes=(i * 7919) % 97)  # 97 distinct times: many ties
        generated.append({"ModelId": f"gen-{(i * 31) % 1234:04d}", "ModelName": f"gen {i}",
                          "GmtCreateTime": created.strftime("%Y-%m-%dT%H:%M:%SZ")})
    pai_server.set_catalog({"Models": generated})
    expected = [m["ModelId"] for m in sorted(generated, key=lambda m: (m["GmtCreateTime"], m["ModelId"]))]
    client = make_client(pai_server)
    for order, want in (("ASC", expected), ("DESC", None)):
        seen: list[str] = []
        page = 1
        while True:
            total, got = list_models(pai_server, client=client, page_size=100, page_number=page, order=order)
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


def test_alipai_pages_of_50_until_an_empty_page(pai_server):
    # Alibaba's PAI SDK (alipai) pages with PageSize=50 until a page comes back empty, sending its
    # session's WorkspaceId and signing with v2: the page past the end must be an empty list, not an error.
    pai_server.set_catalog(make_catalog(120))
    client = make_client(pai_server, signature_algorithm="v2")
    seen: list[str] = []
    page = 1
    while True:
        total, got = list_models(pai_server, client=client, provider="pai", workspace_id="ws-1", page_size=50, page_number=page)
        assert total == 120
        if not got:
            break
        assert len(got) == (50 if page < 3 else 20)
        seen.extend(got)
        page += 1
    assert page == 4  # 50 + 50 + 20, then an empty page
    assert seen == [f"model-{i:06d}" for i in range(120)]


def test_page_past_the_end_is_an_empty_list_with_the_total(pai_server):
    for page in ("3", "1000000"):
        resp = raw_call(pai_server, "/api/v1/models", {"Provider": "pai", "PageSize": "2", "PageNumber": page})
        assert resp["statusCode"] == 200
        body = json.loads(resp["body"])
        assert (body["TotalCount"], body["Models"]) == (4, [])
    body = json.loads(raw_call(pai_server, "/api/v1/models/m-d/versions", {"PageSize": "50", "PageNumber": "2"},
                               action="ListModelVersions")["body"])
    assert (body["TotalCount"], body["Versions"]) == (4, [])
