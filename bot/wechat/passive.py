"""The passive reply: the first message owed to a person, answered in the callback's own response.

WeChat shows whatever the callback answers within 5 s, free of the customer-service window.
Three ways lead there, and each message still goes exactly once:
- in `gridbot run`, `PassiveReplies` is the chat's courier for channel "wechat": a turn's
  messages are written leased to it and handed over the moment they commit, so the first one
  owed to a person whose callback is waiting goes into that callback's response, and the rest
  (and everyone else's) go on to the outbox sender. No sender can lease that reply first;
- the callback claims the first owed outbox row itself and marks it sent (replies written
  without a courier: tests, tools);
- or, when the outbox sender got to that row first, the transport hands the message to the
  waiting callback instead of sending it.
"""
from __future__ import annotations

import asyncio
from collections import defaultdict
from dataclasses import dataclass, field

from handlers.deps import Courier
from handlers.messages import Outbound
from storage.records import OutboxMessage
from storage.repositories.chat_log import first_owed
from storage.uow import UnitOfWork


@dataclass(frozen=True)
class Handed:
    """A reply given to a waiting callback; `row` is its outbox id when the callback must
    record it as sent (a courier hand-over), None when the sender records it."""

    out: Outbound
    row: int | None = None


@dataclass
class Slot:
    reply: asyncio.Future[Handed] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future())
    after: list[OutboxMessage] = field(default_factory=list)   # held until the callback answers

    def offer(self, out: Outbound, row: int | None = None) -> bool:
        if self.reply.done():
            return False
        self.reply.set_result(Handed(out, row))
        return True

    def close(self) -> Handed | None:
        """No more hand-overs; what was handed over, if anything. No await: nothing slips in."""
        if self.reply.done():
            return None if self.reply.cancelled() else self.reply.result()
        self.reply.cancel()
        return None


class PassiveReplies:
    """Callbacks waiting for a reply to carry, one per address; the chat's courier for them.

    `sender` (the channel's OutboxSender, itself a courier) takes every message that does not
    go into a callback's response.
    """

    channel = "wechat"

    def __init__(self, sender: Courier | None = None) -> None:
        self._open: dict[str, Slot] = {}
        self.sender = sender

    def hand(self, messages: list[OutboxMessage]) -> None:
        """The chat's side: just-committed messages, leased to us. No await: nothing slips in."""
        onward: list[OutboxMessage] = []
        by_address: dict[str, list[OutboxMessage]] = defaultdict(list)
        for message in messages:
            by_address[message.address].append(message)
        for address, mine in by_address.items():
            slot = self._open.get(address)
            first = Outbound.from_payload(self.channel, address, mine[0].payload)
            if slot is not None and passive_kind(first) and slot.offer(first, mine[0].id):
                slot.after.extend(mine[1:])       # after the passive reply, not before it
            elif slot is not None and slot.reply.done():
                slot.after.extend(mine)
            else:
                onward.extend(mine)
        self._onward(onward)

    def _onward(self, messages: list[OutboxMessage]) -> None:
        if messages and self.sender is not None:
            self.sender.hand(messages)

    def open(self, address: str) -> Slot:
        slot = Slot()
        self._open[address] = slot
        return slot

    def close(self, address: str, slot: Slot) -> Handed | None:
        """The callback answers: what it carries, if anything; what waited goes on to the sender."""
        if self._open.get(address) is slot:
            del self._open[address]
        handed = slot.close()
        after, slot.after = slot.after, []
        self._onward(after)
        return handed

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
