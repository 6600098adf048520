"""The errors this package raises, one hierarchy for every layer.

    PaiModelsError
    ├── ConfigurationError   settings are missing or contradict each other (region, endpoint, credentials)
    ├── InvalidQuery         a lookup argument is wrong; raised before any API call
    ├── ApiError             PAI answered with an error, or could not be reached, after retries
    │   └── ListingChanged   the catalog changed while its pages were read; retrying the lookup helps
    └── LookupFailed         the API answered, but the answer does not give one model and version
        ├── NoMatch          nothing matched the query (or no version matched the selection)
        └── AmbiguousMatch   several models matched and `most_recent` was not set

Messages never contain credentials: they are built from the query, the API's error code, message
and request id, none of which carry a secret.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = [
    "AmbiguousMatch",
    "ApiError",
    "ConfigurationError",
    "InvalidQuery",
    "ListingChanged",
    "LookupFailed",
    "NoMatch",
    "PaiModelsError",
]


class PaiModelsError(Exception):
    """Base class of every error raised by pulumi-pai-models."""


class ConfigurationError(PaiModelsError):
    """Settings are missing or contradict each other."""


class InvalidQuery(PaiModelsError, ValueError):
    """A lookup argument is not valid. `parameter` names it, `allowed` says what would be."""

    def __init__(self, parameter: str, problem: str, allowed: str | None = None):
        self.parameter = parameter
        self.problem = problem
        self.allowed = allowed
        text = f"invalid {parameter}: {problem}"
        if allowed:
            text += f" (allowed: {allowed})"
        super().__init__(text)


class ApiError(PaiModelsError):
    """PAI answered an API call with an error, or the call could not complete."""

    def __init__(
        self,
        call: str,
        message: str,
        *,
        code: str | None = None,
        status_code: int | None = None,
        request_id: str | None = None,
        attempts: int = 1,
    ):
        self.call = call
        self.code = code
        self.api_message = message
        self.status_code = status_code
        self.request_id = request_id
        self.attempts = attempts
        parts = [f"{call} failed"]
        if status_code is not None:
            parts.append(f"HTTP {status_code}")
        parts.append(f"code {code or 'unknown'}")
        parts.append(f"request id {request_id or 'none'}")
        text = ", ".join(parts) + f": {message}"
        if attempts > 1:
            text += f" (after {attempts} attempts)"
        super().__init__(text)


class ListingChanged(ApiError):
    """The catalog changed while its pages were being read, so the listing would have a gap or a duplicate."""


class LookupFailed(PaiModelsError):
    """The API answered, but the answer does not give exactly one model and version."""


class NoMatch(LookupFailed):
    """Nothing matched. `query` is the description of what was asked."""

    def __init__(self, message: str, query: str = ""):
        self.query = query
        super().__init__(message)


class AmbiguousMatch(LookupFailed):
    """More than one model matched a lookup that needs one."""

    def __init__(self, message: str, count: int, candidates: Sequence[Any] = ()):
        self.count = count
        self.candidates = list(candidates)
        super().__init__(message)
