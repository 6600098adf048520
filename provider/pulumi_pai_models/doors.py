"""The front doors, and how each one words what its user writes: arguments, and where settings are set.

    PYTHON   `get_model`, `get_models` (and `_output`), `ModelLookup`, `Settings`: keyword arguments
             (`most_recent=True`); settings from `Settings(...)`, the stack config (`pai-models:*`, then the
             `alicloud:*` keys pulumi_alicloud users already set), the environment
    SCHEMA   the provider plugin, for programs in YAML, TypeScript, Go, C# and Java: the schema's names
             (`mostRecent`); settings from the stack config `pai-models:*`, the environment
    CLI      `pai-models`: flags (`--most-recent`); settings from flags, the environment
    POLICY   the policy pack: settings from its config (under the policy `pai-registry`, never credentials), the
             environment

Errors word their messages through a door (`PaiModelsError.explain(door)`), and settings are resolved
through a door's `sources` (`settings.resolve`), so a message names only what that door reads, under the
name its user writes, and doing what it says fixes the problem. Everything here is derived from the
contract (`ARGUMENTS`, `SETTINGS`). Like `contract`, this module imports neither Pulumi nor Alibaba's SDK.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from .contract import ARGUMENTS, CREDENTIALS, Setting, camel, setting

__all__ = ["CLI", "DOORS", "FLAG_OF", "PACK_SETTINGS", "POLICY", "PYTHON", "SCHEMA", "Door", "Source", "SourceKind"]

#: Where a door reads settings from.
SourceKind = Literal["explicit", "program config", "plugin config", "flags", "pack config", "environment"]
#: The policy of the policy pack whose config holds the registry settings (`{"pai-registry": {"endpoint": ...}}`).
PACK_SETTINGS = "pai-registry"


@dataclass(frozen=True)
class Source:
    """One place a door reads settings from."""

    kind: SourceKind

    def keys(self, declared: Setting) -> tuple[str, ...]:
        """The names this source may hold the setting under, first set wins (positional: the i-th key of each
        credential is one set, e.g. `alicloud:accessKey` with `alicloud:secretKey`)."""
        if self.kind == "explicit":
            return (declared.name,)
        if self.kind == "program config":
            return declared.config_keys
        if self.kind == "plugin config":
            return (declared.config_key,)
        if self.kind == "flags":
            return (declared.flag,) if declared.flag else ()
        if self.kind == "pack config":  # a plain file, often committed: never credentials
            return () if declared.name in CREDENTIALS else (declared.short_key,)
        return declared.env

    def label(self, key: str) -> str:
        """How a value found under `key` is named in messages: `page_size`, `stack config pai-models:endpoint`, `--endpoint`."""
        if self.kind in ("explicit", "flags"):
            return key
        if self.kind in ("program config", "plugin config"):
            return f"stack config {key}"
        if self.kind == "pack config":
            return f"policy pack config {PACK_SETTINGS}.{key}"
        return f"environment variable {key}"

    def how(self, names: Sequence[str]) -> str | None:
        """How to set these settings here, in words (None when this source cannot set them all)."""
        declared = [setting(n) for n in names]
        columns = [self.keys(s) for s in declared]
        if not all(columns):
            return None
        if self.kind == "explicit":
            return "Settings(" + ", ".join(f"{s.name}=..." for s in declared) + ")"
        # The first name of each setting, then the alternatives (the same position of each setting's names).
        sets = [" and ".join(keys[i] for keys in columns) for i in range(min(len(keys) for keys in columns))]
        main, others = sets[0], sets[1:]
        alternatives = f" (or {' or '.join(others)})" if others else ""
        if self.kind in ("program config", "plugin config"):
            secret = [s.config_key for s in declared if s.secret]
            command = f"pulumi config set {declared[0].config_key} ..." if not secret else f"pulumi config set --secret {secret[0]} ..."
            return f"the stack config {main}{alternatives} ({command})"
        if self.kind == "flags":
            return main + alternatives
        if self.kind == "pack config":
            return f'"{main}" under "{PACK_SETTINGS}" in the --policy-pack-config file'
        plural = "s" if len(declared) > 1 else ""
        return f"the environment variable{plural} {main}{alternatives}"


@dataclass(frozen=True)
class Door:
    """One front door: how its user names arguments, and where (in precedence order) it reads settings."""

    name: str
    #: An argument (a dotted path for a part of one: `conditions.value`): `model_name`, `modelName`, `--name`.
    argument: Callable[[str], str]
    #: An argument given a value: `provider='pai'`, `provider pai`, `--provider pai`.
    assign: Callable[[str, str], str]
    #: A boolean argument turned on: `set most_recent=True`, `set mostRecent`, `add --most-recent`.
    switch_on: Callable[[str], str]
    #: How an exact model name is asked for.
    exact_name: str
    #: Where settings come from, first set wins (Alibaba's default credential chain is asked after all of them).
    sources: tuple[Source, ...]

    def where(self, *names: str) -> str:
        """Where this door sets these settings (together, for a credential pair), in precedence order."""
        places = [how for source in self.sources if (how := source.how(names)) is not None]
        if len(places) <= 1:
            return "".join(places)
        return ", ".join(places[:-1]) + ", or " + places[-1]


def _dotted(rename: Callable[[str], str]) -> Callable[[str], str]:
    """`rename` applied to an argument's head, the rest of a dotted path kept: `conditions.value` -> `--condition value`."""

    def name(parameter: str) -> str:
        head, _, part = parameter.partition(".")
        return rename(head) + (f".{part}" if part else "")

    return name


PYTHON = Door(
    name="python",
    argument=lambda name: name,
    assign=lambda name, value: f"{name}={value!r}",
    switch_on=lambda name: f"set {name}=True",
    exact_name="""a model_name in double quotes ('"my-model"')""",
    sources=(Source("explicit"), Source("program config"), Source("environment")),
)

SCHEMA = Door(
    name="schema",
    argument=_dotted(camel),
    assign=lambda name, value: f"{camel(name)} {value}",
    switch_on=lambda name: f"set {camel(name)}",
    exact_name="a modelName in double quotes",
    sources=(Source("plugin config"), Source("environment")),
)

#: Argument name (as `InvalidQuery.parameter` gives it) -> the flag that sets it.
FLAG_OF: dict[str, str] = {a.name: a.flag for a in ARGUMENTS if a.flag} | {"exact_name": "--exact-name", "state": "--state"}


def _flag(parameter: str) -> str:
    """An argument by its flag: `conditions.value` -> `--condition value`."""
    head, _, part = parameter.partition(".")
    return FLAG_OF.get(head, head) + (f" {part}" if part else "")


CLI = Door(
    name="cli",
    argument=_flag,
    assign=lambda name, value: f"{_flag(name)} {value}",
    switch_on=lambda name: f"add {_flag(name)}",
    exact_name="--exact-name NAME",
    sources=(Source("flags"), Source("environment")),
)

POLICY = Door(
    name="policy",
    argument=lambda name: name,
    assign=lambda name, value: f"{name} {value}",
    switch_on=lambda name: f"set {name}",
    exact_name="an exact name",
    sources=(Source("pack config"), Source("environment")),
)

#: Every door, by name.
DOORS = {door.name: door for door in (PYTHON, SCHEMA, CLI, POLICY)}
