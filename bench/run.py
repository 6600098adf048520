"""Benchmark of listing, coalescing and engine cost: `python bench/run.py [--quick] [--out FILE]`.

Figures go to stdout (tables) and to a JSON file (default bench/results/latest.json, git-ignored).
They are notes for people, never assertions: nothing here fails on a slow figure. See bench/README.md
for what each column means and the targets they are read against.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(BENCH))
sys.path.insert(1, str(REPO / "tests"))  # engine.py: the real Pulumi engine, shared with the tests

import pulumi  # noqa: E402
from catalogs import PROVIDER, model_name  # noqa: E402
from emulator_host import EmulatorProcess as Emulator  # noqa: E402
from engine import inline_stack  # noqa: E402
from pulumi_pai_models import ModelLookup, Settings, get_model, get_models  # noqa: E402
from pulumi_pai_models.emulator import DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET  # noqa: E402
from side import SDK_ALONE  # noqa: E402  # measured with the doors, in the same rounds: the floor under their a/d

FULL_SIZES = (10, 1_000, 10_000, 50_000)
SECTIONS = ("listing", "doors", "first", "inflight", "failing", "coalescing", "engine")
QUICK_SIZES = (10, 1_000)
NAIVE_PAGE_SIZE = 10  # ListModels' default PageSize, what a script that does not set it gets
SDK_PAGE_SIZE = 100  # the API's maximum PageSize
MEMORY_NOTE = (
    "peak memory = tracemalloc peak during the listing: the Python heap of the client side (this process; "
    "the emulator runs in a child process and is not counted), measured in a separate pass from the timing"
)


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


# -- what is measured --------------------------------------------------------------------------------------


def sdk_client(emulator: Emulator):
    """Alibaba's SDK client, as a script would build it for this endpoint."""
    from alibabacloud_aiworkspace20210204.client import Client
    from alibabacloud_tea_openapi.models import Config

    endpoint = emulator.url.split("://", 1)[1]
    return Client(Config(access_key_id=DEFAULT_ACCESS_KEY_ID, access_key_secret=DEFAULT_ACCESS_KEY_SECRET, endpoint=endpoint,
                         protocol="http"))


def sdk_sequential(client, page_size: int, *, max_pages: int | None = None, probe_pages: int | None = None,
                   budget_s: float | None = None) -> dict:
    """(b)/(c): page after page over the SDK until TotalCount is read; may stop at a prefix.

    Stops after `max_pages`, or after `probe_pages` when the pace so far says the whole listing would
    take more than `budget_s`. Returns what was read and how long it took.
    """
    from alibabacloud_aiworkspace20210204 import models as pai
    from darabonba.runtime import RuntimeOptions

    got: list = []
    page = 0
    total = 0
    complete = False
    started = time.perf_counter()
    while True:
        page += 1
        request = pai.ListModelsRequest(provider=PROVIDER, page_number=page, page_size=page_size)
        body = client.list_models_with_options(request, {}, RuntimeOptions()).body
        total = int(body.total_count)
        got.extend(body.models or [])
        if len(got) >= total or not body.models:
            complete = True
            break
        if max_pages is not None and page >= max_pages:
            break
        if probe_pages is not None and budget_s is not None and page == probe_pages:
            pace = (time.perf_counter() - started) / page
            if pace * math.ceil(total / page_size) > budget_s:
                break
    elapsed = time.perf_counter() - started
    return {"seconds": elapsed, "pages_read": page, "items": len(got), "total": total, "complete": complete, "_keep": got}


def traced(run: Callable[[], Any]) -> tuple[Any, int, int]:
    """(result, peak bytes, bytes still held with the result alive) of one call under tracemalloc."""
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base, _ = tracemalloc.get_traced_memory()
        result = run()
        current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return result, peak - base, current - base


def round_trip_limit_s(size: int, latency_ms: float, page_size: int, concurrency: int) -> tuple[float, int]:
    """(d): latency x (1 + ceil((pages - 1) / concurrency)); pages = ceil(N / page_size)."""
    pages = max(1, math.ceil(size / page_size))
    return latency_ms / 1000 * (1 + math.ceil((pages - 1) / concurrency)), pages


def measure_size(size: int, emulator: Emulator, head: SideProcess, client, args) -> dict:
    emulator.set_catalog(size)
    row: dict[str, Any] = {"size": size}

    # (a) the library, in the side process of this checkout (best of --reps, then a traced pass for memory)
    log(f"N={size}: (a) library")
    a = head.ask("listing", door="get_models", size=size, latency_ms=args.latency_ms, reps=args.reps, trace=True)
    a["peak_bytes_per_model"] = a["peak_bytes"] / size
    if not args.quick:  # diagnostic: the same listing with no injected latency (client + emulator work only)
        a["seconds_at_0ms_latency"] = head.ask("listing", door="get_models", size=size, latency_ms=0, reps=1, trace=False)["seconds"]
    row["a"] = a

    # (c) sequential over the SDK, PageSize 100
    log(f"N={size}: (c) SDK sequential, PageSize {SDK_PAGE_SIZE}")
    c_pages = math.ceil(size / SDK_PAGE_SIZE)
    emulator.reset()
    c = sdk_sequential(client, SDK_PAGE_SIZE)
    c_requests = len(emulator.list_requests())
    assert c["complete"] and c["items"] == size
    (result, peak, held) = traced(lambda: sdk_sequential(client, SDK_PAGE_SIZE))
    row["c"] = {"seconds": c["seconds"], "requests": c_requests, "pages": c_pages, "peak_bytes": peak, "held_bytes": held,
                "peak_bytes_per_model": peak / size, "extrapolated": False}
    del result

    # (b) sequential over the SDK, PageSize 10 (the API default); a prefix when the whole would be too long
    b_pages = math.ceil(size / NAIVE_PAGE_SIZE)
    log(f"N={size}: (b) SDK sequential, PageSize {NAIVE_PAGE_SIZE} ({b_pages} pages)")
    emulator.reset()
    if args.quick:
        b = sdk_sequential(client, NAIVE_PAGE_SIZE, max_pages=args.b_prefix_pages)
    else:
        b = sdk_sequential(client, NAIVE_PAGE_SIZE, probe_pages=args.b_prefix_pages, budget_s=args.b_budget_s)
    b_requests = len(emulator.list_requests())
    k = b["pages_read"]
    if b["complete"]:
        assert b["items"] == size
        (result, peak, held) = traced(lambda: sdk_sequential(client, NAIVE_PAGE_SIZE))
        b_mem = {"peak_bytes": peak, "held_bytes": held, "memory_extrapolated": False}
        row["b"] = {"seconds": b["seconds"], "requests": b_requests, "pages": b_pages, "extrapolated": False, **b_mem}
    else:
        (result, peak, held) = traced(lambda: sdk_sequential(client, NAIVE_PAGE_SIZE, max_pages=k))
        scale = b_pages / k
        row["b"] = {
            "seconds": b["seconds"] * scale,
            "requests": b_pages,
            "pages": b_pages,
            "extrapolated": True,
            "measured_pages": k,
            "measured_requests": b_requests,
            "measured_seconds": b["seconds"],
            # what the script keeps grows with the pages read; one page's transient does not
            "peak_bytes": int(held * scale + (peak - held)),
            "held_bytes": int(held * scale),
            "memory_extrapolated": True,
        }
    del result
    row["b"]["peak_bytes_per_model"] = row["b"]["peak_bytes"] / size

    # (d) the round-trip limit
    d_s, pages = round_trip_limit_s(size, args.latency_ms, head.info["page_size"], head.info["max_concurrency"])
    row["d"] = {"seconds": d_s, "pages": pages, "concurrency": head.info["max_concurrency"], "page_size": head.info["page_size"]}
    row["ratios"] = {
        "a/b": a["seconds"] / row["b"]["seconds"],
        "a/c": a["seconds"] / row["c"]["seconds"],
        "a/d": a["seconds"] / d_s,
    }
    row["a"]["expected_requests"] = pages
    return row


# -- the commits measured: sides --------------------------------------------------------------------------


def compile_to_bytecode(folder: Path) -> None:
    """Write the .pyc of every module under `folder`, as `pip install` does for an installed package.

    Without them, each process the engine starts would compile this library from source (~30 ms of the first
    lookup in a provider process, and again in the plugin's schema process) whenever Python does not write .pyc
    files (PYTHONDONTWRITEBYTECODE, as set on some machines) or a checkout was never imported from (REF's temporary
    worktree), while the floors import Pulumi and Alibaba's SDK from their installed .pyc.
    """
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(folder)], check=True, stdout=subprocess.DEVNULL)


class SideProcess:
    """bench/side.py with one commit's library on its PYTHONPATH: figures of that commit, on request."""

    def __init__(self, label: str, commit: str, provider_dir: Path):
        self.label, self.commit, self.provider_dir = label, commit, provider_dir
        compile_to_bytecode(provider_dir / "pulumi_pai_models")
        env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(provider_dir)] + ([os.environ["PYTHONPATH"]]
                                                                                  if os.environ.get("PYTHONPATH") else [])))
        env.setdefault("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")
        self.proc = subprocess.Popen([sys.executable, str(BENCH / "side.py")], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     text=True, bufsize=1, env=env)
        self.info = self.ask("hello")
        if Path(self.info["file"]).resolve().parent.parent != provider_dir.resolve():
            raise SystemExit(f"side {label}: imported {self.info['file']}, not the library in {provider_dir}")

    def ask(self, op: str, **arguments: Any) -> Any:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps({"op": op, **arguments}) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise SystemExit(f"side {self.label} ended (see its stderr above)")
        answer = json.loads(line)
        if not answer["ok"]:
            raise SystemExit(f"side {self.label}: {op} {arguments} failed: {answer['error']}\n{answer['traceback']}")
        return answer["result"]

    def stop(self) -> None:
        if self.proc.poll() is None:
            try:
                assert self.proc.stdin is not None
                self.proc.stdin.write(json.dumps({"op": "quit"}) + "\n")
                self.proc.stdin.flush()
                self.proc.wait(timeout=30)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait()


def git(*argv: str) -> str:
    done = subprocess.run(["git", *argv], cwd=REPO, check=True, capture_output=True, text=True)
    return done.stdout.strip()


class RefCheckout:
    """REF in a temporary git worktree (detached), removed afterwards; its provider/ goes on a side's PYTHONPATH."""

    def __init__(self, ref: str):
        self.commit = git("rev-parse", "--verify", f"{ref}^{{commit}}")
        self.folder = Path(tempfile.mkdtemp(prefix="pai-models-bench-ref-"))
        self.path = self.folder / "worktree"
        git("worktree", "add", "--detach", "--quiet", str(self.path), self.commit)
        lock_here, lock_there = (REPO / "requirements.lock"), (self.path / "requirements.lock")
        self.same_dependencies = lock_there.exists() and lock_here.read_bytes() == lock_there.read_bytes()

    @property
    def provider_dir(self) -> Path:
        return self.path / "provider"

    def remove(self) -> None:
        try:
            git("worktree", "remove", "--force", str(self.path))
        except subprocess.CalledProcessError:
            git("worktree", "prune")
        shutil.rmtree(self.folder, ignore_errors=True)


def in_turn(sides: list[SideProcess], rep: int) -> list[SideProcess]:
    """The sides in the order of round `rep`: which goes first alternates, so both see the same load."""
    return sides if rep % 2 == 0 else sides[::-1]


def interleaved(sides: list[SideProcess], reps: int, measure: Callable[[SideProcess], Any]) -> dict[str, list[Any]]:
    """`measure(side)` `reps` times for each side, in turn (`in_turn`)."""
    results: dict[str, list[Any]] = {side.label: [] for side in sides}
    for rep in range(reps):
        for side in in_turn(sides, rep):
            results[side.label].append(measure(side))
    return results


# -- listing at the round-trip limit, through each front door ------------------------------------------------

DOORS = ("get_models", "get_model", "ModelLookup")
DOOR_CALLS = {
    "get_models": 'get_models(provider="pai")',
    "get_model": 'get_model(provider="pai", most_recent=True)',
    "ModelLookup": 'ModelLookup(provider="pai", most_recent=True): its dynamic provider\'s check, as in a preview',
    SDK_ALONE: "the same pages with Alibaba's SDK and nothing else (8 at a time, answers kept as bytes, unparsed): "
    "the SDK's, Python's threads' and the emulator's cost here, the floor under every door's a/d",
}


def median_a_over_d(row: dict, label: str) -> float:
    """A door's median time over its rounds, over d: beside the best, what a load burst on the machine moves less."""
    return statistics.median(row["sides"][label]["all_seconds"]) / row["d_seconds"]


def door_figures(sides: list[SideProcess], sizes: list[int], args) -> dict:
    """Best of `--reps` listings of N models through each door, per side; then one traced pass each.

    The listings go in rounds: each round lists once through every door (the SDK alone too) on every side, sides
    alternating, so that a burst of load on this shared machine falls on one round of all of them, not on every
    run of one door (or of the floor under them)."""
    head = sides[0]
    rows = []
    doors = (*DOORS, SDK_ALONE)
    for size in sizes:
        d_s, pages = round_trip_limit_s(size, args.latency_ms, head.info["page_size"], head.info["max_concurrency"])
        runs: dict[str, dict[str, list[Any]]] = {door: {side.label: [] for side in sides} for door in doors}
        for rep in range(args.reps):
            log(f"doors: N={size:,}, round {rep + 1} of {args.reps}")
            for door in doors:
                for side in in_turn(sides, rep):
                    runs[door][side.label].append(
                        side.ask("listing", door=door, size=size, latency_ms=args.latency_ms, reps=1, trace=False))
        for door in doors:
            row: dict[str, Any] = {"size": size, "door": door, "d_seconds": d_s, "pages": pages, "sides": {}}
            for side in sides:
                times = [r["seconds"] for r in runs[door][side.label]]
                memory = side.ask("listing", door=door, size=size, latency_ms=args.latency_ms, reps=1, trace=True)
                row["sides"][side.label] = {
                    "seconds": min(times), "all_seconds": times, "a_over_d": min(times) / d_s,
                    "requests": runs[door][side.label][0]["requests"], "peak_bytes_per_model": memory["peak_bytes"] / size,
                }
            rows.append(row)
    return {"latency_ms": args.latency_ms, "reps": args.reps, "rows": rows}


# -- the first lookup, against the import floor ----------------------------------------------------------------

#: The plugin's floor: the schema process's, then the looking-up process's (see FLOORS).
PLUGIN_FLOOR = "grpc, then plugin server + SDK"

FLOORS: dict[str, str | tuple[str, ...]] = {
    "python": "pass",
    "pulumi.dynamic": "import pulumi.dynamic",
    "pulumi.dynamic + SDK": "import pulumi.dynamic, alibabacloud_aiworkspace20210204.client",
    "plugin server + SDK": "import pulumi.provider.experimental.server, alibabacloud_aiworkspace20210204.client",
    # Pulumi YAML first starts a process of the plugin only to read its schema, and the one that looks up only once it
    # answered: a gRPC server, then the plugin's server and the SDK, one process after the other.
    PLUGIN_FLOOR: ("import grpc.aio",
                   "import pulumi.provider.experimental.server, alibabacloud_aiworkspace20210204.client"),
}
PREVIEWS = ("empty", "trivial", "lookup", "yaml-empty", "yaml-getmodel")


def fresh_import_seconds(statements: str | tuple[str, ...]) -> float:
    """Wall time of a fresh Python process (this venv's) that runs a statement and exits, for each one after the other."""
    started = time.perf_counter()
    for statement in (statements,) if isinstance(statements, str) else statements:
        subprocess.run([sys.executable, "-c", statement], check=True, env=dict(os.environ, PYTHONPATH=""))
    return time.perf_counter() - started


def first_lookup_figures(sides: list[SideProcess], args) -> dict:
    """The first ModelLookup's and the first plugin getModel's added cost in a preview, beside the import floors."""
    floors: dict[str, list[float]] = {name: [] for name in FLOORS}
    previews: dict[str, dict[str, list[float]]] = {side.label: {case: [] for case in PREVIEWS} for side in sides}
    for side in sides:  # set up and warm every program (not measured)
        for case in PREVIEWS:
            log(f"first lookup: preparing {side.label} {case}")
            side.ask("preview", case=case)
    for rep in range(args.preview_reps):
        log(f"first lookup: round {rep + 1} of {args.preview_reps}")
        for name, statement in FLOORS.items():
            floors[name].append(fresh_import_seconds(statement))
        for side in in_turn(sides, rep):
            for case in PREVIEWS:
                previews[side.label][case].append(side.ask("preview", case=case)["seconds"])
    best = {name: min(times) for name, times in floors.items()}
    out: dict[str, Any] = {"reps": args.preview_reps, "floors": floors, "floor_best": best, "sides": {}}
    for side in sides:
        p = {case: min(times) for case, times in previews[side.label].items()}
        out["sides"][side.label] = {
            "previews": previews[side.label],
            "preview_best": p,
            "model_lookup_first": p["lookup"] - p["empty"],
            "trivial_dynamic_first": p["trivial"] - p["empty"],
            "plugin_getmodel_first": p["yaml-getmodel"] - p["yaml-empty"],
        }
    return out


# -- many lookups at once: the in-flight bound ------------------------------------------------------------------

INFLIGHT_CASES = {
    "100 distinct lookups": {"storm": False, "retry_after_ms": None},
    "the same, 30% answered 429 without x-acs-retry-after": {"storm": True, "retry_after_ms": None},
    "the same, 30% answered 429 with x-acs-retry-after 100 ms": {"storm": True, "retry_after_ms": 100},
}


def inflight_figures(sides: list[SideProcess], args) -> dict:
    """100 distinct lookups at once (each lists the whole catalog), plain and in a throttling storm, per side."""
    lookups, size, latency = 100, args.inflight_size, args.inflight_latency_ms
    out: dict[str, Any] = {"lookups": lookups, "size": size, "latency_ms": latency, "max_attempts": args.storm_max_attempts,
                           "cases": {}}
    for name, case in INFLIGHT_CASES.items():
        log(f"in flight: {name}")
        runs = interleaved(sides, 1, lambda side, case=case: side.ask(
            "inflight", lookups=lookups, size=size, latency_ms=latency, max_attempts=args.storm_max_attempts, **case))
        out["cases"][name] = {label: results[0] for label, results in runs.items()}
    head = sides[0].info
    pages = math.ceil(size / head["page_size"])
    bound = head["max_in_flight"]
    rounds = max(math.ceil(lookups * pages / bound), 1 + math.ceil((pages - 1) / head["max_concurrency"]))
    out.update(bound=bound, pages=pages, allowed_seconds=latency / 1000 * rounds,
               allowed_basis=f"{latency:g} ms x ceil({lookups} lookups x {pages} pages / {bound} in flight) = {rounds} rounds")
    return out


# -- a failing preview against a working one ---------------------------------------------------------------------


def failing_figures(sides: list[SideProcess], args) -> dict:
    """`pulumi preview` of a Python project whose ModelLookup fails (an approval status no version has) and one whose works."""
    for side in sides:
        for case in ("py-working", "py-failing"):
            log(f"failing vs working: preparing {side.label} {case}")
            side.ask("preview", case=case)
    cases = ("py-working", "py-failing")
    runs = interleaved(sides, args.failing_reps, lambda side: {case: side.ask("preview", case=case) for case in cases})
    out: dict[str, Any] = {"reps": args.failing_reps, "sides": {}}
    for label, results in runs.items():
        working = [r["py-working"]["seconds"] for r in results]
        failing = [r["py-failing"]["seconds"] for r in results]
        unexpected = [r[c]["unexpected"] for r in results for c in r if "unexpected" in r[c]]
        out["sides"][label] = {"working": working, "failing": failing, "ratio": min(failing) / min(working),
                               "unexpected": unexpected[:1]}
    return out


# -- coalescing --------------------------------------------------------------------------------------------


class _NoResources(pulumi.runtime.Mocks):
    def new_resource(self, args):
        return f"{args.name}-id", dict(args.inputs)

    def call(self, args):
        return {}


def _new_mocked_run() -> None:
    pulumi.runtime.set_mocks(_NoResources(), preview=False)


def _leave_mocked_run() -> None:
    pulumi.runtime.settings.configure(pulumi.runtime.settings.Settings(project="p", stack="s"))
    pulumi.runtime.settings.SETTINGS.monitor = None


def coalescing_with_mocks(emulator: Emulator, settings: Settings, size: int) -> dict:
    """API requests of 20 identical and 20 different lookups inside one (mocked) Pulumi program run."""
    emulator.set_catalog(size)
    broad_pages = math.ceil(size / settings.resolved().page_size)  # resolved(): these settings over the environment

    def one(i: int) -> Any:
        return get_model(model_name=f'"{model_name(i)}"', provider=PROVIDER, settings=settings)

    cases: dict[str, Callable[[], Any]] = {
        "one get_model (exact name)": lambda: one(1),
        "20 identical get_model": lambda: [one(1) for _ in range(20)],
        "20 identical get_model, 20 threads at once": lambda: _in_threads(20, lambda: one(1)),
        "20 different get_model": lambda: [one(i) for i in range(20)],
        "one get_models(provider='pai')": lambda: get_models(provider=PROVIDER, settings=settings),
        "20 identical get_models(provider='pai')": lambda: [get_models(provider=PROVIDER, settings=settings) for _ in range(20)],
    }
    out: dict[str, Any] = {"run": "pulumi.runtime.set_mocks (a mocked Pulumi program run, one per case)", "catalog_size": size,
                           "broad_listing_pages": broad_pages, "requests": {}}
    try:
        for name, case in cases.items():
            _new_mocked_run()
            emulator.reset()
            case()
            out["requests"][name] = len(emulator.list_requests())
    finally:
        _leave_mocked_run()
    emulator.reset()  # outside a program run: nothing is shared (for contrast)
    for _ in range(2):
        get_model(model_name=f'"{model_name(1)}"', provider=PROVIDER, settings=settings)
    out["requests"]["2 identical get_model outside any program run"] = len(emulator.list_requests())
    return out


def _in_threads(count: int, fn: Callable[[], Any]) -> list:
    results: list = [None] * count
    barrier = threading.Barrier(count)

    def work(i: int) -> None:
        barrier.wait()
        results[i] = fn()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


# -- the engine --------------------------------------------------------------------------------------------


class Engine:
    """Inline Automation API stacks (tests/engine.py's `inline_stack`: file backend, passphrase secrets, the CLI
    of scripts/ensure-pulumi.sh or $PAI_MODELS_PULUMI_BIN) under a temporary home, configured for the emulator."""

    PROJECT = "pai-models-bench"

    def __init__(self, home: Path, emulator: Emulator):
        from pulumi import automation as auto

        self.home = home
        self.config = {
            "pai-models:endpoint": auto.ConfigValue(emulator.url),
            "alicloud:accessKey": auto.ConfigValue(DEFAULT_ACCESS_KEY_ID),
            "alicloud:secretKey": auto.ConfigValue(DEFAULT_ACCESS_KEY_SECRET, secret=True),
        }

    def stack(self, name: str, program: Callable[[], None]):
        return inline_stack(self.home, program, project=self.PROJECT, stack=name, config=self.config)


def lookups_program(count: int, *, identical: bool = False) -> Callable[[], None]:
    def program() -> None:
        for i in range(count):
            ModelLookup(f"m{i}", model_name=f'"{model_name(0 if identical else i)}"', provider=PROVIDER)

    return program


def functions_program(count: int, *, identical: bool) -> Callable[[], None]:
    def program() -> None:
        for i in range(count):
            get_model(model_name=f'"{model_name(0 if identical else i)}"', provider=PROVIDER)

    return program


def engine_figures(emulator: Emulator, counts: tuple[int, ...], catalog_size: int, keep_home: bool) -> dict:
    emulator.set_catalog(catalog_size)
    home = Path(tempfile.mkdtemp(prefix="pai-models-bench-"))
    out: dict[str, Any] = {"catalog_size": catalog_size, "previews": {}, "home": str(home) if keep_home else None}
    try:
        engine = Engine(home, emulator)
        for count in counts:
            stack = engine.stack(f"lookups{count}", lookups_program(count))
            seconds = []
            requests = []
            for _ in range(2):
                emulator.reset()
                started = time.perf_counter()
                stack.preview()
                seconds.append(time.perf_counter() - started)
                requests.append(len(emulator.list_requests()))
            out["previews"][str(count)] = {"cold_seconds": seconds[0], "warm_seconds": seconds[1], "requests": requests[1]}
            log(f"engine: preview with {count} ModelLookup(s): {seconds[0]:.2f} s, then {seconds[1]:.2f} s (warm)")
        low, high = min(counts), max(counts)
        delta = out["previews"][str(high)]["warm_seconds"] - out["previews"][str(low)]["warm_seconds"]
        out["per_lookup_seconds"] = delta / (high - low)
        out["per_lookup_basis"] = f"(warm preview with {high} - warm preview with {low}) / {high - low}"
        if 1 in counts and high > 1:  # the same, without the one-off cost of the first lookup (provider process, imports)
            one = out["previews"]["1"]["warm_seconds"]
            out["first_lookup_seconds"] = one - out["previews"][str(low)]["warm_seconds"]
            out["marginal_lookup_seconds"] = (out["previews"][str(high)]["warm_seconds"] - one) / (high - 1)
            out["marginal_lookup_basis"] = f"(warm preview with {high} - warm preview with 1) / {high - 1}"

        # __provider: its size in the state after an `up` of the one-lookup stack
        stack = engine.stack("lookups1", lookups_program(1))
        stack.up()
        resources = stack.export_stack().deployment["resources"]
        lookup = next(r for r in resources if r.get("type", "").endswith("ModelLookup"))
        provider_value = lookup["inputs"]["__provider"]
        text = provider_value if isinstance(provider_value, str) else json.dumps(provider_value)
        out["provider_state"] = {"resource_type": lookup["type"], "__provider_bytes": len(text.encode("utf-8")),
                                 "value_kind": type(provider_value).__name__}
        stack.destroy()
        log(f"engine: __provider is {out['provider_state']['__provider_bytes']} bytes")

        # Coalescing inside a real program run (the inline program runs in this process).
        real: dict[str, int] = {}
        for label, program in (
            ("20 identical get_model", functions_program(20, identical=True)),
            ("20 different get_model", functions_program(20, identical=False)),
            ("20 identical ModelLookup resources", lookups_program(20, identical=True)),
        ):
            stack = engine.stack("coalesce", program)
            emulator.reset()
            stack.preview()
            real[label] = len(emulator.list_requests())
        out["coalescing_in_real_preview"] = real
        log(f"engine: coalescing in a real preview: {real}")
        out["rollout"] = rollout_figures(engine, emulator)
        log(f"engine: rollout figures: {out['rollout']}")
    finally:
        pulumi.runtime.settings.SETTINGS.monitor = None
        if not keep_home:
            shutil.rmtree(home, ignore_errors=True)
    return out


def rollout_figures(engine: Engine, emulator: Emulator) -> dict:
    """Requests of a preview whose lookups differ only in version selection, and the size of one version bump in
    `pulumi preview --diff`, on the demo catalog (real model and version JSON)."""
    from pulumi_pai_models.emulator import load_demo_catalog

    catalog = load_demo_catalog()
    emulator.put_catalog(catalog)
    fraud = '"fraud-detector"'

    def selections() -> None:
        for i in range(10):
            ModelLookup(f"approved-{i}", model_name=fraud, approval_status="Approved")
            ModelLookup(f"pinned-{i}", model_name=fraud, version="1.0.0")

    stack = engine.stack("selections", selections)
    emulator.reset()
    stack.preview()
    actions = [r.get("action") for r in emulator.requests() if r.get("action")]
    requests = {a: actions.count(a) for a in sorted(set(actions))}

    def one() -> None:
        ModelLookup("model", model_name=fraud, approval_status="Approved")

    stack = engine.stack("bump", one)
    stack.up()
    model = next(m for m in catalog["Models"] if m["ModelName"] == "fraud-detector")
    versions = model.get("Versions") or [model["LatestVersion"]]
    newer = dict(max((v for v in versions if v.get("ApprovalStatus") == "Approved"), key=lambda v: v["GmtCreateTime"]))
    newer.update(VersionName="9.9.9", GmtCreateTime="2035-01-01T00:00:00Z", Uri="oss://acme/fraud-detector/9.9.9/")
    model["Versions"] = [*versions, newer]
    model.pop("LatestVersion", None)
    emulator.put_catalog(catalog)
    lines: list[str] = []
    stack.preview(diff=True, on_output=lines.append)
    shown = [line for line in lines if line.strip()]
    stack.destroy()
    return {"selection_lookups": 20, "selection_requests": requests, "bump_diff_lines": len(shown)}


# -- report ------------------------------------------------------------------------------------------------


def fmt_s(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 10 else f"{seconds:.1f} s"


def fmt_mib(n: float) -> str:
    return f"{n / 2**20:.2f} MiB"


def fmt_ratio(r: float) -> str:
    return f"{r:.3f} ({1 / r:.1f}x faster)" if r < 1 else f"{r:.2f}"


def table(headers: list[str], rows: list[list[str]]) -> str:
    rows = [row + [""] * (len(headers) - len(row)) for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    line = lambda cells: "  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=False)))  # noqa: E731
    return "\n".join([line(headers), "  ".join("-" * w for w in widths)] + [line(r) for r in rows])


def report_listing(results: dict) -> list[str]:
    """The listing table of (a), (b), (c), (d), and the requests and memory table."""
    lines: list[str] = []
    lines.append("Listing all models with provider='pai' (wall time; ratios are times, below 1 = (a) is faster)")
    rows = []
    notes = []
    for row in results["listing"]:
        a, b, c, d = row["a"], row["b"], row["c"], row["d"]
        b_time = fmt_s(b["seconds"]) + (f" [extrap. from {b['measured_pages']} pages]" if b["extrapolated"] else "")
        rows.append([
            f"{row['size']:,}",
            f"{a['requests']} / {a['expected_requests']}",
            fmt_s(a["seconds"]),
            b_time,
            fmt_s(c["seconds"]),
            fmt_s(d["seconds"]),
            fmt_ratio(row["ratios"]["a/b"]),
            fmt_ratio(row["ratios"]["a/c"]),
            f"{row['ratios']['a/d']:.2f}",
        ])
        if b["extrapolated"]:
            notes.append(f"  N={row['size']:,}: (b) extrapolated from {b['measured_pages']} pages ({fmt_s(b['measured_seconds'])} "
                         f"measured) to {b['pages']} pages; its memory likewise")
    lines.append(table(["N", "(a) req / ceil(N/100)", "(a) library", "(b) SDK p10", "(c) SDK p100", "(d) limit",
                        "a/b", "a/c", "a/d"], rows))
    lines.extend(notes)
    lines.append("")
    lines.append("Requests and client memory")
    rows = []
    for row in results["listing"]:
        a, b, c = row["a"], row["b"], row["c"]
        rows.append([
            f"{row['size']:,}",
            str(a["requests"]), str(b["requests"]) + ("*" if b["extrapolated"] else ""), str(c["requests"]),
            fmt_mib(a["peak_bytes"]), fmt_mib(b["peak_bytes"]) + ("*" if b["memory_extrapolated"] else ""), fmt_mib(c["peak_bytes"]),
            f"{a['peak_bytes_per_model']:.0f}",
            fmt_s(a["cpu_seconds"]),
            f"{a['emulator_ms_per_request']:.1f}" if a.get("emulator_ms_per_request") is not None else "-",
            fmt_s(a["seconds_at_0ms_latency"]) if "seconds_at_0ms_latency" in a else "-",
        ])
    lines.append(table(["N", "req (a)", "req (b)", "req (c)", "peak (a)", "peak (b)", "peak (c)", "(a) B/model",
                        "(a) CPU", "emu ms/req (a)", "(a) at 0 ms"], rows))
    lines.append("  * extrapolated (see above).  " + MEMORY_NOTE + ".")
    lines.append("  emu ms/req: the emulator's time per request of (a), injected latency included, from its request log.")
    lines.append("  (a) CPU: CPU time of this (the client's) process during (a), all threads; less sensitive to machine load.")
    lines.append("  (a) at 0 ms: the same listing with no injected latency: what the client and the emulator cost.")
    lines.append("")
    return lines


def report(results: dict) -> str:
    lines: list[str] = []
    meta = results["meta"]
    lines.append(f"pulumi-pai-models benchmark ({'quick' if meta['quick'] else 'full'}): {meta['latency_ms']:g} ms injected "
                 f"latency per request, emulator in a child "
                 f"process, {meta['cpus']} CPUs, Python {meta['python']}")
    g = meta.get("git") or {}
    lines.append(f"library at commit {g.get('head') or '?'}" + (f", with uncommitted changes to {', '.join(g['library_uncommitted'])}"
                                                               if g.get("library_uncommitted") else ""))
    for side in meta.get("sides", []):
        lines.append(f"side {side['label']}: commit {side['commit']}, library {side['provider_dir']}"
                     + ("" if side.get("same_dependencies", True) else " (its requirements.lock differs: measured with this venv)"))
    lines.append("load average (1, 5, 15 min) at start " + ", ".join(f"{x:.1f}" for x in meta["load_average_at_start"])
                 + " and end " + ", ".join(f"{x:.1f}" for x in meta.get("load_average_at_end", ())))
    lines.append("")
    if results["listing"]:
        lines.extend(report_listing(results))
    lin = results.get("memory_linearity")
    if lin:
        lines.append("Memory linearity, (a) peak bytes per model: " + ", ".join(
            f"{int(k):,}: {v:.0f} B" for k, v in lin["peak_bytes_per_model"].items()) + f"; {lin['verdict']}")
        lines.append("")
    co = results.get("coalescing")
    if co:
        lines.append(f"Coalescing ({co['run']}; catalog of {co['catalog_size']:,}, a broad listing = "
                     f"{co['broad_listing_pages']} pages): ListModels requests")
        for name, n in co["requests"].items():
            lines.append(f"  {name}: {n}")
        lines.append("")
    en = results.get("engine")
    if en:
        lines.append(f"Engine (pulumi preview of an inline stack, catalog of {en['catalog_size']:,}; second of two runs):")
        for count, p in en["previews"].items():
            lines.append(f"  {count:>2} ModelLookup(s): {fmt_s(p['warm_seconds'])} (first run {fmt_s(p['cold_seconds'])}), "
                         f"{p['requests']} ListModels requests")
        lines.append(f"  per ModelLookup: {en['per_lookup_seconds'] * 1000:.1f} ms = {en['per_lookup_basis']}")
        if "marginal_lookup_seconds" in en:
            lines.append(f"    of which: the first lookup {fmt_s(en['first_lookup_seconds'])} (1 vs 0: starts the dynamic provider "
                         f"process, imports pulumi, this library and Alibaba's SDK); each further one "
                         f"{en['marginal_lookup_seconds'] * 1000:.1f} ms = {en['marginal_lookup_basis']}")
        ps = en.get("provider_state")
        if ps:
            lines.append(f"  __provider in the state after `up` ({ps['resource_type']}): {ps['__provider_bytes']} bytes")
        if en.get("coalescing_in_real_preview"):
            lines.append("  coalescing inside a real preview (program run by the engine): "
                         + "; ".join(f"{k}: {v} requests" for k, v in en["coalescing_in_real_preview"].items()))
        ro = en.get("rollout")
        if ro:
            lines.append(f"  {ro['selection_lookups']} ModelLookups differing only in version selection (10 approval_status, "
                         f"10 version), one preview: " + ", ".join(f"{k} {v}" for k, v in ro["selection_requests"].items()))
            lines.append(f"  one version bump in `pulumi preview --diff` (demo catalog): {ro['bump_diff_lines']} lines")
        lines.append("")
    lines.extend(report_sides(results))
    lines.append("Targets")
    for t in results["targets"]:
        mark = {True: "met", False: "MISSED", None: "n/a"}[t["met"]]
        lines.append(f"  [{mark:>6}] {t['target']}: {t['value']}")
    return "\n".join(lines)


def versus(values: dict[str, float], labels: list[str], fmt: Callable[[float], str] = fmt_s) -> list[str]:
    """Each side's figure, then (with two sides) the first over the second."""
    cells = [fmt(values[label]) for label in labels]
    if len(labels) == 2:
        cells.append(f"{values[labels[0]] / values[labels[1]]:.2f}" if values[labels[1]] else "-")
    return cells


def report_sides(results: dict) -> list[str]:
    """The sections measured per commit (side by side with --against)."""
    lines: list[str] = []
    labels = [side["label"] for side in results["meta"].get("sides", [])]
    ratio = [f"{labels[0]}/{labels[1]}"] if len(labels) == 2 else []
    dr = results.get("doors")
    if dr:
        lines.append(f"Listing through each front door, best of {dr['reps']} rounds (every door and the SDK alone once a round, "
                     f"sides alternating); d = {dr['latency_ms']:g} ms x (1 + ceil((pages - 1) / 8)); "
                     "memory: tracemalloc peak of one more listing / N")
        rows = []
        for row in dr["rows"]:
            sides = row["sides"]
            rows.append([f"{row['size']:,}", row["door"], fmt_s(row["d_seconds"])]
                        + [f"{fmt_s(sides[label]['seconds'])} ({sides[label]['a_over_d']:.2f})" for label in labels]
                        + (versus({k: v["seconds"] for k, v in sides.items()}, labels)[-1:] if ratio else [])
                        + [f"{median_a_over_d(row, label):.2f}" for label in labels]
                        + [f"{sides[label]['peak_bytes_per_model'] / 1024:.2f}" for label in labels])
        lines.append(table(["N", "door", "d"] + [f"{label} a (a/d)" for label in labels] + ratio
                           + [f"{label} median a/d" for label in labels] + [f"{label} KB/model" for label in labels], rows))
        lines.extend(f"  {door}: {call}" for door, call in DOOR_CALLS.items())
        lines.append("")
    fl = results.get("first_lookup")
    if fl:
        floors = fl["floor_best"]
        lines.append(f"The first lookup against the import floor (best of {fl['reps']}; each floor a fresh Python process "
                     "of this venv, interpreter start included)")
        lines.append("  floors: " + "; ".join(f"{name} {fmt_s(v)}" for name, v in floors.items()))
        rows = []
        names = {"empty": "inline program, nothing", "trivial": "inline, 1 do-nothing dynamic resource",
                 "lookup": "inline, 1 ModelLookup", "yaml-empty": "Pulumi YAML, nothing",
                 "yaml-getmodel": "Pulumi YAML, 1 getModel (the plugin)"}
        for case, name in names.items():
            rows.append([name, *versus({k: v["preview_best"][case] for k, v in fl["sides"].items()}, labels)])
        plugin_rows = [("plugin_getmodel_first", "first plugin getModel (YAML, 1 vs nothing)", PLUGIN_FLOOR),
                       ("plugin_getmodel_first", "  the same, against one process's floor", "plugin server + SDK")]
        if PLUGIN_FLOOR not in floors:  # an earlier run's JSON
            plugin_rows = [("plugin_getmodel_first", "first plugin getModel (YAML, 1 vs nothing)", "plugin server + SDK")]
        for key, name, floor in (("model_lookup_first", "first ModelLookup (1 vs nothing)", "pulumi.dynamic + SDK"),
                                 ("trivial_dynamic_first", "any dynamic provider (do-nothing vs nothing)", "pulumi.dynamic"),
                                 *plugin_rows):
            values = {k: v[key] for k, v in fl["sides"].items()}
            against = ", ".join(f"{label} {1000 * (values[label] - floors[floor]):+.0f} ms" for label in labels)
            rows.append([name, *versus(values, labels), f"{floor}: {fmt_s(floors[floor])}; {against}"])
        lines.append(table(["preview", *labels, *ratio, "against the floor"], rows))
        lines.append("")
    inf = results.get("inflight")
    if inf:
        lines.append(f"{inf['lookups']} distinct lookups at once, each listing {inf['size']:,} models ({inf['pages']} pages) at "
                     f"{inf['latency_ms']:g} ms latency; bound {inf['bound']} in flight; allowed = {inf['allowed_basis']} = "
                     f"{fmt_s(inf['allowed_seconds'])}; storms with max_attempts {inf['max_attempts']}")
        rows = []
        for name, per_side in inf["cases"].items():
            for label in labels:
                r = per_side[label]
                rows.append([name, label, fmt_s(r["seconds"]), f"{r['seconds'] / inf['allowed_seconds']:.2f}",
                             f"{r['peak_in_flight']}" + ("" if r["peak_how"] == "counted" else " (log)"), f"{r['mean_in_flight']:.1f}",
                             str(r["requests"]), str(r["throttled"]), f"{r['right']}/{inf['lookups']}"
                             + (" " + ", ".join(f"{k} x{n}" for k, n in r["failures"].items()) if r["failures"] else "")])
        lines.append(table(["case", "side", "time", "/allowed", "peak in flight", "mean in flight", "requests", "429s", "right"], rows))
        lines.append("  peak: the emulator's count of requests it answered at once ((log): from its request log's times); mean: "
                     "the requests' summed durations / the wall time")
        lines.append("")
    fw = results.get("failing")
    if fw:
        lines.append(f"A failing ModelLookup preview against a working one (Python project, `pulumi preview`, best of {fw['reps']}; "
                     "failing: an approval status no version of the model has)")
        rows = []
        for label in labels:
            r = fw["sides"][label]
            rows.append([label, fmt_s(min(r["working"])), fmt_s(min(r["failing"])), f"{r['ratio']:.2f}",
                         " ".join(f"{x:.1f}" for x in r["working"]), " ".join(f"{x:.1f}" for x in r["failing"])])
            if r["unexpected"]:
                rows[-1].append("UNEXPECTED OUTCOME: " + r["unexpected"][0][-300:].replace("\n", " "))
        lines.append(table(["side", "working", "failing", "failing/working", "working runs (s)", "failing runs (s)"], rows))
        lines.append("")
    return lines


def targets(results: dict) -> list[dict]:
    out = []
    listing = {row["size"]: row for row in results["listing"]}

    def add(target: str, met: bool | None, value: str) -> None:
        out.append({"target": target, "met": met, "value": value})

    if listing:
        exact = all(r["a"]["requests"] == r["a"]["expected_requests"] and r["a"]["requests_consistent"] for r in listing.values())
        add("(a) makes exactly ceil(N/100) list requests", exact,
            ", ".join(f"N={n:,}: {r['a']['requests']}/{r['a']['expected_requests']}" for n, r in listing.items()))
    ten = listing.get(10_000)
    if ten:
        speedup = 1 / ten["ratios"]["a/b"]
        add("at 10,000 models (a) at least 20x faster than (b)", speedup >= 20,
            f"{speedup:.1f}x" + (" ((b) extrapolated)" if ten["b"]["extrapolated"] else ""))
    else:
        add("at 10,000 models: 20x faster than (b)", None, "not measured in this mode (no 10,000 size)")
    head = results["meta"]["sides"][0]["label"]
    dr = results.get("doors")
    for size in (10_000, 50_000):
        rows = [r for r in (dr["rows"] if dr else []) if r["size"] == size and r["door"] in DOORS]
        if not rows:
            add(f"at {size:,} models every door within 1.15x of (d)", None, f"not measured in this mode (no {size:,} size)")
            continue
        worst = max(r["sides"][head]["a_over_d"] for r in rows)
        at_size = [r for r in dr["rows"] if r["size"] == size]  # the doors and the SDK alone
        floor = [r["sides"][head]["a_over_d"] for r in at_size if r["door"] == SDK_ALONE]
        add(f"at {size:,} models every door within 1.15x of (d), best of {dr['reps']}", worst <= 1.15,
            ", ".join(f"{r['door']} {r['sides'][head]['a_over_d']:.2f}" for r in rows)
            + (f" (the SDK alone: {floor[0]:.2f})" if floor else "")
            + "; medians of the rounds: " + ", ".join(f"{r['door']} {median_a_over_d(r, head):.2f}" for r in at_size))
    fl = results.get("first_lookup")
    if fl:
        mine, floors = fl["sides"][head], fl["floor_best"]
        plugin_floor = PLUGIN_FLOOR if PLUGIN_FLOOR in floors else "plugin server + SDK"  # (an earlier run's JSON)
        for key, name, floor in (("model_lookup_first", "the first ModelLookup's added cost", "pulumi.dynamic + SDK"),
                                 ("plugin_getmodel_first", "the plugin's first getModel's added cost", plugin_floor)):
            over = mine[key] - floors[floor]
            add(f"{name} within 100 ms of the import floor", over <= 0.1,
                f"{fmt_s(mine[key])} vs floor {fmt_s(floors[floor])} ({over * 1000:+.0f} ms)")
    inf = results.get("inflight")
    if inf:
        plain = inf["cases"]["100 distinct lookups"][head]
        add("100 distinct lookups keep the emulator's in-flight count at the bound, within 1.2x of what it allows",
            plain["peak_in_flight"] == inf["bound"] and plain["seconds"] <= 1.2 * inf["allowed_seconds"],
            f"peak {plain['peak_in_flight']} (bound {inf['bound']}), {fmt_s(plain['seconds'])} = "
            f"{plain['seconds'] / inf['allowed_seconds']:.2f}x of {fmt_s(inf['allowed_seconds'])}")
        storms = {name: r[head] for name, r in inf["cases"].items() if "429" in name}
        add("a 30% throttling storm under that load ends with every lookup right",
            all(r["right"] == inf["lookups"] and r["peak_in_flight"] <= inf["bound"] for r in storms.values()),
            "; ".join(f"{'with' if 'with x-acs' in name else 'without'} retry-after: {r['right']}/{inf['lookups']} right in "
                      f"{fmt_s(r['seconds'])}, {r['throttled']} 429s, peak {r['peak_in_flight']}" for name, r in storms.items()))
    fw = results.get("failing")
    if fw:
        r = fw["sides"][head]
        add("a failing ModelLookup preview within 1.2x of a working one (issue 16; measured here)", r["ratio"] <= 1.2,
            f"{fmt_s(min(r['failing']))} / {fmt_s(min(r['working']))} = {r['ratio']:.2f}")
    co = results.get("coalescing")
    if co:
        one, twenty = co["requests"]["one get_model (exact name)"], co["requests"]["20 identical get_model"]
        threads = co["requests"]["20 identical get_model, 20 threads at once"]
        broad1, broad20 = co["requests"]["one get_models(provider='pai')"], co["requests"]["20 identical get_models(provider='pai')"]
        add("20 identical lookups cost the requests of one", twenty == one and threads == one and broad20 == broad1,
            f"get_model: {twenty} vs {one} (20 threads at once: {threads}); get_models: {broad20} vs {broad1}")
    en = results.get("engine")
    if en:
        per = en["per_lookup_seconds"]
        most = max(int(k) for k in en["previews"])
        if most >= 20:
            add("each added ModelLookup adds under 100 ms to a preview", per < 0.1, f"{per * 1000:.1f} ms ({en['per_lookup_basis']})")
        else:  # the one-off start of the provider process, spread over a few lookups, is not a per-lookup cost
            add("each added ModelLookup adds under 100 ms to a preview", None,
                f"judged on 20 lookups (full run); here {per * 1000:.1f} ms ({en['per_lookup_basis']}), of which the "
                f"first lookup's one-off {fmt_s(en.get('first_lookup_seconds', 0))} is most")
        if en.get("provider_state"):
            size = en["provider_state"]["__provider_bytes"]
            add("__provider under 1 KB", size < 1024, f"{size} bytes")
    lin = results.get("memory_linearity")
    add("memory grows linearly with N", lin["linear"] if lin else None, lin["verdict"] if lin else "needs 3 sizes >= 1,000")
    return out


def memory_linearity(listing: list[dict]) -> dict | None:
    per = {row["size"]: row["a"]["peak_bytes_per_model"] for row in listing if row["size"] >= 1_000}
    if len(per) < 2:
        return None
    sizes = sorted(per)
    big = [per[n] for n in sizes]
    spread = max(big) / min(big)
    # Slope between the two largest sizes: the cost of one more model, fixed costs aside.
    n1, n2 = sizes[-2], sizes[-1]
    p1 = per[n1] * n1
    p2 = per[n2] * n2
    slope = (p2 - p1) / (n2 - n1)
    linear = spread <= 1.5
    verdict = (f"max/min bytes per model = {spread:.2f} ({'linear' if linear else 'NOT linear'}: within 1.5x); "
               f"marginal {slope:.0f} B/model between {n1:,} and {n2:,}")
    return {"peak_bytes_per_model": {str(n): per[n] for n in sizes}, "max_over_min": spread, "marginal_bytes_per_model": slope,
            "linear": linear, "verdict": verdict}


# -- main --------------------------------------------------------------------------------------------------


def git_state() -> dict:
    """The commit and the uncommitted library files the figures were measured with (they are imported at start)."""
    def git(*argv: str) -> str:
        try:
            done = subprocess.run(["git", *argv], cwd=REPO, check=True, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
            return done.stdout.rstrip()
        except (OSError, subprocess.CalledProcessError):
            return ""
    dirty = [line[3:] for line in git("status", "--porcelain", "--", "provider").splitlines()]
    return {"head": git("rev-parse", "--short", "HEAD"), "library_uncommitted": dirty}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark of pulumi-pai-models; see bench/README.md.")
    parser.add_argument("--quick", action="store_true", help="sizes 10 and 1,000, (b) a prefix only, engine 0/1/5 lookups")
    parser.add_argument("--out", default=str(BENCH / "results" / "latest.json"), help="JSON output (default %(default)s)")
    parser.add_argument("--latency-ms", type=float, default=20.0, help="injected latency per API request (default 20)")
    parser.add_argument("--sizes", help="comma-separated catalog sizes (default 10,1000,10000,50000; quick 10,1000)")
    parser.add_argument("--b-budget-s", type=float, default=60.0, help="(b) is extrapolated when it would take longer")
    parser.add_argument("--b-prefix-pages", type=int, help="pages of (b) measured before extrapolating (default 200, quick 20)")
    parser.add_argument("--no-engine", action="store_true", help="skip the pulumi preview figures")
    parser.add_argument("--wait-idle", type=float, default=0, metavar="S",
                        help="wait up to S seconds for the 1-minute load average to fall below 1 before starting")
    parser.add_argument("--keep-engine-home", action="store_true", help="keep the temporary Pulumi home and state")
    parser.add_argument("--against", metavar="REF", help="also measure commit REF (a temporary git worktree), side by side, "
                        "interleaved, and print both figures and their ratio")
    parser.add_argument("--reps", type=int, default=3, help="listings per figure, the best counted (default 3)")
    parser.add_argument("--preview-reps", type=int, help="previews per first-lookup figure, the best counted (default 5, quick 2)")
    parser.add_argument("--failing-reps", type=int, help="previews per failing/working figure (default 3, quick 1)")
    parser.add_argument("--inflight-size", type=int, default=300, help="models each of the 100 concurrent lookups lists (default 300)")
    parser.add_argument("--inflight-latency-ms", type=float, default=50.0, help="latency of the in-flight figures (default 50)")
    parser.add_argument("--storm-max-attempts", type=int, default=10, help="max_attempts of the lookups in the throttling storm")
    parser.add_argument("--sections", default=",".join(SECTIONS), help=f"comma-separated, of {', '.join(SECTIONS)} (default all)")
    parser.add_argument("--report", metavar="FILE", help="print the report of an earlier run's JSON, measuring nothing")
    args = parser.parse_args(argv)
    if args.report:
        print(report(json.loads(Path(args.report).read_text())))
        return 0
    sections = set(args.sections.split(","))
    if unknown := sections - set(SECTIONS):
        parser.error(f"unknown sections {', '.join(sorted(unknown))}")
    if args.no_engine:
        sections -= {"first", "failing", "engine"}
    args.preview_reps = args.preview_reps or (2 if args.quick else 5)
    args.failing_reps = args.failing_reps or (1 if args.quick else 3)
    sizes = tuple(int(s) for s in args.sizes.split(",")) if args.sizes else (QUICK_SIZES if args.quick else FULL_SIZES)
    if args.b_prefix_pages is None:
        args.b_prefix_pages = 20 if args.quick else 200
    engine_counts = (0, 1, 5) if args.quick else (0, 1, 20)
    if args.wait_idle > 0:
        deadline = time.monotonic() + args.wait_idle
        while os.getloadavg()[0] >= 1.0 and time.monotonic() < deadline:
            log(f"waiting for an idle machine (load {os.getloadavg()[0]:.1f})")
            time.sleep(10)
    started = time.perf_counter()

    emulator = Emulator(args.latency_ms)
    sides: list[SideProcess] = []
    ref: RefCheckout | None = None
    try:
        state = git_state()
        log("starting the side of this checkout" + (f" and of {args.against}" if args.against else ""))
        sides.append(SideProcess("this", state["head"] + ("+" if state["library_uncommitted"] else ""), REPO / "provider"))
        if args.against:
            ref = RefCheckout(args.against)
            sides.append(SideProcess("ref", ref.commit[:7], ref.provider_dir))
        head = sides[0]
        settings = Settings(endpoint=emulator.url, access_key_id=DEFAULT_ACCESS_KEY_ID, access_key_secret=DEFAULT_ACCESS_KEY_SECRET)
        client = sdk_client(emulator)
        # Warm-up: imports, SDK client construction, first connections; not measured.
        emulator.set_catalog(10)
        warm = time.perf_counter()
        get_models(provider=PROVIDER, settings=settings)
        cold_first_call = time.perf_counter() - warm
        sdk_sequential(client, NAIVE_PAGE_SIZE)

        results: dict[str, Any] = {
            "meta": {
                "quick": args.quick,
                "latency_ms": args.latency_ms,
                "sizes": list(sizes),
                "cpus": os.cpu_count(),
                "python": platform.python_version(),
                "platform": platform.platform(),
                "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                "load_average_at_start": os.getloadavg(),
                "git": state,
                "sides": [{"label": side.label, "commit": side.commit, "provider_dir": str(side.provider_dir), **side.info,
                           "same_dependencies": ref.same_dependencies if ref is not None and side.label == "ref" else True}
                          for side in sides],
                "sections": sorted(sections),
                "library_first_call_seconds": cold_first_call,
                "memory_note": MEMORY_NOTE,
                "b_budget_s": args.b_budget_s,
                "b_prefix_pages": args.b_prefix_pages,
            },
            "listing": [],
        }
        if "listing" in sections:
            for size in sizes:
                results["listing"].append(measure_size(size, emulator, head, client, args))
            results["memory_linearity"] = memory_linearity(results["listing"])
        if "doors" in sections:
            door_sizes = [n for n in sizes if n >= (1_000 if args.quick else 10_000)]
            if door_sizes:
                results["doors"] = door_figures(sides, door_sizes, args)
        if "first" in sections:
            results["first_lookup"] = first_lookup_figures(sides, args)
        if "inflight" in sections:
            results["inflight"] = inflight_figures(sides, args)
        if "failing" in sections:
            results["failing"] = failing_figures(sides, args)
        if "coalescing" in sections:
            log("coalescing (mocked program runs)")
            results["coalescing"] = coalescing_with_mocks(emulator, settings, 1_000)
        if "engine" in sections:
            results["engine"] = engine_figures(emulator, engine_counts, 1_000, args.keep_engine_home)
        results["targets"] = targets(results)
        results["meta"]["seconds"] = time.perf_counter() - started
        results["meta"]["load_average_at_end"] = os.getloadavg()
    finally:
        emulator.stop()
        for side in sides:
            side.stop()
        if ref is not None:
            ref.remove()

    for row in results["listing"]:
        row["b"].pop("_keep", None)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(report(results))
    print(f"\n(total {results['meta']['seconds']:.1f} s)")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
