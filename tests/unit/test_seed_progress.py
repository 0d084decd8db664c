"""seed-demo's progress bar: a total fixed before the first CO (the plan's COs), so its ETA can show."""
from __future__ import annotations

from typing import Any

import pytest
import rich.progress

import ledger.seed
from ledger.entrypoints.cli import seed
from ledger.seed import Tally, plan_county


def test_the_bar_total_never_moves_and_completion_only_grows(monkeypatch: pytest.MonkeyPatch) -> None:
    county = plan_county(0.005, 42)
    seen: list[dict[str, Any]] = []
    original_add, original_update = rich.progress.Progress.add_task, rich.progress.Progress.update

    def add_task(self: rich.progress.Progress, description: str, **kwargs: Any) -> Any:
        seen.append({"total": kwargs.get("total"), "completed": 0})
        return original_add(self, description, **kwargs)

    def update(self: rich.progress.Progress, task: Any, **kwargs: Any) -> None:
        seen.append({"total": kwargs.get("total", seen[0]["total"]), "completed": kwargs.get("completed")})
        original_update(self, task, **kwargs)

    def write_county(appender: object, plan: object, progress: Any, **options: Any) -> Tally:
        tally = Tally()
        for number, co in enumerate(county.cos):
            for chunk in range(3):  # several reports per CO, with estimates that jump as the writer's do
                tally.events += 100
                progress(co.org_id, tally, 1 + number * 7919 % 61_152)
        return tally

    monkeypatch.setattr(rich.progress.Progress, "add_task", add_task)
    monkeypatch.setattr(rich.progress.Progress, "update", update)
    monkeypatch.setattr(ledger.seed, "write_county", write_county)
    services = type("Services", (), {"appender": None, "views": None})()
    seed._write(services, county, "2023")  # type: ignore[arg-type]
    assert {s["total"] for s in seen} == {len(county.cos)}
    completed = [s["completed"] for s in seen if s["completed"] is not None]
    assert completed == sorted(completed) and completed[-1] == len(county.cos)
