"""Command line: ``emulator --catalog FILE --host 127.0.0.1 --port 0 --access-key ID:SECRET[:TOKEN] ...``.

The first line on stdout is ``listening on http://HOST:PORT`` (flushed), so a parent process can
read the port. SIGINT or SIGTERM stops the server; the exit status is then 0. Bad arguments exit 2,
a port that cannot be bound exits 1.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Sequence

from . import DEFAULT_ACCESS_KEY_ID
from .auth import AccessKey
from .catalog import CatalogError
from .server import EmulatorServer

__all__ = ["build_parser", "main"]


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


def build_parser(prog: str = "emulator") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Serve a local emulator of PAI's model-registry API (ListModels, GetModel, "
        "ListModelVersions, GetModelVersion) for tests and demos.",
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
        f"{DEFAULT_ACCESS_KEY_ID} (secret in pulumi_pai_models.emulator.DEFAULT_ACCESS_KEY_SECRET).",
    )
    parser.add_argument("--latency-ms", type=_latency, default=0, metavar="N", help="delay every API answer by N ms")
    parser.add_argument(
        "--allow-remote-admin",
        action="store_true",
        help="allow binding a non-loopback host; the unsigned /_emulator/* admin endpoints are then reachable by anyone",
    )
    parser.add_argument("--verbose", action="store_true", help="log requests to stderr (never secrets)")
    return parser


def main(argv: Sequence[str] | None = None, prog: str = "emulator") -> int:
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
        print(f"emulator: {exc}", file=sys.stderr)
        return 2
    try:
        server.start()
    except OSError as exc:
        print(f"emulator: cannot listen on {args.host}:{args.port}: {exc.strerror or exc}", file=sys.stderr)
        return 1

    stop = threading.Event()
    previous = {}
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGINT, signal.SIGTERM):
            previous[signum] = signal.signal(signum, lambda *_: stop.set())
    try:
        print(f"listening on {server.url}", flush=True)
        if args.access_keys is None:
            print(f"emulator: accepting the public test key pair {DEFAULT_ACCESS_KEY_ID}", file=sys.stderr, flush=True)
        while not stop.wait(0.2):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    return 0


if __name__ == "__main__":
    sys.exit(main())
