"""The rules of docs/ARCHITECTURE.md, read off the source so that they cannot rot: who imports
TensorFlow, SQLAlchemy and Optuna's private API, which package may import which, and that
the CLI starts without the heavy libraries."""

from __future__ import annotations

import ast
import copy
import graphlib
import importlib
import re
import subprocess
import sys

import pytest

from tests.worker_procs import REPO

PACKAGES = ("search", "spaces", "storage")
# The one module that touches Optuna's private modules and attributes.
OPTUNA_PRIVATE = "storage/_optuna_private.py"
# The only modules that import TensorFlow or Keras themselves (the rest load them through these,
# on first use).
TENSORFLOW_MAY = ("search/training/_", "spaces/features/_layers.py", "spaces/features/_encode.py",
                  "spaces/model/_build.py", "spaces/model/_losses.py",
                  "spaces/model/_helpers.py", "spaces/model/_text_model.py",
                  "spaces/model/_serving.py")
# What each package of `search` may import from the others, bottom up (`search._errors` and
# `search._paths` are everyone's). docs/ARCHITECTURE.md prints this table.
MAY_IMPORT = {
    "metrics": set(),
    "options": {"metrics"},
    "data": {"options", "metrics"},
    "training": {"metrics"},
    "study": {"options", "metrics", "data"},
    "views": {"options", "metrics", "study"},
    "ensemble": {"metrics", "study", "training"},
    "answer": {"metrics", "study", "training", "ensemble"},
    "export": {"metrics", "study", "training"},
    "predict": {"options", "metrics", "data"},
    "worker": {"options", "metrics", "data", "study", "training", "views", "ensemble",
               "answer"},
    "cli": {"options", "metrics", "data", "study", "training", "views", "ensemble", "answer",
            "export", "predict", "worker"},
}
# The same for the packages of `spaces` (`spaces._task` is everyone's).
SPACES_MAY_IMPORT = {
    "keys": set(),
    "features": set(),
    "families": {"keys", "features"},
    "space": {"keys", "families", "features"},
    "model": {"families", "features"},
}


def sources() -> list[tuple[str, ast.Module]]:
    found = []
    for package in PACKAGES:
        for path in sorted((REPO / package).rglob("*.py")):
            name = path.relative_to(REPO).as_posix()
            found.append((name, ast.parse(path.read_text(), name)))
    return found


def imported(tree: ast.Module) -> set[str]:
    """Every module an ``import`` names, at any depth (lazy imports in functions too)."""
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def first(name: str) -> str:
    return name.split(".")[0]


def without_type_checking(tree: ast.Module) -> ast.Module:
    """``tree`` less its ``if TYPE_CHECKING:`` blocks: the imports Python runs."""

    class Drop(ast.NodeTransformer):
        def visit_If(self, node: ast.If) -> ast.AST | None:
            return None if ast.unparse(node.test) == "TYPE_CHECKING" else self.generic_visit(node)

    return Drop().visit(copy.deepcopy(tree))


def test_only_training_and_the_model_import_tensorflow() -> None:
    found = {path for path, tree in sources()
             if {"tensorflow", "keras"} & {first(m) for m in imported(tree)}}
    assert found and all(path.startswith(TENSORFLOW_MAY) for path in found), found


def test_one_loader_loads_names_on_first_use() -> None:
    """Every package that loads names on first use does it with ``lazy_loader.attach``; no
    module writes a loader of its own (a module ``__getattr__``)."""
    attached = []
    for path, tree in sources():
        for node in tree.body:
            assert not (isinstance(node, ast.FunctionDef) and node.name == "__getattr__"), path
            if isinstance(node, ast.Assign) and ast.unparse(node.targets[0]) == "__getattr__":
                assert ast.unparse(node.value).startswith("lazy_loader.attach(__name__"), path
                attached.append(path)
    assert {"search/__init__.py", "spaces/features/__init__.py", "storage/__init__.py"} <= set(
        attached)


def test_only_storage_imports_sqlalchemy_and_one_module_optunas_private_ones() -> None:
    for path, tree in sources():
        names = imported(tree)
        if not path.startswith("storage/"):
            assert not {m for m in names if first(m) == "sqlalchemy"}, path
        if path == OPTUNA_PRIVATE:
            continue
        private = {m for m in names if first(m) == "optuna"
                   and any(part.startswith("_") for part in m.split(".")[1:])}
        assert not private, (path, private)


DOCUMENTED = {("os", "_exit")}  # public functions with an underscore


def _own(path: str, value: ast.expr) -> bool:
    """Whether ``value._x`` reads an object's own attribute: ``self._x``, ``cls._x``, and in
    storage/ ``super()._x`` (its subclass of Optuna's RDBStorage calls the hooks it
    overrides)."""
    if isinstance(value, ast.Name):
        return value.id in ("self", "cls")
    return (path.startswith("storage/") and isinstance(value, ast.Call)
            and isinstance(value.func, ast.Name) and value.func.id == "super")


def test_only_optuna_private_reads_private_attributes_of_other_objects() -> None:
    """``study._storage``, ``trial._trial_id`` and the like: storage/_optuna_private.py wraps
    them."""
    for path, tree in sources():
        if path == OPTUNA_PRIVATE:
            continue
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and node.attr.startswith("_")
                    and not node.attr.startswith("__")
                    and not _own(path, node.value)
                    and not (isinstance(node.value, ast.Name)
                             and (node.value.id, node.attr) in DOCUMENTED)):
                raise AssertionError(f"{path}:{node.lineno} reads .{node.attr}")


def test_storage_modules_import_one_another_in_layers() -> None:
    """No circle among storage's modules (an import for type checking aside, a function's own
    import included), with _optuna_private.py at the bottom: it imports no module of the
    house."""
    graph: dict[str, set[str]] = {}
    for path, tree in sources():
        if not path.startswith("storage/_") or path.endswith("/__init__.py"):
            continue
        names = imported(without_type_checking(tree))
        graph[path] = {f"storage/{m.split('.')[1]}.py" for m in names
                       if first(m) == "storage" and "." in m}
        if path == OPTUNA_PRIVATE:
            assert not {m for m in names if first(m) in PACKAGES}, (path, names)
    graphlib.TopologicalSorter(graph).prepare()  # raises CycleError on a circle


def test_packages_import_only_what_their_layer_allows() -> None:
    for path, tree in sources():
        names = {m for m in imported(tree) if first(m) in PACKAGES}
        top, parts = path.split("/")[0], path.split("/")
        if top == "storage":
            assert {first(m) for m in names} <= {"storage"}, (path, names)
            continue
        if top == "spaces":
            assert {first(m) for m in names} <= {"spaces"}, (path, names)
            rules, shared = SPACES_MAY_IMPORT, {"_task"}
        else:
            rules, shared = MAY_IMPORT, {"_errors", "_paths"}
        if len(parts) < 3:
            continue  # search/__init__.py, search/_errors.py, spaces/_task.py...
        own = parts[1]
        used = {m.split(".")[1] for m in names if first(m) == top and "." in m} - {own}
        assert used <= rules[own] | shared, (path, used - rules[own] - shared)


def test_private_modules_are_private() -> None:
    """A module named ``_x`` is imported only from inside the package that holds it; other
    packages use the names its package exports."""
    for path, tree in sources():
        here = path.rsplit("/", 1)[0].replace("/", ".")
        for name in imported(tree):
            parts = name.split(".")
            if parts[0] not in PACKAGES:
                continue
            private = next((i for i, p in enumerate(parts)
                            if p.startswith("_") and not p.startswith("__")), None)
            if private is None:
                continue
            owner = ".".join(parts[:private])
            assert here == owner or here.startswith(owner + "."), (path, name)


def test_no_two_modules_share_a_name() -> None:
    """A module's name says what it holds, once in the house (``__init__`` aside)."""
    names: dict[str, str] = {}
    for path, _ in sources():
        stem = path.rsplit("/", 1)[1]
        if stem in ("__init__.py", "__main__.py"):
            continue
        assert stem not in names, f"{path} and {names[stem]}"
        names[stem] = path


def test_no_code_runs_from_strings_but_the_network() -> None:
    """``exec`` and ``eval`` appear once: where a trial runs its family's network code."""
    calls = [(path, node.lineno) for path, tree in sources() for node in ast.walk(tree)
             if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
             and node.func.id in ("exec", "eval")]
    assert [path for path, _ in calls] == ["spaces/model/_build.py"], calls


@pytest.mark.parametrize("package", [*PACKAGES, *(
    f"search.{p}" for p in MAY_IMPORT), *(f"spaces.{p}" for p in SPACES_MAY_IMPORT)])
def test_every_package_says_what_it_owns_and_exports_what_it_lists(package: str) -> None:
    module = importlib.import_module(package)
    assert module.__doc__ and len(module.__doc__) > 80, package
    for name in module.__all__:
        assert getattr(module, name) is not None, (package, name)


def test_help_loads_neither_tensorflow_pandas_optuna_nor_sqlalchemy() -> None:
    code = ("import sys\n"
            "from typer.testing import CliRunner\n"
            "from search.cli import app\n"
            "assert CliRunner().invoke(app, ['--help']).exit_code == 0\n"
            "heavy = ('tensorflow', 'keras', 'pandas', 'optuna', 'sqlalchemy', 'sklearn')\n"
            "print(sorted(m for m in heavy if m in sys.modules))\n"
            "import search.export, search.views, search.worker\n"
            "print(sorted(m for m in ('tensorflow', 'keras') if m in sys.modules))\n")
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    # And status, the views, export and even the worker loop start without TensorFlow.
    assert result.stdout.split() == ["[]", "[]"]


def _attribute_key(node: ast.AST) -> object:
    """The constant key of ``x.user_attrs[...]``, ``x.user_attrs.get(...)`` (system attrs
    too) or ``x.set_user_attr(...)``, if ``node`` is one."""
    if (isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute)
            and node.value.attr in ("user_attrs", "system_attrs")
            and isinstance(node.slice, ast.Constant)):
        return node.slice.value
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.args \
            and isinstance(node.args[0], ast.Constant):
        owner = node.func.value
        reads = (node.func.attr == "get" and isinstance(owner, ast.Attribute)
                 and owner.attr in ("user_attrs", "system_attrs"))
        if reads or node.func.attr in ("set_user_attr", "set_trial_user_attr"):
            return node.args[0].value
    return None


def test_metric_names_and_trial_attributes_are_spelled_once() -> None:
    """Outside search/metrics (and storage/_attrs.py), no trial attribute is named by a bare
    string and no list of metric names is written out."""
    from search.metrics import Detail, Metric, TrialAttr

    metrics = {m.value for m in Metric}
    keys = metrics | {a.value for a in TrialAttr} | {d.value for d in Detail}
    for path, tree in sources():
        if path.startswith(("search/metrics/", "search/export/")) or path.endswith("_attrs.py"):
            continue  # the names themselves; the exporter is being rewritten apart
        for node in ast.walk(tree):
            key = _attribute_key(node)
            assert not (isinstance(key, str) and key in keys), f"{path}:{node.lineno} {key!r}"
            if isinstance(node, ast.Tuple | ast.List | ast.Set):
                constants = [e.value for e in node.elts if isinstance(e, ast.Constant)]
                listed = [c for c in constants if c in metrics]
                assert len(listed) < 2 or len(listed) < len(constants), \
                    f"{path}:{node.lineno} lists the metrics {listed}"


def test_the_plan_prints_the_import_rules_the_tests_enforce() -> None:
    """docs/ARCHITECTURE.md's table of who may import whom is this module's."""
    plan = (REPO / "docs" / "ARCHITECTURE.md").read_text()
    rows = dict(re.findall(r"^\| `((?:search|spaces)/\w+)` \| ([^|]*) \|$", plan, re.M))
    enforced = {**{f"search/{k}": v for k, v in MAY_IMPORT.items()},
                **{f"spaces/{k}": v for k, v in SPACES_MAY_IMPORT.items()}}
    assert set(rows) == set(enforced)
    for package, listed in rows.items():
        written = set() if listed.strip() == "-" else {n.strip() for n in listed.split(",")}
        assert written == enforced[package], package
