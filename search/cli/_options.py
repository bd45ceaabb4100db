"""Option groups as typer options: each field of a group becomes one ``--flag`` of a command.

A command declares a parameter typed with a group (``data: DataOptions = DataOptions()``);
``@grouped_options`` replaces it, in the signature typer reads, by one option per field of the
group (flag, help, lower bound and environment variable from the field, the default from the
parameter's default instance), and calls the command with the group built from them.
"""

from __future__ import annotations

import functools
import inspect
import typing
from collections.abc import Callable, Collection
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

import storage
from search.options import OptionGroup, OptionSpec

F = TypeVar("F", bound=Callable[..., Any])


def option_info(spec: OptionSpec) -> Any:
    """The typer option of ``spec`` (its flag, help, lower bound, environment variable)."""
    names = [spec.flag, *([spec.short] if spec.short else [])]
    return typer.Option(*names, help=spec.help, min=spec.min, envvar=spec.envvar,
                        show_envvar=spec.envvar is not None)


def grouped_options(omit: Collection[str] = ()) -> Callable[[F], F]:
    """Expand the command's option-group parameters into options; ``omit`` names fields
    (``"worker_options.seed"``) the command does not offer, which keep the group's default."""

    def decorate(command: F) -> F:
        hints = typing.get_type_hints(command, include_extras=True)
        params: list[inspect.Parameter] = []
        groups: dict[str, OptionGroup] = {}
        for param in inspect.signature(command).parameters.values():
            kind = hints.get(param.name)
            if isinstance(kind, type) and issubclass(kind, OptionGroup):
                default = param.default if param.default is not param.empty else kind()
                groups[param.name] = default
                params += [_parameter(spec, getattr(default, spec.name))
                           for spec in kind.specs()
                           if not spec.root and f"{param.name}.{spec.name}" not in omit]
            else:
                params.append(param.replace(kind=inspect.Parameter.KEYWORD_ONLY,
                                            annotation=kind))
        _refuse_repeats(command.__name__, params)

        @functools.wraps(command)
        def run(**values: Any) -> Any:
            built = {name: group.take(values) for name, group in groups.items()}
            return command(**values, **built)

        run.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
        run.__annotations__ = {p.name: p.annotation for p in params}
        return typing.cast(F, run)

    return decorate


def _parameter(spec: OptionSpec, default: Any) -> inspect.Parameter:
    return inspect.Parameter(spec.name, inspect.Parameter.KEYWORD_ONLY, default=default,
                             annotation=Annotated[spec.kind, option_info(spec)])


def _refuse_repeats(command: str, params: list[inspect.Parameter]) -> None:
    names = [p.name for p in params]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise TypeError(f"Command {command!r} has the option(s) {repeated} from two groups; "
                        "omit one of them (grouped_options(omit=...)).")


# The options of commands that are no option group: which study, where, which data file.
StudyOpt = Annotated[str, typer.Option("--study", help="Study name.")]
StorageOpt = Annotated[str | None, typer.Option(
    "--storage", help=f"Storage URL; the first set of: {storage.url_precedence()}.")]
DataOpt = Annotated[Path, typer.Option("--data", help="CSV, TSV, JSON Lines or Parquet file.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]
