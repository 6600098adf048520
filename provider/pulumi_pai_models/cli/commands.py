"""The command's subcommands: `list`, `get` and `outdated`, each from parsed flags to output and exit status."""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import asdict, dataclass
from typing import Any, TextIO

from .. import lifecycle, lookup, schema
from ..arguments import ARGUMENT_NAMES, LookupArguments
from ..client import PaiModelsClient
from ..doors import PYTHON, SCHEMA, Door
from ..errors import InvalidQuery, LookupFailed
from ..registry import CachedRegistry
from .messages import EXIT_BEHIND, EXIT_FAILED, EXIT_OK, PROG
from .parser import arguments_from_args, settings_from_args
from .render import Progress, encodable, render_result, render_table, to_json

__all__ = ["COMMANDS", "OutdatedRow", "lookups_in_state"]


def _registry(args: argparse.Namespace) -> CachedRegistry:
    return CachedRegistry(PaiModelsClient(settings_from_args(args)))


def run_list(args: argparse.Namespace, out: TextIO) -> int:
    query = arguments_from_args(args).query
    registry = _registry(args)
    with Progress("listing models..."):
        result = lookup.find_models(registry, query)
    if args.output == "json":
        out.write(to_json([m.to_dict() for m in result.models]))
    elif args.output == "ids":
        out.write("".join(f"{model_id}\n" for model_id in result.ids))
    else:
        width = shutil.get_terminal_size().columns if Progress.wanted(out) else None
        out.write(encodable(render_table(result.models, width), out))
        if not result.models:
            sys.stderr.write(f"{PROG}: no model matches {query.describe()}\n")
    return EXIT_OK


def run_get(args: argparse.Namespace, out: TextIO) -> int:
    wanted = arguments_from_args(args)
    registry = _registry(args)
    with Progress("looking up the model..."):
        result = lookup.find_model(registry, wanted.query, wanted.selection)
    if args.output == "json":
        out.write(to_json(result.outputs()))
    elif args.output == "table":
        out.write(encodable(render_result(result), out))
    else:
        out.write(result.uri + "\n")
    return EXIT_OK


# -- outdated --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OutdatedRow:
    """One ModelLookup of a stack: the version it holds and the newest match of its query now."""

    urn: str
    locked: bool
    model: str
    held_version: str
    held_uri: str
    newest_version: str
    newest_uri: str
    #: current, behind, or failed (the query no longer resolves: `problem` says why)
    status: str
    problem: str = ""


#: The key that marks a secret value in an exported state; `plaintext` (JSON) is there only with --show-secrets.
_SECRET_SIG = "4dabf18193072939515e22adb298388d"
#: What an encrypted secret reads as here: it cannot be re-run.
_ENCRYPTED = object()


def _plain(value: Any) -> Any:
    """A state value without Pulumi's secret wrapper; `_ENCRYPTED` for a secret exported without --show-secrets."""
    if isinstance(value, Mapping) and _SECRET_SIG in value:
        plaintext = value.get("plaintext")
        return _ENCRYPTED if plaintext is None else _plain(json.loads(plaintext))
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _has_encrypted(value: Any) -> bool:
    if isinstance(value, Mapping):
        return any(_has_encrypted(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_encrypted(v) for v in value)
    return value is _ENCRYPTED


def lookups_in_state(state: Any) -> Iterator[tuple[str, Door, dict[str, Any]]]:
    """(URN, the door of the program that declared it, outputs by the lifecycle's names) of each ModelLookup in
    `pulumi stack export` output (the plugin's state spells them in camelCase); raises InvalidQuery when it is not such
    an output."""
    export = "pulumi stack export > state.json"
    deployment = state.get("deployment") if isinstance(state, Mapping) and "version" in state else None
    if not isinstance(deployment, Mapping):
        raise InvalidQuery("state", "is not the output of `pulumi stack export` (no version and deployment)", export)
    # A stack never deployed, or destroyed, exports a deployment without resources: nothing to check.
    resources = deployment.get("resources") or []
    if not isinstance(resources, list):
        raise InvalidQuery("state", "is not the output of `pulumi stack export` (deployment.resources is not a list)", export)
    for resource in resources:
        if isinstance(resource, Mapping) and resource.get("type") in schema.LOOKUP_TYPES and not resource.get("delete"):
            outputs = resource.get("outputs") or resource.get("inputs") or {}
            door = PYTHON
            if resource.get("type") == schema.RESOURCE:
                outputs, door = {name: outputs[wire] for name, wire in lifecycle.SCHEMA_NAMES.items() if wire in outputs}, SCHEMA
            yield str(resource.get("urn")), door, {k: _plain(v) for k, v in outputs.items()}


def outdated_rows(state: Any, registry: CachedRegistry) -> list[OutdatedRow]:
    """Each lookup's held version against the newest match of its query."""
    rows = []
    for urn, door, props in lookups_in_state(state):
        args = {k: props[k] for k in ARGUMENT_NAMES if props.get(k) is not None}
        held = (str(props.get("version_name") or "-"), str(props.get("uri") or "-"))
        name = str(props.get("resolved_model_name") or props.get("model_id") or "-")
        secret = sorted(k for k, v in args.items() if _has_encrypted(v))
        if secret:
            problem = f"its argument(s) {', '.join(secret)} are secret: export the state with `pulumi stack export --show-secrets`"
            rows.append(OutdatedRow(urn, args.get("lock") is True, name, *held, "-", "-", "failed", problem))
            continue
        try:
            wanted = LookupArguments.parse(args)
            newest = lookup.find_model(registry, wanted.query, wanted.selection)
        except (InvalidQuery, LookupFailed) as error:
            rows.append(OutdatedRow(urn, args.get("lock") is True, name, *held, "-", "-", "failed", error.explain(door)))
            continue
        lock = wanted.lock
        behind = (newest.model_id, newest.version_name) != (props.get("model_id"), props.get("version_name"))
        rows.append(OutdatedRow(urn, lock, name, *held, newest.version_name, newest.uri, "behind" if behind else "current"))
    return rows


def _render_outdated(rows: list[OutdatedRow]) -> str:
    if not rows:
        return "nothing to check: no ModelLookup in this state\n"
    lines = []
    for row in rows:
        mode = "locked" if row.locked else "tracking"
        lines.append(f"{row.status.upper():<8} {row.urn}")
        lines.append(f"         {mode}: {row.model} {row.held_version}  {row.held_uri}")
        if row.status == "behind":
            lines.append(f"         newest: {row.newest_version}  {row.newest_uri}")
        elif row.status == "failed":
            lines.append(f"         {row.problem}")
    return "\n".join(lines) + "\n"


def run_outdated(args: argparse.Namespace, out: TextIO) -> int:
    if args.state == "-":
        text = sys.stdin.read()
    else:
        try:
            with open(args.state, encoding="utf-8") as handle:
                text = handle.read()
        except OSError as error:
            problem = f"cannot read {args.state!r} ({error.strerror})"
            raise InvalidQuery("state", problem, "a file written by `pulumi stack export`") from None
    try:
        state = json.loads(text)
    except ValueError:
        raise InvalidQuery("state", "is not JSON", "the output of `pulumi stack export`") from None
    registry = _registry(args)
    with Progress("checking the stack's lookups..."):
        rows = outdated_rows(state, registry)
    if args.output == "json":
        out.write(to_json([asdict(row) for row in rows]))
    else:
        out.write(encodable(_render_outdated(rows), out))
    statuses = {row.status for row in rows}
    return EXIT_FAILED if "failed" in statuses else EXIT_BEHIND if "behind" in statuses else EXIT_OK


COMMANDS: dict[str, Callable[[argparse.Namespace, TextIO], int]] = {"list": run_list, "get": run_get, "outdated": run_outdated}
