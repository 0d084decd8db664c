"""docker-compose.yml cannot be run here (no Docker engine): check what it names exists in the code."""
from __future__ import annotations

import re
from pathlib import Path

import yaml
from typer.main import get_command

from ledger.entrypoints.cli.main import app
from ledger.settings import ENVIRONMENT_VARIABLES

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


def ledger_commands(service: dict) -> list[list[str]]:
    """The `ledger ...` invocations inside a service's command."""
    command = " ".join(service["command"]) if isinstance(service["command"], list) else service["command"]
    return [part.split() for part in re.findall(r"ledger [a-z][a-z -]*(?:--[a-z-]+)?", command)]


def test_compose_names_the_three_services_with_health_checks_and_a_volume() -> None:
    services = COMPOSE["services"]
    assert {"db", "api", "projector"} <= set(services)
    assert "healthcheck" in services["db"] and "healthcheck" in services["api"]
    assert "pgdata" in COMPOSE["volumes"]


def test_every_ledger_command_in_compose_exists_in_the_cli() -> None:
    cli = get_command(app)
    for name in ("api", "projector"):
        for words in ledger_commands(COMPOSE["services"][name]):
            assert words[0] == "ledger"
            command = cli.commands.get(words[1])  # type: ignore[attr-defined]
            assert command is not None, f"compose runs `ledger {words[1]}`, which the CLI lacks"
            options = {opt for param in command.params for opt in param.opts}
            for word in words[2:]:
                if word.startswith("--"):
                    assert word in options, f"`ledger {words[1]}` has no option {word}"


def test_every_setting_in_compose_is_read_by_the_code() -> None:
    for name in ("api", "projector"):
        for key in COMPOSE["services"][name]["environment"]:
            assert key in ENVIRONMENT_VARIABLES, f"{key} is set in compose but never read"


def test_compose_installs_from_the_lock_file() -> None:
    for name in ("api", "projector"):
        command = " ".join(COMPOSE["services"][name]["command"])
        assert "requirements.lock" in command
    assert (ROOT / "requirements.lock").exists()
