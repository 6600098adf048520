"""Quickstart: look a model up by exact name and export the URI of its newest approved version.

Runs against real PAI (set alicloud:region and credentials) or the local emulator
(pai-models:endpoint). The root Pulumi.yaml of the repository points here; it is the demo.
"""

import pulumi
from pulumi_pai_models import ModelLookup, get_models

config = pulumi.Config()
model_name = config.get("modelName") or '"fraud-detector"'  # double quotes: an exact name

# A data source that lives in the state: a new approved version shows up as an update in `pulumi preview`.
model = ModelLookup("model", model_name=model_name, approval_status="Approved")

pulumi.export("model_id", model.model_id)
pulumi.export("version_name", model.version_name)
pulumi.export("uri", model.uri)

# A plain function call: every production model of yours with the URI of its latest version.
production = get_models(tags={"env": "prod"})
pulumi.export("production_models", {m.model_name: m.latest_version.uri if m.latest_version else None for m in production.models})
