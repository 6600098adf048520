"""What is picked: the rules that turn a list of models and versions into one model and one version.

Pure functions, no API calls:
- `filter_models`: the rules applied after the server's filters: `name_regex` (Python `re.search` on
  the name, like pulumi-aws `get_ami`'s) and, for a `model_name` in double quotes, name equality,
  so an exact lookup never returns a near name even if the server matched loosely;
- `pick_model`: one match is the answer; none is `NoMatch`; several are `AmbiguousMatch` unless
  `most_recent`, which takes the newest GmtCreateTime, ties broken by the greatest ModelId, so the pick
  never flips between runs (pulumi-aws `get_ami` users hit exactly that nondeterminism).
- `pick_version`: the newest version (GmtCreateTime, ties by natural order of VersionName: 0.10.0 > 0.9.0).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from .errors import MAX_CANDIDATES_SHOWN, AmbiguousMatch, InvalidQuery, NoModelMatch, NoVersionMatch
from .query import ModelQuery, text_argument
from .types import Model, ModelVersion, natural_key, parse_time

__all__ = [
    "APPROVAL_STATUSES",
    "Selection",
    "filter_models",
    "newest",
    "newest_first",
    "newest_versions_first",
    "pick_model",
    "pick_version",
]

APPROVAL_STATUSES = ("Approved", "Pending", "Rejected")
_MAX_VERSION_NAME = 256
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
#: How PAI writes times, fixed-width UTC (`2021-01-21T17:12:35Z`), whose text order is time order (see `newest`),
#: repeated: matched once against all of a listing's times joined, each exactly `_PAI_TIME_LENGTH` characters.
_PAI_TIMES = re.compile(r"(?:[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z)*")
_PAI_TIME_LENGTH = 20


@dataclass(frozen=True)
class Selection:
    """How `get_model` chooses: among models (`most_recent`) and among versions (`version` or `approval_status`)."""

    most_recent: bool = False
    version: str | None = None
    approval_status: str | None = None

    @classmethod
    def build(cls, *, most_recent: bool | None = False, version: str | None = None, approval_status: str | None = None) -> Selection:
        """Validate the selection arguments; raises `InvalidQuery` naming the parameter."""
        if most_recent is None:
            most_recent = False
        if not isinstance(most_recent, bool):
            raise InvalidQuery("most_recent", f"expected true or false, got {type(most_recent).__name__}")
        if version is not None:
            version = text_argument("version", version, allow_empty=False)
            if version is None or not version.strip() or len(version) > _MAX_VERSION_NAME:
                raise InvalidQuery("version", f"{str(version)[:80]!r} is not a version name", "a non-empty name such as 0.2.0")
        if approval_status is not None:
            status = text_argument("approval_status", approval_status, allow_empty=False) or ""
            matched = [s for s in APPROVAL_STATUSES if s.lower() == status.strip().lower()]
            if not matched:
                raise InvalidQuery("approval_status", f"{approval_status[:40]!r} is not an approval status", ", ".join(APPROVAL_STATUSES))
            approval_status = matched[0]
        if version is not None and approval_status is not None:
            raise InvalidQuery(
                "version",
                "cannot be combined with {approval_status}",
                "either {version} (one exact version) or {approval_status} (the newest with it)",
            )
        return cls(most_recent=most_recent, version=version, approval_status=approval_status)

    def describe(self) -> str:
        """The versions this selection accepts, in words: `version '1.0.0'`, `version with ApprovalStatus Approved`."""
        if self.version is not None:
            return f"version {self.version!r}"
        if self.approval_status is not None:
            return f"version with ApprovalStatus {self.approval_status}"
        return "latest version"


def _model_key(model: Model) -> tuple[datetime, str]:
    return (model.gmt_create_time or _EPOCH, model.model_id)


def _version_key(version: ModelVersion) -> tuple[datetime, tuple[tuple[int, int, str], ...]]:
    return (version.gmt_create_time or _EPOCH, natural_key(version.version_name))


def filter_models(models: Sequence[Model], query: ModelQuery) -> list[Model]:
    """The models that pass the rules applied after the server: the exact name and `name_regex`."""
    exact, regex = query.exact_name, query.name_regex
    pattern = re.compile(regex) if regex is not None else None
    return [
        m for m in models if (exact is None or m.model_name == exact) and (pattern is None or pattern.search(m.model_name))
    ]


def newest_first(models: Sequence[Model]) -> list[Model]:
    """Models sorted newest GmtCreateTime first, ties by greatest ModelId."""
    return sorted(models, key=_model_key, reverse=True)


def newest(models: Sequence[Model]) -> Model:
    """The first of `newest_first(models)`, without parsing every timestamp when PAI wrote them all its usual way.

    PAI writes GmtCreateTime as fixed-width UTC text (`2021-01-21T17:12:35Z`), whose text order is time order, so
    the newest text is the newest time (a 50,000-model listing then costs no 50,000 parses after its last page).
    When any time is written otherwise or missing, or the newest text is no real time (`2024-02-31...`) or is
    before the epoch that stands for a missing one, the times are parsed, as `newest_first` does.
    """
    texts: list[Any] = [m.raw.get("GmtCreateTime") for m in models]
    if _in_pai_form(texts):  # (never for none: no type is str)
        latest = max(texts)
        when = parse_time(latest)
        if when is not None and when >= _EPOCH:
            return max((m for m, t in zip(models, texts, strict=True) if t == latest), key=lambda m: m.model_id)
    return max(models, key=_model_key)


def _in_pai_form(texts: list[Any]) -> bool:
    """Whether every one of `texts` is a time as PAI writes it (checked at C speed: one match over them all)."""
    return (
        set(map(type, texts)) == {str}
        and set(map(len, texts)) == {_PAI_TIME_LENGTH}
        and _PAI_TIMES.fullmatch("".join(texts)) is not None
    )


def newest_versions_first(versions: Sequence[ModelVersion]) -> list[ModelVersion]:
    """Versions sorted newest GmtCreateTime first, ties by natural order of the name (0.10.0 before 0.9.0)."""
    return sorted(versions, key=_version_key, reverse=True)


def pick_model(models: Sequence[Model], query: ModelQuery, most_recent: bool) -> Model:
    """The one model a lookup means, or `NoModelMatch` / `AmbiguousMatch` saying why not."""
    if not models:
        raise NoModelMatch(query.describe(), own_models=query.provider is None)
    if len(models) == 1:
        return models[0]
    if most_recent:
        return newest(models)
    raise AmbiguousMatch(query.describe(), len(models), newest_first(models)[:MAX_CANDIDATES_SHOWN])


def pick_version(versions: Sequence[ModelVersion], model: Model, selection: Selection) -> ModelVersion:
    """The newest of `versions` that fits `selection` and has a Uri, or `NoVersionMatch` saying what exists."""
    fitting = [
        v
        for v in versions
        if (selection.approval_status is None or v.approval_status == selection.approval_status)
        and (selection.version is None or v.version_name == selection.version)
    ]
    if not fitting:
        raise NoVersionMatch(model, selection.describe(), newest_versions_first(versions))
    chosen = max(fitting, key=_version_key)
    if not chosen.uri:
        raise NoVersionMatch(model, selection.describe(), newest_versions_first(versions), without_uri=chosen)
    return chosen
