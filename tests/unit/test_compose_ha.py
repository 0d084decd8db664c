"""docker-compose.ha.yml cannot be run here (no Docker engine): check it against the base file and the code."""
from __future__ import annotations

from pathlib import Path

import yaml

from ledger.adapters.sql.urls import hosts_of
from ledger.settings import ENVIRONMENT_VARIABLES, Settings

ROOT = Path(__file__).resolve().parents[2]
BASE = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
HA = yaml.safe_load((ROOT / "docker-compose.ha.yml").read_text(encoding="utf-8"))


def test_the_override_adds_a_monitor_and_three_nodes_and_keeps_the_base_services() -> None:
    assert {"monitor", "db", "node2", "node3"} <= set(HA["services"])
    assert set(BASE["services"]) <= set(HA["services"]) | set(BASE["services"])
    for node in ("db", "node2", "node3"):
        command = HA["services"][node]["command"]
        assert "pg_autoctl create postgres" in command and "pg_autoctl run" in command
        assert "healthcheck" in HA["services"][node]
    assert "pg_autoctl create monitor" in HA["services"]["monitor"]["command"]


def test_the_ledger_services_get_settings_the_code_reads_and_urls_it_parses() -> None:
    for name in ("api", "projector"):
        assert name in BASE["services"], f"the override changes {name}, which the base file lacks"
        environment = HA["services"][name]["environment"]
        for key in environment:
            assert key in ENVIRONMENT_VARIABLES, f"{key} is set in compose but never read"
        settings = Settings.from_env({k: str(v) for k, v in environment.items()})
        assert settings.require_standby
        assert hosts_of(settings.database_url) == ["db:5432", "node2:5432", "node3:5432"]
        assert settings.read_database_url and "prefer-standby" in settings.read_database_url


def test_every_depends_on_names_a_service() -> None:
    names = set(BASE["services"]) | set(HA["services"])
    for name, service in HA["services"].items():
        for dependency in service.get("depends_on", {}):
            assert dependency in names, f"{name} depends on {dependency}, which neither file defines"
