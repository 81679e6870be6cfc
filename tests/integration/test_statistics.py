"""The statistics on a seeded database match counts computed here from the seed itself.

The seed lives in a past fortnight no other test writes to. Expected figures are computed from
the seed list with plain arithmetic (China time is UTC+8, without daylight saving), not with
the code under test.
"""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import io
import random
import re
import statistics as stats
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

import pytest
from click.testing import CliRunner
from PIL import Image

from bot.cli import main
from bot.db import create_engine, session_factory
from bot.models import Contact, Conversation, HandoffTicket, Message, WalkthroughEvent
from bot.settings import Settings
from bot.statistics import gather
from tests.integration.helpers import running_app
from tests.integration.officers import OfficerClient, make_officer

pytestmark = pytest.mark.integration

START, END = dt.date(2025, 3, 3), dt.date(2025, 3, 16)  # two ISO weeks, Monday to Sunday
UTC8 = dt.timedelta(hours=8)
LANGS = ["en", "zh", "ko", "ja", "ru", "fr", "de", "es", "ar", "vi"]
TOPICS = ["faq_fees", "faq_work_visa", "greet", "faq_health_check", None]


@dataclass
class SeedMessage:
    at: dt.datetime  # UTC
    direction: str
    language: str
    intent: str | None


@dataclass
class SeedConversation:
    id: str
    channel: str
    lang: str
    role: str | None
    person: str
    messages: list[SeedMessage] = field(default_factory=list)


def china_day(at: dt.datetime) -> dt.date:
    return (at + UTC8).date()


def in_period(at: dt.datetime) -> bool:
    return START <= china_day(at) <= END


def seed_plan(rng: random.Random) -> tuple[list[SeedConversation], list[dict[str, object]]]:
    people = [f"person-{n}" for n in range(18)]
    conversations = []
    for n in range(24):
        conversation = SeedConversation(
            id=str(uuid.uuid4()),
            channel=rng.choice(["web", "telegram", "terminal"]),
            lang=rng.choice(LANGS),
            role=rng.choice(["foreigner", "employer", None]),
            person=people[n % len(people)],  # some people have two conversations
        )
        # Around the period's edges too: the day before and after are not counted.
        first = dt.datetime.combine(START - dt.timedelta(days=1), dt.time(), dt.UTC) - UTC8
        for _ in range(rng.randint(1, 6)):
            at = first + dt.timedelta(minutes=rng.randint(0, 16 * 24 * 60 - 1))
            conversation.messages.append(
                SeedMessage(at, "in", rng.choice(LANGS), rng.choice(TOPICS))
            )
            conversation.messages.append(
                SeedMessage(at + dt.timedelta(seconds=2), "out", conversation.lang, None)
            )
        conversations.append(conversation)
    # Exactly on the edges: 00:00 China time on the first day counts, a minute before does not.
    edge = dt.datetime.combine(START, dt.time(), dt.UTC) - UTC8
    conversations[0].messages += [
        SeedMessage(edge, "in", "en", "faq_fees"),
        SeedMessage(edge - dt.timedelta(minutes=1), "in", "en", "faq_fees"),
    ]
    tickets = []
    for conversation in conversations[:10]:
        created = conversation.messages[0].at
        claimed = created + dt.timedelta(minutes=rng.randint(1, 30)) if rng.random() < 0.8 else None
        closed = claimed + dt.timedelta(minutes=rng.randint(5, 60)) if claimed else None
        rating = rng.randint(1, 5) if closed and rng.random() < 0.7 else None
        tickets.append(
            {
                "conversation": conversation,
                "created": created,
                "claimed": claimed,
                "closed": closed,
                "rating": rating,
            }
        )
    return conversations, tickets


async def store(
    database_url: str, conversations: list[SeedConversation], tickets: list[dict[str, object]]
) -> None:
    engine = create_engine(database_url)
    tag = uuid.uuid4().hex[:8]
    walk_day = dt.datetime.combine(START, dt.time(12), dt.UTC)
    async with session_factory(engine).begin() as session:
        contacts: dict[str, Contact] = {}
        for c in conversations:
            if c.person not in contacts:
                contacts[c.person] = Contact(channel=c.channel, external_id=f"{tag}-{c.person}")
                session.add(contacts[c.person])
        await session.flush()
        for c in conversations:
            session.add(
                Conversation(
                    id=c.id,
                    contact_id=contacts[c.person].id,
                    channel=c.channel,
                    external_chat_id=f"{tag}-{c.id}",
                    lang=c.lang,
                    role=c.role,
                    created_at=min(m.at for m in c.messages),
                    updated_at=max(m.at for m in c.messages),
                    last_seq=len(c.messages),
                )
            )
        await session.flush()
        for c in conversations:
            for seq, m in enumerate(c.messages, start=1):
                session.add(
                    Message(
                        conversation_id=c.id,
                        seq=seq,
                        direction=m.direction,
                        sender="user" if m.direction == "in" else "bot",
                        text="seeded",
                        language=m.language,
                        intent=m.intent,
                        created_at=m.at,
                        sent_at=m.at if m.direction == "out" else None,  # not in any outbox
                    )
                )
        for t in tickets:
            conversation = t["conversation"]
            assert isinstance(conversation, SeedConversation)
            session.add(
                HandoffTicket(
                    conversation_id=conversation.id,
                    language=conversation.lang,
                    status="closed" if t["closed"] else "active" if t["claimed"] else "waiting",
                    created_at=t["created"],
                    claimed_at=t["claimed"],
                    closed_at=t["closed"],
                    rating=t["rating"],
                )
            )
        for flow, kind, count in [
            ("from_abroad", "started", 5),
            ("from_abroad", "finished", 2),
            ("employer_hiring", "started", 3),
        ]:
            for _ in range(count):
                session.add(WalkthroughEvent(flow=flow, kind=kind, created_at=walk_day))
    await engine.dispose()


def expected_figures(
    conversations: list[SeedConversation], tickets: list[dict[str, object]]
) -> dict[str, object]:
    inbound = [(c, m) for c in conversations for m in c.messages if m.direction == "in"]
    inbound = [(c, m) for c, m in inbound if in_period(m.at)]
    outbound = [m for c in conversations for m in c.messages if m.direction == "out"]
    active = {c.id for c, _ in inbound}
    counted = [t for t in tickets if in_period(t["created"])]  # type: ignore[arg-type]
    waits = [
        (t["claimed"] - t["created"]).total_seconds() / 60  # type: ignore[operator]
        for t in counted
        if t["claimed"]
    ]
    ratings = [t["rating"] for t in counted if t["rating"] is not None]
    per_day = Counter(china_day(m.at) for _, m in inbound)
    return {
        "conversations": len(active),
        "users": len({c.person for c, _ in inbound}),
        "messages in": len(inbound),
        "messages out": sum(1 for m in outbound if in_period(m.at)),
        "handoffs": len(counted),
        "median wait": round(stats.median(waits), 1) if waits else None,
        "ratings": Counter(ratings),
        "per day": {day.isoformat(): n for day, n in per_day.items()},
        "hours": Counter(f"{(m.at + UTC8).hour:02d}:00" for _, m in inbound),
        "languages": Counter(m.language for _, m in inbound),
        "topics": Counter(m.intent for _, m in inbound if m.intent),
    }


async def test_report_figures_match_the_seed(database_url: str, tmp_path: Path) -> None:
    conversations, tickets = seed_plan(random.Random(2025))
    await store(database_url, conversations, tickets)
    expected = expected_figures(conversations, tickets)

    engine = create_engine(database_url)
    async with session_factory(engine)() as session:
        report = await gather(session, START, END)
    await engine.dispose()

    for name in ("conversations", "users", "messages in", "messages out", "handoffs"):
        assert report.summary[name] == expected[name], name
    assert report.summary["walk-throughs started"] == 8
    assert report.summary["walk-throughs finished"] == 2
    walks = {row[0]: row[1:] for row in report.table("walkthroughs").rows}
    assert walks == {"employer_hiring": (3, 0, 0.0), "from_abroad": (5, 2, 40.0)}

    per_day = {row[0]: row[3] for row in report.table("per_day").rows}
    assert len(per_day) == 14
    assert {day: n for day, n in per_day.items() if n} == expected["per day"]
    assert sum(row[3] for row in report.table("per_week").rows) == expected["messages in"]
    assert [row[0] for row in report.table("per_week").rows] == ["2025-W10", "2025-W11"]
    hours = {row[0]: row[1] for row in report.table("busiest_hours").rows if row[1]}
    assert hours == expected["hours"]
    languages = {row[0]: row[2] for row in report.table("by_language").rows if row[2]}
    assert languages == expected["languages"]
    assert dict(report.table("by_topic").rows) == expected["topics"]
    handoffs = dict(report.table("handoffs").rows)
    assert handoffs["median minutes to claim"] == expected["median wait"]
    ratings = dict(report.table("ratings").rows)
    assert {k: v for k, v in ratings.items() if v} == expected["ratings"]

    # The command line writes the same tables as CSV, and the charts as valid pictures.
    def run_cli() -> str:
        result = CliRunner().invoke(
            main,
            ["report", "--from", str(START), "--to", str(END), "--out", str(tmp_path), "--format",
             "png"],
            env={"DATABASE_URL": database_url},
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        return result.output

    output = await asyncio.to_thread(run_cli)
    assert re.search(rf"messages in\s+{expected['messages in']}\n", output), output
    with (tmp_path / "per_day.csv").open(encoding="utf-8") as file:
        rows = list(csv.reader(file))
    assert rows[0] == ["day", "conversations", "users", "messages in", "messages out"]
    assert {r[0]: int(r[3]) for r in rows[1:] if r[3] != "0"} == expected["per day"]
    for name in ("per_day", "by_language", "busiest_hours", "ratings"):
        with Image.open(tmp_path / f"{name}.png") as picture:
            picture.verify()
            assert picture.format == "PNG" and picture.size[0] > 300


async def test_statistics_page_is_for_supervisors_only(database_url: str, rasa_url: str) -> None:
    settings = Settings(database_url=database_url, rasa_url=rasa_url)
    supervisor = await make_officer(database_url, role="supervisor")
    plain = await make_officer(database_url)
    query = f"from={START}&to={END}"
    async with running_app(settings) as client:
        anonymous = await client.get(f"/api/v1/statistics?{query}")
        assert anonymous.status == 401
        officer = await OfficerClient(client, plain).login()
        refused = await client.get(f"/api/v1/statistics?{query}", headers=officer.headers)
        assert refused.status == 403
        boss = await OfficerClient(client, supervisor).login()
        report = await boss.get(f"/api/v1/statistics?{query}")
        assert {t["name"] for t in report["tables"]} >= {"per_day", "by_topic", "handoffs"}
        assert "seeded" not in str(report)  # counts only, never content

        bad = await client.get("/api/v1/statistics?from=2025-13-01", headers=boss.headers)
        assert bad.status == 400 and (await bad.json())["error"]["code"] == "invalid_date"
        backwards = await client.get(
            "/api/v1/statistics?from=2025-03-10&to=2025-03-01", headers=boss.headers
        )
        assert backwards.status == 400

        svg = await client.get(f"/api/v1/statistics/per_day.svg?{query}", headers=boss.headers)
        assert svg.status == 200 and svg.content_type == "image/svg+xml"
        root = ElementTree.fromstring(await svg.read())  # noqa: S314 - our own chart
        assert root.tag.endswith("svg")
        png = await client.get(f"/api/v1/statistics/by_topic.png?{query}", headers=boss.headers)
        with Image.open(io.BytesIO(await png.read())) as picture:
            assert picture.format == "PNG"
        table = await client.get(f"/api/v1/statistics/by_topic.csv?{query}", headers=boss.headers)
        assert table.status == 200 and "attachment" in table.headers["Content-Disposition"]
        assert (await table.text()).splitlines()[0] == "topic,questions"
        unknown = await client.get(f"/api/v1/statistics/nothing.csv?{query}", headers=boss.headers)
        assert unknown.status == 404

        page = await client.get("/officer/statistics")
        assert page.status == 200 and "Content-Security-Policy" in page.headers
