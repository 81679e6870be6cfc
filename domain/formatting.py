"""Dates, times, numbers, money and counts, formatted with Babel in the user's locale."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime, format_skeleton, format_time
from babel.numbers import format_currency, format_decimal
from babel.support import NullTranslations

CHINA = ZoneInfo("Asia/Shanghai")


@lru_cache(maxsize=4096)
def date_text(day: dt.date, lang: str, *, weekday: bool = False) -> str:
    """A date as people of the locale write it ("3 March 2027", "2027年3月3日星期三")."""
    return format_date(day, "full" if weekday else "long", locale=lang)


def datetime_text(moment: dt.datetime, lang: str) -> str:
    """A moment in China's time zone, e.g. a deadline at the end of a day."""
    return format_datetime(moment, "medium", tzinfo=CHINA, locale=lang)


def time_text(moment: dt.datetime, lang: str) -> str:
    return format_time(moment, "short", tzinfo=CHINA, locale=lang)


def number_text(value: int | float | Decimal, lang: str) -> str:
    return format_decimal(value, locale=lang)


def money_text(amount: int | Decimal, lang: str) -> str:
    """An amount in yuan (CNY), written the locale's way ("CN¥1,000.00", "1.000,00 CN¥")."""
    return format_currency(amount, "CNY", locale=lang)


def working_days_text(count: int, t: NullTranslations) -> str:
    return t.ngettext("{count} working day", "{count} working days", count).format(count=count)


def days_text(count: int, t: NullTranslations) -> str:
    return t.ngettext("{count} day", "{count} days", count).format(count=count)


def points_text(count: int, t: NullTranslations) -> str:
    return t.ngettext("{count} point", "{count} points", count).format(count=count)


def minutes_text(count: int, t: NullTranslations) -> str:
    return t.ngettext("{count} minute", "{count} minutes", count).format(count=count)


def opening_text(moment: dt.datetime, lang: str) -> str:
    """When the center opens next: weekday, date and time in China ("Monday, 30 Nov, 09:00")."""
    local = moment.astimezone(CHINA)
    day = format_skeleton("MMMMEd", local, locale=lang)
    return f"{day} {format_time(local, 'short', tzinfo=CHINA, locale=lang)}"
