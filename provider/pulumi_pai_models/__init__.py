"""pulumi-pai-models: look up Alibaba Cloud PAI registry models from Pulumi programs and pipelines.

    from pulumi_pai_models import get_model, ModelLookup

    chosen = get_model(tags={"env": "prod"}, conditions=["ParameterSize<3000"], most_recent=True)
    lookup = ModelLookup("model", model_name='"qwen-7b"', approval_status="Approved")
    # lookup.uri feeds a deployment; a new version shows as an update in `pulumi preview`.

Layers, one module each: `contract` (the arguments and outputs, declared once), `query` (what is
asked), `client` (how: Alibaba's SDK, paging, retries), `types` (what comes back), `selection` (what
is picked), `lookup` (the three together), `lifecycle` (a lookup that lives in a stack), `functions`
and `resource` (the Pulumi glue), `cli` (the command), `emulator` (a local PAI for offline use).

Each public name is imported on first use: the command line and the emulator never load the Pulumi SDK, and the
plugin's schema process loads only the schema (`schema`, `contract`).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ._version import __version__

if TYPE_CHECKING:
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
    from .functions import get_model, get_model_output, get_models, get_models_output
    from .lookup import GetModelResult, GetModelsResult
    from .query import Condition, ModelQuery
    from .resource import ModelLookup, ModelLookupProvider
    from .selection import Selection
    from .settings import Settings
    from .types import Label, Model, ModelVersion

#: Every public name and the module that defines it, imported when the name is first used: a process that needs only
#: part of the package (the plugin's schema process, the command line, the emulator) loads only that part.
_NAMES = {
    "PaiModelsClient": "client",
    **dict.fromkeys(
        ("AmbiguousMatch", "ApiError", "ConfigurationError", "InvalidQuery", "ListingChanged", "LookupFailed", "NoMatch",
         "NoModelMatch", "NoVersionMatch", "PaiModelsError"),
        "errors",
    ),
    "GetModelResult": "lookup",
    "GetModelsResult": "lookup",
    "Condition": "query",
    "ModelQuery": "query",
    "Selection": "selection",
    "Settings": "settings",
    "Label": "types",
    "Model": "types",
    "ModelVersion": "types",
    # The Pulumi glue (they import the Pulumi SDK).
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
    """Import a public name's module when the name is first used."""
    module = _NAMES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
