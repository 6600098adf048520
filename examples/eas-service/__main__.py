"""Deploy a PAI-EAS inference service that serves the newest approved version of a registry model.

`ModelLookup` resolves the model in the registry; its `uri` becomes the service's `model_path`, and
the processor comes from the version's `InferenceSpec.processor` when the version names one (else
the `processor` config value). A newly approved version shows in `pulumi preview` as an update of
the lookup and of the service's `serviceConfig`; `pulumi up` rolls the service onto it.
"""

import json

import pulumi
import pulumi_alicloud as alicloud
from pulumi_pai_models import ModelLookup

config = pulumi.Config()
model_name = config.get("modelName") or '"fraud-detector"'  # double quotes: an exact name
service_name = config.get("serviceName") or "fraud_detector"  # EAS: lowercase letters, digits, underscores
default_processor = config.get("processor") or "pmml"  # used when the version has no InferenceSpec.processor
instances = config.get_int("instances") or 1
cpu = config.get_int("cpu") or 1
memory_mb = config.get_int("memoryMb") or 2000
workspace_id = config.get("workspaceId")  # optional: the PAI workspace that owns the service

model = ModelLookup("model", model_name=model_name, approval_status="Approved")


def eas_service_config(uri: str, version: dict) -> str:
    """The EAS service description (https://www.alibabacloud.com/help/en/pai/user-guide/parameters-of-model-services)."""
    spec = (version or {}).get("InferenceSpec") or {}
    processor = spec.get("processor") or default_processor
    return json.dumps(
        {
            "metadata": {"name": service_name, "instance": instances, "cpu": cpu, "memory": memory_mb},
            "model_path": uri,
            "processor": processor,
        },
        sort_keys=True,
    )


service = alicloud.pai.Service(
    "service",
    service_config=pulumi.Output.all(model.uri, model.model_version).apply(lambda args: eas_service_config(*args)),
    workspace_id=workspace_id,
    develop="false",
)

pulumi.export("model_id", model.model_id)
pulumi.export("version_name", model.version_name)
pulumi.export("model_path", model.uri)
pulumi.export("service_id", service.id)
pulumi.export("service_status", service.status)
