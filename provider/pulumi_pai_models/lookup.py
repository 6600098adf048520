"""A lookup from query to result: list, pick the model, fetch the chosen version.

Shared by the functions (`get_models`, `get_model`), the `ModelLookup` dynamic resource and the
`pai-models` command, so all three give the same answer for the same arguments.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from .client import PaiModelsClient
from .errors import NoMatch
from .query import ModelQuery
from .selection import Selection, pick_model, pick_version
from .types import Model, ModelVersion

__all__ = ["QUERY_ARGUMENTS", "SELECTION_ARGUMENTS", "GetModelResult", "GetModelsResult", "find_model", "find_models", "parse_arguments"]

#: The argument names of a query (the ListModels filters and `name_regex`) and of a selection.
QUERY_ARGUMENTS = tuple(f.name for f in fields(ModelQuery))
SELECTION_ARGUMENTS = tuple(f.name for f in fields(Selection))


def parse_arguments(args: Mapping[str, Any]) -> tuple[ModelQuery, Selection]:
    """The validated query and selection named in `args` (other keys are ignored); raises `InvalidQuery`."""
    query = ModelQuery.build(**{k: args[k] for k in QUERY_ARGUMENTS if k in args})
    selection = Selection.build(**{k: args[k] for k in SELECTION_ARGUMENTS if k in args})
    return query, selection


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
    def names(self) -> list[str]:
        """The ModelNames, in the order of `models`."""
        return [m.model_name for m in self.models]

    @property
    def total_count(self) -> int:
        """How many models matched (after the client-side rules)."""
        return len(self.models)


@dataclass(frozen=True)
class GetModelResult:
    """The one model a lookup chose, and its chosen version; `uri` is what deployments need."""

    model: Model
    version: ModelVersion

    @property
    def model_id(self) -> str:
        return self.model.model_id

    @property
    def model_name(self) -> str:
        return self.model.model_name

    @property
    def version_name(self) -> str:
        return self.version.version_name

    @property
    def uri(self) -> str:
        return self.version.uri or ""

    def outputs(self) -> dict[str, Any]:
        """The result as plain values (the outputs of `ModelLookup`, the `--output json` of the command)."""
        return {
            "model_id": self.model_id,
            "model_name": self.model_name,
            "version_name": self.version_name,
            "uri": self.uri,
            "model": self.model.to_dict(),
            "model_version": self.version.to_dict(),
        }


def find_models(client: PaiModelsClient, query: ModelQuery) -> GetModelsResult:
    """Every model matching the query."""
    return GetModelsResult(client.list_models(query).items, query)


def find_model(client: PaiModelsClient, query: ModelQuery, selection: Selection) -> GetModelResult:
    """The one model and version the query and selection mean, or `NoMatch` / `AmbiguousMatch`."""
    model = pick_model(client.list_models(query).items, query, selection.most_recent)
    if selection.version is not None:
        found = client.get_model_version(model.model_id, selection.version)
        version = pick_version([found] if found else [], model, selection)
    elif selection.approval_status is not None:
        versions = client.list_model_versions(model.model_id, approval_status=selection.approval_status)
        version = pick_version(versions, model, selection)
    elif model.latest_version is not None:
        version = model.latest_version
    else:
        raise NoMatch(f"model {model.model_id} ({model.model_name!r}) has no versions: register one before deploying it", model.model_id)
    if not version.uri:
        raise NoMatch(f"version {version.version_name!r} of model {model.model_id} ({model.model_name!r}) has no Uri", model.model_id)
    return GetModelResult(model, version)
