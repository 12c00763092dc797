from datetime import datetime, timedelta

import pytest

from domain.calendar import SHANGHAI, WorkingCalendar
from domain.deadlines import (
    DeadlinePolicy,
    Light,
    crossed_thresholds,
    due_for,
    elapsed_fraction,
    hazard_control_by,
    light,
)
from domain.orders import Due, Urgency


def at(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=SHANGHAI)


FRIDAY_17 = at(2026, 3, 13, 17)
POLICY = DeadlinePolicy.default()


@pytest.fixture
def cal() -> WorkingCalendar:
    return WorkingCalendar()


def test_emergency_runs_on_the_calendar_clock_even_in_the_golden_week(cal):
    start = at(2026, 10, 3, 2)
    assert due_for(POLICY, cal, Urgency.EMERGENCY, start) == Due(at(2026, 10, 3, 2, 30),
                                                                  at(2026, 10, 4, 2))
    assert hazard_control_by(POLICY, cal, Urgency.EMERGENCY, start) == at(2026, 10, 3, 4)
    assert hazard_control_by(POLICY, cal, Urgency.URGENT, start) is None


def test_urgent_is_signed_within_an_hour_and_resolved_within_a_day(cal):
    assert due_for(POLICY, cal, Urgency.URGENT, FRIDAY_17) == Due(at(2026, 3, 13, 18),
                                                                   at(2026, 3, 14, 17))


def test_normal_counts_working_hours_and_working_days(cal):
    due = due_for(POLICY, cal, Urgency.NORMAL, FRIDAY_17)
    assert due.sign_by == at(2026, 3, 16, 10)
    assert due.resolve_by == at(2026, 3, 18, 17)


def test_normal_is_capped_at_seven_days_over_the_golden_week(cal):
    # Three working days would end on the adjusted Saturday Oct 10; the cap comes first.
    start = at(2026, 9, 30, 10)
    assert cal.add_working_days(start, 3) == at(2026, 10, 10, 10)
    assert due_for(POLICY, cal, Urgency.NORMAL, start).resolve_by == at(2026, 10, 7, 10)


def test_complex_gets_fifteen_working_days_past_qingming(cal):
    due = due_for(POLICY, cal, Urgency.COMPLEX, at(2026, 3, 16, 10))
    assert due.sign_by == at(2026, 3, 17, 10)
    assert due.resolve_by == at(2026, 4, 7, 10)   # Mon Apr 6 is 清明


def test_consult_has_no_sign_limit(cal):
    assert due_for(POLICY, cal, Urgency.CONSULT, FRIDAY_17) == Due(None, at(2026, 3, 18, 17))


def test_settings_override_one_class_and_keep_the_rest(cal):
    policy = DeadlinePolicy.from_mapping({
        "normal": {"sign_hours": 4, "resolve_days": 5, "cap_days": None},
        "emergency": {"sign_hours": 0.25},
        "reminder_thresholds": [0.8, 0.5, 0.9],
    })
    normal = due_for(policy, cal, Urgency.NORMAL, FRIDAY_17)
    assert normal == Due(at(2026, 3, 16, 12), at(2026, 3, 20, 17))
    assert due_for(policy, cal, Urgency.EMERGENCY, FRIDAY_17).sign_by == at(2026, 3, 13, 17, 15)
    assert policy.rule(Urgency.COMPLEX) == POLICY.rule(Urgency.COMPLEX)
    assert policy.rule(Urgency.NORMAL).cap is None
    assert policy.reminder_thresholds == (0.5, 0.8, 0.9)


def test_settings_can_move_a_class_to_the_calendar_clock(cal):
    policy = DeadlinePolicy.from_mapping({"consult": {"resolve_working": False}})
    assert due_for(policy, cal, Urgency.CONSULT, FRIDAY_17).resolve_by == at(2026, 3, 16, 17)
    assert not policy.rule(Urgency.CONSULT).resolve_working


@pytest.mark.parametrize("settings", [{"normall": {}}, {"normal": {"sign_hour": 2}}])
def test_a_typo_in_deadline_settings_is_refused(settings):
    with pytest.raises(ValueError):
        DeadlinePolicy.from_mapping(settings)


@pytest.mark.parametrize(("minutes", "expected"), [
    (30, Light.GREEN), (48, Light.GREEN), (54, Light.YELLOW), (60, Light.YELLOW),
    (72, Light.RED),
])
def test_light_on_the_calendar_clock_at_50_80_90_100_120_percent(cal, minutes, expected):
    start = at(2026, 3, 14, 10)   # a Saturday: calendar time runs anyway
    now = start + timedelta(minutes=minutes)
    assert light(start, start + timedelta(hours=1), now, cal, working=False) is expected


@pytest.mark.parametrize(("now", "fraction", "expected"), [
    (at(2026, 3, 14, 12), 0.25, Light.GREEN),     # the weekend does not count
    (at(2026, 3, 16, 9), 0.5, Light.GREEN),
    (at(2026, 3, 16, 9, 36), 0.8, Light.GREEN),
    (at(2026, 3, 16, 9, 48), 0.9, Light.YELLOW),
    (at(2026, 3, 16, 10), 1.0, Light.YELLOW),
    (at(2026, 3, 16, 10, 24), 1.2, Light.RED),
])
def test_light_on_the_working_clock(cal, now, fraction, expected):
    due = at(2026, 3, 16, 10)    # two working hours after Friday 17:00
    assert elapsed_fraction(FRIDAY_17, due, now, cal, working=True) == pytest.approx(fraction)
    assert light(FRIDAY_17, due, now, cal, working=True) is expected


def test_a_deadline_capped_into_a_holiday_is_red_once_it_passes(cal):
    start = at(2026, 9, 30, 10)
    due = due_for(POLICY, cal, Urgency.NORMAL, start).resolve_by
    assert light(start, due, at(2026, 10, 7, 12), cal, working=True) is Light.RED


def test_each_reminder_threshold_is_crossed_once_between_sweeps(cal):
    start, due = at(2026, 3, 16, 10), at(2026, 3, 16, 11)

    def minute(m: int) -> datetime:
        return start + timedelta(minutes=m)

    assert crossed_thresholds(start, due, minute(24), minute(36), cal, False) == [0.5]
    assert crossed_thresholds(start, due, minute(30), minute(40), cal, False) == []
    assert crossed_thresholds(start, due, start, minute(54), cal, False) == [0.5, 0.8]
    assert crossed_thresholds(start, due, minute(45), minute(90), cal, False) == [0.8]


def test_no_working_time_passes_over_a_weekend_so_no_reminder_fires(cal):
    due = at(2026, 3, 16, 10)
    crossed = crossed_thresholds(FRIDAY_17, due, at(2026, 3, 13, 17, 30), at(2026, 3, 15, 23),
                                 cal, True)
    assert crossed == []
    assert crossed_thresholds(FRIDAY_17, due, at(2026, 3, 15, 23), at(2026, 3, 16, 9), cal,
                              True) == [0.5]
