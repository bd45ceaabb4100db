"""The CLI in-process: exact error texts, exit codes, and help on every command."""

import json
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import typer
from typer.core import TyperCommand, TyperGroup
from typer.testing import CliRunner

from search.cli import app
from tests.worker_procs import REPO

runner = CliRunner()


def commands() -> dict[str, TyperCommand]:
    cli = typer.main.get_command(app)
    assert isinstance(cli, TyperGroup)
    found = {name: command for name, command in cli.commands.items()
             if isinstance(command, TyperCommand)}
    assert found.keys() == cli.commands.keys()
    return found


def shown_help(args: list[str]) -> str:
    """The help ``args`` print, as one line of words (rich wraps it in boxes)."""
    result = runner.invoke(app, [*args, "--help"])
    assert result.exit_code == 0, result.output
    return " ".join(result.output.replace("│", " ").split())


def test_every_command_and_every_option_has_help() -> None:
    found = commands()
    assert {"create", "run", "worker", "launch", "status", "sample-data", "dashboard"} <= set(
        found)
    listed = shown_help([])
    for name, command in found.items():
        assert command.help and command.help.strip(), name
        assert f" {name} " in listed
        for param in command.params:
            assert param.help and param.help.strip(), f"{name} {param.opts[0]} has no help"
        first = " ".join(command.help.split("\n\n")[0].split())
        assert first in shown_help([name]), name


@pytest.mark.parametrize(("command", "whose"), [
    ("create", "Study-wide budget: "), ("update", "Study-wide budget: "),
    ("worker", "This worker's own budget: "), ("launch", "Each worker's own budget: "),
    ("run", "This run's own budget: "),
])
def test_each_budget_option_says_whose_budget_it_is(command: str, whose: str) -> None:
    helps = {p.opts[0]: p.help or "" for p in commands()[command].params}
    for flag in ("--n-trials", "--timeout"):
        assert helps[flag].startswith(whose), (command, flag, helps[flag])
        if whose != "Study-wide budget: ":
            assert "study" in helps[flag] and "still holds" in helps[flag]
    if command == "run":
        assert "from the moment the command starts, create included; it ends about then " \
               "with the best model so far" in helps["--timeout"]
    shown = shown_help([command])
    for flag in ("--n-trials", "--timeout"):
        assert f"{flag} " in shown and helps[flag] in shown


def test_every_commands_help_loads_nothing_heavy() -> None:
    """`hpsearch CMD --help` starts at once: no TensorFlow, pandas, Optuna or SQLAlchemy
    (the root's logging set-up, which loads Optuna, waits for a command that runs)."""
    code = ("import sys\n"
            "from typer.testing import CliRunner\n"
            "from search.cli import app\n"
            f"for name in {sorted(commands())!r}:\n"
            "    assert CliRunner().invoke(app, ['-v', name, '--help']).exit_code == 0, name\n"
            "heavy = ('tensorflow', 'keras', 'pandas', 'optuna', 'sqlalchemy', 'sklearn')\n"
            "print(sorted(m for m in heavy if m in sys.modules))\n")
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True,
                            text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["[]"]


def test_missing_column_exits_2_and_lists_columns(tmp_path: Path, sqlite_url: str) -> None:
    data = tmp_path / "d.csv"
    pd.DataFrame({"body": ["a", "b"], "label": ["x", "y"]}).to_csv(data, index=False)
    result = runner.invoke(app, ["create", "--study", "s", "--data", str(data),
                                 "--storage", sqlite_url])
    assert result.exit_code == 2
    assert "has no text column 'text'. Columns: body, label. Use --text-col" in result.output


def test_study_with_other_data_is_refused(tmp_path: Path, sqlite_url: str,
                                          multiclass_csv: Path) -> None:
    args = ["create", "--study", "s", "--storage", sqlite_url]
    assert runner.invoke(app, [*args, "--data", str(multiclass_csv)]).exit_code == 0
    again = runner.invoke(app, [*args, "--data", str(multiclass_csv)])
    assert again.exit_code == 0  # same data: resumed
    other = tmp_path / "other.csv"
    frame = pd.read_csv(multiclass_csv)
    frame.iloc[:-1].to_csv(other, index=False)
    result = runner.invoke(app, [*args, "--data", str(other)])
    assert result.exit_code == 2
    assert "already exists" in result.output and "with different data" in result.output


def test_seed_000_space_is_refused_before_any_trial(tmp_path: Path, sqlite_url: str,
                                                    multiclass_csv: Path) -> None:
    space = tmp_path / "seed000.yaml"
    space.write_text("params:\n  output_activation: sigmoid\n"
                     "  loss: sparse_categorical_crossentropy\n")
    result = runner.invoke(app, ["create", "--study", "s", "--data", str(multiclass_csv),
                                 "--storage", sqlite_url, "--space", str(space)])
    assert result.exit_code == 2
    assert "output_activation='sigmoid' does not fit a multiclass task" in result.output


def test_unknown_study_names_the_ones_there(sqlite_url: str, multiclass_csv: Path) -> None:
    runner.invoke(app, ["create", "--study", "mine", "--data", str(multiclass_csv),
                        "--storage", sqlite_url])
    result = runner.invoke(app, ["status", "--study", "typo", "--storage", sqlite_url])
    assert result.exit_code == 2
    assert "No study named 'typo'" in result.output and "Studies there: mine." in result.output


@pytest.mark.parametrize("command", [["best"], ["export", "--out", "x.py"]])
def test_no_finished_trial_yet(command: list[str], sqlite_url: str,
                               multiclass_csv: Path) -> None:
    runner.invoke(app, ["create", "--study", "s", "--data", str(multiclass_csv),
                        "--storage", sqlite_url])
    result = runner.invoke(app, [*command, "--study", "s", "--storage", sqlite_url])
    assert result.exit_code == 2
    assert "has no finished trial yet" in result.output


def test_enqueue_checks_params_against_the_space(tmp_path: Path, sqlite_url: str,
                                                 multiclass_csv: Path) -> None:
    runner.invoke(app, ["create", "--study", "s", "--data", str(multiclass_csv),
                        "--storage", sqlite_url])
    good = {"family": "sequence", "rnn_layers": 1, "cell": "lstm", "rnn_units": 100,
            "bidirectional": False, "embedding_dim": 80, "embedding_dropout": 0.2,
            "dropout": 0.2, "conv": False,
            "pooling": "last", "dense_layers": 0, "learning_rate": 0.001, "batch_size": 128,
            "class_weight": "none", "loss": "crossentropy"}
    path = tmp_path / "p.yaml"
    import yaml

    path.write_text(yaml.safe_dump({**good, "rnn_units": 4096}))
    result = runner.invoke(app, ["enqueue", "--study", "s", "--params", str(path),
                                 "--storage", sqlite_url])
    assert result.exit_code == 2
    assert "rnn_units=4096 lies outside the study's space" in result.output
    path.write_text(yaml.safe_dump(good))
    result = runner.invoke(app, ["enqueue", "--study", "s", "--params", str(path),
                                 "--storage", sqlite_url])
    assert result.exit_code == 0, result.output
    # 1e-3 as a person writes it (YAML 1.2), which PyYAML alone reads as the text '1e-3'
    path.write_text("".join(f"{k}: {str(v).lower()}\n" for k, v in good.items()
                            if k != "learning_rate") + "learning_rate: 1e-3\n")
    result = runner.invoke(app, ["enqueue", "--study", "s", "--params", str(path),
                                 "--storage", sqlite_url])
    assert result.exit_code == 0, result.output
    import optuna

    queued = optuna.load_study(study_name="s", storage=sqlite_url).get_trials(
        states=(optuna.trial.TrialState.WAITING,))
    assert queued[-1].system_attrs["fixed_params"]["learning_rate"] == 0.001


def test_run_prints_leaderboard_with_baselines(monkeypatch: pytest.MonkeyPatch,
                                               sqlite_url: str, multiclass_csv: Path) -> None:
    monkeypatch.setenv("HPSEARCH_TRAINER", "tests.scripted_trainer:ScriptedTrainer")
    result = runner.invoke(app, ["run", "--data", str(multiclass_csv), "--study", "r",
                                 "--storage", sqlite_url, "--n-trials", "5", "--max-epochs", "3",
                                 "--pruner", "none"])
    assert result.exit_code == 0, result.output
    assert "Leaderboard of r" in result.output
    assert "majority" in result.output and "tfidf_logreg" in result.output
    # Five finished: complete, or a point of the expert's grid its neighbours' scores skipped.
    found = re.search(r"complete (\d+)(?:, pruned (\d+))?", result.output)
    assert found and int(found[1]) + int(found[2] or 0) == 5, result.output
    again = runner.invoke(app, ["worker", "--study", "r", "--storage", sqlite_url,
                                "--n-trials", "3"])
    assert again.exit_code == 0, again.output
    assert "worker done: 3 trial(s)" in again.output
    status = runner.invoke(app, ["status", "--study", "r", "--storage", sqlite_url, "--json"])
    # 8 starting points were queued; the 8 trials took them (the grid may skip some), and
    # a walk along C from the best of them may have queued more.
    counts = json.loads(status.output)["counts"]
    assert set(counts) <= {"COMPLETE", "PRUNED", "WAITING"}, counts
    assert counts.get("COMPLETE", 0) + counts.get("PRUNED", 0) == 8, counts
