"""What an import says back: a report when it worked, an error naming the place when not."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ImportReport:
    created: int
    updated: int
    total: int


class ImportFailed(ValueError):
    """The file cannot be imported; nothing was written. The message says where and why."""


class GridImportError(ImportFailed):
    """A grid feature is wrong, e.g. `feature 17 (JJ-01-02-03): level 'xx' is not one of …`."""


class PeopleImportError(ImportFailed):
    """A people row is wrong, e.g. `line 5: grid 'JJ-99' does not exist`."""
