"""A user's terminal shows hpsearch's lines, not TensorFlow's C++ start-up noise."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from search.cli._native_log import is_native_noise
from search.data import write_sample
from spaces import Task

NATIVE = re.compile(r"^[IWE]\d{4} \d\d:\d\d:\d+\.\d+\s+\d+ \S+:\d+\]|absl::InitializeLog", re.M)


def test_the_filter_knows_tensorflows_lines_and_nothing_else() -> None:
    assert is_native_noise(b"I0000 00:00:1795977947.494131    7010 port.cc:153] oneDNN custom\n")
    assert is_native_noise(b"E0000 00:00:1795980068.956903    1630 cuda_platform.cc:52] failed\n")
    assert is_native_noise(b"WARNING: All log messages before absl::InitializeLog() is called\n")
    assert not is_native_noise(b"F0000 00:00:1.0  7 x.cc:1] fatal: keep me\n")
    assert not is_native_noise(b"hpsearch: trial 0 complete value 0.6\n")
    assert not is_native_noise(b"Traceback (most recent call last):\n")


@pytest.mark.slow
def test_run_prints_no_tensorflow_log_lines_unless_verbose(tmp_path: Path) -> None:
    data = write_sample(tmp_path / "data.csv", task=Task.MULTICLASS, rows=120, classes=2)
    command = [sys.executable, "-m", "search", "run", "--data", str(data), "--study", "q",
               "--storage", f"sqlite:///{tmp_path / 'q.db'}", "--n-trials", "1",
               "--max-epochs", "1"]
    quiet = subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert quiet.returncode == 0, quiet.stderr[-2000:]
    assert "trial 0 complete" in quiet.stderr and "Leaderboard of q" in quiet.stdout
    assert not NATIVE.search(quiet.stdout + quiet.stderr), quiet.stderr[-2000:]
    loud = subprocess.run([*command[:3], "-v", *command[3:], "--study", "q2"],
                          capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert loud.returncode == 0, loud.stderr[-2000:]
    assert NATIVE.search(loud.stderr), "with -v, TensorFlow's own lines come through"
