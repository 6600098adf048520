"""Where and how to call PAI: the settings of `contract.SETTINGS`, resolved once through a front door's sources.

`resolve(door, ...)` takes, for each setting, the first of the door's sources (`doors`) that sets it:

    Python programs   Settings(...), the stack config (pai-models:<key>, then alicloud:<key>), the environment
    the plugin        the stack config pai-models:<key>, the environment
    pai-models        its flags, the environment

then fills in the defaults and checks everything, and for credentials, when no source sets them, leaves
them to Alibaba's default chain (`alibabacloud-credentials`: profiles, ECS RAM role, OIDC/RRSA,
credentials URI), asked at the first API call. An access key id, secret and token always come from the
same place. Each value remembers where it came from (`ResolvedSettings.source`), so a message can say
"the endpoint from stack config pai-models:endpoint" or "--page-size is 500"; a key of this package's
config namespace that no setting has is refused, naming the closest one. Secrets are kept out of
`repr()`, and nothing here logs or formats them.
"""

from __future__ import annotations

import dataclasses
import difflib
import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from .contract import CREDENTIALS, PACKAGE, SETTINGS, Setting, setting
from .doors import PYTHON, Door, Source
from .errors import ConfigurationError

__all__ = ["ENV_NAMES", "SECRET_FIELDS", "ResolvedSettings", "Settings", "check_config", "check_config_keys", "resolve"]

_REGION = re.compile(r"^[a-z]{2,}(-[a-z0-9]+)+$")
_HOST = re.compile(r"^[A-Za-z0-9.\-\[\]:]+$")
#: The settings whose values are secrets: never in repr, state, logs or messages; secret in the plugin schema.
SECRET_FIELDS = frozenset(s.name for s in SETTINGS if s.secret)
#: Every environment variable a setting is read from.
ENV_NAMES = tuple(name for s in SETTINGS for name in s.env)
Sources = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Settings:
    """How to reach PAI and how to call it; a field left None is taken from the stack config, then the environment.

    Attributes:
        region: The PAI region, e.g. cn-hangzhou: the endpoint is aiworkspace.<region>.aliyuncs.com.
        endpoint: An explicit endpoint instead of the region's, host[:port] or http(s)://host:port (e.g. the local emulator).
        protocol: https, or http with an explicit endpoint only. Default: https.
        vpc: Use the region's VPC endpoint, aiworkspace-vpc.<region>.aliyuncs.com. Default: False.
        access_key_id: The access key id; unset, Alibaba's default credential chain is asked.
        access_key_secret: The access key secret, set with the key id. A secret.
        security_token: An STS security token, with a temporary access key pair. A secret.
        read_timeout_ms: Read timeout of one request attempt, in milliseconds. Default: 10000 (1..600000).
        connect_timeout_ms: Connect timeout of one request attempt, in milliseconds. Default: 5000 (1..600000).
        max_attempts: Attempts per API call: throttling, 5xx answers, timeouts and connection errors are retried. Default: 4 (1..20).
        backoff_base_ms: The backoff before the first retry, doubled at each retry (with jitter), in ms. Default: 200 (0..60000).
        backoff_max_ms: The longest backoff between two attempts, in milliseconds. Default: 5000 (0..600000).
        page_size: Models per ListModels page. Default: 100 (1..100).
        max_concurrency: Pages of one listing read at the same time. Default: 8 (1..64).
        max_in_flight: Requests in flight at once in this process, shared in turns by its listings. Default: 16 (1..256).
    """

    region: str | None = None
    endpoint: str | None = None
    protocol: str | None = None
    vpc: bool | None = None
    access_key_id: str | None = None
    access_key_secret: str | None = field(default=None, repr=False)
    security_token: str | None = field(default=None, repr=False)
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

    def over(self, fallback: Settings) -> Settings:
        """These settings, with the fields they leave unset taken from `fallback` (credentials as a set: all from one)."""
        names = [f.name for f in dataclasses.fields(Settings) if f.name != "sources"]
        taken = {n for n in names if getattr(self, n) is None and getattr(fallback, n) is not None}
        if any(getattr(self, n) is not None for n in CREDENTIALS):
            taken -= set(CREDENTIALS)
        values = {n: getattr(fallback if n in taken else self, n) for n in names}
        mine = {n: where for n, where in self.sources if n not in taken}
        theirs = {n: where for n, where in fallback.sources if n in taken}
        return Settings(**values, sources=tuple({**mine, **theirs}.items()))

    def resolved(self) -> ResolvedSettings:
        """These settings over the environment, defaults filled in, checked: what `PaiModelsClient(self)` runs with."""
        return resolve(explicit=self)

    def source(self, name: str) -> str:
        """Where field `name` was set: `stack config pai-models:endpoint`, `--endpoint`; else the field's own name."""
        return dict(self.sources).get(name) or name

    def _checked(self) -> ResolvedSettings:
        """A copy with defaults filled in and everything checked; raises `ConfigurationError` naming the setting's source."""
        if isinstance(self, ResolvedSettings):
            return self
        values = {f.name: getattr(self, f.name) for f in dataclasses.fields(Settings)}
        sources = dict(self.sources)
        for declared in SETTINGS:
            if values[declared.name] is None and declared.default is not None:
                values[declared.name] = declared.default
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
                raise ConfigurationError(setting="region", missing=True)  # the message says where the door sets it
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
        for declared in SETTINGS:
            value = values[declared.name]
            if declared.choices and value not in declared.choices:
                where = sources.get(declared.name) or self.source(declared.name)
                raise ConfigurationError(f"{where} is {value!r}, allowed {declared.allowed}", setting=declared.name)
            if declared.limits and not declared.limits[0] <= value <= declared.limits[1]:
                raise ConfigurationError(f"{self.source(declared.name)} is {value}, allowed {declared.allowed}", setting=declared.name)
        values["sources"] = tuple(sources.items())
        return ResolvedSettings(**values)


@dataclass(frozen=True)
class ResolvedSettings(Settings):
    """Settings with defaults filled in and checked (`resolve`): what a client runs with."""

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


Config = Mapping[str, Any] | Callable[[str], Any]


def resolve(
    door: Door = PYTHON,
    *,
    explicit: Settings | None = None,
    config: Config | None = None,
    flags: Mapping[str, Any] | None = None,
    pack: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
) -> ResolvedSettings:
    """The settings `door` runs with: each from the first of its sources that sets it, defaults filled in, checked.

    `explicit` is `Settings(...)` (Python), `config` the stack config (a mapping of full keys, whose unknown
    `pai-models:*` keys are refused, or a reader `get(key)`), `flags` the command's flag values by flag, `pack` the
    policy pack's registry settings (`endpoint`, ...), `environ` the environment (default: `os.environ`, read now).
    Raises `ConfigurationError` naming where a bad value came from.
    """
    if isinstance(explicit, ResolvedSettings):
        return explicit
    if isinstance(config, Mapping):
        check_config_keys(config)
    readers: dict[str, Callable[[str], Any]] = {
        "explicit": _reader({f.name: getattr(explicit, f.name) for f in dataclasses.fields(Settings)} if explicit is not None else {}),
        "program config": _reader(config),
        "plugin config": _reader(config),
        "flags": _reader(flags),
        "pack config": _reader(pack),
        "environment": _reader(os.environ if environ is None else environ),
    }
    found: dict[str, Any] = {}
    sources: dict[str, str] = {}
    credentials_found = False
    for source in door.sources:
        read = readers[source.kind]
        for declared in SETTINGS:
            if declared.name in found or declared.name in CREDENTIALS:
                continue
            for key in source.keys(declared):
                raw = read(key)
                if _is_set(source, raw):
                    label = source.label(key)
                    found[declared.name], sources[declared.name] = _coerce(declared, raw, label), label
                    break
        if not credentials_found:
            credentials_found = _take_credentials(source, read, found, sources)
    return Settings(**found, sources=tuple(sources.items()))._checked()


def _is_set(source: Source, raw: Any) -> bool:
    """Does `raw` set a setting? An empty config value or environment variable is unset; an empty flag or
    `Settings` field is a value (and refused as such: `--endpoint ''` is a mistake, not a way to unset it)."""
    return raw is not None and (raw != "" or source.kind in ("explicit", "flags", "pack config"))


def _reader(values: Config | None) -> Callable[[str], Any]:
    if values is None:
        return lambda key: None
    if isinstance(values, Mapping):
        return values.get
    return values


def _take_credentials(source: Source, read: Callable[[str], Any], found: dict[str, Any], sources: dict[str, str]) -> bool:
    """Take the first complete-or-partial credential set of `source` (positional: the i-th key of each); refuse half of one."""
    columns = {name: source.keys(setting(name)) for name in CREDENTIALS}
    for i in range(max(len(keys) for keys in columns.values())):
        keys = {name: keys[i] for name, keys in columns.items() if i < len(keys)}
        given = {name: value for name, key in keys.items() if _is_set(source, value := read(key))}
        if not given:
            continue
        if ("access_key_id" in given) != ("access_key_secret" in given):
            have, need = ("access_key_id", "access_key_secret") if "access_key_id" in given else ("access_key_secret", "access_key_id")
            command = f" (pulumi config set --secret {keys[need]} ...)" if source.kind.endswith("config") and setting(need).secret else ""
            raise ConfigurationError(
                f"the {setting(need).doc_name} is missing: {source.label(keys[have])} is set but {source.label(keys[need])} is not: "
                f"set it too{command}, or unset {keys[have]} to use Alibaba's default credential chain",
                setting="credentials",
            )
        for name, value in given.items():
            found[name], sources[name] = _coerce(setting(name), value, source.label(keys[name])), source.label(keys[name])
        return True
    return False


def check_config(config: Mapping[str, Any]) -> None:
    """Refuse a stack config (full keys) with an unknown `pai-models:*` key or a value of the wrong type, before any lookup."""
    check_config_keys(config)
    for declared in SETTINGS:
        for key in declared.config_keys:
            raw = config.get(key)
            if raw is not None and raw != "":
                _coerce(declared, raw, f"stack config {key}")


def check_config_keys(config: Iterable[str]) -> None:
    """Refuse a key in this package's config namespace that no setting has, naming the closest known key."""
    known = {s.config_key for s in SETTINGS}
    for key in config:
        if key.startswith(f"{PACKAGE}:") and key not in known:
            close = difflib.get_close_matches(key, sorted(known), n=1, cutoff=0.6)
            hint = f"did you mean {close[0]}?" if close else f"known keys: {', '.join(sorted(known))}"
            raise ConfigurationError(f"unknown stack config key {key}: {hint}", setting=key)


def _coerce(declared: Setting, raw: Any, where: str) -> Any:
    """`raw` (text from the config or the environment, or a typed value) as the setting's type, or ConfigurationError."""
    if declared.kind == "integer":
        if isinstance(raw, bool) or (isinstance(raw, float) and not raw.is_integer()):
            raise ConfigurationError(f"{where} must be a whole number, got {raw!r}", setting=declared.name)
        try:
            return int(raw)
        except (TypeError, ValueError):
            raise ConfigurationError(f"{where} must be a whole number, got {raw!r}", setting=declared.name) from None
    if declared.kind == "boolean":
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text not in ("true", "false", "1", "0", "yes", "no"):
            raise ConfigurationError(f"{where} must be true or false, got {raw!r}", setting=declared.name)
        return text in ("true", "1", "yes")
    if not isinstance(raw, str):
        raise ConfigurationError(f"{where} must be a string, got {type(raw).__name__}", setting=declared.name)
    return raw
