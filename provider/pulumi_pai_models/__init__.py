"""pulumi-pai-models: look up Alibaba Cloud PAI registry models from Pulumi programs and pipelines.

    from pulumi_pai_models import get_model, ModelLookup

    chosen = get_model(tags={"env": "prod"}, conditions=["ParameterSize<3000"], most_recent=True)
    lookup = ModelLookup("model", model_name='"qwen-7b"', approval_status="Approved")
    # lookup.uri feeds a deployment; a new version shows as an update in `pulumi preview`.

Layers, one module each: `query` (what is asked), `client` (how: Alibaba's SDK, paging, retries),
`types` (what comes back), `selection` (what is picked), `lookup` (the three together),
`functions` and `resource` (the Pulumi glue), `emulator` (a local PAI for offline use and tests).
"""

from .client import PaiModelsClient
from .errors import (
    AmbiguousMatch,
    ApiError,
    ConfigurationError,
    InvalidQuery,
    ListingChanged,
    LookupFailed,
    NoMatch,
    PaiModelsError,
)
from .functions import get_model, get_model_output, get_models, get_models_output
from .lookup import GetModelResult, GetModelsResult
from .query import Condition, ModelQuery
from .resource import ModelLookup, ModelLookupProvider
from .selection import Selection
from .settings import Settings
from .types import Label, Model, ModelVersion

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
    "PaiModelsClient",
    "PaiModelsError",
    "Selection",
    "Settings",
    "get_model",
    "get_model_output",
    "get_models",
    "get_models_output",
]

__version__ = "0.1.0"
