"""Assets as the views see them: states as of a date, the changes of a period, the roll-forward by category.

Asset events are replayed in effective order (date, then log order), applied as the domain's
``Asset`` applies them; an event of an asset not yet registered, or already disposed of, as of
its date changes nothing. The roll-forward adds up the same changes, so it closes by construction.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from projections.facts import Fact
from projections.views.common import Row, by_effective_date

ASSET_TYPES = ("AssetRegistered", "AssetRevalued", "AssetTransferred", "AssetDisposed")
CATEGORIES = ("fixed_asset", "resource", "fund")
"""The categories of ``contracts.assets.AssetCategory``: 固定资产, 资源性资产, 资金."""

ROLL_COLUMNS = ("opening_fen", "additions_fen", "revaluations_fen", "disposals_fen", "closing_fen")
_COLUMN_OF = {"AssetRegistered": "additions_fen", "AssetRevalued": "revaluations_fen",
              "AssetDisposed": "disposals_fen"}


@dataclass
class AssetState:
    """One asset as its events so far leave it (the domain's ``Asset``, as plain data)."""

    asset_id: str
    name: str
    category: str
    location: str
    book_value: int
    appraised_value: int
    appraised_annual_rent: int | None
    registered_on: str
    custodian: str | None = None
    disposed_on: str | None = None
    disposal_method: str | None = None

    @property
    def held_book_value(self) -> int:
        """Book value while the CO holds the asset; 0 once disposed of."""
        return 0 if self.disposed_on else self.book_value

    def row(self) -> Row:
        return {"asset_id": self.asset_id, "name": self.name, "category": self.category, "location": self.location,
                "custodian": self.custodian, "book_value_fen": self.book_value,
                "appraised_value_fen": self.appraised_value, "appraised_annual_rent_fen": self.appraised_annual_rent,
                "registered_on": self.registered_on, "disposed_on": self.disposed_on,
                "disposal_method": self.disposal_method}


def registered_state(fact: Fact) -> AssetState:
    a = fact.attrs
    rent = a.get("appraised_annual_rent")
    return AssetState(fact.entity_id, a["name"], a["category"], a["location"], int(a["book_value"]),
                      int(a["appraised_value"]), None if rent is None else int(rent), fact.effective_date)


def apply_change(state: AssetState, fact: Fact) -> Row:
    """Apply a later event to a held asset; return what changed (the details of the change row)."""
    a = fact.attrs
    if fact.kind == "AssetRevalued":
        change = {"previous_book_value_fen": state.book_value, "previous_appraised_value_fen": state.appraised_value}
        state.appraised_value = int(a["appraised_value"])
        state.book_value = int(a.get("book_value", state.book_value))
        if "appraised_annual_rent" in a:
            state.appraised_annual_rent = int(a["appraised_annual_rent"])
        return {**change, "book_value_fen": state.book_value, "appraised_value_fen": state.appraised_value,
                "appraised_annual_rent_fen": state.appraised_annual_rent, "reason": a.get("reason"),
                "appraiser": a.get("appraiser")}
    if fact.kind == "AssetTransferred":
        change = {"from_location": state.location, "previous_custodian": state.custodian}
        state.location = a.get("to_location", state.location)
        state.custodian = a.get("custodian", state.custodian)
        return {**change, "to_location": state.location, "custodian": state.custodian, "reason": a.get("reason")}
    state.disposed_on, state.disposal_method = fact.effective_date, a.get("method")
    return {"method": state.disposal_method, "proceeds_fen": a.get("proceeds"), "book_value_fen": state.book_value,
            "appraised_value_fen": state.appraised_value, "counterparty": a.get("counterparty"),
            "reason": a.get("reason")}


def replay_assets(facts: Iterable[Fact], last: str) -> list[tuple[Fact, AssetState, int, Row]]:
    """Each asset event effective by ``last`` that changed an asset: (fact, state after, book value delta, details)."""
    states: dict[str, AssetState] = {}
    changes: list[tuple[Fact, AssetState, int, Row]] = []
    for fact in by_effective_date(f for f in facts if f.kind in ASSET_TYPES and f.effective_date <= last):
        state = states.get(fact.entity_id)
        if fact.kind == "AssetRegistered":
            if state is None:
                state = states[fact.entity_id] = registered_state(fact)
                details = {"book_value_fen": state.book_value, "appraised_value_fen": state.appraised_value,
                           "appraised_annual_rent_fen": state.appraised_annual_rent, "location": state.location,
                           "batch_id": fact.attrs.get("batch_id")}
                changes.append((fact, state, state.book_value, details))
            continue
        if state is None or state.disposed_on:
            continue
        before = state.held_book_value
        details = apply_change(state, fact)
        changes.append((fact, state, state.held_book_value - before, details))
    return changes


def asset_states(facts: Iterable[Fact], day: str) -> dict[str, AssetState]:
    """Every asset registered by ``day``, as its events effective by ``day`` leave it."""
    return {fact.entity_id: state for fact, state, _, _ in replay_assets(facts, day)}


def asset_changes(facts: Iterable[Fact], first: str, last: str) -> list[Row]:
    """The registrations, revaluations, transfers and disposals effective ``first..last``, in effective order."""
    return [
        {"date": fact.effective_date, "position": fact.position, "asset_id": state.asset_id, "name": state.name,
         "category": state.category, "change": fact.kind.removeprefix("Asset").lower(), "details": details}
        for fact, state, _, details in replay_assets(facts, last) if fact.effective_date >= first
    ]


def roll_forward(facts: Iterable[Fact], first: str, last: str) -> Row:
    """Book value by category: opening + additions + revaluations - disposals = closing, for ``first..last``."""
    table = {category: dict.fromkeys(ROLL_COLUMNS, 0) for category in CATEGORIES}
    for fact, state, delta, _ in replay_assets(facts, last):
        column = table.setdefault(state.category, dict.fromkeys(ROLL_COLUMNS, 0))
        if fact.effective_date < first:
            column["opening_fen"] += delta
        elif fact.kind in _COLUMN_OF:
            column[_COLUMN_OF[fact.kind]] += -delta if fact.kind == "AssetDisposed" else delta
    for column in table.values():
        column["closing_fen"] = (column["opening_fen"] + column["additions_fen"] + column["revaluations_fen"]
                                 - column["disposals_fen"])
    rows = [{"category": category, **table[category]} for category in sorted(table)]
    totals = {name: sum(row[name] for row in rows) for name in ROLL_COLUMNS}
    return {"categories": rows, "totals": totals}
