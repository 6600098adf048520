"""The emulator's backend: a catalog of PAI models and the lookups over it (no HTTP here).

Catalog format
--------------
A catalog is JSON in the ListModels response shape, ``{"Models": [Model, ...]}``; other top-level
keys (``RequestId``, ``TotalCount``) are ignored, so a captured ListModels response loads as it is.
A model may carry ``"Versions": [ModelVersion, ...]`` (same shape as ``LatestVersion``) and
``"Collections": ["name", ...]``. Then:

- A model with ``Versions`` has as ``LatestVersion`` the version with the newest ``GmtCreateTime``
  (ties: the highest ``VersionName``, compared naturally so ``0.10.0`` > ``0.9.0``); any
  ``LatestVersion`` written in the catalog is replaced. ``"Versions": []`` means no version at all.
- A model without ``Versions`` has its ``LatestVersion`` (if any) as its only version.
- ``Versions`` is never sent in ListModels or GetModel answers (PAI has no such field).

Checked on load: ``ModelId`` is a non-empty string, unique; ``VersionName`` likewise within a model;
times (``GmtCreateTime``) parse as ISO 8601 (no zone means UTC); ``Labels``/``Tags`` are lists of
``{"Key": str, "Value": str}``; ``Collections`` is a list of strings. A bad catalog raises
:class:`CatalogError` naming the offending item.

ListModels filter semantics (the documented semantics of this emulator)
-----------------------------------------------------------------------
A parameter sent empty (``Label=``) counts as absent. All given filters must hold.

- ``ModelName``: case-insensitive substring of the model name; wrapped in double quotes
  (``"qwen-7b"``, the convention of Alibaba's PAI SDK) it is an exact, case-sensitive match.
- ``Label``: substring (case-sensitive) of any model label key or label value.
- ``Query``: case-insensitive substring of ModelName, Domain, Task, or any label key or value.
- ``Provider``: absent or empty returns only models without a Provider (the caller's own models);
  set, only models whose Provider equals it.
- ``WorkspaceId``, ``Domain``, ``Task``, ``Origin``, ``ModelType``: equality (case-sensitive).
- ``Collections``: comma-separated names; a model matches if its ``Collections`` has any of them.
- ``Tag``: a JSON list ``[{"Key": k, "Value": v}, ...]``; every pair must be among the model's
  ``Tags``. A pair without ``Value`` asks only that the tag key exists.
- ``Conditions``: a JSON list ``[{"Column": c, "Operator": op, "Value": v}, ...]``; every
  condition must hold. ``Column`` is one of :data:`CONDITION_COLUMNS`; ``Operator`` one of
  :data:`CONDITION_OPERATORS`. When the model's value and ``Value`` both are numbers (or numeric
  strings) they compare as numbers, otherwise as strings. A model lacking the field does not match.
- Unknown Column or Operator, malformed Tag/Conditions JSON or a wrong shape: ``InvalidParameter``
  (HTTP 400) naming the parameter.

Sorting and paging (ListModels and ListModelVersions)
-----------------------------------------------------
- ``SortBy``: only ``GmtCreateTime`` (the default); anything else is ``InvalidParameter``.
- ``Order``: ``ASC`` (default) or ``DESC``, case-insensitive; anything else is ``InvalidParameter``.
- Ties are broken by ``ModelId`` ascending (versions: ``VersionName`` ascending, compared naturally),
  in both orders. A missing ``GmtCreateTime`` sorts as the oldest.
- ``PageNumber``: integer >= 1 (default 1). ``PageSize``: integer 1..100 (default 10). Digits only.
  A page past the end has no items and the full ``TotalCount``.

ListModelVersions filter semantics
----------------------------------
``ApprovalStatus``, ``VersionName``, ``FormatType``, ``FrameworkType``, ``SourceId``,
``SourceType``: equality. ``Label``: substring of any version label key or value.
Unknown parameters are ignored, as PAI does.

Thread safety: a :class:`Catalog` holds an immutable snapshot that :meth:`Catalog.replace` swaps
atomically under a lock; a lookup works on the snapshot it started with.
"""

from __future__ import annotations

import copy
import json
import math
import os
import re
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from typing import Any

from .errors import InvalidParameter, ModelNotFound, ModelVersionNotFound

__all__ = [
    "CONDITION_COLUMNS",
    "CONDITION_OPERATORS",
    "DEFAULT_PAGE_SIZE",
    "MAX_PAGE_SIZE",
    "Catalog",
    "CatalogError",
    "Condition",
    "ListModelVersionsQuery",
    "ListModelsQuery",
    "load_catalog_source",
]

DEFAULT_PAGE_SIZE = 10
MAX_PAGE_SIZE = 100

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

_OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "Equal": lambda a, b: a == b,
    "NotEqual": lambda a, b: a != b,
    "LessThan": lambda a, b: a < b,
    "LessThanOrEqual": lambda a, b: a <= b,
    "GreaterThan": lambda a, b: a > b,
    "GreaterThanOrEqual": lambda a, b: a >= b,
}
#: Operators a ``Conditions`` entry may use.
CONDITION_OPERATORS = frozenset(_OPERATORS)

Predicate = Callable[[Mapping[str, Any]], bool]


class CatalogError(InvalidParameter, ValueError):
    """The catalog JSON is not a valid catalog."""


# --------------------------------------------------------------------------- loading and checks

_TIME_RE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?"
    r"(Z|[+-]\d{2}:?\d{2})?$"
)
_OLDEST = datetime.min.replace(tzinfo=timezone.utc)


def _parse_time(value: str) -> datetime:
    m = _TIME_RE.match(value.strip())
    if not m:
        raise ValueError(value)
    year, month, day, hour, minute, second = (int(g) for g in m.groups()[:6])
    frac = m.group(7) or "0"
    micro = int((frac + "000000")[:6])
    zone = m.group(8)
    tz = timezone.utc
    if zone and zone != "Z":
        sign = 1 if zone[0] == "+" else -1
        digits = zone[1:].replace(":", "")
        tz = timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
    return datetime(year, month, day, hour, minute, second, micro, tzinfo=tz)


def _natural_key(text: str) -> tuple:
    """Sort key comparing digit runs as numbers: ``0.9.0`` < ``0.10.0``."""
    return tuple((0, int(part), part) if part.isdigit() else (1, 0, part) for part in re.split(r"(\d+)", text) if part)


def load_catalog_source(source: Mapping[str, Any] | str | os.PathLike[str]) -> Mapping[str, Any]:
    """Catalog data from a mapping (returned as is) or a path to a JSON file."""
    if isinstance(source, Mapping):
        return source
    if isinstance(source, (str, os.PathLike)):
        try:
            with open(source, encoding="utf-8") as fh:
                data = json.load(fh)
        except OSError as exc:
            raise CatalogError(f"Cannot read catalog file {os.fspath(source)!r}: {exc.strerror or exc}") from exc
        except (ValueError, RecursionError) as exc:
            raise CatalogError(f"Catalog file {os.fspath(source)!r} is not valid JSON: {exc}") from exc
        if not isinstance(data, Mapping):
            raise CatalogError(f"Catalog file {os.fspath(source)!r} must hold a JSON object {{\"Models\": [...]}}.")
        return data
    raise CatalogError(f"A catalog is a mapping or a path to a JSON file, not {type(source).__name__}.")


def _check_str(value: Any, where: str, *, required: bool = False, nonempty: bool = False) -> None:
    if value is None:
        if required:
            raise CatalogError(f"{where} is required.")
        return
    if not isinstance(value, str):
        raise CatalogError(f"{where} must be a string, not {type(value).__name__}.")
    if nonempty and not value:
        raise CatalogError(f"{where} must not be empty.")


def _check_time(obj: Mapping[str, Any], key: str, where: str) -> datetime | None:
    value = obj.get(key)
    if value is None:
        return None
    _check_str(value, f"{where}.{key}")
    try:
        return _parse_time(value)
    except ValueError:
        raise CatalogError(f"{where}.{key} {value!r} is not an ISO 8601 time like 2021-01-21T17:12:35Z.") from None


def _check_pairs(obj: Mapping[str, Any], key: str, where: str) -> None:
    pairs = obj.get(key)
    if pairs is None:
        return
    if not isinstance(pairs, list):
        raise CatalogError(f"{where}.{key} must be a list of {{\"Key\", \"Value\"}} objects.")
    for i, pair in enumerate(pairs):
        if not isinstance(pair, Mapping):
            raise CatalogError(f"{where}.{key}[{i}] must be an object with Key and Value.")
        _check_str(pair.get("Key"), f"{where}.{key}[{i}].Key", required=True)
        _check_str(pair.get("Value"), f"{where}.{key}[{i}].Value")


def _check_version(version: Any, where: str) -> datetime | None:
    if not isinstance(version, Mapping):
        raise CatalogError(f"{where} must be an object.")
    _check_str(version.get("VersionName"), f"{where}.VersionName", required=True, nonempty=True)
    for key in ("ApprovalStatus", "FormatType", "FrameworkType", "SourceId", "SourceType", "Uri"):
        _check_str(version.get(key), f"{where}.{key}")
    _check_pairs(version, "Labels", where)
    _check_time(version, "GmtModifiedTime", where)
    return _check_time(version, "GmtCreateTime", where)


@dataclass(frozen=True)
class _Entry:
    """One model of a snapshot. Treat every dict in here as read-only."""

    model_id: str
    created: datetime
    public: dict[str, Any]  # as answered: computed LatestVersion, no Versions
    source: dict[str, Any]  # as exported: public + Versions when the catalog had them
    versions: tuple[tuple[datetime, dict[str, Any]], ...]
    versions_by_name: dict[str, dict[str, Any]]


@dataclass(frozen=True)
class _Snapshot:
    entries: tuple[_Entry, ...] = ()
    by_id: dict[str, _Entry] = field(default_factory=dict)
    #: Filtered and sorted ListModels results of this snapshot, by query without its page: paging a
    #: large catalog then slices instead of filtering and sorting it again for every page.
    listings: dict[Any, list[_Entry]] = field(default_factory=dict, compare=False)


def _build_entry(raw: Any, where: str) -> _Entry:
    if not isinstance(raw, Mapping):
        raise CatalogError(f"{where} must be an object.")
    model = copy.deepcopy(dict(raw))
    _check_str(model.get("ModelId"), f"{where}.ModelId", required=True, nonempty=True)
    where = f"{where} ({model['ModelId']})"
    for key in ("ModelName", "Provider", "Domain", "Task", "Origin", "ModelType", "WorkspaceId"):
        _check_str(model.get(key), f"{where}.{key}")
    _check_pairs(model, "Labels", where)
    _check_pairs(model, "Tags", where)
    collections = model.get("Collections")
    if collections is not None and (
        not isinstance(collections, list) or not all(isinstance(c, str) for c in collections)
    ):
        raise CatalogError(f"{where}.Collections must be a list of strings.")
    created = _check_time(model, "GmtCreateTime", where) or _OLDEST
    _check_time(model, "GmtModifiedTime", where)

    has_versions = "Versions" in model and model["Versions"] is not None
    if has_versions:
        raw_versions = model.pop("Versions")
        if not isinstance(raw_versions, list):
            raise CatalogError(f"{where}.Versions must be a list of ModelVersion objects.")
        versions = []
        for i, version in enumerate(raw_versions):
            versions.append(((_check_version(version, f"{where}.Versions[{i}]") or _OLDEST), version))
        model.pop("LatestVersion", None)
        if versions:
            latest = max(versions, key=lambda tv: (tv[0], _natural_key(tv[1]["VersionName"])))
            model["LatestVersion"] = copy.deepcopy(latest[1])
    else:
        model.pop("Versions", None)
        latest_version = model.get("LatestVersion")
        if latest_version is None:
            model.pop("LatestVersion", None)
            versions = []
        else:
            versions = [((_check_version(latest_version, f"{where}.LatestVersion") or _OLDEST), latest_version)]

    by_name: dict[str, dict[str, Any]] = {}
    for _, version in versions:
        name = version["VersionName"]
        if name in by_name:
            raise CatalogError(f"{where} has two versions named {name!r}.")
        by_name[name] = version

    source = dict(model)
    if has_versions:
        source["Versions"] = [v for _, v in versions]
    return _Entry(
        model_id=model["ModelId"],
        created=created,
        public=model,
        source=source,
        versions=tuple(versions),
        versions_by_name=by_name,
    )


def _build_snapshot(data: Any) -> _Snapshot:
    if not isinstance(data, Mapping):
        raise CatalogError('A catalog must be a JSON object {"Models": [...]}.')
    models = data.get("Models")
    if not isinstance(models, list):
        raise CatalogError('A catalog must have "Models", a list of model objects.')
    entries = []
    by_id: dict[str, _Entry] = {}
    for i, raw in enumerate(models):
        entry = _build_entry(raw, f"Models[{i}]")
        if entry.model_id in by_id:
            raise CatalogError(f"Models[{i}]: ModelId {entry.model_id!r} appears twice.")
        by_id[entry.model_id] = entry
        entries.append(entry)
    return _Snapshot(tuple(entries), by_id)


# --------------------------------------------------------------------------- request parameters


def _param(params: Mapping[str, str], name: str) -> str | None:
    """A parameter's value; empty counts as absent."""
    value = params.get(name)
    return value if value else None


def _parse_int(params: Mapping[str, str], name: str, default: int, low: int, high: int | None) -> int:
    raw = _param(params, name)
    if raw is None:
        return default
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 18:
        bound = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise InvalidParameter(f"{name} must be an integer {bound}, got {raw!r}.")
    value = int(raw)
    if value < low or (high is not None and value > high):
        bound = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise InvalidParameter(f"{name} must be an integer {bound}, got {raw!r}.")
    return value


@dataclass(frozen=True)
class _Paging:
    """What every list call shares: sorting and paging."""

    page_number: int = 1
    page_size: int = DEFAULT_PAGE_SIZE
    order: str = "ASC"
    sort_by: str = "GmtCreateTime"

    @classmethod
    def from_params(cls, params: Mapping[str, str]) -> _Paging:
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

    def apply(self, items: Sequence[Any], created: Callable[[Any], datetime], tie: Callable[[Any], Any]) -> tuple[int, list[Any]]:
        """Sort ``items`` and return (total, the requested page)."""
        return self.page(self.sort(items, created, tie))

    def sort(self, items: Sequence[Any], created: Callable[[Any], datetime], tie: Callable[[Any], Any]) -> list[Any]:
        """``items`` in this request's order."""
        ordered = sorted(items, key=tie)
        ordered.sort(key=created, reverse=self.order == "DESC")  # stable: ties keep ascending order
        return ordered

    def page(self, ordered: Sequence[Any]) -> tuple[int, list[Any]]:
        """(total, the requested page) of already ordered items."""
        start = (self.page_number - 1) * self.page_size
        return len(ordered), list(ordered[start : start + self.page_size])


_SORT_KEYS = frozenset({"GmtCreateTime"})
_LISTINGS_KEPT = 64  # sorted listings cached per catalog snapshot


@dataclass(frozen=True)
class Condition:
    """One ``Conditions`` entry."""

    column: str
    operator: str
    value: str


def _parse_json_list(params: Mapping[str, str], name: str, shape: str) -> list[Mapping[str, Any]] | None:
    raw = params.get(name)
    if raw is None or raw == "":
        return None
    try:
        items = json.loads(raw)
    except (ValueError, RecursionError):
        raise InvalidParameter(f"{name} must be a JSON list like {shape}, got malformed JSON {raw[:200]!r}.") from None
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise InvalidParameter(f"{name} must be a JSON list of objects like {shape}, got {raw[:200]!r}.")
    return items


def _parse_tags(params: Mapping[str, str]) -> tuple[tuple[str, str | None], ...]:
    shape = '[{"Key":"env","Value":"prod"}]'
    items = _parse_json_list(params, "Tag", shape) or []
    tags = []
    for i, item in enumerate(items):
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
    items = _parse_json_list(params, "Conditions", shape) or []
    conditions = []
    for i, item in enumerate(items):
        unknown = set(item) - {"Column", "Operator", "Value"}
        if unknown:
            raise InvalidParameter(f"Conditions[{i}] has unknown field(s) {', '.join(sorted(unknown))}; expected {shape}.")
        column, operator, value = item.get("Column"), item.get("Operator"), item.get("Value")
        if column not in CONDITION_COLUMNS:
            raise InvalidParameter(
                f"Conditions[{i}].Column {column!r} is not a known column; use one of {', '.join(sorted(CONDITION_COLUMNS))}."
            )
        if operator not in CONDITION_OPERATORS:
            raise InvalidParameter(
                f"Conditions[{i}].Operator {operator!r} is not known; use one of {', '.join(sorted(CONDITION_OPERATORS))}."
            )
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise InvalidParameter(f"Conditions[{i}].Value must be a string (or a number); expected {shape}.")
        if isinstance(value, float) and not math.isfinite(value):
            raise InvalidParameter(f"Conditions[{i}].Value must be a finite number.")
        conditions.append(Condition(column, operator, value if isinstance(value, str) else json.dumps(value)))
    return tuple(conditions)


@dataclass(frozen=True)
class ListModelsQuery:
    """A validated ListModels request."""

    paging: _Paging = _Paging()
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
            paging=_Paging.from_params(params),
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

    paging: _Paging = _Paging()
    equals: tuple[tuple[str, str], ...] = ()
    label: str | None = None

    EQUALITY_FIELDS = ("ApprovalStatus", "VersionName", "FormatType", "FrameworkType", "SourceId", "SourceType")

    @classmethod
    def from_params(cls, params: Mapping[str, str]) -> ListModelVersionsQuery:
        """Validate decoded query parameters; raises :class:`InvalidParameter`."""
        equals = tuple((f, v) for f in cls.EQUALITY_FIELDS if (v := _param(params, f)) is not None)
        return cls(paging=_Paging.from_params(params), equals=equals, label=_param(params, "Label"))


# --------------------------------------------------------------------------- predicates


def _pairs(obj: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    return obj.get(key) or []


def _label_strings(obj: Mapping[str, Any]) -> Iterable[str]:
    for pair in _pairs(obj, "Labels"):
        yield pair.get("Key") or ""
        yield pair.get("Value") or ""


def field_equals(name: str, value: str) -> Predicate:
    """The field equals ``value``."""
    return lambda obj: obj.get(name) == value


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
    compare = _OPERATORS[condition.operator]
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
    for name, value in (
        ("WorkspaceId", q.workspace_id),
        ("Domain", q.domain),
        ("Task", q.task),
        ("Origin", q.origin),
        ("ModelType", q.model_type),
    ):
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


# --------------------------------------------------------------------------- the catalog


class Catalog:
    """The models the emulator serves; thread-safe, replaced atomically."""

    def __init__(self, data: Mapping[str, Any] | str | os.PathLike[str] | None = None) -> None:
        self._lock = threading.Lock()
        self._snapshot = _build_snapshot(load_catalog_source(data) if data is not None else {"Models": []})

    def _current(self) -> _Snapshot:
        with self._lock:
            return self._snapshot

    def replace(self, data: Mapping[str, Any] | str | os.PathLike[str]) -> int:
        """Check ``data`` and swap it in whole; returns the model count. A bad catalog changes nothing."""
        snapshot = _build_snapshot(load_catalog_source(data))
        with self._lock:
            self._snapshot = snapshot
        return len(snapshot.entries)

    def swap(self, other: Catalog) -> None:
        """Take over another catalog's current models (already checked)."""
        snapshot = other._current()
        with self._lock:
            self._snapshot = snapshot

    def __len__(self) -> int:
        return len(self._current().entries)

    def export(self) -> dict[str, Any]:
        """The catalog as JSON data (``Versions`` kept, ``LatestVersion`` as computed)."""
        return {"Models": [copy.deepcopy(e.source) for e in self._current().entries]}

    def list_models(self, query: ListModelsQuery | Mapping[str, str]) -> dict[str, Any]:
        """``{"TotalCount", "Models"}`` for a ListModels request."""
        if not isinstance(query, ListModelsQuery):
            query = ListModelsQuery.from_params(query)
        snapshot = self._current()
        key = replace(query, paging=replace(query.paging, page_number=1, page_size=1))
        ordered = snapshot.listings.get(key)
        if ordered is None:
            preds = model_predicates(query)
            matched = [e for e in snapshot.entries if all(p(e.public) for p in preds)]
            ordered = query.paging.sort(matched, lambda e: e.created, lambda e: e.model_id)
            if len(snapshot.listings) >= _LISTINGS_KEPT:
                snapshot.listings.clear()
            snapshot.listings[key] = ordered
        total, page = query.paging.page(ordered)
        return {"TotalCount": total, "Models": [copy.deepcopy(e.public) for e in page]}

    def _entry(self, model_id: str) -> _Entry:
        entry = self._current().by_id.get(model_id)
        if entry is None:
            raise ModelNotFound(f"The model {model_id!r} does not exist.")
        return entry

    def get_model(self, model_id: str) -> dict[str, Any]:
        """The model as GetModel answers it; raises :class:`ModelNotFound`."""
        return copy.deepcopy(self._entry(model_id).public)

    def list_model_versions(self, model_id: str, query: ListModelVersionsQuery | Mapping[str, str]) -> dict[str, Any]:
        """``{"TotalCount", "Versions"}`` for a ListModelVersions request."""
        if not isinstance(query, ListModelVersionsQuery):
            query = ListModelVersionsQuery.from_params(query)
        entry = self._entry(model_id)
        preds = version_predicates(query)
        matched = [tv for tv in entry.versions if all(p(tv[1]) for p in preds)]
        total, page = query.paging.apply(matched, lambda tv: tv[0], lambda tv: _natural_key(tv[1]["VersionName"]))
        return {"TotalCount": total, "Versions": [copy.deepcopy(v) for _, v in page]}

    def get_model_version(self, model_id: str, version_name: str) -> dict[str, Any]:
        """One version; raises :class:`ModelNotFound` or :class:`ModelVersionNotFound`."""
        version = self._entry(model_id).versions_by_name.get(version_name)
        if version is None:
            raise ModelVersionNotFound(f"The model {model_id!r} has no version {version_name!r}.")
        return copy.deepcopy(version)
