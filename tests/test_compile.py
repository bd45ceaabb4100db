"""``.ci/compile.py``, which compiles the venv at install: packages' own test suites are
skipped, every other module is compiled, and one that does not compile is left as it is."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

REPO = Path(__file__).resolve().parent.parent


def compile_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("compile_venv", REPO / ".ci" / "compile.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_test_suites_in_site_packages_are_skipped_and_the_rest_compiled(tmp_path: Path) -> None:
    script = compile_script()
    for name, text in [("pkg/__init__.py", "x = 1\n"), ("pkg/tests/test_a.py", "y = 2\n"),
                       ("pkg/sub/test/b.py", "z = 3\n"), ("pkg/broken.py", "def (:\n"),
                       ("pkg/notes.txt", "not python\n")]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    found = sorted(Path(p).relative_to(tmp_path).as_posix()
                   for p in script.sources(str(tmp_path), script.SKIPPED_IN_SITE_PACKAGES))
    assert found == ["pkg/__init__.py", "pkg/broken.py"]
    named = sorted(Path(p).relative_to(tmp_path).as_posix()
                   for p in script.sources(str(tmp_path), {"__pycache__"}))
    assert named == ["pkg/__init__.py", "pkg/broken.py", "pkg/sub/test/b.py",
                     "pkg/tests/test_a.py"]  # a folder named on the command line: all of it
    good, broken = tmp_path / "pkg" / "__init__.py", tmp_path / "pkg" / "broken.py"
    assert script.compile_source(str(good)) is True
    assert Path(importlib.util.cache_from_source(str(good))).is_file()
    assert script.compile_source(str(broken)) is False
    assert not Path(importlib.util.cache_from_source(str(broken))).exists()
