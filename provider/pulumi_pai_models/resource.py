"""The Pulumi glue: `ModelLookup`, a dynamic resource that is a data source.

It owns nothing in PAI: `delete` removes nothing. It re-resolves on every preview and update:
the lookup runs in `check`, whose returned inputs are what the engine shows in a preview (it never
calls create/update then), so `uri` is known in `pulumi preview`. `diff` compares the resolved
values, so a new model version shows as an update of exactly the changed outputs, and nothing
changed means no diff. `read` re-resolves for `pulumi refresh`.

Credentials never enter inputs, outputs or state: the provider reads them in `configure()` from the
stack config, else the environment and Alibaba's default chain. The provider class is importable,
so `__provider` holds a reference of a few dozen bytes, and it holds no client between calls that
could not be pickled.
"""

from __future__ import annotations

import dataclasses
import uuid
from typing import Any

import pulumi
from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    ConfigureRequest,
    CreateResult,
    DiffResult,
    ReadResult,
    ResourceProvider,
    UpdateResult,
)

from .client import PaiModelsClient, shared_client
from .errors import InvalidQuery, PaiModelsError
from .lookup import QUERY_ARGUMENTS, SELECTION_ARGUMENTS, GetModelResult, find_model, parse_arguments
from .query import Condition
from .settings import Settings

__all__ = ["OUTPUT_KEYS", "ModelLookup", "ModelLookupProvider"]

#: What a lookup resolves to; `query_summary` is the query in the API's words (`query` is the fuzzy filter).
OUTPUT_KEYS = ("model_id", "model_name", "version_name", "uri", "model", "model_version", "query_summary")
_COMPARED = QUERY_ARGUMENTS + SELECTION_ARGUMENTS + OUTPUT_KEYS


def _unknown() -> str:
    from pulumi.runtime import rpc

    return rpc.UNKNOWN


def _has_unknown(value: Any) -> bool:
    if isinstance(value, str):
        return value == _unknown()
    if isinstance(value, dict):
        return any(_has_unknown(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(_has_unknown(v) for v in value)
    return False


class ModelLookupProvider(ResourceProvider):
    """The dynamic provider of `ModelLookup`: resolves in `check`, compares in `diff`, owns nothing."""

    # Nothing secret is captured (settings are read in configure), so the reference need not be encrypted.
    serialize_as_secret_always = False

    def configure(self, req: ConfigureRequest) -> None:
        """Keep the stack config's settings (`alicloud:*`, `pai-models:*`); the engine passes secrets decrypted."""
        self._config_settings = Settings.from_config(lambda key: req.config.get(key))

    # -- helpers -----------------------------------------------------------------------------------------

    def _client(self) -> PaiModelsClient:
        return shared_client(Settings.layered(getattr(self, "_config_settings", None)))

    def _resolve(self, props: dict[str, Any]) -> dict[str, Any]:
        query, selection = parse_arguments(props)
        result: GetModelResult = find_model(self._client(), query, selection)
        return {**props, **result.outputs(), "query_summary": query.describe()}

    # -- the provider protocol --------------------------------------------------------------------------

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        """Validate the arguments and resolve the lookup, so its values are known in preview."""
        args = {k: news.get(k) for k in QUERY_ARGUMENTS + SELECTION_ARGUMENTS}
        if _has_unknown(args):  # part of the query is not known yet in this preview: resolve later
            return CheckResult({**news, **{k: _unknown() for k in OUTPUT_KEYS}}, [])
        try:
            parse_arguments(news)
        except InvalidQuery as error:
            return CheckResult(news, [CheckFailure(error.parameter.split(".")[0], str(error))])
        try:
            return CheckResult(self._resolve(news), [])
        except PaiModelsError as error:
            return CheckResult(news, [CheckFailure("", f"{type(error).__name__}: {error}")])

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        """An update when the query or anything it resolved to changed; otherwise no change."""
        changed = [k for k in _COMPARED if olds.get(k) != news.get(k)]
        stables = [k for k in _COMPARED if k not in changed and not _has_unknown(news.get(k))]
        return DiffResult(changes=bool(changed), replaces=[], stables=stables, delete_before_replace=False)

    def create(self, props: dict[str, Any]) -> CreateResult:
        """Nothing is created in PAI; the outputs are the values `check` resolved."""
        outs = props if props.get("uri") else self._resolve(props)
        return CreateResult(f"lookup-{uuid.uuid4().hex[:16]}", outs)

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        """The new values `check` resolved (never an empty result: that would wipe the outputs)."""
        return UpdateResult(news if news.get("uri") else self._resolve(news))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        """Re-resolve for `pulumi refresh`."""
        return ReadResult(id_, self._resolve(props))

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        """A lookup owns nothing: nothing to delete in PAI."""


class ModelLookup(pulumi.dynamic.Resource, module="pai-models", name="ModelLookup"):
    """A PAI model lookup as a resource: `uri` of the chosen version feeds deployments, and changes show in preview."""

    model_id: pulumi.Output[str]
    model_name: pulumi.Output[str]
    version_name: pulumi.Output[str]
    uri: pulumi.Output[str]
    model: pulumi.Output[dict]
    model_version: pulumi.Output[dict]
    query_summary: pulumi.Output[str]

    def __init__(
        self,
        resource_name: str,
        *,
        workspace_id: pulumi.Input[str | None] = None,
        model_name: pulumi.Input[str | None] = None,
        label: pulumi.Input[str | None] = None,
        provider: pulumi.Input[str | None] = None,
        domain: pulumi.Input[str | None] = None,
        task: pulumi.Input[str | None] = None,
        origin: pulumi.Input[str | None] = None,
        query: pulumi.Input[str | None] = None,
        model_type: pulumi.Input[str | None] = None,
        collections: pulumi.Input[Any] = None,
        tags: pulumi.Input[Any] = None,
        conditions: pulumi.Input[Any] = None,
        order: pulumi.Input[str | None] = None,
        sort_by: pulumi.Input[str | None] = None,
        name_regex: pulumi.Input[str | None] = None,
        most_recent: pulumi.Input[bool | None] = None,
        version: pulumi.Input[str | None] = None,
        approval_status: pulumi.Input[str | None] = None,
        opts: pulumi.ResourceOptions | None = None,
    ):
        """The same filters and selection as `get_model`; bad arguments fail in `check`, naming the property."""
        if isinstance(conditions, (list, tuple)):
            conditions = [dataclasses.asdict(c) if isinstance(c, Condition) else c for c in conditions]
        elif isinstance(conditions, Condition):
            conditions = [dataclasses.asdict(conditions)]
        args = dict(
            workspace_id=workspace_id, model_name=model_name, label=label, provider=provider, domain=domain, task=task,
            origin=origin, query=query, model_type=model_type, collections=collections, tags=tags,
            conditions=conditions, order=order, sort_by=sort_by, name_regex=name_regex, most_recent=most_recent,
            version=version, approval_status=approval_status,
        )  # fmt: skip
        props: dict[str, Any] = {k: v for k, v in args.items() if v is not None}
        props.update({k: None for k in OUTPUT_KEYS if k not in props})
        super().__init__(ModelLookupProvider(), resource_name, props, opts)
