"""The process-wide bound on requests in flight to PAI, shared fairly among the listings that wait for it.

Each listing reads up to `max_concurrency` pages at once; without a bound, a program with a hundred lookups
(which the engine runs in parallel) would put hundreds of requests on an API that throttles per account.
`bound_for(settings)` is the one `InFlightBound` of this process for an endpoint and a `max_in_flight`: every
request to that endpoint holds one of its slots while it is on the wire (not while it waits to retry). When
requests wait, the slot a request frees goes to the next *listing* in turn (round-robin), not to the next
request, so a listing of 500 pages does not starve a lookup of one page.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["InFlightBound", "bound_for"]


class InFlightBound:
    """At most `limit` requests in flight; when more wait, their owners (listings) take turns."""

    def __init__(self, limit: int):
        if limit < 1:
            raise ValueError("limit must be at least 1")
        self.limit = limit
        self._lock = threading.Lock()
        self._in_flight = 0
        #: Owners with waiting requests, in turn order (a dict keeps insertion order), each with its waiters.
        self._waiting: dict[object, deque[threading.Lock]] = {}

    @property
    def in_flight(self) -> int:
        """Requests holding a slot now."""
        with self._lock:
            return self._in_flight

    @property
    def waiting(self) -> int:
        """Requests waiting for a slot now."""
        with self._lock:
            return sum(len(queue) for queue in self._waiting.values())

    @contextmanager
    def slot(self, owner: object) -> Iterator[None]:
        """Hold one slot for the block; `owner` is what takes turns (a listing; any fresh object for a lone call)."""
        self._acquire(owner)
        try:
            yield
        finally:
            self._release()

    def _acquire(self, owner: object) -> None:
        with self._lock:
            if self._in_flight < self.limit and not self._waiting:
                self._in_flight += 1
                return
            waiter = self._new_waiter()
            waiter.acquire()
            self._waiting.setdefault(owner, deque()).append(waiter)
        try:
            waiter.acquire()  # `_release` hands its slot over by releasing this lock
        except BaseException:  # interrupted while waiting: give up the place, or the slot if it came meanwhile
            with self._lock:
                queue = self._waiting.get(owner)
                if queue is not None and waiter in queue:
                    queue.remove(waiter)
                    if not queue:
                        del self._waiting[owner]
                    raise
            self._release()
            raise

    @staticmethod
    def _new_waiter() -> threading.Lock:
        """What a waiting request blocks on (a lock, taken once up front, released to hand a slot over)."""
        return threading.Lock()

    def _release(self) -> None:
        with self._lock:
            if not self._waiting:
                self._in_flight -= 1
                return
            owner = next(iter(self._waiting))
            queue = self._waiting.pop(owner)
            waiter = queue.popleft()
            if queue:
                self._waiting[owner] = queue  # its next request waits for its next turn, behind the others
        waiter.release()  # the slot passes to `waiter` without ever being free


_BOUNDS: dict[tuple[str, int], InFlightBound] = {}
_BOUNDS_LOCK = threading.Lock()


def bound_for(url: str, limit: int) -> InFlightBound:
    """This process's bound for requests to `url` with this limit (clients with the same settings share it)."""
    with _BOUNDS_LOCK:
        bound = _BOUNDS.get((url, limit))
        if bound is None:
            bound = _BOUNDS[(url, limit)] = InFlightBound(limit)
        return bound
