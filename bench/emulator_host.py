"""The emulator in a child process, for the benchmark, driven over a line protocol on stdin/stdout.

Why a child process: tracemalloc is process-wide (an in-process emulator's page bodies would be
counted as the client's heap) and the GIL would serialise the emulator's work with the client's.
Here the client under test owns its process, as it would against PAI.

The emulator keeps each query's sorted listing per catalog snapshot (`Catalog.list_models`), so a
page of a 50,000-model catalog costs a slice, not a sort: what is measured is latency and the client.

Protocol (one line each way):
    catalog N    -> "ok N"      replace the catalog with N synthetic models (bench/catalogs.py)
    latency MS   -> "ok MS"     set the injected latency per API request
    quit         -> exits (closing stdin does too)
The first stdout line is "listening on http://HOST:PORT". The request log and reset are the
emulator's own admin endpoints (GET /_emulator/requests, POST /_emulator/reset).
"""

from __future__ import annotations

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from catalogs import make_catalog
from pulumi_pai_models.emulator import EmulatorServer


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency-ms", type=float, default=20.0)
    args = parser.parse_args()
    server = EmulatorServer({"Models": []}, latency_ms=args.latency_ms)
    server.start()
    print(f"listening on {server.url}", flush=True)
    try:
        for line in sys.stdin:
            words = line.split()
            if not words:
                continue
            if words[0] == "quit":
                break
            if words[0] == "catalog":
                n = server.set_catalog(make_catalog(int(words[1])))
                print(f"ok {n}", flush=True)
            elif words[0] == "latency":
                server.latency_ms = float(words[1])
                print(f"ok {server.latency_ms:g}", flush=True)
            else:
                print(f"error unknown command {words[0]!r}", flush=True)
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
