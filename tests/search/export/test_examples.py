"""docs/examples/ is what `hpsearch export --out` writes now (`python -m tests.examples` makes
it): a change to the template, or to a function the scripts print, that is not written to the
examples fails here, with the first line that differs."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

from tests.examples import EXAMPLES, FOLDER, documents, recorded_facts

pytestmark = pytest.mark.slow


def test_the_examples_are_what_export_writes_now(tmp_path: Path) -> None:
    files, _ = documents(tmp_path, recorded_facts())
    assert sorted(files) == sorted([*(f"{e.name}.md" for e in EXAMPLES), "README.md"])
    assert sorted(p.name for p in FOLDER.iterdir()) == sorted([*files, "trials.json"])
    for name, text in files.items():
        kept = (FOLDER / name).read_text(encoding="utf-8")
        diff = list(difflib.unified_diff(kept.splitlines(), text.splitlines(), "kept", "now",
                                         lineterm="", n=1))
        assert not diff, (f"docs/examples/{name} differs from what export writes now; run "
                          "`python -m tests.examples`:\n" + "\n".join(diff[:12]))
