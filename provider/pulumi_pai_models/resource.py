"""The Pulumi glue for Python programs: `ModelLookup`, a dynamic resource that is a data source.

It owns nothing in PAI: `delete` removes nothing. What it does on each engine call is the shared
lookup lifecycle (`lifecycle`); this module only adapts it to Pulumi's dynamic provider protocol:
- `uri` is known in `pulumi preview`: the lookup runs in `check`, whose answer the engine shows then;
- warnings (a locked lookup that is behind) go to the engine as real warnings on the resource, once per
  resource and operation;
- errors of this package reach the engine as their one-line message, in `read` too, never as a
  Python traceback (what this needs of Pulumi's internals is in `internals`).

Credentials never enter inputs, outputs or state: the provider reads them in `configure()` from the
stack config, else the environment and Alibaba's default chain. The provider class is importable,
so `__provider` holds a reference of a few dozen bytes, and it holds no client between calls that
could not be pickled.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
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

from . import enginelog, internals, lifecycle
from .arguments import ARGUMENT_NAMES
from .contract import SETTINGS
from .doors import PYTHON
from .errors import PaiModelsError
from .functions import in_program_terms
from .query import Condition
from .registry import CachedRegistry, operation_registry
from .registry import begin_operation as _forget_answers
from .settings import ResolvedSettings, check_config_keys, resolve

__all__ = ["ModelLookup", "ModelLookupProvider", "begin_operation"]

#: Every stack config key a setting is read from (what `configure` keeps of the stack config).
_CONFIG_KEYS = tuple(key for s in SETTINGS for key in s.config_keys)


def _one_line(error: BaseException) -> str | None:
    """This package's error as the engine shows a failed call of the dynamic provider; None for anything else."""
    return error.one_line(PYTHON) if isinstance(error, PaiModelsError) else None


internals.one_line_errors(_one_line)


def begin_operation() -> None:
    """Start a new engine operation in this process: forget every answer, resolved setting and sent warning. The engine
    never needs this (each operation has its own provider process); a test that drives several operations does."""
    _forget_answers()
    _settings.cache_clear()
    enginelog.forget()


@dataclass(frozen=True)
class _StackConfig:
    """The stack config values of the settings' keys, as the engine gave them to `configure` (out of repr: secrets)."""

    values: tuple[tuple[str, Any], ...] = field(default=(), repr=False)


@functools.lru_cache(maxsize=8)
def _settings(config: _StackConfig) -> ResolvedSettings:
    """The settings of a stack config over the environment: once per operation, since the dynamic provider is
    unpickled and configured anew for each call the engine makes."""
    return resolve(PYTHON, config=dict(config.values))


class ModelLookupProvider(ResourceProvider):
    """The dynamic provider of `ModelLookup`: the shared lookup lifecycle, adapted to the dynamic provider protocol."""

    # Nothing secret is captured (settings are read in configure), so the reference need not be encrypted.
    serialize_as_secret_always = False

    def configure(self, req: ConfigureRequest) -> None:
        """Keep the stack config's settings (`pai-models:*`, `alicloud:*`); the engine passes secrets decrypted."""
        self._config = _StackConfig(tuple((key, value) for key in _CONFIG_KEYS if (value := req.config.get(key)) is not None))

    def _registry(self) -> CachedRegistry:
        return operation_registry(_settings(getattr(self, "_config", _StackConfig())))

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        """Validate the arguments and resolve (or keep, when locked) the lookup, so its values are known in preview."""
        unresolved = lifecycle.pending(news)
        if unresolved is not None:  # part of the query is not known yet in this preview: resolve later
            return CheckResult(unresolved, [])
        urn = internals.request_urn()
        try:
            checked = lifecycle.check(_olds, news, self._registry(), move_hint=lifecycle.move_command(urn))
        except PaiModelsError as error:  # settings or the API: the whole lookup failed
            return CheckResult(dict(news), [CheckFailure("", error.one_line(PYTHON))])
        for message in checked.warnings:
            enginelog.warn(internals.engine_address(), message, urn)
        return CheckResult(checked.inputs, [CheckFailure(p, error.one_line(PYTHON)) for p, error in checked.failures])

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        """An update when an argument or anything it resolved to changed; otherwise no change."""
        changed = lifecycle.changed_properties(olds, news)
        return DiffResult(changes=bool(changed), replaces=[], stables=lifecycle.stables(news, changed), delete_before_replace=False)

    def create(self, props: dict[str, Any]) -> CreateResult:
        """Nothing is created in PAI; the outputs are the values `check` resolved."""
        return CreateResult(lifecycle.new_id(), self._finish(lifecycle.finish, props))

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        """The new values `check` resolved (never an empty result: that would wipe the outputs)."""
        return UpdateResult(self._finish(lifecycle.finish, news))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        """`pulumi refresh`: a tracking lookup re-runs the program's query; a locked one is checked to still exist."""
        outs = self._finish(lifecycle.read, props)
        return ReadResult(id_, outs, lifecycle.state_inputs(outs))

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        """A lookup owns nothing: nothing to delete in PAI."""

    def _finish(self, step: Callable[..., dict[str, Any]], props: dict[str, Any]) -> dict[str, Any]:
        return step(props, self._registry(), move_hint=lifecycle.move_command(internals.request_urn()))


class ModelLookup(pulumi.dynamic.Resource, module="pai-models", name="ModelLookup"):
    """A PAI model lookup as a resource: `uri` of the chosen version feeds deployments, and changes show in preview.

    Its outputs are `model_id`, `resolved_model_name`, `version_name`, `uri`, `model`, `model_version` and
    `query_summary`; every argument is also readable under its own name (`lookup.model_name` is the filter the
    program gave). Tracking (the default), it resolves on every preview and update, and a newer match is an update;
    locked, it keeps its first resolution and warns when the query picks a newer one.
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
        """A lookup with the filters and selection of `get_model`; a bad argument fails its check, naming it.

        Args:
            resource_name: The resource's name in the stack.
            workspace_id: Only your models in this workspace (public models are listed whatever it says).
            model_name: Model name contains this text (case-insensitive); in double quotes ('"my-model"') an exact name.
            label: A label key or value contains this text.
            provider: Public models of this provider, e.g. pai; unset: your own models.
            domain: Domain, e.g. nlp or cv.
            task: Task, e.g. text-generation.
            origin: Origin, e.g. ModelScope or HuggingFace.
            query: Free text matched in the name, domain, task, label keys and values.
            model_type: Model type, e.g. Checkpoint or LoRA.
            collections: In any of these collections.
            tags: Has every one of these tags (key: value); a tag without a value (None, null) is no filter.
            conditions: Every condition holds, e.g. ParameterSize<3000; operators < <= > >= = != (or LessThan, ...).
            order: ASC (default) or DESC, by creation time.
            sort_by: The field the server sorts by; PAI supports only GmtCreateTime.
            name_regex: Keep models whose name matches this Python regular expression (applied here).
            most_recent: If several models match, take the newest (ties: the greatest ModelId).
            version: This exact version name (default: the model's latest version).
            approval_status: The newest version with this status: Approved, Pending or Rejected.
            lock: Keep the first resolution (same model, version and uri) until `pulumi up --replace` or a change of
                keepers; warn when the query picks a newer one.
            keepers: Any values; changing one resolves a locked lookup afresh, so the move shows in the program's diff.
            opts: Options of the resource (`pulumi.ResourceOptions`).
        """
        internals.exit_on_interrupt()
        config = internals.program_config()
        if config is not None:  # settings are read in the provider process, which cannot list the keys: check them here
            try:
                check_config_keys(config)
            except PaiModelsError as error:
                raise in_program_terms(error) from None
        given = {k: v for k, v in locals().items() if k in ARGUMENT_NAMES}
        conditions = given.get("conditions")
        if isinstance(conditions, Condition):
            conditions = [conditions]
        if isinstance(conditions, (list, tuple)):
            given["conditions"] = [c.as_dict() if isinstance(c, Condition) else c for c in conditions]
        props: dict[str, Any] = {k: v for k, v in given.items() if v is not None}
        props.update(dict.fromkeys(lifecycle.OUTPUT_NAMES))
        super().__init__(ModelLookupProvider(), resource_name, props, opts)
