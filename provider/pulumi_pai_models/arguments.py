"""A lookup's arguments, parsed once: what is asked, how one model and version are picked, and rollout control.

Every front door builds one `LookupArguments` from what its user wrote (keyword arguments, a resource's
inputs, an invoke's arguments, flags) with `LookupArguments.parse`, and hands it on; nothing downstream
parses again. The same values mean the same thing in every door: among them, a tag whose value is None
(null in YAML, JSON or the state) is no filter, as Pulumi drops a null map value on its way to a provider,
so `tags={"env": "prod", "team": None}` asks for `env=prod` alone everywhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .contract import QUERY, RESOURCE_ONLY, SELECTION, arguments
from .errors import InvalidQuery
from .query import ModelQuery
from .selection import Selection

__all__ = ["ARGUMENT_NAMES", "LookupArguments"]

#: Every argument of a lookup, query, selection and rollout control, in declaration order.
ARGUMENT_NAMES = tuple(a.name for a in arguments(QUERY, SELECTION, RESOURCE_ONLY))
_QUERY = tuple(a.name for a in arguments(QUERY))
_SELECTION = tuple(a.name for a in arguments(SELECTION))


@dataclass(frozen=True)
class LookupArguments:
    """A lookup's validated arguments; equal arguments are equal values (and share one answer)."""

    query: ModelQuery
    selection: Selection
    #: Keep the first resolution until `pulumi up --replace` or a change of `keepers` (ModelLookup only).
    lock: bool = False
    #: Values whose change resolves a locked lookup afresh (ModelLookup only), sorted by key.
    keepers: tuple[tuple[str, str], ...] = ()

    @classmethod
    def parse(cls, values: Mapping[str, Any]) -> LookupArguments:
        """Validate what a door was given, by argument name (None is unset; other keys are ignored); raises `InvalidQuery`."""
        given = {k: v for k, v in values.items() if k in ARGUMENT_NAMES and v is not None}
        query = ModelQuery.build(**{k: v for k, v in given.items() if k in _QUERY})
        selection = Selection.build(**{k: v for k, v in given.items() if k in _SELECTION})
        lock = given.get("lock", False)
        if not isinstance(lock, bool):
            raise InvalidQuery("lock", f"expected true or false, got {type(lock).__name__}")
        keepers = given.get("keepers", {})
        if not (isinstance(keepers, Mapping) and all(isinstance(k, str) for k in keepers)):
            raise InvalidQuery("keepers", f"expected a map of names to values, got {type(keepers).__name__}", "e.g. {'release': '2024-06'}")
        return cls(query, selection, lock, tuple(sorted((k, str(v)) for k, v in keepers.items() if v is not None)))
