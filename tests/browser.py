"""Headless Chromium for tests: the rendered DOM of a page and a screenshot of it.

Debian's ``chromium`` (installed by ``.ci/deps-chromium.sh``, which ``make test`` runs). The
page is given a virtual-time budget so that a React app has fetched its data and rendered
before the DOM is dumped or the picture taken.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import struct
import subprocess
import tempfile
from pathlib import Path

import pytest

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars", "--mute-audio")


def chromium() -> str:
    """The chromium executable, or skip the test saying how to get it."""
    found = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which(
        "chromium-browser")
    if not found:
        pytest.skip("chromium is not installed and could not be: run `bash "
                    ".ci/deps-chromium.sh` as root (make test does), or set $CHROMIUM")
    return found


def _run(url: str, extra: list[str], budget_ms: int, timeout_s: float) -> str:
    with tempfile.TemporaryDirectory(prefix="hpsearch-chromium-") as profile:
        done = subprocess.run(
            [chromium(), *FLAGS, f"--user-data-dir={profile}",
             f"--virtual-time-budget={budget_ms}", *extra, url],
            capture_output=True, text=True, timeout=timeout_s, check=False)
    if done.returncode != 0:
        raise AssertionError(f"chromium exited {done.returncode} on {url}:\n"
                             f"{done.stderr[-2000:]}")
    return done.stdout


def dump_dom(url: str, screenshot: Path | None = None, width: int = 1400, height: int = 1000,
             budget_ms: int = 8000, timeout_s: float = 60) -> str:
    """The DOM after scripts ran, as HTML; with ``screenshot``, also a PNG of the page at
    ``width`` x ``height`` (one browser start for both)."""
    extra = ["--dump-dom"]
    if screenshot is not None:
        screenshot.parent.mkdir(parents=True, exist_ok=True)
        screenshot.unlink(missing_ok=True)
        extra += [f"--screenshot={screenshot}", f"--window-size={width},{height}"]
    dom = _run(url, extra, budget_ms, timeout_s)
    if screenshot is not None and (not screenshot.is_file() or screenshot.stat().st_size == 0):
        raise AssertionError(f"chromium wrote no screenshot at {screenshot}")
    return dom


def visible_text(dom: str) -> str:
    """The text a reader sees: no styles, scripts or tags, whitespace collapsed."""
    dom = re.sub(r"(?is)<(head|style|script|svg)\b.*?</\1>", " ", dom)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", dom))).strip()


def png_size(path: Path) -> tuple[int, int]:
    """The width and height a PNG file declares (its IHDR chunk)."""
    data = path.read_bytes()[:24]
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        raise AssertionError(f"{path} is not a PNG")
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)
