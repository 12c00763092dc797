"""Issue 18, item 9: the web chat's own words and limits."""
from __future__ import annotations

import re
from pathlib import Path

from handlers import catalogue, texts
from tests.web.conftest import Web

RESIDENT = "resident-demo"
STATIC = Path(__file__).parents[2] / "web" / "static"


async def to_the_location_step(web: Web, home: str | None = None) -> dict:
    steps = [{"text": "/start", "name": "王阿姨"}, {"button": "consent:yes"},
             {"button": "role:resident"}]
    steps += [{"button": f"home:{home}"}] if home else [{"button": "home:skip"}]
    steps += [{"text": "/report"}, {"button": "cat:H01"}, {"text": "楼道里堆满了纸箱"},
              {"button": "skip:"}]
    for body in steps:
        assert (await web.send(RESIDENT, **body)).status_code == 200
    return await web.last(RESIDENT)


async def test_the_location_hint_names_what_the_web_chat_has_not_a_paperclip(web: Web):
    asked = await to_the_location_step(web)

    assert asked["text"].startswith("请发送位置")
    assert "📎" not in asked["text"] and "📍" in asked["text"] and "地图" in asked["text"]
    # Each channel its own hint, from the catalogue; Telegram's attach menu is the paperclip.
    assert "📎" in catalogue.for_channel(texts.LOCATION_HOW, "telegram")
    assert catalogue.for_channel(texts.LOCATION_HOW, "sms")   # an unknown channel: a hint still


async def test_the_home_building_given_at_onboarding_is_a_one_tap_place(web: Web):
    asked = await to_the_location_step(web, home="JJ-01-01-03")

    offered = dict(asked["choices"])
    assert "锦江畔3号楼" in offered
    await web.send(RESIDENT, button=offered["锦江畔3号楼"])
    await web.send(RESIDENT, text="跳过")   # no phone left
    assert "地点：锦江畔3号楼" in (await web.last(RESIDENT))["text"]


def emoji_the_bot_says() -> set[str]:
    said = "".join(str(value) for key in catalogue.all_keys()
                   for value in [getattr(texts, key)])
    return set(re.findall(r"[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF]", said))


def test_every_emoji_the_bot_says_is_drawn_from_a_bundled_icon_not_a_missing_font():
    script = (STATIC / "chat.js").read_text(encoding="utf-8")
    table = script[script.index("const EMOJI_ICONS"):script.index("};", script.index("EMOJI_ICONS"))]
    icons = (STATIC / "icons.svg").read_text(encoding="utf-8")
    drawn = dict(re.findall(r'"(\S+?)": "([a-z-]+)"', table))

    assert "📞" in emoji_the_bot_says()
    missing = sorted(e for e in emoji_the_bot_says() if e.rstrip("\ufe0f") not in drawn)
    assert missing == [], "drawn as a box where the font lacks them"
    assert all(f'id="{name}"' in icons for name in drawn.values())


def test_the_photo_picker_takes_as_many_photos_as_the_words_say():
    assert "可一次选多张" in texts.ASK_PHOTOS
    script = (STATIC / "chat.js").read_text(encoding="utf-8")
    assert "multiple: true" in script


async def test_a_button_pressed_again_after_a_reload_is_answered_not_silently_dropped(web: Web):
    asked = await to_the_location_step(web)
    cancel = dict(asked["choices"])["取消"]
    assert (await web.send(RESIDENT, "m-cancel", button=cancel)).json()["answered"] is True

    again = await web.send(RESIDENT, "m-cancel", button=cancel)   # the same press, reloaded

    assert again.status_code == 200 and again.json()["answered"] is False


async def test_the_favicon_is_served_not_404(web: Web):
    icon = await web.client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.headers["content-type"].startswith("image/")
