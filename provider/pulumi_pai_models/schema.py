"""The Pulumi package schema of the `pai-models` provider plugin, derived from the contract.

Every function argument, resource input and output comes from `contract.py` (names via
`Argument.schema_name` / `camel`, shapes via `Argument.kind`), and so does the provider configuration:
every setting of `contract.SETTINGS` under its config key, with its doc, default, range and environment
variables. Nothing here lists an argument or a setting by hand. The schema file
`schema/pai-models.json` is this module's output:

    python -m pulumi_pai_models.schema > schema/pai-models.json

Like `contract`, this module imports neither Pulumi nor Alibaba's SDK.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from ._version import __version__
from .contract import (
    DYNAMIC_RESOURCE_TYPE,
    MODELS_OUTPUTS,
    PACKAGE,
    QUERY,
    RESOURCE_ONLY,
    SELECTION,
    SETTINGS,
    Argument,
    Group,
    Kind,
    Output,
    Setting,
    arguments,
    camel,
    outputs,
)

__all__ = [
    "FUNCTIONS",
    "LOOKUP_TYPES",
    "PACKAGE",
    "RESOURCE",
    "build",
    "main",
    "render",
]

RESOURCE = f"{PACKAGE}:index:ModelLookup"
#: ModelLookup's resource types in a stack: Python's dynamic resource and this plugin's (`pai-models outdated` and the
#: policy pack find lookups by them).
LOOKUP_TYPES = (DYNAMIC_RESOURCE_TYPE, RESOURCE)
GET_MODEL = f"{PACKAGE}:index:getModel"
GET_MODELS = f"{PACKAGE}:index:getModels"

# Where the SDKs are installed from: PLACEHOLDERS until they are published (YOUR-ORG / your-org: the owner of the
# repository and of the npm scope; provider/pyproject.toml's URLs use the same). sdk/go/go.mod declares the module
# f"{REPOSITORY}/sdk/go" (the folder it sits in), whose package sdk/go/pai-models is GO_IMPORT_PATH.
REPOSITORY = "github.com/YOUR-ORG/pulumi-pai-models"
NPM_PACKAGE = "@your-org/pai-models"
GO_MODULE = f"{REPOSITORY}/sdk/go"
GO_IMPORT_PATH = f"{GO_MODULE}/{PACKAGE}"

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


def _setting_doc(declared: Setting) -> str:
    """A setting's description in the schema: its doc, default, range and environment variables."""
    parts = [declared.doc]
    if declared.default is not None:
        default = str(declared.default).lower() if isinstance(declared.default, bool) else declared.default
        parts.append(f"Default: {default}.")
    if declared.limits is not None or declared.choices:
        parts.append(f"Allowed: {declared.allowed}.")
    parts.append(f"Else the environment variable {' or '.join(declared.env)}.")
    return " ".join(parts)


def _config() -> dict[str, Any]:
    """The provider's configuration: every setting, under its key in this package's namespace."""
    return {
        declared.short_key: _property(declared.kind, _setting_doc(declared), secret=declared.secret)
        for declared in SETTINGS
    }


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
            # The SDKs in sdk/ (scripts/gen-sdks.sh; docs/languages.md). Versioned as this package; they need the
            # @pulumi/pulumi and Go SDK release whose generators wrote them (the CLI's, scripts/pulumi-wrapper).
            "nodejs": {
                "packageName": NPM_PACKAGE,
                "respectSchemaVersion": True,
                "dependencies": {"@pulumi/pulumi": "^3.260.0"},
                "typescriptVersion": "^5.0.0",
            },
            "go": {"importBasePath": GO_IMPORT_PATH, "generateResourceContainerTypes": True, "respectSchemaVersion": True},
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
