"""Where and how to call PAI: region or endpoint, credentials, timeouts, retries, paging.

Precedence, first set wins for each field:
  1. `Settings(...)` given explicitly (the `settings=` argument);
  2. the Pulumi stack config (`alicloud:region`, `alicloud:accessKey`, `alicloud:secretKey`,
     `alicloud:securityToken`, and `pai-models:endpoint`, `pai-models:protocol`, ... see `CONFIG_KEYS`);
  3. the environment (`ALIBABA_CLOUD_REGION_ID`, `ALIBABA_CLOUD_ACCESS_KEY_ID`, ... see `ENV_KEYS`);
  4. for credentials only, Alibaba's default chain (`alibabacloud-credentials`: profiles, ECS RAM role,
     OIDC/RRSA, credentials URI), asked at the first API call.

Secrets are kept out of `repr()`, and nothing here logs or formats them.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from .errors import ConfigurationError

__all__ = ["CONFIG_KEYS", "ENV_KEYS", "Settings"]

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
_INT_FIELDS = ("read_timeout_ms", "connect_timeout_ms", "max_attempts", "max_concurrency", "page_size", "backoff_base_ms", "backoff_max_ms")


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

    DEFAULTS = {
        "protocol": "https",
        "vpc": False,
        "read_timeout_ms": 10_000,
        "connect_timeout_ms": 5_000,
        "max_attempts": 4,
        "backoff_base_ms": 200,
        "backoff_max_ms": 5_000,
        "page_size": 100,
        "max_concurrency": 8,
    }

    # -- building -----------------------------------------------------------------------------------

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any], keys: Mapping[str, str], source: str) -> Settings:
        """Settings from a mapping keyed by config keys or env names (`keys` maps them to fields)."""
        found: dict[str, Any] = {}
        for key, name in keys.items():
            raw = values.get(key)
            if raw is None or raw == "" or name in found:
                continue
            found[name] = _coerce(name, raw, f"{source} {key}")
        return cls(**found)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Settings from the environment (read now, not at import)."""
        return cls.from_mapping(os.environ if environ is None else environ, ENV_KEYS, "environment variable")

    @classmethod
    def from_config(cls, get: Callable[[str], Any]) -> Settings:
        """Settings from a stack config reader: `get("alicloud:region")` -> value or None."""
        return cls.from_mapping({key: get(key) for key in CONFIG_KEYS}, CONFIG_KEYS, "stack config")

    @classmethod
    def layered(cls, *layers: Settings | None) -> Settings:
        """The layers merged, the first that sets a field winning, with the environment last; resolved."""
        merged = cls()
        for layer in (*layers, cls.from_env()):
            if layer is not None:
                merged = merged.over(layer)
        return merged.resolved()

    def over(self, fallback: Settings) -> Settings:
        """These settings, with unset fields taken from `fallback`."""
        values = {
            f.name: getattr(self, f.name) if getattr(self, f.name) is not None else getattr(fallback, f.name)
            for f in dataclasses.fields(self)
        }
        # Credentials come as a set: never pair one source's key id with another source's secret.
        if self.access_key_id is not None or self.access_key_secret is not None:
            values.update(
                access_key_id=self.access_key_id, access_key_secret=self.access_key_secret, security_token=self.security_token
            )
        return Settings(**values)

    def resolved(self) -> Settings:
        """A copy with defaults filled in and everything checked; raises `ConfigurationError`."""
        values = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        for name, default in self.DEFAULTS.items():
            if values[name] is None:
                values[name] = default
        endpoint = values["endpoint"]
        if endpoint:
            if "://" in endpoint:
                parts = urlsplit(endpoint)
                if parts.scheme not in ("http", "https") or not parts.netloc or parts.path not in ("", "/"):
                    raise ConfigurationError(f"endpoint {endpoint!r} is not a host[:port] or an http(s) URL without a path")
                values["protocol"] = self.protocol or parts.scheme
                if self.protocol and self.protocol != parts.scheme:
                    raise ConfigurationError(f"endpoint {endpoint!r} says {parts.scheme} but protocol is {self.protocol!r}")
                endpoint = parts.netloc
            if not _HOST.match(endpoint):
                raise ConfigurationError(f"endpoint {endpoint!r} is not a host name or host:port")
            values["endpoint"] = endpoint
        else:
            region = values["region"]
            if not region:
                raise ConfigurationError(
                    "no PAI region or endpoint: set the stack config 'alicloud:region' (pulumi config set alicloud:region "
                    "cn-hangzhou), the environment variable ALIBABA_CLOUD_REGION_ID, or Settings(region=...) / "
                    "Settings(endpoint=...)"
                )
            if not _REGION.match(region):
                raise ConfigurationError(f"region {region!r} is not a region id such as cn-hangzhou")
            if values["protocol"] == "http":
                raise ConfigurationError(
                    "protocol 'http' is only allowed with an explicit endpoint (such as the local emulator); "
                    "PAI's public endpoints are reached over HTTPS with certificate verification"
                )
            values["endpoint"] = f"aiworkspace{'-vpc' if values['vpc'] else ''}.{region}.aliyuncs.com"
        if values["protocol"] not in ("http", "https"):
            raise ConfigurationError(f"protocol {values['protocol']!r} is not allowed (allowed: https, or http with an explicit endpoint)")
        if (values["access_key_id"] is None) != (values["access_key_secret"] is None):
            missing = "access key secret" if values["access_key_secret"] is None else "access key id"
            raise ConfigurationError(
                f"the {missing} is missing: set both alicloud:accessKey and alicloud:secretKey (or both "
                "ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET), or neither to use the default chain"
            )
        limits = {
            "read_timeout_ms": (1, 600_000),
            "connect_timeout_ms": (1, 600_000),
            "max_attempts": (1, 20),
            "backoff_base_ms": (0, 60_000),
            "backoff_max_ms": (0, 600_000),
            "page_size": (1, 100),
            "max_concurrency": (1, 64),
        }
        for name, (low, high) in limits.items():
            if not low <= values[name] <= high:
                raise ConfigurationError(f"{name} is {values[name]}, allowed {low}..{high}")
        return Settings(**values)

    @property
    def has_static_credentials(self) -> bool:
        """True when an access key pair is set here rather than left to the default chain."""
        return self.access_key_id is not None and self.access_key_secret is not None


def _coerce(name: str, raw: Any, where: str) -> Any:
    if name in _INT_FIELDS:
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
