"""What each policy decides about one resource, and how it says so: one line naming the resource, the path, what
the registry says about it, and what to do.

Plain functions over plain values (the service config string, the pack config, a `PathIndex`), so they are tested
without the engine; `pack` feeds them what the policy SDK gives and reports what they return.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..doors import POLICY
from ..errors import ConfigurationError, PaiModelsError, on_one_line
from ..types import ModelVersion
from .config import REGISTRY, allowed_statuses
from .index import PathIndex, Registered
from .paths import ModelPath, ServiceConfigError, model_paths, path_key, shared_prefix

__all__ = [
    "SERVICE_TYPE",
    "approval_problems",
    "checked_paths",
    "newer_approved",
    "registry_problem",
    "stack_of",
    "unlocked_lookup",
]

#: The resource type the registry policies check: pulumi_alicloud's `alicloud.pai.Service` (Terraform `alicloud_pai_service`).
SERVICE_TYPE = "alicloud:pai/service:Service"


def checked_paths(service_config: str, approved_config: Mapping[str, Any]) -> list[ModelPath]:
    """The model paths of a service config that the policies check: all but those under `exemptPrefixes`.

    Raises `ServiceConfigError` when the config is not a JSON object.
    """
    exempt = [path_key(str(prefix)) for prefix in approved_config.get("exemptPrefixes") or ()]
    return [p for p in model_paths(service_config) if not any(shared_prefix(e, p.key) == 1 + len(e[2]) for e in exempt)]


def _subject(name: str, path: ModelPath) -> str:
    return f'service "{name}" {path.where} "{path.value}"'


def _version_label(found: Registered) -> str:
    model = found.model
    return f"version {found.version.version_name} of model {model.model_name} ({model.model_id})"


def registry_problem(name: str, paths: Sequence[ModelPath], index: PathIndex | ConfigurationError) -> str | None:
    """Why the registry cannot say what these paths are (its settings, or the API after retries), or None when it can."""
    if not paths:
        return None
    failed: tuple[ModelPath, PaiModelsError] | None = None
    if isinstance(index, ConfigurationError):
        failed = (paths[0], index)
    else:
        for path in paths:
            try:
                index.find(path.value)
            except PaiModelsError as error:
                failed = (path, error)
                break
    if failed is None:
        return None
    path, failure = failed
    if isinstance(failure, ConfigurationError):
        why = f"the pack's registry settings are incomplete or wrong: {failure.explain(POLICY)}"
    else:
        why = f"the PAI model registry did not answer: {failure.explain(POLICY)}"
    return on_one_line(
        f'{_subject(name, path)} cannot be checked because {why}. Fix the "{REGISTRY}" settings of the policy pack (or the '
        f'network), or set "{REGISTRY}": "advisory" in the --policy-pack-config file to let deployments through unchecked '
        "while the registry cannot be read"
    )


def approval_problems(name: str, paths: Sequence[ModelPath], index: PathIndex, config: Mapping[str, Any]) -> list[str]:
    """A violation for each path that is not a registry version with an allowed approval status (and workspace).

    A path the registry cannot answer for is left to `pai-registry` (`registry_problem`): nothing is said here.
    """
    statuses = allowed_statuses(config)
    workspaces = [str(w) for w in config.get("workspaces") or ()]
    problems = []
    for path in paths:
        try:
            found = index.find(path.value)
            problem = _approval_problem(name, path, found, index, statuses, workspaces)
        except PaiModelsError:
            continue
        if problem:
            problems.append(on_one_line(problem))
    return problems


def _approval_problem(
    name: str, path: ModelPath, found: Registered | None, index: PathIndex, statuses: Sequence[str], workspaces: Sequence[str]
) -> str | None:
    allowed = " or ".join(statuses)
    if found is None:
        searched = len(index.own_models())
        http = "; a URL passes only if it is a registered version's URI" if path.key[0] in ("http", "https") else ""
        return (
            f"{_subject(name, path)} is not a model version in the PAI registry ({searched} own models searched{http}): "
            f"register it as a version of a model, get it {allowed}, and deploy that version's URI "
            f'(e.g. from a ModelLookup with approval_status "{statuses[0]}")'
        )
    status = found.version.approval_status
    wrong_status = status not in statuses
    workspace = found.model.workspace_id
    wrong_workspace = bool(workspaces) and workspace not in workspaces
    if not (wrong_status or wrong_workspace):
        return None
    says = []
    if wrong_status:
        says.append(f"whose approval status is {status or 'not set'} (allowed: {', '.join(statuses)})")
    if wrong_workspace:
        says.append(f"registered in workspace {workspace or 'none'} (allowed: {', '.join(workspaces)})")
    if wrong_workspace and not wrong_status:
        todo = "deploy a model version registered in an allowed workspace"
    else:
        todo = _what_to_deploy(found, index.versions(found.model), statuses)
    return f"{_subject(name, path)} is {_version_label(found)}, {' and '.join(says)}: {todo}"


def _deployable(newest_first: Sequence[ModelVersion], statuses: Sequence[str]) -> list[ModelVersion]:
    """The versions (newest first) a service may deploy: an allowed status and a URI."""
    return [v for v in newest_first if v.approval_status in statuses and v.uri]


def _what_to_deploy(found: Registered, newest_first: Sequence[ModelVersion], statuses: Sequence[str]) -> str:
    """The way out of a version with the wrong status: the model's newest allowed version, or getting one approved."""
    allowed = " or ".join(statuses)
    usable = _deployable(newest_first, statuses)
    pending = found.version.approval_status == "Pending"
    get_it = f"get {found.version.version_name} {allowed} in the registry" if pending else ""
    if not usable:
        return get_it or f"model {found.model.model_name} has no {allowed} version: get one {allowed} in the registry first"
    newest = usable[0]
    instead = f"deploy its newest {allowed} version {newest.version_name} ({newest.uri}) instead"
    return f"{instead}, or {get_it}" if get_it else instead


def newer_approved(name: str, paths: Sequence[ModelPath], index: PathIndex, config: Mapping[str, Any]) -> list[str]:
    """An advisory for each path that is an allowed version of a model with a newer allowed version."""
    statuses = allowed_statuses(config)
    allowed = " or ".join(statuses)
    notes = []
    for path in paths:
        try:
            found = index.find(path.value)
            if found is None or found.is_latest or found.version.approval_status not in statuses:
                continue  # the latest version has nothing newer; the rest is pai-approved-model's to say
            ordered = index.versions(found.model)
        except PaiModelsError:
            continue
        names = [v.version_name for v in ordered]
        here = names.index(found.version.version_name) if found.version.version_name in names else len(ordered)
        newer = _deployable(ordered[:here], statuses)
        if newer:
            newest = newer[0]
            notes.append(
                on_one_line(
                    f"{_subject(name, path)} is {allowed} {_version_label(found)}, but a newer {allowed} version exists: "
                    f"{newest.version_name} ({newest.uri}); deploy it (a ModelLookup with approval_status "
                    f'"{statuses[0]}" and no lock follows it at every up)'
                )
            )
    return notes


def stack_of(urn: str) -> str:
    """The stack a URN belongs to: `urn:pulumi:prod::app::type::name` -> `prod`."""
    return urn.split("::", 1)[0].rsplit(":", 1)[-1]


def unlocked_lookup(name: str, urn: str, lock: Any, config: Mapping[str, Any]) -> str | None:
    """An advisory when a ModelLookup in one of the configured stacks is not locked."""
    stack = stack_of(urn)
    if stack not in [str(s) for s in config.get("stacks") or ()] or lock is True:
        return None
    return on_one_line(
        f'ModelLookup "{name}" in stack "{stack}" is not locked: a newly approved version would reach {stack} at the next '
        "pulumi up without review; set lock=True (YAML: lock: true) and move it on purpose by changing keepers or with "
        "pulumi up --replace"
    )


def service_config_problem(name: str, error: ServiceConfigError) -> str:
    """A service config whose model paths cannot be read: it cannot pass."""
    return on_one_line(
        f'service "{name}" serviceConfig {error}: its model paths cannot be checked; give the JSON service description EAS documents'
    )
