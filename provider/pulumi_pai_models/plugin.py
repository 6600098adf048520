"""The lookup as a Pulumi provider plugin, `pai-models`, for programs in any language (YAML, TypeScript, Go, C#, Java).

The engine starts it as `pulumi-resource-pai-models <engine address>` (the console script of this package)
and talks to it over gRPC; `pulumi.provider.experimental` serves it. It is the second thin adapter of
the same layers as `resource` (the dynamic provider for Python programs), and holds no rule of its own:

- `getModel` / `getModels` (invoke): `lookup.parse_arguments`, then `lookup.find_model` / `find_models`;
- `ModelLookup` (check, diff, create, update, read, delete): `lifecycle`, exactly as `resource` runs it;
- the schema it serves: `schema.build()`, derived from `contract`;
- settings: its own config namespace (`pai-models:endpoint`, `pai-models:secretKey`, ...; the table is
  `schema.PLUGIN_CONFIG`, derived from `settings.CONFIG_KEYS`) layered by `Settings.layered` over the
  environment and Alibaba's default chain;
- one `registry.CachedRegistry` per resolved settings for the process's life (one engine operation),
  the same cache the dynamic provider uses, so identical lookups cost the requests of one.

What only this adapter does: property names on the wire are the schema's camelCase names (converted
both ways through the contract); values are `PropertyValue`s (unknowns are `Computed`); warnings go
to the engine's Log with the resource's URN; errors of this package are one line, never a traceback.
Secrets: the plugin answers `acceptSecrets=false`, so the engine keeps every secret input secret in
the outputs itself; credentials never enter inputs, outputs or state.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import sys
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

import grpc
from pulumi.provider.experimental import server
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
    GetSchemaRequest,
    GetSchemaResponse,
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
from ._version import __version__
from .contract import arguments, camel
from .errors import ConfigurationError, InvalidQuery, PaiModelsError, Terms
from .lifecycle import UNKNOWN as UNKNOWN_TEXT
from .lifecycle import has_unknown, move_command
from .lookup import find_model, find_models, parse_arguments
from .registry import CachedRegistry, operation_registry
from .settings import ENV_OF, ResolvedSettings, Settings

__all__ = ["PaiModelsProvider", "main"]

#: ModelLookup's properties: snake_case name (lifecycle's) -> schema name (the wire's, `camel` of it, as the schema spells it).
RESOURCE_NAMES: dict[str, str] = {name: camel(name) for name in (*lifecycle.ARGUMENT_NAMES, *lifecycle.OUTPUT_NAMES)}
#: Config key in this plugin's namespace (`pai-models:endpoint`) -> Settings field.
CONFIG_KEYS: dict[str, str] = {f"{schema.PACKAGE}:{key}": name for key, name in schema.PLUGIN_CONFIG.items()}
#: The schema this plugin serves, rendered once, at the first GetSchema.
_schema_text = functools.cache(schema.render)


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
    """This namespace's config keyed as `CONFIG_KEYS` (`pai-models:endpoint`): each key from the provider's inputs,
    else from the engine's config variables (`pai-models:config:endpoint`)."""
    config: dict[str, Any] = {}
    for key in schema.PLUGIN_CONFIG:
        variable = f"{schema.PACKAGE}:config:{key}"
        if key in inputs:
            config[f"{schema.PACKAGE}:{key}"] = _plain(inputs[key])
        elif variables and variable in variables:
            config[f"{schema.PACKAGE}:{key}"] = variables[variable]
    return config


#: Settings field -> this plugin's config key (for messages; `ENV_OF` gives its environment variable).
_CONFIG_KEY_OF = {name: key for key, name in CONFIG_KEYS.items()}


#: A program's terms in any language: schema names, and this plugin's config keys (`pai-models:region`), not the
#: `alicloud:*` keys and `Settings(...)` of a Python program.
SCHEMA_TERMS = Terms(
    argument=camel,
    assign=lambda name, value: f"{camel(name)} {value}",
    switch_on=lambda name: f"set {camel(name)}",
    exact_name="a modelName in double quotes",
    region=f"set {_CONFIG_KEY_OF['region']} (pulumi config set {_CONFIG_KEY_OF['region']} cn-hangzhou) or "
    f"{_CONFIG_KEY_OF['endpoint']}, or the environment variable {ENV_OF['region']} or {ENV_OF['endpoint']}",
    credentials=f"set {_CONFIG_KEY_OF['access_key_id']} and {_CONFIG_KEY_OF['access_key_secret']} (pulumi config set --secret "
    f"{_CONFIG_KEY_OF['access_key_secret']} ...), or {ENV_OF['access_key_id']} and "
    f"{ENV_OF['access_key_secret']}, or a profile, RAM role or OIDC token that Alibaba's default chain finds",
)


def _one_line(error: PaiModelsError) -> str:
    """`error` in one line, in `SCHEMA_TERMS`: a bad argument as `invalid modelName: ...`, anything else with its class."""
    if isinstance(error, InvalidQuery):
        return error.explain(SCHEMA_TERMS)
    return f"{type(error).__name__}: {error.explain(SCHEMA_TERMS)}"


# -- the provider -------------------------------------------------------------------------------------------


class PaiModelsProvider(Provider):
    """`getModel`, `getModels` and `ModelLookup`, as the engine calls them: the shared layers, adapted to gRPC."""

    def __init__(self, engine_address: str | None = None) -> None:
        self._engine_address = engine_address
        self._config: dict[str, Any] = {}
        self._settings: ResolvedSettings | None = None  # resolved from `_config` at the first lookup

    # -- configuration ---------------------------------------------------------------------------------

    def _registry(self) -> CachedRegistry:
        """This operation's registry for the configured settings, layered over the environment.

        The settings are resolved once per `configure`, at the first lookup (raises `ConfigurationError` naming the key;
        a failure is not kept, so every lookup reports it).
        """
        if self._settings is None:
            self._settings = Settings.layered(Settings.from_mapping(self._config, CONFIG_KEYS, "stack config"))
        return operation_registry(self._settings)

    async def get_schema(self, request: GetSchemaRequest) -> GetSchemaResponse:
        warmup.stop()  # the engine asks a process of its own for the schema, and looks nothing up there
        return GetSchemaResponse(schema=_schema_text())

    async def check_config(self, request: CheckRequest) -> CheckResponse:
        """Refuse a config value of the wrong shape (e.g. `maxAttempts: many`) before anything runs."""
        try:
            Settings.from_mapping(_config(request.new_inputs), CONFIG_KEYS, "stack config")
        except ConfigurationError as error:
            return CheckResponse(inputs=request.new_inputs, failures=[CheckFailure("", _one_line(error))])
        return CheckResponse(inputs=request.new_inputs)

    async def configure(self, request: ConfigureRequest) -> ConfigureResponse:
        """Keep this namespace's config (`pai-models:*`); settings are built, and checked, at the first lookup."""
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
            query, selection = parse_arguments(args)
            if request.tok == schema.GET_MODEL:
                return find_model(self._registry(), query, selection).outputs()
            return find_models(self._registry(), query).outputs()

        try:
            values = await asyncio.to_thread(lookup)
        except InvalidQuery as error:
            return InvokeResponse(failures=[CheckFailure(camel(error.parameter.split(".")[0]), _one_line(error))])
        except PaiModelsError as error:
            return InvokeResponse(failures=[CheckFailure("", _one_line(error))])
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
            return CheckResponse(inputs=request.new_inputs, failures=[CheckFailure("", _one_line(error))])
        for message in checked.warnings:
            await self._warn(message, request.urn)
        failures = [CheckFailure(camel(p), _one_line(error)) for p, error in checked.failures]
        return CheckResponse(inputs=_to_wire(checked.inputs, RESOURCE_NAMES), failures=failures)

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


# -- serving: one-line errors ---------------------------------------------------------------------------------


class _Servicer(server.ProviderServicer):
    """The experimental server's servicer, except that an error of this package is its one-line message.

    The server reports any exception a provider method raises with a Python traceback appended (the original
    exception is the `__context__` of the one it raises); `read` (a locked version gone, no match on refresh)
    and an unresolved `create`/`update` raise this package's errors, which a user reads as one line.
    """

    async def _without_traceback(self, call: Callable[[Any, Any], Awaitable[Any]], request: Any, context: grpc.aio.ServicerContext) -> Any:
        try:
            return await call(request, context)
        except Exception as error:
            original = error.__context__
            if isinstance(original, PaiModelsError):
                await context.abort(grpc.StatusCode.UNKNOWN, _one_line(original))
            raise

    async def Create(self, request: Any, context: grpc.aio.ServicerContext) -> Any:  # gRPC names the methods
        return await self._without_traceback(super().Create, request, context)

    async def Update(self, request: Any, context: grpc.aio.ServicerContext) -> Any:
        return await self._without_traceback(super().Update, request, context)

    async def Read(self, request: Any, context: grpc.aio.ServicerContext) -> Any:
        return await self._without_traceback(super().Read, request, context)


def main() -> None:
    """`pulumi-resource-pai-models <engine address>`: serve the plugin (the engine starts it, reads its port)."""
    parser = argparse.ArgumentParser(prog="pulumi-resource-pai-models", description="The pai-models Pulumi provider plugin (gRPC).")
    parser.add_argument("engine", help="the engine's address, given by the Pulumi CLI")
    known, _ = parser.parse_known_args()
    server.ProviderServicer = _Servicer  # type: ignore[misc]  # server.main builds the servicer by this name
    warmup.start()  # the SDK loads while the engine connects, asks for the schema and configures this plugin
    server.main(sys.argv[1:], __version__, PaiModelsProvider(known.engine))


if __name__ == "__main__":
    main()
