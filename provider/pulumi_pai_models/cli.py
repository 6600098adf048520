"""`pai-models`: look up PAI registry models from a shell or a CI pipeline.

    pai-models list --provider pai --task text-generation
    URI=$(pai-models get --exact-name fraud-detector --approval-status Approved)
    pai-models emulator --port 8080          # a local PAI for offline use

The same query, selection and lookup code as the Pulumi functions (`pulumi_pai_models.lookup`),
so a command line and a stack give the same answer for the same arguments. Standard library only.
Exit codes are in `EXIT_CODES` (and in `--help`); errors are one line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import sys
import threading
import time
import unicodedata
from collections.abc import Callable, Sequence
from typing import Any, NoReturn, TextIO

# Submodules, not the package namespace: the CLI needs no Pulumi objects of its own.
from . import lookup
from .client import PaiModelsClient
from .errors import AmbiguousMatch, ApiError, ConfigurationError, InvalidQuery, NoMatch, PaiModelsError
from .query import ModelQuery
from .selection import APPROVAL_STATUSES, Selection
from .settings import ENV_KEYS, Settings
from .types import Model

__all__ = ["EXIT_CODES", "build_parser", "main", "query_from_args", "selection_from_args", "settings_from_args"]

PROG = "pai-models"

EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_BAD_INPUT = 2
EXIT_NO_MATCH = 3
EXIT_AMBIGUOUS = 4
EXIT_API = 5
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141

EXIT_CODES = {
    EXIT_OK: "found (list: also when nothing matched, with an empty table or [])",
    EXIT_INTERNAL: "unexpected internal error (a bug; rerun with --verbose for a traceback)",
    EXIT_BAD_INPUT: "bad input: invalid flag or filter value, or bad settings (region, endpoint, credentials)",
    EXIT_NO_MATCH: "get: no model matched, or the model has no such version",
    EXIT_AMBIGUOUS: "get: several models matched and --most-recent was not given",
    EXIT_API: "PAI answered with an error or could not be reached (including authentication failures)",
    EXIT_INTERRUPTED: "interrupted (Ctrl-C)",
    EXIT_BROKEN_PIPE: "the reader of stdout went away (e.g. | head -1); nothing more is written",
}

_EXIT_EPILOG = "exit codes:\n" + "\n".join(f"  {code:<4}{text}" for code, text in EXIT_CODES.items())

_SETTINGS_EPILOG = """\
settings: the flags, else the environment (ALIBABA_CLOUD_REGION_ID, PAI_MODELS_ENDPOINT,
PAI_MODELS_PROTOCOL). Credentials are never flags: ALIBABA_CLOUD_ACCESS_KEY_ID and
ALIBABA_CLOUD_ACCESS_KEY_SECRET (and ALIBABA_CLOUD_SECURITY_TOKEN), else Alibaba's default chain
(profiles in ~/.alibabacloud, ECS RAM role, OIDC/RRSA)."""

_LIST_EXAMPLES = """\
examples:
  pai-models list --provider pai --task text-generation
  pai-models list --tag env=prod --tag team=risk --condition 'ParameterSize<3000'
  pai-models list --name qwen --provider pai --order DESC --output ids
  pai-models list --workspace 86075 --output json | jq -r '.[].ModelName'

Without --provider, PAI lists only your own models; --provider pai lists PAI's public ones.
--name is a substring match, --exact-name an exact one; --name-regex filters on this side."""

_GET_EXAMPLES = """\
examples:
  URI=$(pai-models get --exact-name fraud-detector --approval-status Approved)
  pai-models get --tag env=prod --most-recent --output json
  pai-models get --exact-name churn-predictor --version 2.0.0 --output table

The model: the one that matches (several are an error, exit 4, unless --most-recent takes the
newest). The version: --version, else the newest with --approval-status, else the latest."""

_MAIN_EXAMPLES = """\
examples:
  pai-models list --provider pai --task text-generation
  URI=$(pai-models get --exact-name fraud-detector --approval-status Approved)
  pai-models emulator --port 8080
  pai-models get --help"""

#: Library parameter names (as `InvalidQuery.parameter` gives them) -> the flags that set them.
_FLAG_OF = {
    "workspace_id": "--workspace",
    "model_name": "--name/--exact-name",
    "exact_name": "--exact-name",
    "label": "--label",
    "provider": "--provider",
    "domain": "--domain",
    "task": "--task",
    "origin": "--origin",
    "query": "--query",
    "model_type": "--type",
    "collections": "--collections",
    "tags": "--tag",
    "conditions": "--condition",
    "order": "--order",
    "sort_by": "--sort-by",
    "name_regex": "--name-regex",
    "most_recent": "--most-recent",
    "version": "--version",
    "approval_status": "--approval-status",
}

log = logging.getLogger("pulumi_pai_models")


# -- parser ------------------------------------------------------------------------------------------


class _Parser(argparse.ArgumentParser):
    """argparse, with its errors as one line: `pai-models: error: <message> (see '<prog> --help')`."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_BAD_INPUT, f"{PROG}: error: {message} (see '{self.prog} --help')\n")


def _settings_flags() -> argparse.ArgumentParser:
    parent = argparse.ArgumentParser(add_help=False)
    group = parent.add_argument_group("where and how to call PAI")
    group.add_argument("--region", metavar="ID", help="region id such as cn-hangzhou (else ALIBABA_CLOUD_REGION_ID)")
    group.add_argument(
        "--endpoint",
        metavar="HOST|URL",
        help="API endpoint, host[:port] or http(s)://host:port, e.g. a local emulator (else PAI_MODELS_ENDPOINT; "
        "default: aiworkspace.REGION.aliyuncs.com)",
    )
    group.add_argument("--protocol", choices=("https", "http"), help="https (default), or http with an explicit --endpoint")
    group.add_argument("--page-size", type=int, metavar="N", help="models per ListModels page, 1..100 (default 100)")
    group.add_argument("--max-concurrency", type=int, metavar="N", help="pages fetched at once, 1..64 (default 8)")
    group.add_argument("--timeout-ms", type=int, metavar="MS", help="connect and read timeout of each request attempt")
    group.add_argument("--max-attempts", type=int, metavar="N", help="attempts per request on throttling/5xx/timeouts, 1..20 (default 4)")
    group.add_argument("-v", "--verbose", action="store_true", help="log retries and paging to stderr (never secrets)")
    return parent


def _filter_flags() -> argparse.ArgumentParser:
    parent = argparse.ArgumentParser(add_help=False)
    group = parent.add_argument_group("filters (all given must hold)")
    names = group.add_mutually_exclusive_group()
    names.add_argument("--name", metavar="TEXT", help="model name contains TEXT (case-insensitive)")
    names.add_argument("--exact-name", metavar="NAME", help="model name is exactly NAME")
    group.add_argument("--label", metavar="TEXT", help="a label key or value contains TEXT")
    group.add_argument("--tag", dest="tags", action="append", metavar="KEY=VALUE", help="has this tag (repeatable)")
    group.add_argument(
        "--condition",
        dest="conditions",
        action="append",
        metavar="EXPR",
        help="a field condition such as 'ParameterSize<3000' or 'Domain=nlp'; operators < <= > >= = != (repeatable)",
    )
    group.add_argument("--provider", metavar="NAME", help="provider, e.g. pai for PAI's public models (default: your own models)")
    group.add_argument("--domain", metavar="NAME", help="domain, e.g. nlp, cv")
    group.add_argument("--task", metavar="NAME", help="task, e.g. text-generation")
    group.add_argument("--origin", metavar="NAME", help="origin, e.g. ModelScope, HuggingFace")
    group.add_argument("--type", dest="model_type", metavar="NAME", help="model type, e.g. Checkpoint, LoRA")
    group.add_argument(
        "--collections", action="append", metavar="A[,B...]", help="in any of these collections (comma-separated, repeatable)"
    )
    group.add_argument("--query", metavar="TEXT", help="free text in the name, domain, task or labels")
    group.add_argument("--workspace", metavar="ID", help="workspace id")
    group.add_argument("--order", metavar="ASC|DESC", help="order by creation time (default ASC)")
    group.add_argument("--name-regex", metavar="REGEX", help="keep names matching this Python regular expression (applied here)")
    return parent


def build_parser() -> argparse.ArgumentParser:
    """The `pai-models` parser with its `list`, `get` and `emulator` subcommands."""
    formatter = argparse.RawDescriptionHelpFormatter
    parser = _Parser(
        prog=PROG,
        description="Look up Alibaba Cloud PAI registry models (the ListModels API) from a shell or a pipeline.",
        epilog=f"{_MAIN_EXAMPLES}\n\n{_EXIT_EPILOG}",
        formatter_class=formatter,
    )
    from . import __version__

    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="{list,get,emulator}", parser_class=_Parser)
    settings, filters = _settings_flags(), _filter_flags()

    listing = commands.add_parser(
        "list",
        help="list the models that match",
        description="List every model that matches the filters (all pages). Nothing matching is not an error.",
        epilog=f"{_LIST_EXAMPLES}\n\n{_SETTINGS_EPILOG}\n\n{_EXIT_EPILOG}",
        formatter_class=formatter,
        parents=[filters, settings],
    )
    listing.add_argument(
        "-o", "--output", choices=("table", "json", "ids"), default="table",
        help="table (for people, default), json (the models as PAI sent them), ids (one ModelId a line)",
    )

    get = commands.add_parser(
        "get",
        help="print the URI (or JSON) of the one model version that matches",
        description="Find the one model that matches the filters and print the URI of its chosen version.",
        epilog=f"{_GET_EXAMPLES}\n\n{_SETTINGS_EPILOG}\n\n{_EXIT_EPILOG}",
        formatter_class=formatter,
        parents=[filters, settings],
    )
    picking = get.add_argument_group("selection")
    picking.add_argument("--most-recent", action="store_true", help="if several models match, take the newest")
    versions = picking.add_mutually_exclusive_group()
    versions.add_argument("--version", dest="version_name", metavar="NAME", help="this exact version (default: the latest)")
    versions.add_argument(
        "--approval-status", metavar="STATUS", help=f"the newest version with this status: {', '.join(APPROVAL_STATUSES)}"
    )
    get.add_argument(
        "-o", "--output", choices=("uri", "json", "table"), default="uri",
        help="uri (just the URI and a newline, default), json (model, version and uri), table (for people)",
    )

    commands.add_parser(
        "emulator",
        help="run a local PAI emulator (see 'pai-models emulator --help')",
        add_help=False,
    )
    return parser


# -- arguments -> library objects ---------------------------------------------------------------------


def query_from_args(args: argparse.Namespace) -> ModelQuery:
    """The `ModelQuery` the filter flags ask for (the one mapping, shared by list and get)."""
    model_name = args.name
    if args.exact_name is not None:
        if not args.exact_name.strip():
            raise InvalidQuery("exact_name", "is empty", "a model name")
        if '"' in args.exact_name:
            raise InvalidQuery("exact_name", "contains a double quote", "a model name without quotes; it is quoted for you")
        model_name = f'"{args.exact_name}"'
    collections = None
    if args.collections:
        collections = [part for item in args.collections for part in item.split(",")]
    return ModelQuery.build(
        workspace_id=args.workspace,
        model_name=model_name,
        label=args.label,
        provider=args.provider,
        domain=args.domain,
        task=args.task,
        origin=args.origin,
        query=args.query,
        model_type=args.model_type,
        collections=collections,
        tags=args.tags,
        conditions=args.conditions,
        order=args.order,
        name_regex=args.name_regex,
    )


def selection_from_args(args: argparse.Namespace) -> Selection:
    """The `Selection` the get flags ask for."""
    return Selection.build(most_recent=args.most_recent, version=args.version_name, approval_status=args.approval_status)


def settings_from_args(args: argparse.Namespace, environ: dict[str, str] | None = None) -> Settings:
    """Flags over the environment, resolved; credentials only from the environment or Alibaba's chain."""
    flags = Settings(
        region=args.region,
        endpoint=args.endpoint,
        protocol=args.protocol,
        page_size=args.page_size,
        max_concurrency=args.max_concurrency,
        read_timeout_ms=args.timeout_ms,
        connect_timeout_ms=args.timeout_ms,
        max_attempts=args.max_attempts,
    )
    return flags.over(Settings.from_env(environ)).resolved()


# -- output -------------------------------------------------------------------------------------------


def _width(text: str) -> int:
    """Columns `text` takes in a terminal (East Asian wide characters take two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 0 if unicodedata.combining(ch) else 1 for ch in text)


def _cut_end(text: str, width: int) -> str:
    if _width(text) <= width:
        return text
    out, used = "", 0
    for ch in text:
        w = _width(ch)
        if used + w > width - 1:
            break
        out, used = out + ch, used + w
    return out + "…" if width >= 1 else ""


def _cut_middle(text: str, width: int) -> str:
    """Shorten `text` keeping both ends (a URI's bucket and its version directory)."""
    if _width(text) <= width or width < 5:
        return text if width >= _width(text) else _cut_end(text, width)
    tail_w = (width - 1) // 2
    head = _cut_end(text, width - tail_w)[:-1]
    tail, used = "", 0
    for ch in reversed(text):
        w = _width(ch)
        if used + w > tail_w:
            break
        tail, used = ch + tail, used + w
    return head + "…" + tail


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def _time(value: Any) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value is not None else "-"


def _encodable(text: str, stream: TextIO) -> str:
    encoding = getattr(stream, "encoding", None) or "utf-8"
    try:
        text.encode(encoding)
        return text
    except (UnicodeEncodeError, LookupError):
        return text.replace("…", "~").encode(encoding, "replace").decode(encoding, "replace")


_COLUMNS = (("MODEL ID", 32), ("NAME", 40), ("LATEST VERSION", 16), ("CREATED", 20), ("URI", 0))


def render_table(models: Sequence[Model], terminal_width: int | None = None) -> str:
    """A table for people. Cells are capped; the URI (kept whole at both ends) fills a terminal's width."""
    rows = [
        [
            m.model_id,
            m.model_name,
            m.latest_version.version_name if m.latest_version else "-",
            _time(m.gmt_create_time),
            (m.latest_version.uri if m.latest_version else None) or "-",
        ]
        for m in models
    ]
    widths = []
    for index, (title, cap) in enumerate(_COLUMNS[:-1]):
        widths.append(max([len(title)] + [min(cap, _width(row[index])) for row in rows]))
    if terminal_width:  # a narrow terminal: the name column gives way (down to 10) before the URI (down to 20)
        others = sum(widths) - widths[1] + 2 * len(widths)
        widths[1] = max(10, min(widths[1], terminal_width - others - 20))
    used = sum(widths) + 2 * len(widths)
    uri_cap = max(20, terminal_width - used) if terminal_width else 120
    lines = ["  ".join(_pad(title, w) for (title, _), w in zip(_COLUMNS[:-1], widths)) + "  URI"]
    for row in rows:
        cells = [_pad(_cut_end(cell, w), w) for cell, w in zip(row[:-1], widths)]
        lines.append("  ".join(cells) + "  " + _cut_middle(row[-1], uri_cap))
    return "\n".join(lines) + "\n"


def render_result(result: lookup.GetModelResult) -> str:
    """One chosen model version, a field a line, nothing cut."""
    v = result.version
    fields = [
        ("MODEL ID", result.model_id),
        ("NAME", result.model_name),
        ("VERSION", result.version_name),
        ("APPROVAL", v.approval_status or "-"),
        ("CREATED", _time(v.gmt_create_time)),
        ("FORMAT", " / ".join(x for x in (v.format_type, v.framework_type) if x) or "-"),
        ("URI", result.uri),
    ]
    return "".join(f"{name:<10}{value}\n" for name, value in fields)


def _json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n"


# -- progress -------------------------------------------------------------------------------------------


class Progress:
    """A spinner on a terminal's stderr while something slow runs; nothing at all when not a TTY.

    Shown only after `delay` seconds (quick lookups stay silent) and erased when the block ends,
    however it ends. One thread draws; a lock keeps its writes and the final erase apart.
    """

    FRAMES = "|/-\\"

    def __init__(self, message: str, stream: TextIO | None = None, *, delay: float = 0.3, interval: float = 0.1):
        self.message = message
        self.stream = sys.stderr if stream is None else stream
        self.delay = delay
        self.interval = interval
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._drawn = False
        self._thread: threading.Thread | None = None

    @staticmethod
    def wanted(stream: TextIO) -> bool:
        try:
            return bool(stream.isatty()) and os.environ.get("TERM") != "dumb"
        except (AttributeError, ValueError, OSError):
            return False

    def __enter__(self) -> Progress:
        if self.wanted(self.stream):
            self._thread = threading.Thread(target=self._run, name="pai-models-progress", daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        with self._lock:
            if self._drawn:
                self._write("\r\x1b[K")
                self._drawn = False

    def _run(self) -> None:
        started = time.monotonic()
        if self._stop.wait(self.delay):
            return
        frame = 0
        while True:
            with self._lock:
                if self._stop.is_set():
                    return
                elapsed = time.monotonic() - started
                self._write(f"\r\x1b[K{self.FRAMES[frame % len(self.FRAMES)]} {self.message} {elapsed:.0f}s")
                self._drawn = True
            frame += 1
            if self._stop.wait(self.interval):
                return

    def _write(self, text: str) -> None:
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):
            pass


# -- commands -------------------------------------------------------------------------------------------


def _run_list(args: argparse.Namespace, out: TextIO) -> int:
    query = query_from_args(args)
    settings = settings_from_args(args)
    with Progress("listing models..."):
        result = lookup.find_models(PaiModelsClient(settings), query)
    if args.output == "json":
        out.write(_json([m.to_dict() for m in result.models]))
    elif args.output == "ids":
        out.write("".join(f"{model_id}\n" for model_id in result.ids))
    else:
        width = shutil.get_terminal_size().columns if Progress.wanted(out) else None
        out.write(_encodable(render_table(result.models, width), out))
        if not result.models:
            sys.stderr.write(f"{PROG}: no model matches {query.describe()}\n")
    return EXIT_OK


def _run_get(args: argparse.Namespace, out: TextIO) -> int:
    query = query_from_args(args)
    selection = selection_from_args(args)
    settings = settings_from_args(args)
    try:
        with Progress("looking up the model..."):
            result = lookup.find_model(PaiModelsClient(settings), query, selection)
    except AmbiguousMatch as exc:
        raise _ambiguous(exc, query) from None
    except NoMatch as exc:
        raise _no_model(exc, query) from None
    if args.output == "json":
        out.write(_json(result.outputs()))
    elif args.output == "table":
        out.write(_encodable(render_result(result), out))
    else:
        out.write(result.uri + "\n")
    return EXIT_OK


def _ambiguous(exc: AmbiguousMatch, query: ModelQuery) -> AmbiguousMatch:
    """The library's message in the command's words (flags, not keyword arguments)."""
    shown = "; ".join(f"{m.model_id} {m.model_name!r} created {_time(m.gmt_create_time)}" for m in exc.candidates)
    more = f" and {exc.count - len(exc.candidates)} more" if exc.count > len(exc.candidates) else ""
    return AmbiguousMatch(
        f"{exc.count} models match {query.describe()}: {shown}{more}. Narrow the query (--exact-name, --tag, "
        "--condition, --name-regex) or add --most-recent to take the newest",
        exc.count,
        exc.candidates,
    )


def _no_model(exc: NoMatch, query: ModelQuery) -> NoMatch:
    if exc.query != query.describe():  # about a version of a model that did match: the library's words fit
        return exc
    hint = "" if query.provider else "; without --provider PAI lists only your own models (--provider pai: its public ones)"
    return NoMatch(f"no model matches {query.describe()}{hint}", exc.query)


_AUTH_CODES = ("InvalidAccessKeyId", "SignatureDoesNotMatch", "InvalidSecurityToken", "Forbidden", "NoPermission")


def _api_message(exc: ApiError) -> str:
    text = str(exc)
    if exc.code and exc.code.startswith(_AUTH_CODES):
        text += (
            " -- check the credentials (ALIBABA_CLOUD_ACCESS_KEY_ID / ALIBABA_CLOUD_ACCESS_KEY_SECRET, or the profile "
            "or role of Alibaba's default chain) and their RAM permissions"
        )
    return text


def _run_emulator(argv: Sequence[str]) -> int:
    from .emulator.cli import main as emulator_main  # lazily: only this subcommand needs the server

    try:
        return int(emulator_main(list(argv), prog="pai-models emulator") or 0)
    except SystemExit as exc:  # its argparse: --help (0) or bad arguments (2)
        return _exit_status(exc)


_COMMANDS: dict[str, Callable[[argparse.Namespace, TextIO], int]] = {"list": _run_list, "get": _run_get}


# -- errors ---------------------------------------------------------------------------------------------


def _secrets(environ: dict[str, str] | os._Environ) -> list[str]:
    """Secret values known to this process (to scrub from any message, belt and braces)."""
    names = [key for key, name in ENV_KEYS.items() if name in ("access_key_secret", "security_token")]
    return sorted({environ[n] for n in names if len(environ.get(n) or "") >= 4}, key=len, reverse=True)


def _scrub(text: str) -> str:
    for secret in _secrets(os.environ):
        text = text.replace(secret, "***")
    return " ".join(text.split())  # one line


def _message(exc: PaiModelsError) -> str:
    if isinstance(exc, InvalidQuery):
        head, _, sub = exc.parameter.partition(".")
        flag = _FLAG_OF.get(head, head)
        text = f"invalid {flag}{' ' + sub if sub else ''}: {exc.problem}"
        return text + (f" (allowed: {exc.allowed})" if exc.allowed else "")
    return str(exc)


def _fail(code: int, message: str) -> int:
    try:
        sys.stderr.write(f"{PROG}: error: {_scrub(message)}\n")
        sys.stderr.flush()
    except (OSError, ValueError):
        pass
    return code


def _exit_status(exc: SystemExit) -> int:
    if exc.code is None:
        return EXIT_OK
    if isinstance(exc.code, int):
        return exc.code
    return _fail(EXIT_INTERNAL, str(exc.code))


class _StderrHandler(logging.Handler):
    """Log records as `pai-models: message` lines on whatever `sys.stderr` is when they happen."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            sys.stderr.write(f"{PROG}: {_scrub(self.format(record))}\n")
        except Exception:
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
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return _exit_status(exc)
    if args.command is None:
        return _fail(EXIT_BAD_INPUT, f"a command is required: list, get or emulator (see '{PROG} --help')")
    undo_logging = _verbose_logging() if args.verbose else (lambda: None)
    try:
        return _run(args)
    finally:
        undo_logging()


def _run(args: argparse.Namespace) -> int:
    out = sys.stdout
    try:
        code = _COMMANDS[args.command](args, out)
        out.flush()
        return code
    except (InvalidQuery, ConfigurationError) as exc:
        return _fail(EXIT_BAD_INPUT, _message(exc))
    except NoMatch as exc:
        return _fail(EXIT_NO_MATCH, str(exc))
    except AmbiguousMatch as exc:
        return _fail(EXIT_AMBIGUOUS, str(exc))
    except ApiError as exc:
        return _fail(EXIT_API, _api_message(exc))
    except PaiModelsError as exc:
        return _fail(EXIT_INTERNAL, str(exc))
    except KeyboardInterrupt:
        _fail(EXIT_INTERRUPTED, "interrupted")
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
        return _fail(EXIT_INTERNAL, f"unexpected {type(exc).__name__}: {exc}")


if __name__ == "__main__":
    sys.exit(main())
