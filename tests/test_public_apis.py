"""Only dependencies' public APIs: an upgrade within pyproject.toml's ranges must not break us."""
from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP = ("bot", "handlers", "storage", "web", "scheduler", "domain")
OURS = {*APP, "tests", "bench", "data"}
# The private names that were once leaned on, and pydantic's internals.
KNOWN_PRIVATE = re.compile(r"\._(execute|conn|post)\b|pydantic\._internal|__returning__")


def _sources(folders: tuple[str, ...] = APP) -> list[Path]:
    return [path for folder in folders for path in sorted((ROOT / folder).rglob("*.py"))]


def test_no_known_private_name_of_a_dependency_is_used():
    found = [f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
             for path in _sources()
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if KNOWN_PRIVATE.search(line)]
    assert found == []


def _imported(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, dotted name) of everything imported from outside the project."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
    return [(line, name) for line, name in found if name.split(".")[0] not in OURS]


def test_nothing_is_imported_from_a_private_module_or_name_of_a_dependency():
    found = [f"{path.relative_to(ROOT)}:{line}: {name}"
             for path in _sources((*APP, "tests"))
             for line, name in _imported(ast.parse(path.read_text(encoding="utf-8")))
             if any(part.startswith("_") and not part.startswith("__")
                    for part in name.split(".")[1:])]
    assert found == []
