"""The data-source functions: `get_models` / `get_model` and their `_output` forms.

They are plain calls made while the program is evaluated, so their results are known during
`pulumi preview` (dynamic providers have no invoke). Within one program run, identical calls share
one answer and lookups that differ only in how they pick a version share the listing (`registry`).

Their signatures are written out for IDEs; `tests/test_contract.py` proves they equal the contract.
Inside a Pulumi program, this package's errors end the program with their message alone.

Settings, first set wins: the `settings=` argument, the stack config (`alicloud:region`,
`alicloud:accessKey`, ..., `pai-models:endpoint`, ...), the environment, Alibaba's default chain.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

import pulumi

from .client import shared_client
from .errors import PaiModelsError
from .lookup import GetModelResult, GetModelsResult, find_model, find_models, parse_arguments
from .query import Condition
from .registry import CachedRegistry, Registries
from .settings import ResolvedSettings, Settings

__all__ = [
    "ConditionsInput",
    "TagsInput",
    "effective_settings",
    "get_model",
    "get_model_output",
    "get_models",
    "get_models_output",
]

T = TypeVar("T")
TagsInput = Mapping[str, str] | Sequence[Any] | None
ConditionsInput = Sequence[Condition | Mapping[str, Any] | str] | None


def _stack_config(key: str) -> Any:
    """A stack config value by full key, or None outside a Pulumi program."""
    try:
        from pulumi.runtime.config import get_config

        return get_config(key)
    except Exception:  # not running under Pulumi
        return None


def effective_settings(explicit: Settings | None = None) -> ResolvedSettings:
    """`explicit`, then the stack config, then the environment; resolved (defaults filled, checked)."""
    return Settings.layered(explicit, Settings.from_config(_stack_config))


#: The registries of Pulumi program runs, scoped by the run's monitor: a new run asks PAI afresh.
_PROGRAM_RUNS = Registries()


def _registry(settings: ResolvedSettings) -> CachedRegistry:
    """This program run's registry for these settings; outside a run (no monitor) nothing is shared."""
    monitor = pulumi.runtime.settings.SETTINGS.monitor
    if monitor is None:
        return CachedRegistry(shared_client(settings))
    return _PROGRAM_RUNS.get(settings, scope=monitor)


class _ProgramError(pulumi.RunError):
    """Marks an error of this package raised inside a Pulumi program, so the program ends with its message alone."""


_PROGRAM_CLASSES: dict[str, type[PaiModelsError]] = {}


def _program_class(cls: type[PaiModelsError]) -> type[PaiModelsError]:
    """A subclass of `cls` and `pulumi.RunError`, under the same name (made once per class)."""
    key = f"{cls.__module__}.{cls.__qualname__}"
    if key not in _PROGRAM_CLASSES:
        _PROGRAM_CLASSES[key] = type(cls.__name__, (cls, _ProgramError), {"__module__": cls.__module__, "__doc__": cls.__doc__})
    return _PROGRAM_CLASSES[key]


def _in_program_terms(error: PaiModelsError) -> PaiModelsError:
    """`error` as an instance of a subclass of its class and `pulumi.RunError` (still caught by `except NoMatch`)."""
    both = _program_class(type(error))
    clone = both.__new__(both)
    clone.__dict__.update(error.__dict__)
    clone.args = error.args
    return clone


def _run(compute: Callable[[], T]) -> T:
    """Run a lookup; inside a Pulumi program, its errors end the program with their message alone."""
    try:
        return compute()
    except PaiModelsError as error:
        if pulumi.runtime.settings.SETTINGS.monitor is None:
            raise
        raise _in_program_terms(error) from None


def get_models(
    *,
    workspace_id: str | None = None,
    model_name: str | None = None,
    label: str | None = None,
    provider: str | None = None,
    domain: str | None = None,
    task: str | None = None,
    origin: str | None = None,
    query: str | None = None,
    model_type: str | None = None,
    collections: str | Sequence[str] | None = None,
    tags: TagsInput = None,
    conditions: ConditionsInput = None,
    order: str | None = None,
    sort_by: str | None = None,
    name_regex: str | None = None,
    settings: Settings | None = None,
) -> GetModelsResult:
    """Every model matching the filters (all pages); no match is an empty list.

    Filters are ListModels' own (`tags={"env": "prod"}`, `conditions=["ParameterSize<3000"]`,
    a `model_name` in double quotes for an exact name); `name_regex` is applied here, after them.
    """
    args = {k: v for k, v in locals().items() if k != "settings"}

    def compute() -> GetModelsResult:
        q, _ = parse_arguments(args)
        return find_models(_registry(effective_settings(settings)), q)

    return _run(compute)


def get_model(
    *,
    workspace_id: str | None = None,
    model_name: str | None = None,
    label: str | None = None,
    provider: str | None = None,
    domain: str | None = None,
    task: str | None = None,
    origin: str | None = None,
    query: str | None = None,
    model_type: str | None = None,
    collections: str | Sequence[str] | None = None,
    tags: TagsInput = None,
    conditions: ConditionsInput = None,
    order: str | None = None,
    sort_by: str | None = None,
    name_regex: str | None = None,
    most_recent: bool = False,
    version: str | None = None,
    approval_status: str | None = None,
    settings: Settings | None = None,
) -> GetModelResult:
    """The one model the filters mean, and its version: `.uri` is what a deployment needs.

    Several matches are an `AmbiguousMatch` unless `most_recent=True` (newest GmtCreateTime, ties by
    ModelId); none is a `NoModelMatch`. The version is `version` exactly, else the newest with
    `approval_status`, else the model's LatestVersion; none is a `NoVersionMatch` saying what exists.
    """
    args = {k: v for k, v in locals().items() if k != "settings"}

    def compute() -> GetModelResult:
        q, s = parse_arguments(args)
        return find_model(_registry(effective_settings(settings)), q, s)

    return _run(compute)


def _lifted(function: Callable[..., T], args: dict[str, Any]) -> pulumi.Output[T]:
    """`function(**args)` once every `pulumi.Input` among `args` is known (`settings` is passed as it is)."""
    settings = args.pop("settings", None)
    return pulumi.Output.from_input(args).apply(lambda known: function(**known, settings=settings))


def get_models_output(
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
    settings: Settings | None = None,
) -> pulumi.Output[GetModelsResult]:
    """`get_models` taking `pulumi.Input`s; the lookup runs once they are known."""
    return _lifted(get_models, dict(locals()))


def get_model_output(
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
    most_recent: pulumi.Input[bool] = False,
    version: pulumi.Input[str | None] = None,
    approval_status: pulumi.Input[str | None] = None,
    settings: Settings | None = None,
) -> pulumi.Output[GetModelResult]:
    """`get_model` taking `pulumi.Input`s; the lookup runs once they are known."""
    return _lifted(get_model, dict(locals()))
