"""Faults on the wire, injected by the emulator, and a catalog that changes while it is paged.

Every fault is tried twice: transient (fewer failures than `max_attempts`, so the lookup must give
the right answer) and persistent (the lookup must stop after `max_attempts` with an `ApiError`
naming the call, the code, the HTTP status and the request id when the server sent them). For each
the test counts the requests the emulator served, checks every backoff wait against the policy
(capped exponential with equal jitter, never shorter than `x-acs-retry-after`), and bounds the
wall-clock time by the policy. The waits really happen (the recorder sleeps), so the times in the
matrix are real. The matrix is printed at the end of the module (and kept in `MATRIX`).

Extends tests/test_client.py (503 x2, 429 with retry-after, 500 give-up, 4xx not retried, backoff
bounds), which stays the reference for those single cases.
"""

from __future__ import annotations

import json
import logging
import time
import urllib.request
from dataclasses import dataclass
from typing import Any

import pytest
from conftest import UUID_UPPER, api_requests, make_catalog
from pulumi_pai_models import ApiError, ListingChanged, ModelQuery, PaiModelsClient, Settings
from pulumi_pai_models import client as client_module

ATTEMPTS = 4
BASE_MS, CAP_MS = 20, 160
READ_TIMEOUT_MS = 2000
SLOW_READ_TIMEOUT_MS = 300

MATRIX: list[dict[str, Any]] = []


@pytest.fixture(scope="module", autouse=True)
def fault_matrix(request):
    """Print the fault matrix once every test of this module has run."""
    yield MATRIX
    if not MATRIX:
        return
    lines = ["", "Fault matrix (pulumi-pai-models client against the emulator)",
             "| fault | requests | backoff waits (ms) | time (s) | outcome |", "|---|---|---|---|---|"]
    for row in MATRIX:
        lines.append(f"| {row['fault']} | {row['requests']} | {row['waits']} | {row['time']:.2f} | {row['outcome']} |")
    capture = request.config.pluginmanager.getplugin("capturemanager")
    if capture is None:  # pragma: no cover - run with -p no:capture
        print("\n".join(lines))
        return
    with capture.global_and_fixture_disabled():
        print("\n".join(lines))


def record(fault: str, requests: int, waits: list[float], elapsed: float, outcome: str) -> None:
    MATRIX.append(
        {"fault": fault, "requests": requests, "waits": ", ".join(f"{w * 1000:.0f}" for w in waits) or "-",
         "time": elapsed, "outcome": outcome}
    )


class Sleeper:
    """`sleep=` for PaiModelsClient: records each backoff wait, then really waits."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        time.sleep(seconds)


def settle(emulator, expected: int, timeout: float = 5.0) -> list[dict]:
    """The ListModels log once `expected` requests are in it (a delayed answer is logged when it is sent)."""
    deadline = time.monotonic() + timeout
    while True:
        log = api_requests(emulator, "ListModels")
        if len(log) >= expected or time.monotonic() > deadline:
            return log
        time.sleep(0.02)


def check_waits(waits: list[float], retry_after_ms: int | None) -> None:
    """Each wait is the policy's: step/2..step with step = min(cap, base * 2**(n-1)), and >= retry-after."""
    for n, wait in enumerate(waits, start=1):
        step = min(CAP_MS, BASE_MS * 2 ** (n - 1)) / 1000
        low, high = step / 2, step
        if retry_after_ms:
            low, high = max(low, retry_after_ms / 1000), max(high, retry_after_ms / 1000)
        assert low - 1e-9 <= wait <= high + 1e-9, (n, wait, low, high)
    if not retry_after_ms:
        assert waits == sorted(waits), f"backoff must grow below the cap: {waits}"


@dataclass(frozen=True)
class FaultCase:
    name: str
    spec: dict
    code: str  # the ApiError code when it persists
    status: int | None  # the HTTP status the ApiError names (None: none reached us)
    request_id: bool  # whether the server's request id reaches the ApiError
    read_timeout_ms: int = READ_TIMEOUT_MS


FAULTS = [
    FaultCase("429 Throttling.User, x-acs-retry-after 300 ms",
              {"status": 429, "code": "Throttling.User", "retry_after_ms": 300}, "Throttling.User", 429, True),
    FaultCase("429 Throttling.User, no retry-after", {"status": 429, "code": "Throttling.User"}, "Throttling.User", 429, True),
    FaultCase("500 InternalError", {"status": 500, "code": "InternalError"}, "InternalError", 500, True),
    FaultCase("502 BadGateway", {"status": 502, "code": "BadGateway"}, "BadGateway", 502, True),
    FaultCase("503 ServiceUnavailable", {"status": 503, "code": "ServiceUnavailable"}, "ServiceUnavailable", 503, True),
    FaultCase("504 GatewayTimeout", {"status": 504, "code": "GatewayTimeout"}, "GatewayTimeout", 504, True),
    FaultCase("connection reset", {"reset_connection": True}, "ConnectionError", None, False),
    FaultCase("answer after 1000 ms, read timeout 300 ms", {"status": 200, "delay_ms": 1000}, "Timeout", None, False,
              read_timeout_ms=SLOW_READ_TIMEOUT_MS),
    FaultCase("malformed JSON body (200)", {"status": 200, "body": "malformed"}, "InvalidResponse", 200, True),
    FaultCase("HTML body (200)", {"status": 200, "body": "html"}, "InvalidResponse", 200, True),
    # An error status with an HTML page: Alibaba's SDK parses error bodies itself and drops the
    # response when that fails, so neither the status nor the request id can reach the ApiError.
    FaultCase("HTML error page (502)", {"status": 502, "body": "html"}, "InvalidResponse", None, False),
    FaultCase("body without Models (200)", {"status": 200, "body": "missing_models"}, "InvalidResponse", 200, True),
    FaultCase("body without TotalCount (200)", {"status": 200, "body": "missing_total"}, "InvalidResponse", 200, True),
]


def fault_client(settings: Settings, read_timeout_ms: int) -> tuple[PaiModelsClient, Sleeper]:
    sleeper = Sleeper()
    policy = Settings(max_attempts=ATTEMPTS, backoff_base_ms=BASE_MS, backoff_max_ms=CAP_MS, read_timeout_ms=read_timeout_ms)
    return PaiModelsClient(policy.over(settings), sleep=sleeper), sleeper


def policy_bound(case: FaultCase, waits: list[float], attempts: int) -> float:
    """The longest a lookup may take under the policy: every attempt up to its read timeout, plus the waits."""
    return attempts * case.read_timeout_ms / 1000 + sum(waits) + 1.0


@pytest.mark.parametrize("case", FAULTS, ids=[c.name for c in FAULTS])
def test_transient_fault_is_retried_to_the_right_answer(emulator, settings, case):
    catalog = make_catalog(7)
    emulator.set_catalog(catalog)
    failures = 2 if case.read_timeout_ms == READ_TIMEOUT_MS else 1
    emulator.add_faults([dict(case.spec, count=failures, match="ListModels")])
    client, sleeper = fault_client(settings, case.read_timeout_ms)

    started = time.monotonic()
    listing = client.list_models(ModelQuery.build(provider="pai"))
    elapsed = time.monotonic() - started

    assert [m.model_id for m in listing.items] == [m["ModelId"] for m in catalog["Models"]]
    assert listing.total_count == 7 and listing.requests == 1
    log = settle(emulator, failures + 1)
    assert len(log) == failures + 1, log
    assert len(sleeper.waits) == failures
    check_waits(sleeper.waits, case.spec.get("retry_after_ms"))
    assert elapsed <= policy_bound(case, sleeper.waits, failures + 1)
    record(f"{case.name} x{failures}", len(log), sleeper.waits, elapsed, "correct result (7 models)")


@pytest.mark.parametrize("case", FAULTS, ids=[c.name for c in FAULTS])
def test_persistent_fault_gives_up_after_max_attempts_naming_call_code_status_and_request_id(emulator, settings, case):
    emulator.set_catalog(make_catalog(7))
    emulator.add_faults([dict(case.spec, count=50, match="ListModels")])
    client, sleeper = fault_client(settings, case.read_timeout_ms)

    started = time.monotonic()
    with pytest.raises(ApiError) as info:
        client.list_models(ModelQuery.build(provider="pai"))
    elapsed = time.monotonic() - started
    error = info.value

    assert type(error) is ApiError
    assert (error.call, error.code, error.status_code, error.attempts) == ("ListModels", case.code, case.status, ATTEMPTS)
    text = str(error)
    assert text.startswith("ListModels failed") and f"code {case.code}" in text and f"after {ATTEMPTS} attempts" in text
    if case.status is not None:
        assert f"HTTP {case.status}" in text
    if case.request_id:
        assert error.request_id and UUID_UPPER.match(error.request_id) and error.request_id in text
    else:
        assert error.request_id is None and "request id" not in text  # PAI gave none: the message does not pretend
    assert "<html>" not in text and "Tengine" not in text and '"Models"' not in text  # the body is not echoed
    log = settle(emulator, ATTEMPTS)
    assert len(log) == ATTEMPTS, log
    assert len(sleeper.waits) == ATTEMPTS - 1
    check_waits(sleeper.waits, case.spec.get("retry_after_ms"))
    assert elapsed <= policy_bound(case, sleeper.waits, ATTEMPTS)
    record(f"{case.name}, persistent", len(log), sleeper.waits, elapsed,
           f"ApiError {error.code}, HTTP {error.status_code}, request id {'yes' if error.request_id else 'none'}")


def test_client_error_is_not_retried(emulator, settings):
    emulator.add_faults([{"status": 403, "code": "Forbidden.RAM", "count": 5}])
    client, sleeper = fault_client(settings, READ_TIMEOUT_MS)
    started = time.monotonic()
    with pytest.raises(ApiError) as info:
        client.list_models(ModelQuery.build())
    elapsed = time.monotonic() - started
    assert (info.value.code, info.value.status_code, info.value.attempts) == ("Forbidden.RAM", 403, 1)
    assert UUID_UPPER.match(info.value.request_id)
    assert len(api_requests(emulator)) == 1 and sleeper.waits == []
    record("403 Forbidden.RAM (not retryable)", 1, [], elapsed, "ApiError Forbidden.RAM, HTTP 403, request id yes")


def test_retry_after_longer_than_the_backoff_cap_is_honoured(emulator, settings):
    emulator.add_faults([{"status": 429, "code": "Throttling.User", "retry_after_ms": 700, "count": 2}])
    client, sleeper = fault_client(settings, READ_TIMEOUT_MS)
    started = time.monotonic()
    assert client.list_models(ModelQuery.build()).total_count > 0
    elapsed = time.monotonic() - started
    assert [round(w, 3) for w in sleeper.waits] == [0.7, 0.7]  # above the 160 ms cap: the server's word wins
    assert 1.4 <= elapsed <= 1.4 + 2 * READ_TIMEOUT_MS / 1000 + 1
    record("429 with retry-after 700 ms (> cap) x2", 3, sleeper.waits, elapsed, "correct result")


def test_a_fault_on_a_middle_page_retries_that_page_only(emulator, settings, monkeypatch):
    catalog = make_catalog(250)
    emulator.set_catalog(catalog)
    client, sleeper = fault_client(Settings(page_size=50, max_concurrency=1).over(settings), READ_TIMEOUT_MS)
    original = client_module.list_models_request
    injected = []

    def page(query, number, size):  # queue the faults just before page 3 is asked for
        if number == 3 and not injected:
            injected.append(emulator.add_faults([{"status": 503, "count": 2}]))
        return original(query, number, size)

    monkeypatch.setattr(client_module, "list_models_request", page)
    started = time.monotonic()
    listing = client.list_models(ModelQuery.build(provider="pai"))
    elapsed = time.monotonic() - started
    assert [m.model_id for m in listing.items] == [m["ModelId"] for m in catalog["Models"]]
    pages = [(int(r["query"]["PageNumber"]), r["status"]) for r in api_requests(emulator, "ListModels")]
    assert pages == [(1, 200), (2, 200), (3, 503), (3, 503), (3, 200), (4, 200), (5, 200)]
    check_waits(sleeper.waits, None)
    record("503 x2 on page 3 of 5", len(pages), sleeper.waits, elapsed, "correct result (250 models, once each)")


# --------------------------------------------------------------------------- the catalog changes while it is paged


def post_hook(emulator, after: int, catalog: dict) -> None:
    """Replace the catalog after `after` more API requests, through the admin endpoint."""
    data = json.dumps({"mutate_after_request": after, "catalog": catalog}).encode("utf-8")
    req = urllib.request.Request(f"{emulator.url}/_emulator/hooks", data=data, method="POST",
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as resp:
        assert resp.status == 200


def models(*numbers: int) -> dict:
    """A catalog of the synthetic models with these numbers (ids and creation times grow with the number)."""
    every = {m["ModelId"]: m for m in make_catalog(max(numbers) + 1)["Models"]}
    return {"Models": [every[f"model-{n:06d}"] for n in numbers]}


def ids_of(*numbers: int) -> list[str]:
    return [f"model-{n:06d}" for n in numbers]


@pytest.fixture
def paged(emulator, settings):
    """Ten models, pages of four, pages read one after another (so hooks fire at known pages)."""
    emulator.set_catalog(models(*range(10)))
    return PaiModelsClient(Settings(page_size=4, max_concurrency=1).over(settings))


def list_ids(client) -> tuple[list[str], Any]:
    listing = client.list_models(ModelQuery.build(provider="pai"))
    return [m.model_id for m in listing.items], listing


def assert_consistent(got: list[str], throughout: list[str]) -> None:
    """Every model once, and none missing that existed during the whole listing."""
    assert len(got) == len(set(got)), f"duplicate: {got}"
    missing = set(throughout) - set(got)
    assert not missing, f"gap: {sorted(missing)}"


def page_log(emulator) -> list[tuple[int, int]]:
    return [(int(r["query"]["PageNumber"]), r["status"]) for r in api_requests(emulator, "ListModels")]


def test_model_added_after_the_first_page_is_re_read_to_a_consistent_list(emulator, paged, caplog):
    post_hook(emulator, 1, models(*range(11)))  # model 10 (the newest: the end of the list) arrives after page 1
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="pulumi_pai_models"):
        got, listing = list_ids(paged)
    assert got == ids_of(*range(11)) and listing.total_count == 11
    assert_consistent(got, ids_of(*range(10)))
    assert [p for p, _ in page_log(emulator)] == [1, 2, 3, 1, 2, 3]
    assert "TotalCount went from 10 to 11 at page 2" in caplog.text
    record("model added after page 1 (TotalCount 10 -> 11)", 6, [], time.monotonic() - started, "re-read; consistent (11)")


def test_model_removed_from_a_read_page_is_re_read_to_a_consistent_list(emulator, paged):
    post_hook(emulator, 1, models(0, *range(2, 10)))  # model 1 (page 1, already read) goes away
    started = time.monotonic()
    got, listing = list_ids(paged)
    assert got == ids_of(0, *range(2, 10)) and listing.total_count == 9
    assert_consistent(got, ids_of(0, *range(2, 10)))
    assert [p for p, _ in page_log(emulator)] == [1, 2, 3, 1, 2, 3]
    record("model removed after page 1 (TotalCount 10 -> 9)", 6, [], time.monotonic() - started, "re-read; consistent (9)")


def test_catalog_that_keeps_changing_is_a_listing_changed_error_asking_to_retry(emulator, paged, caplog):
    for n, after in enumerate((1, 4, 7), start=11):  # after the first page of each of the three reads
        post_hook(emulator, after, models(*range(n)))
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="pulumi_pai_models"), pytest.raises(ListingChanged) as info:
        list_ids(paged)
    elapsed = time.monotonic() - started
    error = info.value
    assert isinstance(error, ApiError)
    assert (error.call, error.code, error.attempts) == ("ListModels", "ListingChanged", 3)
    assert "changed while it was read" in str(error) and "retry the lookup" in str(error)
    assert len(page_log(emulator)) == 9
    assert caplog.text.count("reading the list again") == 3
    record("catalog changes during each of 3 reads", 9, [], elapsed, "ListingChanged (asks to retry)")


def test_swap_that_shifts_a_model_backwards_is_detected_by_the_duplicate(emulator, paged):
    """Detectable: model -1 (older than all) arrives and model 9 (unread page 3) leaves after page 1.

    TotalCount stays 10, but the new first model pushes model 3 from page 1 onto page 2, where it
    arrives a second time. The client drops the repeat, counts 9 distinct models for a TotalCount of
    10, and reads the list again.
    """
    old = models(*range(10))["Models"]
    newcomer = dict(old[0], ModelId="model-000000a", ModelName="newcomer", GmtCreateTime="2023-12-31T00:00:00Z")
    post_hook(emulator, 1, {"Models": [newcomer, *old[:9]]})
    started = time.monotonic()
    got, _listing = list_ids(paged)
    assert got == ["model-000000a", *ids_of(*range(9))]
    assert_consistent(got, ids_of(*range(9)))
    assert [p for p, _ in page_log(emulator)] == [1, 2, 3, 1, 2, 3]
    record("swap, same TotalCount: oldest added + unread one removed", 6, [], time.monotonic() - started,
           "duplicate seen; re-read; consistent")


@pytest.mark.xfail(strict=True, reason="known blind spot: a removal on a read page plus an addition on an unread page keeps "
                   "TotalCount and the distinct count, so the model pushed across the page boundary is silently missing")
def test_swap_that_shifts_a_model_forwards_is_not_detected(emulator, paged):
    """The blind spot of a fixed-size page listing, pinned as an expected failure.

    After page 1 (models 0-3) is read, model 1 is removed and model 10 (the newest) is added. TotalCount
    stays 10. Page 2 of the new list starts at model 5, so model 4, which existed the whole time, is
    never seen; model 1 (gone now) was seen, and model 10 too. Ten distinct models for a TotalCount of
    ten: de-duplication and the count check cannot tell, and no page carries anything else to compare
    (ListModels has no snapshot, cursor or version). What the client does detect: any change of
    TotalCount between pages, and any swap that makes a model arrive twice (the test above). Closing
    this gap needs a second read of pages 1..N-1 to compare the ids (double the requests) or a
    snapshot token from PAI.
    """
    post_hook(emulator, 1, models(0, *range(2, 11)))
    try:
        got, _ = list_ids(paged)
    except ListingChanged:
        return  # detected: what we would want
    assert "model-000004" in got, f"silent gap: model 4 existed throughout but is missing from {got}"


def test_changes_during_concurrent_paging_are_consistent_or_listing_changed(emulator, settings):
    """With pages read concurrently the hook lands at an unknown page; the outcome must still be one of the two."""
    emulator.set_catalog(models(*range(40)))
    client = PaiModelsClient(Settings(page_size=5, max_concurrency=8).over(settings))
    outcomes = []
    started = time.monotonic()
    for round_ in range(5):
        emulator.reset()
        emulator.set_catalog(models(*range(40)))
        post_hook(emulator, 2 + round_, models(*range(41)))  # one more model, appended at the end
        try:
            got, _ = list_ids(client)
        except ListingChanged:
            outcomes.append("ListingChanged")
            continue
        assert_consistent(got, ids_of(*range(40)))
        outcomes.append(len(got))
    assert all(o in (41, "ListingChanged") for o in outcomes), outcomes
    record("model added during concurrent paging (5 rounds)", "-", [], time.monotonic() - started, f"outcomes {outcomes}")
