"""One CO's story told through the HTTP API, then read back; and the same lease without its resolution.

书华社区东关股份经济合作社 (Dongguan, Shuhua community, Tancheng street): founded in 2021 with an
inventory and a member register, it leases its shop front for 50,000 yuan a year in 2025 after a
congress vote and a filing with the street, books every rent, corrects a voucher by reversal and
pays its 2025 dividends. Every Chinese name travels through the API and back unchanged.
"""
from __future__ import annotations

from typing import Any

from tests.api.conftest import Api

ORG = "TC-001"
NAME = "书华社区东关股份经济合作社"
STREET = "郯城街道"
LESSEE = "郯城县鑫隆商贸有限公司"
SHOP = "人民路临街门面房1号"


def ev(type_: str, entity_id: str, day: str, **data: Any) -> dict[str, Any]:
    return {"type": type_, "entity_id": entity_id, "effective_date": day, "data": data}


def voucher(number: str, day: str, description: str, *lines: tuple[str, str, str]) -> dict[str, Any]:
    return ev("VoucherPosted", number, day, description=description, attachments=1,
              lines=[{"account": a, "side": s, "amount": m} for a, s, m in lines])


def rent_voucher(number: str, day: str, amount: str, quarter: str) -> dict[str, Any]:
    return voucher(number, day, f"收{LESSEE}{SHOP}{quarter}租金", ("102", "debit", amount), ("501", "credit", amount))


FOUNDING = [
    ev("GoverningBodyElected", ORG, "2021-03-01", body="representatives", seats=25, chair="张秀英",
       term_end="2026-03-31"),
    ev("GoverningBodyElected", ORG, "2021-07-15", body="congress", seats=120, term_end="2026-07-14"),
    ev("GoverningBodyElected", ORG, "2021-07-15", body="board", seats=5, chair="李建国",
       members=["李建国", "张秀英", "王德明", "刘桂兰", "孙志强"], term_end="2026-07-14"),
    ev("GoverningBodyElected", ORG, "2021-07-15", body="supervisory", seats=3, chair="赵玉兰",
       members=["赵玉兰", "陈国华", "徐丽"], term_end="2026-07-14"),
]
INVENTORY = [
    ev("InventoryBatchOpened", "QC-2021", "2021-03-10", title="2021年度清产核资", as_of="2020-12-31",
       scope="全部经营性资产、资源性资产和资金", led_by="东关清产核资工作小组（郯城县正信会计师事务所）"),
    ev("AssetRegistered", "ZC-MF-001", "2021-03-20", batch_id="QC-2021", name=SHOP, category="fixed_asset",
       location="人民路88号", book_value="180000.00", appraised_value="260000.00",
       appraised_annual_rent="48000.00", description="砖混结构两层，建筑面积126平方米，房产证郯房字第0421号"),
    ev("AssetRegistered", "ZC-SC-001", "2021-03-20", batch_id="QC-2021", name="东关农贸市场", category="fixed_asset",
       location="东关街16号", book_value="1200000.00", appraised_value="2600000.00", appraised_annual_rent="150000.00"),
    ev("AssetRegistered", "ZC-YT-001", "2021-03-21", batch_id="QC-2021", name="东湖鱼塘（12亩）", category="resource",
       location="东湖村东", book_value="0.00", appraised_value="96000.00", appraised_annual_rent="8000.00"),
    ev("AssetRegistered", "ZC-ZJ-001", "2021-03-21", batch_id="QC-2021", name="银行存款（郯城农商银行）",
       category="fund", location="郯城农村商业银行城关支行", book_value="356400.55", appraised_value="356400.55"),
    ev("InventoryPublished", "QC-2021", "2021-04-10", channels=["村务公开栏", "微信群", "网上公开平台"], notice_days=7,
       note="公示期内无异议"),
]
MEMBERS = [
    ev("MemberQualified", "GD-0001", "2021-05-10", name="张秀英", household_id="HH-001",
       basis="household_registration", relation="户主"),
    ev("MemberQualified", "GD-0002", "2021-05-10", name="李建国", household_id="HH-001", basis="marriage",
       relation="配偶"),
    ev("MemberQualified", "GD-0003", "2021-05-10", name="李明", household_id="HH-001", basis="birth", relation="子"),
    ev("SharesAllotted", "GD-0001", "2021-06-30", shares=2, share_class="人口股+劳龄股"),
    ev("SharesAllotted", "GD-0002", "2021-06-30", shares=2, share_class="人口股+劳龄股"),
    ev("SharesAllotted", "GD-0003", "2021-06-30", shares=1, share_class="人口股"),
]
MOVED_AWAY = ev("MemberQualified", "GD-0004", "2021-09-20", name="王建华", household_id="HH-002", basis="moved_away",
                relation="户主", resolution_id="JY-2021-09-01", note="2015年因工作外迁，2021年户籍迁回")
SPECIAL_CASE = [
    ev("MeetingConvened", "HY-2021-09", "2021-09-15", body="representatives", present=22, place="东关社区会议室",
       agenda=["关于外迁人员王建华股东资格认定的议案"]),
    ev("MotionVoted", "JY-2021-09-01", "2021-09-15", meeting_id="HY-2021-09",
       motion="关于外迁人员王建华股东资格认定的决议", votes_for=19, votes_against=2, abstentions=1),
    MOVED_AWAY,
]
CONGRESS_VOTE = [
    ev("MeetingConvened", "HY-2024-12", "2024-12-01", body="congress", present=100, place="东关社区党群服务中心",
       agenda=[f"关于出租{SHOP}的议案"]),
    ev("MotionVoted", "JY-2024-12-01", "2024-12-01", meeting_id="HY-2024-12", motion=f"关于出租{SHOP}的决议",
       major=True, matter_code="资产租赁", votes_for=90, votes_against=6, abstentions=4),
    ev("MajorMatterReported", "BB-2024-001", "2024-12-03", matter_code="资产租赁", subject=f"出租{SHOP}，年租金5万元",
       subject_id="HT-2025-001", amount="50000.00", resolution_id="JY-2024-12-01", reported_to="郯城街道办事处"),
    ev("MajorMatterFiled", "BB-2024-001", "2024-12-06", filed_by="郯城街道农经站", filing_number="郯街备〔2024〕17号"),
]
LEASE = {"asset_id": "ZC-MF-001", "lessee": LESSEE, "lessee_id": "91371322MA3C8XYZ1K", "start": "2025-01-01",
         "end": "2025-12-31", "rent": {"amount": "12500.00", "period": "quarterly"}, "deposit": "5000.00",
         "purpose": "超市经营"}
"""50,000 yuan over its term: a major matter at the seed's 30,000-yuan threshold."""
SIGNING = [ev("LeaseSigned", "HT-2025-001", "2024-12-20", **LEASE, resolution_id="JY-2024-12-01",
              filing_id="BB-2024-001")]


def invoice(quarter: int, start: str, end: str) -> dict[str, Any]:
    return ev("RentInvoiced", "HT-2025-001", start, amount="12500.00", period_start=start, period_end=end,
              due=start[:8] + "10", invoice_no=f"东关租字2025-{quarter}号")


RENTS = [
    invoice(1, "2025-01-01", "2025-03-31"),
    ev("RentReceived", "HT-2025-001", "2025-01-08", amount="12500.00", receipt_no="0000101"),
    rent_voucher("PZ-20250108-001", "2025-01-08", "12500.00", "第一季度"),
    invoice(2, "2025-04-01", "2025-06-30"),
    ev("RentReceived", "HT-2025-001", "2025-05-20", amount="12500.00", receipt_no="0000102",
       note="逾期补交2025年第二季度租金（应于4月10日前缴纳）"),
    rent_voucher("PZ-20250520-001", "2025-05-20", "12500.00", "第二季度"),
    invoice(3, "2025-07-01", "2025-09-30"),
    ev("RentReceived", "HT-2025-001", "2025-07-08", amount="12500.00", receipt_no="0000103"),
    rent_voucher("PZ-20250708-001", "2025-07-08", "1250.00", "第三季度"),
    ev("VoucherReversed", "PZ-20250710-001", "2025-07-10", reverses="PZ-20250708-001",
       reason="金额录入错误（少记一位），红字冲销"),
    rent_voucher("PZ-20250710-002", "2025-07-10", "12500.00", "第三季度"),
    invoice(4, "2025-10-01", "2025-12-31"),
    ev("RentReceived", "HT-2025-001", "2025-10-09", amount="12500.00", receipt_no="0000104"),
    rent_voucher("PZ-20251009-001", "2025-10-09", "12500.00", "第四季度"),
]
DISTRIBUTION = [
    ev("MeetingConvened", "HY-2025-12", "2025-12-20", body="congress", present=96, agenda=["2025年度收益分配方案"]),
    ev("MotionVoted", "JY-2025-12-01", "2025-12-20", meeting_id="HY-2025-12", motion="关于2025年度收益分配方案的决议",
       major=True, matter_code="收益分配", votes_for=88, votes_against=5, abstentions=3),
    ev("DistributionDeclared", "FP-2025", "2025-12-22", resolution_id="JY-2025-12-01", fiscal_year=2025,
       distributable="50000.00", reserve_fund="10000.00", member_distribution="36000.00", rate_per_share="300.00",
       note="先提取公积公益金10000元，余额按股分配"),
    voucher("PZ-20251222-001", "2025-12-22", "提取公积公益金并计提2025年度股东分红", ("322", "debit", "46000.00"),
            ("311", "credit", "10000.00"), ("211", "credit", "36000.00")),
    ev("DividendPaid", "FH-2025-0001", "2025-12-28", distribution_id="FP-2025", member_id="GD-0001", amount="600.00"),
    ev("DividendPaid", "FH-2025-0002", "2025-12-28", distribution_id="FP-2025", member_id="GD-0002", amount="600.00"),
    ev("DividendPaid", "FH-2025-0003", "2025-12-28", distribution_id="FP-2025", member_id="GD-0003", amount="300.00",
       method="cash"),
    voucher("PZ-20251228-001", "2025-12-28", "支付2025年度股东分红", ("211", "debit", "1500.00"),
            ("102", "credit", "1500.00")),
]
CHAPTERS = [FOUNDING, INVENTORY, MEMBERS, SPECIAL_CASE, CONGRESS_VOTE, SIGNING, RENTS, DISTRIBUTION]
RESOLUTIONS = ["JY-2021-09-01", "JY-2024-12-01", "JY-2025-12-01"]


def register(api: Api, org_id: str = ORG, mode: str = "reject") -> str:
    api.register_org(org_id, street=STREET, name=NAME, qualification_cutoff="2021-06-30", policy={"mode": mode})
    return api.token("cooperative", org_id=org_id)


def appended(api: Api, token: str, events: list[dict[str, Any]], org_id: str = ORG) -> list[dict[str, Any]]:
    response = api.append(org_id, token, events)
    assert response.status_code == 201, response.text
    return list(response.json()["events"])


def refused(api: Api, token: str, events: list[dict[str, Any]], rule: str, org_id: str = ORG) -> dict[str, Any]:
    response = api.append(org_id, token, events)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem: dict[str, Any] = response.json()
    assert problem["rule"] == rule and problem["type"].endswith("/" + rule), problem
    return problem


def all_events(api: Api, token: str, org_id: str = ORG, limit: int = 7) -> list[dict[str, Any]]:
    """Page through the CO's events ``limit`` at a time until next_after is null."""
    events: list[dict[str, Any]] = []
    after: int | None = 0
    while after is not None:
        page = api.request("GET", f"/v1/orgs/{org_id}/events", token=token, params={"after": after, "limit": limit})
        assert page.status_code == 200, page.text
        events += page.json()["events"]
        after = page.json()["next_after"]
    return events


def tell_the_story(api: Api) -> str:
    token = register(api)
    for chapter in CHAPTERS[:3]:
        appended(api, token, chapter)
    refused(api, token, [{**MOVED_AWAY, "data": {k: v for k, v in MOVED_AWAY["data"].items() if k != "resolution_id"}}],
            "special-case-needs-resolution")
    for chapter in CHAPTERS[3:-1]:
        appended(api, token, chapter)
    appended(api, token, DISTRIBUTION)
    return token


def test_the_story_is_accepted_and_reads_back_in_log_order(api: Api) -> None:
    token = tell_the_story(api)
    events = all_events(api, token)
    sent = sum(len(chapter) for chapter in CHAPTERS)
    assert len(events) == 1 + sent + len(RESOLUTIONS)
    positions = [e["position"] for e in events]
    assert positions == sorted(positions) and len(set(positions)) == len(positions)
    adopted = {e["entity_id"]: e for e in events if e["type"] == "ResolutionAdopted"}
    assert sorted(adopted) == RESOLUTIONS
    congress = adopted["JY-2024-12-01"]["data"]
    assert (congress["body"], congress["major"], congress["votes_needed"], congress["quorum_needed"]) == \
        ("congress", True, 80, 80)
    assert all(e["flags"] == [] for e in events)
    assert {e["actor"] for e in events if e["type"] == "LeaseSigned"} == {events[-1]["actor"]}


def test_the_lease_reads_back_as_state_and_history(api: Api) -> None:
    token = tell_the_story(api)
    state = api.request("GET", f"/v1/orgs/{ORG}/entities/HT-2025-001", token=token).json()
    assert (state["kind"], state["version"]) == ("lease", 1 + 4 + 4)
    lease = state["state"]
    assert (lease["lessee"], lease["purpose"], lease["status"]) == (LESSEE, "超市经营", "active")
    assert (lease["invoiced"], lease["received"], lease["deposit"]) == (5_000_000, 5_000_000, 500_000)
    history = api.request("GET", f"/v1/orgs/{ORG}/entities/HT-2025-001/history", token=token).json()
    assert [e["type"] for e in history] == ["LeaseSigned"] + ["RentInvoiced", "RentReceived"] * 4
    signed = history[0]["data"]
    assert signed["rent"] == {"amount": "12500.00", "period": "quarterly"}
    assert (signed["resolution_id"], signed["filing_id"]) == ("JY-2024-12-01", "BB-2024-001")
    late = history[4]
    assert (late["effective_date"], late["data"]["note"]) == ("2025-05-20", RENTS[4]["data"]["note"])


def test_the_reversal_the_dividends_and_the_members_read_back(api: Api) -> None:
    token = tell_the_story(api)
    get = lambda entity_id: api.request("GET", f"/v1/orgs/{ORG}/entities/{entity_id}", token=token).json()  # noqa: E731
    assert get("PZ-20250710-001")["state"]["reverses"] == "PZ-20250708-001"
    assert get("PZ-20250710-002")["state"]["lines"][0]["amount"] == 1_250_000
    assert get("FP-2025")["state"]["reserve_fund"] == 1_000_000
    assert get("GD-0004")["state"]["basis"] == "moved_away"
    refused(api, token, [ev("SharesAllotted", "GD-0004", "2021-09-21", shares=1)], "shares-allotted-after-cutoff")
    refused(api, token, [ev("DividendPaid", "FH-2025-0004", "2025-12-29", distribution_id="FP-2025",
                            member_id="GD-0003", amount="300.00")], "dividend-exceeds-entitlement")
    refused(api, token, [ev("VoucherReversed", "PZ-20250711-001", "2025-07-11", reverses="PZ-20250708-001",
                            reason="重复冲销")], "voucher-already-reversed")


def test_chinese_names_round_trip_intact(api: Api) -> None:
    token = tell_the_story(api)
    orgs = api.request("GET", "/v1/orgs", token=token).json()
    assert [(o["name"], o["street"]) for o in orgs] == [(NAME, STREET)]
    raw = api.request("GET", f"/v1/orgs/{ORG}/events", token=token, params={"limit": 1000})
    assert SHOP in raw.text and "郯街备〔2024〕17号" in raw.text
    sent = {(e["entity_id"], e["type"]): e["data"] for chapter in CHAPTERS for e in chapter}
    for stored in raw.json()["events"]:
        data = sent.get((stored["entity_id"], stored["type"]))
        if data is not None and stored["type"] in ("AssetRegistered", "MemberQualified", "InventoryBatchOpened",
                                                   "MotionVoted", "MajorMatterFiled", "VoucherReversed"):
            assert {k: stored["data"][k] for k in data} == data


def shop_front_co(api: Api, org_id: str, mode: str = "reject") -> str:
    token = register(api, org_id, mode)
    appended(api, token, INVENTORY[:2] + INVENTORY[3:4], org_id)
    return token


UNAPPROVED = ev("LeaseSigned", "HT-2025-001", "2024-12-20", **LEASE)


def test_the_lease_without_its_resolution_is_refused_in_reject_mode(api: Api) -> None:
    token = shop_front_co(api, "TC-002")
    before = len(all_events(api, token, "TC-002"))
    problem = refused(api, token, [UNAPPROVED], "major-matter-resolution", "TC-002")
    assert "50000.00" in problem["detail"] and problem["values"]["threshold"] == "30000.00"
    assert len(all_events(api, token, "TC-002")) == before
    missing = api.request("GET", "/v1/orgs/TC-002/entities/HT-2025-001", token=token)
    assert missing.status_code == 404


def test_the_lease_without_its_resolution_is_stored_with_flags_in_flag_mode(api: Api) -> None:
    token = shop_front_co(api, "TC-002")
    appended(api, token, [ev("MajorMatterPolicySet", "TC-002", "2024-12-01",
                             policy={"threshold": "30000.00", "mode": "flag"})], "TC-002")
    receipt = appended(api, token, [UNAPPROVED], "TC-002")
    assert [f["rule"] for f in receipt[0]["flags"]] == ["major-matter-resolution", "major-matter-filing"]
    stored = all_events(api, token, "TC-002")[-1]
    assert (stored["type"], stored["flags"]) == ("LeaseSigned", receipt[0]["flags"])
    assert stored["flags"][0]["values"]["amount"] == "50000.00"


def test_a_below_value_lease_is_flagged_whatever_the_mode(api: Api) -> None:
    token = shop_front_co(api, "TC-003")
    pond = ev("LeaseSigned", "HT-2025-002", "2024-12-28", asset_id="ZC-YT-001", lessee="刘德胜", start="2025-01-01",
              end="2027-12-31", rent={"amount": "6000.00", "period": "yearly"}, purpose="水产养殖")
    receipt = appended(api, token, [pond], "TC-003")
    assert [f["rule"] for f in receipt[0]["flags"]] == ["below-value-lease"]
    assert receipt[0]["flags"][0]["values"] == {"lease_id": "HT-2025-002", "asset_id": "ZC-YT-001", "rent": "6000.00",
                                                "period": "yearly", "appraised_annual_rent": "8000.00"}
    assert "东湖鱼塘（12亩）" in receipt[0]["flags"][0]["detail"]
