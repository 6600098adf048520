"""Which registry model version a model path is, found with few requests: one listing per pack run.

The registry has no "find the version at this URI" call: `ListModels` gives each model with its `LatestVersion`,
and only `ListModelVersions` (one call per model, 100 versions a page) gives the others. So, for one pack run:

1. the caller's own models are listed once (`ListModels`, no filter: one request per 100 models), whatever the
   number of services; a path that is some model's latest version is answered from that listing alone;
2. otherwise the models whose latest version shares the path's bucket and first folder(s) are asked first, one at
   a time, most similar first (`ListModelVersions`; versions of one model usually live side by side, so this is
   one request for an older version of a model);
3. only a path found nowhere near costs the rest: every other own model's versions, `max_concurrency` at a time,
   since "not registered" is an answer only once every model has been asked.

Every answer (and failure) is kept for the run: 20 services on the same few models cost the listing and one
version listing per model that is not at its latest version. Public models (`Provider` set) are not the caller's
registry and are not searched. Workspaces are not filtered here (one listing serves every allowed workspace).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from ..query import ModelQuery
from ..registry import Registry
from ..selection import newest_versions_first
from ..types import Model, ModelVersion
from .paths import PathKey, path_key, shared_prefix

__all__ = ["NEAR", "PathIndex", "Registered"]

#: How many leading parts (bucket, first folder) a model's latest version must share with a path to be asked first.
NEAR = 2


@dataclass(frozen=True)
class Registered:
    """The registry's version at a path: `model`, `version`, and whether it is the model's latest version."""

    model: Model
    version: ModelVersion
    is_latest: bool


class PathIndex:
    """One pack run's view of the registry's own models, by location. Thread-safe; every request made once."""

    def __init__(self, registry: Registry, max_concurrency: int = 8):
        self.registry = registry
        self.max_concurrency = max_concurrency
        self._lock = threading.Lock()
        self._found: dict[PathKey, Registered | None] = {}

    def own_models(self) -> list[Model]:
        """The caller's own models (one listing for the run: the registry keeps the answer)."""
        return [m for m in self.registry.list_models(ModelQuery.build()) if not m.provider]

    def versions(self, model: Model) -> list[ModelVersion]:
        """Every version of `model`, newest first (one version listing per model for the run)."""
        return newest_versions_first(self.registry.list_model_versions(model.model_id))

    def find(self, location: str) -> Registered | None:
        """The version registered at `location`, or None when no own model has one there.

        Raises `PaiModelsError` (`ApiError`, `ConfigurationError`) when the registry cannot say: never a guess.
        """
        key = path_key(location)
        with self._lock:
            if key in self._found:
                return self._found[key]
        found = self._search(key)
        with self._lock:
            self._found[key] = found
        return found

    def _search(self, key: PathKey) -> Registered | None:
        models = self.own_models()
        for model in models:
            latest = model.latest_version
            if latest is not None and latest.uri and path_key(latest.uri) == key:
                return Registered(model, latest, is_latest=True)
        similarity = {m.model_id: _similarity(m, key) for m in models}
        ranked = sorted(models, key=lambda m: similarity[m.model_id], reverse=True)
        near = [m for m in ranked if similarity[m.model_id] >= NEAR]
        for model in near:  # one at a time: usually the first is the one
            found = self._in_versions(model, self.versions(model), key)
            if found is not None:
                return found
        rest = ranked[len(near) :]
        step = max(1, self.max_concurrency)
        with ThreadPoolExecutor(max_workers=step, thread_name_prefix="pai-policy") as pool:
            for start in range(0, len(rest), step):
                batch = rest[start : start + step]
                for model, versions in zip(batch, pool.map(self.versions, batch), strict=True):
                    found = self._in_versions(model, versions, key)
                    if found is not None:
                        return found
        return None

    @staticmethod
    def _in_versions(model: Model, versions: Sequence[ModelVersion], key: PathKey) -> Registered | None:
        """The newest of `versions` (newest first) at `key`."""
        latest = model.latest_version
        for version in versions:
            if version.uri and path_key(version.uri) == key:
                is_latest = latest is not None and latest.version_name == version.version_name
                return Registered(model, version, is_latest=is_latest)
        return None


def _similarity(model: Model, key: PathKey) -> int:
    latest = model.latest_version
    return shared_prefix(path_key(latest.uri), key) if latest is not None and latest.uri else 0
