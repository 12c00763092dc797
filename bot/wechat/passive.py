"""The passive reply: the first message owed to a person, answered in the callback's own response.

WeChat shows whatever the callback answers within 5 s, free of the customer-service window.
Two ways lead there, and each message still goes exactly once:
- the callback claims the first owed outbox row itself and marks it sent;
- or, when the outbox sender got to that row first (it is kicked on every commit), the
  transport hands the message to the waiting callback instead of sending it.
"""
from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from handlers.messages import Outbound
from storage.repositories.chat_log import first_owed
from storage.uow import UnitOfWork


@dataclass
class Slot:
    reply: asyncio.Future[Outbound] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future())

    def offer(self, out: Outbound) -> bool:
        if self.reply.done():
            return False
        self.reply.set_result(out)
        return True

    def close(self) -> Outbound | None:
        """No more hand-overs; what was handed over, if anything. No await: nothing slips in."""
        if self.reply.done():
            return None if self.reply.cancelled() else self.reply.result()
        self.reply.cancel()
        return None


class PassiveReplies:
    """Callbacks waiting for a reply to carry, one per address."""

    def __init__(self) -> None:
        self._open: dict[str, Slot] = {}

    def open(self, address: str) -> Slot:
        slot = Slot()
        self._open[address] = slot
        return slot

    def close(self, address: str, slot: Slot) -> Outbound | None:
        if self._open.get(address) is slot:
            del self._open[address]
        return slot.close()

    def hand_over(self, out: Outbound) -> bool:
        """The transport's side: True when a waiting callback took this message to answer with."""
        slot = self._open.get(out.external_id)
        return slot is not None and passive_kind(out) and slot.offer(out)


def passive_kind(out: Outbound) -> bool:
    """A passive text reply carries text (and numbered choices), not a photo."""
    return out.photo is None and bool(out.text)


async def claim_first(uow: UnitOfWork, channel: str, address: str) -> Outbound | None:
    """Take the first message owed to `address` if it can be a passive reply, and mark it sent."""
    owed = await first_owed(uow.session, channel, address, uow.clock.now())
    if owed is None or owed.id is None:
        return None
    out = Outbound.from_payload(channel, address, owed.payload)
    if not passive_kind(out):
        return None   # sending a later message first would reorder the conversation
    await uow.outbox.mark_sent(owed.id)
    await uow.commit()
    return out
