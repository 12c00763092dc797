"""民意直报 in the domain: where an opinion may go, what the public reads, how it is grouped."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain import opinions
from domain.categories import default_taxonomy
from domain.grids import Grid, GridTree, Level
from domain.refusals import DomainError

TREE = GridTree([Grid("JJ", "锦江街道", Level.STREET),
                 Grid("JJ-01", "江畔社区", Level.COMMUNITY, "JJ"),
                 Grid("JJ-02", "月湾社区", Level.COMMUNITY, "JJ"),
                 Grid("JJ-01-01", "锦江畔小区", Level.GRID, "JJ-01"),
                 Grid("JJ-02-01", "月亮湾", Level.GRID, "JJ-02")])
NOW = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
TAXONOMY = default_taxonomy()


def send(text: str, home: str = "JJ-01-01", level: Level = Level.STREET, minutes: int = 0):
    return opinions.send(TREE, 7, home, level, text, NOW + timedelta(minutes=minutes), TAXONOMY)


def test_an_opinion_goes_to_the_chosen_level_of_the_senders_chain_and_the_public_reads_it_scrubbed():
    opinion, event = send("建议小区增加垃圾分类投放点，有事打我电话13812345678")
    assert (opinion.target_code, event.target_code, event.kind) == ("JJ", "JJ", "opined")
    assert "13812345678" in opinion.text and "13812345678" not in opinion.public
    assert opinion.topic == TAXONOMY.suggest("垃圾", 1)[0][0].top
    assert opinions.levels_above(TREE, "JJ-01-01") == [Level.COMMUNITY, Level.STREET]


@pytest.mark.parametrize(("home", "level", "text", "key"), [
    (None, Level.STREET, "建议", "OPINION_NO_HOME"),
    ("JJ-01-01", Level.GRID, "建议", "OPINION_NO_HOME"),        # not a level one writes to
    ("JJ-01-01", Level.COUNTY, "建议", "OPINION_NO_LEVEL"),     # no county above this street
    ("JJ-01-01", Level.STREET, "   ", "OPINION_LENGTH"),
    ("JJ-01-01", Level.STREET, "长" * 501, "OPINION_LENGTH"),
])
def test_an_opinion_without_a_home_a_level_or_words_is_refused(home, level, text, key):
    with pytest.raises(DomainError) as refused:
        send(text, home, level)
    assert refused.value.key == key


def test_opinions_are_grouped_by_community_and_topic_and_only_scrubbed_words_travel():
    sent = [send("楼下垃圾没人清运，联系13812345678", minutes=1)[0],
            send("垃圾桶太少了", minutes=2)[0],
            send("垃圾清运不及时", "JJ-02-01", minutes=3)[0],
            send("希望多组织老年人文化活动", minutes=4)[0],
            send("希望多组织老年人文化活动吧", minutes=5)[0],
            send("停车位收费太贵", minutes=6)[0]]
    groups = opinions.group(sent, TREE)
    biggest = groups[0]
    assert (biggest.community, biggest.count) == ("JJ-01", 2) and biggest.topic
    assert not any("13812345678" in s for g in groups for s in g.samples)
    assert [g.community for g in groups].count("JJ-02") == 1
    similar = [g for g in groups if "文化活动" in g.samples[0]]
    assert len(similar) == 1 and similar[0].count == 2
    assert sum(g.count for g in groups) == len(sent)
