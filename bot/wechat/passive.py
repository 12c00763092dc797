"""The passive reply: the first message owed to a person, answered in the callback's own response.

WeChat shows whatever the callback answers within 5 s, free of the customer-service window.
Two ways lead there, each keeping the chat's order (docs/delivery.md), and each message still
goes exactly once:
- the callback takes its person's next message itself when no sender holds it (`claim_first`,
  which claims it as the senders do and marks it sent);
- or, when this process's sender claimed it first (every commit kicks the senders), the
  transport hands it to the waiting callback instead of sending it, and the sender records it
  as sent; the callback waits for that, within its budget, when it sees the head in flight.
A sender in another worker that claims the reply sends it as a customer-service message.
"""
from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from handlers.messages import Outbound
from storage.repositories.chat_log import NextOwed, next_owed
from storage.uow import UnitOfWork


@dataclass
class Slot:
    reply: asyncio.Future[Outbound] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future())
    # Once the callback takes a reply itself, nothing is handed over: a later message handed
    # over then would be recorded as sent by its sender and never shown.
    claiming: bool = False

    def offer(self, out: Outbound) -> bool:
        if self.claiming or self.reply.done():
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
        """The callback answers: what it carries, if anything was handed over."""
        if self._open.get(address) is slot:
            del self._open[address]
        return slot.close()

    def hand_over(self, out: Outbound) -> bool:
        """The transport's side: True when a waiting callback took this message to answer with."""
        slot = self._open.get(out.external_id)
        return slot is not None and passive_kind(out) and slot.offer(out)


def passive_kind(out: Outbound) -> bool:
    """A passive text reply carries text (and numbered choices): no photo, voice or pin."""
    return (out.photo is None and not out.photos and out.voice is None and out.location is None
            and bool(out.text))


@dataclass(frozen=True)
class Claimed:
    """What the callback found: the reply it took, or whether a sender is carrying the next."""

    out: Outbound | None = None
    in_flight: bool = False


async def claim_first(uow: UnitOfWork, channel: str, address: str, slot: Slot) -> Claimed:
    """Take the next message owed to `address` if no sender holds it and it can be a passive
    reply, and mark it sent; never a later one (that would reorder the conversation).

    The read locks the chat's head (PostgreSQL) or the database (SQLite), so no sender claims
    it meanwhile; a message handed over before the read ends the claim (it is the reply), and
    once taking is decided, with no await in between, the slot refuses any hand-over.
    """
    head: NextOwed | None = await next_owed(uow.session, channel, address, uow.clock.now())
    if head is None or head.message.id is None or slot.reply.done():
        return Claimed()
    out = Outbound.from_payload(channel, address, head.message.payload)
    if not passive_kind(out):
        return Claimed()
    if head.in_flight:
        return Claimed(in_flight=True)
    if not head.due:
        return Claimed()
    slot.claiming = True
    await uow.outbox.mark_sent(head.message.id)
    await uow.commit()
    return Claimed(out)
