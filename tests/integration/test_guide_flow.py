"""The walk-through through the real pipeline (Rasa, SQL) in three languages, and reminders."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from sqlalchemy import func, select, update

from bot.db import create_engine, session_factory
from bot.models import Message, Reminder, utcnow
from bot.settings import Settings
from domain.flows import load_flows
from domain.formatting import date_text
from domain.i18n import translations_for
from domain.responses import TEXTS
from tests.integration.helpers import WebVisitor, running_app

pytestmark = pytest.mark.integration


def text(key: str, lang: str) -> str:
    return translations_for(lang).gettext(TEXTS[key])


@pytest.fixture
def settings(database_url: str, rasa_url: str) -> Settings:
    return Settings(database_url=database_url, rasa_url=rasa_url, reminder_interval_seconds=0.3)


@pytest.mark.parametrize(
    ("lang", "arrival_text"),
    [("fr", "j'arrive le 3 mars 2027"), ("zh", "我2027年3月3日到"), ("ar", "أصل في 3 مارس 2027")],
)
async def test_a_walk_through_in_the_users_language(
    settings: Settings, lang: str, arrival_text: str
) -> None:
    async with running_app(settings) as client:
        visitor = await WebVisitor(client).start(lang=lang)
        assert await visitor.texts("/guide") == [text("guide.ask_role", lang)]
        assert await visitor.texts(payload="guide:role:foreigner") == [
            text("guide.ask_where", lang)
        ]
        asked = await visitor.say(payload="guide:where:abroad")
        assert asked["messages"][0]["text"] == text("guide.ask_category", lang)
        await visitor.say(payload="guide:category:B")
        walk = await visitor.texts(arrival_text)

        checklist, card = walk
        t = translations_for(lang)
        flow = load_flows()["from_abroad"]
        assert t.gettext(flow.title) in checklist
        # Accommodation registration: 24 hours after arrival, in the user's date format.
        assert date_text(dt.date(2027, 3, 4), lang) in checklist
        assert t.gettext(flow.steps[0].title) in card

        reminded = await visitor.texts(payload="guide:remind")
        assert reminded == [text("guide.reminders_on", lang)]
        after_restart = await visitor.say(payload="guide:progress")
        assert after_restart["messages"][0]["text"] == checklist


async def count_reminder_messages(settings: Settings, conversation_id: str, title: str) -> int:
    engine = create_engine(settings.async_database_url)
    async with session_factory(engine)() as session:
        count = await session.scalar(
            select(func.count())
            .select_from(Message)
            .where(Message.conversation_id == conversation_id, Message.text.contains(title))
        )
    await engine.dispose()
    return int(count or 0)


async def test_reminders_fire_once_across_restarts(settings: Settings) -> None:
    arrival = (utcnow() + dt.timedelta(days=10)).date().isoformat()
    async with running_app(settings) as client:
        visitor = await WebVisitor(client).start(lang="en")
        await visitor.say(payload="guide:start")
        await visitor.say(payload="guide:role:foreigner")
        await visitor.say(payload="guide:where:abroad")
        await visitor.say(payload="guide:category:B")
        await visitor.say(f"I arrive on {arrival}")
        await visitor.say(payload="guide:remind")

    # Time passes: the first reminder is due.
    engine = create_engine(settings.async_database_url)
    async with session_factory(engine).begin() as session:
        first = await session.scalar(
            select(Reminder)
            .where(Reminder.conversation_id == visitor.conversation_id)
            .order_by(Reminder.due_at)
            .limit(1)
        )
        assert first is not None and first.sent_at is None
        await session.execute(
            update(Reminder)
            .where(Reminder.id == first.id)
            .values(due_at=utcnow() - dt.timedelta(minutes=1))
        )
    await engine.dispose()
    steps = {s.id: s for s in load_flows()["from_abroad"].steps}
    title = f'"{steps[first.step_id].title}"'  # as the reminder quotes it, unlike the checklist

    for _ in range(2):  # two restarts, each with the reminder loop running
        async with running_app(settings):
            for _ in range(50):
                if await count_reminder_messages(settings, visitor.conversation_id, title):
                    break
                await asyncio.sleep(0.2)
            await asyncio.sleep(1.0)
    assert await count_reminder_messages(settings, visitor.conversation_id, title) == 1
