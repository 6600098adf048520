"""Request parameters: a ListModels or ListModelVersions query, read and validated (moto's ``responses.py`` role).

:mod:`.server` decodes the query string into a mapping (``+`` is a space, escapes checked); this module
turns that mapping into a :class:`ListModelsQuery` or :class:`ListModelVersionsQuery`, or raises
:class:`~.errors.InvalidParameter` naming the parameter. What each field then matches is
:mod:`.predicates`; sorting and paging are :mod:`.catalog`.

Rules
-----
- A parameter sent empty (``Label=``) counts as absent.
- Parameters not named here are accepted and ignored, not rejected: real clients send some. Alibaba's
  PAI Python SDK (``alipai``) sends ``LabelString`` and ``Labels`` on ListModels, which the API reference
  does not list and whose effect on real PAI is unknown; the emulator ignores both.
- ``PageNumber``: an integer >= 1 (default 1). ``PageSize``: an integer 1..100 (default 10). Digits only.
  A page past the end is not an error (see :mod:`.catalog`).
- ``SortBy``: only ``GmtCreateTime`` (the default). ``Order``: ``ASC`` (default) or ``DESC``, any case.
- ``Collections``: comma-separated names, blanks dropped.
- ``Tag``: a JSON list ``[{"Key": k, "Value": v}, ...]``; ``Key`` a non-empty string, ``Value`` a string
  or left out.
- ``Conditions``: a JSON list ``[{"Column": c, "Operator": op, "Value": v}, ...]``; ``Column`` one of
  :data:`CONDITION_COLUMNS`, ``Operator`` one of :data:`CONDITION_OPERATORS`, ``Value`` a string or a
  finite number.
- Malformed JSON, a wrong shape, an unknown field, Column or Operator: ``InvalidParameter`` (HTTP 400).
"""

from __future__ import annotations

import json
import math
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .errors import InvalidParameter

__all__ = [
    "COMPARISONS",
    "CONDITION_COLUMNS",
    "CONDITION_OPERATORS",
    "DEFAULT_PAGE_SIZE",
    "MAX_PAGE_SIZE",
    "Condition",
    "ListModelVersionsQuery",
    "ListModelsQuery",
    "Paging",
]

DEFAULT_PAGE_SIZE = 10
MAX_PAGE_SIZE = 100
_SORT_KEYS = frozenset({"GmtCreateTime"})

#: Model fields a ``Conditions`` entry may name.
CONDITION_COLUMNS = frozenset(
    {
        "ModelId",
        "ModelName",
        "ModelDescription",
        "ModelDoc",
        "ModelType",
        "Domain",
        "Task",
        "Origin",
        "Provider",
        "Accessibility",
        "WorkspaceId",
        "UserId",
        "OwnerId",
        "ParameterSize",
        "OrderNumber",
        "GmtCreateTime",
        "GmtModifiedTime",
        "GmtLatestVersionModifiedTime",
    }
)

#: The operators a ``Conditions`` entry may use, and the comparison each one names.
COMPARISONS: Mapping[str, Callable[[Any, Any], bool]] = {
    "Equal": operator.eq,
    "NotEqual": operator.ne,
    "LessThan": operator.lt,
    "LessThanOrEqual": operator.le,
    "GreaterThan": operator.gt,
    "GreaterThanOrEqual": operator.ge,
}
#: Operators a ``Conditions`` entry may use.
CONDITION_OPERATORS = frozenset(COMPARISONS)


def _param(params: Mapping[str, str], name: str) -> str | None:
    """A parameter's value; empty counts as absent."""
    value = params.get(name)
    return value if value else None


def _parse_int(params: Mapping[str, str], name: str, default: int, low: int, high: int | None) -> int:
    raw = _param(params, name)
    if raw is None:
        return default
    bound = f"between {low} and {high}" if high is not None else f"at least {low}"
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 18:
        raise InvalidParameter(f"{name} must be an integer {bound}, got {raw!r}.")
    value = int(raw)
    if value < low or (high is not None and value > high):
        raise InvalidParameter(f"{name} must be an integer {bound}, got {raw!r}.")
    return value


@dataclass(frozen=True)
class Paging:
    """What every list call shares: the order and the page asked for."""

    page_number: int = 1
    page_size: int = DEFAULT_PAGE_SIZE
    order: str = "ASC"
    sort_by: str = "GmtCreateTime"

    @classmethod
    def from_params(cls, params: Mapping[str, str]) -> Paging:
        """Validate PageNumber, PageSize, SortBy and Order; raises :class:`InvalidParameter`."""
        sort_by = _param(params, "SortBy") or "GmtCreateTime"
        if sort_by not in _SORT_KEYS:
            raise InvalidParameter(f"SortBy must be one of {', '.join(sorted(_SORT_KEYS))}, got {sort_by!r}.")
        order = (_param(params, "Order") or "ASC").upper()
        if order not in ("ASC", "DESC"):
            raise InvalidParameter(f"Order must be ASC or DESC, got {params.get('Order')!r}.")
        return cls(
            page_number=_parse_int(params, "PageNumber", 1, 1, None),
            page_size=_parse_int(params, "PageSize", DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE),
            order=order,
            sort_by=sort_by,
        )


@dataclass(frozen=True)
class Condition:
    """One ``Conditions`` entry (``value`` as a string; a number arrives as its JSON text)."""

    column: str
    operator: str
    value: str


def _parse_json_list(params: Mapping[str, str], name: str, shape: str) -> list[dict[str, Any]]:
    raw = params.get(name)
    if raw is None or raw == "":
        return []
    try:
        items = json.loads(raw)
    except (ValueError, RecursionError):
        raise InvalidParameter(f"{name} must be a JSON list like {shape}, got malformed JSON {raw[:200]!r}.") from None
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise InvalidParameter(f"{name} must be a JSON list of objects like {shape}, got {raw[:200]!r}.")
    return items


def _parse_tags(params: Mapping[str, str]) -> tuple[tuple[str, str | None], ...]:
    shape = '[{"Key":"env","Value":"prod"}]'
    tags = []
    for i, item in enumerate(_parse_json_list(params, "Tag", shape)):
        unknown = set(item) - {"Key", "Value"}
        if unknown:
            raise InvalidParameter(f"Tag[{i}] has unknown field(s) {', '.join(sorted(unknown))}; expected {shape}.")
        key, value = item.get("Key"), item.get("Value")
        if not isinstance(key, str) or not key:
            raise InvalidParameter(f"Tag[{i}].Key must be a non-empty string; expected {shape}.")
        if value is not None and not isinstance(value, str):
            raise InvalidParameter(f"Tag[{i}].Value must be a string; expected {shape}.")
        tags.append((key, value))
    return tuple(tags)


def _parse_conditions(params: Mapping[str, str]) -> tuple[Condition, ...]:
    shape = '[{"Column":"ParameterSize","Operator":"LessThan","Value":"3000"}]'
    conditions = []
    for i, item in enumerate(_parse_json_list(params, "Conditions", shape)):
        unknown = set(item) - {"Column", "Operator", "Value"}
        if unknown:
            raise InvalidParameter(f"Conditions[{i}] has unknown field(s) {', '.join(sorted(unknown))}; expected {shape}.")
        column, op, value = item.get("Column"), item.get("Operator"), item.get("Value")
        if not isinstance(column, str) or column not in CONDITION_COLUMNS:
            raise InvalidParameter(
                f"Conditions[{i}].Column {column!r} is not a known column; use one of {', '.join(sorted(CONDITION_COLUMNS))}."
            )
        if not isinstance(op, str) or op not in CONDITION_OPERATORS:
            raise InvalidParameter(
                f"Conditions[{i}].Operator {op!r} is not known; use one of {', '.join(sorted(CONDITION_OPERATORS))}."
            )
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise InvalidParameter(f"Conditions[{i}].Value must be a string (or a number); expected {shape}.")
        if isinstance(value, float) and not math.isfinite(value):
            raise InvalidParameter(f"Conditions[{i}].Value must be a finite number.")
        conditions.append(Condition(column, op, value if isinstance(value, str) else json.dumps(value)))
    return tuple(conditions)


@dataclass(frozen=True)
class ListModelsQuery:
    """A validated ListModels request."""

    paging: Paging = Paging()
    workspace_id: str | None = None
    model_name: str | None = None
    label: str | None = None
    provider: str | None = None
    domain: str | None = None
    task: str | None = None
    origin: str | None = None
    query: str | None = None
    model_type: str | None = None
    collections: tuple[str, ...] = ()
    tags: tuple[tuple[str, str | None], ...] = ()
    conditions: tuple[Condition, ...] = ()

    @classmethod
    def from_params(cls, params: Mapping[str, str]) -> ListModelsQuery:
        """Validate decoded query parameters; raises :class:`InvalidParameter`."""
        collections = _param(params, "Collections") or ""
        return cls(
            paging=Paging.from_params(params),
            workspace_id=_param(params, "WorkspaceId"),
            model_name=_param(params, "ModelName"),
            label=_param(params, "Label"),
            provider=_param(params, "Provider"),
            domain=_param(params, "Domain"),
            task=_param(params, "Task"),
            origin=_param(params, "Origin"),
            query=_param(params, "Query"),
            model_type=_param(params, "ModelType"),
            collections=tuple(c.strip() for c in collections.split(",") if c.strip()),
            tags=_parse_tags(params),
            conditions=_parse_conditions(params),
        )


@dataclass(frozen=True)
class ListModelVersionsQuery:
    """A validated ListModelVersions request."""

    paging: Paging = Paging()
    equals: tuple[tuple[str, str], ...] = ()
    label: str | None = None

    #: Version fields matched by equality, each a parameter of the same name.
    EQUALITY_FIELDS = ("ApprovalStatus", "VersionName", "FormatType", "FrameworkType", "SourceId", "SourceType")

    @classmethod
    def from_params(cls, params: Mapping[str, str]) -> ListModelVersionsQuery:
        """Validate decoded query parameters; raises :class:`InvalidParameter`."""
        equals = tuple((f, v) for f in cls.EQUALITY_FIELDS if (v := _param(params, f)) is not None)
        return cls(paging=Paging.from_params(params), equals=equals, label=_param(params, "Label"))
