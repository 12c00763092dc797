"""Repositories: rows in, domain objects out."""
from storage.repositories.events import EventRepository
from storage.repositories.grids import GridRepository
from storage.repositories.invites import InviteRepository
from storage.repositories.messages import DialogRepository, InboundRepository
from storage.repositories.orders import OrderRepository, StaleOrder
from storage.repositories.outbox import OutboxRepository, backoff
from storage.repositories.people import MembershipRepository, PeopleRepository

__all__ = [
    "DialogRepository", "EventRepository", "GridRepository", "InboundRepository",
    "InviteRepository", "MembershipRepository", "OrderRepository", "OutboxRepository",
    "PeopleRepository", "StaleOrder", "backoff",
]
