"""How it is asked: PAI's model registry through Alibaba's SDK, with paging, retries and error mapping.

Every call goes through `alibabacloud_aiworkspace20210204.Client` (request building, ACS3 signing,
transport). This module adds what the SDK does not do for us:
- retries on throttling, 5xx, timeouts, connection errors and unreadable bodies, with capped
  exponential backoff and jitter, honouring `x-acs-retry-after` (the SDK ignores
  `RuntimeOptions.autoretry`, so the policy lives here);
- paging: the first page gives TotalCount, the other pages are fetched concurrently, checked for
  consistency (a catalog that changes mid-listing is re-read, then reported, never silently gapped);
- typed results built from the raw JSON (the SDK's typed models drop unknown fields);
- one mapping from SDK exceptions to `ApiError` / `ConfigurationError`, naming the endpoint tried
  and the setting it came from when PAI cannot be reached.

The query's fields become the SDK's request here (`list_models_request`), by the ListModels names the
contract declares; what PAI returns is handed on unfiltered (the rules after the server are `selection`'s).
"""

from __future__ import annotations

import functools
import gc
import itertools
import json
import logging
import math
import random
import re
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from . import warmup
from ._version import __version__
from .contract import QUERY, arguments
from .errors import ApiError, ConfigurationError, ListingChanged
from .inflight import bound_for
from .internals import notice
from .query import ModelQuery
from .settings import ResolvedSettings, Settings, resolve
from .types import Model, ModelVersion

__all__ = ["NOT_FOUND_CODES", "USER_AGENT", "Listing", "PaiModelsClient", "list_models_request", "sdk_field", "shared_client"]

log = logging.getLogger("pulumi_pai_models")

USER_AGENT = f"pulumi-pai-models/{__version__}"
#: Error codes PAI answers for a model or version that does not exist (as the Terraform provider reads them).
NOT_FOUND_CODES = frozenset({"201900002", "201900003", "ModelNotFound", "ModelVersionNotFound"})
_RETRYABLE_STATUS = frozenset({429, 500, 502, 503, 504})
_LISTING_TRIES = 3
_MAX_RETRY_AFTER_MS = 60_000

T = TypeVar("T", Model, ModelVersion)  # what a list call returns
R = TypeVar("R")


@dataclass(frozen=True)
class Listing(Generic[T]):
    """All items of a paged list call, in the server's order, with what it cost; `ids[i]` is `items[i]`'s identity
    (ModelId, or VersionName), read once while the pages arrived."""

    items: list[T]
    total_count: int
    pages: int
    requests: int
    ids: list[str] = field(default_factory=list, repr=False)


class _RetryableFailure(Exception):
    """An attempt failed in a way that another attempt may fix."""

    def __init__(self, error: ApiError, wait_ms: float | None = None):
        super().__init__(str(error))
        self.error = error
        self.wait_ms = wait_ms


def _sdk_models() -> Any:
    """The SDK's request and response models. Every path into the SDK goes through here or `PaiModelsClient._client`,
    which first wait for a background import of the SDK (`warmup`): two threads importing one package from different
    ends can deadlock on the import locks."""
    warmup.wait()
    from alibabacloud_aiworkspace20210204 import models

    return models


@functools.cache
def _sdk_client_class() -> type[Any]:
    """The SDK client, subclassed once (imported lazily) so each thread can see the raw JSON of its last response."""
    from alibabacloud_aiworkspace20210204.client import Client

    class RawKeepingClient(Client):  # type: ignore[misc]  # the SDK has no type information
        """Alibaba's client; `last_body()` is the raw JSON object of this thread's last call (all four are JSON).

        It overrides `call_api`, the public method every generated `*_with_options` call goes through in the SDK
        versions this package supports. Should a version route a call elsewhere, `last_body()` stays None and the
        caller falls back to the SDK's typed response (`_typed_body`), with one notice: what degrades is that fields
        the SDK does not know are dropped, and a non-JSON answer loses its status and request id.
        """

        _local = threading.local()

        def forget_body(self) -> None:
            self._local.body = None

        def call_api(self, params: Any, request: Any, runtime: Any) -> dict[str, Any]:
            # Read the body here, not in the SDK: when it is not JSON (a truncated answer, a proxy's
            # HTML page) the SDK would drop the response, and with it the status and request id.
            params.body_type = "byte"
            result = super().call_api(params, request, runtime)
            status = result.get("statusCode")
            headers = {str(k).lower(): v for k, v in (result.get("headers") or {}).items()}
            try:
                body = json.loads(bytes(result.get("body") or b"").decode("utf-8"))
            except (UnicodeDecodeError, ValueError, RecursionError):
                body = None
            if not isinstance(body, dict):
                raise _RetryableFailure(
                    ApiError(
                        params.action,
                        "the response body is not a JSON object (a truncated answer or an HTML page from a proxy?)",
                        code="InvalidResponse",
                        status_code=status,
                        request_id=headers.get("x-acs-request-id"),
                    )
                )
            self._local.body = body
            # The SDK turns what this returns into its typed response, which drops unknown fields and
            # which we never read (results are built from `last_body()`): give it nothing to copy.
            return dict(result, body={})

        def last_body(self) -> dict[str, Any] | None:
            body: dict[str, Any] | None = getattr(self._local, "body", None)
            return body

    return RawKeepingClient


class _CollectorPause:
    """Python's cyclic garbage collector held off, process-wide, while any listing reads its pages (retry waits too).

    Everything a listing allocates lives until it ends, so a collector pass over it finds nothing to free, and the
    full passes its growth triggers (every object of the process: 70-215 ms each at 50,000 models, one or two per
    listing, seen with `gc.callbacks`) stop every thread in the middle of the listing, the page readers included.
    Reference counting still frees what is dropped meanwhile. Listings overlap (threads, a program's lookups): the
    first to start pauses the collector if it is on, the last to end turns it back on if it is still off, so a
    program that turned the collector off itself keeps it off.

    Before it turns the collector back on, the last listing moves what was allocated meanwhile to the oldest
    generation (`gc.freeze()` then `gc.unfreeze()`: a few list splices, no pass over the objects). Else the first
    allocation after it would start a young pass over the whole listing (4-5 ms at 10,000 models, 20-27 ms at
    50,000), which finds nothing to free either. Cycles made meanwhile by other threads wait for the next full pass.
    Not done when the program keeps objects frozen itself (`gc.get_freeze_count()`): unfreezing would undo that.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._listings = 0
        self._paused = False  # whether this turned the collector off (and so must turn it back on)

    def __enter__(self) -> None:
        with self._lock:
            self._listings += 1
            if self._listings == 1 and gc.isenabled():
                gc.disable()
                self._paused = True

    def __exit__(self, *exc: object) -> None:
        with self._lock:
            self._listings -= 1
            if self._listings or not self._paused:
                return
            self._paused = False
            if gc.isenabled():  # the program turned it on meanwhile
                return
            if not gc.get_freeze_count():
                gc.freeze()
                gc.unfreeze()
            gc.enable()


_COLLECTOR_PAUSE = _CollectorPause()


class PaiModelsClient:
    """A client of PAI's model registry. Thread-safe; builds the SDK client at the first call.

    `settings` unset fields are taken from the environment (a Pulumi program's stack config is read by the
    functions and `ModelLookup`, which resolve their settings themselves); resolved settings are used as they are.
    """

    def __init__(self, settings: Settings | None = None, *, sleep: Callable[[float], None] = time.sleep):
        self.settings = resolve(explicit=settings)
        self._sleep = sleep
        self._sdk: Any = None
        self._sdk_lock = threading.Lock()

    # -- public calls ---------------------------------------------------------------------------------

    def list_models(self, query: ModelQuery) -> Listing[Model]:
        """Every model PAI returns for `query`'s server-side filters, de-duplicated, in the server's order."""

        def page(number: int, size: int, owner: object) -> tuple[list[Any], int]:
            request = list_models_request(query, number, size)
            return self._call_page("ListModels", lambda sdk, rt: sdk.list_models_with_options(request, {}, rt), "Models", owner)

        return self._list_all("ListModels", page, Model.from_api, "ModelId")

    def get_model(self, model_id: str) -> Model | None:
        """The model with this id, or None if PAI says it does not exist."""
        pai = _sdk_models()

        body = self._call_not_found_is_none(
            "GetModel", lambda sdk, rt: sdk.get_model_with_options(model_id, pai.GetModelRequest(), {}, rt)
        )
        return None if body is None else Model.from_api(body)

    def list_model_versions(self, model_id: str) -> list[ModelVersion]:
        """Every version of a model, all pages (the picking rules are `selection`'s, applied to all of them)."""
        pai = _sdk_models()

        def page(number: int, size: int, owner: object) -> tuple[list[Any], int]:
            request = pai.ListModelVersionsRequest(page_number=number, page_size=size)
            return self._call_page(
                "ListModelVersions", lambda sdk, rt: sdk.list_model_versions_with_options(model_id, request, {}, rt), "Versions", owner
            )

        return self._list_all("ListModelVersions", page, ModelVersion.from_api, "VersionName").items

    def get_model_version(self, model_id: str, version_name: str) -> ModelVersion | None:
        """One version of a model, or None if PAI says it does not exist."""
        pai = _sdk_models()

        body = self._call_not_found_is_none(
            "GetModelVersion",
            lambda sdk, rt: sdk.get_model_version_with_options(model_id, version_name, pai.GetModelVersionRequest(), {}, rt),
        )
        return None if body is None else ModelVersion.from_api(body)

    # -- paging ---------------------------------------------------------------------------------------

    def _list_all(
        self, call: str, fetch: Callable[[int, int, object], tuple[list[Any], int]], parse: Callable[[Any], T], key: str
    ) -> Listing[T]:
        """Read every page: the first alone (it gives TotalCount), the rest concurrently; retry if it shifted.

        Each page is parsed (`parse`) and its identities (the JSON field `key`) read in the thread that fetched
        it, and joined to the list as soon as the pages before it are in, so that this work overlaps with the
        other pages' round trips instead of following the last one. The garbage collector waits meanwhile
        (`_COLLECTOR_PAUSE`).
        """
        size = self.settings.page_size

        def read(number: int, owner: object) -> _Page[T]:
            items, total = fetch(number, size, owner)
            return _Page([parse(item) for item in items], _identities(items, key), total)

        requests = 0
        problem = None
        for attempt in range(1, _LISTING_TRIES + 1):
            owner = object()  # this read's turn in the process-wide bound on requests in flight
            with _COLLECTOR_PAUSE:
                first = read(1, owner)
                requests += 1
                joined: _Joined[T] = _Joined(first.total)
                joined.add(1, first)
                pages = max(1, math.ceil(first.total / size))
                if pages > 1:
                    workers = min(self.settings.max_concurrency, pages - 1)
                    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="pai-page") as pool:
                        arriving = pool.map(read, range(2, pages + 1), itertools.repeat(owner))
                        for number, page in enumerate(arriving, start=2):  # in page order, each as soon as it is in
                            joined.add(number, page)
                    requests += pages - 1
            problem = joined.problem()
            if problem is None:
                return Listing(joined.items, first.total, pages, requests, joined.ids)
            log.warning("%s: %s; reading the list again (try %d of %d)", call, problem, attempt, _LISTING_TRIES)
        raise ListingChanged(
            call,
            f"the list changed while it was read ({problem}) {_LISTING_TRIES} times in a row; retry the lookup "
            "when the catalog is not being changed",
            code="ListingChanged",
            attempts=_LISTING_TRIES,
        )

    # -- one call, with retries -------------------------------------------------------------------------

    def _call(
        self, call: str, invoke: Callable[[Any, Any], Any], read: Callable[[dict[str, Any]], R], owner: object | None = None
    ) -> R:
        """Run one SDK call with the retry policy; `read` checks the raw JSON body (an ApiError from it is retried).

        Each attempt holds a slot of the process-wide bound (`inflight`) while it is on the wire, in `owner`'s
        turn (its listing's); a wait between attempts holds none.
        """
        sdk = self._client()  # first: it waits for a background import of the SDK (`warmup`)
        from darabonba.runtime import RuntimeOptions

        bound = bound_for(self.settings.url, self.settings.max_in_flight)
        turn = object() if owner is None else owner
        runtime = RuntimeOptions(read_timeout=self.settings.read_timeout_ms, connect_timeout=self.settings.connect_timeout_ms)
        attempts = self.settings.max_attempts
        for attempt in range(1, attempts + 1):
            failed: ApiError
            wait_ms: float | None
            try:
                sdk.forget_body()
                with bound.slot(turn):
                    response = invoke(sdk, runtime)
                body = sdk.last_body()
                try:
                    return read(body if body is not None else _typed_body(call, response))
                except ApiError as unreadable:  # e.g. a body without its list: worth another attempt
                    raise _RetryableFailure(unreadable) from None
            except _RetryableFailure as failure:
                failed, wait_ms = failure.error, failure.wait_ms
            except Exception as exc:  # mapped in one place
                failed, wait_ms = _map_exception(call, exc, self.settings)
                if wait_ms is None and not _is_retryable(failed):
                    raise _with_attempts(failed, attempt) from None
            if attempt == attempts:
                raise _with_attempts(failed, attempt) from None
            delay_ms = self._backoff_ms(attempt, wait_ms)
            log.info("%s failed (%s); retry %d of %d in %.0f ms", call, failed.code, attempt, attempts - 1, delay_ms)
            self._sleep(delay_ms / 1000)
        raise AssertionError("unreachable")

    def _call_page(self, call: str, invoke: Callable[[Any, Any], Any], key: str, owner: object) -> tuple[list[Any], int]:
        """One page of a list call: its items and TotalCount, checked once."""
        return self._call(call, invoke, lambda body: _page_body(call, body, key), owner)

    def _call_not_found_is_none(self, call: str, invoke: Callable[[Any, Any], Any]) -> dict[str, Any] | None:
        try:
            return self._call(call, invoke, _without_request_id)
        except ApiError as error:
            if error.status_code == 404 and error.code in NOT_FOUND_CODES:
                return None
            raise

    def _backoff_ms(self, attempt: int, retry_after_ms: float | None) -> float:
        """Capped exponential backoff with equal jitter; never shorter than the server's retry-after."""
        cap = self.settings.backoff_max_ms
        step = min(cap, self.settings.backoff_base_ms * (2 ** (attempt - 1)))
        delay = step / 2 + random.uniform(0, step / 2)
        if retry_after_ms:
            delay = max(delay, min(float(retry_after_ms), _MAX_RETRY_AFTER_MS))
        return float(delay)

    def _client(self) -> Any:
        warmup.wait()  # before any import from the SDK (see `_sdk_models`)
        with self._sdk_lock:
            if self._sdk is None:
                self._sdk = _sdk_client_class()(self._sdk_config())
            return self._sdk

    def _sdk_config(self) -> Any:
        from alibabacloud_tea_openapi.models import Config

        s = self.settings
        common = {
            "endpoint": s.endpoint,
            "protocol": s.protocol,
            "region_id": s.region,
            "read_timeout": s.read_timeout_ms,
            "connect_timeout": s.connect_timeout_ms,
            "user_agent": USER_AGENT,
            "max_idle_conns": s.max_in_flight,  # the connections kept: as many as can be in flight at once
        }
        if s.has_static_credentials:
            return Config(
                access_key_id=s.access_key_id, access_key_secret=s.access_key_secret, security_token=s.security_token, **common
            )
        try:
            from alibabacloud_credentials.client import Client as CredentialClient

            return Config(credential=CredentialClient(), **common)
        except Exception as exc:
            raise _no_credentials(exc) from None


_SHARED: dict[Settings, PaiModelsClient] = {}
_SHARED_LOCK = threading.Lock()


def shared_client(settings: Settings) -> PaiModelsClient:
    """This process's client for these (resolved) settings: one SDK client and connection pool each."""
    with _SHARED_LOCK:
        client = _SHARED.get(settings)
        if client is None:
            client = _SHARED[settings] = PaiModelsClient(settings)
        return client


# -- the request -------------------------------------------------------------------------------------------


def sdk_field(api_name: str) -> str:
    """The SDK request attribute of a ListModels parameter: `WorkspaceId` -> `workspace_id`, `Tag` -> `tag`."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", api_name).lower()


def list_models_request(query: ModelQuery, page_number: int, page_size: int) -> Any:
    """The SDK's `ListModelsRequest` for one page: each query argument under the ListModels name the contract gives it."""
    pai = _sdk_models()

    values: dict[str, Any] = {}
    for argument in arguments(QUERY):
        value = getattr(query, argument.name)
        if argument.api is None or value is None or value == ():
            continue
        if argument.kind == "string-map":
            value = [pai.ListModelsRequestTag(key=k, value=v) for k, v in value]
        elif argument.kind == "condition-list":
            value = [pai.ListModelsRequestConditions(column=c.column, operator=c.operator, value=c.value) for c in value]
        elif argument.kind == "string-list":
            value = ",".join(value)
        values[sdk_field(argument.api)] = value
    return pai.ListModelsRequest(**values, page_number=page_number, page_size=page_size)


# -- helpers: pages and exceptions ------------------------------------------------------------------------


def _typed_body(call: str, response: Any) -> dict[str, Any]:
    """The answer as the SDK's typed response holds it: the fallback when `call_api` was not where the call went."""
    notice(
        "the SDK's call_api for the raw answer",
        "answers are read from the SDK's typed responses (fields the SDK does not know are dropped)",
    )
    body: Any = getattr(response, "body", None)
    answer = body.to_map() if hasattr(body, "to_map") else None
    if not isinstance(answer, dict):
        raise ApiError(call, "the SDK gave no answer this package can read", code="InvalidResponse")
    return answer


def _page_body(call: str, body: dict[str, Any], key: str) -> tuple[list[Any], int]:
    """(items, TotalCount) of one page, or ApiError (naming the page's request id) if the body lacks them."""
    items = body.get(key)
    total = body.get("TotalCount")
    request_id = body.get("RequestId")
    if not isinstance(items, list):
        raise ApiError(call, f"the response has no {key} list", code="InvalidResponse", status_code=200, request_id=request_id)
    try:
        total = int(total)  # type: ignore[arg-type]  # anything: a failure is reported below
    except (TypeError, ValueError):
        raise ApiError(call, "the response has no TotalCount", code="InvalidResponse", status_code=200, request_id=request_id) from None
    return items, total


@dataclass(frozen=True)
class _Page(Generic[T]):
    """One page as it arrived: its parsed items, their identities, and the TotalCount it gave."""

    items: list[T]
    ids: list[str]
    total: int


def _identities(items: list[Any], key: str) -> list[str]:
    """Each JSON item's identity, its field `key` as text (`Model.model_id`, `ModelVersion.version_name`)."""
    values = [item.get(key) if isinstance(item, dict) else None for item in items]
    return [v if type(v) is str else ("" if v is None else str(v)) for v in values]


class _Joined(Generic[T]):
    """Pages joined in page order as they arrive, repeats dropped; says what is inconsistent, if anything."""

    def __init__(self, total: int):
        self.total = total
        self.items: list[T] = []
        self.ids: list[str] = []
        self._seen: set[str] = set()
        self._changed: str | None = None

    def add(self, number: int, page: _Page[T]) -> None:
        if self._changed is not None:
            return
        if page.total != self.total:
            self._changed = f"TotalCount went from {self.total} to {page.total} at page {number}"
            return
        seen = self._seen
        if seen.isdisjoint(page.ids) and len(set(page.ids)) == len(page.ids):  # the usual case, at C speed
            seen.update(page.ids)
            self.items += page.items
            self.ids += page.ids
            return
        for ident, item in zip(page.ids, page.items, strict=True):
            if ident not in seen:
                seen.add(ident)
                self.items.append(item)
                self.ids.append(ident)

    def problem(self) -> str | None:
        if self._changed is not None:
            return self._changed
        if len(self.items) != self.total:
            return f"{len(self.items)} distinct items arrived but TotalCount is {self.total}"
        return None


def _without_request_id(body: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k != "RequestId"}


def _is_retryable(error: ApiError) -> bool:
    if error.status_code in _RETRYABLE_STATUS:
        return True
    return bool(error.code and error.code.startswith("Throttling"))


def _with_attempts(error: ApiError, attempts: int) -> ApiError:
    if attempts == error.attempts:
        return error
    cls = type(error)
    return cls(
        error.call, error.api_message, code=error.code, status_code=error.status_code, request_id=error.request_id, attempts=attempts
    )


def _map_exception(call: str, exc: Exception, settings: ResolvedSettings) -> tuple[ApiError, float | None]:
    """Turn anything the SDK raised into (ApiError, retry-after ms or None). The one mapping place."""
    from alibabacloud_tea_openapi.exceptions import AlibabaCloudException, ThrottlingException

    if isinstance(exc, ApiError):
        return exc, None
    if isinstance(exc, ConfigurationError):
        raise exc
    if isinstance(exc, AlibabaCloudException):
        data = exc.data if isinstance(getattr(exc, "data", None), dict) else {}
        code = exc.code if exc.code not in (None, "None") else data.get("Code")
        if code == "InvalidCredentials":
            raise _no_credentials(exc)
        message = str(data.get("Message") or data.get("message") or "no message")
        recommend = data.get("Recommend")
        if recommend:
            message += f" Recommend: {recommend}"
        request_id = exc.request_id if exc.request_id not in (None, "None") else data.get("RequestId")
        error = ApiError(call, message, code=code, status_code=exc.status_code, request_id=request_id)
        wait_ms = float(exc.retry_after) if isinstance(exc, ThrottlingException) and exc.retry_after else None
        return error, wait_ms
    if _is_credentials_failure(exc):
        raise _no_credentials(exc)
    inner = getattr(exc, "inner_exception", None) or exc
    kind = type(inner).__name__
    if isinstance(inner, UnicodeEncodeError):  # raised while building the request: nothing was sent, retrying cannot help
        message = "the request could not be encoded: a parameter holds text that is not valid Unicode"
        return ApiError(call, message, code="InvalidRequest"), None
    if isinstance(inner, RuntimeError) and "parse the value as json" in str(inner):
        # The SDK could not read an error answer (status >= 400) as JSON, an HTML page from a proxy or
        # gateway; it drops that response, so its status and request id are not known here. Its text
        # (the body) is not repeated.
        message = "an error answer was not JSON (an HTML page from a proxy or gateway?); its HTTP status is unknown"
        code = "InvalidResponse"
    elif isinstance(inner, (json.JSONDecodeError, ValueError)) and not isinstance(inner, OSError):
        message = f"the response was not JSON ({kind}); an HTML error page or a truncated body"
        code = "InvalidResponse"
    else:
        return _unreachable(call, exc, settings)
    # Unreadable answers are worth another attempt.
    return ApiError(call, message, code=code), 0.0


def _causes(exc: BaseException) -> list[BaseException]:
    """`exc` and what caused it, through the SDK's wrappers (`inner_exception`) and Python's chaining."""
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain and len(chain) < 20:
        chain.append(current)
        inner = getattr(current, "inner_exception", None)
        current = inner if isinstance(inner, BaseException) else (current.__cause__ or current.__context__)
    return chain


def _unreachable(call: str, exc: Exception, settings: ResolvedSettings) -> tuple[ApiError, float | None]:
    """PAI was not reached, or did not answer in time: say which endpoint was tried, from which setting, what to check."""
    import socket
    import ssl

    chain = _causes(exc)
    where = f"{settings.url} (from {settings.source('endpoint')})"
    if any(isinstance(e, ssl.SSLError) for e in chain):
        # Not retried: another TLS handshake with the same server fails the same way.
        hint = ""
        if settings.protocol == "https":
            hint = " A plain-HTTP server such as the local emulator needs an endpoint that starts with http://."
        return ApiError(call, f"the TLS handshake with {where} failed ({_first_line(chain[-1])}).{hint}", code="TlsError"), None
    if any(isinstance(e, socket.gaierror) for e in chain):
        message = f"cannot resolve the host of {where}: check the endpoint or region, and DNS"
        return ApiError(call, message, code="ConnectionError"), 0.0
    if any(isinstance(e, ConnectionRefusedError) for e in chain):
        message = f"{where} refused the connection: check that the endpoint is right and the server is running"
        return ApiError(call, message, code="ConnectionError"), 0.0
    kind = type(chain[-1]).__name__
    if any("timeout" in type(e).__name__.lower() or "timed out" in str(e).lower() for e in chain):
        timeouts = f"connect {settings.connect_timeout_ms} ms, read {settings.read_timeout_ms} ms"
        return ApiError(call, f"no answer from {where} within the timeout ({timeouts}; {kind})", code="Timeout"), 0.0
    message = f"could not complete the request to {where} ({kind}: {_first_line(chain[-1])}); check the endpoint and the network"
    return ApiError(call, message, code="ConnectionError"), 0.0


def _is_credentials_failure(exc: Exception) -> bool:
    try:
        from alibabacloud_credentials.exceptions import CredentialException
    except ImportError:  # pragma: no cover - present in every supported version
        return False
    inner = getattr(exc, "inner_exception", None)
    return isinstance(exc, CredentialException) or isinstance(inner, CredentialException)


def _no_credentials(exc: Exception) -> ConfigurationError:
    inner = getattr(exc, "inner_exception", None) or exc
    detail = f"{type(inner).__name__}: {_first_line(inner)}"
    return ConfigurationError(
        setting="credentials",
        missing=True,
        detail=detail,
    )


def _first_line(exc: BaseException, limit: int = 400) -> str:
    """The first line of an exception's text, shortened at a word boundary (never mid-word) when long."""
    lines = str(getattr(exc, "message", None) or exc).strip().splitlines()
    text = lines[0] if lines else ""
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0] + " …"
