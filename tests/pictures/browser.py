"""Headless Chromium for the tests of pages, driven by selenium, with the network cut off.

Debian's ``chromium`` and ``chromium-driver`` (``.ci/run`` installs them); without them, or without
selenium, the tests that need a browser are skipped with the reason.  Every session has a fresh
profile, and resolves no name but the loopback: a page that tried to load anything from the network
would fail to.
"""

from __future__ import annotations

import contextlib
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = shutil.which("chromium")
DRIVER = shutil.which("chromedriver")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1400,900",
]
OFFLINE = ["--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1", "--proxy-server=direct://"]

needs_browser = pytest.mark.skipif(
    CHROMIUM is None or DRIVER is None,
    reason="needs Debian's chromium and chromium-driver (apt-get install -y chromium chromium-driver)",
)


@contextlib.contextmanager
def browser() -> Iterator[Any]:
    """A headless Chromium session (selenium's driver), closed after the block."""
    webdriver = pytest.importorskip("selenium.webdriver", reason="needs selenium (the test extra)")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    for flag in [*FLAGS, *OFFLINE]:
        options.add_argument(flag)
    with tempfile.TemporaryDirectory() as profile:
        options.add_argument(f"--user-data-dir={profile}")
        options.binary_location = CHROMIUM
        driver = webdriver.Chrome(options=options, service=Service(DRIVER))
        try:
            yield driver
        finally:
            driver.quit()


def wait_for(driver: Any, script: str, timeout: float = 30.0, args: tuple[Any, ...] = ()) -> Any:
    """The first truthy value of ``script`` (run in the page, given ``args``), polled until ``timeout``."""
    end = time.monotonic() + timeout
    while True:
        value = driver.execute_script(script, *args)
        if value or time.monotonic() > end:
            assert value, f"timed out waiting for: {script}"
            return value
        time.sleep(0.1)


@contextlib.contextmanager
def served(*args: str) -> Iterator[str]:
    """``python -m onnxtext ARGS --no-browser`` running, and the address it printed."""
    process = subprocess.Popen(
        [sys.executable, "-m", "onnxtext", *args, "--no-browser"],
        stdin=subprocess.PIPE,  # `view --editor` runs until its standard input closes
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    try:
        line = process.stdout.readline()  # type: ignore[union-attr]
        assert re.match(r"http://127\.0\.0\.1:\d+/onnxtext/page\?token=\S+$", line), process.stderr.read()  # type: ignore[union-attr]
        yield line.strip()
    finally:
        process.stdin.close()  # type: ignore[union-attr]
        process.terminate()
        process.wait(timeout=10)


def in_frame(driver: Any, index: int, action: Callable[[], Any], *, within: int | None = None) -> Any:
    """``action`` run inside the ``index``-th frame of the page (Model Explorer's app), or of the page's
    ``within``-th frame (onnxtext's page inside an editor's webview)."""
    if within is not None:
        driver.switch_to.frame(driver.find_elements("css selector", "iframe")[within])
    driver.switch_to.frame(driver.find_elements("css selector", "iframe")[index])
    try:
        return action()
    finally:
        driver.switch_to.default_content()


def search_and_select(driver: Any, text: str) -> None:
    """In Model Explorer's frame: search ``text`` and Alt+click the result (locate and select it)."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    wait_for(
        driver, "return [...document.querySelectorAll('input')].some(e => e.placeholder.includes('Search'))"
    )
    box = next(
        e
        for e in driver.find_elements("css selector", "input")
        if "Search" in (e.get_attribute("placeholder") or "")
    )
    # clicked near its left end once that is on top: the app's toolbar slides over the box while the app
    # starts, and in a narrow pane the node's panel covers the box's right half
    width = wait_for(
        driver,
        "const box = arguments[0], r = box.getBoundingClientRect();"
        " return box.offsetParent !== null"
        " && document.elementFromPoint(r.x + 24, r.y + r.height / 2) === box && r.width",
        args=(box,),
    )
    ActionChains(driver).move_to_element_with_offset(box, 24 - width // 2, 0).click().perform()
    box.send_keys(text)
    label = wait_for(
        driver,
        "return [...document.querySelectorAll('.node-label')]"
        f".find(e => e.textContent.trim() === {json.dumps(text)})",
    )
    ActionChains(driver).key_down(Keys.ALT).click(label).key_up(Keys.ALT).perform()
