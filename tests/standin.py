"""A stand-in deployment resource for engine tests: records the model path it receives.

It plays the part of an EAS service (pulumi_alicloud.pai.Service), whose plugin cannot be had here.
Its provider runs in the engine's provider process, so this module must be importable there:
the engine tests put this folder on PYTHONPATH.
"""

from __future__ import annotations

import json
import os

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, ResourceProvider, UpdateResult


class _RecorderProvider(ResourceProvider):
    serialize_as_secret_always = False

    def _record(self, props):
        with open(props["record_file"], "a", encoding="utf-8") as out:
            out.write(json.dumps({"model_path": props["model_path"]}) + "\n")

    def create(self, props):
        self._record(props)
        return CreateResult(f"deployment-{os.getpid()}", dict(props))

    def diff(self, _id, olds, news):
        changed = [k for k in ("model_path", "record_file") if olds.get(k) != news.get(k)]
        return DiffResult(changes=bool(changed), replaces=[])

    def update(self, _id, _olds, news):
        self._record(news)
        return UpdateResult(dict(news))

    def delete(self, _id, _props):
        pass


class RecordedDeployment(pulumi.dynamic.Resource, module="tests", name="RecordedDeployment"):
    """Appends every model path it is created or updated with to `record_file` (one JSON line each)."""

    model_path: pulumi.Output[str]

    def __init__(self, name: str, model_path: pulumi.Input[str], record_file: str, opts=None):
        super().__init__(_RecorderProvider(), name, {"model_path": model_path, "record_file": record_file}, opts)


def recorded(record_file: str) -> list[str]:
    """The model paths recorded so far, oldest first."""
    if not os.path.exists(record_file):
        return []
    with open(record_file, encoding="utf-8") as f:
        return [json.loads(line)["model_path"] for line in f if line.strip()]
