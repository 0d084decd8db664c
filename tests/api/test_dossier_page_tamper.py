"""The dossier page (both databases) shows its proofs verified, and NOT verified once a stored event's
bytes were changed behind the ledger's back (the append-only trigger dropped and restored, as in
tests/storage/test_tamper.py): the changed event's row fails, the others still verify."""
from __future__ import annotations

import re

from tests.api.conftest import Api
from tests.api.test_workbench import fresh_client
from tests.api.workbench_support import seed_co, sign_in
from tests.storage.test_tamper import rewrite_stored_event

PAGE = "/ui/orgs/TC-001/entities/HT-2024-001"


def _rows(html: str) -> dict[int, str]:
    table = html[html.index('id="dossier-events"'):]
    return {int(m.group(1)): m.group(2) for m in
            re.finditer(r"<tr><td>(\d+)</td>.*?<td class=\"(ok|error)\">", table[:table.index("</table>")], re.S)}


def test_a_tampered_event_shows_as_not_verified_on_the_dossier_page(api: Api) -> None:
    tokens = seed_co(api)
    client = sign_in(fresh_client(api), tokens["auditor"])
    healthy = client.get(PAGE).text
    assert re.search(r'id="dossier-result" class="ok">[^<]*已验证', healthy)
    rows = _rows(healthy)
    assert len(rows) >= 4 and set(rows.values()) == {"ok"}

    received = api.services.reader.records(org_ids=["TC-001"], type="RentReceived", limit=1)[0]
    rewrite_stored_event(api.services, received.position, lambda data: data.update(amount="15.00"))

    tampered = client.get(PAGE).text
    assert re.search(r'id="dossier-result" class="error">[^<]*验证失败', tampered)
    after = _rows(tampered)
    assert after[received.position] == "error"
    assert {p for p, state in after.items() if state == "ok"} == set(rows) - {received.position}
