"""TensorFlow's C++ log lines kept off the user's terminal (``-v`` lets them through).

TensorFlow's native code writes them to file descriptor 2 before any Python logging is set up,
and ``TF_CPP_MIN_LOG_LEVEL`` no longer silences them all, so the descriptor itself is filtered.
"""

from __future__ import annotations

import os
import re
import sys
import threading

# absl/glog-style lines: "I0000 00:00:1795977947.494131    7010 port.cc:153] ..." (I, W, E;
# F, a fatal error, always passes), and the few lines TensorFlow prints around them.
_NATIVE = re.compile(
    rb"^([IWE]\d{4} \d\d:\d\d:\d+\.\d+\s+\d+ [\w.\-/]+:\d+\]"
    rb"|WARNING: All log messages before absl::InitializeLog\(\) is called"
    rb"|To enable the following instructions: .* rebuild TensorFlow)")


def is_native_noise(line: bytes) -> bool:
    return bool(_NATIVE.match(line))


def filter_native_stderr() -> None:  # pragma: no cover - exercised through a subprocess
    """Route file descriptor 2 through a filter that drops TensorFlow's C++ log lines.

    Python's own ``sys.stderr`` keeps writing to the terminal directly (so it is still a tty);
    only what native code writes to descriptor 2 passes the filter. Child processes inherit
    the filtered descriptor."""
    terminal = os.dup(2)
    read_end, write_end = os.pipe()
    os.dup2(write_end, 2)
    os.close(write_end)
    sys.stderr.flush()
    sys.stderr = os.fdopen(os.dup(terminal), "w", buffering=1, encoding=sys.stderr.encoding,
                           errors=sys.stderr.errors)

    def relay() -> None:
        with os.fdopen(read_end, "rb", buffering=0) as pipe:
            for line in iter(pipe.readline, b""):
                if not is_native_noise(line):
                    os.write(terminal, line)

    threading.Thread(target=relay, name="native-stderr", daemon=True).start()
