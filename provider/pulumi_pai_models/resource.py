"""The Pulumi glue for Python programs: `ModelLookup`, a dynamic resource that is a data source.

It owns nothing in PAI: `delete` removes nothing. What it does on each engine call is the shared
lookup lifecycle (`lifecycle`); this module only adapts it to Pulumi's dynamic provider protocol:
- `uri` is known in `pulumi preview`: the lookup runs in `check`, whose answer the engine shows then;
- warnings (a locked lookup that is behind) go to the engine as real warnings, through the engine
  address the provider process is started with;
- errors of this package reach the engine as their one-line message, in `read` too, never as a
  Python traceback.

Credentials never enter inputs, outputs or state: the provider reads them in `configure()` from the
stack config, else the environment and Alibaba's default chain. The provider class is importable,
so `__provider` holds a reference of a few dozen bytes, and it holds no client between calls that
could not be pickled.
"""

from __future__ import annotations

import sys
import traceback
from types import FrameType, ModuleType
from typing import Any

import pulumi
from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    ConfigureRequest,
    CreateResult,
    DiffResult,
    ReadResult,
    ResourceProvider,
    UpdateResult,
)

from . import enginelog, lifecycle
from .errors import InvalidQuery, PaiModelsError
from .query import Condition
from .registry import CachedRegistry, begin_operation, operation_registry
from .settings import Settings

__all__ = ["ModelLookup", "ModelLookupProvider", "begin_operation"]  # begin_operation: for tests, from registry

# -- what the dynamic provider server does not offer: the URN, warnings, one-line errors ------------------


def _request_urn() -> str | None:
    """The URN of the resource the engine is asking about, read from the dynamic provider server's `request`.

    Pulumi's dynamic provider passes no URN to `check`; the gRPC request it is serving has one, in the
    frame of its `Check`/`Read` method below ours. None when not running under that server (tests).
    """
    frame: FrameType | None = sys._getframe(1)
    while frame is not None:
        request = frame.f_locals.get("request")
        urn = getattr(request, "urn", None)
        if isinstance(urn, str) and urn:
            return urn
        frame = frame.f_back
    return None


def _engine_address() -> str | None:
    """The engine's address, which the engine gives the dynamic provider process as its first argument."""
    return sys.argv[1] if len(sys.argv) > 1 and ":" in sys.argv[1] else None


def _reason(error: PaiModelsError) -> str:
    """A check failure's text: a bad argument as `invalid model_name: ...`, anything else with its class name."""
    return str(error) if isinstance(error, InvalidQuery) else f"{type(error).__name__}: {error}"


class _OneLineErrors(ModuleType):
    """Stands in for `traceback` in Pulumi's dynamic provider server, which reports any failure as a formatted
    traceback: for this package's errors it gives the message alone, the same line `check` gives."""

    def __init__(self) -> None:
        super().__init__("traceback")

    def __getattr__(self, name: str) -> Any:
        return getattr(traceback, name)

    def format_exc(self, limit: int | None = None, chain: bool = True) -> str:
        error = sys.exc_info()[1]
        if isinstance(error, PaiModelsError):
            return f"{type(error).__name__}: {error}"
        return traceback.format_exc(limit, chain)


def _install_one_line_errors() -> None:
    """Give the dynamic provider server, if this process is one, `_OneLineErrors` for `traceback`."""
    server = sys.modules.get("__main__")
    spec = getattr(server, "__spec__", None)
    if server is not None and getattr(spec, "name", None) == "pulumi.dynamic.__main__" and not isinstance(
        getattr(server, "traceback", None), _OneLineErrors
    ):
        server.traceback = _OneLineErrors()  # type: ignore[attr-defined]


_install_one_line_errors()


# -- the provider -------------------------------------------------------------------------------------------


class ModelLookupProvider(ResourceProvider):
    """The dynamic provider of `ModelLookup`: the shared lookup lifecycle, adapted to the dynamic provider protocol."""

    # Nothing secret is captured (settings are read in configure), so the reference need not be encrypted.
    serialize_as_secret_always = False

    def configure(self, req: ConfigureRequest) -> None:
        """Keep the stack config's settings (`alicloud:*`, `pai-models:*`); the engine passes secrets decrypted."""
        self._config_settings = Settings.from_config(req.config.get)

    def _registry(self) -> CachedRegistry:
        return operation_registry(getattr(self, "_config_settings", None))

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        """Validate the arguments and resolve (or keep, when locked) the lookup, so its values are known in preview."""
        unresolved = lifecycle.pending(news)
        if unresolved is not None:  # part of the query is not known yet in this preview: resolve later
            return CheckResult(unresolved, [])
        urn = _request_urn()
        try:
            checked = lifecycle.check(_olds, news, self._registry(), move_hint=lifecycle.move_command(urn))
        except PaiModelsError as error:  # settings or the API: the whole lookup failed
            return CheckResult(dict(news), [CheckFailure("", _reason(error))])
        for message in checked.warnings:
            enginelog.warn(_engine_address(), message, urn)
        return CheckResult(checked.inputs, [CheckFailure(p, _reason(error)) for p, error in checked.failures])

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        """An update when an argument or anything it resolved to changed; otherwise no change."""
        changed = lifecycle.changed_properties(olds, news)
        return DiffResult(changes=bool(changed), replaces=[], stables=lifecycle.stables(news, changed), delete_before_replace=False)

    def create(self, props: dict[str, Any]) -> CreateResult:
        """Nothing is created in PAI; the outputs are the values `check` resolved."""
        finished = lifecycle.finish(props, self._registry(), move_hint=lifecycle.move_command(_request_urn()))
        return CreateResult(lifecycle.new_id(), finished)

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        """The new values `check` resolved (never an empty result: that would wipe the outputs)."""
        return UpdateResult(lifecycle.finish(news, self._registry(), move_hint=lifecycle.move_command(_request_urn())))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        """`pulumi refresh`: a tracking lookup re-runs the program's query; a locked one is checked to still exist."""
        outs = lifecycle.read(props, self._registry(), move_hint=lifecycle.move_command(_request_urn()))
        return ReadResult(id_, outs, lifecycle.state_inputs(outs))

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        """A lookup owns nothing: nothing to delete in PAI."""


class ModelLookup(pulumi.dynamic.Resource, module="pai-models", name="ModelLookup"):
    """A PAI model lookup as a resource: `uri` of the chosen version feeds deployments, and changes show in preview.

    The arguments are those of `get_model`, plus `lock` and `keepers` (rollout control). Its outputs are
    `model_id`, `resolved_model_name`, `version_name`, `uri`, `model`, `model_version` and `query_summary`;
    every argument is also readable under its own name (`lookup.model_name` is the filter the program gave).
    """

    model_id: pulumi.Output[str]
    resolved_model_name: pulumi.Output[str]
    version_name: pulumi.Output[str]
    uri: pulumi.Output[str]
    model: pulumi.Output[dict[str, Any]]
    model_version: pulumi.Output[dict[str, Any]]
    query_summary: pulumi.Output[str]

    def __init__(
        self,
        resource_name: str,
        *,
        workspace_id: pulumi.Input[str | None] = None,
        model_name: pulumi.Input[str | None] = None,
        label: pulumi.Input[str | None] = None,
        provider: pulumi.Input[str | None] = None,
        domain: pulumi.Input[str | None] = None,
        task: pulumi.Input[str | None] = None,
        origin: pulumi.Input[str | None] = None,
        query: pulumi.Input[str | None] = None,
        model_type: pulumi.Input[str | None] = None,
        collections: pulumi.Input[Any] = None,
        tags: pulumi.Input[Any] = None,
        conditions: pulumi.Input[Any] = None,
        order: pulumi.Input[str | None] = None,
        sort_by: pulumi.Input[str | None] = None,
        name_regex: pulumi.Input[str | None] = None,
        most_recent: pulumi.Input[bool | None] = None,
        version: pulumi.Input[str | None] = None,
        approval_status: pulumi.Input[str | None] = None,
        lock: pulumi.Input[bool | None] = None,
        keepers: pulumi.Input[dict[str, str] | None] = None,
        opts: pulumi.ResourceOptions | None = None,
    ):
        """The same filters and selection as `get_model`; bad arguments fail in `check`, naming the property."""
        args = {k: v for k, v in locals().items() if k in lifecycle.ARGUMENT_NAMES}
        conditions = args.get("conditions")
        if isinstance(conditions, Condition):
            conditions = [conditions]
        if isinstance(conditions, (list, tuple)):
            args["conditions"] = [c.as_dict() if isinstance(c, Condition) else c for c in conditions]
        props: dict[str, Any] = {k: v for k, v in args.items() if v is not None}
        props.update(dict.fromkeys(lifecycle.OUTPUT_NAMES))
        super().__init__(ModelLookupProvider(), resource_name, props, opts)
