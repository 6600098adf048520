"""Driving a running emulator: ``pai-models emulator add-model | add-version | set-status | delete``.

Each command is one unsigned admin call (``/_emulator/models/...``, see :data:`.server.ADMIN_ENDPOINTS`)
to the emulator at ``--url``, else ``$PAI_MODELS_ENDPOINT`` (the emulator prints both when it starts).
A command's ``--help`` shows its examples and, derived from them by the code that makes the call, the
same call with curl. Output: one line saying what changed (``--output json``: the emulator's answer).
Errors: one line on stderr, the exit codes of ``pai-models`` (:data:`EXIT_CODES`).
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import sys
import textwrap
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NoReturn
from urllib.parse import quote, urlsplit

from ..cli.messages import EXIT_AMBIGUOUS, EXIT_API, EXIT_BAD_INPUT, EXIT_NO_MATCH, EXIT_OK, scrub
from ..selection import APPROVAL_STATUSES
from .errors import (
    AmbiguousModelName,
    CatalogError,
    ModelAlreadyExists,
    ModelNotFound,
    ModelVersionAlreadyExists,
    ModelVersionNotFound,
)

__all__ = ["COMMANDS", "EXIT_CODES", "AdminCall", "Command", "example_calls", "program", "run"]

URL_VARIABLE = "PAI_MODELS_ENDPOINT"
TIMEOUT_S = 30

EXIT_CODES = {
    EXIT_OK: "done: the change is made",
    EXIT_BAD_INPUT: "bad input: a flag, a --file, or a change the emulator refused (bad field, id or name taken)",
    EXIT_NO_MATCH: "no model has that id or exact name, or the model has no such version",
    EXIT_AMBIGUOUS: "several models have that name: give the ModelId instead",
    EXIT_API: "the emulator could not be reached or refused the call (e.g. not a loopback address)",
}

#: The emulator's error code -> the exit status it gives.
_EXIT_OF_CODE = {
    ModelNotFound.code: EXIT_NO_MATCH,
    ModelVersionNotFound.code: EXIT_NO_MATCH,
    AmbiguousModelName.code: EXIT_AMBIGUOUS,
    CatalogError.code: EXIT_BAD_INPUT,
    ModelAlreadyExists.code: EXIT_BAD_INPUT,
    ModelVersionAlreadyExists.code: EXIT_BAD_INPUT,
}


def program(prog: str) -> str:
    """The program an error line starts with: ``pai-models`` of ``pai-models emulator add-version``."""
    return prog.partition(" ")[0]


class CommandError(Exception):
    """What a command says on stderr, and its exit status."""

    def __init__(self, status: int, text: str) -> None:
        super().__init__(text)
        self.status = status


# --------------------------------------------------------------------------- the admin call


@dataclass(frozen=True)
class AdminCall:
    """One admin request: ``method`` on ``/_emulator/<path>`` (percent-encoded) with a JSON body.

    The body is ``body``, or the JSON object in ``body_file`` (``-``: stdin) with ``body``'s fields set over it.
    """

    method: str
    path: str
    body: Mapping[str, Any] | None = None
    body_file: str | None = None

    def data(self) -> Mapping[str, Any] | None:
        """The body to send; reads ``body_file`` (a bad one is a :class:`CommandError`)."""
        if self.body_file is None:
            return self.body
        return {**_json_object(self.body_file), **(self.body or {})}

    def curl(self) -> str:
        """This call as a curl command line, for ``$PAI_MODELS_ENDPOINT`` (the help examples)."""
        line = f'curl -sS -X {self.method} "${URL_VARIABLE}/_emulator/{self.path}"'
        if self.body_file is not None and self.body:
            raise ValueError("a body of a file and flags together has no curl form")
        if self.body_file is not None:
            return line + f" \\\n    -H 'Content-Type: application/json' --data-binary @{shlex.quote(self.body_file)}"
        if self.body is not None:
            return line + f" \\\n    -H 'Content-Type: application/json' -d {shlex.quote(json.dumps(self.body, ensure_ascii=False))}"
        return line

    def send(self, url: str) -> dict[str, Any]:
        """Make the call to the emulator at ``url``; its JSON answer, or a :class:`CommandError`."""
        data = self.data()
        payload = None if data is None else json.dumps(data, ensure_ascii=False).encode("utf-8")
        request = urllib.request.Request(f"{url}/_emulator/{self.path}", data=payload, method=self.method)
        if payload is not None:
            request.add_header("Content-Type", "application/json")
        what = f"{self.method} /_emulator/{self.path}"
        # The emulator is local: no proxy from the environment may stand between.
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            with opener.open(request, timeout=TIMEOUT_S) as answer:
                return _answer(answer.read(), what)
        except urllib.error.HTTPError as exc:
            raise _refusal(exc.code, exc.read(), what) from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", None) or exc
            raise CommandError(
                EXIT_API, f"cannot reach the emulator at {url} ({reason}): is it running there? (--url, else ${URL_VARIABLE})"
            ) from None


def _answer(raw: bytes, what: str) -> dict[str, Any]:
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        data = None
    if not isinstance(data, dict):
        raise CommandError(EXIT_API, f"{what}: the answer is not the emulator's JSON; is --url an emulator?")
    return data


def _refusal(status: int, raw: bytes, what: str) -> CommandError:
    """The emulator's error answer as a one-line error: its message, then the call, status, code and request id."""
    try:
        body = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        body = None
    if not isinstance(body, dict) or "Code" not in body:
        return CommandError(EXIT_API, f"{what}: HTTP {status} without the emulator's error body; is --url an emulator?")
    code = str(body["Code"])
    text = f"{body.get('Message', '')} ({what}: {status} {code}, request id {body.get('RequestId', '-')})"
    return CommandError(_EXIT_OF_CODE.get(code, EXIT_API), text)


def _json_object(path: str) -> dict[str, Any]:
    where = "stdin" if path == "-" else path
    try:
        if path == "-":
            data = json.load(sys.stdin)
        else:
            with open(path, encoding="utf-8") as fh:
                data = json.load(fh)
    except OSError as exc:
        raise CommandError(EXIT_BAD_INPUT, f"--file {where}: cannot read it: {exc.strerror or exc}") from None
    except (ValueError, RecursionError) as exc:
        raise CommandError(EXIT_BAD_INPUT, f"--file {where} is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise CommandError(EXIT_BAD_INPUT, f"--file {where} must hold one JSON object, not {type(data).__name__}")
    return data


def _segment(text: str) -> str:
    """A path segment: ``/`` and everything else outside unreserved characters percent-encoded."""
    return quote(text, safe="")


def _url(given: str | None, environ: Mapping[str, str]) -> str:
    """The emulator's base URL from --url, else $PAI_MODELS_ENDPOINT; ``host:port`` means http://host:port."""
    source, value = ("--url", given) if given is not None else (f"${URL_VARIABLE}", environ.get(URL_VARIABLE))
    if not value:
        raise CommandError(
            EXIT_BAD_INPUT,
            f"no emulator given: --url http://127.0.0.1:PORT, or set {URL_VARIABLE} (the emulator prints both when it starts)",
        )
    text = value.strip()
    parts = urlsplit(text if "://" in text else f"http://{text}")
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.path not in ("", "/") or parts.query:
        raise CommandError(EXIT_BAD_INPUT, f"{source} must be http://HOST:PORT (the emulator's address), not {value!r}")
    return f"{parts.scheme}://{parts.netloc}"


# --------------------------------------------------------------------------- the commands


def _status(text: str) -> str:
    """An approval status, in any case (as ``pai-models get --approval-status`` takes it)."""
    for status in APPROVAL_STATUSES:
        if status.lower() == text.strip().lower():
            return status
    raise argparse.ArgumentTypeError(f"{text!r} is not one of {', '.join(APPROVAL_STATUSES)}")


def _label(text: str) -> dict[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE, not {text!r}")
    return {"Key": key, "Value": value}


def _add_model(args: argparse.Namespace) -> AdminCall:
    if args.file is None and args.name is None and args.id is None:
        raise CommandError(EXIT_BAD_INPUT, "add-model needs --file FILE (a model as JSON), --name NAME or --id ID")
    fields = {key: value for key, value in (("ModelId", args.id), ("ModelName", args.name)) if value is not None}
    return AdminCall("POST", "models", fields or (None if args.file else {}), args.file)


def _add_version(args: argparse.Namespace) -> AdminCall:
    fields: dict[str, Any] = {"VersionName": args.version}
    for key, value in (("Uri", args.uri), ("ApprovalStatus", args.approval_status), ("GmtCreateTime", args.created)):
        if value is not None:
            fields[key] = value
    if args.label:
        fields["Labels"] = args.label
    return AdminCall("POST", f"models/{_segment(args.model)}/versions", fields, args.file)


def _set_status(args: argparse.Namespace) -> AdminCall:
    path = f"models/{_segment(args.model)}/versions/{_segment(args.version)}"
    return AdminCall("PATCH", path, {"ApprovalStatus": args.approval_status})


def _delete(args: argparse.Namespace) -> AdminCall:
    if args.version is None:
        return AdminCall("DELETE", f"models/{_segment(args.model)}")
    return AdminCall("DELETE", f"models/{_segment(args.model)}/versions/{_segment(args.version)}")


def _named(model: Mapping[str, Any]) -> str:
    name = model.get("ModelName")
    return f"model {model.get('ModelId')}" + (f" ({name})" if name else "")


def _latest(model: Mapping[str, Any]) -> str:
    latest = model.get("LatestVersion")
    return f"its LatestVersion is {latest['VersionName']}" if isinstance(latest, Mapping) else "it has no version"


def _versions(model: Mapping[str, Any]) -> int:
    versions = model.get("Versions")
    return len(versions) if isinstance(versions, list) else int(isinstance(model.get("LatestVersion"), Mapping))


def _said_add_model(answer: Mapping[str, Any]) -> str:
    model = answer["Model"]
    return f"added {_named(model)} with {_versions(model)} version(s); {_latest(model)}"


def _said_add_version(answer: Mapping[str, Any]) -> str:
    return f"added version {answer['Version']['VersionName']} to {_named(answer['Model'])}; {_latest(answer['Model'])}"


def _said_set_status(answer: Mapping[str, Any]) -> str:
    version = answer["Version"]
    return (f"version {version['VersionName']} of {_named(answer['Model'])} is now {version.get('ApprovalStatus')}; "
            f"{_latest(answer['Model'])}")


def _said_delete(answer: Mapping[str, Any]) -> str:
    if "Model" in answer:
        return f"deleted version {answer['Deleted']['VersionName']} of {_named(answer['Model'])}; {_latest(answer['Model'])}"
    model = answer["Deleted"]
    return f"deleted {_named(model)} and its {_versions(model)} version(s)"


@dataclass(frozen=True)
class Command:
    """A subcommand: its flags, the admin call they make, what it says when done, and examples for --help."""

    name: str
    summary: str
    flags: Callable[[argparse.ArgumentParser], None]
    call: Callable[[argparse.Namespace], AdminCall]
    said: Callable[[Mapping[str, Any]], str]
    examples: tuple[tuple[str, ...], ...]
    notes: str = ""
    files: Mapping[str, Any] = field(default_factory=dict)  # files the examples read, for docs and tests


def _model_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", required=True, metavar="MODEL", help="the model: its ModelId, or its exact ModelName")


def _flags_add_model(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--file", metavar="FILE", help='the model as JSON, as in a catalog ("-": stdin), with its '
                        '"Versions" if any')
    parser.add_argument("--name", metavar="NAME", help="its ModelName (over the file's)")
    parser.add_argument("--id", metavar="ID", help="its ModelId (over the file's; default: generated, model-...)")


def _flags_add_version(parser: argparse.ArgumentParser) -> None:
    _model_flag(parser)
    parser.add_argument("--version", required=True, metavar="NAME", help="the VersionName, new in this model")
    parser.add_argument("--uri", metavar="URI", help="where the model files are, e.g. oss://bucket/path/")
    parser.add_argument("--approval-status", type=_status, metavar="STATUS", help=", ".join(APPROVAL_STATUSES) +
                        " (default: none)")
    parser.add_argument("--created", metavar="TIME", help="its GmtCreateTime, e.g. 2025-01-31T12:00:00Z (default: now, "
                        "which makes it the LatestVersion)")
    parser.add_argument("--label", type=_label, action="append", metavar="KEY=VALUE", help="a label (repeatable)")
    parser.add_argument("--file", metavar="FILE", help="more fields, a ModelVersion as JSON (\"-\": stdin); the flags "
                        "are set over it")


def _flags_set_status(parser: argparse.ArgumentParser) -> None:
    _model_flag(parser)
    parser.add_argument("--version", required=True, metavar="NAME", help="the VersionName")
    parser.add_argument("--approval-status", required=True, type=_status, metavar="STATUS", help=", ".join(APPROVAL_STATUSES))


def _flags_delete(parser: argparse.ArgumentParser) -> None:
    _model_flag(parser)
    parser.add_argument("--version", metavar="NAME", help="delete only this version (default: the model and its versions)")


#: An example model file (``model.json`` in the add-model example).
EXAMPLE_MODEL = {
    "ModelId": "model-my-detector",
    "ModelName": "my-detector",
    "WorkspaceId": "ws-1",
    "Tags": [{"Key": "team", "Value": "risk"}],
    "Versions": [{"VersionName": "0.1.0", "Uri": "oss://acme-models/my-detector/0.1.0/", "ApprovalStatus": "Approved"}],
}

COMMANDS: dict[str, Command] = {
    c.name: c
    for c in (
        Command(
            "add-model", "add a model (with its versions, if it has some)", _flags_add_model, _add_model, _said_add_model,
            examples=(
                ("add-model", "--file", "model.json"),
                ("add-model", "--name", "churn-v2", "--id", "model-churn-v2"),
            ),
            notes="model.json: a model as in a catalog (the ListModels shape), e.g.\n  "
            + json.dumps(EXAMPLE_MODEL, ensure_ascii=False)
            + "\nLeft out, ModelId is generated, and GmtCreateTime and GmtModifiedTime (its versions' too) are now.",
            files={"model.json": EXAMPLE_MODEL},
        ),
        Command(
            "add-version", "add a version to a model; the newest becomes its LatestVersion", _flags_add_version,
            _add_version, _said_add_version,
            examples=(("add-version", "--model", "fraud-detector", "--version", "1.3.0",
                       "--uri", "oss://acme-models/fraud-detector/1.3.0/", "--approval-status", "Approved"),),
            notes="Its GmtCreateTime defaults to now, so it is the newest version and the model's LatestVersion\n"
            "(unless another version has a later GmtCreateTime).",
        ),
        Command(
            "set-status", "change the approval status of a version", _flags_set_status, _set_status, _said_set_status,
            examples=(("set-status", "--model", "fraud-detector", "--version", "1.3.0", "--approval-status", "Rejected"),),
            notes="Its GmtModifiedTime becomes now. A lookup with --approval-status Approved skips a Rejected version.",
        ),
        Command(
            "delete", "delete a version, or a model with its versions", _flags_delete, _delete, _said_delete,
            examples=(
                ("delete", "--model", "fraud-detector", "--version", "1.3.0"),
                ("delete", "--model", "model-churn-v2"),
            ),
            notes="Deleting a model's last version leaves the model, without versions.",
        ),
    )
}


# --------------------------------------------------------------------------- parsing and running


class _Parser(argparse.ArgumentParser):
    """argparse, with its errors as one line: ``pai-models: error: <message> (see '<prog> --help')``."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_BAD_INPUT, f"{program(self.prog)}: error: {message} (see '{self.prog} --help')\n")


def _example_line(prog: str, argv: Sequence[str], width: int = 96) -> str:
    """``prog argv`` for a shell, continued with ``\\`` before a flag where a line would pass ``width``."""
    groups: list[list[str]] = []  # each flag with its value
    for word in map(shlex.quote, argv):
        if word.startswith("-") or not groups:
            groups.append([word])
        else:
            groups[-1].append(word)
    lines = [prog]
    for group in map(" ".join, groups):
        if len(lines[-1]) + 1 + len(group) > width:
            lines[-1] += " \\"
            lines.append("    " + group)
        else:
            lines[-1] += " " + group
    return "\n".join(lines)


def build_parser(command: Command, prog: str) -> argparse.ArgumentParser:
    """The parser of ``<prog> <command>``; its help shows the examples and the curl form of their calls."""
    parser = _Parser(
        prog=f"{prog} {command.name}",
        description=f"{command.summary[0].upper()}{command.summary[1:]}: one admin call to a running emulator.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=_epilog(command, prog),
    )
    command.flags(parser)
    common = parser.add_argument_group("where, and what to print")
    common.add_argument("--url", metavar="URL", help=f"the emulator, http://HOST:PORT (default: ${URL_VARIABLE}, as the "
                        "emulator's second line exports it)")
    common.add_argument("-o", "--output", choices=("text", "json"), default="text",
                        help="text: one line saying what changed (default); json: the emulator's answer")
    return parser


def example_calls(command: Command, prog: str = "pai-models emulator") -> list[tuple[str, str]]:
    """(the example command line, the curl command of the admin call it makes), for each example of ``command``."""
    parser = _Parser(prog=f"{prog} {command.name}", add_help=False)  # the command's own flags: what its call needs
    command.flags(parser)
    return [(_example_line(prog, argv), command.call(parser.parse_args(list(argv[1:]))).curl()) for argv in command.examples]


def _epilog(command: Command, prog: str) -> str:
    pairs = example_calls(command, prog)
    lines = [f"examples (the emulator at ${URL_VARIABLE}, as its second line exports it; else give --url):"]
    lines += [textwrap.indent(line, "  ") for line, _ in pairs]
    if command.notes:
        lines += ["", command.notes]
    lines += ["", "the admin call of each example, with curl:"]
    lines += [textwrap.indent(curl, "  ") for _, curl in pairs]
    lines += ["", "exit codes:"] + [f"  {code:<4}{text}" for code, text in EXIT_CODES.items()]
    return "\n".join(lines)


def run(name: str, argv: Sequence[str], prog: str, environ: Mapping[str, str] | None = None) -> int:
    """Run the subcommand ``name`` with ``argv``; returns the exit status (argparse's own: --help 0, bad flags 2)."""
    command = COMMANDS[name]
    args = build_parser(command, prog).parse_args(list(argv))
    try:
        call = command.call(args)
        answer = call.send(_url(args.url, os.environ if environ is None else environ))
    except CommandError as exc:
        _say_error(prog, exc)
        return exc.status
    if args.output == "json":
        print(json.dumps(answer, ensure_ascii=False, indent=2), flush=True)
    else:
        print(command.said(answer), flush=True)
    return EXIT_OK


def _say_error(prog: str, exc: CommandError) -> None:
    try:
        sys.stderr.write(f"{program(prog)}: error: {scrub(str(exc))}\n")
        sys.stderr.flush()
    except (OSError, ValueError):
        pass
