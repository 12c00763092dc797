"""The demo's seeded database and web app (tests/web), on which the past is played."""
from tests.web.conftest import point_in_leader_grid, seeded_database, web  # noqa: F401
