"""The policy pack itself: four policies on `pulumi_policy`, served to the engine as an executable analyzer.

The CLI starts the executable given to `--policy-pack` (`pai-models-policy-pack`, this package's console script, or
the launcher `pai-models policy-pack --write DIR` writes) with the engine's address; `PolicyPack` serves the analyzer
over gRPC and prints its port. One process is one pack run (one engine operation): `PackRun` keeps the pack config
and the registry's answers for it, so the registry is listed once however many services the program has.

What the policy SDK does not give, added here in one place (`_servicer_class`): a policy's validator sees only its
own config, but the registry settings are `pai-registry`'s and every policy needs them, so the SDK's servicer is
subclassed to hand the whole pack config to `PackRun` at Configure (and to report the package's version rather than
the SDK's fixed 0.0.1). The SDK keeps that class private: pulumi-policy is pinned to 1.x in the `policy` extra, and
the engine tests fail when it changes.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from google.protobuf import json_format  # type: ignore[import-untyped]  # protobuf ships no stubs
from pulumi_policy import (
    EnforcementLevel,
    Policy,
    PolicyConfigSchema,
    PolicyPack,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
)
from pulumi_policy import policy as sdk
from pulumi_policy.proxy import UnknownValueError

from .. import schema
from .._version import __version__
from ..client import PaiModelsClient
from ..errors import ConfigurationError
from ..registry import CachedRegistry
from . import rules
from .config import (
    APPROVED_MODEL,
    CONFIG_SCHEMAS,
    LOCKED_LOOKUPS,
    NEWEST_APPROVED,
    PACK_DESCRIPTION,
    PACK_NAME,
    REGISTRY,
    registry_settings,
)
from .index import PathIndex
from .paths import ModelPath, ServiceConfigError

__all__ = ["PackRun", "policies", "serve"]


class PackRun:
    """One pack run: the pack config (every policy's) and, built at the first need, the registry index."""

    def __init__(self, index_of: Callable[[Mapping[str, Any]], PathIndex] | None = None):
        self._index_of = index_of or _index_of
        self._lock = threading.Lock()
        self._config: dict[str, dict[str, Any]] = {}
        self._index: PathIndex | None = None

    def configure(self, config: Mapping[str, Mapping[str, Any]]) -> None:
        """The pack config as the engine sends it: policy name -> that policy's properties (defaults filled in)."""
        with self._lock:
            self._config = {name: dict(props) for name, props in config.items()}
            self._index = None

    def config_of(self, policy: str) -> dict[str, Any]:
        with self._lock:
            return dict(self._config.get(policy) or {})

    def index(self) -> PathIndex:
        """The run's registry index; raises `ConfigurationError` when the registry settings are wrong (not kept)."""
        with self._lock:
            if self._index is None:
                self._index = self._index_of(self._config.get(REGISTRY) or {})
            return self._index


def _index_of(config: Mapping[str, Any]) -> PathIndex:
    settings = registry_settings(config)
    return PathIndex(CachedRegistry(PaiModelsClient(settings)), settings.max_concurrency)


# -- the policies --------------------------------------------------------------------------------------------


def _service_paths(run: PackRun, args: ResourceValidationArgs) -> list[ModelPath]:
    """The checked model paths of a service; raises `UnknownValueError` in a preview that cannot know its config yet,
    `ServiceConfigError` when the config is not JSON."""
    config = args.props.get("serviceConfig")  # the proxy raises for an unknown value
    if not isinstance(config, str):
        raise ServiceConfigError("is not a string")
    return rules.checked_paths(config, run.config_of(APPROVED_MODEL))


def _report(report: ReportViolation, messages: Iterable[str | None]) -> None:
    for message in messages:
        if message:
            report(message, None)


def policies(run: PackRun) -> list[Policy]:
    """The pack's policies, reading their config and the registry through `run`."""

    def registry_answers(args: ResourceValidationArgs, report: ReportViolation) -> None:
        if args.resource_type != rules.SERVICE_TYPE:
            return
        try:
            paths = _service_paths(run, args)
        except (UnknownValueError, ServiceConfigError):
            return  # pai-approved-model says so (once)
        if not paths:
            return
        try:
            index: PathIndex | ConfigurationError = run.index()
        except ConfigurationError as error:
            index = error
        _report(report, [rules.registry_problem(args.name, paths, index)])

    def approved_model(args: ResourceValidationArgs, report: ReportViolation) -> None:
        if args.resource_type != rules.SERVICE_TYPE:
            return
        try:
            paths = _service_paths(run, args)  # unknown in a preview: the SDK skips this policy with a note
        except ServiceConfigError as error:
            _report(report, [rules.service_config_problem(args.name, error)])
            return
        if paths:
            try:
                index = run.index()
            except ConfigurationError:
                return  # pai-registry says so
            _report(report, rules.approval_problems(args.name, paths, index, run.config_of(APPROVED_MODEL)))

    def newest_approved(args: ResourceValidationArgs, report: ReportViolation) -> None:
        if args.resource_type != rules.SERVICE_TYPE:
            return
        try:
            paths = _service_paths(run, args)
            index = run.index() if paths else None
        except (UnknownValueError, ServiceConfigError, ConfigurationError):
            return  # said once, by pai-approved-model or pai-registry
        if index is not None:
            _report(report, rules.newer_approved(args.name, paths, index, run.config_of(APPROVED_MODEL)))

    def locked_lookups(args: ResourceValidationArgs, report: ReportViolation) -> None:
        if args.resource_type not in schema.LOOKUP_TYPES:
            return
        lock = args.props.get("lock")
        _report(report, [rules.unlocked_lookup(args.name, args.urn, lock, run.config_of(LOCKED_LOOKUPS))])

    def config_schema(name: str) -> PolicyConfigSchema | None:
        return PolicyConfigSchema(properties=CONFIG_SCHEMAS[name]) if CONFIG_SCHEMAS[name] else None

    return [
        ResourceValidationPolicy(
            name=REGISTRY,
            description="The PAI model registry answers, so the model paths of PAI-EAS services can be checked "
            "(its settings: region, endpoint, ...).",
            validate=registry_answers,
            enforcement_level=EnforcementLevel.MANDATORY,
            config_schema=config_schema(REGISTRY),
            severity=Severity.HIGH,
        ),
        ResourceValidationPolicy(
            name=APPROVED_MODEL,
            description="Every model path of a PAI-EAS service is the URI of a registry model version with an allowed "
            "approval status (default Approved), in an allowed workspace.",
            validate=approved_model,
            enforcement_level=EnforcementLevel.MANDATORY,
            config_schema=config_schema(APPROVED_MODEL),
            severity=Severity.HIGH,
        ),
        ResourceValidationPolicy(
            name=NEWEST_APPROVED,
            description="A PAI-EAS service deploys its model's newest approved version.",
            validate=newest_approved,
            enforcement_level=EnforcementLevel.ADVISORY,
            severity=Severity.LOW,
        ),
        ResourceValidationPolicy(
            name=LOCKED_LOOKUPS,
            description="ModelLookups in the configured stacks (config: stacks) are locked, so a newly approved version "
            "reaches them only by a reviewed change.",
            validate=locked_lookups,
            enforcement_level=EnforcementLevel.ADVISORY,
            config_schema=config_schema(LOCKED_LOOKUPS),
            severity=Severity.MEDIUM,
        ),
    ]


# -- serving ----------------------------------------------------------------------------------------------------


def _servicer_class(run: PackRun) -> type[Any]:
    """The SDK's analyzer servicer, which also gives `run` the whole pack config and reports this package's version."""
    base: type[Any] = sdk._PolicyAnalyzerServicer

    class PackServicer(base):  # type: ignore[misc]  # the SDK's servicer has no public name
        def __init__(self, name: str, version: str, *rest: Any, **options: Any) -> None:
            super().__init__(name, __version__, *rest, **options)

        def Configure(self, request: Any, context: Any) -> Any:  # gRPC names the methods
            run.configure({name: json_format.MessageToDict(c.properties) for name, c in request.policyConfig.items()})
            return super().Configure(request, context)

    return PackServicer


def serve(run: PackRun | None = None) -> None:
    """Serve the pack to the engine (prints the port, then blocks until the engine stops it)."""
    run = run or PackRun()
    sdk._PolicyAnalyzerServicer = _servicer_class(run)  # type: ignore[misc]  # PolicyPack builds the servicer by this name
    PolicyPack(
        name=PACK_NAME,
        description=PACK_DESCRIPTION,
        policies=policies(run),
        enforcement_level=EnforcementLevel.MANDATORY,
    )
