"""The digests' pictures and `gridbot digest --preview`; the drawing itself is web/charts.py's,
shared with the staff console's figures."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from handlers.digest import build_digests
from web.charts import chinese_family, render_chart

__all__ = ["chinese_family", "preview_digests", "render_chart"]


async def preview_digests(services: Any, out_dir: Path, now: datetime | None = None) -> list[Path]:
    """`gridbot digest --preview`: each digest as text and PNG under `out_dir`, nothing sent."""
    router = await services.router()
    async with services.uow() as uow:
        digests = await build_digests(uow, router.tree, services.taxonomy,
                                      now or services.clock.now())
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for digest in digests:
        stem = out_dir / f"{digest.audience}-{digest.unit}"
        people = sorted({r.person_id for r in digest.recipients})
        text = stem.with_suffix(".txt")
        text.write_text(f"{digest.text}\n\n# to {len(people)} people: {people}\n", encoding="utf-8")
        written.append(text)
        if digest.chart is not None:
            picture = stem.with_suffix(".png")
            picture.write_bytes(render_chart(digest.chart))
            written.append(picture)
    return written
