"""The emulator in a child process, for the benchmark, driven over a line protocol on stdin/stdout.

Why a child process: tracemalloc is process-wide (an in-process emulator's page bodies would be
counted as the client's heap) and the GIL would serialise the emulator's work with the client's.
Here the client under test owns its process, as it would against PAI.

The emulator keeps each query's sorted listing per catalog snapshot (`Catalog.list_models`), so a
page of a 50,000-model catalog costs a slice, not a sort: what is measured is latency and the client.

Protocol (one line each way):
    catalog N [demo] -> "ok N"      replace the catalog with N synthetic models (bench/catalogs.py), plus the demo
                                    catalog's models when `demo` is given
    latency MS       -> "ok MS"     set the injected latency per API request
    peak             -> "ok P how"  the most API requests answered at once since the last `peak`; `how` is `counted`
                                    (the emulator's own count) or `log` (from the times in the request log since its
                                    last reset, for an emulator without a count: an older commit's)
    quit             -> exits (closing stdin does too)
The first stdout line is "listening on http://HOST:PORT". The request log, faults and reset are the
emulator's own admin endpoints (GET /_emulator/requests, POST /_emulator/faults, POST /_emulator/reset).

`EmulatorProcess` is the parent's side of this protocol. The child imports `pulumi_pai_models` from its
PYTHONPATH, so each commit the benchmark measures runs its own emulator.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent


class EmulatorProcess:
    """This script as a child process: catalog, latency and peak over stdin; log, faults and reset over HTTP."""

    def __init__(self, latency_ms: float, env: dict[str, str] | None = None):
        command = [sys.executable, str(BENCH / "emulator_host.py"), "--latency-ms", str(latency_ms)]
        self.proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1, env=env)
        assert self.proc.stdout is not None and self.proc.stdin is not None
        first = self.proc.stdout.readline().strip()
        if not first.startswith("listening on "):
            self.stop()
            raise SystemExit(f"the emulator did not start: {first!r}")
        self.url = first.split()[-1]
        self.latency_ms = latency_ms
        self.size: tuple[int, bool] = (0, False)

    def _command(self, line: str) -> str:
        assert self.proc.stdout is not None and self.proc.stdin is not None
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        answer = self.proc.stdout.readline().strip()
        if not answer.startswith("ok"):
            raise RuntimeError(f"emulator: {line!r} -> {answer!r}")
        return answer

    def set_catalog(self, size: int, *, demo: bool = False) -> None:
        if (size, demo) != self.size:
            self._command(f"catalog {size}" + (" demo" if demo else ""))
            self.size = (size, demo)

    def put_catalog(self, catalog: dict) -> None:
        """Replace the catalog with this one (the admin endpoint); `set_catalog` sizes no longer describe it."""
        self._admin("PUT", "catalog", catalog)
        self.size = (-1, False)

    def set_latency(self, latency_ms: float) -> None:
        if latency_ms != self.latency_ms:
            self._command(f"latency {latency_ms}")
            self.latency_ms = latency_ms

    def peak(self) -> tuple[int, str]:
        """The most API requests answered at once since the last call, and how it was found (`counted` or `log`)."""
        _, peak, how = self._command("peak").split()
        return int(peak), how

    def add_faults(self, faults: list[dict]) -> None:
        self._admin("POST", "faults", {"faults": faults})

    def requests(self) -> list[dict]:
        return self._admin("GET", "requests")["requests"]

    def list_requests(self) -> list[dict]:
        return [r for r in self.requests() if r.get("action") == "ListModels"]

    def reset(self) -> None:
        self._admin("POST", "reset")

    def _admin(self, method: str, name: str, body: Any = None) -> Any:
        data = b"" if body is None and method == "POST" else (json.dumps(body).encode("utf-8") if body is not None else None)
        request = urllib.request.Request(f"{self.url}/_emulator/{name}", data=data, method=method)
        with urllib.request.urlopen(request, timeout=60) as answer:
            return json.load(answer)

    def stop(self) -> None:
        if self.proc.poll() is None:
            try:
                assert self.proc.stdin is not None
                self.proc.stdin.write("quit\n")
                self.proc.stdin.flush()
                self.proc.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait()


def peak_from_log(entries: list[dict]) -> int:
    """The most requests whose [start, start + duration] overlap, from the request log (time in s, duration in ms)."""
    events = sorted([(e["time"], 1) for e in entries] + [(e["time"] + e["duration_ms"] / 1000, -1) for e in entries])
    most = now = 0
    for _, step in events:  # at equal times an end (-1) sorts before a start: touching intervals do not overlap
        now += step
        most = max(most, now)
    return most


def main() -> int:
    sys.path.insert(0, str(BENCH))
    from catalogs import make_catalog
    from pulumi_pai_models.emulator import EmulatorServer, load_demo_catalog

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency-ms", type=float, default=20.0)
    args = parser.parse_args()
    server = EmulatorServer({"Models": []}, latency_ms=args.latency_ms)
    server.start()
    print(f"listening on {server.url}", flush=True)
    counter = getattr(server, "in_flight", None)
    try:
        for line in sys.stdin:
            words = line.split()
            if not words:
                continue
            if words[0] == "quit":
                break
            if words[0] == "catalog":
                catalog = make_catalog(int(words[1]))
                if "demo" in words[2:]:
                    catalog["Models"] += load_demo_catalog()["Models"]
                n = server.set_catalog(catalog)
                print(f"ok {n}", flush=True)
            elif words[0] == "latency":
                server.latency_ms = float(words[1])
                print(f"ok {server.latency_ms:g}", flush=True)
            elif words[0] == "peak":
                if counter is not None:
                    print(f"ok {counter.reset_peak()} counted", flush=True)
                else:  # since the last reset of the request log
                    print(f"ok {peak_from_log(server.requests())} log", flush=True)
            else:
                print(f"error unknown command {words[0]!r}", flush=True)
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    os.environ.setdefault("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")
    sys.exit(main())
