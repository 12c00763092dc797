"""The ledger's XLSX writer: what openpyxl reads back is what was written, whatever the text."""
from __future__ import annotations

import io
import zipfile
from datetime import datetime

import openpyxl

from handlers.xlsx import SheetWriter, _columns


def _read(rows, width, title="台账") -> tuple[str, list[list[object]]]:
    stream = io.BytesIO()
    sheet = SheetWriter(stream, title, width)
    sheet.append(rows)
    sheet.close()
    assert zipfile.ZipFile(io.BytesIO(stream.getvalue())).testzip() is None
    book = openpyxl.load_workbook(io.BytesIO(stream.getvalue()))
    return book.active.title, [list(r) for r in book.active.iter_rows(values_only=True)]


def test_text_numbers_and_minutes_come_back_as_written():
    at = datetime(2026, 11, 23, 10, 5)
    title, rows = _read([["工单号", "提单时间", "退回次数"],
                         ["WG-20261123-0001", at, 2],
                         ["a < b & c > d \"'", None, 0],
                         ["  留空格  ", datetime(1999, 12, 31, 23, 59), ""]], 3)
    assert title == "台账"
    assert rows == [["工单号", "提单时间", "退回次数"], ["WG-20261123-0001", at, 2],
                    ["a < b & c > d \"'", None, 0],
                    ["  留空格  ", datetime(1999, 12, 31, 23, 59), None]]


def test_characters_xml_cannot_carry_are_dropped_and_the_rest_kept():
    _, rows = _read([["响\x00铃\x07声\x1f", "换行\n制表\t"]], 2, title="a&b<c>")
    assert rows == [["响铃声", "换行\n制表\t"]]


def test_columns_past_z_and_an_empty_sheet():
    assert _columns(28)[-3:] == ["Z", "AA", "AB"]
    _, rows = _read([list(range(28))], 28)
    assert rows == [list(range(28))]
    assert _read([], 5)[1] == []
