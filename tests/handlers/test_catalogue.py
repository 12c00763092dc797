"""One catalogue: every user-facing sentence comes from `handlers/texts.py`, by key.

Found by trying it: a leader who pressed 签收 twice read "cannot sign for an order that is
accepted", and ~140 Chinese strings were built outside the catalogue.
"""
from __future__ import annotations

import ast
import re
import string
import sys
import types
from enum import Enum
from pathlib import Path

import pytest

from domain.deadlines import Light
from domain.grids import Level
from domain.orders import Satisfaction, State, Urgency
from domain.refusals import DomainError, Refusal
from handlers import catalogue, texts
from tests import scenarios

ROOT = Path(__file__).resolve().parents[2]
CODE = ("domain", "handlers", "bot", "web", "scheduler", "storage")
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")

# Chinese that is data, not a sentence: it parses or scrubs what people type, never speaks.
DATA_MODULES = {
    "domain/addresses.py": "address parsing: Chinese numerals, building suffixes, their regexes",
    "domain/privacy.py": "scrubbing: surnames, kinship words, ID/plate/phone/room patterns and "
                         "the bracketed markers that stand in for what was removed",
    "domain/disguise.py": "reading disguised numbers: Chinese numerals, units after a range",
    "domain/names.py": "finding names: surnames, titles and place words",
}
DATA_NAMES = {
    ("handlers/echo_wall.py", "_NUMERAL"): "room-number regex: numerals a door number is made of",
    ("handlers/echo_wall.py", "_HOUSE"): "room-number regex: building/unit/room suffixes",
    ("handlers/workbench.py", "EXTENSION_DAYS"): "parses the typed days; 天 optional, any language",
    ("handlers/workbench.py", "DUTY_SEPARATOR"): "the roster's 部门｜职责 field separator",
    ("handlers/order_view.py", "_SEPARATORS"): "what is stripped from a typed phone number",
}


def _sources():
    for folder in CODE:
        for path in sorted((ROOT / folder).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            if not re.fullmatch(r"handlers/texts(_\w+)?\.py", rel):
                yield rel, ast.parse(path.read_text(encoding="utf-8"))


def _docstrings(tree: ast.AST) -> set[int]:
    kinds = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
    return {id(node.body[0].value) for node in ast.walk(tree)
            if isinstance(node, kinds) and node.body and isinstance(node.body[0], ast.Expr)
            and isinstance(node.body[0].value, ast.Constant)}


def _allowed(rel: str, tree: ast.Module) -> set[int]:
    """The constants inside allow-listed module-level assignments."""
    allowed = set()
    for node in tree.body:
        if isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and (rel, t.id) in DATA_NAMES for t in targets):
                allowed |= {id(n) for n in ast.walk(node)}
    return allowed


def chinese_outside_the_catalogue() -> list[str]:
    found = []
    for rel, tree in _sources():
        if rel in DATA_MODULES:
            continue
        skip = _docstrings(tree) | _allowed(rel, tree)
        found += [f"{rel}:{node.lineno}: {node.value[:40]!r}" for node in ast.walk(tree)
                  if isinstance(node, ast.Constant) and isinstance(node.value, str)
                  and id(node) not in skip and CJK.search(node.value)]
    return found


def test_no_user_facing_chinese_is_built_outside_the_catalogue():
    assert chinese_outside_the_catalogue() == []


def test_the_allow_list_names_only_what_exists():
    """An allow-list entry for a module or name that is gone would hide nothing: drop it."""
    trees = dict(_sources())
    for rel in DATA_MODULES:
        assert CJK.search((ROOT / rel).read_text(encoding="utf-8")), rel
    for rel, name in DATA_NAMES:
        assert any(isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == name for t in node.targets)
            for node in trees[rel].body), (rel, name)


def _references() -> set[str]:
    """Every catalogue key the code names: `texts.KEY`, an import of it, or the key as a string
    (a `DomainError` key, a table of keys read with `getattr`)."""
    keys, used = set(catalogue.all_keys()), set()
    for _, tree in _sources():
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                    and node.value.id == "texts"):
                used.add(node.attr)
            elif isinstance(node, ast.ImportFrom) and node.module == "handlers.texts":
                used |= {alias.name for alias in node.names}
            elif isinstance(node, ast.Constant) and node.value in keys:
                used.add(node.value)
    return used | {refusal.value for refusal in Refusal}


def test_every_catalogue_key_is_used_by_the_code():
    assert sorted(set(catalogue.all_keys()) - _references()) == []


def test_every_key_the_code_names_is_in_the_catalogue():
    named = {key for key in _references() if key.isupper()}
    assert sorted(named - set(catalogue.all_keys())) == []


def test_no_module_copies_the_catalogues_words_at_import():
    """Words are read when spoken: a table built at import would keep the first language."""
    copied = []
    for rel, tree in _sources():
        for node in tree.body:
            if isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign | ast.Expr):
                copied += [f"{rel}:{n.lineno} texts.{n.attr}" for n in ast.walk(node)
                           if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name)
                           and n.value.id == "texts"]
    assert copied == []


def _raised_keys() -> list[tuple[str, str]]:
    """Keys given as a literal to DomainError and its subclasses in the code."""
    raising = {"DomainError", "InviteRefused", "NotAllowed"}
    keys = []
    for rel, tree in _sources():
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and node.args
                    and getattr(node.func, "id", getattr(node.func, "attr", None)) in raising):
                first = node.args[0]
                if isinstance(first, ast.Constant):
                    keys.append((rel, first.value))
                elif isinstance(first, ast.Attribute) and getattr(first.value, "id", "") == "Refusal":
                    keys.append((rel, Refusal[first.attr].value))
                else:
                    keys.append((rel, ast.unparse(first)))
    return keys


def test_every_refusal_key_has_a_catalogue_sentence():
    raised = _raised_keys()
    assert len(raised) > 10                       # the scan does see the raises
    assert [(rel, key) for rel, key in raised
            if not isinstance(getattr(texts, str(key), None), str)] == []
    assert [r.value for r in Refusal if not isinstance(getattr(texts, r.value, None), str)] == []


SAMPLE = {"state": State.ACCEPTED, "code": "WG-20261123-0001", "unit": "锦江社区", "days": 3,
          "longest": 500}
ENGLISH = re.compile(r"(?<![/\w])[A-Za-z]{3,}")   # a word, not a /command


@pytest.mark.parametrize("key", sorted({key for _, key in _raised_keys()} | set(Refusal)))
def test_a_refusal_renders_as_a_chinese_sentence(key):
    fields = {f for _, f, _, _ in string.Formatter().parse(getattr(texts, key)) if f}
    said = catalogue.refusal(DomainError(key, **{f: SAMPLE[f] for f in fields}))
    assert CJK.search(said) and not ENGLISH.search(said.replace(SAMPLE["code"], "")), said


def test_a_refusal_whose_key_is_missing_is_still_not_english():
    said = catalogue.refusal(DomainError("NO_SUCH_KEY", state=State.CLOSED))
    assert said == texts.ACTION_REFUSED


@pytest.mark.parametrize("enum", [State, Urgency, Satisfaction, Level, Light])
def test_every_domain_code_has_a_label_and_the_domain_names_none(enum: type[Enum]):
    labels = [catalogue.label(member) for member in enum]
    assert all(CJK.search(label) for label in labels)
    assert not any(hasattr(member, "label") for member in enum)   # codes only in the domain


async def test_pressing_sign_twice_answers_in_chinese(talk, point):
    await scenarios.onboard_resident(talk, "resident")
    code = await scenarios.resident_files_rubbish(talk, "resident", point)
    first = await talk.press("leader", f"sign:{code}")
    assert any(m.text.startswith(texts.SIGNED.split("{")[0]) for m in first)
    twice = await talk.press("leader", f"sign:{code}")
    assert twice[-1].text == f"这个按钮已过时：工单 {code} 当前为「办理中」，没有做任何更改。"
    assert not ENGLISH.search(twice[-1].text)


# --- A second language is one more module -----------------------------------------------------

@pytest.fixture
def shouting(monkeypatch):
    """A made-up second catalogue: zh-CN's words, but two of them in English."""
    module = types.ModuleType("handlers.texts_xx")
    for key in catalogue.all_keys():
        setattr(module, key, getattr(texts, key))
    module.ILLEGAL_STATE = "The order is {state}: that cannot be done now."
    module.STATE_LABELS = {**texts.STATE_LABELS, "accepted": "in hand"}
    monkeypatch.setitem(sys.modules, "handlers.texts_xx", module)
    yield module
    catalogue.use(catalogue.DEFAULT_LANGUAGE)


def test_another_language_is_one_module_with_the_same_names(shouting):
    catalogue.use("xx")
    said = catalogue.refusal(DomainError(Refusal.ILLEGAL_STATE, state=State.ACCEPTED))
    assert said == "The order is in hand: that cannot be done now."
    catalogue.use("zh-CN")
    assert catalogue.refusal(DomainError(Refusal.ILLEGAL_STATE, state=State.ACCEPTED)) == \
        "工单当前状态为「办理中」，不能进行这个操作。"


def test_a_catalogue_missing_a_key_is_refused_whole(shouting):
    del shouting.CANCEL
    with pytest.raises(ValueError, match="CANCEL"):
        catalogue.use("xx")
    assert texts.ILLEGAL_STATE.startswith("工单")             # nothing was half-switched


def test_an_unknown_language_is_refused_at_start():
    with pytest.raises(ValueError, match="texts_fr"):
        catalogue.use("fr")
