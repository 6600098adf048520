"""Command line: ``pai-models emulator`` (also ``python -m pulumi_pai_models.emulator``).

``pai-models emulator [serve] [flags]`` runs the server (``serve`` may be left out: the flags alone run it, as
always); ``pai-models emulator add-model | add-version | set-status | delete ...`` drive a running one
(:mod:`.drive`). Serving:

Output on stdout, each line flushed: first ``listening on http://HOST:PORT``, so that a parent process
can read the URL; then a line to paste into a shell, ``export ALIBABA_CLOUD_ACCESS_KEY_ID=...
ALIBABA_CLOUD_ACCESS_KEY_SECRET=... PAI_MODELS_ENDPOINT=...`` with the public test key pair (with
``--access-key``, only the endpoint and the accepted key ids: a secret given on the command line is never
printed). SIGINT or SIGTERM stops the server, exit status 0. Bad arguments, a bad catalog, or an address
that cannot be bound (a port in use) exit 2 with one line on stderr.
"""

from __future__ import annotations

import argparse
import errno
import shlex
import signal
import sys
import textwrap
import threading
from collections.abc import Sequence
from types import FrameType

from . import drive
from .auth import DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, AccessKey
from .errors import CatalogError
from .faults import ACTIONS, BODY_VARIANTS, FAULT_FIELDS
from .server import ADMIN_ENDPOINTS, ADMIN_PATH_PARAMETERS, EmulatorServer

__all__ = ["SERVE", "build_parser", "main", "serve"]

EXIT_OK = 0
EXIT_BAD_INPUT = 2
#: The explicit name of running the server (the default when the first argument is a flag).
SERVE = "serve"


def _access_key(text: str) -> AccessKey:
    parts = text.split(":", 2)
    if len(parts) < 2 or not parts[0] or not parts[1] or (len(parts) == 3 and not parts[2]):
        raise argparse.ArgumentTypeError("expected ID:SECRET or ID:SECRET:SECURITY_TOKEN (the secret cannot contain ':')")
    return AccessKey(parts[0], parts[1], parts[2] if len(parts) == 3 else None)


def _latency(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError("expected a number of milliseconds") from None
    if not 0 <= value <= 600_000:
        raise argparse.ArgumentTypeError("expected 0..600000 milliseconds")
    return value


def _export_line(url: str, access_keys: Sequence[AccessKey] | None = None) -> str:
    """The shell line that points ``pai-models`` at this emulator: the public test pair, or the ids of ``access_keys``."""
    if access_keys is None:
        pairs = {
            "ALIBABA_CLOUD_ACCESS_KEY_ID": DEFAULT_ACCESS_KEY_ID,
            "ALIBABA_CLOUD_ACCESS_KEY_SECRET": DEFAULT_ACCESS_KEY_SECRET,
            "PAI_MODELS_ENDPOINT": url,
        }
        note = "the public test key pair, not a secret"
    else:
        pairs = {"PAI_MODELS_ENDPOINT": url}
        note = f"accepting the access key(s) {', '.join(k.id for k in access_keys)} given with --access-key"
    return "export " + " ".join(f"{name}={shlex.quote(value)}" for name, value in pairs.items()) + f"  # {note}"


def _epilog() -> str:
    width = 100
    admin = []
    column = len(f"  {'':<7}/_emulator/{'':<10} ")
    for method, name, summary in ADMIN_ENDPOINTS:
        head = f"  {method:<7}/_emulator/{name:<10} "
        if len(head) > column:  # a long path on a line of its own, its summary in the column below
            admin.append(head.rstrip())
            head = " " * column
        admin.append(textwrap.fill(summary, width, initial_indent=head, subsequent_indent=" " * len(head)))
    admin.append(textwrap.fill(ADMIN_PATH_PARAMETERS, width, initial_indent="  ", subsequent_indent="    "))
    fault = textwrap.fill(
        f"a fault has the fields {', '.join(FAULT_FIELDS)}. A status of 400..599 answers that error; 200 lets "
        f"the real answer through, corrupted as body says ({', '.join(BODY_VARIANTS)}); match is one of "
        f"{', '.join(ACTIONS)}",
        width,
        initial_indent="  ",
        subsequent_indent="    ",
    )
    return "\n".join(
        [
            "public test key pair (accepted unless --access-key is given; not a secret, it grants nothing elsewhere):",
            f"  access key id      {DEFAULT_ACCESS_KEY_ID}",
            f"  access key secret  {DEFAULT_ACCESS_KEY_SECRET}",
            "",
            'output: the first line is "listening on http://HOST:PORT"; the second, a line to paste into a shell:',
            f"  {_export_line('http://HOST:PORT')}",
            "",
            "admin endpoints (unsigned JSON on the same port; loopback Host names only, refused with an Origin header):",
            *admin,
            fault,
            "",
            "exit codes:",
            f"  {EXIT_OK:<4}stopped by SIGINT or SIGTERM",
            f"  {EXIT_BAD_INPUT:<4}bad arguments or catalog, or the address cannot be bound (a port in use: try --port 0)",
        ]
    )


def _commands(prog: str) -> str:
    """The description's list of what ``prog`` does besides serving."""
    top = prog.removesuffix(f" {SERVE}")
    lines = [f"  {name:<12}{command.summary}" for name, command in drive.COMMANDS.items()]
    return (
        f"Drive a running emulator ({top} COMMAND --help: its flags, and the admin call it makes with curl):\n"
        + "\n".join(lines)
    )


def build_parser(prog: str = "emulator") -> argparse.ArgumentParser:
    """The parser of serving (``prog`` or ``prog serve``)."""
    top = prog.removesuffix(f" {SERVE}")
    parser = argparse.ArgumentParser(
        prog=prog,
        usage=f"{top} [{SERVE}] [options]\n       {top} {{{','.join(drive.COMMANDS)}}} ...",
        description="Serve a local emulator of PAI's model-registry API (ListModels, GetModel,\n"
        f"ListModelVersions, GetModelVersion) for tests and demos ('{top} {SERVE}' is the same).\n\n"
        + _commands(prog),
        epilog=_epilog(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--catalog", metavar="FILE", help='catalog JSON {"Models": [...]} (default: the demo catalog)')
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port to bind (default 0: any free port)")
    parser.add_argument(
        "--access-key",
        dest="access_keys",
        metavar="ID:SECRET[:TOKEN]",
        action="append",
        type=_access_key,
        help="an accepted key pair, with an STS token if given (repeatable). Default: the public test pair "
        f"{DEFAULT_ACCESS_KEY_ID} / {DEFAULT_ACCESS_KEY_SECRET}",
    )
    parser.add_argument("--latency-ms", type=_latency, default=0, metavar="N", help="delay every API answer by N ms")
    parser.add_argument(
        "--allow-remote-admin",
        action="store_true",
        help="allow binding a non-loopback host; the unsigned /_emulator/* admin endpoints are then reachable by anyone",
    )
    parser.add_argument("--verbose", action="store_true", help="log requests to stderr (never secrets)")
    return parser


def _fail(prog: str, message: str) -> int:
    print(f"{prog}: error: {' '.join(message.split())}", file=sys.stderr)
    return EXIT_BAD_INPUT


def main(argv: Sequence[str] | None = None, prog: str = "emulator") -> int:
    """Serve (the flags alone, or ``serve`` and the flags) or run a command of :mod:`.drive`; returns the exit status."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in drive.COMMANDS:
        return drive.run(args[0], args[1:], prog)
    if args and args[0] == SERVE:
        return serve(args[1:], f"{prog} {SERVE}")
    if args and not args[0].startswith("-"):
        known = ", ".join([SERVE, *drive.COMMANDS])
        print(f"{drive.program(prog)}: error: unknown command {args[0]!r}: choose {known}, or give only flags to serve "
              f"(see '{prog} --help')", file=sys.stderr)
        return EXIT_BAD_INPUT
    return serve(args, prog)


def serve(argv: Sequence[str] | None = None, prog: str = "emulator") -> int:
    """Run the emulator until SIGINT/SIGTERM; returns the exit status."""
    parser = build_parser(prog)
    args = parser.parse_args(argv)
    try:
        server = EmulatorServer(
            catalog=args.catalog,
            host=args.host,
            port=args.port,
            access_keys=args.access_keys,
            latency_ms=args.latency_ms,
            allow_remote_admin=args.allow_remote_admin,
            verbose=args.verbose,
        )
    except (CatalogError, ValueError) as exc:
        return _fail(prog, str(exc))
    try:
        server.start()
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            problem = f"port {args.port} on {args.host} is already in use"
        else:
            problem = f"cannot listen on {args.host} port {args.port}: {exc.strerror or exc}"
        return _fail(prog, f"{problem}; choose another --port, or --port 0 for any free port")

    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {}
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGINT, signal.SIGTERM):
            previous[signum] = signal.signal(signum, on_signal)
    try:
        print(f"listening on {server.url}", flush=True)
        print(_export_line(server.url, args.access_keys), flush=True)
        while not stop.wait(0.2):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    return EXIT_OK
