"""One operation's view of the registry: identical calls within it share one answer.

A Pulumi program run (the functions) and a provider process (which lives for one engine operation)
each keep one `CachedRegistry` per set of settings (`Registries`), so 20 identical lookups cost the
requests of one, lookups that differ only in how they pick a version share the listing, and a model or
version the operation has already listed is not fetched again. Nothing is kept across operations, so
nothing stale is served: the next preview asks PAI again.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from concurrent.futures import Future
from typing import Protocol, TypeVar

from .client import Listing, PaiModelsClient, shared_client
from .query import ModelQuery
from .settings import ResolvedSettings
from .types import Model, ModelVersion

__all__ = ["CachedRegistry", "Registries", "Registry", "begin_operation", "operation_registry"]

T = TypeVar("T")


class Registry(Protocol):
    """The four registry calls a lookup makes, answered as plain lists and objects (`CachedRegistry` is the one in use)."""

    def list_models(self, query: ModelQuery) -> list[Model]: ...
    def get_model(self, model_id: str) -> Model | None: ...
    def list_model_versions(self, model_id: str) -> list[ModelVersion]: ...
    def get_model_version(self, model_id: str, version_name: str) -> ModelVersion | None: ...


class _ListedModels:
    """The models one listing returned (each once: the client drops repeats), indexed by ModelId at the first question."""

    def __init__(self, listing: Listing[Model]):
        self.items = listing.items
        self._ids = listing.ids
        self._index: dict[str, Model] | None = None

    def model(self, model_id: str) -> Model | None:
        if self._index is None:
            self._index = dict(zip(self._ids, self.items, strict=True))
        return self._index.get(model_id)

    def version(self, model_id: str, version_name: str) -> ModelVersion | None:
        """The listed model's `LatestVersion`, if it has this name."""
        model = self.model(model_id)
        latest = model.latest_version if model is not None else None
        return latest if latest is not None and latest.version_name == version_name else None


class _ListedVersions:
    """The versions one version listing returned for a model, indexed by name (the first occurrence wins)."""

    def __init__(self, model_id: str, versions: list[ModelVersion]):
        self.model_id = model_id
        self.versions = versions
        self._index = {v.version_name: v for v in reversed(versions)}

    def version(self, model_id: str, version_name: str) -> ModelVersion | None:
        return self._index.get(version_name) if model_id == self.model_id else None


_Seen = TypeVar("_Seen", _ListedModels, _ListedVersions)


class CachedRegistry:
    """A client's answers, each asked once: concurrent identical calls wait for the first and share its answer (or error).

    A model that a listing returned, and a version that a version listing (or a model's `LatestVersion`)
    returned, answer `get_model` / `get_model_version` without another request: within one operation they
    are what PAI said, the first answer seen winning. Listings are kept as they came and indexed by id only
    when such a call first asks (then at C speed): a lookup that only lists pays nothing for it.
    """

    def __init__(self, client: PaiModelsClient):
        self.client = client
        self._lock = threading.Lock()
        self._answers: dict[Hashable, Future[object]] = {}
        #: What listings returned, in the order they returned it: model listings and version listings.
        self._seen: list[_ListedModels | _ListedVersions] = []

    def list_models(self, query: ModelQuery) -> list[Model]:
        return self._once(("ListModels", query), lambda: self._remember(_ListedModels(self.client.list_models(query))).items)

    def get_model(self, model_id: str) -> Model | None:
        with self._lock:
            seen = next((m for s in self._seen if isinstance(s, _ListedModels) and (m := s.model(model_id))), None)
        return seen or self._once(("GetModel", model_id), lambda: self.client.get_model(model_id))

    def list_model_versions(self, model_id: str) -> list[ModelVersion]:
        return self._once(
            ("ListModelVersions", model_id),
            lambda: self._remember(_ListedVersions(model_id, self.client.list_model_versions(model_id))).versions,
        )

    def get_model_version(self, model_id: str, version_name: str) -> ModelVersion | None:
        with self._lock:
            seen = next((v for s in self._seen if (v := s.version(model_id, version_name))), None)
        key = ("GetModelVersion", model_id, version_name)
        return seen or self._once(key, lambda: self.client.get_model_version(model_id, version_name))

    def _remember(self, listed: _Seen) -> _Seen:
        with self._lock:
            self._seen.append(listed)
        return listed

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


class Registries:
    """One `CachedRegistry` per settings for as long as one scope lasts; a new scope forgets every answer."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._scope: object = None
        self._registries: dict[ResolvedSettings, CachedRegistry] = {}

    def get(self, settings: ResolvedSettings, scope: object = None) -> CachedRegistry:
        """The registry of these settings in `scope` (e.g. a Pulumi program run's monitor)."""
        with self._lock:
            if scope is not self._scope:
                self._scope, self._registries = scope, {}
            registry = self._registries.get(settings)
            if registry is None:
                registry = self._registries[settings] = CachedRegistry(shared_client(settings))
            return registry

    def clear(self) -> None:
        """Forget every answer."""
        with self._lock:
            self._registries = {}


#: A provider process's registries (dynamic provider or plugin): the process lives for one engine operation.
_PROVIDER_PROCESS = Registries()


def operation_registry(settings: ResolvedSettings) -> CachedRegistry:
    """This provider process's registry for these settings: identical lookups in its operation share requests."""
    return _PROVIDER_PROCESS.get(settings)


def begin_operation() -> None:
    """Forget every answer: the next lookups ask PAI again. The engine never needs this (each operation has its own
    provider process); a test that drives a provider through several operations does."""
    _PROVIDER_PROCESS.clear()
