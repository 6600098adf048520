"""Request signature checks, as Alibaba Cloud's API gateway does them for ROA calls.

Two schemes are checked, as Alibaba's SDK (``alibabacloud-tea-openapi`` 0.4.x) computes them:

``ACS3-HMAC-SHA256`` (the SDK's default)::

    Authorization: ACS3-HMAC-SHA256 Credential=<AccessKeyId>,SignedHeaders=<h1;h2;...>,Signature=<hex>
    canonical request = METHOD \\n PATH-as-sent \\n canonical-query \\n canonical-headers \\n
                        signed-headers \\n hex(sha256(body))
    canonical-query   = decoded pairs sorted by name, "name=" + quote(value, safe="~"), joined by "&"
    canonical-headers = per signed header: lower-cased name ":" trimmed value(s, sorted, joined by ",") "\\n"
    signature         = hex(hmac_sha256(secret, "ACS3-HMAC-SHA256\\n" + hex(sha256(canonical request))))

v2 (``Config(signature_algorithm='v2')``)::

    Authorization: acs <AccessKeyId>:<base64(hmac_sha1(secret, string to sign))>
    string to sign = METHOD \\n accept \\n content-md5 \\n content-type \\n date \\n
                     sorted "x-acs-*:value\\n" lines + PATH-as-sent ["?" sorted, unencoded "k=v" or "k" pairs, "&"]

Alibaba's other official clients build these strings in a few other ways, and real PAI must accept them all,
so a signature is also accepted when it matches one of their forms (:data:`ACS3_FORMS`, :data:`V2_FORMS`;
docs/emulator-signing.md): the legacy Go and Java cores sign the percent-decoded path, and the Node.js
``acs`` signers sign an empty query value as ``k=``. No other combination is accepted.

Order of checks: Authorization present (``MissingAuthorization``), well formed
(``InvalidAuthorization``), key known (``InvalidAccessKeyId.NotFound``), signature
(``SignatureDoesNotMatch``), then the STS token (``MissingSecurityToken`` /
``InvalidSecurityToken.MismatchWithAccessKey``). Request time and nonce are not checked.
Secrets and tokens never appear in messages or ``repr``.

``DEFAULT_ACCESS_KEY_ID`` / ``DEFAULT_ACCESS_KEY_SECRET`` are a **public, non-secret test pair**, the
keys the emulator accepts when none are configured, published so that tests and demos can sign
requests to a local emulator. They grant nothing anywhere else; never use them (or anything like them)
for a real Alibaba Cloud account.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, unquote

from .errors import (
    AccessKeyNotFound,
    InvalidAuthorization,
    MissingAuthorization,
    MissingSecurityToken,
    SecurityTokenMismatch,
    SignatureDoesNotMatch,
)

__all__ = [
    "ACS3_FORMS",
    "DEFAULT_ACCESS_KEY_ID",
    "DEFAULT_ACCESS_KEY_SECRET",
    "V2_FORMS",
    "AccessKey",
    "Authenticator",
    "SignedRequest",
    "SigningForm",
    "acs3_signature",
    "canonical_query",
    "claimed_access_key_id",
    "normalize_access_keys",
    "v2_signature",
]

#: Public test AccessKey id the emulator accepts when no keys are configured. Not a secret.
DEFAULT_ACCESS_KEY_ID = "LTAIemulatorTestKey"
#: Public test AccessKey secret paired with :data:`DEFAULT_ACCESS_KEY_ID`. Not a secret.
DEFAULT_ACCESS_KEY_SECRET = "emulator-test-secret"

ACS3 = "ACS3-HMAC-SHA256"
_UNSUPPORTED_ACS3 = ("ACS3-HMAC-SM3", "ACS3-RSA-SHA256")


@dataclass(frozen=True)
class AccessKey:
    """A configured AccessKey pair, with its STS security token if it is a temporary key."""

    id: str
    secret: str = field(repr=False)
    security_token: str | None = field(default=None, repr=False)


def normalize_access_keys(spec: Any) -> dict[str, AccessKey]:
    """Keys from ``{id: secret}``, ``{id: (secret, token)}``, or ``[(id, secret[, token]) | AccessKey, ...]``."""
    items: list[AccessKey] = []
    if isinstance(spec, Mapping):
        for key_id, value in spec.items():
            if isinstance(value, str):
                items.append(AccessKey(key_id, value))
            elif isinstance(value, (tuple, list)) and len(value) in (1, 2):
                items.append(AccessKey(key_id, *value))
            else:
                raise ValueError(f"access_keys[{key_id!r}] must be a secret or (secret, security_token).")
    elif isinstance(spec, Iterable) and not isinstance(spec, (str, bytes)):
        for i, value in enumerate(spec):
            if isinstance(value, AccessKey):
                items.append(value)
            elif isinstance(value, (tuple, list)) and len(value) in (2, 3):
                items.append(AccessKey(*value))
            else:
                raise ValueError(f"access_keys[{i}] must be (id, secret) or (id, secret, security_token).")
    else:
        raise ValueError("access_keys must be a dict {id: secret} or a list of (id, secret[, token]).")
    keys: dict[str, AccessKey] = {}
    for key in items:
        for name, value in (("id", key.id), ("secret", key.secret)):
            if not isinstance(value, str) or not value:
                raise ValueError(f"Every access key needs a non-empty string {name}.")
        if key.security_token is not None and (not isinstance(key.security_token, str) or not key.security_token):
            raise ValueError(f"The security token of access key {key.id!r} must be a non-empty string or None.")
        if key.id in keys:
            raise ValueError(f"Access key {key.id!r} is configured twice.")
        keys[key.id] = key
    if not keys:
        raise ValueError("At least one access key is needed.")
    return keys


@dataclass(frozen=True)
class SignedRequest:
    """What the signature covers, as received."""

    method: str
    path: str  # as sent, still percent-encoded, without the query
    query: Mapping[str, str]  # decoded
    headers: Sequence[tuple[str, str]]  # (name, value) as received
    body: bytes

    def header_values(self, name: str) -> list[str]:
        name = name.lower()
        return [v for k, v in self.headers if k.lower() == name]

    def header(self, name: str) -> str | None:
        values = self.header_values(name)
        return ",".join(values) if values else None


@dataclass(frozen=True)
class SigningForm:
    """One way an official client family builds the string it signs: which path, and how an empty query value reads."""

    clients: str
    decoded_path: bool = False  # the path percent-decoded (path parameters as given) instead of as sent
    empty_value_with_equals: bool = False  # v2 only: an empty query value signed as "k=" instead of "k"


#: The ACS3-HMAC-SHA256 forms official clients sign (the path: as sent, or decoded).
ACS3_FORMS: tuple[SigningForm, ...] = (
    SigningForm("alibabacloud-tea-openapi, and the Darabonba cores of Node.js, Go and Java"),
    SigningForm("aliyun-java-sdk-core with SignatureVersion.V3", decoded_path=True),
)
#: The v2 (``acs``) forms official clients sign.
V2_FORMS: tuple[SigningForm, ...] = (
    SigningForm("alibabacloud-tea-openapi (signature_algorithm='v2'), alipai"),
    SigningForm("Node.js: @alicloud/pop-core, @alicloud/openapi-core and -client with signatureAlgorithm 'v2'",
                empty_value_with_equals=True),
    SigningForm("legacy cores: alibaba-cloud-sdk-go, aliyun-java-sdk-core", decoded_path=True),
)


def canonical_query(query: Mapping[str, str]) -> str:
    """The ACS3 canonical query string of decoded parameters."""
    return "&".join(f"{k}={quote(query[k], safe='~', encoding='utf-8')}" for k in sorted(query))


def _signed_path(req: SignedRequest, form: SigningForm) -> str | None:
    """The path as ``form`` signs it; None when it cannot be decoded."""
    path = req.path or "/"
    if not form.decoded_path:
        return path
    try:
        return unquote(path, errors="strict")
    except UnicodeDecodeError:
        return None


def acs3_signature(secret: str, req: SignedRequest, signed_headers: Sequence[str], form: SigningForm = ACS3_FORMS[0]) -> str | None:
    """The hex ACS3-HMAC-SHA256 signature of ``req`` over ``signed_headers``, as ``form`` signs it."""
    path = _signed_path(req, form)
    if path is None:
        return None
    canonical_headers = ""
    for name in signed_headers:
        values = sorted(v.strip() for v in req.header_values(name))
        canonical_headers += f"{name}:{','.join(values)}\n"
    canonical_request = "\n".join(
        [
            req.method,
            path,
            canonical_query(req.query),
            canonical_headers,
            ";".join(signed_headers),
            hashlib.sha256(req.body).hexdigest(),
        ]
    )
    string_to_sign = f"{ACS3}\n{hashlib.sha256(canonical_request.encode('utf-8')).hexdigest()}"
    return hmac.new(secret.encode("utf-8"), string_to_sign.encode("utf-8"), hashlib.sha256).hexdigest()


def v2_signature(secret: str, req: SignedRequest, form: SigningForm = V2_FORMS[0]) -> str | None:
    """The base64 HMAC-SHA1 signature of the older ``acs AK:signature`` form, as ``form`` signs it."""
    resource = _signed_path(req, form)
    if resource is None:
        return None
    lines = [req.method] + [req.header(h) or "" for h in ("accept", "content-md5", "content-type", "date")]
    acs_headers = sorted({k.lower() for k, _ in req.headers if k.lower().startswith("x-acs-")})
    canon_headers = "".join(f"{k}:{req.header(k)}\n" for k in acs_headers)
    empty = "=" if form.empty_value_with_equals else ""
    if req.query:
        resource += "?" + "&".join(f"{k}={req.query[k]}" if req.query[k] != "" else k + empty for k in sorted(req.query))
    string_to_sign = "\n".join(lines) + "\n" + canon_headers + resource
    digest = hmac.new(secret.encode("utf-8"), string_to_sign.encode("utf-8"), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


_ACS3_FIELD = re.compile(r"\s*(Credential|SignedHeaders|Signature)\s*=\s*([^,\s]*)\s*")
_HEADER_NAME = re.compile(r"^[a-z0-9!#$%&'*+.^_`|~-]+$")


@dataclass(frozen=True)
class _Parsed:
    form: str  # "acs3" or "v2"
    key_id: str
    signature: str
    signed_headers: tuple[str, ...] = ()


def _parse_authorization(value: str) -> _Parsed:
    value = value.strip()
    scheme, _, rest = value.partition(" ")
    if scheme == ACS3:
        fields: dict[str, str] = {}
        for part in rest.split(","):
            m = _ACS3_FIELD.fullmatch(part)
            if not m or m.group(1) in fields:
                raise InvalidAuthorization(
                    "The Authorization header must read 'ACS3-HMAC-SHA256 Credential=<id>,SignedHeaders=<h1;h2>,Signature=<hex>'."
                )
            fields[m.group(1)] = m.group(2)
        if set(fields) != {"Credential", "SignedHeaders", "Signature"} or not fields["Credential"]:
            raise InvalidAuthorization("The ACS3 Authorization header needs Credential, SignedHeaders and Signature.")
        names = tuple(fields["SignedHeaders"].split(";")) if fields["SignedHeaders"] else ()
        if not all(_HEADER_NAME.match(n) for n in names):
            raise InvalidAuthorization("SignedHeaders must list lower-case header names separated by ';'.")
        if not re.fullmatch(r"[0-9a-fA-F]{64}", fields["Signature"]):
            raise InvalidAuthorization("The ACS3-HMAC-SHA256 Signature must be 64 hex digits.")
        return _Parsed("acs3", fields["Credential"], fields["Signature"].lower(), names)
    if scheme in _UNSUPPORTED_ACS3:
        raise InvalidAuthorization(f"The emulator supports ACS3-HMAC-SHA256 and v2 signatures, not {scheme}.")
    if scheme == "acs":
        key_id, sep, signature = rest.strip().rpartition(":")
        if not sep or not key_id or not signature:
            raise InvalidAuthorization("The v2 Authorization header must read 'acs <AccessKeyId>:<signature>'.")
        return _Parsed("v2", key_id, signature)
    raise InvalidAuthorization("The Authorization header must use ACS3-HMAC-SHA256 or the v2 'acs' form.")


def claimed_access_key_id(authorization: str | None) -> str | None:
    """The AccessKey id an Authorization header names, if it parses (for the request log)."""
    if not authorization:
        return None
    try:
        return _parse_authorization(authorization).key_id
    except InvalidAuthorization:
        return None


class Authenticator:
    """Checks request signatures against the configured key pairs."""

    def __init__(self, keys: Any) -> None:
        """``keys`` in any form :func:`normalize_access_keys` takes; raises ValueError when malformed."""
        self._keys = normalize_access_keys(keys)

    def verify(self, req: SignedRequest) -> AccessKey:
        """The key that signed ``req``; raises an :class:`~.errors.AuthError` otherwise."""
        authorization = req.header("authorization")
        if authorization is None or not authorization.strip():
            raise MissingAuthorization()
        if len(req.header_values("authorization")) > 1:
            raise InvalidAuthorization("The request carries more than one Authorization header.")
        parsed = _parse_authorization(authorization)
        key = self._keys.get(parsed.key_id)
        if key is None:
            raise AccessKeyNotFound(f"Specified access key is not found: {parsed.key_id!r}.")

        if parsed.form == "acs3":
            if req.header("x-acs-security-token") is not None and "x-acs-security-token" not in parsed.signed_headers:
                raise SignatureDoesNotMatch("The x-acs-security-token header must be signed (listed in SignedHeaders).")
            expected = (acs3_signature(key.secret, req, parsed.signed_headers, form) for form in ACS3_FORMS)
        else:
            expected = (v2_signature(key.secret, req, form) for form in V2_FORMS)
        claimed = parsed.signature.encode("utf-8", "replace")
        if not any(e is not None and hmac.compare_digest(e.encode("ascii"), claimed) for e in expected):
            raise SignatureDoesNotMatch()

        header_key_id = req.header("x-acs-accesskey-id")
        if header_key_id is not None and header_key_id.strip() != key.id:
            raise InvalidAuthorization("The x-acs-accesskey-id header names another key than the signature.")
        token = req.header("x-acs-security-token")
        if key.security_token is None:
            if token is not None:
                raise SecurityTokenMismatch("The request carries a security token but the AccessKey is not an STS key.")
        elif token is None:
            raise MissingSecurityToken()
        elif not hmac.compare_digest(token.strip().encode("utf-8"), key.security_token.encode("utf-8")):
            raise SecurityTokenMismatch()
        return key
