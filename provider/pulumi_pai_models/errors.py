"""The errors this package raises, one hierarchy for every layer.

    PaiModelsError
    ├── ConfigurationError   settings are missing or contradict each other (region, endpoint, credentials)
    ├── InvalidQuery         a lookup argument is wrong; raised before any API call
    ├── ApiError             PAI answered with an error, or could not be reached, after retries
    │   └── ListingChanged   the catalog changed while its pages were read; retrying the lookup helps
    └── LookupFailed         the API answered, but the answer does not give one model and version
        ├── NoMatch          nothing matched
        │   ├── NoModelMatch     no model matched the query
        │   ├── NoVersionMatch   the model has no version that fits the selection (or one without a Uri)
        │   └── LockedVersionGone  a locked lookup's model or version is no longer in the registry
        └── AmbiguousMatch   several models matched and `most_recent` was not set

Each error carries the facts it is about as fields and words its message from them in the terms of
a front door (`explain(door)`, the doors of `doors`): `str(error)` is in the Python API's terms
(`doors.PYTHON`: keyword arguments, `Settings(...)`, the stack config a Python program reads); the
command line and the provider plugin pass their own door (flags; schema names and `pai-models:*` config).
Messages never contain credentials: they are built from the query, the API's error code, message
and request id, none of which carry a secret.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .contract import ARGUMENTS
from .doors import PYTHON, Door
from .types import Model, ModelVersion, format_time

__all__ = [
    "MAX_CANDIDATES_SHOWN",
    "AmbiguousMatch",
    "ApiError",
    "ConfigurationError",
    "InvalidQuery",
    "ListingChanged",
    "LockedVersionGone",
    "LookupFailed",
    "NoMatch",
    "NoModelMatch",
    "NoVersionMatch",
    "PaiModelsError",
    "describe_versions",
    "on_one_line",
]

#: Another argument named in a message's text: `{approval_status}`.
_ARGUMENT_IN_TEXT = re.compile(r"\{([a-z_]+)\}")
_ARGUMENTS = frozenset(a.name for a in ARGUMENTS)
#: How many candidates an AmbiguousMatch names.
MAX_CANDIDATES_SHOWN = 5


def on_one_line(text: str) -> str:
    """`text` on one line, its runs of whitespace (an API's message may carry newlines) made single spaces: how every
    door reports a failure."""
    return " ".join(text.split())


class PaiModelsError(Exception):
    """Base class of every error raised by pulumi-pai-models."""

    def explain(self, door: Door) -> str:
        """The message in a front door's terms (an error that names nothing the user writes says the same to all)."""
        return str(self)

    def one_line(self, door: Door) -> str:
        """The message as a door reports a failure: `invalid modelName: ...` for a bad argument, else with the class."""
        return on_one_line(f"{type(self).__name__}: {self.explain(door)}")


class ConfigurationError(PaiModelsError):
    """Settings are missing, unknown or contradict each other.

    `setting` names the setting at fault (a `contract.SETTINGS` name, "credentials", or an unknown config key),
    `missing` says it is not set anywhere (then the message says where the door sets it), and `detail` is what
    the underlying library said, if anything. A bad value's message names where it came from (`stack config
    pai-models:endpoint`, `--endpoint`), which is already in the door's terms.
    """

    def __init__(self, message: str = "", *, setting: str | None = None, missing: bool = False, detail: str | None = None):
        self.setting = setting
        self.missing = missing
        self.detail = detail
        self._message = message
        super().__init__(self.explain(PYTHON))

    def explain(self, door: Door) -> str:
        if self.missing and self.setting == "region":
            return f"no PAI region or endpoint: set the region with {door.where('region')}; or an endpoint with {door.where('endpoint')}"
        if self.missing and self.setting == "credentials":
            detail = f" ({self.detail})" if self.detail else ""
            return (
                f"no Alibaba Cloud credentials: set {door.where('access_key_id', 'access_key_secret')}; or a profile, RAM role "
                f"or OIDC token that Alibaba's default credential chain finds{detail}"
            )
        return self._message


class InvalidQuery(PaiModelsError, ValueError):
    """A lookup argument is not valid. `parameter` names it, `allowed` says what would be; in either text, another
    argument is written `{approval_status}`, which each door words in its own terms."""

    def __init__(self, parameter: str, problem: str, allowed: str | None = None):
        self.parameter = parameter
        self._problem = problem
        self._allowed = allowed
        super().__init__(self.explain(PYTHON))

    @property
    def argument(self) -> str:
        """The argument at fault (the head of `parameter`: `conditions` for `conditions.value`)."""
        return self.parameter.split(".")[0]

    @property
    def problem(self) -> str:
        """What is wrong, in the Python API's terms."""
        return _in_terms(self._problem, PYTHON)

    @property
    def allowed(self) -> str | None:
        """What would be allowed, in the Python API's terms (None when it goes without saying)."""
        return None if self._allowed is None else _in_terms(self._allowed, PYTHON)

    def explain(self, door: Door) -> str:
        text = f"invalid {door.argument(self.parameter)}: {_in_terms(self._problem, door)}"
        return text + (f" (allowed: {_in_terms(self._allowed, door)})" if self._allowed else "")

    def one_line(self, door: Door) -> str:
        return on_one_line(self.explain(door))


def _in_terms(text: str, door: Door) -> str:
    """`text` with each argument written `{name}` worded as `door` names it."""
    return _ARGUMENT_IN_TEXT.sub(lambda found: door.argument(found.group(1)) if found.group(1) in _ARGUMENTS else found.group(0), text)


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
        if request_id:
            parts.append(f"request id {request_id}")
        text = ", ".join(parts) + f": {message}"
        if attempts > 1:
            text += f" (after {attempts} attempts)"
        super().__init__(text)


class ListingChanged(ApiError):
    """The catalog changed while its pages were being read, so the listing would have a gap or a duplicate."""


class LookupFailed(PaiModelsError):
    """The API answered, but the answer does not give exactly one model and version."""


class NoMatch(LookupFailed):
    """Nothing matched: no model (`NoModelMatch`) or no version of the model (`NoVersionMatch`)."""


class NoModelMatch(NoMatch):
    """No model matches the query: `asked` is the query in the API's words; `own_models` says no provider was given,
    so only the caller's own models were listed."""

    def __init__(self, asked: str, *, own_models: bool):
        self.asked = asked
        self.own_models = own_models
        super().__init__(self.explain(PYTHON))

    def explain(self, door: Door) -> str:
        hint = ""
        if self.own_models:
            provider = door.argument("provider")
            hint = f" (without {provider}, PAI lists only your own models; {door.assign('provider', 'pai')}: its public ones)"
        return f"no model matches {self.asked}{hint}. Change the filters ({door.exact_name} asks for an exact name) and try again."


class NoVersionMatch(NoMatch):
    """`model` has no version that fits (`wanted` says which would: `version '1.0.0'`; `versions` are those it has),
    or the one that fits has no Uri."""

    def __init__(self, model: Model, wanted: str, versions: Sequence[ModelVersion], *, without_uri: ModelVersion | None = None):
        self.model = model
        self.wanted = wanted
        self.versions = list(versions)
        self.without_uri = without_uri
        super().__init__(f"model {self.model_label}: {self.problem}")

    @property
    def model_label(self) -> str:
        """`m-123 ('fraud-detector')`."""
        return f"{self.model.model_id} ({self.model.model_name!r})"

    @property
    def problem(self) -> str:
        """What is missing and what exists, without naming the model."""
        if self.without_uri is not None:
            return f"version {self.without_uri.version_name!r} has no Uri: register its files before deploying it"
        if not self.versions:
            return "it has no versions: register one before deploying it"
        return f"there is no {self.wanted}; its versions: {describe_versions(self.versions)}"


class LockedVersionGone(NoMatch):
    """A locked lookup's version (or its model) is no longer in the registry; `move_hint` says how to move the lock."""

    def __init__(self, model_id: str, model_name: str, version_name: str, move_hint: str):
        self.model_id = model_id
        self.model_name = model_name
        self.version_name = version_name
        self.move_hint = move_hint
        super().__init__(
            f"ModelLookup is locked to version {version_name!r} of model {model_id} ({model_name!r}), which is no longer in "
            f"the registry (the version or the model was deleted). Nothing was switched; to move the lock: {move_hint}"
        )


def describe_versions(versions: Sequence[ModelVersion], limit: int = 10) -> str:
    """`1.2.0 (Approved), 1.1.0 (Pending)`, newest first as given, and how many more."""
    shown = ", ".join(f"{v.version_name} ({v.approval_status or 'no approval status'})" for v in versions[:limit])
    return shown + (f" and {len(versions) - limit} more" if len(versions) > limit else "")


class AmbiguousMatch(LookupFailed):
    """More than one model matched a lookup that needs one (`asked`: the query in the API's words). `candidates` are the
    newest few, newest first."""

    def __init__(self, asked: str, count: int, candidates: Sequence[Model]):
        self.asked = asked
        self.count = count
        self.candidates = list(candidates)
        super().__init__(self.explain(PYTHON))

    def explain(self, door: Door) -> str:
        narrow = ", ".join([door.exact_name, *(door.argument(name) for name in ("tags", "conditions", "name_regex"))])
        return f"{self.summary}. Narrow the query ({narrow}) or {door.switch_on('most_recent')} to take the newest."

    @property
    def summary(self) -> str:
        """How many models match the query, and the first few of them."""
        shown = "; ".join(
            f"{m.model_id} {m.model_name!r} created {format_time(m.gmt_create_time, 'unknown')}"
            for m in self.candidates
        )
        more = f" and {self.count - len(self.candidates)} more" if self.count > len(self.candidates) else ""
        return f"{self.count} models match {self.asked}: {shown}{more}"
