"""Typed results: a `Model` and a `ModelVersion`, as PAI's model registry returns them.

Every field of the ListModels response is here in snake_case, timestamps parsed to aware UTC
datetimes. `raw` keeps the JSON object as PAI sent it, so fields Alibaba adds later are not lost
(`to_dict()` returns it). Objects are built from the raw JSON, not from the SDK's typed response,
because the SDK drops fields it does not know.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from collections.abc import Mapping
from typing import Any

__all__ = ["Label", "ModelVersion", "Model", "parse_time"]


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


def _labels(value: Any) -> tuple["Label", ...]:
    if not isinstance(value, list):
        return ()
    return tuple(
        Label(str(item.get("Key", "")), str(item.get("Value", "")))
        for item in value
        if isinstance(item, Mapping)
    )


def _own(data: Mapping[str, Any]) -> dict[str, Any]:
    """Keep the parsed JSON object itself (no copy), or copy a read-only mapping."""
    return data if isinstance(data, dict) else dict(data)


def _dict(value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        return value  # the parsed JSON object itself: no copy per field of every model
    return dict(value) if isinstance(value, Mapping) else {}


def _str(value: Any) -> str | None:
    return None if value is None else str(value)


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


@dataclass(frozen=True, slots=True)
class Label:
    """A key/value pair: a label of a model or version, or a tag of a model."""

    key: str
    value: str


@dataclass(frozen=True, slots=True)
class ModelVersion:
    """One version of a registered model; `uri` is where its files are (usually `oss://...`)."""

    version_name: str
    uri: str | None
    gmt_create_time: datetime | None
    gmt_modified_time: datetime | None
    user_id: str | None
    owner_id: str | None
    version_description: str | None
    format_type: str | None
    framework_type: str | None
    options: str | None
    source_type: str | None
    source_id: str | None
    approval_status: str | None
    labels: tuple[Label, ...]
    metrics: dict[str, Any]
    training_spec: dict[str, Any]
    inference_spec: dict[str, Any]
    evaluation_spec: dict[str, Any]
    compression_spec: dict[str, Any]
    extra_info: dict[str, Any]
    distillation_spec: dict[str, Any]
    raw: dict[str, Any] = field(repr=False, compare=False)

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> "ModelVersion":
        """Build a version from the JSON object PAI returned."""
        return cls(
            version_name=str(data.get("VersionName", "")),
            uri=_str(data.get("Uri")),
            gmt_create_time=parse_time(data.get("GmtCreateTime")),
            gmt_modified_time=parse_time(data.get("GmtModifiedTime")),
            user_id=_str(data.get("UserId")),
            owner_id=_str(data.get("OwnerId")),
            version_description=_str(data.get("VersionDescription")),
            format_type=_str(data.get("FormatType")),
            framework_type=_str(data.get("FrameworkType")),
            options=_str(data.get("Options")),
            source_type=_str(data.get("SourceType")),
            source_id=_str(data.get("SourceId")),
            approval_status=_str(data.get("ApprovalStatus")),
            labels=_labels(data.get("Labels")),
            metrics=_dict(data.get("Metrics")),
            training_spec=_dict(data.get("TrainingSpec")),
            inference_spec=_dict(data.get("InferenceSpec")),
            evaluation_spec=_dict(data.get("EvaluationSpec")),
            compression_spec=_dict(data.get("CompressionSpec")),
            extra_info=_dict(data.get("ExtraInfo")),
            distillation_spec=_dict(data.get("DistillationSpec")),
            raw=_own(data),
        )

    def to_dict(self) -> dict[str, Any]:
        """The version as PAI sent it (PascalCase keys, unknown fields kept)."""
        return dict(self.raw)


@dataclass(frozen=True, slots=True)
class Model:
    """A model of PAI's registry, with its latest version as ListModels returns it."""

    model_id: str
    model_name: str
    gmt_create_time: datetime | None
    gmt_modified_time: datetime | None
    workspace_id: str | None
    user_id: str | None
    owner_id: str | None
    model_description: str | None
    accessibility: str | None
    latest_version: ModelVersion | None
    order_number: int | None
    origin: str | None
    domain: str | None
    task: str | None
    model_doc: str | None
    provider: str | None
    model_type: str | None
    labels: tuple[Label, ...]
    tags: tuple[Label, ...]
    extra_info: dict[str, Any]
    parameter_size: int | None
    gmt_latest_version_modified_time: datetime | None
    raw: dict[str, Any] = field(repr=False, compare=False)

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> "Model":
        """Build a model from the JSON object PAI returned."""
        latest = data.get("LatestVersion")
        return cls(
            model_id=str(data.get("ModelId", "")),
            model_name=str(data.get("ModelName", "")),
            gmt_create_time=parse_time(data.get("GmtCreateTime")),
            gmt_modified_time=parse_time(data.get("GmtModifiedTime")),
            workspace_id=_str(data.get("WorkspaceId")),
            user_id=_str(data.get("UserId")),
            owner_id=_str(data.get("OwnerId")),
            model_description=_str(data.get("ModelDescription")),
            accessibility=_str(data.get("Accessibility")),
            latest_version=ModelVersion.from_api(latest) if isinstance(latest, Mapping) and latest else None,
            order_number=_int(data.get("OrderNumber")),
            origin=_str(data.get("Origin")),
            domain=_str(data.get("Domain")),
            task=_str(data.get("Task")),
            model_doc=_str(data.get("ModelDoc")),
            provider=_str(data.get("Provider")),
            model_type=_str(data.get("ModelType")),
            labels=_labels(data.get("Labels")),
            tags=_labels(data.get("Tags")),
            extra_info=_dict(data.get("ExtraInfo")),
            parameter_size=_int(data.get("ParameterSize")),
            gmt_latest_version_modified_time=parse_time(data.get("GmtLatestVersionModifiedTime")),
            raw=_own(data),
        )

    def to_dict(self) -> dict[str, Any]:
        """The model as PAI sent it (PascalCase keys, unknown fields kept)."""
        return dict(self.raw)
