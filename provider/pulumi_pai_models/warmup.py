"""Alibaba's SDK imported in the background while a provider process starts, so the first lookup finds it loaded.

Importing the SDK's client takes 0.45-0.7 s (aiohttp, Tea, the credentials chain), and a provider process
would otherwise pay it inside its first lookup. A provider process spends part of its start waiting for the
engine (to connect and configure it, for Pulumi YAML to check the program); `start()` fills that wait with the
import, in a daemon thread, once per process, one package after another. `stop()` ends it after the package
being imported: the engine starts a process of the plugin just to ask for its schema, and that one never looks
anything up. The client calls `wait()` before it first touches the SDK, so its own imports never race the
thread's (two threads importing the same package from different ends can deadlock on the import locks); a
failed background import is ignored, and the lookup's own import then reports the error.
"""

from __future__ import annotations

import importlib
import threading

__all__ = ["SDK_MODULES", "start", "stop", "wait"]

#: What a lookup imports from the SDK, in steps of 50-150 ms each (a step imports what the ones before did not), so
#: that `stop()` takes effect soon; the last is the client, which needs all the rest.
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
_stopped = threading.Event()


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


def stop() -> None:
    """Import nothing more in the background (what is being imported finishes)."""
    _stopped.set()


def _import_sdk() -> None:
    for name in SDK_MODULES:
        if _stopped.is_set():
            return
        try:
            importlib.import_module(name)
        except Exception:  # the lookup imports it again and reports what is wrong
            return
