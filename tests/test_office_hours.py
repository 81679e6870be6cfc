"""Office hours in China time, whatever the server's time zone."""

from __future__ import annotations

import datetime as dt

from domain.office_hours import CHINA, OfficeHours

HOURS = OfficeHours.parse("mon-fri 09:00-17:00")


def china(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=CHINA)


def test_open_on_a_weekday_afternoon_closed_at_night_and_weekends() -> None:
    assert HOURS.is_open(china(2026, 11, 23, 15, 0))  # Monday
    assert not HOURS.is_open(china(2026, 11, 23, 17, 0))
    assert not HOURS.is_open(china(2026, 11, 22, 12, 0))  # Sunday


def test_next_opening_skips_the_weekend_and_reads_utc() -> None:
    friday_evening_utc = dt.datetime(2026, 11, 27, 12, 0, tzinfo=dt.UTC)  # 20:00 in China
    assert HOURS.next_opening(friday_evening_utc) == china(2026, 11, 30, 9, 0)
    early_monday = china(2026, 11, 30, 7, 30)
    assert HOURS.next_opening(early_monday) == china(2026, 11, 30, 9, 0)


def test_lists_of_days() -> None:
    hours = OfficeHours.parse("mon,wed-thu 10:00-16:00")
    assert hours.weekdays == frozenset({0, 2, 3})
