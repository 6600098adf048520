"""Select a model by tag and condition: the newest model tagged env=prod whose ParameterSize is below
3000, and of it the newest **approved** version.

The same choice twice: as a `ModelLookup` resource (kept in the state, so a change shows as an update
in `pulumi preview`) and as a `get_model_output` call (a plain lookup at every run, nothing stored).
Tags and conditions are ListModels' own filters, applied by PAI; `most_recent=True` takes the newest
of several matches (without it, several are an error), `approval_status` picks the version.
"""

import pulumi
from pulumi_pai_models import Condition, ModelLookup, get_model_output

config = pulumi.Config()
env = config.get("env") or "prod"
max_parameter_size = config.get_int("maxParameterSize") or 3000

# The resource: a condition as an object, in the API's words.
chosen = ModelLookup(
    "chosen",
    tags={"env": env},
    conditions=[Condition("ParameterSize", "LessThan", str(max_parameter_size))],
    most_recent=True,
    approval_status="Approved",
)

# The function: the same query, the condition as text.
same = get_model_output(
    tags={"env": env},
    conditions=[f"ParameterSize<{max_parameter_size}"],
    most_recent=True,
    approval_status="Approved",
)

pulumi.export("model_name", chosen.resolved_model_name)
pulumi.export("version_name", chosen.version_name)
pulumi.export("uri", chosen.uri)
pulumi.export("query", chosen.query_summary)
pulumi.export("function_uri", same.apply(lambda result: result.uri))
