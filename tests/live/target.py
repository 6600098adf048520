"""What the live suite talks to, and the raw API calls it makes there.

The suite reads no settings of its own: every door (functions, ModelLookup, the command, the plugin) resolves
region, endpoint and credentials as it does for users (alicloud config, ALIBABA_CLOUD_* variables,
PAI_MODELS_ENDPOINT, Alibaba's default credential chain). The raw calls here use the same resolution
(`settings.resolve()`) and Alibaba's SDK, so they are signed as the library's own.
"""

from __future__ import annotations

import ipaddress
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

LIVE = os.environ.get("PAI_MODELS_LIVE") == "1"
RECORD = os.environ.get("PAI_MODELS_LIVE_RECORD") == "1"
#: Where recordings go (tests/recordings/ unless PAI_MODELS_LIVE_RECORD_DIR says otherwise).
RECORD_DIR = Path(os.environ.get("PAI_MODELS_LIVE_RECORD_DIR") or Path(__file__).resolve().parent.parent / "recordings")
WORKSPACE = os.environ.get("PAI_MODELS_LIVE_WORKSPACE") or None
#: A public model family every account sees (`provider="pai"`), searched by name.
FAMILY = os.environ.get("PAI_MODELS_LIVE_FAMILY") or "qwen"
SKIP_REASON = (
    "live tests against real PAI run only with PAI_MODELS_LIVE=1 and real credentials and region "
    "(docs/live.md); skipped tests are not passes"
)
API_VERSION = "2021-02-04"
#: A model id no account has: the suite asks for it to record PAI's not-found answer.
MISSING_MODEL_ID = "pai-models-live-no-such-model"


def resolved_settings() -> Any:
    """The settings every door resolves from the environment (and, for credentials, Alibaba's default chain)."""
    from pulumi_pai_models.settings import resolve

    return resolve()


def endpoint_host(settings: Any) -> str:
    """The API host the settings reach (the endpoint's host, or aiworkspace.<region>.aliyuncs.com)."""
    url = settings.url if hasattr(settings, "url") else str(settings.endpoint)
    return urlsplit(url if "//" in url else f"//{url}").hostname or ""


def is_emulator(settings: Any) -> bool:
    """True when the endpoint is a loopback address: the emulator standing in for PAI, not PAI."""
    host = endpoint_host(settings)
    try:
        return host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass
class Call:
    """One raw API call of the suite: what it asked and what came back."""

    scope: str  # "public" (what every account sees) or "own" (the account's workspace): how much is redacted
    action: str
    pattern: str  # e.g. "/api/v1/models/{ModelId}/versions/{VersionName}"
    params: dict[str, str] = field(default_factory=dict)
    query: dict[str, str] = field(default_factory=dict)
    status: int = 0
    body: Any = None

    def pathname(self) -> str:
        """The path as Alibaba's SDK sends it (path parameters percent-encoded, as its generated methods do)."""
        from darabonba.url import Url

        return self.pattern.format(**{k: Url.percent_encode(v) for k, v in self.params.items()})

    def as_json(self) -> dict[str, Any]:
        return {"scope": self.scope, "action": self.action, "pattern": self.pattern, "params": self.params, "query": self.query,
                "status": self.status, "body": self.body}  # fmt: skip


def sdk_client(settings: Any) -> Any:
    """Alibaba's SDK client for these settings: static keys if they give them, else the default credential chain."""
    from alibabacloud_aiworkspace20210204.client import Client
    from alibabacloud_tea_openapi.models import Config

    common = {"endpoint": settings.endpoint, "protocol": settings.protocol, "region_id": settings.region,
              "read_timeout": settings.read_timeout_ms, "connect_timeout": settings.connect_timeout_ms}  # fmt: skip
    if settings.access_key_id:
        return Client(Config(access_key_id=settings.access_key_id, access_key_secret=settings.access_key_secret,
                             security_token=settings.security_token, **common))  # fmt: skip
    from alibabacloud_credentials.client import Client as CredentialClient

    return Client(Config(credential=CredentialClient(), **common))


def send(client: Any, call: Call) -> Call:
    """Make `call` (a GET) with the SDK's generic call_api, real signatures; fills its status and whole JSON body."""
    from alibabacloud_tea_openapi import utils_models
    from alibabacloud_tea_openapi.exceptions import ClientException
    from darabonba.runtime import RuntimeOptions

    params = utils_models.Params(action=call.action, version=API_VERSION, protocol="HTTPS", pathname=call.pathname(), method="GET",
                                 auth_type="AK", style="ROA", req_body_type="json", body_type="json")  # fmt: skip
    try:
        answer = client.call_api(params, utils_models.OpenApiRequest(query=dict(call.query)), RuntimeOptions())
    except ClientException as err:  # a 4xx: its body is PAI's error, to which the SDK adds "statusCode"
        call.status, call.body = int(err.status_code), {k: v for k, v in (err.data or {}).items() if k != "statusCode"}
        return call
    call.status, call.body = int(answer["statusCode"]), answer["body"]
    return call


def list_models_query(page_size: int, **arguments: Any) -> dict[str, str]:
    """The query of the first ListModels page the library sends for these lookup arguments (its own request builder)."""
    from pulumi_pai_models.client import list_models_request
    from pulumi_pai_models.query import ModelQuery

    request = list_models_request(ModelQuery.build(**arguments), 1, page_size)
    # As the SDK sends them: empty and unset parameters left out, Tag and Conditions as compact JSON text.
    return {k: json.dumps(v, ensure_ascii=False, separators=(",", ":")) if isinstance(v, list) else str(v)
            for k, v in request.to_map().items() if v not in (None, [], "")}  # fmt: skip


def lookup_calls(scope: str, list_query: dict[str, str], model_id: str, version_name: str, page_size: int) -> list[Call]:
    """The four calls a lookup of one model can make: ListModels, GetModel, ListModelVersions, GetModelVersion."""
    model = "/api/v1/models/{ModelId}"
    return [
        Call(scope, "ListModels", "/api/v1/models", query=list_query),
        Call(scope, "GetModel", model, {"ModelId": model_id}),
        Call(scope, "ListModelVersions", model + "/versions", {"ModelId": model_id}, {"PageNumber": "1", "PageSize": str(page_size)}),
        Call(scope, "GetModelVersion", model + "/versions/{VersionName}", {"ModelId": model_id, "VersionName": version_name}),
    ]


def further_pages(first: Call, page_size: int) -> list[Call]:
    """The ListModels calls for the pages after `first` (answered), as the library pages: same query, PageNumber 2, 3, ..."""
    total = int(first.body.get("TotalCount") or 0) if first.status == 200 and isinstance(first.body, dict) else 0
    pages = -(-total // page_size)
    return [Call(first.scope, first.action, first.pattern, dict(first.params), {**first.query, "PageNumber": str(n)}) for n in range(2, pages + 1)]
