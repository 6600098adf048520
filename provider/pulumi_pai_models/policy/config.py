"""The pack's names and configuration: its policies, what each policy's config holds, and the registry settings.

A `--policy-pack-config` file is a JSON object keyed by policy name; each value is an enforcement level
(`"advisory"`, `"mandatory"`, `"disabled"`) or an object with `enforcementLevel` and the policy's own keys
(the CLI checks them against each policy's schema below; a top-level name that is no policy of the pack is refused
without an enforcementLevel, ignored with one):

    {
      "pai-registry": {"region": "cn-hangzhou"},
      "pai-approved-model": {"approvalStatuses": ["Approved"], "workspaces": ["86075"]},
      "pai-newest-approved": "advisory",
      "pai-locked-lookups": {"enforcementLevel": "advisory", "stacks": ["prod"]}
    }

The registry settings sit under `pai-registry`, the policy that answers for the registry itself (an unreachable
registry is its violation), with the `pai-models` plugin's config key names (`region`, `endpoint`, `protocol`,
`vpc`, `readTimeoutMs`, ...: every setting of `contract.SETTINGS` but the credentials), resolved through the
`doors.POLICY` door. Credentials are not pack config (a plain file, often committed): they come from the
environment `pulumi` runs in (`ALIBABA_CLOUD_ACCESS_KEY_ID`, ...) or Alibaba's default chain. The stack's own
config (`pai-models:endpoint`, `alicloud:region`) is never read: the stacks being checked must not choose the
registry that judges them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..contract import SETTINGS, Setting
from ..doors import PACK_SETTINGS, POLICY, Source
from ..errors import ConfigurationError
from ..selection import APPROVAL_STATUSES
from ..settings import ResolvedSettings, resolve

__all__ = [
    "APPROVED_MODEL",
    "CONFIG_SCHEMAS",
    "DEFAULT_STATUSES",
    "INSTALL",
    "LOCKED_LOOKUPS",
    "NEWEST_APPROVED",
    "PACK_DESCRIPTION",
    "PACK_NAME",
    "REGISTRY",
    "SETTING_KEYS",
    "allowed_statuses",
    "registry_settings",
]

PACK_NAME = "pai-models"
PACK_DESCRIPTION = "Only approved PAI registry model versions reach PAI-EAS inference services."
#: How to get the pack's one dependency (the `policy` extra).
INSTALL = "pip install 'pulumi-pai-models[policy]'"
REGISTRY = PACK_SETTINGS
APPROVED_MODEL = "pai-approved-model"
NEWEST_APPROVED = "pai-newest-approved"
LOCKED_LOOKUPS = "pai-locked-lookups"
#: The approval statuses `pai-approved-model` allows when its config names none.
DEFAULT_STATUSES = ("Approved",)

#: The registry settings a pack config may give under `pai-registry` (the plugin's key names) -> their declaration.
SETTING_KEYS: dict[str, Setting] = {key: s for s in SETTINGS for key in Source("pack config").keys(s)}


def _setting_schema(declared: Setting) -> dict[str, Any]:
    if declared.limits is not None:
        return {"type": "integer", "minimum": declared.limits[0], "maximum": declared.limits[1]}
    if declared.choices:
        return {"type": "string", "enum": list(declared.choices)}
    return {"type": declared.kind}


_STRINGS = {"type": "array", "items": {"type": "string"}}

#: Each policy's config keys as the JSON schema the CLI checks a `--policy-pack-config` file against.
CONFIG_SCHEMAS: dict[str, dict[str, dict[str, Any]]] = {
    REGISTRY: {key: _setting_schema(declared) for key, declared in SETTING_KEYS.items()},
    APPROVED_MODEL: {
        "approvalStatuses": {
            "type": "array",
            "items": {"type": "string", "enum": list(APPROVAL_STATUSES)},
            "minItems": 1,
            "default": list(DEFAULT_STATUSES),
            "description": "The approval statuses a deployed version may have.",
        },
        "workspaces": {**_STRINGS, "default": [], "description": "Workspace ids the model must be registered in; empty: any."},
        "exemptPrefixes": {
            **_STRINGS,
            "default": [],
            "description": "OSS paths or URLs under which a mounted path is not a model (code, data): not checked.",
        },
    },
    NEWEST_APPROVED: {},
    LOCKED_LOOKUPS: {
        "stacks": {**_STRINGS, "default": [], "description": "Stack names (e.g. prod) whose ModelLookups must be locked."},
    },
}


def allowed_statuses(config: Mapping[str, Any]) -> tuple[str, ...]:
    """The approval statuses `pai-approved-model`'s config allows (default: Approved)."""
    given = config.get("approvalStatuses") or DEFAULT_STATUSES
    return tuple(str(status) for status in given)


def registry_settings(config: Mapping[str, Any]) -> ResolvedSettings:
    """The registry settings of a pack run: `pai-registry`'s config over the environment, then Alibaba's chain for
    credentials; raises `ConfigurationError` naming the key (`policy pack config pai-registry.endpoint`).

    The one place the pack resolves settings, through the `POLICY` door.
    """
    unknown = sorted(set(config) - set(SETTING_KEYS))
    if unknown:
        raise ConfigurationError(
            f"policy pack config {REGISTRY} has unknown key(s) {', '.join(unknown)} (allowed: {', '.join(SETTING_KEYS)}; "
            "credentials come from the environment, never from the pack config)",
            setting=unknown[0],
        )
    return resolve(POLICY, pack=config)
