"""The Pulumi package schema of the `pai-models` provider plugin, derived from the contract.

Every function argument, resource input and output comes from `contract.py` (names via
`Argument.schema_name` / `camel`, shapes via `Argument.kind`); the provider configuration comes from
`settings.CONFIG_KEYS` (`PLUGIN_CONFIG`), the environment variables and defaults its docs name from
`settings.ENV_KEYS` and `Settings.DEFAULTS`. Nothing here lists an argument by hand. The schema file
`schema/pai-models.json` is this module's output:

    python -m pulumi_pai_models.schema > schema/pai-models.json

Like `contract`, this module imports neither Pulumi nor Alibaba's SDK.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from ._version import __version__
from .contract import MODELS_OUTPUTS, QUERY, RESOURCE_ONLY, SELECTION, Argument, Group, Kind, Output, arguments, camel, outputs
from .settings import CONFIG_KEYS, ENV_OF, LIMITS, SECRET_FIELDS, Settings

__all__ = [
    "FUNCTIONS",
    "PACKAGE",
    "PLUGIN_CONFIG",
    "RESOURCE",
    "build",
    "main",
    "render",
]

#: The plugin's name: `pulumi-resource-pai-models`, tokens `pai-models:index:...`, config `pai-models:...`.
PACKAGE = "pai-models"
RESOURCE = f"{PACKAGE}:index:ModelLookup"
GET_MODEL = f"{PACKAGE}:index:getModel"
GET_MODELS = f"{PACKAGE}:index:getModels"

#: The plugin's configuration key (its own namespace: `pai-models:<key>`) -> Settings field. Derived from the
#: stack config keys the dynamic provider reads (`alicloud:region` -> `region`, `pai-models:endpoint` -> `endpoint`),
#: so both read the same settings under the same short names.
PLUGIN_CONFIG: dict[str, str] = {key.split(":", 1)[1]: name for key, name in CONFIG_KEYS.items()}

#: Each setting's description; `{env}` is its environment variable, `{default}` its default (`Settings.DEFAULTS`).
_SETTING_DOCS: dict[str, str] = {
    "region": "The PAI region, e.g. cn-hangzhou (else {env}). The endpoint is aiworkspace.<region>.aliyuncs.com.",
    "access_key_id": "The access key id (else {env}, else Alibaba's default credential chain).",
    "access_key_secret": "The access key secret; set it with `pulumi config set --secret` (else {env}).",
    "security_token": "An STS security token, with a temporary access key pair (else {env}).",
    "endpoint": "An explicit endpoint, host[:port] or http(s)://host:port, e.g. the local emulator (else {env}).",
    "protocol": "{default} (default), or http with an explicit endpoint only (else {env}).",
    "vpc": "Use the region's VPC endpoint, aiworkspace-vpc.<region>.aliyuncs.com.",
    "read_timeout_ms": "Read timeout of one API call, in milliseconds (default {default}).",
    "connect_timeout_ms": "Connect timeout of one API call, in milliseconds (default {default}).",
    "max_attempts": "Attempts per API call, retries of throttling, 5xx answers and timeouts included (default {default}).",
    "max_concurrency": "Pages of a listing read at the same time (default {default}).",
    "max_in_flight": "Requests in flight at once in this process, shared in turns by its listings (default {default}).",
}

_CONDITION_TEXT = (
    " Each condition is text `COLUMN OP VALUE`, e.g. `ParameterSize<3000` or `GmtCreateTime>=2024-01-31T00:00:00Z`; "
    "`<`, `<=`, `>`, `>=` need a number (or a timestamp on Gmt* columns)."
)

_TYPES: dict[Kind, dict[str, Any]] = {
    "string": {"type": "string"},
    "boolean": {"type": "boolean"},
    "integer": {"type": "integer"},
    "string-list": {"type": "array", "items": {"type": "string"}},
    "string-map": {"type": "object", "additionalProperties": {"type": "string"}},
    "condition-list": {"type": "array", "items": {"type": "string"}},
    "object": {"type": "object", "additionalProperties": {"$ref": "pulumi.json#/Any"}},
    "object-list": {"type": "array", "items": {"type": "object", "additionalProperties": {"$ref": "pulumi.json#/Any"}}},
}


def _property(kind: Kind, doc: str, *, secret: bool = False) -> dict[str, Any]:
    spec: dict[str, Any] = {**_TYPES[kind], "description": doc + (_CONDITION_TEXT if kind == "condition-list" else "")}
    if secret:
        spec["secret"] = True
    return spec


def _inputs(args: tuple[Argument, ...]) -> dict[str, Any]:
    return {a.schema_name: _property(a.kind, a.doc) for a in args}


def _setting_kind(name: str) -> Kind:
    return "integer" if name in LIMITS else "boolean" if name == "vpc" else "string"


def _config() -> dict[str, Any]:
    config = {}
    for key, name in PLUGIN_CONFIG.items():
        doc = _SETTING_DOCS[name].format(env=ENV_OF.get(name), default=Settings.DEFAULTS.get(name))
        config[key] = _property(_setting_kind(name), doc, secret=name in SECRET_FIELDS)
    return config


#: Function token -> (its argument groups, its outputs).
FUNCTIONS: dict[str, tuple[tuple[Group, ...], tuple[Output, ...]]] = {
    GET_MODEL: ((QUERY, SELECTION), outputs(resource=False)),
    GET_MODELS: ((QUERY,), MODELS_OUTPUTS),
}

_FUNCTION_DOCS = {
    GET_MODEL: (
        "The one model the filters mean, and its chosen version: `uri` is what a deployment needs. No match fails "
        "(NoMatch); several fail (AmbiguousMatch) unless mostRecent. The version is `version` exactly, else the newest "
        "with `approvalStatus`, else the model's latest version. It runs again on every preview and update; a "
        "ModelLookup resource keeps its answer in the state and shows a new version as an update."
    ),
    GET_MODELS: "Every model matching the filters (all pages); no match is an empty list.",
}


def build() -> dict[str, Any]:
    """The package schema, as the plugin serves it (GetSchema) and `schema/pai-models.json` holds it."""
    resource_inputs = _inputs(arguments(QUERY, SELECTION, RESOURCE_ONLY))
    resolved = {camel(o.resource_name): _property(o.kind, o.doc) for o in outputs(resource=True) if o.resource_name}
    functions = {}
    for token, (groups, outs) in FUNCTIONS.items():
        functions[token] = {
            "description": _FUNCTION_DOCS[token],
            "inputs": {"properties": _inputs(arguments(*groups))},
            "outputs": {
                "properties": {o.schema_name: _property(o.kind, o.doc) for o in outs},
                "required": [o.schema_name for o in outs],
            },
        }
    config = _config()
    return {
        "name": PACKAGE,
        "displayName": "Alibaba Cloud PAI models",
        "version": __version__,
        "description": "Look up models in Alibaba Cloud PAI's model registry (ListModels); pass the chosen version's URI to deployments.",
        "keywords": ["pulumi", "alibaba-cloud", "alicloud", "pai", "model-registry", "category/cloud", "kind/native"],
        "license": "Apache-2.0",
        "publisher": "pulumi-pai-models",
        "config": {"variables": config},
        "provider": {
            "description": "How to reach PAI. Unset settings come from the environment, then Alibaba's default credential chain.",
            "inputProperties": config,
        },
        "resources": {
            RESOURCE: {
                "description": (
                    "A PAI model lookup kept in the state: `uri` is known in preview, and a newer matching version shows "
                    "up as an update of exactly the changed properties. It owns nothing in PAI: deleting it deletes nothing."
                ),
                "inputProperties": resource_inputs,
                "properties": {**resource_inputs, **resolved},
                "required": list(resolved),
            }
        },
        "functions": functions,
        "language": {
            "nodejs": {"packageName": "@your-org/pai-models", "dependencies": {"@pulumi/pulumi": "^3.0.0"}},
            "go": {"importBasePath": "github.com/YOUR-ORG/pulumi-pai-models/sdk/go/pai-models", "generateResourceContainerTypes": True},
            "csharp": {"rootNamespace": "PaiModels", "packageReferences": {"Pulumi": "3.*"}},
            "java": {"basePackage": "com.your_org.pai_models"},
            # The Python package of this repository is `pulumi_pai_models` (the dynamic provider): a generated
            # Python SDK must not take that name.
            "python": {"packageName": "pulumi_pai_models_sdk"},
        },
    }


def render() -> str:
    """The schema as the file holds it: JSON, two-space indented, a final newline."""
    return json.dumps(build(), indent=2, ensure_ascii=False) + "\n"


def main() -> None:
    """Print the schema (`python -m pulumi_pai_models.schema > schema/pai-models.json`)."""
    sys.stdout.write(render())


if __name__ == "__main__":
    main()
