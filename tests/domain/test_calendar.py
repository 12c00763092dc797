from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.calendar import SHANGHAI, WorkingCalendar, WorkingHours


def at(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=SHANGHAI)


@pytest.fixture
def cal() -> WorkingCalendar:
    return WorkingCalendar()


def test_national_day_golden_week_2026_is_a_holiday(cal):
    for day in range(1, 8):
        assert not cal.is_workday(date(2026, 10, day)), f"Oct {day}"
    assert cal.is_workday(date(2026, 10, 8))
    assert cal.is_workday(date(2026, 9, 30))


def test_adjusted_weekend_days_of_2026_are_workdays(cal):
    assert date(2026, 10, 10).weekday() == 5 and cal.is_workday(date(2026, 10, 10))  # 国庆调休
    assert date(2026, 2, 14).weekday() == 5 and cal.is_workday(date(2026, 2, 14))   # 春节调休
    assert date(2026, 9, 20).weekday() == 6 and cal.is_workday(date(2026, 9, 20))
    assert not cal.is_workday(date(2026, 10, 17))  # an ordinary Saturday


def test_friday_evening_request_lands_monday_morning(cal):
    # Half an hour left on Friday, the other 1.5 h from Monday 08:30.
    assert cal.add_working_hours(at(2026, 3, 13, 17), 2) == at(2026, 3, 16, 10)


def test_deadline_is_in_shanghai_time_whatever_the_input_zone(cal):
    friday_17_in_utc = datetime(2026, 3, 13, 9, tzinfo=UTC)
    due = cal.add_working_hours(friday_17_in_utc, 2)
    assert due == at(2026, 3, 16, 10)
    assert due.tzinfo == SHANGHAI and due.hour == 10


def test_lunch_break_is_skipped(cal):
    assert cal.add_working_hours(at(2026, 3, 16, 11), 2) == at(2026, 3, 16, 14, 30)
    assert cal.add_working_hours(at(2026, 3, 16, 12, 30), 1) == at(2026, 3, 16, 14, 30)


def test_a_request_before_office_hours_starts_counting_at_opening(cal):
    assert cal.add_working_hours(at(2026, 3, 16, 6), 1) == at(2026, 3, 16, 9, 30)


def test_limit_running_out_at_closing_time_ends_that_evening(cal):
    assert cal.add_working_hours(at(2026, 3, 16, 17), 0.5) == at(2026, 3, 16, 17, 30)
    assert cal.add_working_days(at(2026, 3, 16, 8, 30), 1) == at(2026, 3, 16, 17, 30)


def test_working_days_keep_the_time_of_day_and_jump_the_golden_week(cal):
    assert cal.add_working_days(at(2026, 3, 17, 10), 1) == at(2026, 3, 18, 10)
    # Sep 30, then Oct 8, 9 and the adjusted Saturday Oct 10.
    assert cal.add_working_days(at(2026, 9, 30, 10), 3) == at(2026, 10, 10, 10)


def test_working_hours_between_counts_only_office_hours(cal):
    assert cal.working_hours_between(at(2026, 3, 13, 17), at(2026, 3, 16, 10)) == 2.0
    assert cal.working_hours_between(at(2026, 3, 16, 10), at(2026, 3, 16, 14)) == 2.5
    assert cal.working_hours_between(at(2026, 3, 16), at(2026, 3, 23)) == 5 * 7.5
    assert cal.working_hours_between(at(2026, 10, 1, 9), at(2026, 10, 7, 17)) == 0.0
    assert cal.working_hours_between(at(2026, 3, 16, 10), at(2026, 3, 13, 17)) == -2.0


def test_unknown_year_falls_back_to_weekends_without_crashing(cal):
    assert cal.known(date(2026, 12, 31))
    assert not cal.known(date(2027, 1, 1))
    assert cal.is_workday(date(2027, 1, 1))        # a Friday: really New Year, unknown here
    assert not cal.is_workday(date(2027, 1, 2))    # Saturday
    assert cal.add_working_hours(at(2027, 1, 1, 17), 2) == at(2027, 1, 4, 10)
    assert cal.fell_back == {2027}


def test_settings_can_patch_a_year_the_package_does_not_know():
    cal = WorkingCalendar(extra_holidays=frozenset({date(2027, 1, 1)}))
    assert not cal.is_workday(date(2027, 1, 1))


def test_working_hours_are_configuration():
    hours = WorkingHours.parse("09:00-12:00, 13:00-18:00")
    assert hours.periods == ((time(9), time(12)), (time(13), time(18)))
    cal = WorkingCalendar(hours)
    assert cal.hours_per_day == 8.0
    assert cal.add_working_days(at(2026, 3, 16, 9), 1) == at(2026, 3, 16, 18)


def test_overlapping_working_periods_are_refused():
    with pytest.raises(ValueError):
        WorkingHours(((time(8), time(12)), (time(11), time(17))))


def test_naive_datetimes_are_refused(cal):
    with pytest.raises(ValueError):
        cal.add_working_hours(datetime(2026, 3, 16, 10), 1)


starts = st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2026, 11, 30),
                      timezones=st.just(SHANGHAI))


@settings(max_examples=200, deadline=None)
@given(start=starts, minutes=st.integers(min_value=1, max_value=15 * 7 * 60 + 30))
def test_adding_then_measuring_working_time_gives_it_back(start, minutes):
    cal = WorkingCalendar()
    due = cal.add_working_hours(start, minutes / 60)
    assert due > start
    assert cal.working_hours_between(start, due) == pytest.approx(minutes / 60)
    assert cal.is_workday(due.date())
    assert any(s < due.timetz().replace(tzinfo=None) <= e for s, e in cal.hours.periods)
    assert due - start < timedelta(days=40)
