"""Alibaba's official client families, each signing as it does, against the emulator.

Real PAI accepts every official client, so the emulator must too (emulator/auth.py, docs/emulator-signing.md):
- the Python SDK (tea-openapi): ACS3 and v2 over the path as sent, an empty query value signed as ``k`` (the
  emulator's own tests, test_emulator_auth.py);
- the Node.js ``acs`` signers (@alicloud/pop-core, @alicloud/openapi-core with signatureAlgorithm "v2"): v2 over
  the path as sent, an empty value signed as ``k=``;
- the legacy Go and Java cores (alibaba-cloud-sdk-go, aliyun-java-sdk-core): v2 (and Java's opt-in ACS3) over
  the *decoded* path, as they substitute raw path parameters into their URI pattern.

Two kinds of test. Fast ones build each family's string to sign in Python, ported line by line from the client's
own source (named at each function), send exactly their headers over raw HTTP, and check that the right secret
passes and a wrong one, or a form no client makes, does not. Slow ones (`shell`) drive the real clients: a Node.js
script, a Go program and a Java program in tests/signing_clients/, built once into
~/.cache/pulumi-pai-models/signing-clients/ from the npm registry, the Go module proxy and Maven Central.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import shutil
import subprocess
import uuid
from datetime import datetime, timezone
from email.utils import formatdate
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlencode

import pytest
from conftest import assert_alibaba_error, send

KEY, SECRET = "LTAIfamilyKey", "family-secret"
ROOT = Path(__file__).resolve().parent / "signing_clients"
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "pulumi-pai-models" / "signing-clients"
EMPTY_MD5 = base64.b64encode(hashlib.md5(b"").digest()).decode()
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()

UNICODE_ID, SPACED_VERSION = "模型-1", "1.0.0 rc+1"
CATALOG = {
    "Models": [
        {"ModelId": UNICODE_ID, "ModelName": "模型", "GmtCreateTime": "2024-01-01T00:00:00Z", "Tags": [{"Key": "env", "Value": "prod"}],
         "Versions": [{"VersionName": SPACED_VERSION, "Uri": "oss://b/rc/", "GmtCreateTime": "2024-02-01T00:00:00Z"},
                      {"VersionName": "1.0.0", "Uri": "oss://b/1/", "GmtCreateTime": "2024-01-01T00:00:00Z"}]},
        {"ModelId": "m-pai", "ModelName": "a b+c", "Provider": "pai", "GmtCreateTime": "2024-01-01T00:00:00Z",
         "LatestVersion": {"VersionName": "1", "Uri": "oss://p/1/", "GmtCreateTime": "2024-01-01T00:00:00Z"}},
    ]
}  # fmt: skip
M = "/api/v1/models"
#: The calls every real client makes: (action, URI pattern, raw path parameters, query, the status PAI answers).
CALLS: list[tuple[str, str, dict[str, str], dict[str, str], int]] = [
    ("ListModels", M, {}, {}, 200),
    ("ListModels", M, {}, {"Provider": "pai", "PageSize": "10"}, 200),
    ("ListModels", M, {}, {"Label": ""}, 200),
    ("ListModels", M, {}, {"ModelName": "a b+c", "Label": "", "Query": "", "Provider": "pai"}, 200),
    ("ListModels", M, {}, {"Tag": '[{"Key":"env","Value":"prod"}]'}, 200),
    ("GetModel", M + "/[ModelId]", {"ModelId": UNICODE_ID}, {}, 200),
    ("ListModelVersions", M + "/[ModelId]/versions", {"ModelId": UNICODE_ID}, {"PageSize": "10"}, 200),
    ("GetModelVersion", M + "/[ModelId]/versions/[VersionName]", {"ModelId": UNICODE_ID, "VersionName": SPACED_VERSION}, {}, 200),
    ("GetModelVersion", M + "/[ModelId]/versions/[VersionName]", {"ModelId": UNICODE_ID, "VersionName": "1.0.0"}, {}, 200),
    ("GetModel", M + "/[ModelId]", {"ModelId": "missing"}, {}, 404),
]


@pytest.fixture
def family_server(emulator_server):
    """The session's emulator serving CATALOG to KEY alone, with an empty request log."""
    emulator_server.set_access_keys({KEY: SECRET})
    emulator_server.set_catalog(CATALOG)
    emulator_server.reset()
    yield emulator_server
    emulator_server.reset()


def fill(pattern: str, params: dict[str, str], encode: bool) -> str:
    """The URI pattern with its [Name] parameters, percent-encoded (as sent) or raw (as the legacy cores sign them)."""
    for name, value in params.items():
        pattern = pattern.replace(f"[{name}]", quote(value, safe="") if encode else value)
    return pattern


# -- each family's string to sign, ported from its source ---------------------------------------------------------


def node_acs_string(method: str, pathname: str, headers: dict[str, str], query: dict[str, str]) -> str:
    """@alicloud/pop-core lib/roa.js buildStringToSign (= @alicloud/openapi-core dist/utils.js getStringToSign)."""
    head = f"{method}\n{headers['accept']}\n{headers.get('content-md5', '')}\n{headers.get('content-type', '')}\n{headers.get('date', '')}\n"
    canonical = "".join(f"{k}:{headers[k].strip()}\n" for k in sorted(k for k in headers if k.startswith("x-acs-")))
    resource = pathname + ("?" + "&".join(f"{k}={query[k]}" for k in sorted(query)) if query else "")  # `${key}=${query[key]}`
    return head + canonical + resource


def legacy_go_string(method: str, path: str, headers: dict[str, str], query: dict[str, str]) -> str:
    """alibaba-cloud-sdk-go sdk/auth/roa_signature_composer.go buildRoaStringToSign + RoaRequest.buildQueries."""
    out = method + "\n"
    for name in ("Accept", "Content-MD5", "Content-Type", "Date"):  # appendIfContain: absent or empty adds nothing
        if headers.get(name):
            out += headers[name] + "\n"
    out += "".join(f"{k}:{headers[k]}\n" for k in sorted(k for k in headers if k.startswith("x-acs-")))
    return out + path + ("?" + "&".join(k + (f"={query[k]}" if query[k] else "") for k in sorted(query)) if query else "")


def legacy_java_string(method: str, path: str, headers: dict[str, str], query: dict[str, str]) -> str:
    """aliyun-java-sdk-core com.aliyuncs.auth.RoaSignatureComposer composeStringToSign (4.7.10)."""
    out = method + "\n" + "".join(headers.get(name, "") + "\n" for name in ("Accept", "Content-MD5", "Content-Type", "Date"))
    acs = {k.lower(): v for k, v in headers.items() if k.lower().startswith("x-acs-")}
    out += "".join(f"{k}:{acs[k]}\n" for k in sorted(acs))
    return out + path + ("?" + "&".join(k + (f"={query[k]}" if query[k] else "") for k in sorted(query)) if query else "")


def java_v3_authorization(method: str, path: str, headers: dict[str, str], query: dict[str, str], key: str, secret: str) -> str:
    """aliyun-java-sdk-core V3SignatureComposer + RoaAcsRequest.signRequest with SignatureVersion.V3 (4.7.10)."""
    signed = sorted({k.lower() for k in headers if k.lower().startswith("x-acs-") or k.lower() in ("host", "content-type")})
    values = {k.lower(): v.strip() for k, v in headers.items()}
    canonical_query = "&".join(quote(k, safe="~") + "=" + quote(query[k], safe="~") for k in sorted(query))
    canonical_headers = "".join(f"{k}:{values[k]}\n" for k in signed)
    text = f"{method}\n{path}\n{canonical_query}\n{canonical_headers}\n{';'.join(signed)}\n{EMPTY_SHA256}"
    to_sign = "ACS3-HMAC-SHA256\n" + hashlib.sha256(text.encode()).hexdigest()
    signature = hmac.new(secret.encode(), to_sign.encode(), hashlib.sha256).hexdigest()
    return f"ACS3-HMAC-SHA256 Credential={key},Signature={signature},SignedHeaders={';'.join(signed)}"


def hmac_sha1(secret: str, text: str) -> str:
    return base64.b64encode(hmac.new(secret.encode(), text.encode(), hashlib.sha1).digest()).decode()


def v2_headers(server: Any, action: str, *, lower: bool) -> dict[str, str]:
    """The headers an `acs` signer sends (pop-core names them in lower case, the Go and Java cores capitalised)."""
    headers = {"Accept": "application/json", "Content-MD5": EMPTY_MD5, "Content-Type": "application/json",
               "Date": formatdate(usegmt=True), "Host": server.endpoint, "x-acs-version": "2021-02-04", "x-acs-action": action,
               "x-acs-signature-nonce": uuid.uuid4().hex, "x-acs-signature-method": "HMAC-SHA1", "x-acs-signature-version": "1.0"}  # fmt: skip
    return {k.lower(): v for k, v in headers.items()} if lower else headers


def family_request(family: str, server: Any, call: tuple[str, str, dict[str, str], dict[str, str], int], secret: str = SECRET,
                   signed_path: str | None = None) -> tuple[str, dict[str, str]]:
    """(request target, headers) of `call` as `family` sends it, signed with `secret` (over `signed_path` if given)."""
    action, pattern, params, query, _ = call
    sent = fill(pattern, params, encode=True)
    target = sent + ("?" + urlencode(query, quote_via=quote) if query else "")
    if family == "node":
        headers = v2_headers(server, action, lower=True)
        headers["authorization"] = f"acs {KEY}:{hmac_sha1(secret, node_acs_string('GET', signed_path or sent, headers, query))}"
        return target, headers
    raw = signed_path or fill(pattern, params, encode=False)
    headers = v2_headers(server, action, lower=False)
    if family == "go":
        headers["Authorization"] = f"acs {KEY}:{hmac_sha1(secret, legacy_go_string('GET', raw, headers, query))}"
    elif family == "java":
        headers["Authorization"] = f"acs {KEY}:{hmac_sha1(secret, legacy_java_string('GET', raw, headers, query))}"
    else:  # java-v3
        headers = {"Accept": "application/json", "Host": server.endpoint, "x-acs-version": "2021-02-04", "x-acs-action": action,
                   "x-acs-date": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"), "x-acs-signature-nonce": uuid.uuid4().hex,
                   "x-acs-content-sha256": EMPTY_SHA256}  # fmt: skip
        headers["Authorization"] = java_v3_authorization("GET", raw, headers, query, KEY, secret)
    return target, headers


FAMILIES = ["node", "go", "java", "java-v3"]


@pytest.mark.parametrize("family", FAMILIES)
def test_each_family_signature_is_accepted_and_a_wrong_secret_is_not(family_server, family):
    for call in CALLS:
        target, headers = family_request(family, family_server, call)
        status, resp_headers, body = send(family_server, "GET", target, headers)
        assert status == call[4], (family, call, body)
        if status == 404:
            assert json.loads(body)["Code"] == "201900002"
        target, headers = family_request(family, family_server, call, secret="wrong-secret")
        status, resp_headers, body = send(family_server, "GET", target, headers)
        assert_alibaba_error(status, resp_headers, body, "SignatureDoesNotMatch", 400)


def test_the_forms_are_what_the_clients_sign():
    # The canonical strings themselves, written out by hand, so that a port that drifts from its source shows here.
    headers = {"accept": "application/json", "content-md5": "X", "content-type": "application/json", "date": "D", "x-acs-version": "V"}
    assert node_acs_string("GET", "/api/v1/models", headers, {"Label": "", "Provider": "pai"}) == (
        "GET\napplication/json\nX\napplication/json\nD\nx-acs-version:V\n/api/v1/models?Label=&Provider=pai")
    capital = {"Accept": "application/json", "Content-MD5": "X", "Content-Type": "application/json", "Date": "D", "x-acs-version": "V"}
    path = fill(CALLS[7][1], CALLS[7][2], encode=False)
    assert path == "/api/v1/models/模型-1/versions/1.0.0 rc+1"
    expected = "GET\napplication/json\nX\napplication/json\nD\nx-acs-version:V\n/api/v1/models/模型-1/versions/1.0.0 rc+1?Label"
    assert legacy_go_string("GET", path, capital, {"Label": ""}) == expected
    assert legacy_java_string("GET", path, capital, {"Label": ""}) == expected
    assert fill(CALLS[7][1], CALLS[7][2], encode=True) == "/api/v1/models/%E6%A8%A1%E5%9E%8B-1/versions/1.0.0%20rc%2B1"


@pytest.mark.parametrize(
    ("family", "call", "signed_path"),
    [
        # A signature over another resource than the one requested fails, whatever the form.
        ("node", CALLS[5], "/api/v1/models/m-pai"),
        ("go", CALLS[5], "/api/v1/models/m-pai"),
        ("go", CALLS[8], "/api/v1/models/模型-1/versions/1.0.1"),
        ("java-v3", CALLS[5], "/api/v1/models/模型-2"),
    ],
)
def test_forms_no_client_makes_are_refused(family_server, family, call, signed_path):
    target, headers = family_request(family, family_server, call, signed_path=signed_path)
    status, resp_headers, body = send(family_server, "GET", target, headers)
    assert_alibaba_error(status, resp_headers, body, "SignatureDoesNotMatch", 400)


def test_node_empty_value_form_is_refused_over_a_decoded_path(family_server):
    # "k=" together with a decoded path is a combination no client makes: the Node.js signers never send a raw
    # path (Node refuses unescaped characters in a request path), so they always sign the path as sent.
    action, pattern, params, _, _ = CALLS[5]
    query = {"Label": ""}
    headers = v2_headers(family_server, action, lower=True)
    signed = node_acs_string("GET", fill(pattern, params, encode=False), headers, query)
    headers["authorization"] = f"acs {KEY}:{hmac_sha1(SECRET, signed)}"
    status, resp_headers, body = send(family_server, "GET", fill(pattern, params, encode=True) + "?Label=", headers)
    assert_alibaba_error(status, resp_headers, body, "SignatureDoesNotMatch", 400)


# -- the real clients -----------------------------------------------------------------------------------------------


def _run(command: list[str], cwd: Path, stdin: str | None = None, **env: str) -> str:
    done = subprocess.run(command, cwd=cwd, input=stdin, env={**os.environ, **env}, capture_output=True, text=True, timeout=900,
                          check=False)  # fmt: skip
    assert done.returncode == 0, f"{' '.join(command)} in {cwd} exited {done.returncode}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout


def _needs(*tools: str) -> None:
    missing = [t for t in tools if not shutil.which(t)]
    if missing:
        pytest.skip(f"needs {', '.join(missing)} on PATH (installed on this project's machines)")


def _fingerprint(*files: Path) -> str:
    return hashlib.sha256(b"".join(f.read_bytes() for f in files)).hexdigest()[:12]


def node_client() -> list[str]:
    """`node node_driver.js` with @alicloud/pop-core and @alicloud/openapi-core installed beside a copy of it."""
    _needs("node", "npm")
    source = ROOT / "node" / "driver.js"
    folder = CACHE / f"node-{_fingerprint(source, ROOT / 'node' / 'package.json', ROOT / 'node' / 'package-lock.json')}"
    if not (folder / "node_modules" / "@alicloud" / "pop-core").is_dir():
        folder.mkdir(parents=True, exist_ok=True)
        for name in ("package.json", "package-lock.json"):
            shutil.copy(ROOT / "node" / name, folder / name)
        _run(["npm", "ci", "--no-audit", "--no-fund", "--ignore-scripts"], folder)
    shutil.copy(source, folder / "driver.js")
    return ["node", str(folder / "driver.js")]


def go_client() -> list[str]:
    """The Go driver, built once with the module's pinned alibaba-cloud-sdk-go."""
    _needs("go")
    source = ROOT / "go"
    binary = CACHE / f"go-driver-{_fingerprint(source / 'main.go', source / 'go.mod', source / 'go.sum')}"
    if not binary.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        _run(["go", "build", "-o", str(binary), "."], source, GOFLAGS="-mod=readonly")
    return [str(binary)]


def java_client() -> list[str]:
    """`java Driver` on the class path Maven resolves for aliyun-java-sdk-core."""
    _needs("java", "javac", "mvn")
    source = ROOT / "java"
    folder = CACHE / f"java-{_fingerprint(source / 'Driver.java', source / 'pom.xml')}"
    classpath = folder / "classpath.txt"
    if not (folder / "Driver.class").exists():
        folder.mkdir(parents=True, exist_ok=True)
        _run(["mvn", "-q", "-B", "dependency:build-classpath", f"-Dmdep.outputFile={classpath}"], source)
        _run(["javac", "-d", str(folder), "-cp", classpath.read_text().strip(), "Driver.java"], source)
    return ["java", "-cp", f"{folder}{os.pathsep}{classpath.read_text().strip()}", "Driver"]


def drive(server: Any, command: list[str]) -> dict[str, list[dict[str, Any]]]:
    """Each client's answers to CALLS, by client name."""
    calls = [{"action": a, "pattern": p, "params": params, "query": q} for a, p, params, q, _ in CALLS]
    stdin = json.dumps({"endpoint": server.url, "key": KEY, "secret": SECRET, "calls": calls}, ensure_ascii=False)
    results: dict[str, list[dict[str, Any]]] = {}
    for line in _run(command, ROOT, stdin).splitlines():
        if line.startswith("{"):
            row = json.loads(line)
            results.setdefault(row["client"], []).append(row)
    return results


def check_answers(server: Any, results: dict[str, list[dict[str, Any]]], clients: list[str], *, refused_in_client: tuple[int, ...] = ()) -> None:
    """Every client's every call got PAI's answer, and the emulator served each at the intended action and resource."""
    assert sorted(results) == sorted(clients)
    for rows in results.values():
        assert [r["call"] for r in rows] == list(range(len(CALLS)))
        for row, (_, _, _, _, status) in zip(rows, CALLS, strict=True):
            if row["call"] in refused_in_client:
                continue
            assert row.get("code") != "SignatureDoesNotMatch", row
            assert (row["status"] or status) == status, row  # the Java core reports no status with its exceptions
            assert row.get("code") == (None if status == 200 else "201900002"), row
    served = [(r["action"], unquote(r["path"]), r["status"]) for r in server.requests()]
    expected = [(a, fill(p, params, encode=False), s) for i, (a, p, params, _, s) in enumerate(CALLS) if i not in refused_in_client]
    assert served == expected * len(clients)


@pytest.mark.shell
def test_real_node_clients(family_server):
    results = drive(family_server, node_client())
    check_answers(family_server, results, ["pop-core", "openapi-core"])


@pytest.mark.shell
def test_real_go_client(family_server):
    results = drive(family_server, go_client())
    check_answers(family_server, results, ["alibaba-cloud-sdk-go"])


@pytest.mark.shell
def test_real_java_clients(family_server):
    results = drive(family_server, java_client())
    # A raw space in a path parameter never leaves the Java core: java.net.URI refuses it (SDK.RequestTryOrRetryFailed).
    for rows in results.values():
        assert rows[7]["code"] == "SDK.RequestTryOrRetryFailed", rows[7]
    check_answers(family_server, results, ["aliyun-java-sdk-core", "aliyun-java-sdk-core-v3"], refused_in_client=(7,))
