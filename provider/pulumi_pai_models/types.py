"""Typed results: a `Model` and a `ModelVersion`, as PAI's model registry returns them.

Each is a thin, read-only view over the JSON object PAI sent (`raw`): every field of the ListModels
response is a snake_case property, timestamps parsed to aware UTC datetimes, and fields Alibaba adds
later are not lost (`to_dict()` returns them all). Built from the raw JSON, not from the SDK's typed
response, because the SDK drops fields it does not know. A view costs nothing to build; each property
reads its field when asked, so listing 50,000 models does not convert 50,000 x 40 fields up front.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Generic, TypeVar, overload

__all__ = ["Label", "Model", "ModelVersion", "format_time", "natural_key", "parse_time"]


def parse_time(value: Any) -> datetime | None:
    """Parse PAI's timestamp (`2021-01-21T17:12:35Z`, also with fractions or an offset) to aware UTC."""
    if not value or not isinstance(value, str):
        return None
    text = value.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=timezone.utc)
        return parsed.astimezone(timezone.utc)
    except (ValueError, OverflowError):  # not a timestamp, or one outside what datetime can hold
        return None


def format_time(value: datetime | None, missing: str = "-") -> str:
    """A timestamp as PAI writes it (`2021-01-21T17:12:35Z`), or `missing` when it is unknown."""
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value is not None else missing


def natural_key(text: str) -> tuple[tuple[int, int, str], ...]:
    """A sort key for version names under which 0.10.0 comes after 0.9.0 (digit runs compare as numbers; equal numbers
    written differently, 01 and 1, by their text). The client's picking rules and the emulator's order both use it."""
    return tuple((0, int(part), part) if part.isdigit() else (1, 0, part) for part in re.split(r"(\d+)", text) if part)


@dataclass(frozen=True, slots=True)
class Label:
    """A key/value pair: a label of a model or version, or a tag of a model."""

    key: str
    value: str


def _labels(value: Any) -> tuple[Label, ...]:
    if not isinstance(value, list):
        return ()
    return tuple(Label(str(item.get("Key", "")), str(item.get("Value", ""))) for item in value if isinstance(item, Mapping))


def _dict(value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    return dict(value) if isinstance(value, Mapping) else {}


def _str(value: Any) -> str | None:
    return None if value is None else str(value)


def _name(value: Any) -> str:
    return "" if value is None else str(value)


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            return None
    return None


T = TypeVar("T")
V = TypeVar("V", bound="_View")


class _Field(Generic[T]):
    """A read-only, typed attribute of a view: `convert(raw[key])`, read when asked."""

    def __init__(self, key: str, convert: Callable[[Any], T], doc: str):
        self.key = key
        self.convert = convert
        self.__doc__ = f"{doc} (`{key}`)."

    @overload
    def __get__(self, view: None, owner: type[Any]) -> _Field[T]: ...
    @overload
    def __get__(self, view: _View, owner: type[Any]) -> T: ...
    def __get__(self, view: _View | None, owner: type[Any]) -> T | _Field[T]:
        if view is None:
            return self
        return self.convert(view.raw.get(self.key))

    def __set__(self, view: _View, value: Any) -> None:
        raise AttributeError(f"{type(view).__name__} is read-only")


_field = _Field


class _View:
    """A read-only view over one JSON object of PAI; equal when the JSON is equal."""

    __slots__ = ("raw",)
    _shown: tuple[str, ...] = ()

    raw: dict[str, Any]

    def __init__(self, raw: Mapping[str, Any]):
        object.__setattr__(self, "raw", raw if isinstance(raw, dict) else dict(raw))

    @classmethod
    def from_api(cls: type[V], data: Mapping[str, Any]) -> V:
        """A view of the JSON object PAI returned (kept as it is, not copied)."""
        return cls(data)

    def to_dict(self) -> dict[str, Any]:
        """The object as PAI sent it (PascalCase keys, unknown fields kept)."""
        return dict(self.raw)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is read-only")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _View) and type(other) is type(self) and other.raw == self.raw

    __hash__ = None  # type: ignore[assignment]  # a view of a mutable dict

    def __repr__(self) -> str:
        return f"{type(self).__name__}(" + ", ".join(f"{n}={getattr(self, n)!r}" for n in self._shown) + ")"


class ModelVersion(_View):
    """One version of a registered model; `uri` is where its files are (usually `oss://...`)."""

    __slots__ = ()
    _shown = ("version_name", "uri", "approval_status", "gmt_create_time")

    version_name = _field("VersionName", _name, "The version's name, e.g. 1.0.0")
    uri = _field("Uri", _str, "Where the version's files are")
    gmt_create_time = _field("GmtCreateTime", parse_time, "When the version was created")
    gmt_modified_time = _field("GmtModifiedTime", parse_time, "When the version was last changed")
    user_id = _field("UserId", _str, "The user who created it")
    owner_id = _field("OwnerId", _str, "The owning account")
    version_description = _field("VersionDescription", _str, "Its description")
    format_type = _field("FormatType", _str, "The model format, e.g. SavedModel")
    framework_type = _field("FrameworkType", _str, "The framework, e.g. TensorFlow")
    options = _field("Options", _str, "Extra options, a JSON string")
    source_type = _field("SourceType", _str, "What produced it, e.g. PAIFlow")
    source_id = _field("SourceId", _str, "The producing run")
    approval_status = _field("ApprovalStatus", _str, "Approved, Pending or Rejected")
    labels = _field("Labels", _labels, "Its labels")
    metrics = _field("Metrics", _dict, "Its evaluation metrics")
    training_spec = _field("TrainingSpec", _dict, "How it was trained")
    inference_spec = _field("InferenceSpec", _dict, "How to serve it, e.g. {'processor': ...}")
    evaluation_spec = _field("EvaluationSpec", _dict, "How it was evaluated")
    compression_spec = _field("CompressionSpec", _dict, "How it was compressed")
    extra_info = _field("ExtraInfo", _dict, "Extra information")
    distillation_spec = _field("DistillationSpec", _dict, "How it was distilled")


def _version(value: Any) -> ModelVersion | None:
    return ModelVersion(value) if isinstance(value, Mapping) and value else None


class Model(_View):
    """A model of PAI's registry, with its latest version as ListModels returns it."""

    __slots__ = ()
    _shown = ("model_id", "model_name", "provider", "gmt_create_time")

    model_id = _field("ModelId", _name, "The model's id")
    model_name = _field("ModelName", _name, "The model's name")
    gmt_create_time = _field("GmtCreateTime", parse_time, "When the model was created")
    gmt_modified_time = _field("GmtModifiedTime", parse_time, "When the model was last changed")
    workspace_id = _field("WorkspaceId", _str, "Its workspace")
    user_id = _field("UserId", _str, "The user who created it")
    owner_id = _field("OwnerId", _str, "The owning account")
    model_description = _field("ModelDescription", _str, "Its description")
    accessibility = _field("Accessibility", _str, "PUBLIC or PRIVATE")
    latest_version = _field("LatestVersion", _version, "Its latest version")
    order_number = _field("OrderNumber", _int, "Its position in listings of public models")
    origin = _field("Origin", _str, "Its source community, e.g. ModelScope")
    domain = _field("Domain", _str, "Its domain, e.g. nlp")
    task = _field("Task", _str, "Its task, e.g. text-classification")
    model_doc = _field("ModelDoc", _str, "Its documentation")
    provider = _field("Provider", _str, "The provider of a public model, e.g. pai; None for your own")
    model_type = _field("ModelType", _str, "Its type, e.g. Checkpoint")
    labels = _field("Labels", _labels, "Its labels")
    tags = _field("Tags", _labels, "Its tags")
    extra_info = _field("ExtraInfo", _dict, "Extra information (ratings, downloads, ...)")
    parameter_size = _field("ParameterSize", _int, "Its parameter count (in millions)")
    gmt_latest_version_modified_time = _field("GmtLatestVersionModifiedTime", parse_time, "When its latest version last changed")
