"""The provider plugin as the engine drives it, for tests: its process, a fake engine that records its Log calls, and
the engine's gRPC calls as methods that take and give plain dicts (`Plugin`)."""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent import futures
from pathlib import Path
from typing import Any

import grpc
from google.protobuf import empty_pb2
from pulumi.provider.experimental.property_value import PropertyValue
from pulumi.runtime.proto import engine_pb2_grpc, provider_pb2, provider_pb2_grpc
from pulumi_pai_models.settings import ENV_NAMES

PLUGIN = Path(sys.prefix) / "bin" / "pulumi-resource-pai-models"
URN = "urn:pulumi:test::proj::pai-models:index:ModelLookup::model"


class FakeEngine(engine_pb2_grpc.EngineServicer):
    """The engine's Log service: records what the plugin logs."""

    def __init__(self) -> None:
        self.logs: list[tuple[int, str, str]] = []
        self.server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
        engine_pb2_grpc.add_EngineServicer_to_server(self, self.server)
        self.address = f"127.0.0.1:{self.server.add_insecure_port('127.0.0.1:0')}"
        self.server.start()

    def Log(self, request, context):  # the gRPC method's name
        self.logs.append((request.severity, request.message, request.urn))
        return empty_pb2.Empty()


def to_struct(values: dict[str, Any]) -> Any:
    def wire(value: Any) -> PropertyValue:
        if isinstance(value, dict):
            return PropertyValue({k: wire(v) for k, v in value.items()})
        if isinstance(value, list):
            return PropertyValue([wire(v) for v in value])
        return PropertyValue(float(value) if isinstance(value, int) and not isinstance(value, bool) else value)

    return PropertyValue.marshal_map({k: wire(v) for k, v in values.items()})


def from_struct(struct: Any) -> dict[str, Any]:
    def plain(value: PropertyValue) -> Any:
        inner = value.value
        if isinstance(inner, float) and inner.is_integer():
            return int(inner)
        if hasattr(inner, "items"):
            return {k: plain(v) for k, v in inner.items()}
        if isinstance(inner, tuple):
            return [plain(v) for v in inner]
        return inner

    return {k: plain(v) for k, v in PropertyValue.unmarshal_map(struct).items()}


class Plugin:
    """One plugin process (one engine operation), with the engine's calls as methods taking and giving plain dicts."""

    def __init__(self, engine: FakeEngine, config: dict[str, Any] | None, **environ: str):
        env = {k: v for k, v in os.environ.items() if k not in ENV_NAMES} | environ
        self.process = subprocess.Popen([str(PLUGIN), engine.address], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)
        port = self.process.stdout.readline().strip()
        assert port.isdigit(), self.process.stderr.read()
        self.channel = grpc.insecure_channel(f"127.0.0.1:{port}")
        self.stub = provider_pb2_grpc.ResourceProviderStub(self.channel)
        if config is not None:
            self.configure(config)

    @classmethod
    def unconfigured(cls, engine: FakeEngine, **environ: str) -> Plugin:
        """A plugin process not configured yet (as the one Pulumi YAML starts only to read the schema)."""
        return cls(engine, None, **environ)

    def configure(self, config: dict[str, Any]) -> None:
        variables = {f"pai-models:config:{k}": str(v) for k, v in config.items()}
        self.configured = self.stub.Configure(
            provider_pb2.ConfigureRequest(variables=variables, args=to_struct(config), acceptSecrets=True, acceptResources=True)
        )

    def close(self) -> str:
        self.channel.close()
        self.process.terminate()
        _, err = self.process.communicate(timeout=10)
        return err

    def schema(self) -> str:
        return self.stub.GetSchema(provider_pb2.GetSchemaRequest(version=0)).schema

    def invoke(self, token: str, args: dict[str, Any]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        answer = self.stub.Invoke(provider_pb2.InvokeRequest(tok=token, args=to_struct(args)))
        return from_struct(getattr(answer, "return")), [(f.property, f.reason) for f in answer.failures]

    def check(self, olds: dict[str, Any], news: dict[str, Any], urn: str = URN) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        answer = self.stub.Check(provider_pb2.CheckRequest(urn=urn, olds=to_struct(olds), news=to_struct(news)))
        return from_struct(answer.inputs), [(f.property, f.reason) for f in answer.failures]

    def diff(self, olds: dict[str, Any], news: dict[str, Any]) -> Any:
        return self.stub.Diff(provider_pb2.DiffRequest(urn=URN, id="lookup-1", olds=to_struct(olds), news=to_struct(news)))

    def create(self, props: dict[str, Any], *, preview: bool = False) -> tuple[str, dict[str, Any]]:
        answer = self.stub.Create(provider_pb2.CreateRequest(urn=URN, properties=to_struct(props), preview=preview))
        return answer.id, from_struct(answer.properties)

    def update(self, olds: dict[str, Any], news: dict[str, Any]) -> dict[str, Any]:
        answer = self.stub.Update(provider_pb2.UpdateRequest(urn=URN, id="lookup-1", olds=to_struct(olds), news=to_struct(news)))
        return from_struct(answer.properties)

    def read(self, props: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        answer = self.stub.Read(provider_pb2.ReadRequest(urn=URN, id="lookup-1", properties=to_struct(props), inputs=to_struct(props)))
        return from_struct(answer.properties), from_struct(answer.inputs)


