"""Staff bound over WeCom are shown to residents by their roster name, never as "居民".

A site often hands out invites before its roster is imported: the WeCom account then binds to a
person the invite creates (WeCom gives no name), and `import-people` later adds the roster's.
"""
from __future__ import annotations

import pytest

from bot.config import SAMPLE_DISTRICT, SAMPLE_PEOPLE, Settings
from bot.services import open_services
from storage.clock import FixedClock
from storage.importer import import_grids, import_people
from tests.handlers.conftest import MONDAY_10
from tests.scenarios import onboard_resident_at


@pytest.fixture
async def services(tmp_path):
    """The sample grids without their roster: staff bind (over WeCom) before it is imported."""
    services = await open_services(Settings(database_url=f"sqlite:///{tmp_path / 'chat.db'}"),
                                   clock=FixedClock(MONDAY_10))
    async with services.uow() as uow:
        await import_grids(uow, SAMPLE_DISTRICT, progress=False)
        await uow.commit()
    yield services
    await services.close()


async def test_wecom_bound_staff_shown_by_roster_name(rig, talk):
    async with rig.services.uow() as uow:                 # the roster arrives after binding
        await import_people(uow, SAMPLE_PEOPLE, progress=False)
        await uow.commit()
    await onboard_resident_at(talk, "resident", "锦江畔3号楼")
    shown = (await talk.text("resident", "/grid"))[-1]
    assert "网格长：陈飞" in shown.text and "13900000021" in shown.text
    assert "居民" not in shown.text
