"""The composition root: builds what every command and channel shares from the settings."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.config import Settings
from domain.addresses import AddressMatcher
from domain.agenda import AgendaRules
from domain.calendar import WorkingCalendar
from domain.categories import Taxonomy, default_taxonomy
from domain.deadlines import DeadlinePolicy
from domain.grids import GridTree, Level
from domain.routing import GridIndex, Router
from handlers import catalogue
from storage.clock import Clock, SystemClock
from storage.db import make_engine, session_factory
from storage.migrate import upgrade
from storage.uow import UnitOfWork

if TYPE_CHECKING:
    from handlers.chat import Chat


@dataclass
class Services:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    clock: Clock

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.sessions, self.clock)

    @cached_property
    def taxonomy(self) -> Taxonomy:
        return default_taxonomy()

    @cached_property
    def calendar(self) -> WorkingCalendar:
        return WorkingCalendar()

    @cached_property
    def policy(self) -> DeadlinePolicy:
        return DeadlinePolicy.default()

    async def load_tree(self) -> GridTree:
        async with self.uow() as uow:
            return await uow.grids.tree()

    async def router(self) -> Router:
        """A router over the grids as they are now (rebuilt after an import)."""
        tree = await self.load_tree()
        matcher = AddressMatcher(tree, min_score=self.settings.address_min_score)
        return Router(tree, GridIndex(tree), matcher)

    async def close(self) -> None:
        await self.engine.dispose()


async def open_services(settings: Settings, clock: Clock | None = None,
                        migrate: bool = True) -> Services:
    """Connect, and bring the schema up to date first: the app upgrades on start.

    The catalogue's language is chosen here too, before any message is handled.
    """
    catalogue.use(settings.language)
    if migrate:
        await upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    return Services(settings, engine, session_factory(engine), clock or SystemClock())


async def build_chat(services: Services,
                     on_committed: Callable[[], None] | None = None) -> Chat:
    """The platform-neutral chat over these services, with its router loaded once."""
    from datetime import timedelta

    from handlers import notices
    from handlers.chat import Chat
    from handlers.deps import Deps, Limits
    from storage.media import MediaVault
    limits = Limits(retention=timedelta(days=services.settings.retention_days))
    deps = Deps(uow=services.uow, router=await services.router(), taxonomy=services.taxonomy,
                calendar=services.calendar, policy=services.policy, notices=notices.tell,
                invite_key=services.settings.invite_key, limits=limits,
                on_committed=on_committed, operator=services.settings.operator,
                media=MediaVault(services.settings.media_dir),
                public_base_url=services.settings.public_base_url,
                console_link_ttl=timedelta(minutes=services.settings.console_link_minutes),
                agenda_rules=agenda_rules(services.settings))
    return Chat(deps, batch=services.settings.chat_batch)


def agenda_rules(settings: Settings) -> AgendaRules:
    """议事's numbers from the configuration (README, Configuration)."""
    from datetime import timedelta

    thresholds = {Level.MICRO_GRID: settings.agenda_support_grid,
                  Level.GRID: settings.agenda_support_grid,
                  Level.COMMUNITY: settings.agenda_support_community,
                  Level.STREET: settings.agenda_support_street}
    if settings.agenda_support_county is not None:
        thresholds[Level.COUNTY] = settings.agenda_support_county
    return AgendaRules(thresholds=thresholds,
                       settle_within=timedelta(days=settings.agenda_settle_days),
                       remind_at=settings.agenda_remind_at,
                       rating_window=timedelta(days=settings.agenda_rating_days))
