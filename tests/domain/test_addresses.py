import pytest

from domain.addresses import AddressMatcher, normalise
from domain.grids import Grid, GridTree, Level

GRIDS = [
    Grid("JJ", "锦江街道", Level.STREET),
    Grid("JJ-01", "锦江社区", Level.COMMUNITY, "JJ"),
    Grid("JJ-01-01", "锦江畔", Level.GRID, "JJ-01", ("锦江畔小区",)),
    *(
        Grid(f"JJ-01-01-{n:02}", f"锦江畔{n}号楼", Level.MICRO_GRID, "JJ-01-01",
             (f"锦江畔小区{n}号楼", f"锦江畔{n}栋"))
        for n in (1, 2, 3, 12, 13)
    ),
    Grid("JJ-01-02", "幸福花园", Level.GRID, "JJ-01"),
    Grid("JJ-01-02-05", "5号楼", Level.MICRO_GRID, "JJ-01-02"),  # known only by its compound
    Grid("JJ-02", "河畔社区", Level.COMMUNITY, "JJ"),
]


@pytest.fixture(scope="module")
def matcher() -> AddressMatcher:
    return AddressMatcher(GridTree(GRIDS))


@pytest.mark.parametrize(
    "address",
    [
        "锦江畔3号楼", "锦江畔小区三栋", "锦江畔 3栋", "锦江畔3幢", "锦江畔小区3-2-501",
        "锦江畔三号楼2单元",
    ],
)
def test_every_spelling_of_building_three_ranks_it_first(matcher, address):
    assert matcher.match(address)[0].code == "JJ-01-01-03"


def test_building_three_never_matches_building_thirteen(matcher):
    codes = [c.code for c in matcher.match("锦江畔3号楼")]
    assert "JJ-01-01-13" not in codes
    assert matcher.match("锦江畔十三号楼")[0].code == "JJ-01-01-13"


def test_chinese_numerals_above_ten_become_their_number(matcher):
    assert matcher.match("锦江畔十二号楼")[0].code == "JJ-01-01-12"
    assert normalise("锦江畔小区二十三幢") == "锦江畔23号楼"


def test_a_compound_named_without_a_building_ranks_the_compound_first(matcher):
    found = matcher.match("锦江畔小区")
    assert found[0].code == "JJ-01-01"
    assert found[0].score > found[1].score


def test_a_building_that_does_not_exist_falls_back_to_its_compound(matcher):
    assert matcher.match("锦江畔99号楼")[0].code == "JJ-01-01"


def test_a_building_named_only_by_number_is_found_through_its_compound(matcher):
    assert matcher.match("幸福花园五号楼")[0].code == "JJ-01-02-05"


def test_a_garden_compound_is_found_without_the_word_garden(matcher):
    assert matcher.match("幸福5栋")[0].code == "JJ-01-02-05"


def test_a_longer_address_with_street_and_community_still_finds_the_building(matcher):
    assert matcher.match("锦江街道锦江社区锦江畔小区3号楼东门")[0].code == "JJ-01-01-03"


def test_a_community_name_ranks_the_community_first(matcher):
    assert matcher.match("河畔社区")[0].code == "JJ-02"
    assert matcher.match("锦江街道")[0].code == "JJ"


@pytest.mark.parametrize("nonsense", ["火星基地99号", "3号楼", "", "！！！", "你好"])
def test_nonsense_or_a_bare_building_number_finds_nothing(matcher, nonsense):
    assert matcher.match(nonsense) == []


def test_scores_are_between_0_and_100_and_best_first(matcher):
    found = matcher.match("锦江畔3号楼")
    scores = [c.score for c in found]
    assert scores == sorted(scores, reverse=True)
    assert all(0 <= s <= 100 for s in scores)
    assert found[0].score == 100 and found[0].name == "锦江畔3号楼"


def test_a_higher_minimum_score_drops_weak_candidates():
    strict = AddressMatcher(GridTree(GRIDS), min_score=95)
    assert [c.code for c in strict.match("锦江畔3号楼")] == ["JJ-01-01-03"]
