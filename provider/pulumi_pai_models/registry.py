"""One operation's view of the registry: identical calls within it share one answer.

A Pulumi program run (the functions) and a provider process (which lives for one engine operation)
each keep one `CachedRegistry` per set of settings, so 20 identical lookups cost the requests of one,
and lookups that differ only in how they pick a version share the listing. Nothing is kept across
operations, so nothing stale is served: the next preview asks PAI again.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from concurrent.futures import Future
from typing import Protocol, TypeVar

from .client import PaiModelsClient, shared_client
from .query import ModelQuery
from .settings import ResolvedSettings
from .types import Model, ModelVersion

__all__ = ["CachedRegistry", "Registry", "begin_operation", "operation_registry"]

T = TypeVar("T")


class Registry(Protocol):
    """The four registry calls a lookup makes (`PaiModelsClient` and `CachedRegistry` both answer them)."""

    def list_models(self, query: ModelQuery) -> list[Model]: ...
    def get_model(self, model_id: str) -> Model | None: ...
    def list_model_versions(self, model_id: str) -> list[ModelVersion]: ...
    def get_model_version(self, model_id: str, version_name: str) -> ModelVersion | None: ...


class CachedRegistry:
    """A client's answers, each asked once: concurrent identical calls wait for the first and share its answer (or error)."""

    def __init__(self, client: PaiModelsClient):
        self.client = client
        self._lock = threading.Lock()
        self._answers: dict[Hashable, Future[object]] = {}

    def list_models(self, query: ModelQuery) -> list[Model]:
        return self._once(("ListModels", query), lambda: self.client.list_models(query).items)

    def get_model(self, model_id: str) -> Model | None:
        return self._once(("GetModel", model_id), lambda: self.client.get_model(model_id))

    def list_model_versions(self, model_id: str) -> list[ModelVersion]:
        return self._once(("ListModelVersions", model_id), lambda: self.client.list_model_versions(model_id))

    def get_model_version(self, model_id: str, version_name: str) -> ModelVersion | None:
        return self._once(("GetModelVersion", model_id, version_name), lambda: self.client.get_model_version(model_id, version_name))

    def _once(self, key: Hashable, compute: Callable[[], T]) -> T:
        with self._lock:
            future = self._answers.get(key)
            owner = future is None
            if future is None:
                future = self._answers[key] = Future()
        if owner:
            try:
                future.set_result(compute())
            except BaseException as exc:
                future.set_exception(exc)
        answer: T = future.result()  # type: ignore[assignment]  # the key determines the type
        return answer


_OPERATION: dict[ResolvedSettings, CachedRegistry] = {}
_OPERATION_LOCK = threading.Lock()


def operation_registry(settings: ResolvedSettings) -> CachedRegistry:
    """This process's registry for these settings. A provider process (dynamic or plugin) lives for one engine
    operation, so identical lookups in that operation share their requests and nothing outlives it."""
    with _OPERATION_LOCK:
        registry = _OPERATION.get(settings)
        if registry is None:
            registry = _OPERATION[settings] = CachedRegistry(shared_client(settings))
        return registry


def begin_operation() -> None:
    """Forget every answer: the next lookups ask PAI again. The engine never needs this (each operation has its own
    provider process); a test that drives a provider through several operations in one process does."""
    with _OPERATION_LOCK:
        _OPERATION.clear()
