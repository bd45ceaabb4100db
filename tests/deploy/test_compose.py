"""docker-compose.yml: the password only in the env file and only ever a file in a container,
every command in it accepted by hpsearch's CLI after the image's entry point, workers on GPUs or
on CPUs by profile, the data's columns from the env file, and the whole file valid for
docker-compose (rendered without a Docker engine).

The secrets come from variables (`secrets: {name: {environment: VAR}}`, Docker Compose v2.14.1
on). Debian 12's docker-compose 1.29 predates that source and refuses it, so where it is the one
installed it renders a copy whose secrets are files; the pure-YAML tests check the real file.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import typer
import yaml

from search.cli import app
from search.options import DataOptions
from storage import check_storage_url

REPO = Path(__file__).resolve().parents[2]
COMPOSE = REPO / "docker-compose.yml"
ENV_EXAMPLE = REPO / ".env.example"
HPSEARCH_SERVICES = ("create", "workers", "workers-cpu", "dashboard")
URL_SECRET = {"source": "storage-url", "uid": "10001", "gid": "10001", "mode": 0o400}
URL_FILE = "/run/secrets/storage-url"

needs_docker_compose = pytest.mark.skipif(
    shutil.which("docker-compose") is None,
    reason="docker-compose is not installed (.ci/deps-compose.sh installs it with apt-get)")


def compose_file() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE.read_text())


def env_file(path: Path) -> dict[str, str]:
    """A .env file as Docker Compose v2 reads it: KEY=VALUE lines, ${VAR} in an unquoted
    value taken from the lines above (the only interpolation .env.example uses)."""
    values: dict[str, str] = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            values[key.strip()] = re.sub(r"\$\{(\w+)\}", lambda m: values[m.group(1)], value)
    return values


def command_defaults(word: str) -> str:
    """${VAR:-default} in a command word, as compose renders it when VAR is unset."""
    return re.sub(r"\$\{\w+:-([^}]*)\}", r"\1", word)


def parse_with_the_cli(name: str, args: list[str]) -> str:
    """Parse the arguments a service gives the image's `hpsearch` entry point with the real
    CLI (raises on an unknown command or option)."""
    group = typer.main.get_command(app)
    sub = group.get_command(group.make_context("hpsearch", [args[0]]),  # type: ignore[attr-defined]
                            args[0])
    assert sub is not None, f"{name}: no hpsearch command {args[0]!r}"
    sub.make_context(args[0], list(args[1:]))
    return args[0]


# --- the file itself -------------------------------------------------------------------------

def test_secrets_come_from_variables_that_the_env_file_sets() -> None:
    assert compose_file()["secrets"] == {
        "storage-url": {"environment": "HPSEARCH_STORAGE_URL"},
        "postgres-password": {"environment": "POSTGRES_PASSWORD"}}
    env = env_file(ENV_EXAMPLE)
    assert env["POSTGRES_PASSWORD"] == "change-me"
    # The URL is built from the password, and names the compose database and its user.
    postgres = compose_file()["services"]["postgres"]["environment"]
    user, db = postgres["POSTGRES_USER"], postgres["POSTGRES_DB"]
    assert env["HPSEARCH_STORAGE_URL"] == \
        f"postgresql+psycopg://{user}:change-me@postgres:5432/{db}"
    assert check_storage_url(env["HPSEARCH_STORAGE_URL"]) == env["HPSEARCH_STORAGE_URL"]


def test_no_password_or_url_reaches_an_environment_or_a_command() -> None:
    text = COMPOSE.read_text()
    assert "change-me" not in text
    # The two secret variables are named only as secret sources, never interpolated.
    assert not re.search(r"\$\{?(POSTGRES_PASSWORD|HPSEARCH_STORAGE_URL)\b", text)
    for name, service in compose_file()["services"].items():
        words = [*service.get("command", []), *map(str, service.get("environment", {}).values())]
        assert [w for w in words if "://" in w or "PASSWORD=" in w] == [], name
        assert "HPSEARCH_STORAGE" not in service.get("environment", {}), name
        assert "POSTGRES_PASSWORD" not in service.get("environment", {}), name


def test_hpsearch_services_read_the_url_from_a_file_only_their_user_can_read() -> None:
    services = compose_file()["services"]
    dockerfile_user = re.search(r"^USER\s+(\d+):(\d+)", (REPO / "Dockerfile").read_text(), re.M)
    assert dockerfile_user is not None
    assert (URL_SECRET["uid"], URL_SECRET["gid"]) == dockerfile_user.groups()
    for name in HPSEARCH_SERVICES:
        assert services[name]["environment"] == {"HPSEARCH_STORAGE_FILE": URL_FILE}, name
        assert services[name]["secrets"] == [URL_SECRET], name
    postgres = services["postgres"]
    assert postgres["environment"]["POSTGRES_PASSWORD_FILE"] == \
        "/run/secrets/postgres-password"
    assert postgres["secrets"] == [{"source": "postgres-password", "mode": 0o400}]


def test_commands_are_arguments_of_the_entry_point() -> None:
    checked = []
    for name, service in compose_file()["services"].items():
        if name in HPSEARCH_SERVICES:
            args = [command_defaults(w) for w in service["command"]]
            assert args[0] != "hpsearch", f"{name}: the image's entry point is already hpsearch"
            checked.append(parse_with_the_cli(name, args))
    assert sorted(checked) == ["create", "dashboard", "launch", "launch"]


def test_workers_on_gpus_or_on_cpus_by_profile() -> None:
    """Only the profile gpu reserves GPUs; the profile cpu runs `launch --cpus` and reserves
    none, so it starts on a machine without NVIDIA's runtime. .env.example picks gpu."""
    services = compose_file()["services"]
    workers, cpu = services["workers"], services["workers-cpu"]
    assert workers["profiles"] == ["gpu"] and cpu["profiles"] == ["cpu"]
    reserved = [n for n, s in services.items() if "deploy" in s]
    assert reserved == ["workers"]
    assert [command_defaults(w) for w in cpu["command"]] == ["launch", "--study", "demo",
                                                             "--cpus", "2"]
    assert "--gpus" in workers["command"] and "--gpus" not in cpu["command"]
    assert cpu["depends_on"] == workers["depends_on"]
    assert cpu["stop_grace_period"] == workers["stop_grace_period"]
    # Every other service runs whichever profile is on.
    assert [n for n, s in services.items() if "profiles" in s] == ["workers", "workers-cpu"]
    env = env_file(ENV_EXAMPLE)
    assert env["COMPOSE_PROFILES"] == "gpu" and env["CPUS"] == "2"


def test_create_takes_the_columns_from_the_env_file_with_hpsearchs_defaults() -> None:
    command = compose_file()["services"]["create"]["command"]
    columns = {command[i]: command[i + 1] for i, word in enumerate(command)
               if word in ("--text-col", "--label-col")}
    assert columns == {"--text-col": "${TEXT_COL:-text}", "--label-col": "${LABEL_COL:-label}"}
    data = DataOptions()
    assert [command_defaults(v) for v in columns.values()] == [data.text_col, data.label_col]
    env = env_file(ENV_EXAMPLE)
    assert (env["TEXT_COL"], env["LABEL_COL"]) == (data.text_col, data.label_col)


# --- rendered by docker-compose --------------------------------------------------------------

def docker_compose_major() -> int:
    result = subprocess.run(["docker-compose", "version", "--short"], capture_output=True,
                            text=True, timeout=60)
    found = re.match(r"v?(\d+)\.", result.stdout.strip())
    assert found, result.stdout + result.stderr
    return int(found.group(1))


def render(compose: Path, env: Path, *options: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["docker-compose", "--env-file", str(env), "--project-directory",
                           str(REPO), "-f", str(compose), *options, "config"],
                          cwd=REPO, capture_output=True, text=True, timeout=60)


@pytest.fixture(scope="module")
def config(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return rendered(tmp_path_factory.mktemp("compose"), {
        "POSTGRES_PASSWORD=change-me": "POSTGRES_PASSWORD=pw-from-env-file"})


def rendered(tmp: Path, changes: dict[str, str], *options: str) -> dict[str, Any]:
    """docker-compose.yml as docker-compose renders it with .env.example's lines changed."""
    env = tmp / ".env"
    text = ENV_EXAMPLE.read_text()
    for line, changed in changes.items():
        assert line in text, line
        text = text.replace(line, changed)
    env.write_text(text)
    compose = COMPOSE
    if docker_compose_major() < 2:
        # docker-compose 1.x knows only file secrets: the same file, each secret a file.
        compose = tmp / "docker-compose.yml"
        doc = compose_file()
        for name, secret in doc["secrets"].items():
            (tmp / name).write_text(env_file(env)[secret.pop("environment")])
            secret["file"] = str(tmp / name)
        compose.write_text(yaml.safe_dump(doc))
    result = render(compose, env, *options)
    assert result.returncode == 0, result.stderr
    rendered: dict[str, Any] = yaml.safe_load(result.stdout)
    return rendered


def published(port: str | dict[str, Any]) -> str:
    """A published port as docker-compose 1.x writes it (2.x writes a mapping)."""
    if isinstance(port, str):
        return port
    return f"{port['host_ip']}:{port['published']}:{port['target']}/{port['protocol']}"


def mounted(volume: str | dict[str, Any]) -> tuple[str, str]:
    if isinstance(volume, str):
        source, target, *_ = volume.split(":")
        return source, target
    return volume["source"], volume["target"]


def file_mode(mode: int | str) -> int:
    return int(mode, 8) if isinstance(mode, str) else mode


@needs_docker_compose
def test_services_volume_healthcheck_gpus_and_local_dashboard(config: dict[str, Any]) -> None:
    services = config["services"]
    # docker-compose 1.x renders the services of every profile; 2.x those of the active ones.
    assert set(services) - {"workers-cpu"} == {"postgres", "create", "workers", "dashboard"}
    postgres = services["postgres"]
    assert ("pgdata", "/var/lib/postgresql/data") in map(mounted, postgres["volumes"])
    assert "pgdata" in config["volumes"]
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])
    assert services["create"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert services["workers"]["depends_on"]["create"]["condition"] == \
        "service_completed_successfully"
    [devices] = services["workers"]["deploy"]["resources"]["reservations"]["devices"]
    assert devices["capabilities"] == ["gpu"]
    assert [published(p) for p in services["dashboard"]["ports"]] == ["127.0.0.1:8080:8080/tcp"]


@needs_docker_compose
def test_rendered_services_get_the_secrets_and_no_password(config: dict[str, Any]) -> None:
    assert set(config["secrets"]) == {"storage-url", "postgres-password"}
    for name in HPSEARCH_SERVICES:
        service = config["services"].get(name)
        if service is None and name == "workers-cpu":
            continue  # not rendered outside its profile (docker-compose 2.x)
        assert service["environment"] == {"HPSEARCH_STORAGE_FILE": URL_FILE}, name
        [secret] = service["secrets"]
        assert {**secret, "mode": file_mode(secret["mode"])} == URL_SECRET, name
    rendered = yaml.safe_dump(config["services"])
    assert "pw-from-env-file" not in rendered


@needs_docker_compose
def test_every_rendered_command_parses_with_the_cli(config: dict[str, Any]) -> None:
    checked = [parse_with_the_cli(name, config["services"][name]["command"])
               for name in HPSEARCH_SERVICES if name in config["services"]]
    assert sorted(checked)[:3] == ["create", "dashboard", "launch"]
    assert config["services"]["create"]["command"][:3] == ["create", "--study", "demo"]


@needs_docker_compose
def test_the_cpu_profile_and_the_columns_rendered(tmp_path: Path) -> None:
    """COMPOSE_PROFILES=cpu in the env file (and --profile cpu, which docker-compose 1.x
    needs): workers-cpu with its CPUs and no GPU reserved; the columns the env file names."""
    found = rendered(tmp_path, {"COMPOSE_PROFILES=gpu": "COMPOSE_PROFILES=cpu",
                                "CPUS=2": "CPUS=6", "TEXT_COL=text": "TEXT_COL=body",
                                "LABEL_COL=label": "LABEL_COL=topic"}, "--profile", "cpu")
    cpu = found["services"]["workers-cpu"]
    assert cpu["command"] == ["launch", "--study", "demo", "--cpus", "6"] and "deploy" not in cpu
    create = found["services"]["create"]["command"]
    assert create[create.index("--text-col") + 1] == "body"
    assert create[create.index("--label-col") + 1] == "topic"
    parse_with_the_cli("create", create)
    parse_with_the_cli("workers-cpu", cpu["command"])
