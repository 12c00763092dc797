"""How a callback's failures are told apart: the sender's fault, the platform's, or ours."""
from __future__ import annotations

import logging

import httpx

from bot.delivery import DeliveryError
from bot.wechat.guard import Unreadable
from bot.wechat.inbound import MediaGone
from storage.media import MediaRefused

# Nothing to retry: the message itself cannot be handled (answered "success"); a "photo" that
# is no picture (MediaRefused) is such a message.
DROPPED = (Unreadable, MediaGone, MediaRefused)
# Trouble on the way to the platform's media API: the platform should deliver again.
PASSING = (DeliveryError, OSError, httpx.HTTPError)


def late_failure(log: logging.Logger, failure: BaseException) -> None:
    """A dialog that outlived its callback failed: logged by kind, a traceback only for bugs."""
    if isinstance(failure, DROPPED + PASSING):
        log.warning("a message finished after its callback was not handled: %s",
                    type(failure).__name__)
        return
    log.error("late handling of a message failed", exc_info=failure)
