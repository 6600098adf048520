"""`pai-models`: look up PAI registry models from a shell or a CI pipeline.

    pai-models list --provider pai --task text-generation
    URI=$(pai-models get --exact-name fraud-detector --approval-status Approved)
    pulumi stack export | pai-models outdated
    pai-models emulator --port 8080          # a local PAI for offline use

The same query, selection and lookup code as the Pulumi functions (`pulumi_pai_models.lookup`), so a
command line and a stack give the same answer for the same arguments. It never imports the Pulumi SDK.
Modules: `parser` (flags, from the contract), `commands` (what each subcommand does), `render`
(tables and progress), `messages` (exit codes, errors in the command's terms). Errors are one line on
stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable, Sequence

from ..errors import AmbiguousMatch, ApiError, ConfigurationError, InvalidQuery, NoMatch, PaiModelsError
from .commands import COMMANDS
from .messages import (
    EXIT_AMBIGUOUS,
    EXIT_API,
    EXIT_BAD_INPUT,
    EXIT_BROKEN_PIPE,
    EXIT_CODES,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_NO_MATCH,
    EXIT_OK,
    PROG,
    fail,
    message,
    scrub,
)
from .parser import build_parser

__all__ = ["EXIT_CODES", "build_parser", "main"]

log = logging.getLogger("pulumi_pai_models")


def _run_emulator(argv: Sequence[str]) -> int:
    from ..emulator.cli import main as emulator_main  # lazily: only this subcommand needs the server

    try:
        return int(emulator_main(list(argv), prog=f"{PROG} emulator") or 0)
    except SystemExit as exc:  # its argparse: --help (0) or bad arguments (2)
        return _exit_status(exc)


def _run_policy_pack(argv: Sequence[str]) -> int:
    from ..policy.command import main as policy_pack_main  # lazily: only this subcommand needs it

    try:
        return policy_pack_main(argv, prog=f"{PROG} policy-pack")
    except SystemExit as exc:  # its argparse: --help (0) or bad arguments (2)
        return _exit_status(exc)


def _exit_status(exc: SystemExit) -> int:
    if exc.code is None:
        return EXIT_OK
    if isinstance(exc.code, int):
        return exc.code
    return fail(EXIT_INTERNAL, str(exc.code))


class _StderrHandler(logging.Handler):
    """Log records as `pai-models: message` lines on whatever `sys.stderr` is when they happen."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            sys.stderr.write(f"{PROG}: {scrub(self.format(record))}\n")
        except Exception:  # logging must never break the command
            self.handleError(record)


def _verbose_logging() -> Callable[[], None]:
    """Send the library's INFO log to stderr until the returned function is called."""
    handler, level = _StderrHandler(), log.level
    log.addHandler(handler)
    log.setLevel(logging.INFO)

    def undo() -> None:
        log.removeHandler(handler)
        log.setLevel(level)

    return undo


def main(argv: Sequence[str] | None = None) -> int:
    """Run `pai-models` with `argv` (default: the process arguments); returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "emulator":
        try:
            return _run_emulator(argv[1:])
        except KeyboardInterrupt:
            return EXIT_INTERRUPTED
    if argv and argv[0] == "policy-pack":
        return _run_policy_pack(argv[1:])
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return _exit_status(exc)
    if args.command is None:
        return fail(EXIT_BAD_INPUT, f"a command is required: list, get, outdated or emulator (see '{PROG} --help')")
    undo_logging = _verbose_logging() if args.verbose else (lambda: None)
    try:
        return _run(args)
    finally:
        undo_logging()


def _run(args: argparse.Namespace) -> int:
    out = sys.stdout
    try:
        code = COMMANDS[args.command](args, out)
        out.flush()
        return code
    except (InvalidQuery, ConfigurationError) as exc:
        return fail(EXIT_BAD_INPUT, message(exc))
    except NoMatch as exc:
        return fail(EXIT_NO_MATCH, message(exc))
    except AmbiguousMatch as exc:
        return fail(EXIT_AMBIGUOUS, message(exc))
    except ApiError as exc:
        return fail(EXIT_API, message(exc))
    except PaiModelsError as exc:
        return fail(EXIT_INTERNAL, message(exc))
    except KeyboardInterrupt:
        fail(EXIT_INTERRUPTED, "interrupted")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (`pai-models list | head -1`): stop quietly, like other Unix tools.
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, out.fileno())
        except (OSError, ValueError, AttributeError):
            pass
        return EXIT_BROKEN_PIPE
    except Exception as exc:  # a bug: still one line, the traceback only when asked for
        if args.verbose:
            import traceback

            traceback.print_exc()
        return fail(EXIT_INTERNAL, f"unexpected {type(exc).__name__}: {exc}")
