"""Option groups as typer options: each field of a group becomes one ``--flag`` of a command.

A command declares a parameter typed with a group (``data: DataOptions = DataOptions()``, or
``launch: LaunchOptions`` for the group's own defaults); ``@grouped_options`` replaces it, in
the signature typer reads, by one option per field of the group (flag, off flag, short name,
help as that command words it, bounds and environment variable from the field; the default
from the parameter's default instance, else the field's; a field without a default is
required), and calls the command with the group built from them. The options most commands
share (``--study``, ``--storage``, ``--data``, ``--json``) are offered field by field, through
the aliases at the end, as the library's functions take them.
"""

from __future__ import annotations

import functools
import inspect
import typing
from collections.abc import Callable, Collection
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from search.options import (
    ByteSize,
    InputFiles,
    OptionGroup,
    OptionSpec,
    StudyAddress,
    ViewOptions,
)

F = TypeVar("F", bound=Callable[..., Any])


def option_info(spec: OptionSpec, command: str | None = None) -> Any:
    """The typer option of ``spec`` (its flags, help as ``command`` words it, bounds,
    environment variable)."""
    flag = spec.flag if spec.off_flag is None else f"{spec.flag}/{spec.off_flag}"
    names = [flag, *([spec.short] if spec.short else [])]
    return typer.Option(*names, help=spec.help_for(command), min=spec.min, max=spec.max,
                        envvar=spec.envvar, show_envvar=spec.envvar is not None,
                        parser=ByteSize.parse if spec.is_size else None,
                        metavar="<size>" if spec.is_size else None)


def option_of(group: type[OptionGroup], name: str, command: str | None = None) -> Any:
    """The typer option of the field ``name`` of ``group``, for a command that takes it alone."""
    return option_info(group.spec(name), command)


def grouped_options(omit: Collection[str] = ()) -> Callable[[F], F]:
    """Expand the command's option-group parameters into options; ``omit`` names fields
    (``"worker_options.seed"``) the command does not offer, which keep the group's default."""

    def decorate(command: F) -> F:
        name = command.__name__.replace("_", "-")  # as typer names the command
        hints = typing.get_type_hints(command, include_extras=True)
        params: list[inspect.Parameter] = []
        groups: dict[str, tuple[type[OptionGroup], OptionGroup | None]] = {}
        for param in inspect.signature(command).parameters.values():
            kind = hints.get(param.name)
            if isinstance(kind, type) and issubclass(kind, OptionGroup):
                base = param.default if param.default is not param.empty else None
                groups[param.name] = (kind, base)
                for spec in kind.specs():
                    if spec.root:
                        continue
                    if f"{param.name}.{spec.name}" in omit:
                        if spec.required and base is None:
                            raise TypeError(f"Command {name!r} omits {spec.flag}, which has no "
                                            "default; offer it or give the group a default.")
                        continue
                    default = spec.default if base is None else getattr(base, spec.name)
                    params.append(_parameter(spec, default, name))
            else:
                params.append(param.replace(kind=inspect.Parameter.KEYWORD_ONLY,
                                            annotation=kind))
        _refuse_repeats(name, params)

        @functools.wraps(command)
        def run(**values: Any) -> Any:
            built = {param: _build(kind, base, values) for param, (kind, base) in groups.items()}
            return command(**values, **built)

        run.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
        run.__annotations__ = {p.name: p.annotation for p in params}
        return typing.cast(F, run)

    return decorate


def _parameter(spec: OptionSpec, default: Any, command: str) -> inspect.Parameter:
    if spec.is_bool and default is True and spec.off_flag is None:
        raise TypeError(f"Command {command!r} turns {spec.flag} on by default, but the option "
                        "has no off_flag to turn it off; give it one.")
    return inspect.Parameter(spec.name, inspect.Parameter.KEYWORD_ONLY,
                             default=inspect.Parameter.empty if spec.required else default,
                             annotation=Annotated[spec.kind, option_info(spec, command)])


def _build(kind: type[OptionGroup], base: OptionGroup | None, values: dict[str, Any]
           ) -> OptionGroup:
    """The group from the values typer parsed (removed from ``values``), over ``base``."""
    if base is not None:
        return base.take(values)
    return kind(**{s.name: values.pop(s.name) for s in kind.specs() if s.name in values})


def _refuse_repeats(command: str, params: list[inspect.Parameter]) -> None:
    names = [p.name for p in params]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise TypeError(f"Command {command!r} has the option(s) {repeated} from two groups; "
                        "omit one of them (grouped_options(omit=...)).")


# The options most commands share, offered one by one (defined in search.options).
StudyOpt = Annotated[str, option_of(StudyAddress, "study")]
StorageOpt = Annotated[str | None, option_of(StudyAddress, "storage_url")]
DataOpt = Annotated[Path, option_of(InputFiles, "data")]
ParamsOpt = Annotated[Path, option_of(InputFiles, "params")]
JsonOpt = Annotated[bool, option_of(ViewOptions, "as_json")]
