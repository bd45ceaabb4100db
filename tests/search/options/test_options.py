"""The option groups: each option defined once, the CLI built from them, the Python API taking
the same names and defaults, values checked the same way everywhere."""

from __future__ import annotations

import dataclasses
import inspect
import typing
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.core import TyperGroup, TyperOption
from typer.testing import CliRunner

import search.options as options_package
from search import OptionError, create_study
from search.cli import app
from search.cli._options import grouped_options
from search.metrics import Metric
from search.options import (
    RUN_WORKER_DEFAULTS,
    BudgetOptions,
    DashboardOptions,
    DataOptions,
    DeleteOptions,
    ExportOptions,
    LaunchOptions,
    OptionGroup,
    OptionSpec,
    PrunerName,
    SampleOptions,
    SearchOptions,
    StudyAddress,
    ViewOptions,
    WorkerOptions,
    option,
    required,
)
from search.study import StudyConfig
from search.worker import run_search, run_worker
from spaces import BUILT_IN, Task

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
    for param in options:
        assert param.name in defaults, f"{command} --{param.name} belongs to no group"
        group, flag = defaults[param.name]
        assert param.opts == [flag]
        assert param.default == getattr(group, param.name), (command, param.name)


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
    assert f"the built-in space, {BUILT_IN!r}" in help_of["--space"]  # named for what it holds


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

    with pytest.raises(StudyError, match="config version 1; this one reads version 4"):
        StudyConfig.from_dict({**stored, "version": 1})


GROUPS: list[type[OptionGroup]] = [
    group for group in (getattr(options_package, name) for name in options_package.__all__)
    if isinstance(group, type) and issubclass(group, OptionGroup) and group is not OptionGroup]


def command_defaults(command: str, group: type[OptionGroup], spec: OptionSpec) -> Any:
    """The default a command gives an option: the field's, but for the two that `run`
    words its own way (the study is named after the data; 20 trials)."""
    if command == "run" and group is WorkerOptions:
        return getattr(RUN_WORKER_DEFAULTS, spec.name)
    if command == "run" and spec == StudyAddress.spec("study"):
        return None
    return spec.default


def test_every_option_of_every_command_is_a_field_of_a_group() -> None:
    """No flag is written inline: each option of each command is a group's field with its
    flags, help (as that command words it), bounds and default."""
    cli = typer.main.get_command(app)
    assert isinstance(cli, TyperGroup)
    assert {"StudyAddress", "LaunchOptions", "SampleOptions", "ViewOptions"} <= {
        g.__name__ for g in GROUPS}
    for command, click_command in cli.commands.items():
        for param in click_command.params:
            if param.name == "help":
                continue
            assert isinstance(param, TyperOption)
            found = [(group, spec) for group in GROUPS for spec in group.specs()
                     if spec.flag == param.opts[0] and spec.help_for(command) == param.help]
            assert len(found) == 1, f"{command} {param.opts[0]} is no field of a group: {found}"
            [(group, spec)] = found
            assert param.opts == [spec.flag, *([spec.short] if spec.short else [])]
            assert param.secondary_opts == ([spec.off_flag] if spec.off_flag else [])
            assert (param.min, param.max) == (spec.min, spec.max), (command, spec.flag)
            assert param.envvar == spec.envvar
            default = command_defaults(command, group, spec)
            if default is dataclasses.MISSING:
                assert param.required, (command, spec.flag)
            else:
                assert not param.required and param.default == default, (command, spec.flag)


def test_every_worded_help_belongs_to_a_command_that_offers_the_option() -> None:
    cli = typer.main.get_command(app)
    assert isinstance(cli, TyperGroup)
    worded = [(group, spec, command) for group in GROUPS for spec in group.specs()
              for command, _ in spec.help_in]
    assert len(worded) >= 5
    for group, spec, command in worded:
        assert command in cli.commands, f"{group.__name__}.{spec.name} words its help for " \
                                        f"{command!r}, which is no command"
        helps = {p.help for p in cli.commands[command].params if p.opts[0] == spec.flag}
        assert helps == {spec.help_for(command)}


def test_the_library_defaults_are_the_groups_defaults() -> None:
    """The functions under the commands take the same defaults as the commands' options."""
    from search.data import sample_frame
    from search.export import export_model, export_script
    from search.study import delete_study
    from search.views import make_dashboard, watch_study
    from search.worker import launch_workers

    def defaults(function: Callable[..., Any]) -> dict[str, Any]:
        return {n: p.default for n, p in inspect.signature(function).parameters.items()}

    for group, function in ((SampleOptions, sample_frame), (DashboardOptions, make_dashboard),
                            (LaunchOptions, launch_workers)):
        assert {s.name: s.default for s in group.specs() if not s.required} == {
            s.name: defaults(function)[s.name] for s in group.specs() if not s.required}
    assert defaults(watch_study)["interval"] == ViewOptions().interval
    assert defaults(delete_study)["force"] == DeleteOptions().force
    assert defaults(export_model)["force"] == defaults(export_script)["force"] == \
        ExportOptions().force
    assert defaults(launch_workers)["options"] is None  # i.e. WorkerOptions()


@dataclass(frozen=True, kw_only=True)
class Toy(OptionGroup):
    """Every kind of option a group may hold."""

    path: Path = required("--path", "A file.")
    on: bool = option(True, "--on", "On unless --off.", off_flag="--off")
    flag: bool = option(False, "--flag", "Off unless given.", short="-f")
    pruner: PrunerName = option(PrunerName.MEDIAN, "--pruner", "An enum.")
    count: int = option(3, "--count", "An int within bounds.", min=1, max=9)
    share: float | None = option(None, "--share", "A float, or none.", min=0.5)
    text: str = option("x", "--text", "Some text.", help_in={"toy": "Some text, in toy."})


def toy_app(seen: list[Toy]) -> typer.Typer:
    toy_cli = typer.Typer()

    @toy_cli.command()
    @grouped_options()
    def toy(*, toy: Toy) -> None:
        """Keep what was parsed."""
        seen.append(toy)

    @toy_cli.command()
    def other() -> None:
        """A second command, so that `toy` is named on the command line."""

    return toy_cli


@pytest.mark.parametrize("given", [
    Toy(path=Path("a.csv")),
    Toy(path=Path("b c.csv"), on=False, flag=True, pruner=PrunerName.SUCCESSIVE_HALVING,
        count=9, share=0.75, text="two words"),
])
def test_a_group_given_as_flags_parses_back_to_itself(given: Toy) -> None:
    seen: list[Toy] = []
    args = given.to_args()
    result = CliRunner().invoke(toy_app(seen), ["toy", *args])
    assert result.exit_code == 0, result.output
    assert seen == [given]
    assert args[:2] == ["--path", str(given.path)]  # a required option is always given
    if not given.on:
        assert "--off" in args and "False" not in args and "True" not in args


def test_grouped_options_offer_bounds_off_flags_short_names_and_worded_help() -> None:
    seen: list[Toy] = []
    cli = typer.main.get_command(toy_app(seen))
    assert isinstance(cli, TyperGroup)
    params = {p.name: p for p in cli.commands["toy"].params}
    assert params["path"].required and params["on"].secondary_opts == ["--off"]
    assert params["flag"].opts == ["--flag", "-f"] and params["text"].help == "Some text, in toy."
    result = CliRunner().invoke(toy_app(seen), ["toy", "--path", "p", "--count", "10"])
    assert result.exit_code == 2
    assert "'--count': Input should be less than or equal to 9" in result.output
    result = CliRunner().invoke(toy_app(seen), ["toy"])
    assert result.exit_code == 2 and "Missing option '--path'" in result.output
    assert CliRunner().invoke(toy_app(seen), ["toy", "--path", "p", "-f", "--off"]).exit_code == 0
    assert seen == [Toy(path=Path("p"), flag=True, on=False)]


def test_bounds_and_impossible_flags_are_refused_where_they_are_defined() -> None:
    with pytest.raises(OptionError, match=r"^--port must be at most 65535, but got 70000\.$"):
        DashboardOptions(port=70000)
    with pytest.raises(OptionError, match=r"^--rows must be at least 20, but got 5\.$"):
        SampleOptions(out=Path("x.csv"), rows=5)
    with pytest.raises(TypeError, match="--on is on by default, so it needs an off_flag"):
        option(True, "--on", "On.")
    with pytest.raises(TypeError, match=r"`min <= max` must hold, but got \(min=2, max=1\)"):
        option(1, "--n", "N.", min=2, max=1)
    with pytest.raises(OptionError, match="--share cannot be set back to none on the command"):
        Toy.spec("share").args(None)
    with pytest.raises(OptionError, match="--flag cannot be turned off on the command line"):
        Toy.spec("flag").args(False)
