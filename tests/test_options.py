"""The option groups: each option defined once, the CLI built from them, the Python API taking
the same names and defaults, values checked the same way everywhere."""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.core import TyperGroup, TyperOption
from typer.testing import CliRunner

from search import OptionError, create_study
from search.cli import app
from search.metrics import Metric
from search.options import (
    BudgetOptions,
    DataOptions,
    OptionGroup,
    PrunerName,
    SearchOptions,
    WorkerOptions,
)
from search.study import StudyConfig
from search.worker import run_search, run_worker
from spaces import Task

# What each command takes besides its option groups.
OWN = {"create": {"study", "data", "storage_url"}, "run": {"study", "data", "storage_url"},
       "worker": {"study", "storage_url"},
       "launch": {"study", "storage_url", "gpus", "per_gpu", "cpus", "gpu_memory"}}
API: dict[str, Callable[..., Any]] = {"create": create_study, "run": run_search,
                                      "worker": run_worker, "launch": run_worker}


def python_defaults(function: Callable[..., Any]) -> dict[str, tuple[OptionGroup, str]]:
    """Option name -> (the group instance ``function`` uses when not given one, its flag); the
    first group of the signature wins a name, as ``function``'s keywords do."""
    hints = typing.get_type_hints(function)
    found: dict[str, tuple[OptionGroup, str]] = {}
    for name, parameter in inspect.signature(function).parameters.items():
        kinds = [k for k in typing.get_args(hints[name]) or (hints[name],)
                 if isinstance(k, type) and issubclass(k, OptionGroup)]
        if not kinds:
            continue
        group = parameter.default if isinstance(parameter.default, OptionGroup) else kinds[0]()
        for spec in group.specs():
            found.setdefault(spec.name, (group, spec.flag))
    return found


@pytest.mark.parametrize("command", sorted(OWN))
def test_every_option_comes_from_a_group_with_the_python_default(command: str) -> None:
    cli = typer.main.get_command(app)
    assert isinstance(cli, TyperGroup)
    options = [p for p in cli.commands[command].params
               if p.name not in OWN[command] and p.name != "help"]
    defaults = python_defaults(API[command])
    assert options
    for option in options:
        assert option.name in defaults, f"{command} --{option.name} belongs to no group"
        group, flag = defaults[option.name]
        assert option.opts == [flag]
        assert option.default == getattr(group, option.name), (command, option.name)


def test_every_group_option_is_offered_with_its_help() -> None:
    cli = typer.main.get_command(app)
    assert isinstance(cli, TyperGroup)
    offered = {p.opts[0]: p for name in OWN for p in cli.commands[name].params}
    for group in (DataOptions, SearchOptions, BudgetOptions, WorkerOptions):
        for spec in group.specs():
            if not spec.root:
                assert isinstance(offered[spec.flag], TyperOption)
    help_of = {p.opts[0]: p.help for p in cli.commands["create"].params
               if isinstance(p, TyperOption)}
    for spec in SearchOptions.specs():
        assert help_of[spec.flag] == spec.help


def test_values_are_coerced_and_checked_the_same_way_in_python_and_the_cli(
        tmp_path: Path) -> None:
    options = SearchOptions(metric="macro_f1", pruner="none", space=str(tmp_path))
    assert options.metric is Metric.MACRO_F1 and options.pruner is PrunerName.NONE
    assert options.space == tmp_path
    assert DataOptions(task="binary").task is Task.BINARY
    assert WorkerOptions(timeout=5).timeout == 5.0
    with pytest.raises(OptionError, match=r"^--max-epochs must be at least 1, but got 0\.$"):
        SearchOptions(max_epochs=0)
    with pytest.raises(OptionError, match=r"--metric 'f2' is not allowed\. Choose one of: "
                                          r"val_loss, accuracy"):
        SearchOptions(metric="f2")
    with pytest.raises(OptionError, match=r"--val-frac must be between 0 and 1, but got 1\.5"):
        DataOptions(val_frac=1.5)
    result = CliRunner().invoke(app, ["create", "--study", "s", "--data", "x.csv",
                                      "--val-frac", "0"])
    assert result.exit_code == 2
    assert "--val-frac must be between 0 and 1, but got 0.0." in result.output


def test_keywords_go_to_their_group_and_unknown_ones_are_refused(sqlite_url: str) -> None:
    keywords: dict[str, Any] = {"max_epochs": 3, "n_trials": 4, "seed": 7}
    assert SearchOptions().take(keywords).max_epochs == 3
    assert DataOptions().take(keywords).seed == 7
    assert BudgetOptions().take(keywords).n_trials == 4
    assert keywords == {}
    with pytest.raises(TypeError, match=r"Unknown option\(s\) \['epochs'\]; the options here "
                                        r"are: .*max_epochs"):
        create_study("s", "x.csv", storage_url=sqlite_url, epochs=3)


def test_the_config_stores_the_groups_and_reads_them_back() -> None:
    config = StudyConfig(task=Task.BINARY, classes=["no", "yes"], data_path="d.csv",
                         data_fingerprint="f", cache_sha256="c", space={}, max_len=12,
                         vocab_size=50, data=DataOptions(val_data=Path("v.csv"), seed=3),
                         search=SearchOptions(metric=Metric.PR_AUC, max_epochs=5),
                         budget=BudgetOptions(timeout=60))
    stored = config.to_dict()
    assert stored["data"]["val_data"] == "v.csv" and stored["search"]["metric"] == "pr_auc"
    again = StudyConfig.from_dict(stored)
    assert again == config and again.direction == "maximize"
    from search import StudyError

    with pytest.raises(StudyError, match="config version 1; this one reads version 3"):
        StudyConfig.from_dict({**stored, "version": 1})
