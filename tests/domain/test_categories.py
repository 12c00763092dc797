import pytest

from domain.categories import HandlingLevel, Taxonomy, TaxonomyError, default_taxonomy
from domain.orders import Urgency

MINIMAL = """
[emergency]
words = ["煤气 味"]

[[top]]
name = "安全隐患"
urgency = "urgent"
level = "grid"
publishable = true

[[top.category]]
code = "S02"
name = "飞线充电"
keywords = ["飞线"]
"""


@pytest.fixture(scope="module")
def taxonomy() -> Taxonomy:
    return default_taxonomy()


def test_the_shipped_taxonomy_has_the_fourteen_top_levels_in_order(taxonomy):
    assert taxonomy.top_levels() == [
        "市容环境", "宣传广告", "街面秩序", "施工管理", "公用设施", "道路交通", "园林绿化",
        "房屋与小区", "安全隐患", "突发事件", "矛盾纠纷与民生", "食品安全", "新就业群体诉求", "其他",
    ]
    assert all(taxonomy.children(top) for top in taxonomy.top_levels())


def test_s02_is_flying_wire_charging_and_urgent(taxonomy):
    s02 = taxonomy.get("S02")
    assert (s02.name, s02.top, s02.urgency) == ("飞线充电", "安全隐患", Urgency.URGENT)
    assert s02 in taxonomy.children("安全隐患")


@pytest.mark.parametrize(("text", "urgency"), [
    ("楼道里一股煤气味", Urgency.EMERGENCY),
    ("马路中间井盖没了", Urgency.EMERGENCY),
    ("消防通道被车堵了", Urgency.URGENT),
    ("我们楼停水了", Urgency.URGENT),
    ("小区门口垃圾满了", Urgency.NORMAL),
    ("路灯不亮", Urgency.NORMAL),
    ("楼下有人私搭乱建", Urgency.COMPLEX),
])
def test_the_best_suggestion_carries_the_urgency_domain_md_gives(taxonomy, text, urgency):
    best, _ = taxonomy.suggest(text)[0]
    assert best.urgency is urgency


def test_flying_wire_report_suggests_s02_first(taxonomy):
    best, score = taxonomy.suggest("楼道里有人飞线给电动车充电")[0]
    assert best.code == "S02"
    assert score > 0


def test_uncollected_rubbish_suggests_a_rubbish_category_first(taxonomy):
    best, _ = taxonomy.suggest("小区门口垃圾没人清运")[0]
    assert "垃圾" in best.name


def test_suggestions_are_ranked_and_limited(taxonomy):
    suggestions = taxonomy.suggest("井盖没了，路灯也不亮，垃圾没人收", limit=2)
    assert len(suggestions) == 2
    assert suggestions[0][1] >= suggestions[1][1]


def test_text_that_names_nothing_gets_no_suggestion(taxonomy):
    assert taxonomy.suggest("你好") == []


@pytest.mark.parametrize("text", [
    "楼道里有很重的煤气味", "厨房燃气泄漏了", "对面楼着火了", "配电箱在冒烟", "有人触电了",
    "老房子坍塌了", "路上井盖没了", "河边有人落水", "有人被困在电梯里",
])
def test_danger_words_are_emergencies(taxonomy, text):
    assert taxonomy.is_emergency_text(text)


@pytest.mark.parametrize("text", ["小区垃圾没人清运", "路灯不亮", "楼下摆摊占道"])
def test_everyday_reports_are_not_emergencies(taxonomy, text):
    assert not taxonomy.is_emergency_text(text)


def test_private_categories_are_never_publishable(taxonomy):
    assert not any(c.publishable for c in taxonomy.children("矛盾纠纷与民生"))
    assert not any(c.publishable for c in taxonomy.children("食品安全"))
    assert not taxonomy.get("M06").publishable  # 举报
    assert not taxonomy.get("M04").publishable  # 养老助老
    assert taxonomy.get("H01").publishable


def test_food_safety_goes_to_a_department(taxonomy):
    assert {c.level for c in taxonomy.children("食品安全")} == {HandlingLevel.DEPARTMENT}


def test_codes_are_unique_letter_and_two_digits(taxonomy):
    codes = [c.code for c in taxonomy]
    assert len(codes) == len(set(codes))
    assert all(len(code) == 3 and code[0].isupper() and code[1:].isdigit() for code in codes)


def test_a_leaf_inherits_the_defaults_of_its_top_level():
    s02 = Taxonomy.from_toml(MINIMAL).get("S02")
    assert (s02.urgency, s02.level, s02.publishable) == (
        Urgency.URGENT, HandlingLevel.GRID, True)


def test_an_unknown_urgency_is_refused_naming_the_category_and_field():
    with pytest.raises(ValueError, match=r"S02.*'urgency'"):
        Taxonomy.from_toml(MINIMAL.replace('urgency = "urgent"', 'urgency = "soon"'))


def test_a_missing_field_is_refused_naming_it():
    with pytest.raises(TaxonomyError, match=r"S02.*'publishable' is missing"):
        Taxonomy.from_toml(MINIMAL.replace("publishable = true", ""))


def test_a_misspelt_field_is_refused_naming_it():
    with pytest.raises(TaxonomyError, match=r"S02.*'keyword'"):
        Taxonomy.from_toml(MINIMAL.replace("keywords =", "keyword ="))


def test_a_duplicate_code_is_refused():
    twice = MINIMAL + '\n[[top.category]]\ncode = "S02"\nname = "又一个"\n'
    with pytest.raises(TaxonomyError, match=r"S02.*'code' appears twice"):
        Taxonomy.from_toml(twice)


def test_text_that_is_not_toml_is_a_value_error():
    with pytest.raises(ValueError, match="not valid TOML"):
        Taxonomy.from_toml("[[top]\nname = ")
