"""The center's office hours ("mon-fri 09:00-17:00", China time) and the next opening."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

CHINA = ZoneInfo("Asia/Shanghai")
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class OfficeHours:
    weekdays: frozenset[int]
    opens: dt.time
    closes: dt.time

    @classmethod
    def parse(cls, text: str) -> OfficeHours:
        """`mon-fri 09:00-17:00` or `mon,wed,fri 10:00-16:00`."""
        days, hours = text.strip().lower().split()
        weekdays: set[int] = set()
        for part in days.split(","):
            first, _, last = part.partition("-")
            start, end = DAYS.index(first), DAYS.index(last or first)
            weekdays.update(range(start, end + 1))
        opens, _, closes = hours.partition("-")
        return cls(frozenset(weekdays), dt.time.fromisoformat(opens), dt.time.fromisoformat(closes))

    def is_open(self, moment: dt.datetime) -> bool:
        local = moment.astimezone(CHINA)
        return local.weekday() in self.weekdays and self.opens <= local.time() < self.closes

    def next_opening(self, moment: dt.datetime) -> dt.datetime:
        """The next moment the center opens (China time), after `moment`."""
        local = moment.astimezone(CHINA)
        for offset in range(8):
            day = local.date() + dt.timedelta(days=offset)
            opening = dt.datetime.combine(day, self.opens, tzinfo=CHINA)
            if day.weekday() in self.weekdays and opening > local:
                return opening
        raise ValueError("office hours name no weekday")
