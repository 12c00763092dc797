"""The console's front-end libraries are this server's own copies, at the pinned versions,
each with its licence, and docs/console.md lists them (`make vendor` fetches them again)."""
from __future__ import annotations

import re
from pathlib import Path

from web.console import map_page
from web.vendor import PINS, VENDOR

DOCS = Path(__file__).resolve().parents[2] / "docs" / "console.md"


def test_each_pinned_library_is_committed_with_its_licence():
    for pin in PINS:
        assert pin.integrity.startswith("sha512-")
        for name in pin.files.values():
            assert (pin.folder / name).is_file(), f"{pin.folder.name}/{name}"
        assert "Redistribution" in (pin.folder / "LICENSE").read_text(encoding="utf-8")
    assert sorted(p.name for p in VENDOR.iterdir() if p.is_dir()) == sorted(
        pin.folder.name for pin in PINS), "a folder no pin names (an old version?)"


def test_the_map_page_loads_only_pinned_files_and_the_docs_name_them():
    served = {f"/static/vendor/{pin.folder.name}/{name}" for pin in PINS
              for name in pin.files.values()}
    wanted = [path for path in (*map_page.STYLES, *map_page.SCRIPTS) if "/vendor/" in path]
    assert wanted and set(wanted) <= served
    docs = DOCS.read_text(encoding="utf-8")
    for pin in PINS:
        assert re.search(rf"{re.escape(pin.name)}\W+{re.escape(pin.version)}.*{pin.licence}",
                         docs), pin.name
