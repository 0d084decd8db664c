"""README's "Five minutes" curl session, as written, against a real server on `make run`'s demo database.

The blocks are read from README.md (so the two cannot drift), the seed command from the Makefile's
`run` target; only the port in ``U=`` is this test's. Each curl's status is recorded and checked, and
the hash one-liner's two lines (the view's hash as stored and as recomputed) must be equal.
"""
from __future__ import annotations

import re
import shlex
import subprocess
import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest
import uvicorn
from typer.testing import CliRunner

from ledger.bootstrap import build_services
from ledger.entrypoints.cli.main import app as cli
from ledger.entrypoints.http.app import create_app
from ledger.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


def readme_session() -> tuple[str, list[str]]:
    """The admin token README starts with, and the sh blocks of its Five minutes section after the start."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Five minutes with it"):]
    section = section[:section.index("\n## ", 5)]
    blocks = re.findall(r"```sh\n(.*?)```", section, flags=re.S)
    token = re.search(r"LEDGER_ADMIN_TOKEN=(\S+) make run", blocks[0])
    assert token, "README starts the session with LEDGER_ADMIN_TOKEN=... make run"
    return token.group(1), blocks[1:]


def make_run_setup_commands() -> list[list[str]]:
    """The `ledger` commands `make run` runs before serving (migrate, seed-demo), as it writes them."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    run = makefile[makefile.index("\nrun:"):].split("\n\n")[0]
    lines = [shlex.split(line.strip().lstrip("@"))[1:] for line in run.splitlines()[1:] if "/ledger " in line]
    commands = [words for words in lines if words[0] not in ("hello", "run")]  # after $(BIN)/ledger
    assert any(words[0] == "seed-demo" for words in commands), run
    return commands


@pytest.mark.skipif(subprocess.run(["which", "curl"], capture_output=True).returncode != 0, reason="needs curl")
def test_the_readme_session_works_on_the_make_run_demo(tmp_path: Path) -> None:
    token, blocks = readme_session()
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'ledger.db'}", key_file=tmp_path / "log.key")
    env = {"LEDGER_DATABASE_URL": settings.database_url, "LEDGER_KEY_FILE": str(settings.key_file)}
    for command in make_run_setup_commands():
        done = CliRunner().invoke(cli, command, env=env)
        assert done.exit_code == 0, (command, done.output)
    services = build_services(replace(settings, admin_token=token))
    server = uvicorn.Server(uvicorn.Config(create_app(services.settings, services=services), host="127.0.0.1", port=0,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        while not server.started:
            time.sleep(0.02)
        port = server.servers[0].sockets[0].getsockname()[1]
        script = "\n".join(blocks).replace("U=http://127.0.0.1:8000", f"U=http://127.0.0.1:{port}")
        statuses = tmp_path / "statuses"
        wrapper = f"curl() {{ command curl -w '%{{stderr}}%{{http_code}}\\n' \"$@\" 2>>{statuses}; }}\nset -e\n"
        ran = subprocess.run(["bash", "-c", wrapper + script], capture_output=True, text=True, timeout=120)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        services.engine.dispose()
    assert ran.returncode == 0, ran.stderr + ran.stdout
    codes = statuses.read_text().split()
    # register, two tokens, two appends, page, view, the hash one-liner's view, close
    assert codes == ["201", "201", "201", "201", "201", "200", "200", "200", "201"], (codes, ran.stdout[-2000:])
    hashes = [m.group(1) for line in ran.stdout.splitlines() if (m := re.search(r"([0-9a-f]{64})$", line))]
    assert len(hashes) == 2 and hashes[0] == hashes[1], ran.stdout[-2000:]
    assert '"org_id":"TC-101"' in ran.stdout and '"rule"' not in ran.stdout
