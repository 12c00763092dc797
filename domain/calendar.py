"""China's working-time calendar: statutory holidays, adjusted working days (调休), office hours."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar

SHANGHAI = ZoneInfo("Asia/Shanghai")
_US_PER_HOUR = 3_600_000_000
_ONE_DAY = timedelta(days=1)


def _us_of_day(t: time) -> int:
    return ((t.hour * 60 + t.minute) * 60 + t.second) * 1_000_000 + t.microsecond


@dataclass(frozen=True)
class WorkingHours:
    """The office hours of one working day as (start, end) wall-clock pairs, in order."""

    periods: tuple[tuple[time, time], ...] = (
        (time(8, 30), time(12, 0)),
        (time(13, 30), time(17, 30)),
    )

    def __post_init__(self) -> None:
        if not self.periods:
            raise ValueError("working hours need at least one period")
        last_end = time.min
        for i, (start, end) in enumerate(self.periods):
            if not start < end or (i and start < last_end):
                raise ValueError(f"working periods must be increasing and apart: {self.periods}")
            last_end = end

    @classmethod
    def parse(cls, text: str) -> WorkingHours:
        """Read settings text like "08:30-12:00,13:30-17:30"."""
        pairs = []
        for part in text.split(","):
            start, end = part.strip().split("-")
            pairs.append((time.fromisoformat(start.strip()), time.fromisoformat(end.strip())))
        return cls(tuple(pairs))

    @property
    def hours_per_day(self) -> float:
        return sum(_us_of_day(e) - _us_of_day(s) for s, e in self.periods) / _US_PER_HOUR


@dataclass(eq=False)
class WorkingCalendar:
    """Answers "is this a working day" and does deadline arithmetic in working time.

    Days come from the chinese_calendar package. A year it does not know falls back to
    Monday–Friday: `known(day)` says whether a day was decided by real data, and `fell_back`
    collects the years that needed the fallback, so callers can warn instead of crash.
    `extra_holidays` and `extra_workdays` let settings patch a year before the package knows it.
    Hours are wall-clock in `tz`; Asia/Shanghai has no daylight saving, so a day is always 24 h.
    """

    hours: WorkingHours = field(default_factory=WorkingHours)
    tz: ZoneInfo = SHANGHAI
    extra_holidays: frozenset[date] = frozenset()
    extra_workdays: frozenset[date] = frozenset()
    fell_back: set[int] = field(default_factory=set, init=False)
    _days: dict[date, bool] = field(default_factory=dict, init=False, repr=False)
    _years: dict[int, bool] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        self._periods = tuple((_us_of_day(s), _us_of_day(e)) for s, e in self.hours.periods)
        self._day_us = sum(e - s for s, e in self._periods)

    @property
    def hours_per_day(self) -> float:
        return self._day_us / _US_PER_HOUR

    def known(self, day: date) -> bool:
        """True when the holiday data covers this day's year."""
        year = day.year
        if year not in self._years:
            try:
                chinese_calendar.is_workday(date(year, 6, 1))
                self._years[year] = True
            except NotImplementedError:
                self._years[year] = False
        return self._years[year]

    def is_workday(self, day: date) -> bool:
        cached = self._days.get(day)
        if cached is None:
            cached = self._days[day] = self._decide(day)
        return cached

    def _decide(self, day: date) -> bool:
        if day in self.extra_workdays:
            return True
        if day in self.extra_holidays:
            return False
        if self.known(day):
            return bool(chinese_calendar.is_workday(day))
        self.fell_back.add(day.year)
        return day.weekday() < 5

    def local(self, moment: datetime) -> datetime:
        """The same instant on this calendar's wall clock; naive datetimes are refused."""
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise ValueError(f"a timezone-aware datetime is required, got {moment!r}")
        return moment.astimezone(self.tz)

    def add_working_hours(self, start: datetime, hours: float) -> datetime:
        """The moment `hours` of working time after `start`; a deadline ends in working time."""
        if hours < 0:
            raise ValueError(f"hours must not be negative: {hours}")
        local = self.local(start)
        remaining = round(hours * _US_PER_HOUR)
        if remaining == 0:
            return local
        day, offset = local.date(), _us_of_day(local.timetz())
        while True:
            if self.is_workday(day):
                if offset == 0 and remaining > self._day_us:
                    remaining -= self._day_us
                else:
                    for s, e in self._periods:
                        if e <= offset:
                            continue
                        s = max(s, offset)
                        if remaining <= e - s:
                            return self._at(day, s + remaining)
                        remaining -= e - s
            day += _ONE_DAY
            offset = 0

    def add_working_days(self, start: datetime, days: int) -> datetime:
        """`days` full working days of working time after `start`: same time of day, N days on.

        A start outside working hours counts from the next working moment, so Monday 08:30
        plus one day is Monday 17:30, and Monday 10:00 plus one day is Tuesday 10:00.
        """
        return self.add_working_hours(start, days * self.hours_per_day)

    def working_hours_between(self, a: datetime, b: datetime) -> float:
        """Working time from `a` to `b` in hours; negative when `b` is before `a`."""
        if b < a:
            return -self.working_hours_between(b, a)
        la, lb = self.local(a), self.local(b)
        da, db = la.date(), lb.date()
        oa, ob = _us_of_day(la.timetz()), _us_of_day(lb.timetz())
        if da == db:
            return (self._worked(da, ob) - self._worked(da, oa)) / _US_PER_HOUR
        total = self._worked(db, ob) + (self._day_us - self._worked(da, oa) if
                                         self.is_workday(da) else 0)
        day = da + _ONE_DAY
        while day < db:
            if self.is_workday(day):
                total += self._day_us
            day += _ONE_DAY
        return total / _US_PER_HOUR

    def _worked(self, day: date, offset: int) -> int:
        """Working microseconds on `day` from midnight up to `offset`."""
        if not self.is_workday(day):
            return 0
        return sum(max(0, min(e, offset) - s) for s, e in self._periods)

    def _at(self, day: date, us: int) -> datetime:
        return datetime.combine(day, time.min, tzinfo=self.tz) + timedelta(microseconds=us)
