"""Every reach into the Pulumi SDK beyond its documented API, each behind one small function that degrades.

(The reaches into Alibaba's SDK are in `client.py`, with the same rule: `RawKeepingClient.call_api`, falling back to
the SDK's typed responses; the text of the SDK's "parse the value as json" error, falling back to a plainer message.)

A function here checks that what it reaches is as expected and otherwise returns the documented fallback
(and says so once, through `notice`), never raising: an upgrade of Pulumi can make a message plainer, never
break a lookup. `tests/test_internals.py` runs each one against the installed SDK.

    program_config()   every stack config key of a Python program, to refuse a misspelled `pai-models:*` key
                       (`pulumi.runtime.config.CONFIG`; fallback: None, no such check)
    program_scope()    the running program's identity, to share answers within one run (the resource monitor;
                       fallback: None, nothing shared)
    request_urn()      the URN of the resource a dynamic provider is asked about (the server's `request`, found
                       in the calling frames; fallback: None, a warning without the exact `--replace` URN)
    engine_address()   the engine's address in a dynamic provider process (its first argument; fallback: None,
                       warnings go to stderr, where the engine shows them as plain output)
    one_line_errors()  this package's errors as one line in the dynamic provider server's answers (its
                       `traceback` module, pulumi >= 3.260; older servers leave errors to gRPC: "Exception calling
                       application: <error>", one line without the error's name; fallback: the server's own text)
    plugin_servicer()  the provider plugin's servicer, with this package's errors as one line (a subclass of the
                       experimental `ProviderServicer`; fallback: the servicer as it is, errors with a traceback)
    plugin_handlers()  that servicer's gRPC handlers, as the generated code registers them (for `plugin`'s server)
    exit_on_interrupt() a program process that exits at once when the engine interrupts it (a wakeup fd for
                       SIGINT; fallback: the engine waits 5 s, then kills it)
"""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
import traceback
from collections.abc import Callable, Mapping
from types import FrameType, ModuleType
from typing import Any

__all__ = [
    "engine_address",
    "exit_on_interrupt",
    "notice",
    "one_line_errors",
    "plugin_handlers",
    "plugin_servicer",
    "program_config",
    "program_config_value",
    "program_scope",
    "request_urn",
]

_NOTICED: set[str] = set()


#: What every notice of an adapter says (tests look for it).
NOT_AS_EXPECTED = "is not as expected in the installed version"


def notice(what: str, fallback: str) -> None:
    """Say once per process that `what` is not as expected in the installed version of Pulumi or Alibaba's SDK, and what
    happens instead."""
    if what not in _NOTICED:
        _NOTICED.add(what)
        sys.stderr.write(f"pulumi-pai-models: {what} {NOT_AS_EXPECTED}; {fallback}\n")


def program_config() -> dict[str, Any] | None:
    """Every stack config value a Python program was given, by full key (`pai-models:endpoint`); None if unknown."""
    try:
        from pulumi.runtime import config as runtime_config

        current: Any = runtime_config.CONFIG  # a ContextVar (a plain dict in older releases)
        values = current if isinstance(current, Mapping) else current.get()
        if not isinstance(values, Mapping):
            raise TypeError(type(values).__name__)
        env = os.environ.get("PULUMI_CONFIG")
        return {**(json.loads(env) if env else {}), **values}
    except Exception:
        notice("the list of stack config keys (pulumi.runtime.config.CONFIG)", "a misspelled pai-models:* key is not reported")
        return None


def program_config_value(key: str) -> Any:
    """A stack config value of the running program by full key, secrets in plain text (None when unset or outside one)."""
    try:
        from pulumi.runtime import get_config

        return get_config(key)
    except Exception:  # not running under Pulumi
        return None


def program_scope() -> object | None:
    """The running Pulumi program's resource monitor (one per run); None outside a program."""
    try:
        from pulumi.runtime import settings

        return settings.get_monitor()
    except Exception:
        notice("pulumi.runtime.settings.get_monitor()", "identical lookups are not shared within a program run")
        return None


_EXIT_ON_INTERRUPT = threading.Lock()
_EXIT_ON_INTERRUPT_TRIED = threading.Event()


def exit_on_interrupt() -> None:
    """Make this Pulumi program process exit at once when the engine interrupts it (SIGINT), whichever thread gets it.

    When an operation fails, the engine interrupts the language host's process group and waits 5 s for it to exit
    before killing it. A Python program blocked on an RPC to the closed engine does not exit on SIGINT: the signal
    may reach a gRPC thread while the main thread waits, and non-daemon threads keep the interpreter alive. A pipe
    given to `signal.set_wakeup_fd` is written by whichever thread takes the signal, and a daemon thread reading it
    ends the process. Installed only in a program that a language host started (it passes the stack config as
    PULUMI_CONFIG; an Automation API inline program runs in its caller's process, which is left alone), from the main
    thread, when the program left SIGINT and the wakeup fd to Python's defaults (asyncio's or the program's own
    handling is left alone).
    """
    with _EXIT_ON_INTERRUPT:
        if _EXIT_ON_INTERRUPT_TRIED.is_set() or threading.current_thread() is not threading.main_thread():
            return
        if "PULUMI_CONFIG" not in os.environ:
            return
        _EXIT_ON_INTERRUPT_TRIED.set()
        if signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
            return
        read_end, write_end = os.pipe()
        os.set_blocking(write_end, False)
        try:
            previous = signal.set_wakeup_fd(write_end, warn_on_full_buffer=False)
        except (ValueError, OSError):
            os.close(read_end)
            os.close(write_end)
            return
        if previous != -1:  # someone else (asyncio) reads the wakeup fd: give it back
            signal.set_wakeup_fd(previous)
            os.close(read_end)
            os.close(write_end)
            return

    def wait_for_interrupt() -> None:
        while True:
            received = os.read(read_end, 16)
            if not received or signal.SIGINT in received:
                break
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:
                pass
        os._exit(128 + signal.SIGINT)

    threading.Thread(target=wait_for_interrupt, name="pai-models-exit-on-interrupt", daemon=True).start()


# -- the dynamic provider process (`python -m pulumi.dynamic`, started by the engine) ----------------------------

_DYNAMIC_SERVER = "pulumi.dynamic.__main__"


def _dynamic_server() -> ModuleType | None:
    """The dynamic provider server's module, when this process is one."""
    main = sys.modules.get("__main__")
    return main if getattr(getattr(main, "__spec__", None), "name", None) == _DYNAMIC_SERVER else None


def request_urn() -> str | None:
    """The URN of the resource the engine is asking the dynamic provider about; None when unknown.

    Pulumi's dynamic provider passes no URN to `check`; the gRPC request it serves has one, in the frame of its
    `Check`/`Read` method below ours.
    """
    frame: FrameType | None = sys._getframe(1)
    while frame is not None:
        request = frame.f_locals.get("request")
        urn = getattr(request, "urn", None)
        if isinstance(urn, str) and urn:
            return urn
        frame = frame.f_back
    if _dynamic_server() is not None:
        notice("the URN of the dynamic provider's request", "warnings name `pulumi up --replace <URN>` without the URN")
    return None


def engine_address() -> str | None:
    """The engine's address, which the engine gives a dynamic provider process as its first argument; None elsewhere."""
    if _dynamic_server() is None:
        return None
    if len(sys.argv) > 1 and ":" in sys.argv[1]:
        return sys.argv[1]
    notice("the engine address of the dynamic provider process", "warnings are written to stderr instead")
    return None


def one_line_errors(ours: Callable[[BaseException], str | None]) -> None:
    """Make the dynamic provider server (if this process is one) report an error as `ours(error)` when that is not None.

    Since pulumi 3.260 the server answers a failed call with `traceback.format_exc()`; it gets a stand-in `traceback`
    module whose `format_exc` asks `ours` first. Older servers leave the error to gRPC, which answers with one line,
    "Exception calling application: <error>"; they are left so, without a notice (gRPC holds the servicer's methods
    from the start, before this package is imported). A server of neither shape keeps its own answers, with a notice.
    """
    server = _dynamic_server()
    if server is None or isinstance(getattr(server, "traceback", None), _OneLineTraceback):
        return
    source = _source(server)
    if getattr(server, "traceback", None) is traceback and "traceback.format_exc()" in source:
        server.traceback = _OneLineTraceback(ours)  # type: ignore[attr-defined]
    elif "traceback" in source or "abort" in source or "class DynamicResourceProviderServicer" not in source:
        notice(
            "the dynamic provider server's error formatting",
            "a failed refresh, create or update shows the server's own text (a Python traceback, or gRPC's "
            '"Exception calling application: <error>")',
        )


def _source(module: ModuleType) -> str:
    try:
        with open(module.__file__ or "", encoding="utf-8") as handle:
            return handle.read()
    except OSError:
        return ""


class _OneLineTraceback(ModuleType):
    """`traceback`, except that `format_exc()` gives `ours(error)` for the errors it words."""

    def __init__(self, ours: Callable[[BaseException], str | None]) -> None:
        super().__init__("traceback")
        self._ours = ours

    def __getattr__(self, name: str) -> Any:
        return getattr(traceback, name)

    def format_exc(self, limit: int | None = None, chain: bool = True) -> str:
        error = sys.exc_info()[1]
        worded = self._ours(error) if error is not None else None
        return worded if worded is not None else traceback.format_exc(limit, chain)


# -- the provider plugin (`pulumi.provider.experimental`) -----------------------------------------------------------


def plugin_servicer(argv: list[str], version: str, provider: Any, engine_address: str, ours: Callable[[BaseException], str | None]) -> Any:
    """The experimental server's servicer of `provider`; an error that `ours` words (not None) is answered as that line.

    The experimental server answers an exception raised by create, update or read with its text and a Python
    traceback; its original is the `__context__` of the exception it raises. A subclass of its servicer answers
    those itself. If the server is not shaped so, its servicer is used as it is.
    """
    from pulumi.provider.experimental import server

    base = getattr(server, "ProviderServicer", None)
    if not isinstance(base, type) or not all(hasattr(base, name) for name in ("Create", "Update", "Read")):
        notice("pulumi.provider.experimental.server.ProviderServicer", "failed creates, updates and reads show a Python traceback")
        return server.ProviderServicer(argv, version, provider, engine_address=engine_address)

    async def one_line(call: Callable[..., Any], request: Any, context: Any) -> Any:
        try:
            return await call(request, context)
        except Exception as error:
            original = error if ours(error) is not None else error.__context__
            worded = ours(original) if isinstance(original, BaseException) else None
            if worded is not None:
                import grpc

                await context.abort(grpc.StatusCode.UNKNOWN, worded)
            raise

    class OneLineServicer(base):  # type: ignore[misc,valid-type]
        async def Create(self, request: Any, context: Any) -> Any:  # gRPC names the methods
            return await one_line(super().Create, request, context)

        async def Update(self, request: Any, context: Any) -> Any:
            return await one_line(super().Update, request, context)

        async def Read(self, request: Any, context: Any) -> Any:
            return await one_line(super().Read, request, context)

    return OneLineServicer(argv, version, provider, engine_address=engine_address)


def plugin_handlers(servicer: Any) -> list[Any]:
    """The gRPC handlers of a provider servicer, as the SDK's generated code registers them on a server
    (`provider_pb2_grpc.add_ResourceProviderServicer_to_server`): its generic handlers, or its registered methods."""
    import grpc
    from pulumi.runtime.proto import provider_pb2_grpc

    handlers: list[Any] = []

    class Collect:
        def add_generic_rpc_handlers(self, generic: Any) -> None:
            handlers.extend(generic)

        def add_registered_method_handlers(self, service: str, methods: Any) -> None:
            handlers.append(grpc.method_handlers_generic_handler(service, methods))

    try:
        provider_pb2_grpc.add_ResourceProviderServicer_to_server(servicer, Collect())
    except Exception:
        handlers.clear()
    if not handlers:
        notice("pulumi.runtime.proto.provider_pb2_grpc.add_ResourceProviderServicer_to_server",
               "the plugin answers only its schema and version (every other call is unimplemented)")
    return handlers
