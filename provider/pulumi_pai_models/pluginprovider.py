"""The provider of the plugin `pai-models` (see `plugin`), for programs in any language (YAML, TypeScript, Go, C#, Java).

The engine starts the plugin as `pulumi-resource-pai-models <engine address>` (the console script of this package,
`plugin.main`) and talks to it over gRPC; `pulumi.provider.experimental` serves this provider behind `plugin`'s server,
which answers the schema itself (`schema.render()`, derived from `contract`). It is the second thin adapter of the same
layers as `resource` (the dynamic provider for Python programs), and holds no rule of its own:

- `getModel` / `getModels` (invoke): `lookup.parse_arguments`, then `lookup.find_model` / `find_models`;
- `ModelLookup` (check, diff, create, update, read, delete): `lifecycle`, exactly as `resource` runs it;
- settings: its own config namespace (`pai-models:endpoint`, `pai-models:secretKey`, ...: every setting of
  `contract.SETTINGS` under its `config_key`), resolved through the `doors.SCHEMA` door over the environment
  and Alibaba's default chain; an unknown key fails `CheckConfig`, naming the closest known one;
- one `registry.CachedRegistry` per resolved settings for the process's life (one engine operation),
  the same cache the dynamic provider uses, so identical lookups cost the requests of one.

What only this adapter does: property names on the wire are the schema's camelCase names (converted
both ways through the contract); values are `PropertyValue`s (unknowns are `Computed`); warnings go
to the engine's Log with the resource's URN; errors of this package are one line, never a traceback.
Secrets: the plugin answers `acceptSecrets=false`, so the engine keeps every secret input secret in
the outputs itself; credentials never enter inputs, outputs or state.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from typing import Any

from pulumi.provider.experimental.property_value import Computed, PropertyValue
from pulumi.provider.experimental.provider import (
    CheckFailure,
    CheckRequest,
    CheckResponse,
    ConfigureRequest,
    ConfigureResponse,
    CreateRequest,
    CreateResponse,
    DeleteRequest,
    DiffRequest,
    DiffResponse,
    InvokeRequest,
    InvokeResponse,
    PropertyDiff,
    PropertyDiffKind,
    Provider,
    ReadRequest,
    ReadResponse,
    UpdateRequest,
    UpdateResponse,
)

from . import enginelog, lifecycle, schema, warmup
from .arguments import LookupArguments
from .contract import PACKAGE, arguments
from .doors import SCHEMA
from .errors import ConfigurationError, InvalidQuery, PaiModelsError
from .lifecycle import SCHEMA_NAMES as RESOURCE_NAMES
from .lifecycle import UNKNOWN as UNKNOWN_TEXT
from .lifecycle import has_unknown, move_command
from .lookup import find_model, find_models
from .registry import CachedRegistry, operation_registry
from .settings import ResolvedSettings, check_config, resolve

__all__ = ["PaiModelsProvider", "one_line"]

#: How long a failed check waits for invokes the program may still send (see `PaiModelsProvider._failed`).
_SETTLE_S = 0.25


# -- values: PropertyValue <-> plain Python, unknowns as the dynamic provider's marker ---------------------
# On the wire an unknown is the string `rpc.UNKNOWN`: the experimental server unmarshals it as that string,
# and cannot marshal its own `PropertyValue.computed()` (pulumi 3.260), so that string is what is sent back.

UNKNOWN = PropertyValue(UNKNOWN_TEXT)


def _plain(value: PropertyValue) -> Any:
    """A wire value as plain Python (whole numbers as int, unknowns as `rpc.UNKNOWN`, secrets unwrapped)."""
    inner = value.value
    if isinstance(inner, Computed):
        return UNKNOWN_TEXT
    if isinstance(inner, float):
        return int(inner) if inner.is_integer() else inner
    if isinstance(inner, Mapping):
        return {k: _plain(v) for k, v in inner.items()}
    if isinstance(inner, Sequence) and not isinstance(inner, str):
        return [_plain(v) for v in inner]
    return inner


def _wire(value: Any) -> PropertyValue:
    """Plain Python (JSON values; `rpc.UNKNOWN` stays the string the wire spells unknowns with) as a wire value."""
    if value is None or isinstance(value, (bool, str, float)):
        return PropertyValue(value)
    if isinstance(value, int):
        return PropertyValue(float(value))
    if isinstance(value, Mapping):
        return PropertyValue({str(k): _wire(v) for k, v in value.items()})
    if isinstance(value, (list, tuple)):
        return PropertyValue([_wire(v) for v in value])
    raise TypeError(f"cannot send a {type(value).__name__} to the engine")


def _from_wire(props: Mapping[str, PropertyValue], names: Mapping[str, str]) -> dict[str, Any]:
    """`{camelName: PropertyValue}` as `{snake_name: value}`, for the names given (others are dropped)."""
    return {name: _plain(props[wire]) for name, wire in names.items() if wire in props}


def _to_wire(values: Mapping[str, Any], names: Mapping[str, str]) -> dict[str, PropertyValue]:
    """`{snake_name: value}` as `{camelName: PropertyValue}`, for the names given."""
    return {names[name]: _wire(value) for name, value in values.items() if name in names}


def _diff_kind(old: Any, new: Any) -> PropertyDiffKind:
    """How one compared property changed: set, unset or changed (never a replacement: a lookup owns nothing)."""
    if old is None:
        return PropertyDiffKind.ADD
    return PropertyDiffKind.DELETE if new is None else PropertyDiffKind.UPDATE


def _previewed(properties: dict[str, PropertyValue]) -> dict[str, PropertyValue]:
    """A preview's outputs: what `check` resolved; the model's and version's whole JSON is known only after `up`."""
    return {**properties, **dict.fromkeys((RESOURCE_NAMES[k] for k in lifecycle.DETAIL_NAMES), UNKNOWN)}


# -- config and messages: this plugin's namespace, schema names ------------------------------------------


def _config(inputs: Mapping[str, PropertyValue], variables: Mapping[str, str] | None = None) -> dict[str, Any]:
    """This namespace's config by full key (`pai-models:endpoint`), every key given (known or not): from the provider's
    inputs (`endpoint`), else from the engine's config variables (`pai-models:config:endpoint`)."""
    prefix = f"{PACKAGE}:config:"
    config = {f"{PACKAGE}:{key[len(prefix):]}": value for key, value in (variables or {}).items() if key.startswith(prefix)}
    config.update({f"{PACKAGE}:{key}": _plain(value) for key, value in inputs.items() if key != "version"})  # version: the plugin's
    return config


def one_line(error: BaseException) -> str | None:
    """This package's error as the engine shows a failed call, in `SCHEMA` terms; None for anything else."""
    return error.one_line(SCHEMA) if isinstance(error, PaiModelsError) else None


# -- the provider -------------------------------------------------------------------------------------------


class PaiModelsProvider(Provider):
    """`getModel`, `getModels` and `ModelLookup`, as the engine calls them: the shared layers, adapted to gRPC."""

    def __init__(self, engine_address: str | None = None) -> None:
        self._engine_address = engine_address
        self._config: dict[str, Any] = {}
        self._settings: ResolvedSettings | None = None  # resolved from `_config` at the first lookup
        self._invokes: set[asyncio.Future[Any]] = set()  # the lookups of invokes still running

    # -- configuration ---------------------------------------------------------------------------------

    def _registry(self) -> CachedRegistry:
        """This operation's registry for the configured settings, layered over the environment.

        The settings are resolved once per `configure`, at the first lookup (raises `ConfigurationError` naming the key;
        a failure is not kept, so every lookup reports it).
        """
        if self._settings is None:
            self._settings = resolve(SCHEMA, config=self._config)
        return operation_registry(self._settings)

    async def check_config(self, request: CheckRequest) -> CheckResponse:
        """Refuse an unknown key (`pai-models:endpiont`) or a value of the wrong shape (`maxAttempts: many`) before anything runs."""
        warmup.start()  # only a process that will look up is configured: the SDK loads while the engine configures it
        try:
            check_config(_config(request.new_inputs))
        except ConfigurationError as error:
            return CheckResponse(inputs=request.new_inputs, failures=[CheckFailure("", error.one_line(SCHEMA))])
        return CheckResponse(inputs=request.new_inputs)

    async def configure(self, request: ConfigureRequest) -> ConfigureResponse:
        """Keep this namespace's config (`pai-models:*`); settings are built, and checked, at the first lookup."""
        warmup.start()  # (when the engine sent no CheckConfig)
        self._config, self._settings = _config(request.args, request.variables), None
        # No secrets on the wire (the engine re-marks outputs whose same-named input was secret), preview supported.
        return ConfigureResponse(accept_secrets=False, supports_preview=True, accept_resources=False, accept_outputs=False)

    # -- functions ---------------------------------------------------------------------------------------

    async def invoke(self, request: InvokeRequest) -> InvokeResponse:
        """`getModel` / `getModels`: the lookup functions, with camelCase arguments and outputs."""
        spec = schema.FUNCTIONS.get(request.tok)
        if spec is None:
            return InvokeResponse(failures=[CheckFailure("", f"unknown function {request.tok}: {', '.join(schema.FUNCTIONS)}")])
        groups, outs = spec
        names = {a.name: a.schema_name for a in arguments(*groups)}
        out_names = {o.name: o.schema_name for o in outs}
        args = {k: v for k, v in _from_wire(request.args, names).items() if v is not None}
        if has_unknown(args):
            return InvokeResponse(return_value={o.schema_name: UNKNOWN for o in outs})

        def lookup() -> dict[str, Any]:
            parsed = LookupArguments.parse(args)
            if request.tok == schema.GET_MODEL:
                return find_model(self._registry(), parsed.query, parsed.selection).outputs()
            return find_models(self._registry(), parsed.query).outputs()

        running = asyncio.ensure_future(asyncio.to_thread(lookup))
        self._invokes.add(running)
        running.add_done_callback(self._invokes.discard)
        try:
            values = await running
        except InvalidQuery as error:
            return InvokeResponse(failures=[CheckFailure(RESOURCE_NAMES.get(error.argument, error.argument), error.one_line(SCHEMA))])
        except PaiModelsError as error:
            return InvokeResponse(failures=[CheckFailure("", error.one_line(SCHEMA))])
        return InvokeResponse(return_value=_to_wire(values, out_names))

    # -- ModelLookup -------------------------------------------------------------------------------------

    async def check(self, request: CheckRequest) -> CheckResponse:
        """Validate and resolve (or keep, when locked) the lookup, so its outputs are known in preview."""
        olds = _from_wire(request.old_inputs, RESOURCE_NAMES)
        news = _from_wire(request.new_inputs, RESOURCE_NAMES)
        unresolved = lifecycle.pending(news)
        if unresolved is not None:  # part of the query is not known yet in this preview: resolve later
            return CheckResponse(inputs=_to_wire(unresolved, RESOURCE_NAMES))
        try:
            checked = await asyncio.to_thread(
                lambda: lifecycle.check(olds, news, self._registry(), move_hint=move_command(request.urn))
            )
        except PaiModelsError as error:  # settings or the API: the whole lookup failed
            return await self._failed(CheckResponse(inputs=request.new_inputs, failures=[CheckFailure("", error.one_line(SCHEMA))]))
        for message in checked.warnings:
            await self._warn(message, request.urn)
        failures = [CheckFailure(RESOURCE_NAMES.get(p, p), error.one_line(SCHEMA)) for p, error in checked.failures]
        response = CheckResponse(inputs=_to_wire(checked.inputs, RESOURCE_NAMES), failures=failures)
        return await self._failed(response) if failures else response

    async def _failed(self, response: CheckResponse) -> CheckResponse:
        """A failed check, answered once no invoke has run for `_SETTLE_S`: the engine ends the operation at a failed
        check and closes this plugin, and an invoke answered (or sent) after that would lose its own error."""
        while True:
            await asyncio.gather(*self._invokes, return_exceptions=True)
            await asyncio.sleep(_SETTLE_S)
            if not self._invokes:
                return response

    async def diff(self, request: DiffRequest) -> DiffResponse:
        """An update of exactly the properties whose values changed (a detailed diff); never a replacement."""
        olds = _from_wire(request.old_state, RESOURCE_NAMES)
        news = _from_wire(request.new_inputs, RESOURCE_NAMES)
        ignored = set(request.ignore_changes or ())
        changed = [k for k in lifecycle.changed_properties(olds, news) if RESOURCE_NAMES[k] not in ignored]
        detailed = {RESOURCE_NAMES[k]: PropertyDiff(_diff_kind(olds.get(k), news.get(k)), input_diff=False) for k in changed}
        stables = [RESOURCE_NAMES[k] for k in lifecycle.stables(news, changed)]
        return DiffResponse(changes=bool(changed), stables=stables, diffs=list(detailed), detailed_diff=detailed)

    async def create(self, request: CreateRequest) -> CreateResponse:
        """Nothing is created in PAI; the outputs are what `check` resolved, with the model's and version's whole JSON
        (unknown in a preview)."""
        if request.preview:
            return CreateResponse(resource_id="", properties=_previewed(request.properties))
        props = await self._complete(request.properties, request.urn)
        return CreateResponse(resource_id=lifecycle.new_id(), properties=props)

    async def update(self, request: UpdateRequest) -> UpdateResponse:
        """The new values `check` resolved, completed (never an empty result: that would wipe the outputs)."""
        if request.preview:
            return UpdateResponse(properties=_previewed(request.news))
        return UpdateResponse(properties=await self._complete(request.news, request.urn))

    async def read(self, request: ReadRequest) -> ReadResponse:
        """`pulumi refresh`: a tracking lookup re-runs the program's query; a locked one is checked to still exist."""
        props = _from_wire(request.properties or request.inputs, RESOURCE_NAMES)
        outs = await asyncio.to_thread(lambda: lifecycle.read(props, self._registry(), move_hint=move_command(request.urn)))
        return ReadResponse(
            resource_id=request.resource_id,
            properties=_to_wire(outs, RESOURCE_NAMES),
            inputs=_to_wire(lifecycle.state_inputs(outs), RESOURCE_NAMES),
        )

    async def delete(self, request: DeleteRequest) -> None:
        """A lookup owns nothing: nothing to delete in PAI."""

    async def _complete(self, properties: dict[str, PropertyValue], urn: str) -> dict[str, PropertyValue]:
        """`lifecycle.finish`: what `check` resolved, with the model's whole JSON."""
        props = _from_wire(properties, RESOURCE_NAMES)
        finished = await asyncio.to_thread(lambda: lifecycle.finish(props, self._registry(), move_hint=move_command(urn)))
        return _to_wire(finished, RESOURCE_NAMES)

    # -- the engine's log ----------------------------------------------------------------------------------

    async def _warn(self, message: str, urn: str) -> None:
        """A real engine warning on the resource (counted in the summary)."""
        await asyncio.to_thread(enginelog.warn, self._engine_address, message, urn)

