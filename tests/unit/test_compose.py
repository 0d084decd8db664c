"""docker-compose.yml and the Dockerfile cannot be run here (no Docker engine): check what they name exists."""
from __future__ import annotations

import re
import shlex
from pathlib import Path

import yaml
from typer.main import get_command

from ledger.entrypoints.cli.main import app
from ledger.settings import ENVIRONMENT_VARIABLES

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")
LEDGER_SERVICES = ("migrate", "api", "projector")


def words_of(command: object) -> list[str]:
    return list(command) if isinstance(command, list) else shlex.split(str(command))


def ledger_commands(words: list[str]) -> list[list[str]]:
    """The `ledger ...` invocations in a command's words (an exec form, or a sh -c string)."""
    text = " ".join(words)
    return [part.split() for part in re.findall(r"ledger [a-z][a-z -]*(?:--[a-z-]+[^&;]*)?", text)]


def assert_cli_has(words: list[str]) -> None:
    cli = get_command(app)
    assert words[0] == "ledger"
    command = cli.commands.get(words[1])  # type: ignore[attr-defined]
    assert command is not None, f"`ledger {words[1]}` is named, and the CLI lacks it"
    options = {opt for param in command.params for opt in param.opts}
    for word in words[2:]:
        if word.startswith("--"):
            assert word in options, f"`ledger {words[1]}` has no option {word}"


def test_compose_migrates_once_then_starts_the_api_and_the_projector_with_health_checks() -> None:
    services = COMPOSE["services"]
    assert set(LEDGER_SERVICES) | {"db"} <= set(services)
    assert words_of(services["migrate"]["command"]) == ["ledger", "migrate"]
    assert services["migrate"]["depends_on"]["db"]["condition"] == "service_healthy"
    for name in ("api", "projector"):
        assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        assert "healthcheck" in services[name]
    assert "healthcheck" in services["db"] and "pgdata" in COMPOSE["volumes"]


def test_every_ledger_command_in_compose_and_the_dockerfile_exists_in_the_cli() -> None:
    named = []
    for name in LEDGER_SERVICES:
        service = COMPOSE["services"][name]
        named += ledger_commands(words_of(service["command"]))
        named += ledger_commands(words_of(service["healthcheck"]["test"])[1:]) if "healthcheck" in service else []
    cmd = re.search(r"^CMD (\[.*\])$", DOCKERFILE, re.M)
    assert cmd is not None
    named += ledger_commands(yaml.safe_load(cmd.group(1)))
    assert len(named) >= 5
    for words in named:
        assert_cli_has(words)


def test_every_setting_in_compose_and_the_dockerfile_is_read_by_the_code() -> None:
    for name in LEDGER_SERVICES:
        for key in COMPOSE["services"][name]["environment"]:
            assert key in ENVIRONMENT_VARIABLES, f"{key} is set in compose but never read"
    for key in re.findall(r"\b(LEDGER_[A-Z_]+)=", DOCKERFILE):
        assert key in ENVIRONMENT_VARIABLES, f"{key} is set in the Dockerfile but never read"


def test_the_services_run_the_built_image_and_install_nothing_at_start() -> None:
    for name in LEDGER_SERVICES:
        service = COMPOSE["services"][name]
        assert service["image"] == "co-audit-ledger:local" and service["build"] == "."
        command = " ".join(words_of(service["command"]))
        assert "pip" not in command and "install" not in command
        assert not any(str(v).startswith(".:") for v in service.get("volumes", [])), "no source mounted"
    assert "requirements.lock" in DOCKERFILE and re.search(r"^USER (?!root)\w+", DOCKERFILE, re.M)
    assert DOCKERFILE.count("\nFROM ") + DOCKERFILE.startswith("FROM ") >= 2, "multi-stage"
