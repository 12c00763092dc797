"""Starting a Telegram transport when the Bot API cannot be reached yet: say so once, keep trying.

A network outage, a DNS hiccup or a proxy that is not up yet at boot is a matter of waiting, as
it is once running; the operator needs one line saying what cannot be reached, not a traceback.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from bot.telegram.transport import Receive, Transport, Unreachable

log = logging.getLogger(__name__)
FIRST_WAIT_S = 1.0
LONGEST_WAIT_S = 60.0


async def start_when_reachable(transport: Transport, receive: Receive, api_url: str, *,
                               sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
                               first: float = FIRST_WAIT_S, longest: float = LONGEST_WAIT_S
                               ) -> None:
    """`transport.start(receive)`, retried with doubling waits while the API is unreachable."""
    wait, failures = first, 0
    while True:
        try:
            await transport.start(receive)
        except Unreachable as trouble:
            if not failures:
                log.warning("telegram: cannot reach the Bot API at %s (%s); trying again with "
                            "back-off up to %g s", api_url, trouble, longest)
            failures += 1
            await sleep(wait)
            wait = min(wait * 2, longest)
            continue
        if failures:
            log.warning("telegram: reached the Bot API at %s after %d failed attempts",
                        api_url, failures)
        return
