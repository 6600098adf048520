"""The lookup's contract: every argument, every output and every setting, declared once.

Each front door is derived from these tables or checked against them by `tests/test_contract.py`:
the Python functions and their `_output` forms, `ModelLookup`, the `pai-models` flags, the query's
description in messages, the SDK request the transport builds, the README's filter table and the
provider schema. An argument says what it is called in each place (Python keyword, ListModels
parameter, CLI flag, schema name); an output says where it appears. A setting (where and how to call
PAI) says its type, default, range, environment variables, stack config keys, CLI flag and whether it
is secret: `Settings`, the command's flags, the plugin's config schema, the messages that say where to
set one (`doors`) and the resolution (`settings.resolve`) are derived from `SETTINGS`.

Nothing here imports Pulumi or Alibaba's SDK: the command line reads it without loading either.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = [
    "ARGUMENTS",
    "CREDENTIALS",
    "DYNAMIC_RESOURCE_TYPE",
    "MAX_PAGE_SIZE",
    "MAX_TEXT_LENGTH",
    "MODELS_OUTPUTS",
    "OUTPUTS",
    "PACKAGE",
    "QUERY",
    "RESOURCE_ONLY",
    "SELECTION",
    "SETTINGS",
    "Argument",
    "Output",
    "Setting",
    "arguments",
    "camel",
    "outputs",
    "setting",
]

#: This package's name in Pulumi: the plugin `pulumi-resource-pai-models`, tokens `pai-models:index:...`, and the
#: stack config namespace of its settings (`pai-models:endpoint`).
PACKAGE = "pai-models"

#: `ModelLookup`'s type in a stack's state when a Python program declares it (the dynamic resource); the
#: provider plugin's is `schema.RESOURCE`.
DYNAMIC_RESOURCE_TYPE = "pulumi-python:dynamic/pai-models:ModelLookup"

#: The most models PAI returns in one ListModels page (Alibaba's own tools page with 50 and 100).
MAX_PAGE_SIZE = 100
#: The longest text argument accepted.
MAX_TEXT_LENGTH = 1024

#: Which part of a lookup an argument belongs to.
Group = Literal["query", "selection", "resource"]
QUERY: Group = "query"  # what is asked of ListModels (plus the client-side name_regex)
SELECTION: Group = "selection"  # how one model and one version are picked from the answer
RESOURCE_ONLY: Group = "resource"  # only ModelLookup has it (rollout control)

#: The value shapes, as the provider schema spells them.
Kind = Literal["string", "boolean", "string-list", "string-map", "condition-list", "object", "object-list", "integer"]


def camel(name: str) -> str:
    """`most_recent` -> `mostRecent` (the schema's and other languages' spelling)."""
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


@dataclass(frozen=True)
class Argument:
    """One argument of a lookup: its name in Python, ListModels, the command line and the schema."""

    name: str
    group: Group
    kind: Kind
    doc: str
    #: The ListModels request parameter, or None when the rule is applied on this side.
    api: str | None = None
    #: The `pai-models` flag, or None when the command has none.
    flag: str | None = None
    metavar: str | None = None

    @property
    def schema_name(self) -> str:
        return camel(self.name)

    @property
    def repeatable(self) -> bool:
        """True when the flag may be given several times (a list or map)."""
        return self.kind in ("string-list", "string-map", "condition-list")


@dataclass(frozen=True)
class Output:
    """One output of a lookup: where it appears and what it holds."""

    name: str
    kind: Kind
    doc: str
    #: Is it an attribute of `get_model`'s result (and an output of `getModel`)?
    in_function: bool = True
    #: Its name among `ModelLookup`'s outputs, or None when the resource has none. A resource keeps
    #: inputs and outputs in one namespace, so an output never takes an argument's name there.
    resource_name: str | None = None
    #: Is it known in `pulumi preview` (and compared for diffs)? The whole JSON of the model is not: it
    #: arrives with `up`, so a version bump reads as the version's lines, not a dump of the model too.
    in_preview: bool = True

    @property
    def schema_name(self) -> str:
        return camel(self.name)


ARGUMENTS: tuple[Argument, ...] = (
    # -- the query: ListModels' filters, in the order of its reference, and the client-side regex ----
    Argument("workspace_id", QUERY, "string", "Only your models in this workspace (public models are listed whatever it says).",
             api="WorkspaceId", flag="--workspace", metavar="ID"),
    Argument("model_name", QUERY, "string",
             'Model name contains this text (case-insensitive); in double quotes (\'"my-model"\') an exact name.',
             api="ModelName", flag="--name", metavar="TEXT"),
    Argument("label", QUERY, "string", "A label key or value contains this text.", api="Label", flag="--label", metavar="TEXT"),
    Argument("provider", QUERY, "string", "Public models of this provider, e.g. pai; unset: your own models.",
             api="Provider", flag="--provider", metavar="NAME"),
    Argument("domain", QUERY, "string", "Domain, e.g. nlp or cv.", api="Domain", flag="--domain", metavar="NAME"),
    Argument("task", QUERY, "string", "Task, e.g. text-generation.", api="Task", flag="--task", metavar="NAME"),
    Argument("origin", QUERY, "string", "Origin, e.g. ModelScope or HuggingFace.", api="Origin", flag="--origin", metavar="NAME"),
    Argument("query", QUERY, "string", "Free text matched in the name, domain, task, label keys and values.",
             api="Query", flag="--query", metavar="TEXT"),
    Argument("model_type", QUERY, "string", "Model type, e.g. Checkpoint or LoRA.", api="ModelType", flag="--type", metavar="NAME"),
    Argument("collections", QUERY, "string-list", "In any of these collections.", api="Collections", flag="--collections",
             metavar="A[,B...]"),
    Argument("tags", QUERY, "string-map", "Has every one of these tags (key: value); a tag without a value (None, null) is no filter.",
             api="Tag", flag="--tag", metavar="KEY=VALUE"),
    Argument("conditions", QUERY, "condition-list",
             "Every condition holds, e.g. ParameterSize<3000; operators < <= > >= = != (or LessThan, ...).",
             api="Conditions", flag="--condition", metavar="EXPR"),
    Argument("order", QUERY, "string", "ASC (default) or DESC, by creation time.", api="Order", flag="--order", metavar="ASC|DESC"),
    Argument("sort_by", QUERY, "string", "The field the server sorts by; PAI supports only GmtCreateTime.",
             api="SortBy", flag="--sort-by", metavar="FIELD"),
    Argument("name_regex", QUERY, "string", "Keep models whose name matches this Python regular expression (applied here).",
             flag="--name-regex", metavar="REGEX"),
    # -- the selection: one model and one version -------------------------------------------------------
    Argument("most_recent", SELECTION, "boolean", "If several models match, take the newest (ties: the greatest ModelId).",
             flag="--most-recent"),
    Argument("version", SELECTION, "string", "This exact version name (default: the model's latest version).",
             flag="--version", metavar="NAME"),
    Argument("approval_status", SELECTION, "string", "The newest version with this status: Approved, Pending or Rejected.",
             flag="--approval-status", metavar="STATUS"),
    # -- rollout control: only a lookup that lives in a stack has it -------------------------------------
    Argument("lock", RESOURCE_ONLY, "boolean",
             "Keep the first resolution (same model, version and uri) until `pulumi up --replace` or a change of keepers; "
             "warn when the query picks a newer one."),
    Argument("keepers", RESOURCE_ONLY, "string-map",
             "Any values; changing one resolves a locked lookup afresh, so the move shows in the program's diff."),
)  # fmt: skip

OUTPUTS: tuple[Output, ...] = (
    Output("model_id", "string", "The chosen model's ModelId.", resource_name="model_id"),
    Output("model_name", "string", "The chosen model's name.", resource_name="resolved_model_name"),
    Output("version_name", "string", "The chosen version's name.", resource_name="version_name"),
    Output("uri", "string", "Where the chosen version's files are (usually oss://...): what a deployment needs.", resource_name="uri"),
    Output("model", "object", "The chosen model as PAI returned it (PascalCase keys).", resource_name="model", in_preview=False),
    Output("model_version", "object", "The chosen version as PAI returned it (PascalCase keys).", resource_name="model_version"),
    Output("query_summary", "string", "The query in the API's words.", in_function=False, resource_name="query_summary"),
)


#: The outputs of `get_models` / `getModels` (attributes of `GetModelsResult`).
MODELS_OUTPUTS: tuple[Output, ...] = (
    Output("models", "object-list", "Every model that matched, as PAI returned it (PascalCase keys), in the server's order."),
    Output("ids", "string-list", "The ModelIds of `models`, in the same order."),
    Output("total_count", "integer", "How many models matched (after the rules applied on this side)."),
)


def arguments(*groups: Group) -> tuple[Argument, ...]:
    """The arguments of these groups, in declaration order."""
    return tuple(a for a in ARGUMENTS if a.group in groups)


def outputs(*, resource: bool) -> tuple[Output, ...]:
    """The outputs of `ModelLookup` (resource=True) or of `get_model` (False)."""
    return tuple(o for o in OUTPUTS if (o.resource_name is not None if resource else o.in_function))


# -- settings: where and how to call PAI --------------------------------------------------------------------

SettingKind = Literal["string", "boolean", "integer"]


@dataclass(frozen=True)
class Setting:
    """One setting: its type, default and range, and what it is called in each place a front door reads it from.

    Every front door reads a setting under a name derived here: `Settings(name=...)` in Python, the stack config key
    `pai-models:<key>` (Python programs and the provider plugin; Python programs also read `aliases`, the keys
    `pulumi_alicloud` users already set), the environment variables `env`, and the command's `flag`.
    """

    name: str
    kind: SettingKind
    doc: str
    default: str | bool | int | None = None
    #: The allowed range of a whole number.
    limits: tuple[int, int] | None = None
    #: The allowed values of a string, if only some are.
    choices: tuple[str, ...] = ()
    #: The environment variables that set it, first set wins; default: `PAI_MODELS_<NAME>`.
    environment: tuple[str, ...] = ()
    #: Its key in this package's config namespace (`pai-models:<key>`); default: `camel(name)`.
    key: str | None = None
    #: Further stack config keys a Python program reads, after `pai-models:<key>` (pulumi_alicloud's `alicloud:*`).
    aliases: tuple[str, ...] = ()
    #: The `pai-models` flag, or None when the command reads it only from the environment.
    flag: str | None = None
    #: Is the value a secret (never in repr, state, logs or messages; a secret in the plugin's schema)?
    secret: bool = False

    @property
    def doc_name(self) -> str:
        """The setting in words: `access key secret`."""
        return self.name.replace("_", " ")

    @property
    def short_key(self) -> str:
        """`endpoint`: its key within a namespace (the plugin's config, the policy pack's registry settings)."""
        return self.key or camel(self.name)

    @property
    def config_key(self) -> str:
        """`pai-models:endpoint`: the stack config key of every Pulumi program, in any language."""
        return f"{PACKAGE}:{self.short_key}"

    @property
    def config_keys(self) -> tuple[str, ...]:
        """Every stack config key a Python program reads it from, first set wins."""
        return (self.config_key, *self.aliases)

    @property
    def env(self) -> tuple[str, ...]:
        """Its environment variables, first set wins."""
        return self.environment or (f"PAI_MODELS_{self.name.upper()}",)

    @property
    def allowed(self) -> str:
        """What values are allowed, in words: `1..100`, `https or http`, `true or false`, `a string`."""
        if self.limits is not None:
            return f"{self.limits[0]}..{self.limits[1]}"
        if self.choices:
            return " or ".join(self.choices)
        return "true or false" if self.kind == "boolean" else "a string"


#: Credentials: they come as a set, all from the same place (never one place's key id with another's secret).
CREDENTIALS = ("access_key_id", "access_key_secret", "security_token")

SETTINGS: tuple[Setting, ...] = (
    Setting("region", "string", "The PAI region, e.g. cn-hangzhou: the endpoint is aiworkspace.<region>.aliyuncs.com.",
            environment=("ALIBABA_CLOUD_REGION_ID", "ALICLOUD_REGION"), aliases=("alicloud:region",), flag="--region"),
    Setting("endpoint", "string",
            "An explicit endpoint instead of the region's, host[:port] or http(s)://host:port (e.g. the local emulator).",
            flag="--endpoint"),
    Setting("protocol", "string", "https, or http with an explicit endpoint only.", default="https", choices=("https", "http"),
            flag="--protocol"),
    Setting("vpc", "boolean", "Use the region's VPC endpoint, aiworkspace-vpc.<region>.aliyuncs.com.", default=False,
            flag="--vpc"),
    Setting("access_key_id", "string", "The access key id; unset, Alibaba's default credential chain is asked.", key="accessKey",
            environment=("ALIBABA_CLOUD_ACCESS_KEY_ID", "ALICLOUD_ACCESS_KEY"), aliases=("alicloud:accessKey",)),
    Setting("access_key_secret", "string", "The access key secret, set with the key id.", key="secretKey",
            environment=("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALICLOUD_SECRET_KEY"), aliases=("alicloud:secretKey",), secret=True),
    Setting("security_token", "string", "An STS security token, with a temporary access key pair.", key="securityToken",
            environment=("ALIBABA_CLOUD_SECURITY_TOKEN", "ALICLOUD_SECURITY_TOKEN"), aliases=("alicloud:securityToken",),
            secret=True),
    Setting("read_timeout_ms", "integer", "Read timeout of one request attempt, in milliseconds.", default=10_000,
            limits=(1, 600_000), flag="--read-timeout-ms"),
    Setting("connect_timeout_ms", "integer", "Connect timeout of one request attempt, in milliseconds.", default=5_000,
            limits=(1, 600_000), flag="--connect-timeout-ms"),
    Setting("max_attempts", "integer",
            "Attempts per API call: throttling, 5xx answers, timeouts and connection errors are retried.", default=4,
            limits=(1, 20), flag="--max-attempts"),
    Setting("backoff_base_ms", "integer", "The backoff before the first retry, doubled at each retry (with jitter), in ms.",
            default=200, limits=(0, 60_000)),
    Setting("backoff_max_ms", "integer", "The longest backoff between two attempts, in milliseconds.", default=5_000,
            limits=(0, 600_000)),
    Setting("page_size", "integer", "Models per ListModels page.", default=MAX_PAGE_SIZE, limits=(1, MAX_PAGE_SIZE),
            flag="--page-size"),
    Setting("max_concurrency", "integer", "Pages of one listing read at the same time.", default=8, limits=(1, 64),
            flag="--max-concurrency"),
    Setting("max_in_flight", "integer", "Requests in flight at once in this process, shared in turns by its listings.",
            default=16, limits=(1, 256)),
)  # fmt: skip


def setting(name: str) -> Setting:
    """The declared setting of this name."""
    for declared in SETTINGS:
        if declared.name == name:
            return declared
    raise KeyError(name)
