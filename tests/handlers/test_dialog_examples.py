"""Prompts' examples come from the loaded district, whichever it is (finding: "锦江畔3号楼" everywhere)."""
from __future__ import annotations

import json

import pytest

from bot.config import Settings
from bot.services import build_chat, open_services
from handlers import texts
from storage.clock import FixedClock
from storage.importer import import_grids
from tests.handlers.conftest import MONDAY_10, CoreTalk
from tests.scenarios import data_for


def _square(lng: float, lat: float, size: float = 0.002) -> dict:
    ring = [[lng, lat], [lng + size, lat], [lng + size, lat + size], [lng, lat + size], [lng, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


def _feature(code, name, level, parent, lng, lat, size):
    return {"type": "Feature", "geometry": _square(lng, lat, size),
            "properties": {"code": code, "name": name, "level": level, "parent": parent}}


TINY = [  # a district that is not the sample: one street, one community, one compound, two blocks
    _feature("QS", "青石街道", "street", None, 116.0, 40.0, 0.02),
    _feature("QS-01", "柳岸社区", "community", "QS", 116.0, 40.0, 0.01),
    _feature("QS-01-01", "柳岸花园", "grid", "QS-01", 116.0, 40.0, 0.005),
    _feature("QS-01-01-01", "柳岸花园7栋", "micro_grid", "QS-01-01", 116.0, 40.0, 0.002),
    _feature("QS-01-01-02", "柳岸花园8栋", "micro_grid", "QS-01-01", 116.003, 40.0, 0.002),
]


@pytest.fixture
async def tiny_talk(tmp_path):
    path = tmp_path / "tiny.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": TINY}), encoding="utf-8")
    services = await open_services(Settings(database_url=f"sqlite:///{tmp_path / 'tiny.db'}"),
                                   clock=FixedClock(MONDAY_10))
    async with services.uow() as uow:
        await import_grids(uow, path, progress=False)
        await uow.commit()
    yield CoreTalk(await build_chat(services), services.clock)
    await services.close()


async def test_examples_come_from_the_loaded_district(tiny_talk):
    talk = tiny_talk
    await talk.text("resident", "/start")
    await talk.press("resident", "consent:yes")
    home = (await talk.press("resident", "role:resident"))[-1]
    assert texts.ASK_HOME.format(example="柳岸花园7栋") == home.text
    await talk.press("resident", "home:skip")
    await talk.text("resident", "/report")
    await talk.press("resident", "cat:P03")
    await talk.text("resident", "路灯不亮")
    where = (await talk.press("resident", "skip:"))[-1]
    assert where.text == texts.ASK_LOCATION.format(example="柳岸花园7栋", how=texts.LOCATION_HOW[""])
    assert "锦江畔" not in home.text + where.text


async def test_examples_name_the_residents_own_building(tiny_talk):
    talk = tiny_talk
    await talk.text("resident", "/start")
    await talk.press("resident", "consent:yes")
    await talk.press("resident", "role:resident")
    offered = (await talk.text("resident", "柳岸花园8栋"))[-1]
    await talk.press("resident", data_for(offered, "柳岸花园8栋"))
    await talk.text("resident", "/report")
    await talk.press("resident", "cat:P03")
    await talk.text("resident", "路灯不亮")
    where = (await talk.press("resident", "skip:"))[-1]
    assert where.text == texts.ASK_LOCATION.format(example="柳岸花园8栋", how=texts.LOCATION_HOW[""])
