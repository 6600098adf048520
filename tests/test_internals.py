"""The adapters around Pulumi's internals (`pulumi_pai_models.internals`), each against the installed Pulumi SDK: what it
reaches is as expected, and where it is not, it degrades to its documented behaviour with one notice, never a crash.
The range sessions (noxfile.py) run this file at both ends of the supported Pulumi versions."""

from __future__ import annotations

import asyncio
import base64
import os
import signal
import subprocess
import sys
import textwrap
import types
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path

import dill
import grpc
import pulumi
import pytest
from packaging.version import Version
from pulumi.runtime import rpc
from pulumi.runtime.proto import provider_pb2, provider_pb2_grpc
from pulumi_pai_models import internals


def test_program_config_lists_every_key_the_program_was_given():
    pulumi.runtime.set_all_config({"pai-models:endpoint": "http://127.0.0.1:1", "proj:other": "x"})
    try:
        config = internals.program_config()
        assert config is not None and config["pai-models:endpoint"] == "http://127.0.0.1:1" and "proj:other" in config
        assert internals.program_config_value("pai-models:endpoint") == "http://127.0.0.1:1"
    finally:
        pulumi.runtime.set_all_config({})


def test_program_config_degrades_to_no_list_with_one_notice(monkeypatch, capsys):
    from pulumi.runtime import config as runtime_config

    monkeypatch.setattr(runtime_config, "CONFIG", object())  # not what this SDK keeps
    monkeypatch.setattr(internals, "_NOTICED", set())
    assert internals.program_config() is None and internals.program_config() is None
    assert capsys.readouterr().err.count(internals.NOT_AS_EXPECTED) == 1


def test_program_scope_is_none_outside_a_program():
    assert internals.program_scope() is None


def test_request_urn_is_read_from_the_request_being_served():
    def served(request):  # stands in for the dynamic provider server's Check method, whose local is `request`
        return internals.request_urn()

    assert served(types.SimpleNamespace(urn="urn:pulumi:s::p::t::n")) == "urn:pulumi:s::p::t::n"
    assert internals.request_urn() is None  # not under that server: no URN, no notice
    assert internals.engine_address() is None


@pytest.fixture
def dynamic_server(monkeypatch, tmp_path):
    """This process's `__main__` looking like Pulumi's dynamic provider server, with a source file of our choosing."""

    def become(source: str) -> types.ModuleType:
        path = tmp_path / "server.py"
        path.write_text(source)
        module = types.ModuleType("__main__")
        module.__spec__ = types.SimpleNamespace(name="pulumi.dynamic.__main__")  # type: ignore[assignment]
        module.__file__ = str(path)
        import traceback

        module.traceback = traceback  # type: ignore[attr-defined]
        monkeypatch.setitem(sys.modules, "__main__", module)
        monkeypatch.setattr(internals, "_NOTICED", set())
        return module

    return become


def test_one_line_errors_replace_the_servers_traceback_for_our_errors_only(dynamic_server):
    server = dynamic_server("def fail():\n    context.abort(code, traceback.format_exc())\n")
    internals.one_line_errors(lambda error: "ours" if isinstance(error, KeyError) else None)
    try:
        raise KeyError("x")
    except KeyError:
        assert server.traceback.format_exc() == "ours"
    try:
        raise ValueError("not ours")
    except ValueError:
        assert "Traceback" in server.traceback.format_exc()


def test_one_line_errors_leave_an_older_server_to_grpc_without_a_notice(dynamic_server, capsys):
    import traceback

    # like pulumi < 3.260's server: no error handling of its own, gRPC answers "Exception calling application: <error>"
    server = dynamic_server("class DynamicResourceProviderServicer:\n    def Read(self, request, context):\n        return read()\n")
    internals.one_line_errors(lambda error: "ours")
    assert server.traceback is traceback
    assert capsys.readouterr().err == ""


def test_one_line_errors_leave_a_server_of_neither_known_shape_alone(dynamic_server, capsys):
    import traceback

    server = dynamic_server("def fail():\n    context.abort(code, str(error))\n")  # neither format_exc nor errors left to gRPC
    internals.one_line_errors(lambda error: "ours")
    internals.one_line_errors(lambda error: "ours")
    assert server.traceback is traceback
    err = capsys.readouterr().err
    assert err.count(internals.NOT_AS_EXPECTED) == 1
    assert "a failed refresh, create or update shows the server's own text" in err


# -- the real dynamic provider server of the installed SDK (`python -m pulumi.dynamic`, as the engine starts it) ------

#: A provider module the server imports when it unpickles the provider (as it imports pulumi_pai_models.resource, which
#: installs the adapter at import). Its check answers what the adapters found in the server process.
SERVED = textwrap.dedent(
    """
    from pulumi.dynamic import CheckResult, ReadResult, ResourceProvider
    from pulumi_pai_models import internals


    class Worded(Exception):
        pass


    internals.one_line_errors(lambda error: f"worded: {error}" if isinstance(error, Worded) else None)


    class Served(ResourceProvider):
        def check(self, olds, news):
            return CheckResult({**news, "urn": internals.request_urn() or "", "engine": internals.engine_address() or ""}, [])

        def read(self, id_, props):
            raise (Worded if props["worded"] else ValueError)("the refresh failed")
    """
)
ENGINE_ADDRESS = "127.0.0.1:1"  # never called: check only reports it
URN = "urn:pulumi:test::proj::pulumi-python:dynamic:Resource::served"


class DynamicServer:
    """`python -m pulumi.dynamic` serving the `Served` provider, and its properties as the engine sends them."""

    def __init__(self, folder: Path):
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(folder), os.environ.get("PYTHONPATH", "")])}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "pulumi.dynamic", ENGINE_ADDRESS], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
        )
        port = self.process.stdout.readline().decode().strip()
        assert port.isdigit(), self.process.stderr.read().decode()
        self.channel = grpc.insecure_channel(f"127.0.0.1:{port}")
        self.stub = provider_pb2_grpc.ResourceProviderStub(self.channel)
        sys.path.insert(0, str(folder))
        try:
            import served_by_test
        finally:
            sys.path.remove(str(folder))
        self.provider = base64.b64encode(dill.dumps(served_by_test.Served())).decode()

    def properties(self, **values):
        return asyncio.run(rpc.serialize_properties({"__provider": self.provider, **values}, {}))

    def close(self) -> str:
        self.channel.close()
        self.process.terminate()
        return self.process.communicate(timeout=10)[1].decode()


@pytest.fixture
def dynamic_provider_server(tmp_path) -> Iterator[DynamicServer]:
    (tmp_path / "served_by_test.py").write_text(SERVED)
    server = DynamicServer(tmp_path)
    yield server
    server.close()
    sys.modules.pop("served_by_test", None)


#: The first pulumi whose dynamic provider server formats a failure with traceback.format_exc() (found by reading the
#: released wheels' pulumi/dynamic/__main__.py); older ones leave the error to gRPC. docs/development.md lists it.
FORMATS_ITS_ERRORS = Version("3.260.0")


@pytest.mark.shell
def test_the_real_dynamic_server_answers_our_errors_in_one_line_and_others_its_own_way(dynamic_provider_server):
    """Against the installed SDK's server: since pulumi 3.260 our error is our one line and another error a traceback;
    before, gRPC answers both as "Exception calling application: <error>" (one line, without the error's name).
    Neither prints a notice."""
    server = dynamic_provider_server

    def refresh_error(worded: bool) -> str:
        with pytest.raises(grpc.RpcError) as info:
            server.stub.Read(provider_pb2.ReadRequest(id="x", urn=URN, properties=server.properties(worded=worded)))
        assert info.value.code() == grpc.StatusCode.UNKNOWN
        return info.value.details()

    if Version(metadata.version("pulumi")) >= FORMATS_ITS_ERRORS:
        assert refresh_error(worded=True) == "worded: the refresh failed"
        theirs = refresh_error(worded=False)
        assert theirs.startswith("Traceback (most recent call last):") and theirs.endswith("ValueError: the refresh failed\n")
    else:
        assert refresh_error(worded=True) == refresh_error(worded=False) == "Exception calling application: the refresh failed"
    assert internals.NOT_AS_EXPECTED not in server.close()


@pytest.mark.shell
def test_the_real_dynamic_server_gives_the_request_urn_and_the_engine_address(dynamic_provider_server):
    server = dynamic_provider_server
    answer = server.stub.Check(provider_pb2.CheckRequest(urn=URN, olds=server.properties(), news=server.properties()))
    inputs = rpc.deserialize_properties(answer.inputs)
    assert (inputs["urn"], inputs["engine"]) == (URN, ENGINE_ADDRESS)
    assert internals.NOT_AS_EXPECTED not in server.close()


def test_plugin_servicer_uses_a_servicer_of_another_shape_as_it_is_with_one_notice(monkeypatch, capsys):
    from pulumi.provider.experimental import server

    class ProviderServicer:  # no Create, Update, Read
        def __init__(self, *args, **kwargs):
            self.built = (args, kwargs)

    monkeypatch.setattr(server, "ProviderServicer", ProviderServicer)
    monkeypatch.setattr(internals, "_NOTICED", set())
    servicer = internals.plugin_servicer(["127.0.0.1:1"], "0.1.0", "the provider", "127.0.0.1:1", lambda error: "ours")
    assert type(servicer) is ProviderServicer
    assert servicer.built == ((["127.0.0.1:1"], "0.1.0", "the provider"), {"engine_address": "127.0.0.1:1"})
    assert "failed creates, updates and reads show a Python traceback" in capsys.readouterr().err


def test_plugin_handlers_are_the_generated_codes_for_every_method_of_the_servicer():
    from pulumi.runtime.proto import provider_pb2_grpc

    servicer = internals.plugin_servicer(["127.0.0.1:1"], "0.1.0", object(), "127.0.0.1:1", lambda error: None)
    handlers = internals.plugin_handlers(servicer)
    methods = [m for m in dir(provider_pb2_grpc.ResourceProviderServicer) if not m.startswith("_")]

    class Details:
        def __init__(self, method):
            self.method = f"/pulumirpc.ResourceProvider/{method}"

    found = {m: next((h.service(Details(m)) for h in handlers if h.service(Details(m)) is not None), None) for m in methods}
    assert methods and all(found.values()), [m for m, handler in found.items() if handler is None]
    assert found["Create"].unary_unary.__func__ is type(servicer).Create


@pytest.mark.shell
def test_the_real_plugin_finds_its_servicer_as_expected():
    """The installed SDK's experimental server is as plugin_servicer expects: the plugin starts and stops without a notice
    (tests/test_plugin.py checks its one-line errors)."""
    from plugin_harness import FakeEngine, Plugin

    engine = FakeEngine()
    try:
        plugin = Plugin(engine, {"endpoint": "http://127.0.0.1:1"})
        assert internals.NOT_AS_EXPECTED not in plugin.close()
    finally:
        engine.server.stop(None)


PROGRAM = textwrap.dedent(
    """
    import os, sys, threading
    from pulumi_pai_models import internals

    internals.exit_on_interrupt()
    # What a failing program looks like to the engine: a worker thread stuck in a call, the main thread waiting.
    threading.Thread(target=threading.Event().wait, daemon=False).start()
    print("ready", flush=True)
    threading.Event().wait()
    """
)


@pytest.mark.shell
@pytest.mark.parametrize("launched_by_a_host", [True, False])
def test_a_program_exits_at_once_on_the_engines_interrupt(launched_by_a_host):
    """The engine interrupts a failed operation's program (SIGINT to its process group) and kills it only 5 s later;
    a program of ours exits on the interrupt itself. Not launched by a language host (no PULUMI_CONFIG: an Automation
    API caller's own process), nothing is installed, and the process is left to its own SIGINT handling."""
    env = {k: v for k, v in os.environ.items() if k != "PULUMI_CONFIG"} | ({"PULUMI_CONFIG": "{}"} if launched_by_a_host else {})
    process = subprocess.Popen([sys.executable, "-c", PROGRAM], stdout=subprocess.PIPE, env=env, text=True, start_new_session=True)
    try:
        assert process.stdout.readline().strip() == "ready"
        os.killpg(process.pid, signal.SIGINT)
        try:  # a liveness bound, not a speed target: without the adapter the process never exits by itself
            code = process.wait(timeout=30 if launched_by_a_host else 3)
        except subprocess.TimeoutExpired:
            code = None
        if launched_by_a_host:
            assert code == 128 + signal.SIGINT
        else:
            assert code is None  # the non-daemon thread keeps it alive, as in any Python program
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def test_a_sdk_that_does_not_call_call_api_degrades_to_its_typed_answers(emulator, settings, monkeypatch, capsys):
    """Alibaba's SDK routes every call through `call_api` today; if a version did not, the lookups still work from its
    typed responses (losing the fields it does not know), with one notice."""
    from pulumi_pai_models import PaiModelsClient, get_models
    from pulumi_pai_models.client import _sdk_client_class

    sdk_class = _sdk_client_class()
    monkeypatch.setattr(sdk_class, "call_api", sdk_class.__mro__[1].call_api)  # the SDK's own: no raw body kept
    monkeypatch.setattr(internals, "_NOTICED", set())
    found = get_models(provider="pai", settings=settings)
    assert found.total_count > 0 and all(m.model_id for m in found.models)
    model = PaiModelsClient(settings).get_model(found.models[0].model_id)
    assert model is not None and model.model_id == found.models[0].model_id
    assert capsys.readouterr().err.count("the SDK's call_api for the raw answer is not as expected") == 1
