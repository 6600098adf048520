"""What is picked: the rules that turn a list of models and versions into one model and one version.

Pure functions, no API calls:
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

from .errors import AmbiguousMatch, InvalidQuery, NoMatch
from .query import ModelQuery, text_argument
from .types import Model, ModelVersion

__all__ = ["APPROVAL_STATUSES", "MAX_CANDIDATES_SHOWN", "Selection", "newest_first", "pick_model", "pick_version"]

APPROVAL_STATUSES = ("Approved", "Pending", "Rejected")
MAX_CANDIDATES_SHOWN = 5
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


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
            if not version.strip() or len(version) > 256:
                raise InvalidQuery("version", f"{version[:80]!r} is not a version name", "a non-empty name such as 0.2.0")
        if approval_status is not None:
            approval_status = text_argument("approval_status", approval_status, allow_empty=False)
            matched = [s for s in APPROVAL_STATUSES if s.lower() == approval_status.strip().lower()]
            if not matched:
                raise InvalidQuery("approval_status", f"{approval_status[:40]!r} is not an approval status", ", ".join(APPROVAL_STATUSES))
            approval_status = matched[0]
        if version is not None and approval_status is not None:
            raise InvalidQuery(
                "version", "cannot be combined with approval_status", "either version (one exact version) or approval_status (the newest with it)"
            )
        return cls(most_recent=most_recent, version=version, approval_status=approval_status)

    def describe(self) -> str:
        """The version rule in words, for messages."""
        if self.version is not None:
            return f"version {self.version!r}"
        if self.approval_status is not None:
            return f"the newest version with ApprovalStatus {self.approval_status}"
        return "the latest version"


def _natural(text: str) -> tuple:
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"(\d+)", text) if part)


def _model_key(model: Model) -> tuple:
    return (model.gmt_create_time or _EPOCH, model.model_id)


def newest_first(models: Sequence[Model]) -> list[Model]:
    """Models sorted newest GmtCreateTime first, ties by greatest ModelId."""
    return sorted(models, key=_model_key, reverse=True)


def pick_model(models: Sequence[Model], query: ModelQuery, most_recent: bool) -> Model:
    """The one model a lookup means, or `NoMatch` / `AmbiguousMatch` saying why not."""
    if not models:
        raise NoMatch(
            f"no model matches {query.describe()}. Your query returned no results: change the filters "
            "(a quoted model_name is an exact match; Provider empty means your own models only) and try again.",
            query.describe(),
        )
    if len(models) == 1:
        return models[0]
    ordered = newest_first(models)
    if most_recent:
        return ordered[0]
    shown = ordered[:MAX_CANDIDATES_SHOWN]
    lines = "; ".join(
        f"{m.model_id} {m.model_name!r} created {m.gmt_create_time.isoformat() if m.gmt_create_time else 'unknown'}" for m in shown
    )
    more = f" and {len(models) - len(shown)} more" if len(models) > len(shown) else ""
    raise AmbiguousMatch(
        f"{len(models)} models match {query.describe()}: {lines}{more}. Narrow the query (an exact name in double "
        'quotes such as \'"my-model"\', tags, conditions, name_regex) or set most_recent=True to take the newest.',
        len(models),
        shown,
    )


def pick_version(versions: Sequence[ModelVersion], model: Model, selection: Selection) -> ModelVersion:
    """The newest of `versions` that fits `selection`, or `NoMatch` naming the model and the rule."""
    fitting = [
        v
        for v in versions
        if (selection.approval_status is None or v.approval_status == selection.approval_status)
        and (selection.version is None or v.version_name == selection.version)
    ]
    if not fitting:
        where = f" among its {len(versions)} version(s)" if versions else ""
        if not versions and selection.version is None:
            where = ": it has no versions"
        raise NoMatch(f"model {model.model_id} ({model.model_name!r}) has no {selection.describe()}{where}", model.model_id)
    return max(fitting, key=lambda v: (v.gmt_create_time or _EPOCH, _natural(v.version_name)))
