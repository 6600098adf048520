"""A real engine warning from a provider process (the dynamic one or the plugin): severity warning, counted in the
operation's summary and, with a URN, shown on that resource. Not under an engine, it goes to stderr instead."""

from __future__ import annotations

import sys

__all__ = ["warn"]


def warn(engine_address: str | None, message: str, urn: str | None = None) -> None:
    """Log `message` as a warning through the engine's Log call at `engine_address`."""
    if not engine_address:
        sys.stderr.write(f"warning: {message}\n")
        return
    import grpc
    from pulumi.runtime.proto import engine_pb2, engine_pb2_grpc

    with grpc.insecure_channel(engine_address) as channel:
        engine_pb2_grpc.EngineStub(channel).Log(engine_pb2.LogRequest(severity=engine_pb2.WARNING, message=message, urn=urn or ""))
