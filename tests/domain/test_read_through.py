"""`read_through` skips the runs that read as written; the reading is the one every run gives."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.disguise import _RUN, HALF_WIDTH, _joined, read_through

# Digits and what disguises them, separators, letters, and the text around them.
PIECES = st.sampled_from([*"0123456789０１２３一二三幺两零〇壹玖Oo .-_/·—\tWGabc号楼室电话，。",
                          "WG-20261123-0042", "2026-11-23", "1350-1680元", "12.50", "\u200b"])


@settings(max_examples=400)
@given(st.lists(PIECES, max_size=40).map("".join))
def test_the_reading_is_that_of_every_run(text: str):
    half = text.translate(HALF_WIDTH)
    fast, full = read_through(text), _joined(half, _RUN.finditer(half))
    assert fast.text == full.text
    assert list(fast.origin) == list(full.origin)


def test_a_disguised_phone_is_still_read_and_plain_text_is_left_as_it_is():
    assert read_through("电话 138 1234 5678").text == "电话 13812345678"
    assert read_through("幺三八一二三四五六七八").text == "13812345678"
    plain = read_through("楼下垃圾没人清运, 联系电话13812345678, 3号楼")
    assert plain.text == "楼下垃圾没人清运, 联系电话13812345678, 3号楼"
    assert plain.span(2, 4) == (2, 4)
