"""A real engine warning from a provider process (the dynamic one or the plugin): severity warning, counted in the
operation's summary and, with a URN, shown on that resource. Each is sent once per resource and message in a provider
process, which lives for one engine operation, however often the engine asks the same question. Not under an engine,
it goes to stderr instead."""

from __future__ import annotations

import sys
import threading

__all__ = ["forget", "warn"]

_SENT: set[tuple[str, str]] = set()
_LOCK = threading.Lock()


def warn(engine_address: str | None, message: str, urn: str | None = None) -> None:
    """Log `message` as a warning through the engine's Log call at `engine_address`, unless this process already did."""
    with _LOCK:
        if (urn or "", message) in _SENT:
            return
        _SENT.add((urn or "", message))
    if not engine_address:
        sys.stderr.write(f"warning: {message}\n")
        return
    import grpc
    from pulumi.runtime.proto import engine_pb2, engine_pb2_grpc

    with grpc.insecure_channel(engine_address) as channel:
        engine_pb2_grpc.EngineStub(channel).Log(engine_pb2.LogRequest(severity=engine_pb2.WARNING, message=message, urn=urn or ""))


def forget() -> None:
    """Forget which warnings were sent (a new operation, for a test that drives several in one process)."""
    with _LOCK:
        _SENT.clear()
