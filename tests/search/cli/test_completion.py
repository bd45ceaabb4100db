"""Shell completion: offered in ``--help``, its script printed for a shell, and a completion
request answered from the command names without loading the heavy libraries."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from search.cli import app
from tests.worker_procs import REPO

# Answers one completion request as the installed script would, then says which heavy
# libraries that loaded (on stderr, apart from the answer).
COMPLETE = """\
import sys
from search.cli import app
try:
    app(prog_name="hpsearch")
finally:
    heavy = ("tensorflow", "keras", "pandas", "optuna", "sqlalchemy", "sklearn")
    print(sorted(m for m in heavy if m in sys.modules), file=sys.stderr)
"""


def test_help_offers_completion() -> None:
    result = CliRunner().invoke(app, ["--help"], prog_name="hpsearch")
    assert result.exit_code == 0, result.output
    assert "--install-completion" in result.output
    assert "--show-completion" in result.output


def test_the_completion_script_for_bash_names_the_command(monkeypatch: pytest.MonkeyPatch) -> None:
    # The shell named, not the one detected: pytest may run under no shell at all.
    monkeypatch.setenv("_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION", "1")
    result = CliRunner().invoke(app, ["--show-completion", "bash"], prog_name="hpsearch")
    assert result.exit_code == 0, result.output
    assert "_HPSEARCH_COMPLETE=complete_bash" in result.output
    assert result.output.rstrip().endswith(
        "complete -o default -F _hpsearch_completion hpsearch")


def test_a_completion_request_lists_commands_and_loads_nothing_heavy() -> None:
    env = {**os.environ, "_HPSEARCH_COMPLETE": "complete_bash",
           "COMP_WORDS": "hpsearch stu", "COMP_CWORD": "1"}
    done = subprocess.run([sys.executable, "-c", COMPLETE], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["studies"]
    assert done.stderr.strip().splitlines()[-1] == "[]"
