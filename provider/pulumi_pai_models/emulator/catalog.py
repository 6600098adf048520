"""The emulator's backend: a catalog of PAI models and the lookups over it (no HTTP here; moto's ``models.py``).

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
:class:`~.errors.CatalogError` naming the offending item.

Lookups take a validated query (:mod:`.params`) and keep what its predicates (:mod:`.predicates`) accept.

Sorting and paging (ListModels and ListModelVersions)
-----------------------------------------------------
- By ``GmtCreateTime``, ``ASC`` or ``DESC``. Ties are broken by ``ModelId`` ascending (versions:
  ``VersionName`` ascending, compared naturally), in both orders. A missing ``GmtCreateTime`` sorts as
  the oldest.
- A page past the end is no error: it has no items and the full ``TotalCount`` (Alibaba's PAI SDK
  pages with ``PageSize=50`` until a page comes back empty).

Changes (the admin endpoints ``/_emulator/models/...``)
------------------------------------------------------
One model at a time: :meth:`Catalog.add_model`, :meth:`~Catalog.add_version`,
:meth:`~Catalog.update_version`, :meth:`~Catalog.delete_model`, :meth:`~Catalog.delete_version`.
A change is checked as a catalog is on load, and more:

- A model is named by its ``ModelId``, else by its exact ``ModelName`` (several models with that
  name: :class:`~.errors.AmbiguousModelName`, naming their ids). A new ``ModelId`` must be unique
  (:class:`~.errors.ModelAlreadyExists`); left out, one is generated (``model-`` and 16 hex digits).
  A ``VersionName`` must be unique within its model (:class:`~.errors.ModelVersionAlreadyExists`)
  and cannot be changed.
- ``GmtCreateTime`` and ``GmtModifiedTime`` left out (of a model or a version) are the time of the
  call, to the second; changing a version sets its ``GmtModifiedTime`` to that time unless the
  change gives one. A version added now is thus the newest, hence the model's ``LatestVersion``,
  unless another has a later (future) ``GmtCreateTime``.
- An ``ApprovalStatus`` given to a change must be one of ``Approved``, ``Pending``, ``Rejected``
  (a catalog file may hold any string, so that a captured answer loads as it is).
- A changed model keeps ``Versions`` (a model that had only a ``LatestVersion`` gets
  ``"Versions": [that one, ...]``), and its ``LatestVersion`` is derived again as on load.
  Deleting its last version leaves ``"Versions": []``: a model without a version.

Thread safety: a :class:`Catalog` holds an immutable snapshot that :meth:`Catalog.replace` swaps
atomically under a lock; a lookup works on the snapshot it started with. A change builds the next
snapshot from the current one and swaps it in only if no other write came first (else it starts
again from the newer one), so concurrent changes and replacements are never lost.
"""

from __future__ import annotations

import copy
import json
import os
import re
import threading
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from importlib import resources
from typing import Any, TypeVar

from ..selection import APPROVAL_STATUSES
from ..types import natural_key
from .errors import (
    AmbiguousModelName,
    CatalogError,
    InvalidParameter,
    ModelAlreadyExists,
    ModelNotFound,
    ModelVersionAlreadyExists,
    ModelVersionNotFound,
)
from .params import ListModelsQuery, ListModelVersionsQuery, Paging
from .predicates import model_predicates, version_predicates

__all__ = [
    "Catalog",
    "CatalogSource",
    "load_demo_catalog",
]

#: What a catalog can be given as: its JSON data, or the path of a JSON file.
CatalogSource = Mapping[str, Any] | str | os.PathLike[str]
_T = TypeVar("_T")
_LISTINGS_KEPT = 64  # sorted listings cached per catalog snapshot


def load_demo_catalog() -> dict[str, Any]:
    """The shipped demo catalog (``demo_catalog.json``) as a fresh dict."""
    text = resources.files(__name__.rpartition(".")[0]).joinpath("demo_catalog.json").read_text(encoding="utf-8")
    data = json.loads(text)
    if not isinstance(data, dict):
        raise CatalogError("demo_catalog.json must hold a JSON object.")
    return data


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


def _load_source(source: CatalogSource) -> Mapping[str, Any]:
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
    #: Each model's ListModels JSON, by ModelId, encoded when a page first carries it: a page is then a join
    #: of bytes, not a deep copy and an encoding of 100 models (the snapshot's dicts are never handed out).
    encoded: dict[str, bytes] = field(default_factory=dict, compare=False)


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
            latest = max(versions, key=lambda tv: (tv[0], natural_key(tv[1]["VersionName"])))
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


# --------------------------------------------------------------------------- ordering and paging


def _in_order(items: Sequence[_T], paging: Paging, created: Callable[[_T], datetime], tie: Callable[[_T], Any]) -> list[_T]:
    """``items`` in the order ``paging`` asks for; ties keep ``tie`` ascending in both orders."""
    ordered = sorted(items, key=tie)
    ordered.sort(key=created, reverse=paging.order == "DESC")  # stable: ties keep ascending order
    return ordered


def _page_of(ordered: Sequence[_T], paging: Paging) -> tuple[int, list[_T]]:
    """(total, the requested page) of already ordered items; past the end, the page is empty."""
    start = (paging.page_number - 1) * paging.page_size
    return len(ordered), list(ordered[start : start + paging.page_size])


# --------------------------------------------------------------------------- the catalog


class Catalog:
    """The models the emulator serves; thread-safe, replaced atomically."""

    def __init__(self, data: CatalogSource) -> None:
        """``data``: catalog JSON data, or a path to a JSON file; raises :class:`~.errors.CatalogError`."""
        self._lock = threading.Lock()
        self._snapshot = _build_snapshot(_load_source(data))

    def _current(self) -> _Snapshot:
        with self._lock:
            return self._snapshot

    def replace(self, data: CatalogSource) -> int:
        """Check ``data`` and swap it in whole; returns the model count. A bad catalog changes nothing."""
        snapshot = _build_snapshot(_load_source(data))
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
        _, total, page = self._listed(query)
        return {"TotalCount": total, "Models": [copy.deepcopy(e.public) for e in page]}

    def list_models_encoded(self, query: ListModelsQuery | Mapping[str, str]) -> tuple[int, list[bytes]]:
        """``list_models``, with each model as its JSON text (UTF-8, ``json.dumps``' separators): what the server
        sends, built without copying or encoding the models again."""
        snapshot, total, page = self._listed(query)
        encoded = snapshot.encoded
        texts = []
        for entry in page:
            text = encoded.get(entry.model_id)
            if text is None:  # two threads may both encode one model: the same bytes, either kept
                text = encoded[entry.model_id] = json.dumps(entry.public, ensure_ascii=False).encode("utf-8")
            texts.append(text)
        return total, texts

    def _listed(self, query: ListModelsQuery | Mapping[str, str]) -> tuple[_Snapshot, int, list[_Entry]]:
        """The snapshot, TotalCount and the requested page of a ListModels request."""
        if not isinstance(query, ListModelsQuery):
            query = ListModelsQuery.from_params(query)
        snapshot = self._current()
        key = replace(query, paging=replace(query.paging, page_number=1, page_size=1))
        ordered = snapshot.listings.get(key)
        if ordered is None:
            preds = model_predicates(query)
            matched = [e for e in snapshot.entries if all(p(e.public) for p in preds)]
            ordered = _in_order(matched, query.paging, lambda e: e.created, lambda e: e.model_id)
            if len(snapshot.listings) >= _LISTINGS_KEPT:
                snapshot.listings.clear()
            snapshot.listings[key] = ordered
        total, page = _page_of(ordered, query.paging)
        return snapshot, total, page

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
        ordered_versions = _in_order(matched, query.paging, lambda tv: tv[0], lambda tv: natural_key(tv[1]["VersionName"]))
        total, page = _page_of(ordered_versions, query.paging)
        return {"TotalCount": total, "Versions": [copy.deepcopy(v) for _, v in page]}

    def get_model_version(self, model_id: str, version_name: str) -> dict[str, Any]:
        """One version; raises :class:`ModelNotFound` or :class:`ModelVersionNotFound`."""
        version = self._entry(model_id).versions_by_name.get(version_name)
        if version is None:
            raise ModelVersionNotFound(f"The model {model_id!r} has no version {version_name!r}.")
        return copy.deepcopy(version)

    # -- changes, one model at a time (the admin endpoints /_emulator/models/...; see "Changes" above)
    def add_model(self, model: Any) -> dict[str, Any]:
        """Add ``model`` (catalog shape, with its ``Versions`` if any); returns it as exported."""
        now = _now()

        def change(snapshot: _Snapshot) -> tuple[_Snapshot, dict[str, Any]]:
            entry = _build_entry(_new_model(model, now), "Model")
            if entry.model_id in snapshot.by_id:
                raise ModelAlreadyExists(f"A model with ModelId {entry.model_id!r} already exists.")
            return _snapshot_of([*snapshot.entries, entry]), copy.deepcopy(entry.source)

        return self._change(change)

    def add_version(self, model_ref: str, version: Any) -> tuple[dict[str, Any], dict[str, Any]]:
        """Add ``version`` to the model named by ``model_ref`` (a ModelId or exact ModelName); returns (model, version)."""
        new = _new_version(version, "Version", _now())

        def change(snapshot: _Snapshot) -> tuple[_Snapshot, tuple[dict[str, Any], dict[str, Any]]]:
            entry = _resolve(snapshot, model_ref)
            if new["VersionName"] in entry.versions_by_name:
                raise ModelVersionAlreadyExists(
                    f"The model {entry.model_id!r} already has a version {new['VersionName']!r}."
                )
            updated = _with_versions(entry, [*(v for _, v in entry.versions), new])
            return _replaced(snapshot, entry, updated), _model_and_version(updated, new["VersionName"])

        return self._change(change)

    def update_version(self, model_ref: str, version_name: str, patch: Any) -> tuple[dict[str, Any], dict[str, Any]]:
        """Change fields of one version as a JSON merge patch (``null`` removes a field); returns (model, version).

        ``VersionName`` cannot change; ``GmtModifiedTime`` becomes now unless the patch sets it.
        """
        if not isinstance(patch, Mapping):
            raise InvalidParameter('The body must be an object of the fields to change, e.g. {"ApprovalStatus": "Approved"}.')
        if "VersionName" in patch and patch["VersionName"] != version_name:
            raise InvalidParameter(
                "VersionName cannot be changed: delete the version and add it under the new name."
            )
        now = _now()

        def change(snapshot: _Snapshot) -> tuple[_Snapshot, tuple[dict[str, Any], dict[str, Any]]]:
            entry = _resolve(snapshot, model_ref)
            old = _version_of(entry, version_name)
            merged = {**old, "GmtModifiedTime": now}
            for key, value in patch.items():
                if value is None:
                    merged.pop(key, None)
                else:
                    merged[key] = copy.deepcopy(value)
            _check_version(merged, "Version")
            if "ApprovalStatus" in patch:
                _check_status(merged, "Version")
            versions = [merged if v is old else v for _, v in entry.versions]
            updated = _with_versions(entry, versions)
            return _replaced(snapshot, entry, updated), _model_and_version(updated, version_name)

        return self._change(change)

    def delete_model(self, model_ref: str) -> dict[str, Any]:
        """Remove the model named by ``model_ref`` with its versions; returns it as it was."""

        def change(snapshot: _Snapshot) -> tuple[_Snapshot, dict[str, Any]]:
            entry = _resolve(snapshot, model_ref)
            kept = [e for e in snapshot.entries if e is not entry]
            return _snapshot_of(kept), copy.deepcopy(entry.source)

        return self._change(change)

    def delete_version(self, model_ref: str, version_name: str) -> tuple[dict[str, Any], dict[str, Any]]:
        """Remove one version; returns (the model as it is now, the version removed)."""

        def change(snapshot: _Snapshot) -> tuple[_Snapshot, tuple[dict[str, Any], dict[str, Any]]]:
            entry = _resolve(snapshot, model_ref)
            gone = _version_of(entry, version_name)
            updated = _with_versions(entry, [v for _, v in entry.versions if v is not gone])
            return _replaced(snapshot, entry, updated), (copy.deepcopy(updated.source), copy.deepcopy(gone))

        return self._change(change)

    def _change(self, change: Callable[[_Snapshot], tuple[_Snapshot, _T]]) -> _T:
        """Apply ``change`` to the current snapshot and swap the result in, unless another write came first
        (then again on the newer one): a change never undoes a concurrent ``replace`` or change."""
        while True:
            before = self._current()
            after, result = change(before)
            with self._lock:
                if self._snapshot is before:
                    self._snapshot = after
                    return result


# --------------------------------------------------------------------------- changes: helpers


def _now() -> str:
    """The current time as PAI writes it, for the times an admin call leaves out."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _check_status(version: Mapping[str, Any], where: str) -> None:
    """An ``ApprovalStatus`` given to an admin call is one that lookups can select (one of APPROVAL_STATUSES)."""
    status = version.get("ApprovalStatus")
    if status is not None and status not in APPROVAL_STATUSES:
        raise CatalogError(f"{where}.ApprovalStatus must be one of {', '.join(APPROVAL_STATUSES)}, not {status!r}.")


def _new_version(raw: Any, where: str, now: str) -> dict[str, Any]:
    """A version given to an admin call, checked; GmtCreateTime and GmtModifiedTime default to ``now``."""
    if not isinstance(raw, Mapping):
        raise CatalogError(f"{where} must be an object, e.g. {{\"VersionName\": \"1.0.0\", \"Uri\": \"oss://...\"}}.")
    version = copy.deepcopy(dict(raw))
    for key in ("GmtCreateTime", "GmtModifiedTime"):
        if version.get(key) is None:
            version[key] = now
    _check_version(version, where)
    _check_status(version, where)
    return version


def _new_model(raw: Any, now: str) -> dict[str, Any]:
    """A model given to an admin call, with the defaults filled: a fresh ModelId, the times now (its versions' too)."""
    if not isinstance(raw, Mapping):
        raise CatalogError('Model must be an object, e.g. {"ModelName": "fraud-detector", "Versions": [...]}.')
    model = copy.deepcopy(dict(raw))
    if model.get("ModelId") is None:
        model["ModelId"] = f"model-{uuid.uuid4().hex[:16]}"
    for key in ("GmtCreateTime", "GmtModifiedTime"):
        if model.get(key) is None:
            model[key] = now
    if isinstance(model.get("Versions"), list):
        model["Versions"] = [_new_version(v, f"Model.Versions[{i}]", now) for i, v in enumerate(model["Versions"])]
    elif model.get("Versions") is None and model.get("LatestVersion") is not None:
        model["LatestVersion"] = _new_version(model["LatestVersion"], "Model.LatestVersion", now)
    return model


def _resolve(snapshot: _Snapshot, model_ref: str) -> _Entry:
    """The model whose ModelId is ``model_ref``, else the one model whose ModelName is exactly ``model_ref``."""
    entry = snapshot.by_id.get(model_ref)
    if entry is not None:
        return entry
    named = [e for e in snapshot.entries if e.public.get("ModelName") == model_ref]
    if len(named) == 1:
        return named[0]
    if not named:
        raise ModelNotFound(f"No model has the ModelId or the exact ModelName {model_ref!r}.")
    shown = ", ".join(repr(e.model_id) for e in named[:5]) + (", ..." if len(named) > 5 else "")
    raise AmbiguousModelName(f"{len(named)} models are named {model_ref!r} ({shown}): name one by its ModelId.")


def _version_of(entry: _Entry, version_name: str) -> dict[str, Any]:
    version = entry.versions_by_name.get(version_name)
    if version is None:
        raise ModelVersionNotFound(f"The model {entry.model_id!r} has no version {version_name!r}.")
    return version


def _with_versions(entry: _Entry, versions: list[dict[str, Any]]) -> _Entry:
    """``entry`` with exactly these versions; its LatestVersion derived again, as on load."""
    source = {k: v for k, v in entry.source.items() if k != "LatestVersion"}
    source["Versions"] = versions
    return _build_entry(source, "Model")


def _model_and_version(entry: _Entry, version_name: str) -> tuple[dict[str, Any], dict[str, Any]]:
    return copy.deepcopy(entry.source), copy.deepcopy(entry.versions_by_name[version_name])


def _replaced(snapshot: _Snapshot, old: _Entry, new: _Entry) -> _Snapshot:
    return _snapshot_of([new if e is old else e for e in snapshot.entries])


def _snapshot_of(entries: Sequence[_Entry]) -> _Snapshot:
    """A new snapshot of ``entries`` (in this order; sorted listings start afresh)."""
    return _Snapshot(tuple(entries), {e.model_id: e for e in entries})
