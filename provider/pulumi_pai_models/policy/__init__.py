"""A CrossGuard policy pack: only approved PAI registry model versions reach PAI-EAS inference services.

    pulumi preview --policy-pack "$(pai-models policy-pack --print-path)" [--policy-pack-config pack.json]

It runs on any Pulumi program, in any language, and checks each `alicloud:pai/service:Service` (and ModelLookup):

- `pai-registry` (mandatory): the registry answers, so the services' model paths can be checked; its config holds the
  registry settings (`region`, `endpoint`, ...). Set it to advisory to let deployments through while the registry
  cannot be read (fail closed otherwise).
- `pai-approved-model` (mandatory): every model path in the service's `serviceConfig` is the URI of a registry version
  whose approval status is allowed (`approvalStatuses`, default Approved), in an allowed workspace (`workspaces`).
- `pai-newest-approved` (advisory): the version is approved, but a newer approved one exists.
- `pai-locked-lookups` (advisory): ModelLookups in the stacks named in `stacks` are locked.

Modules: `paths` (model paths in an EAS service config, and how locations compare), `index` (which registry version
a path is, one listing per run), `rules` (each policy's decision and its one-line message), `config` (policy names,
config schemas, the registry settings), `pack` (the policies on `pulumi_policy`, served to the engine), `command`
(`pai-models policy-pack`). Only `pack` imports `pulumi_policy` (the `policy` extra: pip install
'pulumi-pai-models[policy]'). Users' documentation: docs/guardrails.md.
"""
