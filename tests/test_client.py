"""The client over Alibaba's SDK against the emulator over HTTP: paging, typed results, retries, errors."""

from __future__ import annotations

import copy
import gc
import math
from collections.abc import Callable
from typing import Any

import pytest
from conftest import api_requests, make_catalog
from pulumi_pai_models import ApiError, ConfigurationError, ModelQuery, PaiModelsClient, Settings
from pulumi_pai_models import client as client_module
from pulumi_pai_models.emulator import load_demo_catalog


def test_paging_1200_models_concurrently_loses_and_doubles_nothing(emulator, settings):
    catalog = make_catalog(1234)
    emulator.set_catalog(catalog)
    client = PaiModelsClient(Settings(max_concurrency=4).over(settings))
    listing = client.list_models(ModelQuery.build(provider="pai"))
    expected = sorted(catalog["Models"], key=lambda m: (m["GmtCreateTime"], m["ModelId"]))
    assert [m.model_id for m in listing.items] == [m["ModelId"] for m in expected]
    assert listing.total_count == 1234 and listing.pages == 13
    pages = api_requests(emulator, "ListModels")
    assert len(pages) == math.ceil(1234 / 100)
    assert sorted(int(r["query"]["PageNumber"]) for r in pages) == list(range(1, 14))
    assert {r["query"]["PageSize"] for r in pages} == {"100"}


def test_desc_order_is_the_servers_order(emulator, settings):
    emulator.set_catalog(make_catalog(250))
    listing = PaiModelsClient(settings).list_models(ModelQuery.build(provider="pai", order="DESC"))
    ids = [m.model_id for m in listing.items]
    assert ids == sorted(ids, reverse=True)  # synthetic ids grow with creation time
    assert len(set(ids)) == 250


def test_reference_example_loads_and_every_field_is_typed(emulator, settings):
    demo = load_demo_catalog()
    reference = next(m for m in demo["Models"] if m["ModelName"] == "情感分析")
    extended = copy.deepcopy(reference)
    extended["FieldAlibabaAddsLater"] = {"kept": True}
    emulator.set_catalog({"Models": [extended]})
    [model] = PaiModelsClient(settings).list_models(ModelQuery.build(model_name="情感分析", provider="pai")).items
    assert model.model_id == reference["ModelId"]
    assert model.parameter_size == reference["ParameterSize"]
    assert model.gmt_create_time.isoformat() == "2021-01-21T17:12:35+00:00"
    assert [(t.key, t.value) for t in model.tags] == [(t["Key"], t["Value"]) for t in reference["Tags"]]
    assert model.extra_info == reference["ExtraInfo"]
    v = model.latest_version
    assert v.uri == reference["LatestVersion"]["Uri"]
    assert v.inference_spec == {"processor": "tensorflow_gpu_1.12"}
    assert v.metrics == reference["LatestVersion"]["Metrics"]
    assert model.to_dict()["FieldAlibabaAddsLater"] == {"kept": True}


def test_get_model_and_versions(emulator, settings):
    client = PaiModelsClient(settings)
    demo = load_demo_catalog()
    with_versions = next(m for m in demo["Models"] if len(m.get("Versions", [])) >= 2)
    model = client.get_model(with_versions["ModelId"])
    assert model.model_name == with_versions["ModelName"]
    versions = client.list_model_versions(with_versions["ModelId"])
    assert sorted(v.version_name for v in versions) == sorted(v["VersionName"] for v in with_versions["Versions"])
    name = with_versions["Versions"][0]["VersionName"]
    assert client.get_model_version(with_versions["ModelId"], name).uri == with_versions["Versions"][0]["Uri"]
    assert client.get_model("model-does-not-exist") is None
    assert client.get_model_version(with_versions["ModelId"], "9.9.9-missing") is None


def test_retries_on_503_then_succeeds_counting_requests(emulator, settings):
    emulator.add_faults([{"count": 2, "status": 503, "code": "ServiceUnavailable"}])
    listing = PaiModelsClient(settings).list_models(ModelQuery.build(provider="pai"))
    assert listing.total_count > 0
    statuses = [r["status"] for r in api_requests(emulator, "ListModels")]
    assert statuses == [503, 503, 200]


def test_throttling_honours_retry_after(emulator, settings):
    emulator.add_faults([{"count": 1, "status": 429, "code": "Throttling.User", "retry_after_ms": 300}])
    waits = []
    client = PaiModelsClient(settings, sleep=waits.append)
    client.list_models(ModelQuery.build(provider="pai"))
    assert [r["status"] for r in api_requests(emulator, "ListModels")] == [429, 200]
    assert waits and waits[0] >= 0.3


def test_gives_up_after_max_attempts_naming_call_code_status_and_request_id(emulator, settings):
    emulator.add_faults([{"count": 10, "status": 500, "code": "InternalError"}])
    client = PaiModelsClient(Settings(max_attempts=3).over(settings))
    with pytest.raises(ApiError) as info:
        client.list_models(ModelQuery.build())
    error = info.value
    assert len(api_requests(emulator, "ListModels")) == 3
    assert (error.call, error.code, error.status_code, error.attempts) == ("ListModels", "InternalError", 500, 3)
    assert error.request_id and error.request_id in str(error)
    assert "ListModels failed" in str(error) and "after 3 attempts" in str(error)


def test_client_errors_are_not_retried(emulator, settings):
    client = PaiModelsClient(Settings(access_key_id="LTAIunknown", access_key_secret="x").over(settings))
    with pytest.raises(ApiError) as info:
        client.list_models(ModelQuery.build())
    assert info.value.code == "InvalidAccessKeyId.NotFound" and info.value.status_code == 404
    assert len(api_requests(emulator)) == 1


def test_backoff_grows_and_is_capped(settings):
    client = PaiModelsClient(Settings(backoff_base_ms=100, backoff_max_ms=800).over(settings))
    for attempt, (low, high) in enumerate([(50, 100), (100, 200), (200, 400), (400, 800), (400, 800)], start=1):
        for _ in range(20):
            assert low <= client._backoff_ms(attempt, None) <= high
    assert client._backoff_ms(1, 5000) == 5000


def test_configuration_errors_say_what_to_set():
    with pytest.raises(ConfigurationError) as info:
        PaiModelsClient(Settings())
    assert "pai-models:region (or alicloud:region)" in str(info.value) and "ALIBABA_CLOUD_REGION_ID" in str(info.value)
    with pytest.raises(ConfigurationError) as info:
        PaiModelsClient(Settings(region="cn-hangzhou", access_key_id="AK"))
    assert "secret is missing" in str(info.value)
    with pytest.raises(ConfigurationError) as info:
        PaiModelsClient(Settings(region="cn-hangzhou", protocol="http"))
    assert "explicit endpoint" in str(info.value)
    assert PaiModelsClient(Settings(region="cn-shanghai", vpc=True)).settings.endpoint == "aiworkspace-vpc.cn-shanghai.aliyuncs.com"
    assert PaiModelsClient(Settings(region="cn-shanghai")).settings.protocol == "https"


# -- the collector waits while a listing reads its pages ------------------------------------------------------


def _count_collections() -> tuple[list[int], Callable[[], None]]:
    """A list that gets one entry per cyclic-collector pass from now on, and the function that stops counting."""
    passes: list[int] = []

    def counted(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            passes.append(info["generation"])

    gc.callbacks.append(counted)
    return passes, lambda: gc.callbacks.remove(counted)


def test_no_collector_pass_while_a_listing_reads_its_pages(emulator, settings):
    # 2,500 models allocate far more than the 700 objects that start a collector pass: without the pause a listing
    # of them always has passes (a full one over every object of the process, at 50,000 models, took 70-215 ms).
    emulator.set_catalog(make_catalog(2500))
    client = PaiModelsClient(settings)
    seen_enabled: list[bool] = []
    passes_by_page: list[int] = []  # the passes so far, as each page has arrived
    fetch = client._call_page
    passes, stop = _count_collections()

    def watched(*args: Any) -> Any:
        seen_enabled.append(gc.isenabled())
        page = fetch(*args)
        passes_by_page.append(len(passes))
        return page

    client._call_page = watched  # type: ignore[method-assign]
    try:
        listing = client.list_models(ModelQuery.build(provider="pai"))
    finally:
        stop()
    assert len(listing.items) == 2500 and len(seen_enabled) == 25
    assert passes_by_page == [0] * 25 and seen_enabled == [False] * 25
    assert gc.isenabled(), "the collector must be on again after the listing"


def test_what_a_listing_allocated_is_not_passed_over_again_when_it_ends(emulator, settings):
    # Once the collector is back on, the first allocation would start a young pass over everything the listing
    # allocated (4-5 ms at 10,000 models, 20-27 ms at 50,000) unless that was moved to the oldest generation.
    emulator.set_catalog(make_catalog(2500))
    listing = PaiModelsClient(settings).list_models(ModelQuery.build(provider="pai"))
    young = gc.get_count()[0]
    model = listing.items[-1]
    assert gc.is_tracked(model)
    assert young < gc.get_threshold()[0], f"{young} objects wait for a young pass"
    assert any(o is model for o in gc.get_objects(generation=2)), "the listing's models are not in the oldest generation"


def test_a_programs_frozen_objects_stay_frozen(emulator, settings):
    gc.freeze()  # what a program that forks workers does (the frozen objects are never collected nor unfrozen)
    try:
        frozen = gc.get_freeze_count()
        PaiModelsClient(settings).list_models(ModelQuery.build(provider="pai"))
        assert gc.get_freeze_count() > frozen / 2 > 0  # (frozen objects that die leave it: it only shrinks a little)
        assert gc.isenabled()
    finally:
        gc.unfreeze()


def test_the_collector_is_back_on_when_a_listing_fails(emulator, settings):
    emulator.add_faults([{"count": 10, "status": 500, "code": "InternalError"}])
    with pytest.raises(ApiError):
        PaiModelsClient(Settings(max_attempts=2).over(settings)).list_models(ModelQuery.build())
    assert gc.isenabled()


def test_a_program_that_turned_the_collector_off_keeps_it_off(emulator, settings):
    gc.disable()
    try:
        PaiModelsClient(settings).list_models(ModelQuery.build(provider="pai"))
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_overlapping_listings_turn_the_collector_on_when_the_last_ends():
    pause = client_module._CollectorPause()
    assert gc.isenabled()
    try:
        pause.__enter__()
        pause.__enter__()  # a second listing, in another thread
        pause.__exit__(None, None, None)
        assert not gc.isenabled(), "one listing still reads its pages"
        pause.__exit__(None, None, None)
        assert gc.isenabled()
    finally:
        gc.enable()
