"""Alibaba's SDK imported in the background of a provider process that will look something up.

Importing the SDK's client takes 0.3-0.7 s (aiohttp, Tea, the credentials chain), and a provider process would
otherwise pay it inside its first lookup. `start()` begins the import in a daemon thread, once per process, one
package after another; the plugin calls it when the engine configures it (CheckConfig, Configure), the first sign
that the process will look something up: Pulumi YAML starts a process of the plugin only to ask for its schema, and
starts the one that looks up only once that answer is in, so an import started with the server would run in the
schema process while the engine starts the other one, and take CPU from it (started so, it made the first getModel
of a YAML program ~0.1 s slower instead of faster). The client calls `wait()` before it first touches the SDK, so
its own imports never race the thread's (two threads importing the same package from different ends can deadlock on
the import locks); a failed background import is ignored, and the lookup's own import then reports the error.
"""

from __future__ import annotations

import importlib
import threading

__all__ = ["SDK_MODULES", "start", "wait"]

#: What a lookup imports from the SDK, one package after another (a step imports what the ones before did not); the
#: last is the client, which needs all the rest.
SDK_MODULES = (
    "aiohttp",
    "Tea.core",
    "alibabacloud_credentials.client",
    "darabonba.runtime",
    "alibabacloud_tea_openapi.client",
    "alibabacloud_tea_openapi.models",
    "alibabacloud_tea_openapi.exceptions",
    "alibabacloud_aiworkspace20210204.models",
    "alibabacloud_aiworkspace20210204.client",
)

_lock = threading.Lock()
#: The background import of this process, once started.
_threads: list[threading.Thread] = []


def start() -> None:
    """Begin importing the SDK in the background (once per process; later calls do nothing)."""
    with _lock:
        if not _threads:
            _threads.append(threading.Thread(target=_import_sdk, name="pai-models-warmup", daemon=True))
            _threads[0].start()


def wait() -> None:
    """Return once a background import (if one was started) is over."""
    for thread in _threads:
        if thread is not threading.current_thread():
            thread.join()


def _import_sdk() -> None:
    for name in SDK_MODULES:
        try:
            importlib.import_module(name)
        except Exception:  # the lookup imports it again and reports what is wrong
            return
