"""Many lookups at once: one process-wide bound on requests in flight to PAI, shared in turns by the listings.

Counts, not times: the emulator counts the API requests it is answering at once (`EmulatorServer.in_flight`),
and every lookup's answer is checked. What the bound costs in time is the benchmark's (bench/run.py).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from conftest import api_requests, make_catalog
from pulumi_pai_models import GetModelResult, Settings, get_model
from pulumi_pai_models.emulator import DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, EmulatorServer
from pulumi_pai_models.inflight import InFlightBound

LOOKUPS = 100
BOUND = 6
MODELS = 300  # three pages of 100: each lookup reads page 1, then pages 2 and 3 at once


# -- the bound itself ------------------------------------------------------------------------------------------


def wait_until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.001)


def test_the_bound_never_lets_more_than_its_limit_through():
    bound = InFlightBound(3)
    holding = 0
    most = 0
    lock = threading.Lock()

    def request(owner: int) -> None:
        nonlocal holding, most
        with bound.slot(owner):
            with lock:
                holding += 1
                most = max(most, holding)
            time.sleep(0.002)
            with lock:
                holding -= 1

    with ThreadPoolExecutor(max_workers=20) as pool:
        list(pool.map(request, [i % 4 for i in range(200)]))
    assert most == 3
    assert (bound.in_flight, bound.waiting) == (0, 0)


def test_a_freed_slot_goes_to_the_next_listing_in_turn_not_to_the_next_request():
    """One slot; listing A queues three requests, then listing B one: B is served after A's first, not after its third."""
    bound = InFlightBound(1)
    served: list[str] = []
    release = {name: threading.Event() for name in ("A1", "A2", "A3", "B1")}

    def request(owner: str, name: str) -> None:
        with bound.slot(owner):
            served.append(name)
            release[name].wait(10)

    with ThreadPoolExecutor(max_workers=4) as pool:
        with bound.slot("holder"):
            futures = []
            for number, (owner, name) in enumerate((("A", "A1"), ("A", "A2"), ("A", "A3"), ("B", "B1")), start=1):
                futures.append(pool.submit(request, owner, name))
                wait_until(lambda n=number: bound.waiting == n)  # queued in this order
        for name in ("A1", "B1", "A2", "A3"):  # each frees its slot when released
            wait_until(lambda name=name: name in served)
            release[name].set()
        for future in futures:
            future.result()
    assert served == ["A1", "B1", "A2", "A3"]
    assert (bound.in_flight, bound.waiting) == (0, 0)


class Interrupted(Exception):
    pass


class InterruptedWhileWaiting(InFlightBound):
    """A bound whose waiting requests are interrupted (as KeyboardInterrupt would) while they wait."""

    @staticmethod
    def _new_waiter() -> threading.Lock:
        class Waiter:
            def __init__(self) -> None:
                self.taken = False

            def acquire(self) -> bool:
                if self.taken:  # the wait for a slot
                    raise Interrupted()
                self.taken = True
                return True

            def release(self) -> None:  # pragma: no cover - a slot is never handed to an interrupted waiter here
                raise AssertionError("handed a slot")

        return Waiter()  # type: ignore[return-value]


def test_an_interrupted_wait_gives_its_place_up():
    bound = InterruptedWhileWaiting(1)
    with bound.slot("holder"):
        with pytest.raises(Interrupted), bound.slot("late"):
            raise AssertionError("entered without a slot")
        assert (bound.in_flight, bound.waiting) == (1, 0)
    assert (bound.in_flight, bound.waiting) == (0, 0)
    with bound.slot("after"):  # the slot is free again
        assert bound.in_flight == 1


# -- against the emulator: a hundred distinct lookups at once ----------------------------------------------------


@pytest.fixture(scope="module")
def slow_emulator():
    """An emulator of its own, answering after 20 ms, so that concurrent requests really overlap."""
    server = EmulatorServer(make_catalog(MODELS), latency_ms=20).start()
    yield server
    server.stop()


@pytest.fixture
def bounded(slow_emulator) -> Settings:
    slow_emulator.reset()
    slow_emulator.set_catalog(make_catalog(MODELS))
    slow_emulator.in_flight.reset_peak()
    return Settings(
        endpoint=slow_emulator.url,
        access_key_id=DEFAULT_ACCESS_KEY_ID,
        access_key_secret=DEFAULT_ACCESS_KEY_SECRET,
        max_in_flight=BOUND,
        max_attempts=10,
        backoff_base_ms=10,
        backoff_max_ms=100,
    )


def distinct_lookups(settings: Settings) -> list[GetModelResult]:
    """`LOOKUPS` different lookups at once, each listing the whole catalog (the name is matched here, not by PAI)."""

    def lookup(i: int) -> GetModelResult:
        return get_model(provider="pai", name_regex=f"^synthetic-{i:06d}$", settings=settings)

    with ThreadPoolExecutor(max_workers=LOOKUPS) as pool:
        return list(pool.map(lookup, range(LOOKUPS)))


def assert_every_lookup_right(results: list[GetModelResult]) -> None:
    assert [r.model_id for r in results] == [f"model-{i:06d}" for i in range(LOOKUPS)]
    assert [r.uri for r in results] == [f"oss://bench/models/{i}/1.0.0/" for i in range(LOOKUPS)]


def test_a_hundred_distinct_lookups_keep_the_servers_in_flight_count_at_the_bound(slow_emulator, bounded):
    results = distinct_lookups(bounded)
    assert_every_lookup_right(results)
    served = api_requests(slow_emulator, "ListModels")
    assert len(served) == LOOKUPS * 3
    assert slow_emulator.in_flight.reset_peak() == BOUND


def test_the_emulator_counts_requests_in_flight(slow_emulator, bounded):
    one_at_a_time = Settings(max_concurrency=1, max_in_flight=1).over(bounded)
    get_model(provider="pai", name_regex="^synthetic-000001$", settings=one_at_a_time)
    assert slow_emulator.in_flight.reset_peak() == 1
    slow_emulator.add_faults([{"status": 200, "delay_ms": 500, "count": 4}])  # answered after 0.5 s: they overlap
    with ThreadPoolExecutor(max_workers=4) as pool:  # four at once, under a bound of 4
        list(pool.map(lambda i: get_model(provider="pai", model_name=f'"synthetic-{i:06d}"', settings=Settings(max_in_flight=4).over(bounded)),
                      range(4)))
    assert slow_emulator.in_flight.reset_peak() == 4
    assert slow_emulator.in_flight.now == 0


@pytest.mark.parametrize("retry_after_ms", [None, 60], ids=["429 without retry-after", "429 with x-acs-retry-after 60 ms"])
def test_a_throttling_storm_under_that_load_ends_with_every_lookup_right(slow_emulator, bounded, retry_after_ms):
    """30% of ListModels requests are answered 429 (3 of every 10, in arrival order) while 100 lookups run at once."""
    throttled = {"status": 429, "code": "Throttling.User", "match": "ListModels"}
    if retry_after_ms is not None:
        throttled["retry_after_ms"] = retry_after_ms
    passed = {"status": 200, "match": "ListModels"}  # answered as usual
    storm = [dict(throttled if i % 10 in (0, 3, 6) else passed, count=1) for i in range(2_000)]
    slow_emulator.add_faults(storm)

    results = distinct_lookups(bounded)

    assert_every_lookup_right(results)
    statuses = [r["status"] for r in api_requests(slow_emulator, "ListModels")]
    throttles = statuses.count(429)
    assert statuses.count(200) == LOOKUPS * 3  # every page, once answered
    assert throttles == len(statuses) - LOOKUPS * 3 and 0.25 <= throttles / len(statuses) <= 0.35  # each 429 retried
    assert slow_emulator.in_flight.reset_peak() <= BOUND
