"""Messages that arrive together are handled together (one transaction), each as if alone."""
from __future__ import annotations

import asyncio

from sqlalchemy import event

from tests.scenarios import (
    CODE,
    onboard_resident,
    order_code,
    resident_files_rubbish,
    resident_reaches_confirm,
)

RESIDENTS = [f"resident{n}" for n in range(12)]


class Transactions:
    """Counts the transactions the chat begins."""

    def __init__(self, services):
        self.count = 0
        event.listen(services.engine.sync_engine, "begin", self._began)

    def _began(self, _connection) -> None:
        self.count += 1


async def everyone(make) -> list:
    return await asyncio.gather(*(make(user) for user in RESIDENTS))


async def test_residents_filing_at_the_same_moment_each_get_their_own_order(talk, services,
                                                                            point):
    for user in RESIDENTS:
        await onboard_resident(talk, user)
    await everyone(lambda user: talk.text(user, "/report"))
    await everyone(lambda user: talk.press(user, "cat:H01"))
    await everyone(lambda user: talk.text(user, f"{user}：楼下垃圾没人清运"))
    await everyone(lambda user: talk.press(user, "skip:"))
    await everyone(lambda user: talk.location(user, *point))
    summaries = await everyone(lambda user: talk.text(user, "跳过"))   # no phone left
    assert all("请确认" in replies[-1].text for replies in summaries)

    transactions = Transactions(services)
    filed = await everyone(lambda user: talk.press(user, "confirm:"))

    codes = [order_code(replies) for replies in filed]
    assert len(set(codes)) == len(RESIDENTS)
    assert transactions.count < len(RESIDENTS)          # they were committed together
    notices = [m.text for m in talk.inbox("leader")]
    assert all(any(code in text for text in notices) for code in codes)
    for user, code in zip(RESIDENTS, codes, strict=False):
        mine = (await talk.text(user, "/my"))[-1].text
        assert CODE.findall(mine) == [code]            # nobody sees another's order


async def test_a_refused_message_among_others_changes_nothing_and_spoils_nothing(talk, point):
    await onboard_resident(talk, "owner")
    code = await resident_files_rubbish(talk, "owner", point)
    for user in RESIDENTS:
        await onboard_resident(talk, user)

    async def stranger_signs() -> list:
        return await talk.press("stranger", f"sign:{code}")

    refused, *others = await asyncio.gather(
        stranger_signs(), *(talk.text(user, "/report") for user in RESIDENTS))

    assert "无权" in refused[-1].text
    assert all("类别" in replies[-1].text for replies in others)
    mine = (await talk.text("owner", "/my"))[-1].text
    assert code in mine and "已派单" in mine            # still waiting for its leader


async def test_the_same_update_delivered_twice_at_once_files_one_order(talk, point):
    await onboard_resident(talk, "resident")
    await resident_reaches_confirm(talk, "resident", point, "垃圾")

    first, again = await asyncio.gather(talk.press("resident", "confirm:", update_id="tap"),
                                        talk.press("resident", "confirm:", update_id="tap"))

    assert sorted([bool(first), bool(again)]) == [False, True]
    mine = (await talk.text("resident", "/my"))[-1].text
    assert len(CODE.findall(mine)) == 1


class Statements:
    """Counts the statements the chat sends to the database."""

    def __init__(self, services):
        self.count = 0
        event.listen(services.engine.sync_engine, "before_cursor_execute", self._sent)

    def _sent(self, *_args) -> None:
        self.count += 1


async def test_a_step_of_a_report_alone_costs_five_statements(talk, services):
    """A step of a dialog alone: the message's de-duplication, the person and their dialog
    (one statement), the answer into the outbox, the dialog saved, and the BEGIN. Each round
    trip is a turn's cost on every message, so one more is noticed here, not in a bench."""
    await onboard_resident(talk, "resident")
    await talk.text("resident", "/report")
    await talk.press("resident", "cat:H01")
    statements = Statements(services)
    replies = await talk.text("resident", "楼下垃圾没人清运")
    assert replies                                     # the dialog moved on and answered
    assert statements.count == 5
