"""The command's flags, and what they ask for: the filter, selection and settings flags come from the contract.

`build_parser()` makes one flag per argument that `contract.ARGUMENTS` gives a flag and one per setting that
`contract.SETTINGS` gives one (their help is the declaration's doc), plus `--exact-name` (an exact
`model_name`) and `--timeout-ms` (both timeouts); `arguments_from_args` and `settings_from_args` turn parsed
flags into the library's objects.
"""

from __future__ import annotations

import argparse
from typing import Any, NoReturn

from .._version import __version__
from ..arguments import LookupArguments
from ..contract import CREDENTIALS, QUERY, SELECTION, SETTINGS, Argument, Setting, arguments, setting
from ..doors import CLI
from ..errors import InvalidQuery
from ..settings import ResolvedSettings, resolve
from .messages import EXIT_BAD_INPUT, EXIT_CODES, PROG

__all__ = ["arguments_from_args", "build_parser", "settings_from_args"]

EXIT_EPILOG = "exit codes:\n" + "\n".join(f"  {code:<4}{text}" for code, text in EXIT_CODES.items())

SETTINGS_EPILOG = f"""\
settings: the flags, else the environment: {", ".join(s.env[0] for s in SETTINGS if s.name not in CREDENTIALS)}.
An empty flag (--endpoint '') is an error, not "unset": leave the flag out.
Credentials are never flags: {CLI.where("access_key_id", "access_key_secret")} (and {setting("security_token").env[0]}),
else Alibaba's default chain (profiles in ~/.alibabacloud, ECS RAM role, OIDC/RRSA)."""

LIST_EXAMPLES = """\
examples:
  pai-models list --provider pai --task text-generation
  pai-models list --tag env=prod --tag team=risk --condition 'ParameterSize<3000'
  pai-models list --name qwen --provider pai --order DESC --output ids
  pai-models list --workspace 86075 --output json | jq -r '.[].ModelName'

Without --provider, PAI lists only your own models; --provider pai lists PAI's public ones.
--name is a substring match, --exact-name an exact one; --name-regex filters on this side."""

GET_EXAMPLES = """\
examples:
  URI=$(pai-models get --exact-name fraud-detector --approval-status Approved)
  pai-models get --tag env=prod --most-recent --output json
  pai-models get --exact-name churn-predictor --version 2.0.0 --output table

The model: the one that matches (several are an error, exit 4, unless --most-recent takes the
newest). The version: --version, else the newest with --approval-status, else the latest."""

OUTDATED_EXAMPLES = """\
examples:
  pulumi stack export | pai-models outdated
  pai-models outdated --state state.json --output json

Re-runs the query of each ModelLookup in a stack's exported state (its arguments as the program
gave them) and compares the newest match with the version the stack holds. Exit 0: all current (or
no ModelLookup at all, e.g. a stack never deployed); 6: at least one is behind (a locked one, or a
tracking one not yet updated); 7: at least one no longer resolves."""

MAIN_EXAMPLES = """\
examples:
  pai-models list --provider pai --task text-generation
  URI=$(pai-models get --exact-name fraud-detector --approval-status Approved)
  pulumi stack export | pai-models outdated
  pai-models emulator --port 8080
  pai-models get --help"""

class _Parser(argparse.ArgumentParser):
    """argparse, with its errors as one line: `pai-models: error: <message> (see '<prog> --help')`."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_BAD_INPUT, f"{PROG}: error: {message} (see '{self.prog} --help')\n")


def _setting_help(declared: Setting) -> str:
    """A setting flag's help: its doc, what is allowed and its default, and its environment variable."""
    facts = [declared.allowed] if declared.limits or declared.choices else []
    if declared.default is not None and declared.kind != "boolean":
        facts.append(f"default {declared.default}")
    return f"{declared.doc} ({'; '.join([*facts, f'else {declared.env[0]}'])})"


def _timeout(text: str) -> int:
    """`--timeout-ms`: a whole number in the timeouts' range."""
    low, high = setting("read_timeout_ms").limits or (1, 1)
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, got {text!r}") from None
    if not low <= value <= high:
        raise argparse.ArgumentTypeError(f"is {value}, allowed {low}..{high}")
    return value


def _settings_flags() -> _Parser:
    parent = _Parser(add_help=False)
    group = parent.add_argument_group("where and how to call PAI")
    for declared in SETTINGS:
        if declared.flag is None:
            continue
        if declared.kind == "boolean":
            group.add_argument(declared.flag, dest=declared.name, action="store_true", default=None, help=_setting_help(declared))
        else:
            group.add_argument(
                declared.flag, dest=declared.name, type=int if declared.kind == "integer" else str, choices=declared.choices or None,
                metavar=None if declared.choices else declared.name.split("_")[-1].upper(), help=_setting_help(declared),
            )  # fmt: skip
    group.add_argument("--timeout-ms", type=_timeout, metavar="MS", help="both timeouts of each request attempt, in milliseconds")
    group.add_argument("-v", "--verbose", action="store_true", help="log retries and paging to stderr (never secrets)")
    return parent


def _add(group: Any, argument: Argument) -> None:
    """One flag for `argument`: its help is the contract's doc."""
    assert argument.flag is not None
    if argument.kind == "boolean":
        group.add_argument(argument.flag, dest=argument.name, action="store_true", help=argument.doc)
    else:
        action = "append" if argument.repeatable else "store"
        group.add_argument(argument.flag, dest=argument.name, action=action, metavar=argument.metavar, help=argument.doc)


def _filter_flags() -> _Parser:
    parent = _Parser(add_help=False)
    group = parent.add_argument_group("filters (all given must hold)")
    for argument in arguments(QUERY):
        if argument.name == "model_name":  # two flags: a substring, or an exact name
            names = group.add_mutually_exclusive_group()
            _add(names, argument)
            names.add_argument("--exact-name", metavar="NAME", help="model name is exactly NAME")
        elif argument.flag:
            _add(group, argument)
    return parent


def build_parser() -> argparse.ArgumentParser:
    """The `pai-models` parser with its `list`, `get`, `outdated` and `emulator` subcommands."""
    formatter = argparse.RawDescriptionHelpFormatter
    parser = _Parser(
        prog=PROG,
        description="Look up Alibaba Cloud PAI registry models (the ListModels API) from a shell or a pipeline.",
        epilog=f"{MAIN_EXAMPLES}\n\n{EXIT_EPILOG}",
        formatter_class=formatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="{list,get,outdated,emulator,policy-pack}", parser_class=_Parser)
    settings, filters = _settings_flags(), _filter_flags()

    def subcommand(name: str, summary: str, description: str, examples: str, parents: list[_Parser], outputs: dict[str, str]) -> Any:
        """A subcommand with its examples, the settings and exit codes in its epilog, and `-o/--output` (the first the default)."""
        sub = commands.add_parser(
            name, help=summary, description=description, epilog=f"{examples}\n\n{SETTINGS_EPILOG}\n\n{EXIT_EPILOG}",
            formatter_class=formatter, parents=parents,
        )  # fmt: skip
        default = next(iter(outputs))
        sub.add_argument(
            "-o", "--output", choices=tuple(outputs), default=default,
            help=", ".join(f"{choice} ({text}{', default' if choice == default else ''})" for choice, text in outputs.items()),
        )  # fmt: skip
        return sub

    subcommand(
        "list", "list the models that match",
        "List every model that matches the filters (all pages). Nothing matching is not an error.",
        LIST_EXAMPLES, [filters, settings],
        {"table": "for people", "json": "the models as PAI sent them", "ids": "one ModelId a line"},
    )  # fmt: skip
    get = subcommand(
        "get", "print the URI (or JSON) of the one model version that matches",
        "Find the one model that matches the filters and print the URI of its chosen version.",
        GET_EXAMPLES, [filters, settings],
        {"uri": "just the URI and a newline", "json": "model, version and uri", "table": "for people"},
    )  # fmt: skip
    picking = get.add_argument_group("selection")
    for argument in arguments(SELECTION):  # --version with --approval-status is refused by the lookup, as in every door
        _add(picking, argument)
    outdated = subcommand(
        "outdated", "report the ModelLookups of a stack that are behind their newest match",
        "Read a stack's exported state and report, per ModelLookup, the version it holds and the newest match.",
        OUTDATED_EXAMPLES, [settings],
        {"table": "for people", "json": "one object per lookup"},
    )  # fmt: skip
    outdated.add_argument("--state", metavar="FILE", default="-", help="the output of `pulumi stack export` (default: - for stdin)")

    commands.add_parser("emulator", help="run a local PAI emulator (see 'pai-models emulator --help')", add_help=False)
    commands.add_parser("policy-pack", help="print the path of the approved-models policy pack, for pulumi --policy-pack", add_help=False)
    return parser


def _tag(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep:
        raise InvalidQuery("tags", f"cannot read {text[:80]!r}", "KEY=VALUE, e.g. --tag env=prod")
    return key, value


def arguments_from_args(args: argparse.Namespace) -> LookupArguments:
    """The lookup the filter and selection flags ask for (the one mapping, shared by list and get)."""
    values = {a.name: getattr(args, a.name, None) for a in arguments(QUERY, SELECTION) if a.flag}
    if args.exact_name is not None:
        if not args.exact_name.strip():
            raise InvalidQuery("exact_name", "is empty", "a model name")
        if '"' in args.exact_name:
            raise InvalidQuery("exact_name", "contains a double quote", "a model name without quotes; it is quoted for you")
        values["model_name"] = f'"{args.exact_name}"'
    if values["collections"]:
        values["collections"] = [part for item in values["collections"] for part in item.split(",")]
    if values["tags"]:
        values["tags"] = [_tag(text) for text in values["tags"]]
    return LookupArguments.parse(values)


def settings_from_args(args: argparse.Namespace) -> ResolvedSettings:
    """The flags over the environment, resolved through the `CLI` door; credentials only from the environment or
    Alibaba's chain. A bad value is reported under the flag that gave it (`--page-size is 500, allowed 1..100`)."""
    flags = {s.flag: getattr(args, s.name, None) for s in SETTINGS if s.flag}
    if getattr(args, "timeout_ms", None) is not None:  # the shorthand for both timeouts; each own flag wins over it
        for timeout in (setting("read_timeout_ms"), setting("connect_timeout_ms")):
            flags[str(timeout.flag)] = flags.get(str(timeout.flag)) or args.timeout_ms
    return resolve(CLI, flags=flags)
