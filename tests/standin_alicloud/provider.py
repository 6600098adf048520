"""A stand-in for Pulumi's `alicloud` provider plugin, serving only `alicloud:pai/service:Service` (test code).

The real plugin (pulumi-resource-alicloud) is downloaded by the CLI on first use, which this machine cannot do,
so the policy pack's engine tests run programs against this one instead. It answers to the same name (`alicloud`)
and the resource token, property names and types of the real one (pulumi_alicloud 4.0.0, `alicloud.pai.Service`:
inputs `serviceConfig` (required), `workspaceId`, `develop`, `status`, `tags`; outputs also `createTime`,
`regionId`), with a schema, so a Pulumi YAML program type-checks against it and a Python program uses the real
`pulumi_alicloud` SDK. It deploys nothing: a service "exists" in the engine's state only. When the environment
variable STANDIN_ALICLOUD_RECORD names a file, every create and update (not previews) appends one JSON line
`{"op", "name", "serviceConfig"}` to it, so a test can tell that a stopped `pulumi up` deployed nothing.

Projects find it through Pulumi.yaml (`plugins: providers: [{name: alicloud, path: <this folder>}]`); the CLI runs
`pulumi-resource-alicloud` here, a two-line script that starts this file with the test environment's Python.
"""

from __future__ import annotations

import json
import os
import sys
from datetime import datetime, timezone
from typing import Any

from pulumi.provider.experimental import server
from pulumi.provider.experimental.property_value import PropertyValue
from pulumi.provider.experimental.provider import (
    CheckFailure,
    CheckRequest,
    CheckResponse,
    ConfigureRequest,
    ConfigureResponse,
    CreateRequest,
    CreateResponse,
    DeleteRequest,
    DiffRequest,
    DiffResponse,
    GetSchemaRequest,
    GetSchemaResponse,
    Provider,
    ReadRequest,
    ReadResponse,
    UpdateRequest,
    UpdateResponse,
)

VERSION = "4.0.0"  # the pulumi_alicloud release the tests pin (requirements.lock)
SERVICE = "alicloud:pai/service:Service"
#: The resource's inputs as pulumi_alicloud 4.0.0 declares them (all strings, but tags: a map of strings).
INPUTS: dict[str, dict[str, Any]] = {
    "serviceConfig": {"type": "string", "description": "The EAS service description, a JSON string."},
    "workspaceId": {"type": "string", "description": "The PAI workspace of the service."},
    "develop": {"type": "string", "description": 'Whether the service is in development mode ("true"/"false").'},
    "status": {"type": "string", "description": "The service's desired status (Running, Stopped)."},
    "tags": {"type": "object", "additionalProperties": {"type": "string"}, "description": "Tags of the service."},
}
OUTPUTS: dict[str, dict[str, Any]] = {
    **INPUTS,
    "createTime": {"type": "string", "description": "When the service was created."},
    "regionId": {"type": "string", "description": "The region of the service."},
}
SCHEMA = {
    "name": "alicloud",
    "version": VERSION,
    "description": "A test stand-in for the alicloud provider: alicloud:pai/service:Service only.",
    "resources": {
        SERVICE: {
            "description": "A PAI-EAS inference service (stand-in: nothing is deployed).",
            "inputProperties": INPUTS,
            "requiredInputs": ["serviceConfig"],
            "properties": OUTPUTS,
            "required": ["serviceConfig", "status", "createTime", "regionId"],
        }
    },
    "language": {"python": {"packageName": "pulumi_alicloud"}},
}


def _record(op: str, urn: str, properties: dict[str, PropertyValue]) -> None:
    path = os.environ.get("STANDIN_ALICLOUD_RECORD")
    if path:
        config = properties.get("serviceConfig")
        line = {"op": op, "name": urn.rsplit("::", 1)[-1], "serviceConfig": config.value if config else None}
        with open(path, "a", encoding="utf-8") as out:
            out.write(json.dumps(line) + "\n")


def _outputs(properties: dict[str, PropertyValue]) -> dict[str, PropertyValue]:
    now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    status = properties.get("status") or PropertyValue("Running")
    return {**properties, "status": status, "createTime": PropertyValue(now), "regionId": PropertyValue("cn-hangzhou")}


class StandinAlicloud(Provider):
    """alicloud:pai/service:Service, kept in the engine's state only."""

    async def get_schema(self, request: GetSchemaRequest) -> GetSchemaResponse:
        return GetSchemaResponse(schema=json.dumps(SCHEMA))

    async def check_config(self, request: CheckRequest) -> CheckResponse:
        return CheckResponse(inputs=request.new_inputs)

    async def configure(self, request: ConfigureRequest) -> ConfigureResponse:
        return ConfigureResponse(accept_secrets=False, supports_preview=True, accept_resources=False, accept_outputs=False)

    async def check(self, request: CheckRequest) -> CheckResponse:
        config = request.new_inputs.get("serviceConfig")
        if config is None:
            return CheckResponse(inputs=request.new_inputs, failures=[CheckFailure("serviceConfig", "serviceConfig is required")])
        return CheckResponse(inputs=request.new_inputs)

    async def diff(self, request: DiffRequest) -> DiffResponse:
        changed = [k for k in INPUTS if request.old_state.get(k) != request.new_inputs.get(k)]
        return DiffResponse(changes=bool(changed), diffs=changed)

    async def create(self, request: CreateRequest) -> CreateResponse:
        name = request.urn.rsplit("::", 1)[-1]
        if request.preview:
            return CreateResponse(resource_id="", properties=request.properties)
        _record("create", request.urn, request.properties)
        return CreateResponse(resource_id=f"eas-{name}", properties=_outputs(request.properties))

    async def update(self, request: UpdateRequest) -> UpdateResponse:
        if request.preview:
            return UpdateResponse(properties=request.news)
        _record("update", request.urn, request.news)
        return UpdateResponse(properties=_outputs(request.news))

    async def read(self, request: ReadRequest) -> ReadResponse:
        return ReadResponse(resource_id=request.resource_id, properties=request.properties, inputs=request.inputs)

    async def delete(self, request: DeleteRequest) -> None:
        """Nothing was deployed: nothing to delete."""


if __name__ == "__main__":
    server.main(sys.argv[1:], VERSION, StandinAlicloud())
