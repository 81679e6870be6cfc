"""The center's figures for a date range: counts only, never a message or a person.

Days, weeks and hours are China time (the center's). `gather` reads what it needs from SQL;
`build` turns those rows into the report's tables and is pure, so tests can check the figures.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import Conversation, HandoffTicket, Message, WalkthroughEvent
from domain.office_hours import CHINA

Cell = str | int | float | None


@dataclass(frozen=True)
class Table:
    name: str  # used for file names: per_day.csv, per_day.svg
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    chart: str = "bar"  # "bar" | "line" | "none"


@dataclass(frozen=True)
class Report:
    start: dt.date
    end: dt.date  # inclusive
    summary: dict[str, Cell]
    tables: tuple[Table, ...]

    def table(self, name: str) -> Table:
        return next(t for t in self.tables if t.name == name)


@dataclass(frozen=True)
class MessageRow:
    at: dt.datetime
    direction: str
    language: str | None
    intent: str | None
    conversation_id: str
    person: str  # the contact, or the conversation when it has no contact
    channel: str
    role: str | None
    lang: str


@dataclass(frozen=True)
class TicketRow:
    created_at: dt.datetime
    claimed_at: dt.datetime | None
    closed_at: dt.datetime | None
    rating: int | None
    language: str


@dataclass(frozen=True)
class Rows:
    messages: Sequence[MessageRow] = ()
    tickets: Sequence[TicketRow] = ()
    walkthroughs: Sequence[tuple[str, str]] = ()  # (flow, kind)
    new_conversations: int = 0


@dataclass
class Volume:
    """Conversations, people and messages of one day or week."""

    conversations: set[str] = field(default_factory=set)
    people: set[str] = field(default_factory=set)
    messages_in: int = 0
    messages_out: int = 0

    def add(self, message: MessageRow) -> None:
        if message.direction == "in":
            self.conversations.add(message.conversation_id)
            self.people.add(message.person)
            self.messages_in += 1
        else:
            self.messages_out += 1

    def row(self, label: str) -> tuple[Cell, ...]:
        return (
            label, len(self.conversations), len(self.people), self.messages_in, self.messages_out
        )  # fmt: skip


def period(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The half-open interval of instants from `start` 00:00 to the day after `end`, China time."""
    begin = dt.datetime.combine(start, dt.time(), CHINA)
    stop = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), CHINA)
    return begin.astimezone(dt.UTC), stop.astimezone(dt.UTC)


def local(at: dt.datetime) -> dt.datetime:
    return (at if at.tzinfo else at.replace(tzinfo=dt.UTC)).astimezone(CHINA)


async def gather(session: AsyncSession, start: dt.date, end: dt.date) -> Report:
    begin, stop = period(start, end)
    messages = await session.execute(
        select(
            Message.created_at,
            Message.direction,
            Message.language,
            Message.intent,
            Conversation.id,
            Conversation.contact_id,
            Conversation.channel,
            Conversation.role,
            Conversation.lang,
        )
        .join(Conversation, Conversation.id == Message.conversation_id)
        .where(Message.created_at >= begin, Message.created_at < stop)
    )
    tickets = await session.execute(
        select(
            HandoffTicket.created_at,
            HandoffTicket.claimed_at,
            HandoffTicket.closed_at,
            HandoffTicket.rating,
            HandoffTicket.language,
        ).where(HandoffTicket.created_at >= begin, HandoffTicket.created_at < stop)
    )
    walks = await session.execute(
        select(WalkthroughEvent.flow, WalkthroughEvent.kind).where(
            WalkthroughEvent.created_at >= begin, WalkthroughEvent.created_at < stop
        )
    )
    new = await session.execute(
        select(Conversation.id).where(
            Conversation.created_at >= begin, Conversation.created_at < stop
        )
    )
    rows = Rows(
        messages=[
            MessageRow(
                at=local(at),
                direction=direction,
                language=language,
                intent=intent,
                conversation_id=conversation_id,
                person=f"c{contact}" if contact is not None else conversation_id,
                channel=channel,
                role=role,
                lang=lang,
            )
            for at, direction, language, intent, conversation_id, contact, channel, role, lang in (
                messages.all()
            )
        ],
        tickets=[
            TicketRow(
                local(created),
                local(claimed) if claimed else None,
                local(closed) if closed else None,
                rating,
                language,
            )
            for created, claimed, closed, rating, language in tickets.all()
        ],
        walkthroughs=[(flow, kind) for flow, kind in walks.all()],
        new_conversations=len(new.all()),
    )
    return build(rows, start, end)


def days(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]


def week_of(day: dt.date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def minutes(pairs: Iterable[tuple[dt.datetime, dt.datetime | None]]) -> list[float]:
    return [(b - a).total_seconds() / 60 for a, b in pairs if b is not None]


def median(values: list[float]) -> float | None:
    return round(statistics.median(values), 1) if values else None


def build(rows: Rows, start: dt.date, end: dt.date) -> Report:
    """The report's tables from the rows of the period (pure)."""
    inbound = [m for m in rows.messages if m.direction == "in"]
    outbound = [m for m in rows.messages if m.direction == "out"]
    active = {m.conversation_id: m for m in inbound}  # conversations the users wrote in
    people = {m.person for m in inbound}

    per_day = {day: Volume() for day in days(start, end)}
    per_week: dict[str, Volume] = {}
    for m in rows.messages:
        day = m.at.date()
        if day in per_day:
            per_day[day].add(m)
            per_week.setdefault(week_of(day), Volume()).add(m)
    day_rows = [volume.row(day.isoformat()) for day, volume in per_day.items()]
    week_rows = [volume.row(week) for week, volume in sorted(per_week.items())]

    def by(key: str, message_key: str | None = None) -> list[tuple[Cell, ...]]:
        """Conversations by their attribute, messages by theirs (the language of each message)."""
        conversations: Counter[str] = Counter()
        messages: Counter[str] = Counter()
        for m in active.values():
            conversations[str(getattr(m, key) or "unknown")] += 1
        for m in inbound:
            messages[str(getattr(m, message_key or key) or "unknown")] += 1
        names = sorted(set(conversations) | set(messages), key=lambda n: -messages[n])
        return [(name, conversations[name], messages[name]) for name in names]

    topics = Counter(m.intent for m in inbound if m.intent)
    hours = Counter(m.at.hour for m in inbound)

    started = Counter(flow for flow, kind in rows.walkthroughs if kind == "started")
    finished = Counter(flow for flow, kind in rows.walkthroughs if kind == "finished")
    walk_rows = [
        (flow, started[flow], finished[flow], _percent(finished[flow], started[flow]))
        for flow in sorted(set(started) | set(finished))
    ]

    tickets = rows.tickets
    claimed = [t for t in tickets if t.claimed_at]
    to_claim = minutes((t.created_at, t.claimed_at) for t in tickets)
    to_close = minutes((t.created_at, t.closed_at) for t in claimed)
    ratings = [t.rating for t in tickets if t.rating is not None]
    handoff_rows: list[tuple[Cell, ...]] = [
        ("handoffs requested", len(tickets)),
        ("handoff rate (% of conversations)", _percent(len(tickets), len(active))),
        ("claimed by an officer", len(claimed)),
        ("median minutes to claim", median(to_claim)),
        ("median minutes to close", median(to_close)),
        ("ratings given", len(ratings)),
        ("average rating", round(statistics.fmean(ratings), 2) if ratings else None),
    ]
    rating_counts = Counter(ratings)

    summary: dict[str, Cell] = {
        "conversations": len(active),
        "new conversations": rows.new_conversations,
        "users": len(people),
        "messages in": len(inbound),
        "messages out": len(outbound),
        "walk-throughs started": sum(started.values()),
        "walk-throughs finished": sum(finished.values()),
        "handoffs": len(tickets),
        "handoff rate %": _percent(len(tickets), len(active)),
        "average rating": handoff_rows[-1][1],
    }
    counts = ("conversations", "users", "messages in", "messages out")
    tables = (
        Table("per_day", "Per day", ("day", *counts), tuple(day_rows), "line"),
        Table("per_week", "Per week", ("week", *counts), tuple(week_rows)),
        Table(
            "by_language",
            "By language",
            ("language", "conversations", "messages in"),
            tuple(by("lang", "language")),
        ),
        Table("by_role", "By role", ("role", "conversations", "messages in"), tuple(by("role"))),
        Table(
            "by_channel",
            "By channel",
            ("channel", "conversations", "messages in"),
            tuple(by("channel")),
        ),
        Table("by_topic", "By topic", ("topic", "questions"), tuple(topics.most_common())),
        Table(
            "walkthroughs",
            "Guided walk-throughs",
            ("flow", "started", "finished", "finished %"),
            tuple(walk_rows),
        ),
        Table("handoffs", "Handoffs", ("figure", "value"), tuple(handoff_rows), "none"),
        Table(
            "ratings",
            "Ratings",
            ("rating", "count"),
            tuple((score, rating_counts[score]) for score in range(1, 6)),
        ),
        Table(
            "busiest_hours",
            "Busiest hours (China time)",
            ("hour", "messages in"),
            tuple((f"{hour:02d}:00", hours[hour]) for hour in range(24)),
        ),
    )
    return Report(start, end, summary, tables)


def _percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


TABLE_NAMES = tuple(t.name for t in build(Rows(), dt.date(2000, 1, 1), dt.date(2000, 1, 1)).tables)
