"""The garbage collector, set for a long-running bot.

CPython's cyclic collector runs after every 700 new container objects, and every tenth and
hundredth run walks older objects too, including everything imported and built at start-up
(SQLAlchemy's mappers, the libraries' pydantic models, the routing index). A busy chat makes
objects fast, so those walks came often and cost a dialog bot a fifth of its time and most of
its slow replies (bench/README.md). So, once started:
- what exists by then is moved out of the collector's sight (`gc.freeze`): it lives as long as
  the process anyway;
- the youngest generation is collected after 10,000 new objects instead of 700. Most of a
  turn's objects die by reference counting long before; the collector is only for cycles.
"""
from __future__ import annotations

import gc

THRESHOLDS = (10_000, 10, 10)


def settle() -> None:
    """Call once the process has started up (imports done, services open, transports started)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*THRESHOLDS)
