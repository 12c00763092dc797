"""The ledger as files: CSV (UTF-8 with a BOM, so Excel reads the Chinese) and XLSX.

Both are written batch by batch to a binary stream as the rows come: the CSV as text, the
XLSX as its sheet's XML deflated into the zip (handlers/xlsx.py), so neither holds the ledger
in memory. The console's download buttons and `gridbot export` call `export` with a filter
and a stream.
"""
from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from typing import BinaryIO, Literal

from handlers import texts
from handlers.ledger import Books, Cell, event_lines, order_lines
from handlers.xlsx import SheetWriter
from storage.order_filter import OrderFilter

Format = Literal["csv", "xlsx"]
FORMATS: tuple[Format, ...] = ("csv", "xlsx")
BOM = "\ufeff".encode()
Tick = Callable[[int], object]


def _csv_cell(value: Cell) -> str | int:
    """Free text was made safe for a spreadsheet where it was read (handlers.ledger.clean)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(" ", "minutes")     # 2026-11-23 10:05, as Excel reads it
    return value


def _lines(books: Books, wanted: OrderFilter, now: datetime,
           events: bool) -> AsyncIterator[list[list[Cell]]]:
    return event_lines(books, wanted, now) if events else order_lines(books, wanted, now)


def _headers(events: bool) -> tuple[str, ...]:
    headers: tuple[str, ...] = texts.LEDGER_EVENT_HEADERS if events else texts.LEDGER_HEADERS
    return headers


async def csv_chunks(books: Books, wanted: OrderFilter, now: datetime, events: bool = False,
                     tick: Tick | None = None) -> AsyncIterator[bytes]:
    """The CSV file, a batch of rows per chunk (for a streamed download)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(_headers(events))
    yield BOM + buffer.getvalue().encode()
    async for lines in _lines(books, wanted, now, events):
        buffer.seek(0)
        buffer.truncate()
        writer.writerows([value if type(value) is str else _csv_cell(value) for value in line]
                         for line in lines)
        yield buffer.getvalue().encode()
        if tick is not None:
            tick(len(lines))


async def write_csv(books: Books, wanted: OrderFilter, stream: BinaryIO, now: datetime,
                    events: bool = False, tick: Tick | None = None) -> None:
    async for chunk in csv_chunks(books, wanted, now, events, tick):
        stream.write(chunk)


async def write_xlsx(books: Books, wanted: OrderFilter, stream: BinaryIO, now: datetime,
                     events: bool = False, tick: Tick | None = None) -> None:
    headers = _headers(events)
    sheet = SheetWriter(stream, texts.LEDGER_EVENT_SHEET if events else texts.LEDGER_SHEET,
                        len(headers))
    sheet.append([headers])
    async for lines in _lines(books, wanted, now, events):
        sheet.append(lines)
        if tick is not None:
            tick(len(lines))
    sheet.close()


async def export(books: Books, wanted: OrderFilter, stream: BinaryIO, form: Format,
                 events: bool = False, now: datetime | None = None,
                 tick: Tick | None = None) -> None:
    """The filtered orders (or, with `events`, their histories) as a ledger file on `stream`."""
    moment = now or books.uow().clock.now()
    write = write_xlsx if form == "xlsx" else write_csv
    await write(books, wanted, stream, moment, events, tick)
