"""The Dockerfile's build-stage steps, run here (no Docker engine): a clean venv, the lock, the ledger from a
read-only copy of the source; then the installed `ledger` migrates a database and serves --help.

The steps are read from the Dockerfile itself (its RUN lines, paths mapped to temporary folders), so the
two cannot drift. pip installs from requirements.lock through its cache (about 30-40 s here).
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def build_steps() -> list[str]:
    """The RUN commands of the Dockerfile's first (build) stage, joined continuation lines."""
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8").replace("\\\n", " ")
    stage = re.split(r"^FROM ", text, flags=re.M)[1]
    return re.findall(r"^RUN (.+)$", stage, re.M)


def snapshot(tree: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(tree)): (p.stat().st_mtime_ns, p.stat().st_size) for p in tree.rglob("*")}


def test_the_image_install_steps_work_over_a_read_only_source_and_write_nothing_into_it(tmp_path: Path) -> None:
    source, venv, scratch = tmp_path / "src", tmp_path / "venv", tmp_path / "scratch"
    source.mkdir()
    scratch.mkdir()
    for name in ("requirements.lock", "pyproject.toml"):  # what the Dockerfile COPYs
        shutil.copy(ROOT / name, source / name)
    shutil.copytree(ROOT / "services", source / "services", ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run(["chmod", "-R", "a-w", str(source)], check=True)
    before = snapshot(source)
    steps = build_steps()
    assert len(steps) == 3 and any("requirements.lock" in step for step in steps)
    env = {**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    env.pop("VIRTUAL_ENV", None)
    try:
        for step in steps:
            command = (step.replace("/opt/ledger", str(venv)).replace("/tmp/build-src", str(scratch / "build"))
                       .replace("/src", str(source)))
            command = re.sub(r"^python ", f"{sys.executable} ", command)
            done = subprocess.run(["bash", "-c", command], env=env, capture_output=True, text=True, timeout=240,
                                  cwd=scratch)
            assert done.returncode == 0, f"{command}\n{done.stdout}\n{done.stderr}"
        assert snapshot(source) == before, "the install wrote into the source"
        run_env = {"PATH": f"{venv}/bin:/usr/bin:/bin", "LEDGER_DATABASE_URL": f"sqlite:///{scratch}/ledger.db",
                   "LEDGER_KEY_FILE": str(scratch / "log.key"), "HOME": str(scratch)}
        migrated = subprocess.run([str(venv / "bin/ledger"), "migrate"], env=run_env, capture_output=True, text=True,
                                  timeout=60, cwd=scratch)
        assert migrated.returncode == 0 and "none -> " in migrated.stdout, migrated.stdout + migrated.stderr
        listed = subprocess.run([str(venv / "bin/ledger"), "tokens", "list"], env=run_env, capture_output=True,
                                text=True, timeout=60, cwd=scratch)
        assert listed.returncode == 0, listed.stderr
        installed = subprocess.run([str(venv / "bin/python"), "-c", "import ledger; print(ledger.__file__)"],
                                   env=run_env, capture_output=True, text=True, timeout=60, cwd=scratch)
        assert str(venv) in installed.stdout, "the ledger runs from the venv, not from the source"
    finally:
        subprocess.run(["chmod", "-R", "u+w", str(source)], check=False)
