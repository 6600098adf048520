"""The adapters around Pulumi's internals (`pulumi_pai_models.internals`), each against the installed Pulumi SDK: what it
reaches is as expected, and where it is not, it degrades to its documented behaviour with one notice, never a crash.
The range sessions (noxfile.py) run this file at both ends of the supported Pulumi versions."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import types

import pulumi
import pytest
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
    assert capsys.readouterr().err.count("is not as expected in the installed version") == 1


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


def test_one_line_errors_leave_a_server_that_formats_otherwise_alone(dynamic_server, capsys):
    import traceback

    server = dynamic_server("def fail():\n    context.abort(code, str(error))\n")  # like pulumi 3.139's server
    internals.one_line_errors(lambda error: "ours")
    assert server.traceback is traceback
    assert "a failed refresh, create or update shows a Python traceback" in capsys.readouterr().err


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
