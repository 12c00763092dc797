"""The ledger (台账) as the district opens it: Excel's XLSX and a UTF-8 CSV, checked against
the database, on SQLite and PostgreSQL."""
from __future__ import annotations

import csv
import io
from datetime import timedelta

import openpyxl
import pytest

from domain.calendar import SHANGHAI
from handlers import texts
from handlers.ledger import Books
from handlers.ledger_files import BOM, export
from storage.order_filter import OrderFilter, subtree
from tests.handlers.conftest import MONDAY_10
from tests.ledger.conftest import PHONE, REPORTER, TYPED_ADDRESS

WEEK = OrderFilter(since=MONDAY_10 - timedelta(hours=10), until=MONDAY_10 + timedelta(days=7))
LATER = MONDAY_10 + timedelta(days=10)
IN_THE_WEEK = ["WG-20261123-0001", "WG-20261123-0002", "WG-20261124-0001", "WG-20261125-0001"]
DISTRICT_HEADERS = ["工单号", "提单时间", "渠道", "上报人类型", "类别", "紧急程度", "街道", "社区",
                    "网格", "微网格", "地点（粗化）", "描述", "状态", "承办单位", "承办人", "签收时间",
                    "办结时间", "时限", "是否超期", "退回次数", "上移次数", "满意度", "是否解决",
                    "是否重办"]


async def _file(books, form, wanted=WEEK, events=False) -> bytes:
    tree = await books.load_tree()
    stream = io.BytesIO()
    await export(Books(books.uow, tree, books.taxonomy), wanted, stream, form, events, LATER)
    return stream.getvalue()


def _csv(content: bytes) -> list[list[str]]:
    assert content.startswith(BOM)                       # Excel reads UTF-8 only with a BOM
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def _xlsx(content: bytes) -> list[list[object]]:
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    return [["" if v is None else v for v in row] for row in sheet.iter_rows(values_only=True)]


async def _orders(books, codes):
    async with books.uow() as uow:
        return [await uow.orders.get(code) for code in codes]


@pytest.mark.parametrize("form", ["csv", "xlsx"])
async def test_the_ledger_has_the_districts_columns_and_one_row_per_order_of_the_period(
        books, form):
    content = await _file(books, form)
    rows = _csv(content) if form == "csv" else _xlsx(content)
    assert rows[0] == DISTRICT_HEADERS
    by_code = {row[0]: dict(zip(DISTRICT_HEADERS, row, strict=True)) for row in rows[1:]}
    assert sorted(by_code) == IN_THE_WEEK                 # last week's order is not in it
    for order in await _orders(books, IN_THE_WEEK):
        row = by_code[order.code]
        assert row["状态"] == texts.STATE_LABELS[order.state.value]
        assert row["紧急程度"] == texts.URGENCY_LABELS[order.urgency.value]
        assert row["类别"] == books.taxonomy.get(order.category).label
        assert int(row["退回次数"]) == order.returns and int(row["上移次数"]) == order.escalations
        filed = order.created_at.astimezone(SHANGHAI)
        assert row["提单时间"] == (filed.strftime("%Y-%m-%d %H:%M") if form == "csv"
                                   else filed.replace(tzinfo=None))
    closed = by_code["WG-20261123-0001"]
    assert (closed["街道"], closed["社区"], closed["网格"], closed["微网格"]) == \
        ("锦江街道", "江畔社区", "锦江畔小区", "锦江畔3号楼")
    assert closed["地点（粗化）"] == "锦江畔小区"           # the grid, never the building typed
    assert (closed["渠道"], closed["上报人类型"], closed["承办人"]) == ("微信公众号", "居民", "陈飞")
    assert (closed["满意度"], closed["是否解决"], closed["是否重办"], closed["是否超期"]) == \
        ("满意", "是", "否", "否")
    rider = by_code["WG-20261124-0001"]
    assert (rider["渠道"], rider["上报人类型"], rider["上移次数"]) == ("Telegram", "流动网格员",
                                                                  "1" if form == "csv" else 1)
    assert rider["是否超期"] == "是"                      # still open ten days on
    assert by_code["WG-20261123-0002"]["退回次数"] in ("1", 1)


@pytest.mark.parametrize("form", ["csv", "xlsx"])
async def test_the_ledger_names_no_reporter_and_no_typed_address(books, form):
    content = await _file(books, form)
    rows = _csv(content) if form == "csv" else _xlsx(content)
    text = "\n".join(str(cell) for row in rows for cell in row)
    for secret in (REPORTER, PHONE, TYPED_ADDRESS, "501", "骑手老王"):
        assert secret not in text
    description = {row[0]: row[11] for row in rows[1:]}["WG-20261123-0001"]
    assert "垃圾没人清运" in description and "[电话]" in description


@pytest.mark.parametrize("form", ["csv", "xlsx"])
async def test_a_private_category_is_listed_but_its_words_never_are(books, form):
    """Disputes are the staff's own work and count in the figures; what was said is not
    handed on: neither the description nor the words of its history."""
    orders = await _file(books, form)
    events = await _file(books, form, events=True)
    rows = _csv(orders) if form == "csv" else _xlsx(orders)
    private = {row[0]: row for row in rows[1:]}["WG-20261123-0002"]
    assert private[11] == texts.LEDGER_PRIVATE and private[4] == "矛盾纠纷与民生 / 邻里纠纷"
    history = _csv(events) if form == "csv" else _xlsx(events)
    assert [row[2] for row in history if row[0] == "WG-20261123-0002"] == ["提交", "派单", "退回重派"]
    assert all(row[6] == "" for row in history if row[0] == "WG-20261123-0002")
    assert "秘密线索" not in orders.decode("latin-1") + events.decode("latin-1")


@pytest.mark.parametrize("form", ["csv", "xlsx"])
async def test_text_that_looks_like_a_formula_stays_text(books, form):
    rows = _csv(await _file(books, form)) if form == "csv" else _xlsx(await _file(books, form))
    description = {row[0]: row[11] for row in rows[1:]}["WG-20261124-0001"]
    assert description.startswith("'=HYPERLINK")          # shown as typed, never run


async def test_the_events_ledger_has_one_row_per_event_by_order_then_time(books):
    rows = _csv(await _file(books, "csv", events=True))
    assert rows[0] == list(texts.LEDGER_EVENT_HEADERS)
    async with books.uow() as uow:
        expected = [(code, texts.EVENT_LABELS[event.kind])
                    for code in IN_THE_WEEK for event in await uow.events.for_order(code)]
    assert [(row[0], row[2]) for row in rows[1:]] == expected
    closed = [row for row in rows if row[0] == "WG-20261123-0001"]
    assert [row[3] for row in closed] == ["报事人", "梁红", "陈飞", "陈飞", "报事人"]
    escalated = [row for row in rows if row[0] == "WG-20261124-0001"][-1]
    assert (escalated[3], escalated[6]) == ("系统", "超时未签收")


async def test_a_grids_ledger_holds_its_subtree_only(books):
    async with books.uow() as uow:
        grids = await subtree(uow.session, "JJ-01")
        assert await subtree(uow.session, "NO-SUCH") is None
    rows = _csv(await _file(books, "csv", OrderFilter(since=WEEK.since, until=WEEK.until,
                                                      grids=grids)))
    assert [row[0] for row in rows[1:]] == IN_THE_WEEK[:3]    # not 月亮湾 (JJ-02-01)


@pytest.mark.parametrize("events", [False, True])
async def test_small_batches_give_the_same_rows_as_one(books, events):
    """Batches resume exactly where the last stopped (keyset on SQLite, a cursor on PostgreSQL)."""
    from handlers.ledger import event_lines, order_lines
    lines = event_lines if events else order_lines
    source = Books(books.uow, await books.load_tree(), books.taxonomy)
    whole = [line async for batch in lines(source, WEEK, LATER, 1000) for line in batch]
    sizes, pieces = [], []
    async for batch in lines(source, WEEK, LATER, 2):
        sizes.append(len(batch))
        pieces += batch
    assert pieces == whole and len(sizes) > 1 and max(sizes) == 2
