"""pulumi-pai-models: look up Alibaba Cloud PAI registry models from Pulumi programs and pipelines.

    from pulumi_pai_models import get_model, ModelLookup

    chosen = get_model(tags={"env": "prod"}, conditions=["ParameterSize<3000"], most_recent=True)
    lookup = ModelLookup("model", model_name='"qwen-7b"', approval_status="Approved")
    # lookup.uri feeds a deployment; a new version shows as an update in `pulumi preview`.

Layers, one module each: `contract` (the arguments and outputs, declared once), `query` (what is
asked), `client` (how: Alibaba's SDK, paging, retries), `types` (what comes back), `selection` (what
is picked), `lookup` (the three together), `lifecycle` (a lookup that lives in a stack), `functions`
and `resource` (the Pulumi glue), `cli` (the command), `emulator` (a local PAI for offline use).

The Pulumi glue is imported on first use, so the command line and the emulator never load the
Pulumi SDK.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ._version import __version__
from .client import PaiModelsClient
from .errors import (
    AmbiguousMatch,
    ApiError,
    ConfigurationError,
    InvalidQuery,
    ListingChanged,
    LookupFailed,
    NoMatch,
    NoModelMatch,
    NoVersionMatch,
    PaiModelsError,
)
from .lookup import GetModelResult, GetModelsResult
from .query import Condition, ModelQuery
from .selection import Selection
from .settings import Settings
from .types import Label, Model, ModelVersion

if TYPE_CHECKING:
    from .functions import get_model, get_model_output, get_models, get_models_output
    from .resource import ModelLookup, ModelLookupProvider

#: Names that need the Pulumi SDK, and the module that defines each.
_PULUMI_GLUE = {
    "get_model": "functions",
    "get_model_output": "functions",
    "get_models": "functions",
    "get_models_output": "functions",
    "ModelLookup": "resource",
    "ModelLookupProvider": "resource",
}

__all__ = [
    "AmbiguousMatch",
    "ApiError",
    "Condition",
    "ConfigurationError",
    "GetModelResult",
    "GetModelsResult",
    "InvalidQuery",
    "Label",
    "ListingChanged",
    "LookupFailed",
    "Model",
    "ModelLookup",
    "ModelLookupProvider",
    "ModelQuery",
    "ModelVersion",
    "NoMatch",
    "NoModelMatch",
    "NoVersionMatch",
    "PaiModelsClient",
    "PaiModelsError",
    "Selection",
    "Settings",
    "__version__",
    "get_model",
    "get_model_output",
    "get_models",
    "get_models_output",
]


def __getattr__(name: str) -> Any:
    """Import the Pulumi glue when one of its names is first used."""
    module = _PULUMI_GLUE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value
