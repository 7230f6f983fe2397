"""The debounce follows what analysing the document costs: short on a small graph, capped on a big one."""

from __future__ import annotations

import asyncio
import itertools

import onnx
import pytest

import onnxtext
from onnxtext.core.document import Document
from onnxtext.lsp import scheduler as scheduling
from onnxtext.lsp.scheduler import DEBOUNCE, Scheduler, debounce
from onnxtext.lsp.snapshot import Snapshot
from tests.models import SAMPLES


def test_debounce_is_half_the_last_analysis_at_most_the_cap() -> None:
    assert debounce(None) == DEBOUNCE  # nothing known yet
    assert debounce(0.04) == pytest.approx(0.02)
    assert debounce(1.5) == DEBOUNCE


@pytest.mark.asyncio
async def test_a_change_waits_half_as_long_as_the_last_analysis(monkeypatch: pytest.MonkeyPatch) -> None:
    """squeezenet's dump, opened then changed: the change's lint starts after half the open's lint
    (the clock is the test's: every reading 0.06 s after the one before)."""
    ticks = itertools.count(0.0, 0.06)
    monkeypatch.setattr(scheduling.time, "perf_counter", lambda: next(ticks))
    waits: list[float] = []
    sleep = asyncio.sleep

    async def recording(delay: float) -> None:
        waits.append(delay)
        await sleep(0)

    monkeypatch.setattr(scheduling.asyncio, "sleep", recording)
    published: list[int] = []
    failures: list[BaseException] = []
    work = Scheduler(
        lambda _, snap, __: published.append(snap.version), lambda: None, lambda _, e: failures.append(e)
    )
    text = onnxtext.dumps(onnx.load(SAMPLES / "squeezenet.onnx"), "yaml")
    uri = (SAMPLES / "squeezenet.yaml").as_uri()
    opened = Snapshot(Document(text, "yaml", "squeezenet.yaml", SAMPLES), 1)
    work.changed(uri, opened, delay=0)
    await work.idle()
    changed = text.replace("name: squeezenet", "name: squeezenet1", 1)
    work.changed(uri, opened.following(Document(changed, "yaml", "squeezenet.yaml", SAMPLES), 2))
    await work.idle()
    assert not failures and published == [1, 2]
    assert waits[0] == 0 and waits[2] == pytest.approx(0.03)  # open, idle wait, then the change's debounce
