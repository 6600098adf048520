"""One operation's registry: identical calls and what a listing already returned cost no further request."""

from __future__ import annotations

from conftest import api_requests
from pulumi_pai_models import ModelQuery, PaiModelsClient
from pulumi_pai_models.registry import CachedRegistry, Registries


def actions(emulator) -> list[str]:
    return [r["action"] for r in api_requests(emulator)]


def test_identical_calls_are_asked_once(emulator, settings):
    registry = CachedRegistry(PaiModelsClient(settings))
    query = ModelQuery.build(model_name='"fraud-detector"')
    assert registry.list_models(query) == registry.list_models(query)
    assert actions(emulator) == ["ListModels"]


def test_listed_models_and_versions_answer_the_gets(emulator, settings):
    registry = CachedRegistry(PaiModelsClient(settings))
    [model] = registry.list_models(ModelQuery.build(model_name='"fraud-detector"'))
    assert registry.get_model(model.model_id) == model
    assert model.latest_version is not None
    assert registry.get_model_version(model.model_id, model.latest_version.version_name) == model.latest_version
    versions = registry.list_model_versions(model.model_id)
    assert all(registry.get_model_version(model.model_id, v.version_name) == v for v in versions)
    assert actions(emulator) == ["ListModels", "ListModelVersions"]

    assert registry.get_model("model-not-listed") is None  # anything else is asked (once)
    assert registry.get_model("model-not-listed") is None
    assert actions(emulator) == ["ListModels", "ListModelVersions", "GetModel"]


def test_a_new_scope_forgets_every_answer(emulator, settings):
    from pulumi_pai_models.functions import effective_settings

    resolved = effective_settings(settings)
    registries = Registries()
    first = registries.get(resolved, scope="run-1")
    assert registries.get(resolved, scope="run-1") is first
    assert registries.get(resolved, scope="run-2") is not first
