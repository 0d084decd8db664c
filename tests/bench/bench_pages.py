"""The workbench's pages: latency of each page on the demo county, in process (TestClient, one worker).

    python -m tests.bench.bench_pages DATABASE_URL KEY_FILE [--samples 40]

Signed in as the street auditor of the demo's first street. Each period page is asked for a random
CO and period (2023-2025), so most answers miss the page cache; the dashboard and the worklist are
asked once cold and then again (rows from the memory cache, as on a second visit while the log has
not moved). Cold: the first visit after the log moved once the warmer (``Workbench.warm``, run in
the background by the server) has stored the rows of the newest year, with the memory caches
dropped (as after a restart); the warmer's own time for the whole county is reported beside.
Target (issue 13): 300 ms p50 at scale 1.0.
"""
from __future__ import annotations

import argparse
import json
import random
import re
import time
from pathlib import Path
from typing import Any, Callable

from fastapi.testclient import TestClient

from tests.bench.bench_support import percentile

TARGET_MS = 300.0


def measure(database_url: str, key_file: Path, samples: int = 40, seed: int = 42,
            log: Callable[[str], None] = print) -> dict[str, Any]:
    from ledger.adapters.sql.tokens import issue_token
    from ledger.bootstrap import build_services
    from ledger.entrypoints.http.app import create_app
    from ledger.settings import Settings

    settings = Settings(database_url=database_url, key_file=key_file)
    services = build_services(settings)
    orgs = services.reader.organizations()
    street = orgs[0]["street"]
    token = issue_token(services.engine, "auditor", street=street).token
    mine = [o["org_id"] for o in orgs if o["street"] == street]
    rng = random.Random(seed)
    timings: dict[str, list[float]] = {}
    app = create_app(settings, services=services)
    with TestClient(app) as client:
        form = client.get("/ui/login")
        csrf = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)  # type: ignore[union-attr]
        assert client.post("/ui/login", data={"csrf": csrf, "token": token}, follow_redirects=False).status_code == 303

        def hit(name: str, path: str) -> None:
            started = time.perf_counter()
            response = client.get(path)
            elapsed = (time.perf_counter() - started) * 1000
            if response.status_code != 200:
                raise RuntimeError(f"{path}: {response.status_code} {response.text[:200]}")
            timings.setdefault(name, []).append(elapsed)

        started = time.perf_counter()
        warmed = app.state.workbench.warm(2025, street)  # the street the auditor sees, not the province
        warm_s = time.perf_counter() - started
        log(f"  warmer: {warmed} COs in {warm_s:.1f} s (background, off the request path)")
        for name in ("dashboard", "worklist"):
            path = "/ui/" if name == "dashboard" else "/ui/worklist"
            for _ in range(5):
                app.state.workbench.forget()
                hit(f"{name} (cold)", path + "?year=2025")
            for _ in range(5):
                hit(f"{name} (cached views)", path + "?year=2025")
        for _ in range(samples):
            org = rng.choice(mine)
            month, quarter, year = (f"{rng.choice((2023, 2024, 2025))}-{rng.randint(1, 12):02d}",
                                    f"{rng.choice((2023, 2024, 2025))}-Q{rng.randint(1, 4)}",
                                    str(rng.choice((2023, 2024, 2025))))
            hit("CO calendar", f"/ui/orgs/{org}")
            hit("month page", f"/ui/orgs/{org}/periods/{month}")
            hit("quarter page", f"/ui/orgs/{org}/periods/{quarter}")
            hit("year page", f"/ui/orgs/{org}/periods/{year}")
            hit("account ledger", f"/ui/orgs/{org}/accounts/102?period={month}")
            hit("replay", f"/ui/orgs/{org}/periods/{quarter}/replay?known_at=1000")
            hit("workbook (year)", f"/ui/orgs/{org}/periods/{year}/workbook.xlsx")
    services.engine.dispose()
    figures = {name: {"p50_ms": round(percentile(v, 50), 1), "p95_ms": round(percentile(v, 95), 1), "n": len(v)}
               for name, v in timings.items()}
    for name, f in figures.items():
        log(f"  {name:24s} p50 {f['p50_ms']:8.1f} ms  p95 {f['p95_ms']:8.1f} ms  (n={f['n']})")
    return {"street": street, "cos": len(mine), "target_p50_ms": TARGET_MS, "figures": figures,
            "warmer": {"cos": warmed, "seconds": round(warm_s, 1)}}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("database_url")
    parser.add_argument("key_file", type=Path)
    parser.add_argument("--samples", type=int, default=40)
    args = parser.parse_args()
    print(json.dumps(measure(args.database_url, args.key_file, args.samples), indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
