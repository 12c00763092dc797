"""`make vendor`: the console's front-end libraries, fetched at their pinned versions.

Government networks are often closed, so the console's map loads nothing from outside the
server: each library is taken from the npm registry with `npm pack` (npm's own client, so its
configured registry and proxy apply), its tarball checked against the integrity hash pinned
here, and the files the pages use copied, with the licence, to web/static/vendor/<name>-<version>/.

To move to another version: change `version` and `integrity` (`npm view NAME@VERSION
dist.integrity` prints the hash), run `make vendor`, and commit the folder it writes (delete
the old one). `--check` compares the committed files with the tarballs instead of writing.
Standard library only: it runs before any virtual environment exists.
"""
from __future__ import annotations

import base64
import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

VENDOR = Path(__file__).with_name("static") / "vendor"


@dataclass(frozen=True)
class Pin:
    name: str
    version: str
    integrity: str                 # npm's Subresource-Integrity form: sha512-<base64>
    licence: str                   # SPDX identifier, as docs/console.md lists it
    files: dict[str, str]          # path in the package → path in the folder

    @property
    def folder(self) -> Path:
        return VENDOR / f"{self.name}-{self.version}"


PINS = (
    Pin("leaflet", "1.9.4",
        "sha512-nxS1ynzJOmOlHp+iL3FyWqK89GtNL8U8rvlMOsQdTTssxZwCXh8N2NB3GDQOL+YR3XnWyZAxwQixURb+FA74PA==",
        "BSD-2-Clause",
        {"LICENSE": "LICENSE", "dist/leaflet.js": "leaflet.js", "dist/leaflet.css": "leaflet.css",
         **{f"dist/images/{name}": f"images/{name}" for name in (
             "layers.png", "layers-2x.png", "marker-icon.png", "marker-icon-2x.png",
             "marker-shadow.png")}}),
    Pin("leaflet.heat", "0.2.0",
        "sha512-Cd5PbAA/rX3X3XKxfDoUGi9qp78FyhWYurFg3nsfhntcM/MCNK08pRkf4iEenO1KNqwVPKCmkyktjW3UD+h9bQ==",
        "BSD-2-Clause",
        {"LICENSE": "LICENSE", "dist/leaflet-heat.js": "leaflet-heat.js"}),
)


def integrity_of(tarball: Path) -> str:
    digest = hashlib.sha512(tarball.read_bytes()).digest()
    return "sha512-" + base64.b64encode(digest).decode()


def fetch(pin: Pin, into: Path) -> dict[str, bytes]:
    """The pinned package's files, from a tarball whose hash is the pinned one."""
    spec = f"{pin.name}@{pin.version}"
    answer = subprocess.run(["npm", "pack", spec, "--json", "--pack-destination", str(into)],
                            check=True, capture_output=True, text=True)
    [packed] = json.loads(answer.stdout)
    tarball = into / packed["filename"]
    found = integrity_of(tarball)
    if found != pin.integrity or packed.get("integrity") != pin.integrity:
        raise SystemExit(f"{spec}: integrity {found} is not the pinned {pin.integrity}")
    files: dict[str, bytes] = {}
    with tarfile.open(tarball) as archive:
        for source, target in pin.files.items():
            member = archive.extractfile(f"package/{source}")
            if member is None:
                raise SystemExit(f"{spec}: {source} is missing from the package")
            files[target] = member.read()
    return files


def main(argv: list[str]) -> int:
    check = "--check" in argv
    differ = []
    with tempfile.TemporaryDirectory() as scratch:
        for pin in PINS:
            files = fetch(pin, Path(scratch))
            if check:
                differ += [f"{pin.folder.name}/{name}" for name, content in files.items()
                           if not (pin.folder / name).is_file()
                           or (pin.folder / name).read_bytes() != content]
                continue
            shutil.rmtree(pin.folder, ignore_errors=True)
            for name, content in files.items():
                (pin.folder / name).parent.mkdir(parents=True, exist_ok=True)
                (pin.folder / name).write_bytes(content)
            print(f"{pin.name} {pin.version} ({pin.licence}) → {pin.folder}")
    if differ:
        print("differ from the pinned packages:", *differ, sep="\n  ")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
