"""Who holds a unit's orders, read from the tree and the roster's posts: pure rules."""
from domain.grids import Grid, GridTree, Holder, Level, leaderless, nearest_holder, unheld_chains

TREE = GridTree([
    Grid("S", "桃李街道", Level.STREET),
    Grid("C", "桃李社区", Level.COMMUNITY, "S"),
    Grid("G1", "东苑", Level.GRID, "C"), Grid("M1", "东苑1号楼", Level.MICRO_GRID, "G1"),
    Grid("G2", "西苑", Level.GRID, "C"), Grid("M2", "西苑1号楼", Level.MICRO_GRID, "G2"),
])


def test_the_nearest_post_up_the_chain_holds_and_a_queue_prefers_its_dispatcher():
    posts = {"C": {"leader": [7], "dispatcher": [9, 8]}}
    assert nearest_holder(TREE.chain("M1"), posts) == Holder(7, "C", "leader")
    assert nearest_holder(TREE.chain("M1"), posts, ("dispatcher", "leader")) == Holder(
        8, "C", "dispatcher")                                     # of two, the lowest id
    assert nearest_holder(TREE.chain("M1"), {}) is None


def test_leaderless_grids_and_chains_without_any_holder():
    posts = {"G1": {"leader": [1]}, "S": {"dispatcher": [2]}}
    assert [g.code for g in leaderless(TREE, posts)] == ["C", "G2", "M1", "M2", "S"]
    assert unheld_chains(TREE, posts) == []                       # the street's dispatcher
    del posts["S"]
    assert [g.code for g in unheld_chains(TREE, posts)] == ["M2"]
