"""A flag shows in the help as a flag, not as an option taking a value it would refuse."""

from __future__ import annotations

from pathlib import Path

import typer
from typer.core import TyperGroup
from typer.testing import CliRunner

from search.cli import app

runner = CliRunner()


def shown(args: list[str]) -> str:
    result = runner.invoke(app, [*args, "--help"])
    assert result.exit_code == 0, result.output
    return " ".join(result.output.replace("│", " ").split())


def test_no_flag_shows_a_type_and_options_with_a_value_keep_theirs() -> None:
    cli = typer.main.get_command(app)
    assert isinstance(cli, TyperGroup)
    for name in ["", *cli.commands]:
        assert "<bool>" not in shown([name] if name else []), name
    create = shown(["create"])
    assert "--drop-invalid Skip rows with empty text" in create
    assert "--max-tokens <int range> [x>=100]" in create
    assert "--help Show this message and exit." in create
    assert "--json Print JSON." in shown(["status"])
    assert "--verbose -v Log every epoch." in shown([])


def test_a_flag_given_a_value_is_refused_as_the_help_says(tmp_path: Path) -> None:
    result = runner.invoke(app, ["create", "--study", "s", "--data", str(tmp_path / "d.csv"),
                                 "--drop-invalid", "true"])
    assert result.exit_code == 2
    assert "Got unexpected extra argument(s) (true)" in result.output
