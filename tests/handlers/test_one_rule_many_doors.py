"""The shape every door relies on: every event kind has a notice rule, the queue is the
domain's noun, and the handlers import one another without a cycle."""
from __future__ import annotations

import ast
from pathlib import Path

from domain import orders
from handlers import notices

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("domain", "storage", "handlers", "scheduler", "web", "bot", "bench")


def _sources(*packages: str):
    for package in packages:
        for path in sorted((ROOT / package).rglob("*.py")):
            yield path.relative_to(ROOT).as_posix(), ast.parse(path.read_text(), str(path))


def _written_kinds() -> set[str]:
    """Kinds given as a literal where an event is made: `Event(code, "kind", …)`, `remark(order,
    "kind", …)` and the clocks' `_remark(work, order, "kind", …)`."""
    kinds = set()
    for _, tree in _sources("domain", "handlers"):
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", None))
            at = {"Event": 1, "remark": 1, "_remark": 2}.get(name or "")
            if at is not None and len(node.args) > at and isinstance(node.args[at], ast.Constant):
                kinds.add(node.args[at].value)
    return kinds


def test_every_event_kind_has_a_notice_rule():
    """An explicit None ("nobody is told") counts; a kind left out does not."""
    assert set(orders.EVENT_KINDS) - set(notices.RULES) == set()
    assert set(notices.RULES) - set(orders.EVENT_KINDS) == set()


def test_every_kind_the_code_writes_is_a_known_event_kind():
    written = _written_kinds()
    assert {"submitted", "dispatched", "reminded", "supervised"} <= written   # the scan works
    assert written - set(orders.EVENT_KINDS) == set()


def test_no_queue_literal_outside_the_domain():
    """The dispatcher's queue is `domain.grids.Unit`: written and parsed there alone."""
    found = [f"{rel}:{node.lineno}" for rel, tree in _sources(*PACKAGES[1:])
             for node in ast.walk(tree)
             if isinstance(node, ast.Constant) and isinstance(node.value, str)
             and node.value.startswith("queue:")]
    assert found == []


def _imports(module: str, tree: ast.Module) -> set[str]:
    """The handlers modules `module` imports when it runs (a `TYPE_CHECKING` block never runs)."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and getattr(node.test, "id", "") == "TYPE_CHECKING":
            node.body = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
    return {name for name in names if name.startswith("handlers.") and name != module}


def test_the_handlers_import_one_another_without_a_cycle():
    graph = {rel.removesuffix(".py").replace("/", "."): set() for rel, _ in _sources("handlers")}
    for rel, tree in _sources("handlers"):
        module = rel.removesuffix(".py").replace("/", ".")
        graph[module] = {name for name in _imports(module, tree) if name in graph}
    cycles, done, path = [], set(), []

    def visit(module: str) -> None:
        if module in path:
            cycles.append([*path[path.index(module):], module])
            return
        if module in done:
            return
        path.append(module)
        for imported in sorted(graph[module]):
            visit(imported)
        path.pop()
        done.add(module)

    for module in sorted(graph):
        visit(module)
    assert cycles == []
