"""Progress of long dumps and builds: the library reports, the terminal draws.

The library calls :meth:`Progress.stage` when a phase starts (with the number of items when it
knows it) and :meth:`Progress.advance` per item (a node or a tensor).  :class:`TerminalBar` draws
one line on stderr, only once the operation has run longer than ``delay`` seconds, so quick runs
print nothing and pipes stay clean.
"""

from __future__ import annotations

import sys
import threading
import time
from typing import Protocol, TextIO


class Progress(Protocol):
    def stage(self, name: str, total: int = 0) -> None: ...

    def advance(self, count: int = 1) -> None: ...


class Silent:
    """Reports nothing (the default)."""

    def stage(self, name: str, total: int = 0) -> None:
        pass

    def advance(self, count: int = 1) -> None:
        pass


class TerminalBar:
    """``onnxtext build: decoding [#########.........] 48% 24,000/50,000 3.1s`` on one line of ``stream``.

    Drawn by a background thread every ``interval`` seconds; the counters are plain ints written by
    one thread and read by the other, so no lock is needed for a display.
    """

    WIDTH = 24

    def __init__(
        self, label: str, stream: TextIO = sys.stderr, delay: float = 2.0, interval: float = 0.2
    ) -> None:
        self.label = label
        self.stream = stream
        self.delay = delay
        self.interval = interval
        self.name = "starting"
        self.total = 0
        self.done = 0
        self.drawn = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._start = time.monotonic()

    def stage(self, name: str, total: int = 0) -> None:
        self.name, self.total, self.done = name, total, 0

    def advance(self, count: int = 1) -> None:
        self.done += count

    def __enter__(self) -> TerminalBar:
        self._start = time.monotonic()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        if self.drawn:
            self.stream.write("\r\033[K")
            self.stream.flush()

    def line(self) -> str:
        """The current line (without the carriage return)."""
        elapsed = time.monotonic() - self._start
        if not self.total:
            return f"{self.label}: {self.name}... {elapsed:.1f}s"
        share = min(self.done / self.total, 1.0)
        filled = int(share * self.WIDTH)
        bar = "#" * filled + "." * (self.WIDTH - filled)
        count = f"{min(self.done, self.total):,}/{self.total:,}"
        return f"{self.label}: {self.name} [{bar}] {share:4.0%} {count} {elapsed:.1f}s"

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            if time.monotonic() - self._start >= self.delay:
                self.stream.write("\r\033[K" + self.line())
                self.stream.flush()
                self.drawn = True
