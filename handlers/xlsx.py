"""A one-sheet XLSX file written as it goes: text, whole numbers and minutes, nothing else.

A ledger (台账) may hold a hundred thousand rows of 24 cells, and openpyxl's write-only sheet
builds an element per cell before serialising it: this writes each row's SpreadsheetML as one
string and deflates the sheet straight into the zip, so memory stays flat and a row costs
about what the CSV's costs (bench/README.md). What it writes is the smallest workbook Excel, WPS and
openpyxl open: one sheet, inline strings, one date style (yyyy-mm-dd hh:mm).
"""
from __future__ import annotations

import zipfile
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import BinaryIO
from xml.sax.saxutils import quoteattr

Cell = str | int | datetime | None
EXCEL_EPOCH = datetime(1899, 12, 30)
# XML 1.0 carries no control character but tab, newline and carriage return.
_TEXT = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;",
                       **{chr(c): None for c in range(0x20) if c not in (0x09, 0x0A, 0x0D)}})
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_CONTENT_TYPES = (
    _DECLARATION + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
    'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.styles+xml"/></Types>')
_ROOT_RELS = (
    _DECLARATION + f'<Relationships xmlns="{_PKG}"><Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"'
    ' Target="xl/workbook.xml"/></Relationships>')
_WORKBOOK_RELS = (
    _DECLARATION + f'<Relationships xmlns="{_PKG}">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/styles" Target="styles.xml"/></Relationships>')
# Style 0 is the default; style 1 shows a serial date as 2026-11-23 10:05.
_STYLES = (
    _DECLARATION + f'<styleSheet xmlns="{_MAIN}">'
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd hh:mm"/></numFmts>'
    '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/>'
    '</cellStyles></styleSheet>')


def _columns(count: int) -> list[str]:
    """A, B, … Z, AA, AB, …: the first `count` column names."""
    names = []
    for index in range(count):
        name, n = "", index + 1
        while n:
            n, rest = divmod(n - 1, 26)
            name = chr(65 + rest) + name
        names.append(name)
    return names


class SheetWriter:
    """Rows appended in order to the one sheet of an XLSX written to `stream`."""

    def __init__(self, stream: BinaryIO, title: str, width: int):
        self._zip = zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED, compresslevel=1)
        self._columns = _columns(width)
        for name, content in (
                ("[Content_Types].xml", _CONTENT_TYPES), ("_rels/.rels", _ROOT_RELS),
                ("xl/workbook.xml", _DECLARATION + f'<workbook xmlns="{_MAIN}" xmlns:r="{_REL}">'
                 f'<sheets><sheet name={quoteattr(title[:31])} sheetId="1" r:id="rId1"/>'
                 "</sheets></workbook>"),
                ("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS), ("xl/styles.xml", _STYLES)):
            self._zip.writestr(name, content)
        self._row = 0
        self._sheet = self._zip.open("xl/worksheets/sheet1.xml", "w", force_zip64=True)
        self._sheet.write((_DECLARATION + f'<worksheet xmlns="{_MAIN}"><sheetData>').encode())

    def append(self, rows: Iterable[Sequence[Cell]]) -> None:
        parts: list[str] = []
        add = parts.append
        for line in rows:
            self._row += 1
            number = str(self._row)
            add(f'<row r="{number}">')
            for name, value in zip(self._columns, line, strict=False):
                if isinstance(value, str):
                    if value:
                        add(f'<c r="{name}{number}" t="inlineStr"><is><t xml:space="preserve">'
                            f"{value.translate(_TEXT)}</t></is></c>")
                elif isinstance(value, datetime):
                    since = value - EXCEL_EPOCH
                    serial = since.days + (since.seconds + since.microseconds / 1e6) / 86400
                    add(f'<c r="{name}{number}" s="1"><v>{serial!r}</v></c>')
                elif value is not None:
                    add(f'<c r="{name}{number}"><v>{int(value)}</v></c>')
            add("</row>")
        self._sheet.write("".join(parts).encode())

    def close(self) -> None:
        self._sheet.write(b"</sheetData></worksheet>")
        self._sheet.close()
        self._zip.close()
