"""The HTTP surface: request ids, unknown paths and methods, garbage and fuzzed requests; the server object itself.
"""

from __future__ import annotations

import json
import re
import socket
import threading
import time

import pytest
from conftest import (
    KEY,
    OWN_ASC,
    SECRET,
    TEST_CATALOG,
    UUID_UPPER,
    admin,
    assert_alibaba_error,
    expect_error,
    list_models,
    make_client,
    raw_call,
    send,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pulumi_pai_models.emulator import (
    DEFAULT_ACCESS_KEY_ID,
    DEFAULT_ACCESS_KEY_SECRET,
    EmulatorServer,
)


def raw_bytes(srv: EmulatorServer, data: bytes) -> tuple[int, bytes]:
    """Send bytes as they are; returns (status, body)."""
    with socket.create_connection((srv.host, srv.port), timeout=10) as sock:
        sock.sendall(data)
        sock.shutdown(socket.SHUT_WR)
        chunks = []
        while True:
            try:
                chunk = sock.recv(65536)
            except (ConnectionResetError, TimeoutError):
                break
            if not chunk:
                break
            chunks.append(chunk)
    reply = b"".join(chunks)
    head, _, body = reply.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1]) if head.startswith(b"HTTP/") else 0
    return status, body


def test_request_ids_are_fresh_and_in_header_and_body(pai_server):
    seen = set()
    for _ in range(3):
        resp = raw_call(pai_server, "/api/v1/models")
        body = json.loads(resp["body"])
        assert UUID_UPPER.match(body["RequestId"])
        assert resp["headers"]["x-acs-request-id"] == body["RequestId"]
        seen.add(body["RequestId"])
    assert len(seen) == 3


def test_unknown_path_and_wrong_method(pai_server):
    status, headers, body = send(pai_server, "GET", "/api/v1/datasets")
    assert_alibaba_error(status, headers, body, "InvalidAction.NotFound", 404)
    status, headers, body = send(pai_server, "GET", "/api/v1/models/")
    assert_alibaba_error(status, headers, body, "InvalidAction.NotFound", 404)
    status, headers, body = send(pai_server, "POST", "/api/v1/models", body=b"{}")
    assert_alibaba_error(status, headers, body, "UnsupportedHTTPMethod", 405)
    status, headers, body = send(pai_server, "DELETE", "/api/v1/models/m-d")
    assert_alibaba_error(status, headers, body, "UnsupportedHTTPMethod", 405)
    status, headers, body = send(pai_server, "BREW", "/api/v1/models")
    assert_alibaba_error(status, headers, body, "UnsupportedHTTPMethod", 405)


@pytest.mark.parametrize(
    "target",
    ["/api/v1/models?ModelName=%ZZ", "/api/v1/models?ModelName=%E6%83", "/api/v1/models?ModelName=%", "/api/v1/models/%FF",
     "/api/v1/models?Provider=pai&Provider=acme", "/api/v1/models?=x"],
)
def test_malformed_query_or_path_is_400(pai_server, target):
    status, headers, body = send(pai_server, "GET", target)
    assert_alibaba_error(status, headers, body, "InvalidParameter", 400)


@pytest.mark.parametrize(
    "request_bytes",
    [
        b"GARBAGE\r\n\r\n",
        b"GET /api/v1/models HTTP/9.9\r\n\r\n",
        b"GET /api/v1/models HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
        b"GET /api/v1/models HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nshort",
        b"GET /api/v1/models HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        b"GET /api/v1/models HTTP/1.1\r\nAuthorization: \xff\xfe\r\n\r\n",
        b"GET /" + b"a" * 70000 + b" HTTP/1.1\r\n\r\n",
    ],
)
def test_garbage_requests_get_4xx(pai_server, request_bytes):
    status, body = raw_bytes(pai_server, request_bytes)
    assert 400 <= status < 500
    assert json.loads(body)["Code"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    path=st.sampled_from(["/api/v1/models", "/api/v1/models/m-d", "/api/v1/models/m-d/versions", "/api/v1/models/x/versions/y", "/x"]),
    query=st.binary(max_size=200),
    auth=st.one_of(st.none(), st.binary(max_size=120)),
)
def test_fuzzed_requests_never_500(pai_server, path, query, auth):
    clean = bytes(b for b in query if b not in b" \r\n#")
    head = b"GET " + path.encode() + (b"?" + clean if clean else b"") + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
    if auth is not None:
        head += b"Authorization: " + bytes(b for b in auth if b not in b"\r\n") + b"\r\n"
    status, body = raw_bytes(pai_server, head + b"\r\n")
    assert 400 <= status < 500, (status, body[:300])
    assert json.loads(body)["Code"]


def test_non_loopback_bind_is_refused_without_the_flag():
    with pytest.raises(ValueError, match="unsigned"):
        EmulatorServer(TEST_CATALOG, host="0.0.0.0")
    with pytest.raises(ValueError, match="admin"):
        EmulatorServer(TEST_CATALOG, host="192.168.1.10")
    with EmulatorServer(TEST_CATALOG, host="0.0.0.0", allow_remote_admin=True) as srv:
        assert srv.endpoint == f"0.0.0.0:{srv.port}"
        status, headers, _ = send(srv, "GET", "/api/v1/models")
        assert status == 400 and headers["x-acs-request-id"]


def test_url_endpoint_lifecycle_and_access_key_forms():
    srv = EmulatorServer(TEST_CATALOG, access_keys={"AK1": "S1"})
    with pytest.raises(RuntimeError):
        _ = srv.url
    srv.start()
    port = srv.port
    try:
        assert re.fullmatch(r"127\.0\.0\.1:\d+", srv.endpoint)
        assert srv.url == f"http://127.0.0.1:{srv.port}"
        assert list_models(srv, client=make_client(srv, "AK1", "S1")) == (4, OWN_ASC)
        expect_error(lambda: list_models(srv, client=make_client(srv)), "InvalidAccessKeyId.NotFound", 404)
    finally:
        srv.stop()
    srv.stop()  # idempotent
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=1)
    with EmulatorServer(TEST_CATALOG) as default_keys:  # the documented public test pair
        client = make_client(default_keys, DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET)
        assert list_models(default_keys, client=client, provider="pai", page_size=1) == (4, ["m-a"])
    for bad in ({"AK": ""}, [("AK",)], [("AK", "S"), ("AK", "S2")], "AK:S"):
        with pytest.raises(ValueError):
            EmulatorServer(TEST_CATALOG, access_keys=bad)
    with pytest.raises(ValueError):
        EmulatorServer({"Models": [{"ModelName": "no id"}]})


def test_latency_is_concurrent():
    with EmulatorServer(TEST_CATALOG, access_keys={KEY: SECRET}, latency_ms=400) as srv:
        durations: list[float] = []
        errors: list[BaseException] = []

        def one() -> None:
            try:
                t0 = time.monotonic()
                assert list_models(srv) == (4, OWN_ASC)
                durations.append(time.monotonic() - t0)
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=one) for _ in range(5)]
        started = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - started
        assert not errors
        assert len(durations) == 5 and min(durations) >= 0.4
        assert elapsed < 1.6  # five serialized sleeps would take 2.0 s
        t0 = time.monotonic()
        assert admin(srv, "GET", "health")[0] == 200
        assert time.monotonic() - t0 < 0.3  # admin requests are not delayed


def test_an_answer_leaves_in_one_write(pai_server, monkeypatch):
    # The head and the body in one send: on two cores every extra send and read is a wait for the other process's
    # turn (the listing benchmark's emulator cost); a split answer is also what a slow client sees first.
    import socketserver

    writes: list[int] = []
    write = socketserver._SocketWriter.write

    def counted(self: socketserver._SocketWriter, data: bytes) -> int:
        writes.append(len(data))
        return write(self, data)

    monkeypatch.setattr(socketserver._SocketWriter, "write", counted)
    total, models = list_models(pai_server, page_size=50)
    assert total > 0 and models
    assert len(writes) == 1 and writes[0] > 1000, writes
