"""A dynamic resource whose provider does nothing: what the engine costs for any Python dynamic provider.

`pulumi preview` of a program with one `Trivial` against one with none is the price of starting a dynamic
provider process (the engine's work, Python, `pulumi.dynamic`) that no provider can avoid; the benchmark
sets it beside the first `ModelLookup`'s cost. The module must be importable by the provider process
(the benchmark puts bench/ on its PYTHONPATH), since the provider is pickled by reference.
"""

from __future__ import annotations

from typing import Any

import pulumi
from pulumi.dynamic import CheckResult, CreateResult, ResourceProvider


class TrivialProvider(ResourceProvider):
    serialize_as_secret_always = False

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        return CheckResult(dict(news, value="checked"), [])

    def create(self, props: dict[str, Any]) -> CreateResult:
        return CreateResult("trivial", props)


class Trivial(pulumi.dynamic.Resource):
    value: pulumi.Output[str]

    def __init__(self, name: str) -> None:
        super().__init__(TrivialProvider(), name, {"value": None})
