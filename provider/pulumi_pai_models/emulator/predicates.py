"""What a lookup matches: one small predicate per filter, composed per request (no HTTP, no state).

ListModels (the documented semantics of this emulator; all given filters must hold)
-----------------------------------------------------------------------------------
- ``Provider``: absent or empty lists only models without a Provider (the caller's own models); set,
  only the public models whose Provider equals it.
- ``WorkspaceId``: narrows the caller's own models only, by equality (case-sensitive). Public models
  (those with a Provider) are listed whatever it says: Alibaba's PAI Python SDK (``alipai``) sends its
  session's WorkspaceId on every call, public-model lookups included, and real PAI answers those with
  the public models.
- ``ModelName``: case-insensitive substring of the model name; wrapped in double quotes
  (``"qwen-7b"``, the convention of Alibaba's PAI SDK) it is an exact, case-sensitive match.
- ``Label``: substring (case-sensitive) of any model label key or label value.
- ``Query``: case-insensitive substring of ModelName, Domain, Task, or any label key or value.
- ``Domain``, ``Task``, ``Origin``, ``ModelType``: equality (case-sensitive).
- ``Collections``: a model matches if its ``Collections`` has any of the names.
- ``Tag``: every pair must be among the model's ``Tags``; a pair without ``Value`` asks only that
  the tag key exists.
- ``Conditions``: every condition must hold. When the model's value and ``Value`` both are numbers
  (or numeric strings) they compare as numbers, otherwise as strings. A model lacking the field
  does not match.

ListModelVersions
-----------------
``ApprovalStatus``, ``VersionName``, ``FormatType``, ``FrameworkType``, ``SourceId``, ``SourceType``:
equality. ``Label``: substring of any version label key or value.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from .params import COMPARISONS, Condition, ListModelsQuery, ListModelVersionsQuery

__all__ = [
    "Predicate",
    "condition_holds",
    "field_equals",
    "has_tags",
    "in_any_collection",
    "label_contains",
    "model_name_matches",
    "model_predicates",
    "provider_is",
    "query_matches",
    "version_predicates",
    "workspace_is",
]

Predicate = Callable[[Mapping[str, Any]], bool]


def _pairs(obj: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    pairs: list[Mapping[str, Any]] = obj.get(key) or []
    return pairs


def _label_strings(obj: Mapping[str, Any]) -> Iterable[str]:
    for pair in _pairs(obj, "Labels"):
        yield pair.get("Key") or ""
        yield pair.get("Value") or ""


def field_equals(name: str, value: str) -> Predicate:
    """The field equals ``value``."""
    return lambda obj: bool(obj.get(name) == value)


def label_contains(text: str) -> Predicate:
    """Some label key or value contains ``text``."""
    return lambda obj: any(text in s for s in _label_strings(obj))


def model_name_matches(pattern: str) -> Predicate:
    """Case-insensitive substring, or exact when wrapped in double quotes."""
    if len(pattern) >= 2 and pattern.startswith('"') and pattern.endswith('"'):
        exact = pattern[1:-1]
        return lambda m: (m.get("ModelName") or "") == exact
    needle = pattern.casefold()
    return lambda m: needle in (m.get("ModelName") or "").casefold()


def query_matches(text: str) -> Predicate:
    """Case-insensitive substring of ModelName, Domain, Task or a label key/value."""
    needle = text.casefold()

    def pred(m: Mapping[str, Any]) -> bool:
        fields = [m.get("ModelName"), m.get("Domain"), m.get("Task"), *_label_strings(m)]
        return any(needle in f.casefold() for f in fields if isinstance(f, str))

    return pred


def provider_is(provider: str | None) -> Predicate:
    """Public models of ``provider``, or the caller's own models when it is None."""
    if provider is None:
        return lambda m: not m.get("Provider")
    return lambda m: m.get("Provider") == provider


def workspace_is(workspace_id: str) -> Predicate:
    """An own model in ``workspace_id``, or any public model (one with a Provider): WorkspaceId does not hide those."""
    return lambda m: bool(m.get("Provider")) or m.get("WorkspaceId") == workspace_id


def in_any_collection(names: Sequence[str]) -> Predicate:
    """The model belongs to at least one of ``names``."""
    wanted = set(names)
    return lambda m: bool(wanted.intersection(m.get("Collections") or ()))


def has_tags(tags: Sequence[tuple[str, str | None]]) -> Predicate:
    """Every (key, value) pair is among the model's Tags (value None: the key exists)."""

    def pred(m: Mapping[str, Any]) -> bool:
        have = [(t.get("Key"), t.get("Value")) for t in _pairs(m, "Tags")]
        return all(any(k == key and (value is None or v == value) for k, v in have) for key, value in tags)

    return pred


_NUMBER_RE = re.compile(r"^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$")


def _as_number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, str) and _NUMBER_RE.match(value):
        number = float(value)
        return number if math.isfinite(number) else None
    return None


def condition_holds(condition: Condition) -> Predicate:
    """The model's ``condition.column`` compares to ``condition.value`` as asked."""
    compare = COMPARISONS[condition.operator]
    wanted_number = _as_number(condition.value)

    def pred(m: Mapping[str, Any]) -> bool:
        have = m.get(condition.column)
        if have is None or isinstance(have, bool) or not isinstance(have, (str, int, float)):
            return False
        have_number = _as_number(have)
        if have_number is not None and wanted_number is not None:
            return compare(have_number, wanted_number)
        return compare(have if isinstance(have, str) else json.dumps(have), condition.value)

    return pred


def model_predicates(q: ListModelsQuery) -> list[Predicate]:
    """The filters a ListModels request asks for."""
    preds = [provider_is(q.provider)]
    if q.workspace_id is not None:
        preds.append(workspace_is(q.workspace_id))
    for name, value in (("Domain", q.domain), ("Task", q.task), ("Origin", q.origin), ("ModelType", q.model_type)):
        if value is not None:
            preds.append(field_equals(name, value))
    if q.model_name is not None:
        preds.append(model_name_matches(q.model_name))
    if q.label is not None:
        preds.append(label_contains(q.label))
    if q.query is not None:
        preds.append(query_matches(q.query))
    if q.collections:
        preds.append(in_any_collection(q.collections))
    if q.tags:
        preds.append(has_tags(q.tags))
    preds.extend(condition_holds(c) for c in q.conditions)
    return preds


def version_predicates(q: ListModelVersionsQuery) -> list[Predicate]:
    """The filters a ListModelVersions request asks for."""
    preds = [field_equals(name, value) for name, value in q.equals]
    if q.label is not None:
        preds.append(label_contains(q.label))
    return preds
