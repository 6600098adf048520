"""One side of the benchmark: a process measuring the `pulumi_pai_models` on its PYTHONPATH (one commit's library).

`bench/run.py` starts one side per commit it measures (this checkout, and `--against REF`'s temporary worktree)
and asks each, in turn, for the same figures, so that the commits are measured side by side under the same load.
Requests and answers are JSON, one line each (stdin -> stdout); progress goes to stderr. A side has two
emulators of its own commit (bench/emulator_host.py): one for listings, whose catalog and latency change, and
one for the engine previews (1,000 synthetic models and the demo catalog, 20 ms latency).

Requests (`op`):
    hello                                   -> the library's version, file and in-flight bound (None before it existed)
    listing door size latency_ms reps trace -> best of `reps` listings through `door` (get_models, get_model,
                                               ModelLookup, or the SDK alone), its requests, CPU, and with `trace`
                                               its peak memory
    inflight lookups size latency_ms storm retry_after_ms max_attempts
                                            -> `lookups` distinct lookups at once: time, right answers, requests,
                                               the emulator's peak and mean requests in flight
    preview case                            -> one `pulumi preview` of a prepared program (see `CASES`), its time
    quit
"""

from __future__ import annotations

import json
import math
import os
import sys
import tempfile
import threading
import time
import traceback
import tracemalloc
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(BENCH))
sys.path.insert(1, str(REPO / "tests"))  # engine.py: the real Pulumi engine, shared with the tests

from catalogs import PROVIDER, model_name  # noqa: E402
from emulator_host import EmulatorProcess  # noqa: E402

#: The listing with Alibaba's SDK alone (`Side._sdk_alone`), measured beside the doors.
SDK_ALONE = "SDK alone"
ENGINE_CATALOG = 1_000
ENGINE_LATENCY_MS = 20.0
#: The programs `preview` runs: inline (the Automation API, this process runs the program) or a project folder.
CASES = ("empty", "trivial", "lookup", "yaml-empty", "yaml-getmodel", "py-working", "py-failing")


def leave_program_run() -> None:
    """After an inline program ran here: this process is no longer inside a Pulumi program run, so the functions'
    answers are not shared with the next call (they are within a run, keyed by its monitor)."""
    import pulumi

    pulumi.runtime.settings.SETTINGS.monitor = None


def log(message: str) -> None:
    print(f"[side {os.getpid()}] {message}", file=sys.stderr, flush=True)



def _setting_defaults() -> dict[str, Any]:
    """The settings' defaults of the commit measured: its declaration (contract.SETTINGS), or, before it, Settings.DEFAULTS."""
    try:
        from pulumi_pai_models.contract import SETTINGS
    except ImportError:
        from pulumi_pai_models import Settings

        return dict(Settings.DEFAULTS)  # type: ignore[attr-defined]
    return {s.name: s.default for s in SETTINGS}


class Side:
    def __init__(self) -> None:
        import pulumi_pai_models

        self.library = pulumi_pai_models
        self.provider_dir = Path(pulumi_pai_models.__file__).resolve().parent.parent
        self.listing_emulator = EmulatorProcess(20.0)
        self.engine_emulator = EmulatorProcess(ENGINE_LATENCY_MS)
        self.engine_emulator.set_catalog(ENGINE_CATALOG, demo=True)
        self.home = Path(tempfile.mkdtemp(prefix="pai-models-bench-side-"))
        self._stacks: dict[str, Any] = {}
        self._projects: dict[str, tuple[Path, dict[str, str]]] = {}

    def close(self) -> None:
        import shutil

        self.listing_emulator.stop()
        self.engine_emulator.stop()
        shutil.rmtree(self.home, ignore_errors=True)

    # -- settings ------------------------------------------------------------------------------------

    def settings(self, emulator: EmulatorProcess, **fields: Any) -> Any:
        from pulumi_pai_models import Settings
        from pulumi_pai_models.emulator import DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET

        return Settings(endpoint=emulator.url, access_key_id=DEFAULT_ACCESS_KEY_ID, access_key_secret=DEFAULT_ACCESS_KEY_SECRET, **fields)

    def stack_config(self, emulator: EmulatorProcess) -> dict[str, str]:
        from pulumi_pai_models.emulator import DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET

        return {"pai-models:endpoint": emulator.url, "alicloud:accessKey": DEFAULT_ACCESS_KEY_ID,
                "alicloud:secretKey": DEFAULT_ACCESS_KEY_SECRET}

    # -- requests ------------------------------------------------------------------------------------

    def hello(self) -> dict[str, Any]:
        defaults = _setting_defaults()
        return {"version": self.library.__version__, "file": self.library.__file__,
                "max_in_flight": defaults.get("max_in_flight"), "max_concurrency": defaults["max_concurrency"],
                "page_size": defaults["page_size"]}

    def door(self, name: str, size: int) -> Callable[[], Any]:
        """One listing of the whole catalog (provider="pai" matches every model) through a front door, checked; it
        returns the door's answer, which `listing` drops after its clock stops (a program keeps what a lookup returns,
        so freeing it is no part of the lookup's time)."""
        emulator = self.listing_emulator
        newest = f"bench-{size - 1:06d}"
        if name == "get_models":
            from pulumi_pai_models import get_models

            settings = self.settings(emulator)

            def run() -> Any:
                found = get_models(provider=PROVIDER, settings=settings)
                assert len(found.models) == size
                return found

            return run
        if name == "get_model":
            from pulumi_pai_models import get_model

            settings = self.settings(emulator)

            def run() -> Any:
                found = get_model(provider=PROVIDER, most_recent=True, settings=settings)
                assert found.model_id == newest
                return found

            return run
        if name == "ModelLookup":  # what the engine runs in a preview: the dynamic provider's check, in a new operation
            from pulumi.dynamic import ConfigureRequest
            from pulumi.dynamic.config import Config
            from pulumi_pai_models import lifecycle
            from pulumi_pai_models.resource import ModelLookupProvider

            config = self.stack_config(emulator)
            news = {"provider": PROVIDER, "most_recent": True, **dict.fromkeys(lifecycle.OUTPUT_NAMES)}

            def run() -> Any:  # (`listing` starts a new operation before each)
                provider = ModelLookupProvider()
                provider.configure(ConfigureRequest(Config(config, "bench")))
                checked = provider.check({}, dict(news))
                assert not checked.failures, checked.failures
                assert checked.inputs["model_id"] == newest
                return checked

            return run
        if name == SDK_ALONE:
            return self._sdk_alone(size)
        raise ValueError(f"unknown door {name!r}")

    def _sdk_alone(self, size: int) -> Callable[[], Any]:
        """The same listing with Alibaba's SDK and nothing else: page 1 alone (parsed, for TotalCount), then the other
        pages `max_concurrency` at a time, each answer kept as bytes (not parsed, not checked). What the SDK, Python's
        threads and the emulator cost on this machine, with no library work: the floor the doors' a/d stands on."""
        from alibabacloud_aiworkspace20210204 import models
        from alibabacloud_aiworkspace20210204.client import Client
        from alibabacloud_tea_openapi.models import Config
        from darabonba.runtime import RuntimeOptions
        from pulumi_pai_models.emulator import DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET

        class BytesClient(Client):  # type: ignore[misc]
            def call_api(self, params: Any, request: Any, runtime: Any) -> dict[str, Any]:
                params.body_type = "byte"
                answer = super().call_api(params, request, runtime)
                threading.current_thread().__dict__["body"] = answer["body"]
                return dict(answer, body={})

        defaults = _setting_defaults()
        scheme, _, host = self.listing_emulator.url.partition("://")
        # as many kept connections as the library's client keeps (its in-flight bound; a commit before the bound: 16)
        connections = defaults.get("max_in_flight") or 16
        client = BytesClient(Config(endpoint=host, protocol=scheme, access_key_id=DEFAULT_ACCESS_KEY_ID,
                                    access_key_secret=DEFAULT_ACCESS_KEY_SECRET, max_idle_conns=connections))
        runtime = RuntimeOptions()
        page_size, workers = defaults["page_size"], defaults["max_concurrency"]

        def page(number: int) -> bytes:
            request = models.ListModelsRequest(provider=PROVIDER, page_number=number, page_size=page_size)
            client.list_models_with_options(request, {}, runtime)
            body: bytes = threading.current_thread().__dict__.pop("body")
            return body

        def run() -> Any:
            first = page(1)
            total = json.loads(first)["TotalCount"]
            assert total == size, total
            with ThreadPoolExecutor(max_workers=workers) as pool:
                bodies = [first, *pool.map(page, range(2, math.ceil(total / page_size) + 1))]
            assert all(bodies)
            return bodies

        return run

    @staticmethod
    def _new_operation(door: str) -> None:
        """Before a ModelLookup listing, untimed: the previous one's answers forgotten, as in a new engine operation
        (which runs in a new provider process, so it frees nothing of the last one)."""
        if door == "ModelLookup":
            from pulumi_pai_models.resource import begin_operation

            begin_operation()

    def listing(self, door: str, size: int, latency_ms: float, reps: int, trace: bool) -> dict[str, Any]:
        emulator = self.listing_emulator
        emulator.set_latency(latency_ms)
        if emulator.size != (size, False):
            emulator.set_catalog(min(size, 200))
            self.door(door, min(size, 200))()  # imports, SDK client, first connections: not measured
            emulator.set_catalog(size)
        run = self.door(door, size)
        times, cpu, requests, server_ms = [], [], [], []
        for _ in range(reps):
            emulator.reset()
            self._new_operation(door)
            started, cpu_started = time.perf_counter(), time.process_time()
            answer = run()
            times.append(time.perf_counter() - started)
            cpu.append(time.process_time() - cpu_started)
            del answer  # after the clock (see `door`)
            served = emulator.list_requests()
            requests.append(len(served))
            server_ms.extend(r["duration_ms"] for r in served)
        best = times.index(min(times))
        out: dict[str, Any] = {"seconds": times[best], "all_seconds": times, "cpu_seconds": cpu[best], "requests": requests[best],
                               "requests_consistent": len(set(requests)) == 1,
                               "emulator_ms_per_request": sum(server_ms) / len(server_ms) if server_ms else None}
        if trace:  # a separate pass: tracing slows Python down
            self._new_operation(door)
            tracemalloc.start()
            try:
                tracemalloc.reset_peak()
                base, _ = tracemalloc.get_traced_memory()
                run()
                _, peak = tracemalloc.get_traced_memory()
            finally:
                tracemalloc.stop()
            out["peak_bytes"] = peak - base
        return out

    def inflight(self, lookups: int, size: int, latency_ms: float, storm: bool, retry_after_ms: int | None,
                 max_attempts: int) -> dict[str, Any]:
        """`lookups` distinct lookups at once (each lists the whole catalog; the name is matched client-side)."""
        from pulumi_pai_models import PaiModelsError, get_model

        emulator = self.listing_emulator
        emulator.set_latency(latency_ms)
        emulator.set_catalog(size)
        settings = self.settings(emulator, max_attempts=max_attempts)
        get_model(provider=PROVIDER, name_regex=f"^{model_name(0)}$", settings=settings)  # warm: imports, connections
        emulator.reset()
        emulator.peak()  # a new count
        if storm:  # 3 of every 10 ListModels requests answered 429, in the order they arrive
            throttled: dict[str, Any] = {"status": 429, "code": "Throttling.User", "match": "ListModels", "count": 1}
            if retry_after_ms is not None:
                throttled["retry_after_ms"] = retry_after_ms
            passed = {"status": 200, "match": "ListModels", "count": 1}
            emulator.add_faults([throttled if i % 10 in (0, 3, 6) else passed for i in range(30 * lookups * math.ceil(size / 100))])
        barrier = threading.Barrier(lookups)

        def lookup(i: int) -> str:
            barrier.wait()
            try:
                found = get_model(provider=PROVIDER, name_regex=f"^{model_name(i)}$", settings=settings)
            except PaiModelsError as error:
                return f"{type(error).__name__}: {getattr(error, 'code', '')}"
            return "right" if found.model_id == f"bench-{i:06d}" else f"wrong: {found.model_id}"

        started, cpu_started = time.perf_counter(), time.process_time()
        with ThreadPoolExecutor(max_workers=lookups) as pool:
            outcomes = list(pool.map(lookup, range(lookups)))
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        peak, how = emulator.peak()
        served = emulator.list_requests()
        if len(served) < lookups * math.ceil(size / 100):  # every lookup lists every page: nothing may be shared
            raise AssertionError(f"only {len(served)} ListModels requests for {lookups} lookups of {size} models")
        emulator.reset()
        failures: dict[str, int] = {}
        for outcome in outcomes:
            if outcome != "right":
                failures[outcome] = failures.get(outcome, 0) + 1
        return {
            "seconds": elapsed,
            "cpu_seconds": cpu,
            "right": outcomes.count("right"),
            "failures": failures,
            "requests": len(served),
            "throttled": sum(1 for r in served if r["status"] == 429),
            "peak_in_flight": peak,
            "peak_how": how,
            "mean_in_flight": sum(r["duration_ms"] for r in served) / 1000 / elapsed,
        }

    # -- previews ------------------------------------------------------------------------------------

    def engine_pythonpath(self) -> str:
        """The provider processes import this side's library (and bench/trivial.py); tests/ for engine.py's helpers."""
        return os.pathsep.join([str(self.provider_dir), str(BENCH), str(REPO / "tests")])

    def inline(self, case: str) -> Any:
        stack = self._stacks.get(case)
        if stack is None:
            from engine import inline_stack
            from pulumi import automation as auto

            program: Callable[[], None]
            if case == "empty":
                def program() -> None:
                    return None
            elif case == "trivial":
                from trivial import Trivial

                def program() -> None:
                    Trivial("t")
            else:
                from pulumi_pai_models import ModelLookup

                def program() -> None:
                    ModelLookup("m0", model_name=f'"{model_name(0)}"', provider=PROVIDER)
            config = {k: auto.ConfigValue(v, secret=k.endswith("secretKey")) for k, v in self.stack_config(self.engine_emulator).items()}
            stack = inline_stack(self.home / "inline", program, project="pai-models-bench", stack=case, config=config,
                                 env={"PYTHONPATH": self.engine_pythonpath()})
            try:
                stack.preview()  # the first preview installs nothing, but warms the CLI's caches: not measured
            finally:
                leave_program_run()
            self._stacks[case] = stack
        return stack

    def project(self, case: str) -> tuple[Path, dict[str, str]]:
        """A project folder (Pulumi YAML with this side's plugin, or Python), its stack configured for the emulator."""
        found = self._projects.get(case)
        if found is not None:
            return found
        from engine import cli_env, run_pulumi

        root = self.home / "projects" / case
        root.mkdir(parents=True)
        if case.startswith("yaml"):
            plugin_dir = self.home / "plugin"
            launcher = plugin_dir / "pulumi-resource-pai-models"
            if not launcher.exists():  # this side's plugin, as the console script runs it
                plugin_dir.mkdir(exist_ok=True)
                launcher.write_text(f"#!/bin/sh\nPYTHONPATH='{self.provider_dir}' exec '{sys.executable}' -c "
                                    "'import sys; from pulumi_pai_models.plugin import main; sys.exit(main())' \"$@\"\n")
                launcher.chmod(0o755)
            body = ("outputs:\n  nothing: 1\n" if case == "yaml-empty" else
                    "variables:\n  found:\n    fn::invoke:\n      function: pai-models:index:getModel\n"
                    f"      arguments: {{ modelName: '\"{model_name(0)}\"', provider: {PROVIDER} }}\n"
                    "outputs:\n  uri: ${found.uri}\n")
            (root / "Pulumi.yaml").write_text(f"name: bench-{case}\nruntime: yaml\nplugins:\n  providers:\n"
                                              f"    - name: pai-models\n      path: {plugin_dir}\n" + body)
            config = {f"pai-models:{k.split(':', 1)[1]}" if k.startswith("alicloud:") else k: v
                      for k, v in self.stack_config(self.engine_emulator).items()}
        else:  # a Python program whose lookup works, or fails (an approval status no version of the model has)
            (root / "Pulumi.yaml").write_text(f"name: bench-{case}\nruntime:\n  name: python\n  options:\n"
                                              f"    virtualenv: {sys.prefix}\n")
            status = "Approved" if case == "py-working" else "Rejected"
            (root / "__main__.py").write_text(
                "import pulumi\nfrom pulumi_pai_models import ModelLookup\n\n"
                f"model = ModelLookup('model', model_name='\"churn-predictor\"', approval_status='{status}')\n"
                "pulumi.export('uri', model.uri)\n"
            )
            config = self.stack_config(self.engine_emulator)
        env = cli_env(self.home / "cli", {"PYTHONPATH": str(self.provider_dir)})
        run_pulumi("stack", "select", "--create", "bench", cwd=root, env=env)
        for key, value in config.items():
            secret = key.endswith(("secretKey", "secretkey"))
            run_pulumi("config", "set", *(["--secret"] if secret else ["--plaintext"]), key, value, cwd=root, env=env)
        self._projects[case] = (root, env)
        self._preview_project(case)  # warm: not measured
        return root, env

    def _preview_project(self, case: str) -> tuple[float, bool, str]:
        from engine import run_pulumi

        root, env = self._projects[case]
        started = time.perf_counter()
        done = run_pulumi("preview", cwd=root, env=env, check=False)
        return time.perf_counter() - started, done.returncode == 0, (done.stdout + done.stderr)[-2000:]

    def preview(self, case: str) -> dict[str, Any]:
        if case in ("empty", "trivial", "lookup"):
            stack = self.inline(case)
            self.engine_emulator.reset()
            started = time.perf_counter()
            try:
                stack.preview()
            finally:
                leave_program_run()
            return {"seconds": time.perf_counter() - started, "ok": True}
        self.project(case)
        seconds, ok, text = self._preview_project(case)
        expected = case != "py-failing"
        result: dict[str, Any] = {"seconds": seconds, "ok": ok}
        if ok != expected:
            result["unexpected"] = text
        return result


def main() -> int:
    os.environ.setdefault("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")
    side = Side()
    out = sys.stdout
    sys.stdout = sys.stderr  # anything else printed goes to stderr, never into the protocol
    try:
        for line in sys.stdin:
            if not line.strip():
                continue
            request = json.loads(line)
            op = request.pop("op")
            if op == "quit":
                break
            try:
                answer = {"ok": True, "result": getattr(side, op)(**request)}
            except Exception as error:  # reported to the orchestrator, which stops
                answer = {"ok": False, "error": f"{type(error).__name__}: {error}", "traceback": traceback.format_exc()}
            out.write(json.dumps(answer) + "\n")
            out.flush()
    finally:
        side.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

