"""HTTP glue: routes, query parsing, JSON bodies, and the threaded server that serves the catalog.

API routes (signed, as the PAI SDK sends them; path segments are percent-decoded)::

    GET /api/v1/models                                      ListModels
    GET /api/v1/models/{ModelId}                            GetModel
    GET /api/v1/models/{ModelId}/versions                   ListModelVersions
    GET /api/v1/models/{ModelId}/versions/{VersionName}     GetModelVersion

Admin routes (unsigned, JSON in and out; refused when the request has an ``Origin`` header, and,
unless ``allow_remote_admin``, when its ``Host`` is not a loopback name): the table
:data:`ADMIN_ENDPOINTS`, which ``pai-models emulator --help`` prints.

Every answer carries a fresh ``RequestId`` in its JSON body and the ``x-acs-request-id`` header.
"""

from __future__ import annotations

import ipaddress
import json
import re
import socket
import struct
import sys
import threading
import time
import traceback
from collections.abc import Callable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from socketserver import TCPServer
from typing import Any
from urllib.parse import unquote_to_bytes, urlsplit

from .auth import DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, Authenticator, SignedRequest, claimed_access_key_id
from .catalog import Catalog, CatalogSource, load_demo_catalog
from .errors import (
    AdminForbidden,
    ApiNotFound,
    EmulatorError,
    InjectedFault,
    InvalidParameter,
    MethodNotAllowed,
    PayloadTooLarge,
    error_body,
    new_request_id,
)
from .faults import CatalogHooks, Fault, FaultQueue, RequestLog, parse_faults, parse_hook
from .params import ListModelsQuery, ListModelVersionsQuery

__all__ = ["ADMIN_ENDPOINTS", "ADMIN_PATH_PARAMETERS", "EmulatorServer", "InFlight", "is_loopback_host"]

MAX_API_BODY = 1 << 20
MAX_ADMIN_BODY = 64 << 20


def is_loopback_host(host: str) -> bool:
    """True for ``localhost`` and loopback IP addresses (127.0.0.0/8, ::1)."""
    if host.lower() in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


# --------------------------------------------------------------------------- request parsing

_BAD_PERCENT = re.compile(rb"%(?![0-9A-Fa-f]{2})")


def _strict_unquote(text: str, what: str, *, plus_is_space: bool = False) -> str:
    """Percent-decode ``text`` (as received: latin-1 of the raw bytes), rejecting bad escapes or UTF-8."""
    raw = text.encode("latin-1", "replace")
    if plus_is_space:
        raw = raw.replace(b"+", b" ")
    if _BAD_PERCENT.search(raw):
        raise InvalidParameter(f"The {what} has a malformed percent-encoding.")
    try:
        return unquote_to_bytes(raw).decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidParameter(f"The {what} is not valid UTF-8 once percent-decoded.") from None


def parse_query(raw_query: str) -> dict[str, str]:
    """Decode a query string strictly: ``+`` is a space, escapes must be valid, no repeated names."""
    params: dict[str, str] = {}
    for piece in raw_query.split("&"):
        if not piece:
            continue
        raw_name, _, raw_value = piece.partition("=")
        name = _strict_unquote(raw_name, "query parameter name", plus_is_space=True)
        value = _strict_unquote(raw_value, f"query parameter {name!r}", plus_is_space=True)
        if not name:
            raise InvalidParameter("The query has a parameter without a name.")
        if name in params:
            raise InvalidParameter(f"The query parameter {name!r} is given more than once.")
        params[name] = value
    return params


def _route(raw_path: str) -> tuple[str, str | None, tuple[str, ...]]:
    """``("api", action, path args)`` or ``("admin", name, path args)``; raises :class:`ApiNotFound`."""
    if raw_path.startswith("/_emulator/"):
        return "admin", *_admin_route(raw_path)
    if not raw_path.startswith("/"):
        raise ApiNotFound("The request path must start with '/'.")
    segments = [_strict_unquote(s, "request path") for s in raw_path.split("/")[1:]]
    if segments[:3] == ["api", "v1", "models"] and all(segments[3:]):
        rest = segments[3:]
        if not rest:
            return "api", "ListModels", ()
        if len(rest) == 1:
            return "api", "GetModel", (rest[0],)
        if len(rest) == 2 and rest[1] == "versions":
            return "api", "ListModelVersions", (rest[0],)
        if len(rest) == 3 and rest[1] == "versions":
            return "api", "GetModelVersion", (rest[0], rest[2])
    raise ApiNotFound(f"No API at {raw_path[:200]!r}.")


#: The admin endpoints, as (method, name under ``/_emulator/``, what it takes and answers). The routes
#: and ``pai-models emulator --help`` are derived from this table.
ADMIN_ENDPOINTS: tuple[tuple[str, str, str], ...] = (
    ("GET", "health", '-> {"status": "ok", "models": N}'),
    ("GET", "catalog", '-> {"Models": [...]}, each model with its Versions'),
    ("PUT", "catalog", 'body {"Models": [...]}: replaces the catalog whole (a bad one changes nothing) -> {"models": N}'),
    ("GET", "faults", '-> {"faults": [...]}, the queued faults, each with "remaining"'),
    ("POST", "faults", 'body {"faults": [{"count": 1, "status": 503, ...}]}: queues faults -> {"pending": N}'),
    ("GET", "hooks", '-> {"hooks": [{"remaining_requests": N, "models": M}]}'),
    ("POST", "hooks", 'body {"mutate_after_request": N, "catalog": {"Models": [...]}}: swaps the catalog after N more '
     'API requests -> {"pending": N}'),
    ("POST", "reset", 'no body: clears faults, hooks and the request log, not the catalog -> {"reset": true}'),
    ("GET", "requests", '-> {"requests": [{"action", "method", "path", "query", "status", "access_key_id", "time", '
     '"duration_ms"}]}'),
    ("POST", "models", 'body a Model as in a catalog, with its "Versions" if any: adds it (ModelId, GmtCreateTime '
     'default: generated, now) -> 201 {"Model": {...}}'),
    ("DELETE", "models/{model}", 'deletes the model and its versions -> {"Deleted": {...}}'),
    ("POST", "models/{model}/versions", 'body a ModelVersion {"VersionName": "1.3.0", "Uri": "oss://...", '
     '"ApprovalStatus": "Pending", ...}: adds it (GmtCreateTime default: now, so it becomes the LatestVersion) '
     '-> 201 {"Model": {...}, "Version": {...}}'),
    ("PATCH", "models/{model}/versions/{version}", 'body the fields to change, e.g. {"ApprovalStatus": "Rejected"} '
     '(null removes one) -> {"Model": {...}, "Version": {...}}'),
    ("DELETE", "models/{model}/versions/{version}", '-> {"Model": {...}, "Deleted": {...}}'),
)
#: What ``{model}`` and ``{version}`` in an admin path are, for ``--help``.
ADMIN_PATH_PARAMETERS = (
    "{model} is a ModelId or an exact ModelName, {version} a VersionName, each percent-encoded (/ as %2F)"
)
_ADMIN_ROUTES: dict[str, tuple[str, ...]] = {
    name: tuple(m for m, n, _ in ADMIN_ENDPOINTS if n == name) for _, name, _ in ADMIN_ENDPOINTS
}
#: Status of a successful admin call that creates something (others answer 200).
_CREATED = 201


def _admin_route(raw_path: str) -> tuple[str, tuple[str, ...]]:
    """(the ADMIN_ENDPOINTS name, the ``{...}`` segments it holds, percent-decoded) of an admin path."""
    segments = raw_path[len("/_emulator/"):].split("/")
    for name in _ADMIN_ROUTES:
        pattern = name.split("/")
        if len(pattern) != len(segments):
            continue
        args = []
        for want, got in zip(pattern, segments, strict=True):
            if want.startswith("{"):
                if not got:
                    break
                args.append(_strict_unquote(got, "request path"))
            elif want != got:
                break
        else:
            return name, tuple(args)
    raise ApiNotFound(f"No admin endpoint at {raw_path[:200]!r}; see {', '.join('/_emulator/' + n for n in _ADMIN_ROUTES)}.")


def _host_of(host_header: str) -> str:
    host = host_header.strip()
    if host.startswith("["):
        return host[1 : host.find("]")] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


# --------------------------------------------------------------------------- handler


class _Exchange:
    """What the request log needs to know about the request being handled."""

    __slots__ = ("action", "counted", "kind", "path", "query", "settled", "started")

    def __init__(self, path: str) -> None:
        self.path = path
        self.kind: str | None = None
        self.action: str | None = None
        self.query: dict[str, str] = {}
        self.started = time.time()
        self.settled = False
        self.counted = False  # whether it is among the API requests in flight


class InFlight:
    """How many API requests are being answered now, and the most at once since the last `reset_peak()`.

    A request counts from when its handling starts until its answer is about to leave (before the first byte
    is written), so a client that sends its next request only after an answer never sees both counted.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.now = 0
        self.peak = 0

    def enter(self) -> None:
        with self._lock:
            self.now += 1
            self.peak = max(self.peak, self.now)

    def leave(self) -> None:
        with self._lock:
            self.now -= 1

    def reset_peak(self) -> int:
        """The peak so far; from now on the peak counts from the requests in flight now."""
        with self._lock:
            peak, self.peak = self.peak, self.now
            return peak


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "PAIEmulator/0.1"
    sys_version = ""
    timeout = 120  # seconds an idle keep-alive connection may stay open
    disable_nagle_algorithm = True  # send_error still writes head, then body: the body must not wait for an ACK
    server: _HTTPServer
    _exchange: _Exchange | None = None
    _headers_buffer: list[bytes]  # http.server's: what send_header() gathered, written by flush_headers()

    # Every method goes through _dispatch, so unknown methods get a JSON 404/405, never a 501 page.
    def __getattr__(self, name: str) -> Callable[[], None]:
        if name.startswith("do_"):
            return self._dispatch
        raise AttributeError(name)

    # -- logging: quiet unless verbose; request lines carry no secrets (the signature is a header)
    def log_message(self, format: str, *args: Any) -> None:
        if self.server.emulator.verbose:
            sys.stderr.write(f"[pai-emulator] {self.address_string()} {format % args}\n")

    def setup(self) -> None:
        super().setup()
        self.server.track(self.connection, True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.track(self.connection, False)

    # -- responses
    def _send(self, status: int, body: bytes, request_id: str, content_type: str = "application/json;charset=utf-8",
              headers: Mapping[str, str] | None = None) -> None:
        self._settle(status)
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("x-acs-request-id", request_id)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        if self.close_connection:
            self.send_header("Connection", "close")
        # end_headers(), with the body in the same write: one send, not two, so the client reads the head and the
        # first bytes of the body at once (on two cores each send and read is a wait for the other process's turn)
        self._headers_buffer.append(b"\r\n")
        if self.command != "HEAD":
            self._headers_buffer.append(body)
        self.flush_headers()

    def _send_json(self, status: int, data: Mapping[str, Any], request_id: str,
                   headers: Mapping[str, str] | None = None) -> None:
        body = json.dumps({"RequestId": request_id, **data}, ensure_ascii=False).encode("utf-8")
        self._send(status, body, request_id, headers=headers)

    def _send_error_obj(self, err: EmulatorError, request_id: str, headers: Mapping[str, str] | None = None) -> None:
        self._send(err.status, json.dumps(err.body(request_id), ensure_ascii=False).encode("utf-8"), request_id,
                   headers=headers)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Errors http.server raises itself (bad request line, header too long...), in Alibaba's shape."""
        request_id = new_request_id()
        self.close_connection = True
        if code >= 500:  # e.g. 505 for "HTTP/9.9": garbage from the client, not a server fault
            code = 400
        if self.request_version not in ("HTTP/1.0", "HTTP/1.1"):
            self.request_version = "HTTP/1.1"  # answer with a status line even to garbage
        alibaba_code = {408: "RequestTimeout"}.get(code, "InvalidParameter")
        text = message or self.responses.get(code, ("Error",))[0]
        body = json.dumps(error_body(request_id, alibaba_code, text, "Send a well-formed HTTP/1.1 request."))
        try:
            self.send_response(code)
            self.send_header("Content-Type", "application/json;charset=utf-8")
            self.send_header("Content-Length", str(len(body.encode("utf-8"))))
            self.send_header("x-acs-request-id", request_id)
            self.send_header("Connection", "close")
            self.end_headers()
            if self.command != "HEAD" and code >= 200 and code not in (204, 304):
                self.wfile.write(body.encode("utf-8"))
        except OSError:
            pass

    def _reset_connection(self) -> None:
        """Drop the connection without an answer (RST)."""
        self._settle(None)
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass

    # -- request body
    def _read_body(self, limit: int) -> bytes:
        if self.headers.get("Transfer-Encoding"):
            self.close_connection = True
            raise InvalidParameter("Chunked request bodies are not supported; send Content-Length.")
        lengths = self.headers.get_all("Content-Length") or []
        if not lengths:
            return b""
        if len(set(lengths)) != 1 or not lengths[0].strip().isdigit():
            self.close_connection = True
            raise InvalidParameter("The Content-Length header is invalid.")
        length = int(lengths[0].strip())
        if length > limit:
            self.close_connection = True
            raise PayloadTooLarge(f"The request body is {length} bytes; at most {limit} are accepted here.")
        body = self.rfile.read(length)
        if len(body) != length:
            self.close_connection = True
            raise InvalidParameter("The request body is shorter than its Content-Length.")
        return body

    # -- dispatch
    def _dispatch(self) -> None:
        emulator = self.server.emulator
        request_id = new_request_id()
        target = self.path
        if not target.startswith("/"):
            parts = urlsplit(target)  # absolute-form request target
            target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        raw_path, _, raw_query = target.partition("?")
        self._exchange = ex = _Exchange(raw_path)
        try:
            try:
                ex.kind, ex.action, args = _route(raw_path)
                if ex.kind == "admin":
                    self._admin(ex.action or "", args, request_id)
                    return
                ex.query = parse_query(raw_query)
            except EmulatorError as err:
                self._send_error_obj(err, request_id)
                return
            self._api(ex.action or "", args, raw_path, ex.query, request_id)
        except (ConnectionError, TimeoutError):
            self.close_connection = True
        except Exception:  # a genuine bug: answer 500, keep serving
            if emulator.verbose:
                traceback.print_exc()
            self.close_connection = True
            try:
                self._send_error_obj(EmulatorError(), request_id)
            except OSError:
                self._settle(500)
        finally:
            self._settle(None)
            self._exchange = None

    def _settle(self, status: int | None) -> None:
        """Log the API request and run due catalog hooks, once, before the answer leaves.

        Doing this before the first byte is written means that a client holding its answer also
        finds it in the request log, and that its next request sees a catalog a hook swapped in.
        """
        ex = self._exchange
        if ex is None or ex.settled:
            return
        ex.settled = True
        if ex.kind == "admin":
            return
        emulator = self.server.emulator
        if ex.counted:
            emulator.in_flight.leave()
        emulator.request_log.record(
            action=ex.action,
            method=self.command,
            path=ex.path,
            query=ex.query,
            status=status,
            access_key_id=claimed_access_key_id(self.headers.get("Authorization")),
            started=ex.started,
        )
        if ex.kind == "api":
            for catalog in emulator.hooks.request_done():
                emulator.catalog.swap(catalog)

    def _api(self, action: str, args: tuple[str, ...], raw_path: str, query: dict[str, str], request_id: str) -> None:
        emulator = self.server.emulator
        if self._exchange is not None:
            self._exchange.counted = True
            emulator.in_flight.enter()
        if self.command != "GET":
            err = MethodNotAllowed(f"{action} is served at this path with GET, not {self.command}.")
            self.close_connection = True
            self._send_error_obj(err, request_id, headers={"Allow": "GET"})
            return
        try:
            body = self._read_body(MAX_API_BODY)
        except EmulatorError as err:
            self._send_error_obj(err, request_id)
            return
        if emulator.latency_ms:
            time.sleep(emulator.latency_ms / 1000.0)
        fault = emulator.faults.take(action)
        fault_headers: dict[str, str] = {}
        if fault is not None:
            if fault.delay_ms:
                time.sleep(fault.delay_ms / 1000.0)
            if fault.reset_connection:
                self._reset_connection()
                return
            if fault.retry_after_ms is not None:
                fault_headers["x-acs-retry-after"] = str(fault.retry_after_ms)
            if fault.status >= 400:
                self._send_fault_error(fault, request_id, fault_headers)
                return
        try:
            emulator.authenticator.verify(
                SignedRequest(self.command, raw_path, query, list(self.headers.items()), body)
            )
            if action == "ListModels" and (fault is None or fault.body is None):
                self._send_models(query, request_id, fault_headers)
                return
            result = self._call(action, args, query)
        except EmulatorError as err:
            self._send_error_obj(err, request_id)
            return
        data = {"RequestId": request_id, **result}
        if fault is not None and fault.body is not None:
            self._send_corrupted(200, data, fault.body, request_id, fault_headers)
        else:
            self._send_json(200, data, request_id, headers=fault_headers)

    def _send_models(self, query: Mapping[str, str], request_id: str, headers: Mapping[str, str]) -> None:
        """A ListModels answer, the same JSON as ``_send_json`` gives, joined from the catalog's encoded models."""
        total, models = self.server.emulator.catalog.list_models_encoded(ListModelsQuery.from_params(query))
        head = json.dumps({"RequestId": request_id, "TotalCount": total, "Models": []}, ensure_ascii=False)
        body = head[:-2].encode("utf-8") + b", ".join(models) + b"]}"
        self._send(200, body, request_id, headers=headers)

    def _call(self, action: str, args: tuple[str, ...], query: Mapping[str, str]) -> dict[str, Any]:
        catalog = self.server.emulator.catalog
        if action == "ListModels":
            return catalog.list_models(ListModelsQuery.from_params(query))
        if action == "GetModel":
            return catalog.get_model(args[0])
        if action == "ListModelVersions":
            return catalog.list_model_versions(args[0], ListModelVersionsQuery.from_params(query))
        return catalog.get_model_version(args[0], args[1])

    def _send_fault_error(self, fault: Fault, request_id: str, headers: dict[str, str]) -> None:
        err = InjectedFault(fault.message, code=fault.code, status=fault.status)
        if fault.body in ("html", "malformed"):
            self._send_corrupted(fault.status, err.body(request_id), fault.body, request_id, headers)
        else:
            self._send_error_obj(err, request_id, headers=headers)

    def _send_corrupted(self, status: int, data: dict[str, Any], variant: str, request_id: str,
                        headers: dict[str, str]) -> None:
        if variant == "html":
            phrase = self.responses.get(status, ("Error",))[0]
            page = (f"<html><head><title>{status} {phrase}</title></head><body><center><h1>{status} {phrase}</h1>"
                    f"</center><hr><center>Tengine</center></body></html>")
            self._send(status, page.encode("utf-8"), request_id, "text/html;charset=utf-8", headers)
            return
        if variant == "malformed":
            text = json.dumps(data, ensure_ascii=False)
            self._send(status, text[: max(1, len(text) // 2)].encode("utf-8"), request_id, headers=headers)
            return
        data = dict(data)
        if variant == "missing_models":
            data.pop("Models", None)
            data.pop("Versions", None)
        elif variant == "missing_total":
            data.pop("TotalCount", None)
        self._send(status, json.dumps(data, ensure_ascii=False).encode("utf-8"), request_id, headers=headers)

    # -- admin
    def _admin(self, name: str, args: tuple[str, ...], request_id: str) -> None:
        emulator = self.server.emulator
        try:
            if self.headers.get("Origin") is not None:
                raise AdminForbidden("Admin endpoints refuse browser requests (the request has an Origin header).")
            host = self.headers.get("Host")
            if not emulator.allow_remote_admin and host is not None and not is_loopback_host(_host_of(host)):
                raise AdminForbidden(f"Admin endpoints answer only loopback Host names, not {host[:100]!r}.")
            if self.command not in _ADMIN_ROUTES[name]:
                self.close_connection = True
                raise MethodNotAllowed(f"/_emulator/{name} accepts {', '.join(_ADMIN_ROUTES[name])}, not {self.command}.")
            body = self._read_body(MAX_ADMIN_BODY)
            data: Any = None
            if self.command in ("PUT", "POST", "PATCH") and name != "reset":
                try:
                    data = json.loads(body.decode("utf-8"))
                except (UnicodeDecodeError, ValueError, RecursionError):
                    path = self._exchange.path if self._exchange else f"/_emulator/{name}"
                    raise InvalidParameter(f"The body of {self.command} {path[:200]} must be JSON.") from None
            if name.startswith("models"):
                status, result = self._admin_change(name, args, data)
            else:
                status, result = 200, self._admin_call(name, data)
        except EmulatorError as err:
            headers = {"Allow": ", ".join(_ADMIN_ROUTES[name])} if isinstance(err, MethodNotAllowed) else None
            self._send_error_obj(err, request_id, headers=headers)
            return
        self._send_json(status, result, request_id)

    def _admin_call(self, name: str, data: Any) -> dict[str, Any]:
        emulator = self.server.emulator
        if name == "health":
            return {"status": "ok", "models": len(emulator.catalog)}
        if name == "catalog":
            if self.command == "PUT":
                if not isinstance(data, dict):  # never a path: admin callers must not read server files
                    raise InvalidParameter('The body of PUT /_emulator/catalog must be {"Models": [...]}.')
                return {"models": emulator.catalog.replace(data)}
            return emulator.catalog.export()
        if name == "faults":
            if self.command == "POST":
                return {"pending": emulator.faults.add(parse_faults(data))}
            return {"faults": emulator.faults.pending()}
        if name == "hooks":
            if self.command == "POST":
                after, catalog = parse_hook(data)
                emulator.hooks.add(after, catalog)
                for due in emulator.hooks.due_now():
                    emulator.catalog.swap(due)
                return {"pending": len(emulator.hooks.pending())}
            return {"hooks": emulator.hooks.pending()}
        if name == "reset":
            emulator.reset()
            return {"reset": True}
        return {"requests": emulator.request_log.entries()}

    def _admin_change(self, name: str, args: tuple[str, ...], data: Any) -> tuple[int, dict[str, Any]]:
        """One change to the catalog (the ``models...`` endpoints): (HTTP status, answer)."""
        catalog = self.server.emulator.catalog
        if name == "models":
            return _CREATED, {"Model": catalog.add_model(data)}
        if name == "models/{model}":
            return 200, {"Deleted": catalog.delete_model(args[0])}
        if name == "models/{model}/versions":
            model, version = catalog.add_version(args[0], data)
            return _CREATED, {"Model": model, "Version": version}
        if self.command == "PATCH":
            model, version = catalog.update_version(args[0], args[1], data)
            return 200, {"Model": model, "Version": version}
        model, version = catalog.delete_version(args[0], args[1])
        return 200, {"Model": model, "Deleted": version}


# --------------------------------------------------------------------------- server


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], emulator: EmulatorServer, family: socket.AddressFamily) -> None:
        self.address_family = family
        self.emulator = emulator
        self._connections: set[socket.socket] = set()
        self._conn_lock = threading.Lock()
        super().__init__(address, _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind would call socket.getfqdn(), a reverse DNS lookup; not needed here.
        TCPServer.server_bind(self)
        self.server_name, self.server_port = str(self.server_address[0]), int(self.server_address[1])

    def track(self, conn: socket.socket, alive: bool) -> None:
        with self._conn_lock:
            (self._connections.add if alive else self._connections.discard)(conn)

    def close_connections(self) -> None:
        with self._conn_lock:
            conns = list(self._connections)
        for conn in conns:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def handle_error(self, request: Any, client_address: Any) -> None:
        if self.emulator.verbose:
            super().handle_error(request, client_address)


class EmulatorServer:
    """A local PAI model-registry API over a catalog, for tests and demos.

    ``catalog`` is a catalog mapping or a path to a JSON file (default: the shipped demo catalog).
    ``access_keys`` is ``{id: secret}``, ``{id: (secret, security_token)}`` or
    ``[(id, secret[, security_token]) | AccessKey, ...]`` (default: the public test pair
    ``DEFAULT_ACCESS_KEY_ID`` / ``DEFAULT_ACCESS_KEY_SECRET``). ``latency_ms``
    delays every API answer. Binding a non-loopback ``host`` needs ``allow_remote_admin=True``,
    because the admin endpoints are unsigned.
    """

    def __init__(
        self,
        catalog: CatalogSource | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        access_keys: Any = None,
        latency_ms: float = 0,
        allow_remote_admin: bool = False,
        verbose: bool = False,
    ) -> None:
        if not isinstance(host, str) or not host:
            raise ValueError("host must be a non-empty string.")
        if not allow_remote_admin and not is_loopback_host(host):
            raise ValueError(
                f"Refusing to bind the emulator to {host!r}: its admin endpoints (/_emulator/*) are unsigned, so "
                "anyone who can reach it could replace the catalog or inject faults. Bind a loopback address "
                "(127.0.0.1, ::1, localhost) or pass allow_remote_admin=True (--allow-remote-admin) if you mean it."
            )
        if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535:
            raise ValueError("port must be an integer between 0 and 65535.")
        if isinstance(latency_ms, bool) or not isinstance(latency_ms, (int, float)) or not 0 <= latency_ms <= 600_000:
            raise ValueError("latency_ms must be a number between 0 and 600000.")
        self.host = host
        self.requested_port = port
        self.latency_ms = latency_ms
        self.allow_remote_admin = allow_remote_admin
        self.verbose = verbose
        self.catalog = Catalog(load_demo_catalog() if catalog is None else catalog)
        self.authenticator = _authenticator(access_keys)
        self.faults = FaultQueue()
        self.hooks = CatalogHooks()
        self.request_log = RequestLog()
        #: API requests being answered now, and the most at once (`in_flight.reset_peak()` starts a new count).
        self.in_flight = InFlight()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    # -- lifecycle
    def start(self) -> EmulatorServer:
        """Bind and serve in a background (daemon) thread; returns self."""
        with self._lock:
            if self._httpd is not None:
                raise RuntimeError("The emulator is already started.")
            family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
            httpd = _HTTPServer((self.host, self.requested_port), self, family)
            thread = threading.Thread(
                target=httpd.serve_forever, kwargs={"poll_interval": 0.1}, name="pai-emulator", daemon=True
            )
            thread.start()
            self._httpd, self._thread = httpd, thread
        return self

    def stop(self) -> None:
        """Stop serving, close open connections and release the port (idempotent)."""
        with self._lock:
            httpd, thread = self._httpd, self._thread
            self._httpd = self._thread = None
        if httpd is None:
            return
        httpd.shutdown()
        httpd.server_close()
        httpd.close_connections()
        if thread is not None:
            thread.join(timeout=5)

    def __enter__(self) -> EmulatorServer:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def _bound(self) -> tuple[str, int]:
        httpd = self._httpd
        if httpd is None:
            raise RuntimeError("The emulator is not started; call start() or use it as a context manager.")
        return str(httpd.server_address[0]), int(httpd.server_address[1])

    @property
    def port(self) -> int:
        """The bound port."""
        return self._bound()[1]

    @property
    def endpoint(self) -> str:
        """``HOST:PORT``, for ``Config(endpoint=..., protocol='http')``."""
        host, port = self._bound()
        return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"

    @property
    def url(self) -> str:
        """``http://HOST:PORT``."""
        return f"http://{self.endpoint}"

    # -- the admin operations, in-process
    def set_catalog(self, catalog: CatalogSource) -> int:
        """Replace the catalog (as ``PUT /_emulator/catalog``); returns the model count."""
        return self.catalog.replace(catalog)

    def set_access_keys(self, access_keys: Any = None) -> None:
        """Accept these key pairs from now on instead (same forms as the constructor's; None: the public test pair).

        In-process only: no admin endpoint changes keys, so an unsigned caller cannot grant itself access.
        """
        self.authenticator = _authenticator(access_keys)

    def add_faults(self, faults: list[Mapping[str, Any]]) -> int:
        """Queue faults (as ``POST /_emulator/faults``); returns how many are pending."""
        return self.faults.add(parse_faults({"faults": faults}))

    def requests(self) -> list[dict[str, Any]]:
        """The request log (as ``GET /_emulator/requests``)."""
        return self.request_log.entries()

    def reset(self) -> None:
        """Clear faults, hooks and the request log (the catalog stays)."""
        self.faults.clear()
        self.hooks.clear()
        self.request_log.clear()


def _authenticator(access_keys: Any) -> Authenticator:
    return Authenticator({DEFAULT_ACCESS_KEY_ID: DEFAULT_ACCESS_KEY_SECRET} if access_keys is None else access_keys)
