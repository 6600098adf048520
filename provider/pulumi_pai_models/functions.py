"""The data-source functions: `get_models` / `get_model` and their `_output` forms.

They are plain calls made while the program is evaluated, so their results are known during
`pulumi preview` (dynamic providers have no invoke). Within one program run, the settings are resolved
once, identical calls share one answer and lookups that differ only in how they pick a version share
the listing (`registry`).

Their signatures and `Args:` sections are written out for IDEs; `tests/test_contract.py` proves they
equal the contract. Inside a Pulumi program, this package's errors end the program with their message alone.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

import pulumi

from . import internals
from .arguments import LookupArguments
from .client import shared_client
from .doors import PYTHON
from .errors import PaiModelsError
from .lookup import GetModelResult, GetModelsResult, find_model, find_models
from .query import Condition
from .registry import CachedRegistry, Registries
from .settings import ResolvedSettings, Settings, resolve

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
TagsInput = Mapping[str, str | None] | Sequence[Any] | None
ConditionsInput = Sequence[Condition | Mapping[str, Any] | str] | None


def effective_settings(explicit: Settings | None = None) -> ResolvedSettings:
    """What a Python program's lookups run with: `explicit`, then the stack config, then the environment; checked."""
    config = internals.program_config()
    return resolve(PYTHON, explicit=explicit, config=config if config is not None else internals.program_config_value)


#: The registries of Pulumi program runs, scoped by the run's monitor: a new run asks PAI afresh.
_PROGRAM_RUNS = Registries()


@functools.lru_cache(maxsize=16)
def _settings_of_run(explicit: Settings | None, scope: object) -> ResolvedSettings:
    """`effective_settings(explicit)`, once per program run (`scope`)."""
    return effective_settings(explicit)


def _registry(explicit: Settings | None) -> CachedRegistry:
    """This program run's registry for these settings; outside a run (no monitor) nothing is shared."""
    scope = internals.program_scope()
    if scope is None:
        return CachedRegistry(shared_client(effective_settings(explicit)))
    internals.exit_on_interrupt()
    return _PROGRAM_RUNS.get(_settings_of_run(explicit, scope), scope=scope)


class _ProgramError(pulumi.RunError):
    """Marks an error of this package raised inside a Pulumi program, so the program ends with its message alone."""


_PROGRAM_CLASSES: dict[str, type[PaiModelsError]] = {}


def _program_class(cls: type[PaiModelsError]) -> type[PaiModelsError]:
    """A subclass of `cls` and `pulumi.RunError`, under the same name (made once per class)."""
    key = f"{cls.__module__}.{cls.__qualname__}"
    if key not in _PROGRAM_CLASSES:
        _PROGRAM_CLASSES[key] = type(cls.__name__, (cls, _ProgramError), {"__module__": cls.__module__, "__doc__": cls.__doc__})
    return _PROGRAM_CLASSES[key]


def in_program_terms(error: PaiModelsError) -> PaiModelsError:
    """`error` as an instance of a subclass of its class and `pulumi.RunError` (still caught by `except NoMatch`), so a
    Pulumi program it ends prints its message alone; outside a program, `error` itself."""
    if internals.program_scope() is None:
        return error
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
        raise in_program_terms(error) from None


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

    Filters are ListModels' own; `name_regex` and an exact name are applied here, after them.

    Args:
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
        settings: Where and how to call PAI; a field left None comes from the stack config, then the environment.

    Returns:
        The models (`models`, `ids`, `total_count`), in the server's order.

    Raises:
        InvalidQuery: an argument is not valid (before any API call); ConfigurationError, ApiError.
    """
    given = {k: v for k, v in locals().items() if k != "settings"}

    def compute() -> GetModelsResult:
        args = LookupArguments.parse(given)
        return find_models(_registry(settings), args.query)

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
    """The one model the filters mean, and its chosen version: `.uri` is what a deployment needs.

    The version is `version` exactly, else the newest with `approval_status`, else the model's latest.
    It runs again on every preview and update; a `ModelLookup` keeps its answer in the state instead, and
    shows a new version as an update.

    Args:
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
        settings: Where and how to call PAI; a field left None comes from the stack config, then the environment.

    Returns:
        The model and version (`model`, `model_version`, `model_id`, `model_name`, `version_name`, `uri`).

    Raises:
        NoModelMatch: nothing matched; AmbiguousMatch: several did and `most_recent` is not set; NoVersionMatch: no
        version fits (the message lists those that exist); InvalidQuery: an argument is not valid (before any API
        call); ConfigurationError, ApiError.
    """
    given = {k: v for k, v in locals().items() if k != "settings"}

    def compute() -> GetModelResult:
        args = LookupArguments.parse(given)
        return find_model(_registry(settings), args.query, args.selection)

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
    """`get_models` taking `pulumi.Input`s; the lookup runs once they are known.

    Args:
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
        settings: Where and how to call PAI; a field left None comes from the stack config, then the environment.
    """
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
    """`get_model` taking `pulumi.Input`s; the lookup runs once they are known.

    Args:
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
        settings: Where and how to call PAI; a field left None comes from the stack config, then the environment.
    """
    return _lifted(get_model, dict(locals()))
