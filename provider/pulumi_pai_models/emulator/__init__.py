"""A local emulator of PAI's model-registry lookups (ListModels, GetModel, ListModelVersions,
GetModelVersion), served over HTTP the way Alibaba's SDK calls them — moto's approach, for PAI.

Layout, one concern a module:

- :mod:`.server`: HTTP glue — routes, query-string decoding, admin endpoints, the threaded server;
- :mod:`.params`: request parameters read and validated into a query (moto's ``responses.py`` role);
- :mod:`.predicates`: what each filter matches;
- :mod:`.catalog`: the backend — the catalog, its checks, sorting and paging (moto's ``models.py``);
- :mod:`.auth`: signature checks and the public test key pair;
- :mod:`.errors`: the errors, each with PAI's code and HTTP status;
- :mod:`.faults`: test controls (injected faults, catalog hooks, the request log);
- :mod:`.cli`: ``pai-models emulator [serve]`` / ``python -m pulumi_pai_models.emulator``;
- :mod:`.drive`: ``pai-models emulator add-model | add-version | set-status | delete``, one admin call each.

``DEFAULT_ACCESS_KEY_ID`` / ``DEFAULT_ACCESS_KEY_SECRET`` are a **public, non-secret test pair**,
published here so that tests and demos can sign requests to a local emulator. They grant nothing
anywhere else; never use them (or anything like them) for a real Alibaba Cloud account.
"""

from .auth import DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET
from .catalog import Catalog, load_demo_catalog
from .errors import CatalogError
from .server import EmulatorServer

__all__ = [
    "DEFAULT_ACCESS_KEY_ID",
    "DEFAULT_ACCESS_KEY_SECRET",
    "Catalog",
    "CatalogError",
    "EmulatorServer",
    "load_demo_catalog",
]
