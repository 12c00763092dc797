"""/console is a chat command like any other: over Telegram (`gridbot run`, webhook) a leader
bound by invite gets a link that signs them in to the same app; a resident is refused."""
from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

from domain import invites
from handlers import texts
from tests.security.conftest import Production, WebhookTalk, library, production  # noqa: F401


async def test_a_leader_on_telegram_gets_a_link_that_opens_the_console(
        production: Production):  # noqa: F811
    talk = WebhookTalk(production)
    services = production.runtime.services
    code = invites.new_code()
    async with services.uow() as uow:
        now = uow.clock.now()
        uow.invites.add(invites.Invite(invites.hash_code(code, services.settings.invite_key), "JJ-01-01", "leader", now,
                                       now + timedelta(hours=1)))
        await uow.commit()
    assert "绑定成功" in (await talk.text("leader", f"/start inv_{code}"))[-1].text
    said = (await talk.text("leader", "/console"))[-1].text
    link = re.search(r"https?://\S+/console/login\?t=[\w-]+", said)
    assert link, said
    token = urlsplit(link.group(0)).query.removeprefix("t=")
    client = production.client
    assert (await client.post("/console/login", data={"t": token})).status_code == 303
    assert texts.CONSOLE_ORDERS in (await client.get("/console")).text

    assert (await talk.text("someone", "/console"))[-1].text == texts.CONSOLE_STAFF_ONLY
