"""Test controls behind the admin endpoints: injected faults, catalog hooks, the request log.

These hold state only; :mod:`.server` decides what a fault does on the wire.

Fault (``POST /_emulator/faults`` body ``{"faults": [fault, ...]}``)::

    {"count": 1,                 # how many API requests it applies to (>= 1)
     "status": 503,              # 400..599 answers an error; 200 lets the real answer through
                                 # (after auth), corrupted as "body" says
     "code": "ServiceUnavailable",  # error Code (default: from status)
     "message": "...",           # error Message (optional)
     "retry_after_ms": 100,      # optional: x-acs-retry-after header (ms)
     "delay_ms": 0,              # optional: sleep before answering
     "body": "malformed" | "html" | "missing_models" | "missing_total",   # optional
     "reset_connection": false,  # optional: drop the connection without answering
     "match": "ListModels"}      # optional: only requests of this action

Faults form a queue: an API request takes the first queued fault whose ``match`` fits it.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any

from .catalog import Catalog
from .errors import InvalidParameter

__all__ = [
    "ACTIONS",
    "BODY_VARIANTS",
    "FAULT_FIELDS",
    "CatalogHooks",
    "Fault",
    "FaultQueue",
    "RequestLog",
    "parse_faults",
    "parse_hook",
]

ACTIONS = ("ListModels", "GetModel", "ListModelVersions", "GetModelVersion")
BODY_VARIANTS = ("malformed", "html", "missing_models", "missing_total")
MAX_DELAY_MS = 600_000

_DEFAULT_CODES = {
    400: "InvalidParameter",
    403: "Forbidden.RAM",
    404: "InvalidAction.NotFound",
    429: "Throttling.User",
    500: "InternalError",
    502: "BadGateway",
    503: "ServiceUnavailable",
    504: "GatewayTimeout",
}


@dataclass(frozen=True)
class Fault:
    """One injected misbehaviour, applied to ``count`` API requests; :func:`parse_faults` fills in the defaults."""

    count: int
    status: int
    code: str
    message: str
    retry_after_ms: int | None
    delay_ms: int
    body: str | None
    reset_connection: bool
    match: str | None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


#: The fields a fault spec may have.
FAULT_FIELDS = tuple(f.name for f in fields(Fault))


def _int(raw: Mapping[str, Any], name: str, where: str, default: int, low: int, high: int) -> int:
    value = raw.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidParameter(f"{where}.{name} must be an integer between {low} and {high}.")
    return value


def _parse_fault(raw: Any, where: str) -> Fault:
    if not isinstance(raw, Mapping):
        raise InvalidParameter(f"{where} must be an object.")
    unknown = set(raw) - set(FAULT_FIELDS)
    if unknown:
        raise InvalidParameter(f"{where} has unknown field(s): {', '.join(sorted(map(str, unknown)))}.")
    count = _int(raw, "count", where, 1, 1, 1_000_000)
    status = _int(raw, "status", where, 503, 200, 599)
    if 200 < status < 400:
        raise InvalidParameter(f"{where}.status must be 200 (with a body variant) or an error status 400..599.")
    code = raw.get("code", _DEFAULT_CODES.get(status, "InjectedFault"))
    if not isinstance(code, str) or not code:
        raise InvalidParameter(f"{where}.code must be a non-empty string.")
    message = raw.get("message", f"Injected fault: {status} {code}.")
    if not isinstance(message, str):
        raise InvalidParameter(f"{where}.message must be a string.")
    body = raw.get("body")
    if body is not None and body not in BODY_VARIANTS:
        raise InvalidParameter(f"{where}.body must be one of {', '.join(BODY_VARIANTS)}.")
    reset = raw.get("reset_connection", False)
    if not isinstance(reset, bool):
        raise InvalidParameter(f"{where}.reset_connection must be true or false.")
    match = raw.get("match")
    if match is not None and match not in ACTIONS:
        raise InvalidParameter(f"{where}.match must be one of {', '.join(ACTIONS)}.")
    retry_after = raw.get("retry_after_ms")
    return Fault(
        count=count,
        status=status,
        code=code,
        message=message,
        retry_after_ms=None if retry_after is None else _int(raw, "retry_after_ms", where, 0, 0, 86_400_000),
        delay_ms=_int(raw, "delay_ms", where, 0, 0, MAX_DELAY_MS),
        body=body,
        reset_connection=reset,
        match=match,
    )


def parse_faults(data: Any) -> list[Fault]:
    """Faults from a ``{"faults": [...]}`` body; raises :class:`InvalidParameter`."""
    if not isinstance(data, Mapping) or not isinstance(data.get("faults"), list):
        raise InvalidParameter('The body must be {"faults": [{"count": 1, "status": 503, ...}]}.')
    return [_parse_fault(f, f"faults[{i}]") for i, f in enumerate(data["faults"])]


@dataclass
class _Queued:
    fault: Fault
    remaining: int


class FaultQueue:
    """Queued faults, consumed by API requests in order."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queue: list[_Queued] = []

    def add(self, faults: list[Fault]) -> int:
        """Queue ``faults``; returns how many are pending."""
        with self._lock:
            self._queue.extend(_Queued(f, f.count) for f in faults)
            return len(self._queue)

    def take(self, action: str | None) -> Fault | None:
        """The fault for the next request of ``action``, if one is queued."""
        with self._lock:
            for i, item in enumerate(self._queue):
                if item.fault.match is None or item.fault.match == action:
                    item.remaining -= 1
                    if item.remaining <= 0:
                        del self._queue[i]
                    return item.fault
            return None

    def pending(self) -> list[dict[str, Any]]:
        """The queued faults as JSON, each with how many requests it still applies to."""
        with self._lock:
            return [dict(item.fault.to_json(), remaining=item.remaining) for item in self._queue]

    def clear(self) -> None:
        with self._lock:
            self._queue.clear()


def parse_hook(data: Any) -> tuple[int, Catalog]:
    """``(after, catalog)`` from a ``{"mutate_after_request": N, "catalog": {...}}`` body."""
    if not isinstance(data, Mapping) or set(data) - {"mutate_after_request", "catalog"}:
        raise InvalidParameter('The body must be {"mutate_after_request": N, "catalog": {"Models": [...]}}.')
    after = data.get("mutate_after_request", 0)
    if isinstance(after, bool) or not isinstance(after, int) or not 0 <= after <= 1_000_000:
        raise InvalidParameter("mutate_after_request must be an integer >= 0.")
    if not isinstance(data.get("catalog"), Mapping):  # never a path: admin callers must not read server files
        raise InvalidParameter('The hook needs "catalog": {"Models": [...]}.')
    return after, Catalog(data["catalog"])


@dataclass
class _Hook:
    remaining: int
    catalog: Catalog


class CatalogHooks:
    """Catalog replacements that happen after a number of further API requests."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._hooks: list[_Hook] = []

    def add(self, after: int, catalog: Catalog) -> None:
        with self._lock:
            self._hooks.append(_Hook(after, catalog))

    def due_now(self) -> list[Catalog]:
        """Hooks registered with 0 requests to wait (removed)."""
        with self._lock:
            return self._take_due()

    def request_done(self) -> list[Catalog]:
        """Count one finished API request; returns the catalogs now due, in registration order."""
        with self._lock:
            for hook in self._hooks:
                hook.remaining -= 1
            return self._take_due()

    def _take_due(self) -> list[Catalog]:
        due = [h.catalog for h in self._hooks if h.remaining <= 0]
        self._hooks = [h for h in self._hooks if h.remaining > 0]
        return due

    def pending(self) -> list[dict[str, Any]]:
        """The waiting hooks as JSON."""
        with self._lock:
            return [{"remaining_requests": h.remaining, "models": len(h.catalog)} for h in self._hooks]

    def clear(self) -> None:
        with self._lock:
            self._hooks.clear()


class RequestLog:
    """The API requests served, newest last (bounded). Holds no secrets."""

    def __init__(self, maxlen: int = 10_000) -> None:
        self._lock = threading.Lock()
        self._entries: deque[dict[str, Any]] = deque(maxlen=maxlen)

    def record(self, *, action: str | None, method: str, path: str, query: Mapping[str, str],
               status: int | None, access_key_id: str | None, started: float) -> None:
        """Log one API request; ``status`` is None when the connection was dropped without an answer."""
        entry = {
            "action": action,
            "method": method,
            "path": path,
            "query": dict(query),
            "status": status,
            "access_key_id": access_key_id,
            "time": started,
            "duration_ms": round((time.time() - started) * 1000, 3),
        }
        with self._lock:
            self._entries.append(entry)

    def entries(self) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(e, query=dict(e["query"])) for e in self._entries]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
