"""Persistence: SQLite by default, PostgreSQL by URL; imports `domain` only.

db (engines, sessions) · migrate (Alembic upgrade) · uow (UnitOfWork and its repositories) ·
importer (grids from GeoJSON, staff from CSV) · tables (SQLModel rows) · records (Person,
OutboxMessage …) · clock (SystemClock, FixedClock).
"""
