"""`make bench`: every measurement of issue 6, then bench-results/results.json and BENCHMARKS.md.

    python -m tests.bench.run [--counties 7] [--scale 1.0] [--seed 42] [--runs 3] [--budget-minutes 30]

Order: the dataset (reused when cached), 1+2 appends on a scratch database, 3 the rebuild and its
baseline on the dataset, 4 views and 5 proofs on it, then the profiles. Scratch databases are
dropped; the dataset database is kept for the next run.
"""
from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import platform
import subprocess
import sys
import time
from importlib import metadata
from typing import Any

import psycopg2

from tests.bench import (
    bench_append,
    bench_pages,
    bench_profiles,
    bench_proofs,
    bench_rebuild,
    bench_report,
    bench_views,
)
from tests.bench.bench_dataset import DatasetSpec, ensure_dataset
from tests.bench.bench_support import RESULTS, ROOT, RUNS, dsn_of, scratch_database, url_of

SECTIONS = ("append", "rebuild", "views", "proofs", "pages")

PACKAGES = ("eventsourcing", "eventsourcing-sqlalchemy", "sqlalchemy", "psycopg2-binary", "fastapi", "starlette",
            "uvicorn", "pydantic", "httpx", "cryptography")


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def machine() -> dict[str, Any]:
    def first(path: str, key: str) -> str | None:
        try:
            with open(path, encoding="utf-8") as handle:
                for line in handle:
                    if line.startswith(key):
                        return line.split(":", 1)[1].strip()
        except OSError:
            return None
        return None

    memory = first("/proc/meminfo", "MemTotal")
    with psycopg2.connect(dsn_of("postgres")) as conn, conn.cursor() as cur:
        cur.execute("SELECT version()")
        version = cur.fetchone()[0]
        cur.execute("SELECT name, setting, unit FROM pg_settings WHERE name = ANY(%s) ORDER BY name",
                    (["shared_buffers", "work_mem", "synchronous_commit", "fsync", "max_wal_size", "wal_sync_method"],))
        settings = {name: f"{setting}{' x ' + unit if unit else ''}" for name, setting, unit in cur.fetchall()}
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout
    dirty = subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True).stdout
    return {
        "cores": os.cpu_count(), "cpu_model": first("/proc/cpuinfo", "model name"),
        "memory_gb": round(int(memory.split()[0]) / 1024 / 1024, 1) if memory else None,
        "os": platform.platform(), "python": sys.version.split()[0], "postgresql": version,
        "postgresql_settings": settings, "load_average_at_start": os.getloadavg(),
        "packages": {name: _version(name) for name in PACKAGES},
        "git_commit": commit.strip(), "uncommitted_files": len(dirty.splitlines()),
    }


def _isolated(fn: Any, *args: Any) -> Any:
    """Run a measurement in a fresh interpreter: its in-process timings owe nothing to this process's heap."""
    with mp.get_context("spawn").Pool(1) as pool:
        return pool.apply(fn, args)


def _version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--counties", type=int, default=7)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--workers", type=int, default=max(2, os.cpu_count() or 2))
    parser.add_argument("--runs", type=int, default=RUNS)
    parser.add_argument("--budget-minutes", type=float, default=30.0)
    parser.add_argument("--skip-profiles", action="store_true")
    parser.add_argument("--only", nargs="+", choices=SECTIONS, metavar="SECTION",
                        help="Measure only these sections (" + ", ".join(SECTIONS) + "); the others are kept from "
                        "bench-results/results.json, which must exist, and the report says so.")
    parser.add_argument("--report-only", action="store_true",
                        help="Only write BENCHMARKS.md again from bench-results/results.json.")
    args = parser.parse_args(argv)
    if args.report_only:
        with open(RESULTS / "results.json", encoding="utf-8") as saved:
            bench_report.write(json.load(saved), ROOT / "BENCHMARKS.md")
        return 0
    started = time.monotonic()
    budget_end = started + args.budget_minutes * 60
    RESULTS.mkdir(exist_ok=True)
    results: dict[str, Any] = {"started_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "runs": args.runs}
    wanted = set(args.only or SECTIONS)
    if args.only:
        with open(RESULTS / "results.json", encoding="utf-8") as saved:
            earlier = json.load(saved)
        results.update({k: earlier[k] for k in SECTIONS if k not in wanted and k in earlier})
        results["partial_rerun"] = {"measured": sorted(wanted), "kept_from": earlier["started_at"]}
        results["profiles"] = earlier.get("profiles")
    results["machine"] = machine()
    log(f"machine: {results['machine']['cores']} cores, {results['machine']['memory_gb']} GB, "
        f"{results['machine']['cpu_model']}; {results['machine']['postgresql'].split(' on ')[0]}")
    spec = DatasetSpec(args.counties, args.scale, args.seed)
    # What the measurements after the build need: 2026-12-02 (a slow day) appends 3 min + 32 clients 2 min,
    # rebuild 5 min, views, proofs and pages 2 min, profiles 1 min.
    reserve = 13 * 60
    dataset = ensure_dataset(spec, args.workers, max(60.0, budget_end - time.monotonic() - reserve), log)
    results["dataset"] = dataset
    sections: dict[str, float] = {}

    profiles: dict[str, Any] = dict(results.get("profiles") or {})
    if "append" in wanted:
        section = time.monotonic()
        log("1+2. appends through HTTP (scratch database)")
        with scratch_database("append") as scratch:
            results["append"] = _isolated(bench_append.measure, scratch, args.runs, log)
            sections["append"] = time.monotonic() - section
            if not args.skip_profiles:
                log("profiles: appends, rebuild (scratch database)")
                profiles.update({"append": bench_profiles.append_profiles(scratch),
                                 "rebuild": bench_profiles.rebuild_profile(scratch)})
    if "rebuild" in wanted:
        section = time.monotonic()
        log(f"3. rebuild from position 0 over {dataset['events']:,} events ({spec.name})")
        results["rebuild"] = bench_rebuild.measure(spec.name, args.runs, log)
        sections["rebuild"] = time.monotonic() - section
    if "views" in wanted:
        section = time.monotonic()
        log("4. audit views")
        left = max(30.0, budget_end - time.monotonic() - 150)
        results["views"] = _isolated(bench_views.measure, spec.name, args.runs, log, 60,
                                     min(75.0, left / args.runs / 2))
        sections["views"] = time.monotonic() - section
    if "proofs" in wanted:
        section = time.monotonic()
        log("5. proofs")
        results["proofs"] = _isolated(bench_proofs.measure, spec.name, args.runs, log)
        sections["proofs"] = time.monotonic() - section
    if "pages" in wanted:
        section = time.monotonic()
        log("6. workbench pages (issue 13: 300 ms p50)")
        results["pages"] = _isolated(bench_pages.measure, url_of(spec.name), spec.key_file)
        sections["pages"] = time.monotonic() - section
    if not args.skip_profiles and {"views", "proofs"} & wanted:
        log("profiles: views, proofs (dataset)")
        profiles["views"] = bench_profiles.view_profile(spec.name)
        profiles["proofs"] = bench_profiles.proof_profile(spec.name)
    results["profiles"] = profiles or None
    if profiles:
        bench_profiles.save({f"{name} {part}": body for name, groups in profiles.items()
                             for part, body in (groups.items() if name == "append" else [("", groups)])})
    results["sections_seconds"] = {k: round(v, 1) for k, v in sections.items()}
    results["total_seconds"] = round(time.monotonic() - started, 1)
    with open(RESULTS / "results.json", "w", encoding="utf-8") as out:
        json.dump(results, out, indent=2, ensure_ascii=False, default=str)
    bench_report.write(results, ROOT / "BENCHMARKS.md")
    log(f"done in {results['total_seconds'] / 60:.1f} min: bench-results/results.json, BENCHMARKS.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
