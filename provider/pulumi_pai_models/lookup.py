"""A lookup from arguments to result: list, keep what the rules after the server keep, pick the model, pick its version.

Shared by the functions (`get_models`, `get_model`), `ModelLookup` (through `lifecycle`), the provider
plugin and the `pai-models` command, so all of them give the same answer for the same arguments.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

from .contract import MODELS_OUTPUTS, outputs
from .errors import NoVersionMatch
from .query import ModelQuery
from .registry import Registry
from .selection import Selection, filter_models, pick_model, pick_version
from .types import Model, ModelVersion

__all__ = ["GetModelResult", "GetModelsResult", "find_model", "find_models", "pick_from"]


@dataclass(frozen=True)
class GetModelsResult:
    """Every model that matched, in the server's order; no match is an empty list."""

    models: list[Model]
    query: ModelQuery

    @property
    def ids(self) -> list[str]:
        """The ModelIds, in the order of `models`."""
        return [m.model_id for m in self.models]

    @property
    def total_count(self) -> int:
        """How many models matched (after the rules applied here)."""
        return len(self.models)

    def outputs(self) -> dict[str, Any]:
        """The result as plain values, keyed by the contract's output names (`getModels`)."""
        values = {o.name: getattr(self, o.name) for o in MODELS_OUTPUTS}
        return {k: [m.to_dict() for m in v] if k == "models" else v for k, v in values.items()}


@dataclass(frozen=True)
class GetModelResult:
    """The one model a lookup chose, and its chosen version; `uri` is what deployments need."""

    model: Model
    model_version: ModelVersion

    @property
    def model_id(self) -> str:
        """The chosen model's ModelId."""
        return self.model.model_id

    @property
    def model_name(self) -> str:
        """The chosen model's name."""
        return self.model.model_name

    @property
    def version_name(self) -> str:
        """The chosen version's name."""
        return self.model_version.version_name

    @property
    def uri(self) -> str:
        """Where the chosen version's files are."""
        return self.model_version.uri or ""

    @property
    def version(self) -> ModelVersion:
        """Deprecated alias of `model_version` (the name `version` is the argument that asks for a version name)."""
        warnings.warn("GetModelResult.version is deprecated: use .model_version", DeprecationWarning, stacklevel=2)
        return self.model_version

    def outputs(self) -> dict[str, Any]:
        """The result as plain values, keyed by the contract's output names (`--output json`, `getModel`)."""
        values = {o.name: getattr(self, o.name) for o in outputs(resource=False)}
        return {k: v.to_dict() if isinstance(v, (Model, ModelVersion)) else v for k, v in values.items()}


def find_models(registry: Registry, query: ModelQuery) -> GetModelsResult:
    """Every model matching the query."""
    return GetModelsResult(filter_models(registry.list_models(query), query), query)


def find_model(registry: Registry, query: ModelQuery, selection: Selection) -> GetModelResult:
    """The one model and version the query and selection mean, or `NoModelMatch` / `AmbiguousMatch` / `NoVersionMatch`."""
    model = pick_model(find_models(registry, query).models, query, selection.most_recent)
    return pick_from(registry, model, selection)


def pick_from(registry: Registry, model: Model, selection: Selection) -> GetModelResult:
    """The version of `model` that `selection` means: `version` exactly, the newest with `approval_status`, else the latest."""
    if selection.version is not None:
        found = registry.get_model_version(model.model_id, selection.version)
        # Not found: list the versions it has, so the message can say what exists.
        version = pick_version([found] if found else registry.list_model_versions(model.model_id), model, selection)
    elif selection.approval_status is not None:
        version = pick_version(registry.list_model_versions(model.model_id), model, selection)
    elif model.latest_version is not None:
        version = pick_version([model.latest_version], model, selection)
    else:
        raise NoVersionMatch(model, selection.describe(), [])
    return GetModelResult(model, version)
