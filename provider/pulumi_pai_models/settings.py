"""Where and how to call PAI: region or endpoint, credentials, timeouts, retries, paging.

Precedence, first set wins for each field:
  1. `Settings(...)` given explicitly (the `settings=` argument);
  2. the Pulumi stack config (`alicloud:region`, `alicloud:accessKey`, `alicloud:secretKey`,
     `alicloud:securityToken`, and `pai-models:endpoint`, `pai-models:protocol`, ... see `CONFIG_KEYS`);
  3. the environment (`ALIBABA_CLOUD_REGION_ID`, `ALIBABA_CLOUD_ACCESS_KEY_ID`, ... see `ENV_KEYS`);
  4. for credentials only, Alibaba's default chain (`alibabacloud-credentials`: profiles, ECS RAM role,
     OIDC/RRSA, credentials URI), asked at the first API call.

Each field remembers where it came from (`ResolvedSettings.source`), so a message can say "the
endpoint from stack config pai-models:endpoint" or "--page-size" rather than a field name. Secrets are
kept out of `repr()`, and nothing here logs or formats them.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar
from urllib.parse import urlsplit

from .contract import MAX_PAGE_SIZE
from .errors import ConfigurationError

__all__ = ["CONFIG_KEYS", "ENV_KEYS", "ENV_OF", "LIMITS", "SECRET_FIELDS", "ResolvedSettings", "Settings"]

#: Stack config key -> Settings field.
CONFIG_KEYS: dict[str, str] = {
    "alicloud:region": "region",
    "alicloud:accessKey": "access_key_id",
    "alicloud:secretKey": "access_key_secret",
    "alicloud:securityToken": "security_token",
    "pai-models:endpoint": "endpoint",
    "pai-models:protocol": "protocol",
    "pai-models:vpc": "vpc",
    "pai-models:readTimeoutMs": "read_timeout_ms",
    "pai-models:connectTimeoutMs": "connect_timeout_ms",
    "pai-models:maxAttempts": "max_attempts",
    "pai-models:maxConcurrency": "max_concurrency",
    "pai-models:maxInFlight": "max_in_flight",
}

#: Environment variable -> Settings field; Alibaba's names first, then pulumi_alicloud's.
ENV_KEYS: dict[str, str] = {
    "ALIBABA_CLOUD_REGION_ID": "region",
    "ALICLOUD_REGION": "region",
    "ALIBABA_CLOUD_ACCESS_KEY_ID": "access_key_id",
    "ALICLOUD_ACCESS_KEY": "access_key_id",
    "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "access_key_secret",
    "ALICLOUD_SECRET_KEY": "access_key_secret",
    "ALIBABA_CLOUD_SECURITY_TOKEN": "security_token",
    "ALICLOUD_SECURITY_TOKEN": "security_token",
    "PAI_MODELS_ENDPOINT": "endpoint",
    "PAI_MODELS_PROTOCOL": "protocol",
}

_REGION = re.compile(r"^[a-z]{2,}(-[a-z0-9]+)+$")
_HOST = re.compile(r"^[A-Za-z0-9.\-\[\]:]+$")
#: The allowed range of each whole-number setting.
LIMITS: dict[str, tuple[int, int]] = {
    "read_timeout_ms": (1, 600_000),
    "connect_timeout_ms": (1, 600_000),
    "max_attempts": (1, 20),
    "backoff_base_ms": (0, 60_000),
    "backoff_max_ms": (0, 600_000),
    "page_size": (1, MAX_PAGE_SIZE),
    "max_concurrency": (1, 64),
    "max_in_flight": (1, 256),
}
_CREDENTIALS = ("access_key_id", "access_key_secret", "security_token")
#: The fields whose values are secrets: never in repr, state, logs or messages; marked secret in the plugin schema.
SECRET_FIELDS = frozenset({"access_key_secret", "security_token"})
#: Settings field -> the first environment variable that sets it (Alibaba's name), for messages and docs.
ENV_OF: dict[str, str] = {name: env for env, name in reversed(ENV_KEYS.items())}
Sources = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Settings:
    """How to reach PAI. Unset fields (None) are filled from the stack config, then the environment."""

    region: str | None = None
    endpoint: str | None = None
    protocol: str | None = None
    access_key_id: str | None = None
    access_key_secret: str | None = field(default=None, repr=False)
    security_token: str | None = field(default=None, repr=False)
    vpc: bool | None = None
    read_timeout_ms: int | None = None
    connect_timeout_ms: int | None = None
    max_attempts: int | None = None
    backoff_base_ms: int | None = None
    backoff_max_ms: int | None = None
    page_size: int | None = None
    max_concurrency: int | None = None
    max_in_flight: int | None = None
    #: Where set fields came from, as (field, "stack config pai-models:endpoint") pairs; not compared.
    sources: Sources = field(default=(), compare=False, repr=False)

    DEFAULTS: ClassVar[dict[str, Any]] = {
        "protocol": "https",
        "vpc": False,
        "read_timeout_ms": 10_000,
        "connect_timeout_ms": 5_000,
        "max_attempts": 4,
        "backoff_base_ms": 200,
        "backoff_max_ms": 5_000,
        "page_size": MAX_PAGE_SIZE,
        "max_concurrency": 8,
        "max_in_flight": 16,
    }

    # -- building -----------------------------------------------------------------------------------

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any], keys: Mapping[str, str], source: str) -> Settings:
        """Settings from a mapping keyed by config keys or env names (`keys` maps them to fields); "" is unset."""
        found: dict[str, Any] = {}
        sources: dict[str, str] = {}
        for key, name in keys.items():
            raw = values.get(key)
            if raw is None or raw == "" or name in found:
                continue
            found[name] = _coerce(name, raw, f"{source} {key}")
            sources[name] = f"{source} {key}"
        return cls(**found, sources=tuple(sources.items()))

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Settings from the environment (read now, not at import)."""
        return cls.from_mapping(os.environ if environ is None else environ, ENV_KEYS, "environment variable")

    @classmethod
    def from_config(cls, get: Callable[[str], Any]) -> Settings:
        """Settings from a stack config reader: `get("alicloud:region")` -> value or None."""
        return cls.from_mapping({key: get(key) for key in CONFIG_KEYS}, CONFIG_KEYS, "stack config")

    @classmethod
    def layered(cls, *layers: Settings | None) -> ResolvedSettings:
        """The layers merged, the first that sets a field winning, with the environment last; resolved."""
        merged = cls()
        for layer in (*layers, cls.from_env()):
            if layer is not None:
                merged = merged.over(layer)
        return merged.resolved()

    def over(self, fallback: Settings) -> Settings:
        """These settings, with unset fields (and their sources) taken from `fallback`."""
        names = [f.name for f in dataclasses.fields(Settings) if f.name != "sources"]
        taken = {n for n in names if getattr(self, n) is None and getattr(fallback, n) is not None}
        # Credentials come as a set: never pair one source's key id with another source's secret.
        if self.access_key_id is not None or self.access_key_secret is not None:
            taken -= set(_CREDENTIALS)
        values = {n: getattr(fallback if n in taken else self, n) for n in names}
        mine = {n: where for n, where in self.sources if n not in taken}
        theirs = {n: where for n, where in fallback.sources if n in taken}
        return Settings(**values, sources=tuple({**mine, **theirs}.items()))

    def source(self, name: str) -> str:
        """Where field `name` was set: `stack config pai-models:endpoint`, `--endpoint`; else the field's own name."""
        return dict(self.sources).get(name) or name

    def resolved(self) -> ResolvedSettings:
        """A copy with defaults filled in and everything checked; raises `ConfigurationError` naming the setting's source."""
        if isinstance(self, ResolvedSettings):
            return self
        values = {f.name: getattr(self, f.name) for f in dataclasses.fields(Settings)}
        sources = dict(self.sources)
        for name, default in self.DEFAULTS.items():
            if values[name] is None:
                values[name] = default
        endpoint = values["endpoint"]
        if endpoint is not None:
            where = self.source("endpoint")
            if not endpoint.strip():
                raise ConfigurationError(
                    f"{where} is empty: give host[:port] or http(s)://host:port, or leave it unset to use the region's endpoint",
                    setting="endpoint",
                )
            if "://" in endpoint:
                parts = urlsplit(endpoint)
                if parts.scheme not in ("http", "https") or not parts.netloc or parts.path not in ("", "/"):
                    raise ConfigurationError(
                        f"{where} {endpoint!r} is not a host[:port] or an http(s) URL without a path", setting="endpoint"
                    )
                values["protocol"] = self.protocol or parts.scheme
                if self.protocol and self.protocol != parts.scheme:
                    raise ConfigurationError(
                        f"{where} {endpoint!r} says {parts.scheme} but {self.source('protocol')} is {self.protocol!r}", setting="protocol"
                    )
                sources.setdefault("protocol", f"the scheme of {where}")
                endpoint = parts.netloc
            if not _HOST.match(endpoint):
                raise ConfigurationError(f"{where} {endpoint!r} is not a host name or host:port", setting="endpoint")
            values["endpoint"] = endpoint
        else:
            region = values["region"]
            if not region:
                raise ConfigurationError(setting="region", missing=True)  # the message says where each front door sets it
            if not _REGION.match(region):
                raise ConfigurationError(f"{self.source('region')} {region!r} is not a region id such as cn-hangzhou", setting="region")
            if values["protocol"] == "http":
                raise ConfigurationError(
                    f"{self.source('protocol')} 'http' is only allowed with an explicit endpoint (such as the local emulator); "
                    "PAI's public endpoints are reached over HTTPS with certificate verification",
                    setting="protocol",
                )
            values["endpoint"] = f"aiworkspace{'-vpc' if values['vpc'] else ''}.{region}.aliyuncs.com"
            sources["endpoint"] = f"the public endpoint of {self.source('region')} {region}"
        if values["protocol"] not in ("http", "https"):
            raise ConfigurationError(
                f"{self.source('protocol')} {values['protocol']!r} is not allowed (allowed: https, or http with an explicit endpoint)",
                setting="protocol",
            )
        if (values["access_key_id"] is None) != (values["access_key_secret"] is None):
            missing = "access key secret" if values["access_key_secret"] is None else "access key id"
            raise ConfigurationError(
                f"the {missing} is missing: set both alicloud:accessKey and alicloud:secretKey (or both "
                "ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET), or neither to use the default chain",
                setting="credentials",
            )
        for name, (low, high) in LIMITS.items():
            if not low <= values[name] <= high:
                raise ConfigurationError(f"{self.source(name)} is {values[name]}, allowed {low}..{high}", setting=name)
        values["sources"] = tuple(sources.items())
        return ResolvedSettings(**values)


@dataclass(frozen=True)
class ResolvedSettings(Settings):
    """Settings with defaults filled in and checked (`Settings.resolved()`): what a client runs with."""

    endpoint: str = ""
    protocol: str = "https"
    vpc: bool = False
    read_timeout_ms: int = 0
    connect_timeout_ms: int = 0
    max_attempts: int = 0
    backoff_base_ms: int = 0
    backoff_max_ms: int = 0
    page_size: int = 0
    max_concurrency: int = 0
    max_in_flight: int = 0

    @property
    def has_static_credentials(self) -> bool:
        """True when an access key pair is set here rather than left to the default chain."""
        return self.access_key_id is not None and self.access_key_secret is not None

    @property
    def url(self) -> str:
        """The endpoint as a URL: `https://aiworkspace.cn-hangzhou.aliyuncs.com`."""
        return f"{self.protocol}://{self.endpoint}"


def _coerce(name: str, raw: Any, where: str) -> Any:
    if name in LIMITS:
        try:
            return int(raw)
        except (TypeError, ValueError):
            raise ConfigurationError(f"{where} must be a whole number, got {raw!r}") from None
    if name == "vpc":
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text not in ("true", "false", "1", "0", "yes", "no"):
            raise ConfigurationError(f"{where} must be true or false")
        return text in ("true", "1", "yes")
    if not isinstance(raw, str):
        raise ConfigurationError(f"{where} must be a string")
    return raw
