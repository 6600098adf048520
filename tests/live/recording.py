"""Recorded PAI answers: deterministic redaction, the files under tests/recordings/, shapes and their comparison.

A recording is the suite's raw calls (`target.Call`) with what came back, redacted so that nothing
account-specific is kept and the same input always gives the same file (small diffs on a refresh):

- every `RequestId` becomes "<RequestId>";
- every value under a key ending in `Id` or `Ids` (ModelId, WorkspaceId, OwnerId, UserId, SourceId, HostId, ...)
  becomes "<Key-N>" (a number stays a number, N), N counted per key in order of first appearance; the same value
  gets the same placeholder everywhere, path parameters and query values included;
- in the account's own models (scope "own"), every other text too, except timestamps (Gmt*) and the API's
  enumerations (KEPT_KEYS): names, descriptions, URIs, tags and labels;
- last, any redacted id found inside another text (a request id in an error's `Recommend` link, an
  account id inside a URI) is replaced there as well.

Parity compares shapes, LocalStack-style: objects by their key sets, values by JSON type, recursively; the
elements of a list merged into one shape (keys of any element, the types seen at each key).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

RECORDINGS = Path(__file__).resolve().parent.parent / "recordings"
#: Texts kept in the account's own models: the API's enumerations, and an error's code.
KEPT_KEYS = frozenset({"Provider", "Domain", "Task", "Origin", "ModelType", "Accessibility", "ApprovalStatus", "FormatType",
                       "FrameworkType", "SourceType", "Code"})  # fmt: skip
#: Query parameters kept as asked in either scope: paging, order, and which public provider.
QUERY_KEPT = frozenset({"PageNumber", "PageSize", "Order", "SortBy", "Provider"})
_ID_KEY = re.compile(r"Ids?$")


class Redactor:
    """Replaces account-specific values by stable placeholders, the same value by the same placeholder everywhere."""

    def __init__(self) -> None:
        self.mapping: dict[Any, Any] = {}  # value -> its placeholder (a number for a number)
        self.id_texts: dict[str, str] = {}  # an id or request id as text -> its placeholder as text, for `scrub`
        self._counts: dict[str, int] = {}

    def placeholder(self, key: str, value: Any) -> Any:
        if value not in self.mapping:
            if key == "RequestId":
                self.mapping[value] = "<RequestId>"
            else:
                self._counts[key] = n = self._counts.get(key, 0) + 1
                self.mapping[value] = n if isinstance(value, int) and not isinstance(value, bool) else f"<{key}-{n}>"
            if key == "RequestId" or _ID_KEY.search(key):
                self.id_texts[str(value)] = "<RequestId>" if key == "RequestId" else f"<{key}-{self._counts[key]}>"
        return self.mapping[value]

    def _value(self, key: str, value: Any, own: bool) -> Any:
        if isinstance(value, dict):
            return {k: self._value(k, v, own) for k, v in value.items()}
        if isinstance(value, list):
            return [self._value(key, v, own) for v in value]
        if value is None or isinstance(value, bool) or value == "":
            return value
        if _ID_KEY.search(key) or key == "RequestId":
            return self.placeholder(key, value)
        if own and isinstance(value, str) and key not in KEPT_KEYS and not key.startswith("Gmt"):
            return self.placeholder(key, value)
        return value

    def call(self, call: dict[str, Any]) -> dict[str, Any]:
        """One recorded call, redacted (its request first, so that the ids it asks for number first)."""
        own = call["scope"] == "own"
        query = {k: self._query_value(k, v, own) for k, v in call["query"].items()}
        params = {k: self.placeholder(k, v) if own or _ID_KEY.search(k) else v for k, v in call["params"].items()}
        return {**call, "params": params, "query": query, "body": self._value("", call["body"], own)}

    def _query_value(self, key: str, value: str, own: bool) -> str:
        if _ID_KEY.search(key):
            return str(self.placeholder(key, value))
        if key in QUERY_KEPT or not own:
            return value
        quoted = len(value) > 2 and value.startswith('"') and value.endswith('"')  # the exact-name form
        inner = value[1:-1] if quoted else value
        if not own:  # a public name, as asked
            return value
        return f'"{self.placeholder(key, inner)}"' if quoted else str(self.placeholder(key, inner))

    def scrub(self, data: Any) -> Any:
        """Redacted ids (of 5 characters or more) found inside other texts, replaced there too, longest first."""
        pairs = sorted(((k, v) for k, v in self.id_texts.items() if len(k) >= 5), key=lambda kv: (-len(kv[0]), kv[0]))
        return _map_strings(data, lambda text: _replace_all(text, pairs))


def _replace_all(text: str, pairs: list[tuple[str, str]]) -> str:
    for old, new in pairs:
        if old in text and old != new:
            text = text.replace(old, new)
    return text


def _map_strings(data: Any, fn: Any) -> Any:
    if isinstance(data, dict):
        return {fn(k) if isinstance(k, str) else k: _map_strings(v, fn) for k, v in data.items()}
    if isinstance(data, list):
        return [_map_strings(v, fn) for v in data]
    return fn(data) if isinstance(data, str) else data


def redact(calls: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The calls with everything account-specific replaced, deterministically."""
    redactor = Redactor()
    done = [redactor.call(c) for c in calls]
    return [redactor.scrub(c) for c in done]


def save(path: Path, recorded_from: str, calls: Iterable[dict[str, Any]], note: str) -> None:
    """Write a recording: where it was made (`emulator` or `real PAI`), a note, the redacted calls."""
    data = {"recorded_from": recorded_from, "note": note, "calls": redact(calls)}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1, sort_keys=False) + "\n", encoding="utf-8")


def load_all() -> dict[str, dict[str, Any]]:
    """Every recording under tests/recordings/, by file name."""
    return {p.name: json.loads(p.read_text(encoding="utf-8")) for p in sorted(RECORDINGS.glob("*.json"))}


# -- shapes --------------------------------------------------------------------------------------------------------


def shape(value: Any) -> Any:
    """The shape of a JSON value: {"object": {key: shape}}, {"array": shape of the merged elements or None}, or a type name."""
    if isinstance(value, dict):
        return {"object": {k: shape(v) for k, v in sorted(value.items())}}
    if isinstance(value, list):
        merged: Any = None
        for item in value:
            merged = merge(merged, shape(item))
        return {"array": merged}
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    return "string"


def merge(a: Any, b: Any) -> Any:
    """One shape that covers both: objects by the union of their keys, other differences as a sorted list of alternatives."""
    if a is None or a == b:
        return b
    if b is None:
        return a
    if isinstance(a, dict) and isinstance(b, dict) and "object" in a and "object" in b:
        keys = sorted(set(a["object"]) | set(b["object"]))
        return {"object": {k: merge(a["object"].get(k), b["object"].get(k)) for k in keys}}
    if isinstance(a, dict) and isinstance(b, dict) and "array" in a and "array" in b:
        return {"array": merge(a["array"], b["array"])}
    alternatives = (a if isinstance(a, list) else [a]) + (b if isinstance(b, list) else [b])
    unique = {json.dumps(x, sort_keys=True): x for x in alternatives}
    return [unique[k] for k in sorted(unique)]


def differences(expected: Any, actual: Any, where: str = "$") -> list[str]:
    """Where two shapes differ, as lines naming the JSON path: keys only one side has, types that differ."""
    if expected == actual:
        return []
    if isinstance(expected, dict) and isinstance(actual, dict) and "object" in expected and "object" in actual:
        found = []
        for key in sorted(set(expected["object"]) | set(actual["object"])):
            if key not in actual["object"]:
                found.append(f"{where}.{key}: in the recording, missing from the emulator's answer")
            elif key not in expected["object"]:
                found.append(f"{where}.{key}: in the emulator's answer, not in the recording")
            else:
                found += differences(expected["object"][key], actual["object"][key], f"{where}.{key}")
        return found
    if isinstance(expected, dict) and isinstance(actual, dict) and "array" in expected and "array" in actual:
        if expected["array"] is None or actual["array"] is None:
            side = "the recording's" if expected["array"] is None else "the emulator's"
            return [f"{where}[]: {side} list is empty, the other is not"]
        return differences(expected["array"], actual["array"], f"{where}[]")
    return [f"{where}: {json.dumps(expected)} in the recording, {json.dumps(actual)} from the emulator"]


# -- the emulator catalog a recording implies ----------------------------------------------------------------------


def catalog_of(calls: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """A catalog holding every model and version the recorded answers show, as fully as any answer shows it."""
    models: dict[str, dict[str, Any]] = {}
    versions: dict[str, dict[str, dict[str, Any]]] = {}

    def fold(model: dict[str, Any]) -> None:
        known = models.setdefault(model["ModelId"], {})
        known.update({k: v for k, v in model.items() if k != "RequestId"})

    for call in calls:
        body = call["body"]
        if call["status"] != 200 or not isinstance(body, dict):
            continue
        if call["action"] == "ListModels":
            for model in body.get("Models") or []:
                fold(model)
        elif call["action"] == "GetModel":
            fold(body)
        elif call["action"] in ("ListModelVersions", "GetModelVersion"):
            found = body.get("Versions") or [] if call["action"] == "ListModelVersions" else [body]
            for version in found:
                slot = versions.setdefault(call["params"]["ModelId"], {})
                slot.setdefault(version["VersionName"], {}).update({k: v for k, v in version.items() if k != "RequestId"})
    for model_id, named in versions.items():
        if model_id in models:
            models[model_id]["Versions"] = list(named.values())
    return {"Models": list(models.values())}
