"""The data-source functions: `get_models` / `get_model` and their `_output` forms.

They are plain calls made while the program is evaluated, so their results are known during
`pulumi preview` (dynamic providers have no invoke). Identical lookups in one program run are
coalesced: the second waits for, and shares, the first one's answer and costs no API call.

Settings, first set wins: the `settings=` argument, the stack config (`alicloud:region`,
`alicloud:accessKey`, ..., `pai-models:endpoint`, ...), the environment, Alibaba's default chain.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from typing import Any, TypeVar, Union

import pulumi

from .client import shared_client
from .lookup import GetModelResult, GetModelsResult, find_model, find_models, parse_arguments
from .query import Condition, ModelQuery
from .selection import Selection
from .settings import Settings

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
TagsInput = Union[dict, Sequence[Any], None]
ConditionsInput = Union[Sequence[Condition | dict | str], None]


def _stack_config(key: str) -> Any:
    """A stack config value by full key, or None outside a Pulumi program."""
    try:
        from pulumi.runtime.config import get_config

        return get_config(key)
    except Exception:  # not running under Pulumi
        return None


def effective_settings(explicit: Settings | None = None) -> Settings:
    """`explicit`, then the stack config, then the environment; resolved (defaults filled, checked)."""
    return Settings.layered(explicit, Settings.from_config(_stack_config))


class _Coalescer:
    """Shares the answer of identical lookups within one Pulumi program run (keyed by the run's monitor)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._run: object | None = None
        self._futures: dict[tuple, Future] = {}

    def run(self, key: tuple, compute: Callable[[], T]) -> T:
        monitor = pulumi.runtime.settings.SETTINGS.monitor
        if monitor is None:  # outside a Pulumi program: nothing to share, and no run to scope a cache to
            return compute()
        with self._lock:
            if self._run is not monitor:
                self._run, self._futures = monitor, {}
            future = self._futures.get(key)
            owner = future is None
            if owner:
                future = self._futures[key] = Future()
        if owner:
            try:
                future.set_result(compute())
            except BaseException as exc:
                future.set_exception(exc)
        return future.result()


_COALESCER = _Coalescer()


def _lookup(kind: str, query: ModelQuery, selection: Selection | None, settings: Settings | None, compute):
    resolved = effective_settings(settings)
    client = shared_client(resolved)
    return _COALESCER.run((kind, resolved, query, selection), lambda: compute(client))


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
    name_regex: str | None = None,
    settings: Settings | None = None,
) -> GetModelsResult:
    """Every model matching the filters (all pages); no match is an empty list.

    Filters are ListModels' own (`tags={"env": "prod"}`, `conditions=["ParameterSize<3000"]`,
    a `model_name` in double quotes for an exact name); `name_regex` is applied here, after them.
    """
    q, _ = parse_arguments(locals())
    return _lookup("models", q, None, settings, lambda client: find_models(client, q))


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
    name_regex: str | None = None,
    most_recent: bool = False,
    version: str | None = None,
    approval_status: str | None = None,
    settings: Settings | None = None,
) -> GetModelResult:
    """The one model the filters mean, and its version: `.uri` is what a deployment needs.

    Several matches are an `AmbiguousMatch` unless `most_recent=True` (newest GmtCreateTime, ties by
    ModelId); none is a `NoMatch`. The version is `version` exactly, else the newest with
    `approval_status`, else the model's LatestVersion.
    """
    q, s = parse_arguments(locals())
    return _lookup("model", q, s, settings, lambda client: find_model(client, q, s))


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
    name_regex: pulumi.Input[str | None] = None,
    settings: Settings | None = None,
) -> pulumi.Output[GetModelsResult]:
    """`get_models` taking `pulumi.Input`s; the lookup runs once they are known."""
    args = {k: v for k, v in locals().items() if k != "settings"}
    return pulumi.Output.from_input(args).apply(lambda known: get_models(**known, settings=settings))


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
    name_regex: pulumi.Input[str | None] = None,
    most_recent: pulumi.Input[bool] = False,
    version: pulumi.Input[str | None] = None,
    approval_status: pulumi.Input[str | None] = None,
    settings: Settings | None = None,
) -> pulumi.Output[GetModelResult]:
    """`get_model` taking `pulumi.Input`s; the lookup runs once they are known."""
    args = {k: v for k, v in locals().items() if k != "settings"}
    return pulumi.Output.from_input(args).apply(lambda known: get_model(**known, settings=settings))

