"""The lookup as a Pulumi provider plugin, `pai-models`: its process, `pulumi-resource-pai-models <engine address>`.

The engine starts the console script of this package (`main`) and talks to it over gRPC. Its server imports only
grpc to start: it answers the schema (GetSchema), the plugin's version (GetPluginInfo) and the engine's Handshake
itself, and hands every other call to `pulumi.provider.experimental`'s servicer of `pluginprovider.PaiModelsProvider`,
built, with the Pulumi SDK imported, at the first such call. Pulumi YAML starts a process of the plugin only to read
its schema, and starts the one that looks up only once that answer is in: the schema process never imports the
Pulumi SDK (~0.15 s of the first getModel), and the one that looks up imports it when the engine first configures it.

The answers are those of the experimental server (tests/test_plugin.py compares them): GetSchema's and
GetPluginInfo's messages have one string field each, encoded here; Handshake is unimplemented there too (the engine
then goes on without it); Cancel before the servicer exists has nothing to cancel.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import sys
from collections.abc import Callable
from typing import Any

from ._version import __version__

__all__ = ["GRPC_OPTIONS", "PluginServer", "main"]

SERVICE = "pulumirpc.ResourceProvider"
#: The experimental server's gRPC options (pulumi.runtime._grpc_settings; tests/test_plugin.py keeps them equal):
#: messages up to 400 MB, requests queued for up to half an hour.
GRPC_OPTIONS = [("grpc.max_receive_message_length", 1024 * 1024 * 400), ("grpc.server_max_unrequested_time_in_server", 30 * 60)]


def _string_field(value: str) -> bytes:
    """A protobuf message whose field 1 is the string `value` (GetSchemaResponse.schema, PluginInfo.version)."""
    data = value.encode("utf-8")
    size, head = len(data), bytearray(b"\x0a")  # field 1, length-delimited
    while size >= 0x80:
        head.append(size & 0x7F | 0x80)
        size >>= 7
    head.append(size)
    return bytes(head) + data


@functools.cache
def _schema_message() -> bytes:
    from . import schema

    return _string_field(schema.render())


class PluginServer:
    """The plugin's gRPC service: the schema, the version and the Handshake here; the rest by Pulumi's servicer, built at
    the first call that needs it (`full`)."""

    def __init__(self, argv: list[str], engine_address: str, full: Callable[[], list[Any]] | None = None) -> None:
        self._argv = argv
        self._engine_address = engine_address
        self._full_handlers = full or self._pulumi_handlers
        self._handlers: list[Any] | None = None

    def _pulumi_handlers(self) -> list[Any]:
        from . import internals
        from .pluginprovider import PaiModelsProvider, one_line

        provider = PaiModelsProvider(self._engine_address)
        return internals.plugin_handlers(internals.plugin_servicer(self._argv, __version__, provider, self._engine_address, one_line))

    def service(self, details: Any) -> Any:  # grpc.GenericRpcHandler's method
        import grpc

        service, _, method = str(details.method).lstrip("/").partition("/")
        if service != SERVICE:
            return None  # e.g. the engine's health checks (grpc.health.v1.Health): served by neither server
        if method == "GetSchema":
            return grpc.unary_unary_rpc_method_handler(self._answer(_schema_message))
        if method == "GetPluginInfo":
            return grpc.unary_unary_rpc_method_handler(self._answer(lambda: _string_field(__version__)))
        if method == "Handshake":
            return None  # unimplemented, as in the experimental server
        if method == "Cancel" and self._handlers is None:
            return grpc.unary_unary_rpc_method_handler(self._answer(lambda: b""))  # google.protobuf.Empty
        if self._handlers is None:
            self._handlers = self._full_handlers()
        for handlers in self._handlers:
            found = handlers.service(details)
            if found is not None:
                return found
        return None

    @staticmethod
    def _answer(message: Callable[[], bytes]) -> Callable[[bytes, Any], Any]:
        async def answer(request: bytes, context: Any) -> bytes:
            return message()

        return answer

    async def serve(self) -> None:
        """Listen on a free local port, tell the engine which (stdout), and serve until the engine ends the process."""
        import grpc.aio

        server = grpc.aio.server(options=GRPC_OPTIONS)
        server.add_generic_rpc_handlers((self,))
        port = server.add_insecure_port("127.0.0.1:0")
        await server.start()
        sys.stdout.buffer.write(f"{port}\n".encode())
        sys.stdout.buffer.flush()
        await server.wait_for_termination()


def main() -> None:
    """`pulumi-resource-pai-models <engine address>`: serve the plugin (the engine starts it, reads its port)."""
    parser = argparse.ArgumentParser(prog="pulumi-resource-pai-models", description="The pai-models Pulumi provider plugin (gRPC).")
    parser.add_argument("engine", help="the engine's address, given by the Pulumi CLI")
    known, _ = parser.parse_known_args()
    try:
        asyncio.run(PluginServer(sys.argv[1:], known.engine).serve())
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
