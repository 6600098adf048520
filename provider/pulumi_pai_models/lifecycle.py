"""A lookup that lives in a stack: what `ModelLookup`'s check, diff, create, update and read do, over plain values.

Two thin adapters run it: the dynamic resource (`resource`, for Python programs) and the provider
plugin (`plugin`, for every language). Neither holds a rule of its own.

The state keeps the program's arguments under their own names (so `read` re-runs exactly the query
the program wrote) and the resolved values under the contract's resource output names, which never
take an argument's name. The lookup resolves in `check`, whose answer is what the engine shows in a
preview, so `uri` is known there. `check` answers only the outputs known in preview (the contract's
`in_preview`), and those are what diffs compare; `complete` adds the model's and version's whole JSON
at create, update and read, so a version bump in `pulumi preview --diff` is a few lines.

Tracking (the default) re-resolves on every check. A locked lookup (`lock=True`) keeps its first
resolution while its arguments and `keepers` stay the same: it only warns when the query now picks
another version, and fails cleanly when the kept version is gone. `pulumi up --replace` (the engine
passes no old state) or a change of `keepers` resolves it afresh.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .arguments import ARGUMENT_NAMES, LookupArguments
from .contract import camel, outputs
from .errors import InvalidQuery, LockedVersionGone, LookupFailed, NoMatch, PaiModelsError
from .lookup import GetModelResult, find_model
from .registry import Registry

__all__ = [
    "ARGUMENT_NAMES",
    "COMPARED",
    "DETAIL_NAMES",
    "OUTPUT_NAMES",
    "PREVIEW_NAMES",
    "SCHEMA_NAMES",
    "UNKNOWN",
    "Checked",
    "changed_properties",
    "check",
    "complete",
    "finish",
    "has_unknown",
    "move_command",
    "new_id",
    "pending",
    "read",
    "resolve",
    "stables",
    "state_inputs",
]

#: How the engine spells a value not known yet in a preview (`pulumi.runtime.rpc.UNKNOWN`; a test keeps them equal).
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"

#: The resource's outputs, from the contract (its arguments are `arguments.ARGUMENT_NAMES`).
OUTPUT_NAMES = tuple(o.resource_name for o in outputs(resource=True) if o.resource_name)
PREVIEW_NAMES = tuple(o.resource_name for o in outputs(resource=True) if o.resource_name and o.in_preview)
DETAIL_NAMES = tuple(n for n in OUTPUT_NAMES if n not in PREVIEW_NAMES)
COMPARED = ARGUMENT_NAMES + PREVIEW_NAMES
#: Each property's name in the provider plugin's schema and state (camelCase: `model_name` -> `modelName`).
SCHEMA_NAMES = {name: camel(name) for name in ARGUMENT_NAMES + OUTPUT_NAMES}


@dataclass
class Checked:
    """What `check` decided: the new state's inputs, failures (property or "", the error) and warnings to show.

    Failures carry the error itself, so each adapter words it in its own terms (`model_name`, `modelName`).
    """

    inputs: dict[str, Any]
    failures: list[tuple[str, PaiModelsError]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def has_unknown(value: Any) -> bool:
    """True when `value`, or anything inside it, is not known yet (a preview's `UNKNOWN`)."""
    if isinstance(value, str):
        return value == UNKNOWN
    if isinstance(value, Mapping):
        return any(has_unknown(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(has_unknown(v) for v in value)
    return False


def move_command(urn: str | None) -> str:
    """How to move a lock (the `move_hint` the other functions take): the exact command when the URN is known."""
    if urn:
        return f"pulumi up --replace '{urn}' (or change this lookup's keepers)"
    return "pulumi up --replace <URN> (list URNs with: pulumi stack --show-urns), or change this lookup's keepers"


def resolved_values(result: GetModelResult, query_summary: Any) -> dict[str, Any]:
    """The resource's outputs for a lookup result, under the contract's resource names."""
    values = {**result.outputs(), "query_summary": query_summary}
    return {o.resource_name: values[o.name] for o in outputs(resource=True) if o.resource_name}


def new_id() -> str:
    """A fresh id for a lookup's state (it owns nothing in PAI that could give one)."""
    return f"lookup-{uuid.uuid4().hex[:16]}"


def pending(news: Mapping[str, Any]) -> dict[str, Any] | None:
    """The inputs of a preview in which part of the query is not known yet: the arguments as they are, the outputs
    known in preview unknown (the lookup resolves later); None when the query is known."""
    if not has_unknown({k: news.get(k) for k in ARGUMENT_NAMES}):
        return None
    return {**{k: v for k, v in news.items() if k in ARGUMENT_NAMES}, **dict.fromkeys(PREVIEW_NAMES, UNKNOWN)}


def check(olds: Mapping[str, Any], news: Mapping[str, Any], registry: Registry, *, move_hint: str) -> Checked:
    """Validate the arguments and resolve (or keep) the lookup. `move_hint` says how this user moves a lock."""
    given = _given(news)
    try:
        args = LookupArguments.parse(given)
    except InvalidQuery as error:
        return Checked(given, failures=[(error.argument, error)])
    kept = _kept(olds, args) if args.lock else None
    try:
        if kept is None:
            return Checked({**given, **resolve(registry, args)})
        return Checked({**given, **kept}, warnings=_verify_lock(registry, kept, args, move_hint))
    except LookupFailed as error:
        return Checked(given, failures=[("", error)])


def resolve(registry: Registry, args: LookupArguments) -> dict[str, Any]:
    """The outputs known in preview, of a fresh resolution."""
    values = resolved_values(find_model(registry, args.query, args.selection), args.query.describe())
    return {k: values[k] for k in PREVIEW_NAMES}


def finish(props: Mapping[str, Any], registry: Registry, *, move_hint: str) -> dict[str, Any]:
    """What create and update answer: `props` as `check` resolved them (resolving here only if it could not: its
    query was unknown then), completed; raises the first failure."""
    if props.get("uri") and not has_unknown(props):
        return complete(props, registry, move_hint=move_hint)
    checked = check({}, props, registry, move_hint=move_hint)
    if checked.failures:
        raise checked.failures[0][1]
    return complete(checked.inputs, registry, move_hint=move_hint)


def complete(props: Mapping[str, Any], registry: Registry, *, move_hint: str) -> dict[str, Any]:
    """`props` (a resolved state) with the model's whole JSON: what create, update and read answer."""
    model_id, version_name = str(props.get("model_id") or ""), str(props.get("version_name") or "")
    model = registry.get_model(model_id) if model_id else None
    version = registry.get_model_version(model_id, version_name) if model and version_name else None
    if model is None or version is None:
        name = str(props.get("resolved_model_name") or model_id)
        if props.get("lock"):
            raise LockedVersionGone(model_id, name, version_name, move_hint)
        raise NoMatch(f"version {version_name!r} of model {model_id} ({name!r}) left the registry while the lookup ran: run it again")
    details = resolved_values(GetModelResult(model, version), props.get("query_summary"))
    return {**props, **{k: details[k] for k in DETAIL_NAMES}}


def read(props: Mapping[str, Any], registry: Registry, *, move_hint: str) -> dict[str, Any]:
    """The state after `pulumi refresh` (whole JSON included): a tracking lookup re-runs its query, a locked one is
    checked to still exist."""
    given = _given(props)
    args = LookupArguments.parse(given)
    kept = _outputs(props) if args.lock else None
    if kept is None:
        return complete({**given, **resolve(registry, args)}, registry, move_hint=move_hint)
    _verify_lock(registry, kept, args, move_hint)
    return complete({**given, **kept}, registry, move_hint=move_hint)


def changed_properties(olds: Mapping[str, Any], news: Mapping[str, Any]) -> list[str]:
    """The arguments and outputs whose values differ."""
    return [k for k in COMPARED if olds.get(k) != news.get(k)]


def stables(news: Mapping[str, Any], changed: Sequence[str]) -> list[str]:
    """The compared properties that this update leaves as they are (known, and not among `changed`)."""
    return [k for k in COMPARED if k not in changed and not has_unknown(news.get(k))]


def state_inputs(outputs: Mapping[str, Any]) -> dict[str, Any]:
    """The inputs a refreshed state keeps for later diffs: its outputs, less the model's whole JSON (never compared)."""
    return {k: v for k, v in outputs.items() if k not in DETAIL_NAMES}


def _outputs(props: Mapping[str, Any]) -> dict[str, Any] | None:
    """The resolved outputs known in preview in `props`, or None when it holds no complete resolution."""
    values = {k: props.get(k) for k in PREVIEW_NAMES}
    return values if values["uri"] and values["model_id"] and values["version_name"] else None


def _given(props: Mapping[str, Any]) -> dict[str, Any]:
    """The arguments that `props` sets (a resource's inputs or state)."""
    return {k: props[k] for k in ARGUMENT_NAMES if props.get(k) is not None}


def _kept(olds: Mapping[str, Any], args: LookupArguments) -> dict[str, Any] | None:
    """The old resolution, if it may be kept: the same query, selection and keepers (`lock` itself may change)."""
    kept = _outputs(olds)
    if kept is None:
        return None
    try:
        old = LookupArguments.parse(_given(olds))
    except InvalidQuery:
        return None
    same = (old.query, old.selection, old.keepers) == (args.query, args.selection, args.keepers)
    return kept if same else None


def _verify_lock(registry: Registry, kept: Mapping[str, Any], args: LookupArguments, move_hint: str) -> list[str]:
    """Fail if the kept version is gone; warn (return the text) if the query now picks another one.

    The query runs first: the models and versions it lists answer the existence check without more requests.
    """
    model_id, version_name = str(kept["model_id"]), str(kept["version_name"])
    model_name = str(kept.get("resolved_model_name") or model_id)
    try:
        newest: GetModelResult | None = find_model(registry, args.query, args.selection)
        problem: LookupFailed | None = None
    except LookupFailed as error:
        newest, problem = None, error
    if registry.get_model(model_id) is None or registry.get_model_version(model_id, version_name) is None:
        raise LockedVersionGone(model_id, model_name, version_name, move_hint)
    if newest is None:
        return [f"ModelLookup locked to {model_name} version {version_name}; the lock holds, but its query now finds nothing: {problem}"]
    if (newest.model_id, newest.version_name) == (model_id, version_name):
        return []
    return [
        f"ModelLookup locked to {model_name} version {version_name} ({kept.get('uri')}); its query now picks "
        f"{newest.model_name} version {newest.version_name} ({newest.uri}). To move the lock: {move_hint}"
    ]
