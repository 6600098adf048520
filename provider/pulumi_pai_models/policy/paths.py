"""The model paths of a PAI-EAS service description, and how two spellings of one location compare.

`alicloud:pai/service:Service` takes the service description EAS documents as a JSON string
(`serviceConfig`). Where it can name a model:

- `model_path`, a processor deployment's model: an OSS path (`oss://bucket/path/`) or an HTTP(S) URL;
- `storage[i].oss.path`, an OSS folder mounted into an image deployment's containers;
- any other string that is an OSS path, wherever it sits (fields EAS adds later, a model in `model_config`'s
  object form...), except `processor_path` (the code of a custom processor, not a model).

Every one of them is a model path to check: a guardrail that skipped an unknown field would let a model through
by moving it there. A mount that is not a model (code, data) is named in the pack's `exemptPrefixes`.

Comparing: the registry writes a version's OSS location with the bucket's endpoint in the host
(`oss://acme.oss-cn-hangzhou.aliyuncs.com/models/1.0.0/`), EAS configs usually without it (`oss://acme/models/1.0.0`,
the endpoint in `oss_endpoint`); both are bucket `acme`, key `models/1.0.0`, and a trailing slash does not matter.
HTTP(S) URLs are compared as written (a trailing slash aside): an HTTP `model_path` passes only when a registry
version's URI is that very URL, since a download URL (often signed, expiring) says nothing about which files it serves.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

__all__ = ["ModelPath", "PathKey", "ServiceConfigError", "model_paths", "path_key", "shared_prefix"]

#: An OSS host with its endpoint: `bucket.oss-<region>[-internal].aliyuncs.com` (also `oss-accelerate`, ...).
_OSS_ENDPOINT_HOST = re.compile(r"^(?P<bucket>[^.]+)\.oss[-.][^/]*aliyuncs\.com$", re.IGNORECASE)
#: Keys whose OSS paths are not models.
NOT_MODEL_KEYS = frozenset({"processor_path"})

#: A location as compared: ("oss", bucket, key segments) or (scheme, host, path segments) for a URL.
PathKey = tuple[str, str, tuple[str, ...]]


class ServiceConfigError(ValueError):
    """The service config is not a JSON object, so its model paths cannot be read."""


@dataclass(frozen=True)
class ModelPath:
    """A model path found in a service config: the value as written and where it sits (`model_path`, `storage[0].oss.path`)."""

    value: str
    where: str

    @property
    def key(self) -> PathKey:
        return path_key(self.value)


def path_key(uri: str) -> PathKey:
    """How a location compares: `oss://acme.oss-cn-hangzhou.aliyuncs.com/m/1/` and `oss://acme/m/1` are the same key."""
    text = uri.strip()
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    segments = tuple(s for s in parts.path.split("/") if s)
    if scheme == "oss":
        host = parts.netloc
        endpoint = _OSS_ENDPOINT_HOST.match(host)
        return ("oss", (endpoint.group("bucket") if endpoint else host).lower(), segments)
    if scheme in ("http", "https"):
        path = segments + ((f"?{parts.query}",) if parts.query else ())
        return (scheme, parts.netloc.lower(), path)
    return ("", "", (text.rstrip("/"),))  # not a URL: equal only to the same text


def shared_prefix(a: PathKey, b: PathKey) -> int:
    """How many leading parts (the bucket or host, then each folder) two locations share; 0 across schemes or buckets."""
    if a[:2] != b[:2]:
        return 0
    count = 1
    for x, y in zip(a[2], b[2], strict=False):  # the shorter one ends the shared part
        if x != y:
            break
        count += 1
    return count


def model_paths(service_config: str) -> list[ModelPath]:
    """Every model path in an EAS service description (a JSON string), in document order, each location once.

    Raises `ServiceConfigError` when it is not a JSON object.
    """
    try:
        document = json.loads(service_config)
    except (TypeError, ValueError) as error:
        raise ServiceConfigError(f"is not JSON ({error})") from None
    if not isinstance(document, dict):
        raise ServiceConfigError(f"is a JSON {type(document).__name__}, not an object")
    found: list[ModelPath] = []
    seen: set[PathKey] = set()
    for where, value in _strings(document, ""):
        if not value.strip() or not (where == "model_path" or value.strip().lower().startswith("oss://")):
            continue
        path = ModelPath(value, where)
        if path.key not in seen:
            seen.add(path.key)
            found.append(path)
    return found


def _strings(value: Any, where: str) -> Iterator[tuple[str, str]]:
    """(JSON path, string) for every string in `value`, skipping the keys that hold no model."""
    if isinstance(value, str):
        yield where, value
    elif isinstance(value, dict):
        for key, item in value.items():
            if key in NOT_MODEL_KEYS:
                continue
            yield from _strings(item, f"{where}.{key}" if where else str(key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _strings(item, f"{where}[{i}]")
