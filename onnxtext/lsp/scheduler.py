"""When each version of an open document is analysed: debounce, the one worker thread, the collector.

Lint runs on a worker thread a short moment after the last change (typing does not queue a lint per
keystroke), then the diagnostics are published.  That moment is half as long as the document's last
analysis took, and at most :data:`DEBOUNCE`: a lint started for a keystroke that another follows
delays the next one by its own duration at most, which on a small graph is shorter than any wait
worth imposing, while a big graph's second-long analysis is worth not starting for every keystroke.
Once the editor has been quiet for :data:`IDLE` more, what navigation reads (index, positions) and
the value types inferred for hover and inlay hints are computed, and the editor is asked to refresh
its hints.  A change cancels
what is still to come for the version before it.  On a graph of :data:`PREVIEW_NODES` nodes or more,
a version whose tree rules find no error is published twice: their diagnostics first, then with
those of onnx.checker and shape inference.

Every job on the worker runs with the cyclic garbage collector paused through the package's one
policy (:func:`~onnxtext.base.collector.gc_paused`), and an analysis keeps it paused until its
diagnostics are published: a collection would walk every object of a big graph for nothing, and
the one the pause defers comes after the diagnostics are out.  The policy switches the collector
back on whenever no pause is in progress, however jobs, cancellations and the event loop's own
pauses overlap.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import time
from collections.abc import Callable, Coroutine
from typing import TypeVar

from onnxtext.base.collector import gc_paused
from onnxtext.base.diagnostics import Diagnostic
from onnxtext.lsp.shapes import inferred_types
from onnxtext.lsp.snapshot import Snapshot

DEBOUNCE = 0.1  # at most this many seconds of quiet after a change before lint runs
IDLE = 0.3  # seconds of quiet after diagnostics before positions and types are computed
PREVIEW_NODES = 10_000  # a graph this big gets the tree rules' diagnostics first, then all of them

R = TypeVar("R")
Publish = Callable[[str, Snapshot, list[Diagnostic]], None]


def debounce(cost: float | None) -> float:
    """Seconds of quiet to wait for after a change, given what the document's last analysis took
    (None: not analysed yet): half of it, at most :data:`DEBOUNCE` (see the module docstring)."""
    return DEBOUNCE if cost is None else min(DEBOUNCE, cost / 2)


class Scheduler:
    """The open documents' versions and the work on them (see the module docstring).

    ``publish`` sends a version's diagnostics, ``refresh`` asks the editor to ask for inlay hints
    again, ``failed`` reports an analysis that raised.
    """

    def __init__(
        self, publish: Publish, refresh: Callable[[], None], failed: Callable[[str, BaseException], None]
    ) -> None:
        self.current: dict[str, Snapshot] = {}  # uri -> the version the editor has
        self.parsed: dict[str, Snapshot] = {}  # uri -> the last version linted whose text parsed
        self._publish, self._refresh, self._failed = publish, refresh, failed
        self._pending: dict[str, asyncio.Task[None]] = {}
        self._cost: dict[str, float] = {}  # uri -> seconds its last analysis took
        self._worker = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="onnxtext-lint")

    def changed(self, uri: str, snapshot: Snapshot, delay: float | None = None) -> None:
        """``snapshot`` is the version the editor has now: analyse it after ``delay`` seconds (by
        default the debounce, see the module docstring)."""
        if delay is None:
            delay = debounce(self._cost.get(uri))
        self._cancel(uri)
        was_ours = uri in self.current and self.current[uri].ours
        self.current[uri] = snapshot
        if snapshot.ours:
            self._start(uri, self._analyse(uri, snapshot, delay))
        elif was_ours:  # the format key is gone: some other file now
            self.parsed.pop(uri, None)
            self._publish(uri, snapshot, [])

    def closed(self, uri: str) -> None:
        self._cancel(uri)
        self.current.pop(uri, None)
        self.parsed.pop(uri, None)
        self._cost.pop(uri, None)

    async def readable(self, uri: str, quick: bool = False) -> Snapshot | None:
        """The version a request about positions answers from: the text the editor has (its index and
        positions computed on the worker first when they were not yet), or while that text does not
        parse, the last version that did.  None for a document that is not open or not ours.

        ``quick``: a request that reads only the elements it names (hover, definition) does not wait
        for the positions of a text just opened: it answers from their sketch
        (:meth:`~onnxtext.core.document.Document.ready_source_map`), made on the worker before lint.
        """
        snapshot = self.current.get(uri)
        if snapshot is None or not snapshot.ours:
            return None

        def at_hand(version: Snapshot) -> bool:
            return version.prepared or (quick and version.document.ready_source_map() is not None)

        if not at_hand(snapshot):
            if quick:
                await self._run(snapshot.ready_for_requests)
            if not at_hand(snapshot):
                await self._run(snapshot.prepare)
        found = snapshot if snapshot.parsed else self.parsed.get(uri)
        if found is not None and not at_hand(found):
            await self._run(found.prepare)
        return found

    async def idle(self) -> None:
        """Wait until every change is analysed and nothing is left to do."""
        while self._pending:
            await asyncio.wait(list(self._pending.values()))

    def _cancel(self, uri: str) -> None:
        task = self._pending.pop(uri, None)
        if task is not None:
            task.cancel()

    def _start(self, uri: str, work: Coroutine[object, object, None]) -> None:
        task = asyncio.ensure_future(work)
        self._pending[uri] = task
        task.add_done_callback(functools.partial(self._done, uri))

    def _done(self, uri: str, task: asyncio.Task[None]) -> None:
        if self._pending.get(uri) is task:
            del self._pending[uri]

    async def _run(self, job: Callable[..., R], *args: object) -> R:
        """``job(*args)`` on the worker thread, with the collector paused."""
        return await asyncio.get_running_loop().run_in_executor(self._worker, _paused, job, *args)

    async def _analyse(self, uri: str, snapshot: Snapshot, delay: float) -> None:
        try:
            await asyncio.sleep(delay)
            loop = asyncio.get_running_loop()

            def preview(found: list[Diagnostic]) -> None:  # on the worker: publish from the loop
                loop.call_soon_threadsafe(self._publish_current, uri, snapshot, found)

            # Paused until the diagnostics are out, not only while the worker lints: the collection
            # the pause defers walks what lint made, and comes after them.
            with gc_paused():
                started = time.perf_counter()
                # What the next change is derived from and a hover is answered from, a sketch of the
                # positions when they are not known: its own job, so that a request sent meanwhile
                # is answered before lint, and a change sent on seeing the diagnostics finds it ready.
                await self._run(snapshot.document.ready_for_edits)
                found = await self._run(_lint, snapshot, preview)
                self._cost[uri] = time.perf_counter() - started
                if self.current.get(uri) is not snapshot:
                    return
                if snapshot.parsed:
                    self.parsed[uri] = snapshot
                self._publish_current(uri, snapshot, found)
            if not snapshot.parsed:
                return
            # Then what navigation, hover and inlay hints read, once the editor is idle: a change
            # coming meanwhile cancels this task, so its lint does not queue behind work for a
            # version that is already gone.
            await asyncio.sleep(IDLE)
            await self._run(snapshot.warm)
            snapshot.inferred = await self._run(inferred_types, snapshot.document)
            self._refresh()
        except asyncio.CancelledError:
            raise
        except Exception as error:
            self._failed("lint", error)

    def _publish_current(self, uri: str, snapshot: Snapshot, found: list[Diagnostic]) -> None:
        if self.current.get(uri) is snapshot:
            self._publish(uri, snapshot, found)


def _paused(job: Callable[..., R], *args: object) -> R:
    with gc_paused():
        return job(*args)


def _lint(snapshot: Snapshot, preview: Callable[[list[Diagnostic]], None]) -> list[Diagnostic]:
    big = snapshot.parsed and len(snapshot.index.nodes) >= PREVIEW_NODES
    return snapshot.lint(preview if big else None)
