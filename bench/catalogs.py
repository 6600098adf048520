"""Synthetic catalogs for the benchmark: compact models, all with Provider "pai".

Each model is what a ListModels page carries for a public model, kept small on purpose (a few
short fields and one LatestVersion with a Uri), so that catalog building and the emulator's own
work stay cheap next to what is measured. Names are `synthetic-NNNNNN`, so an exact lookup is
`model_name='"synthetic-000042"'`. Creation times are distinct and increase with the index, so the
API's default order (GmtCreateTime ascending, ties by ModelId) is the index order.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

__all__ = ["PROVIDER", "make_catalog", "make_models", "model_name"]

PROVIDER = "pai"
_EPOCH = datetime(2024, 1, 1, tzinfo=timezone.utc)
_DOMAINS = ("nlp", "cv", "audio", "multimodal")


def model_name(i: int) -> str:
    """The name of the i-th synthetic model."""
    return f"synthetic-{i:06d}"


def _stamp(i: int) -> str:
    return (_EPOCH + timedelta(minutes=i)).strftime("%Y-%m-%dT%H:%M:%SZ")


def make_models(count: int, *, provider: str = PROVIDER) -> list[dict]:
    """`count` compact models with distinct ids, names and creation times."""
    models = []
    for i in range(count):
        created = _stamp(i)
        models.append(
            {
                "ModelId": f"bench-{i:06d}",
                "ModelName": model_name(i),
                "Provider": provider,
                "Domain": _DOMAINS[i % len(_DOMAINS)],
                "GmtCreateTime": created,
                "LatestVersion": {"VersionName": "1.0.0", "Uri": f"oss://bench/{i:06d}/1.0.0/", "GmtCreateTime": created},
            }
        )
    return models


def make_catalog(count: int, *, provider: str = PROVIDER) -> dict:
    """A catalog (`{"Models": [...]}`) of `count` compact models."""
    return {"Models": make_models(count, provider=provider)}
