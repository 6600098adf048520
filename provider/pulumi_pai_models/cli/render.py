"""How the command shows things to people: tables, a chosen version, JSON, and a spinner while it waits."""

from __future__ import annotations

import json
import os
import sys
import threading
import time
import unicodedata
from collections.abc import Sequence
from typing import Any, TextIO

from ..lookup import GetModelResult
from ..types import Model, format_time

__all__ = ["Progress", "encodable", "render_result", "render_table", "to_json"]


def _width(text: str) -> int:
    """Columns `text` takes in a terminal (East Asian wide characters take two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 0 if unicodedata.combining(ch) else 1 for ch in text)


def _cut_end(text: str, width: int) -> str:
    if _width(text) <= width:
        return text
    out, used = "", 0
    for ch in text:
        w = _width(ch)
        if used + w > width - 1:
            break
        out, used = out + ch, used + w
    return out + "…" if width >= 1 else ""


def _cut_middle(text: str, width: int) -> str:
    """Shorten `text` keeping both ends (a URI's bucket and its version directory)."""
    if _width(text) <= width or width < 5:
        return text if width >= _width(text) else _cut_end(text, width)
    tail_w = (width - 1) // 2
    head = _cut_end(text, width - tail_w)[:-1]
    tail, used = "", 0
    for ch in reversed(text):
        w = _width(ch)
        if used + w > tail_w:
            break
        tail, used = ch + tail, used + w
    return head + "…" + tail


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def encodable(text: str, stream: TextIO) -> str:
    """`text`, with what `stream` cannot encode replaced."""
    encoding = getattr(stream, "encoding", None) or "utf-8"
    try:
        text.encode(encoding)
        return text
    except (UnicodeEncodeError, LookupError):
        return text.replace("…", "~").encode(encoding, "replace").decode(encoding, "replace")


_COLUMNS = (("MODEL ID", 32), ("NAME", 40), ("LATEST VERSION", 16), ("CREATED", 20), ("URI", 0))


def render_table(models: Sequence[Model], terminal_width: int | None = None) -> str:
    """A table for people. Cells are capped; the URI (kept whole at both ends) fills a terminal's width."""
    rows = [
        [
            m.model_id,
            m.model_name,
            m.latest_version.version_name if m.latest_version else "-",
            format_time(m.gmt_create_time),
            (m.latest_version.uri if m.latest_version else None) or "-",
        ]
        for m in models
    ]
    widths = []
    for index, (title, cap) in enumerate(_COLUMNS[:-1]):
        widths.append(max([len(title)] + [min(cap, _width(row[index])) for row in rows]))
    if terminal_width:  # a narrow terminal: the name column gives way (down to 10) before the URI (down to 20)
        others = sum(widths) - widths[1] + 2 * len(widths)
        widths[1] = max(10, min(widths[1], terminal_width - others - 20))
    used = sum(widths) + 2 * len(widths)
    uri_cap = max(20, terminal_width - used) if terminal_width else 120
    lines = ["  ".join(_pad(title, w) for (title, _), w in zip(_COLUMNS[:-1], widths, strict=True)) + "  URI"]
    for row in rows:
        cells = [_pad(_cut_end(cell, w), w) for cell, w in zip(row[:-1], widths, strict=True)]
        lines.append("  ".join(cells) + "  " + _cut_middle(row[-1], uri_cap))
    return "\n".join(lines) + "\n"


def render_result(result: GetModelResult) -> str:
    """One chosen model version, a field a line, nothing cut."""
    v = result.model_version
    fields = [
        ("MODEL ID", result.model_id),
        ("NAME", result.model_name),
        ("VERSION", result.version_name),
        ("APPROVAL", v.approval_status or "-"),
        ("CREATED", format_time(v.gmt_create_time)),
        ("FORMAT", " / ".join(x for x in (v.format_type, v.framework_type) if x) or "-"),
        ("URI", result.uri),
    ]
    return "".join(f"{name:<10}{value}\n" for name, value in fields)


def to_json(data: Any) -> str:
    """Indented JSON, non-ASCII kept, a newline at the end."""
    return json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n"




class Progress:
    """A spinner on a terminal's stderr while something slow runs; nothing at all when not a TTY.

    Shown only after `delay` seconds (quick lookups stay silent) and erased when the block ends,
    however it ends. One thread draws; a lock keeps its writes and the final erase apart.
    """

    FRAMES = "|/-\\"

    def __init__(self, message: str, stream: TextIO | None = None, *, delay: float = 0.3, interval: float = 0.1):
        self.message = message
        self.stream = sys.stderr if stream is None else stream
        self.delay = delay
        self.interval = interval
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._drawn = False
        self._thread: threading.Thread | None = None

    @staticmethod
    def wanted(stream: TextIO) -> bool:
        try:
            return bool(stream.isatty()) and os.environ.get("TERM") != "dumb"
        except (AttributeError, ValueError, OSError):
            return False

    def __enter__(self) -> Progress:
        if self.wanted(self.stream):
            self._thread = threading.Thread(target=self._run, name="pai-models-progress", daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        with self._lock:
            if self._drawn:
                self._write("\r\x1b[K")
                self._drawn = False

    def _run(self) -> None:
        started = time.monotonic()
        if self._stop.wait(self.delay):
            return
        frame = 0
        while True:
            with self._lock:
                if self._stop.is_set():
                    return
                elapsed = time.monotonic() - started
                self._write(f"\r\x1b[K{self.FRAMES[frame % len(self.FRAMES)]} {self.message} {elapsed:.0f}s")
                self._drawn = True
            frame += 1
            if self._stop.wait(self.interval):
                return

    def _write(self, text: str) -> None:
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):
            pass
