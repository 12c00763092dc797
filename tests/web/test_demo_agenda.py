"""The demo opens with a 议题 in 商议 at 锦江畔小区, and the demo's resident can support it and
comment from the web chat, as a newcomer would with taps."""
from __future__ import annotations

from handlers import texts
from tests.web.conftest import Web
from web.demo_seed import DEMO_SUPPORTS, seed_demo

RESIDENT = "resident-demo"


def choice(message: dict, label: str) -> str:
    found = {shown: data for shown, data in message["choices"]}
    assert label in found, (label, message["text"], list(found))
    return found[label]


async def tap(web: Web, label: str) -> dict:
    """Press `label` under the resident pane's newest message with buttons; its answer."""
    with_buttons = [m for m in await web.messages(RESIDENT) if m["choices"]]
    await web.send(RESIDENT, button=choice(with_buttons[-1], label))
    return await web.last(RESIDENT)


async def test_the_demos_resident_supports_and_comments_on_the_seeded_item(web: Web):
    await web.send(RESIDENT, text="/start", name="王阿姨")
    await tap(web, texts.CONSENT_YES)
    await tap(web, texts.ROLE_RESIDENT)
    await web.send(RESIDENT, text="锦江畔3号楼")
    await tap(web, "锦江畔3号楼")
    listed = await tap(web, texts.MENU_AGENDA)
    assert texts.DEMO_AGENDA_TITLE in listed["text"]
    code = next(label for label, _ in listed["choices"] if label.startswith("YT-"))

    card = await tap(web, code)
    assert f"支持：{DEMO_SUPPORTS}/10 人" in card["text"]
    assert texts.DEMO_AGENDA_COMMENTS[-1] in card["text"]              # the latest comments
    supported = await tap(web, texts.AGENDA_SUPPORT)
    assert supported["text"] == texts.AGENDA_SUPPORTED_DONE.format(code=code,
                                                                   supports=DEMO_SUPPORTS + 1)
    await tap(web, texts.AGENDA_COMMENT)
    await web.send(RESIDENT, text="支持，最好再装个遮雨棚")
    assert (await web.last(RESIDENT))["text"] == texts.AGENDA_COMMENTED_DONE
    again = await tap(web, texts.AGENDA_VIEW)
    assert f"支持：{DEMO_SUPPORTS + 1}/10 人" in again["text"] and "遮雨棚" in again["text"]


async def test_seeding_again_keeps_the_one_item(web: Web):
    await seed_demo(web.services)
    async with web.services.uow() as uow:
        items = await uow.agenda.in_scopes(["JJ-01-01"])
    assert [item.title for item in items] == [texts.DEMO_AGENDA_TITLE]
