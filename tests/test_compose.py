"""docker-compose.yml: valid (Debian's docker-compose renders it without an engine), the
password only in the env file, and every hpsearch command in it accepted by the CLI."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import typer
import yaml

from search.cli import app

REPO = Path(__file__).resolve().parent.parent
COMPOSE = REPO / "docker-compose.yml"

pytestmark = pytest.mark.skipif(
    shutil.which("docker-compose") is None,
    reason="docker-compose is not installed (.ci/deps-compose.sh installs it with apt-get)")


def render(env_file: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["docker-compose", "--env-file", str(env_file), "-f", str(COMPOSE),
                           "config"], cwd=REPO, capture_output=True, text=True, timeout=60)


@pytest.fixture(scope="module")
def config(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    env = tmp_path_factory.mktemp("compose") / ".env"
    env.write_text((REPO / ".env.example").read_text().replace(
        "POSTGRES_PASSWORD=change-me", "POSTGRES_PASSWORD=pw-from-env-file"))
    result = render(env)
    assert result.returncode == 0, result.stderr
    return yaml.safe_load(result.stdout)


def test_services_volume_healthcheck_gpus_and_local_dashboard(config: dict[str, Any]) -> None:
    services = config["services"]
    assert set(services) == {"postgres", "create", "workers", "dashboard"}
    postgres = services["postgres"]
    assert "pgdata:/var/lib/postgresql/data:rw" in postgres["volumes"]
    assert "pgdata" in config["volumes"]
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])
    assert services["create"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert services["workers"]["depends_on"]["create"]["condition"] == \
        "service_completed_successfully"
    [devices] = services["workers"]["deploy"]["resources"]["reservations"]["devices"]
    assert devices["capabilities"] == ["gpu"]
    assert services["dashboard"]["ports"] == ["127.0.0.1:8080:8080/tcp"]


def test_password_comes_from_the_env_file_only(config: dict[str, Any],
                                               tmp_path: Path) -> None:
    text = COMPOSE.read_text()
    assert "pw-from-env-file" not in text and "change-me" not in text
    assert config["services"]["postgres"]["environment"]["POSTGRES_PASSWORD"] == \
        "pw-from-env-file"
    for name in ("create", "workers", "dashboard"):
        service = config["services"][name]
        assert service["environment"]["HPSEARCH_STORAGE"] == \
            "postgresql+psycopg://hpsearch:pw-from-env-file@postgres:5432/hpsearch"
        assert not any("pw-from-env-file" in arg for arg in service["command"])
    no_password = tmp_path / ".env"
    no_password.write_text("STUDY=demo\n")
    result = render(no_password)
    assert result.returncode != 0
    assert "set POSTGRES_PASSWORD in .env (see .env.example)" in result.stderr


def test_every_hpsearch_command_parses_with_the_cli(config: dict[str, Any]) -> None:
    group = typer.main.get_command(app)
    checked = []
    for name, service in config["services"].items():
        command = service["command"]
        if command[0] != "hpsearch":
            continue
        sub = group.get_command(group.make_context("hpsearch", [command[1]]),  # type: ignore[attr-defined]
                                command[1])
        assert sub is not None, f"{name}: no hpsearch command {command[1]!r}"
        sub.make_context(command[1], list(command[2:]))  # raises on an unknown option
        checked.append(command[1])
    assert sorted(checked) == ["create", "dashboard", "launch"]
