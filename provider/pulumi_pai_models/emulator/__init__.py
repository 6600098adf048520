"""A local emulator of PAI's model-registry lookups (ListModels, GetModel, ListModelVersions,
GetModelVersion), served over HTTP the way Alibaba's SDK calls them — moto's approach, for PAI.

Layout: :mod:`.catalog` (the backend and its filter semantics), :mod:`.auth` (signature checks),
:mod:`.errors` (error codes), :mod:`.faults` (test controls), :mod:`.server` (HTTP glue),
:mod:`.cli` (``python -m pulumi_pai_models.emulator``).

``DEFAULT_ACCESS_KEY_ID`` / ``DEFAULT_ACCESS_KEY_SECRET`` are a **public, non-secret test pair**,
published here so that tests and demos can sign requests to a local emulator. They grant nothing
anywhere else; never use them (or anything like them) for a real Alibaba Cloud account.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

#: Public test AccessKey id the emulator accepts when no keys are configured. Not a secret.
DEFAULT_ACCESS_KEY_ID = "LTAIemulatorTestKey"
#: Public test AccessKey secret paired with :data:`DEFAULT_ACCESS_KEY_ID`. Not a secret.
DEFAULT_ACCESS_KEY_SECRET = "emulator-test-secret"


def load_demo_catalog() -> dict[str, Any]:
    """The shipped demo catalog (``demo_catalog.json``) as a fresh dict."""
    text = resources.files(__name__).joinpath("demo_catalog.json").read_text(encoding="utf-8")
    return json.loads(text)


from .catalog import Catalog, CatalogError  # noqa: E402
from .server import EmulatorServer  # noqa: E402

__all__ = [
    "DEFAULT_ACCESS_KEY_ID",
    "DEFAULT_ACCESS_KEY_SECRET",
    "Catalog",
    "CatalogError",
    "EmulatorServer",
    "load_demo_catalog",
]
