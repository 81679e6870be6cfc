"""Erasure and the retention purge really remove personal data; tickets stay anonymous."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select, update

from bot import repository
from bot.db import create_engine, session_factory
from bot.models import Conversation, HandoffTicket, Message, Miss, utcnow
from bot.settings import Settings
from tests.integration.helpers import WebVisitor, running_app

pytestmark = pytest.mark.integration
SECRET = "my passport is E1234567 and I live at 5 Nanjing Road"


async def test_purge_removes_old_conversations_and_keeps_anonymous_tickets(
    database_url: str, rasa_url: str
) -> None:
    settings = Settings(database_url=database_url, rasa_url=rasa_url)
    async with running_app(settings) as client:
        old = await WebVisitor(client).start(lang="en")
        await old.say(SECRET)
        await old.say(payload="human")
        await old.say(payload="yes")
        recent = await WebVisitor(client).start(lang="en")
        await recent.say("hello")

    engine = create_engine(settings.async_database_url)
    sessions = session_factory(engine)
    async with sessions.begin() as session:
        await session.execute(
            update(Conversation)
            .where(Conversation.id == old.conversation_id)
            .values(updated_at=utcnow() - dt.timedelta(days=400))
        )
    async with sessions.begin() as session:
        removed = await repository.purge_older_than(session, 365)
    async with sessions() as session:
        leftovers = await session.scalar(
            select(func.count()).select_from(Message).where(Message.text.contains("E1234567"))
        )
        misses = await session.scalar(
            select(func.count()).select_from(Miss).where(Miss.text.contains("E1234567"))
        )
        tickets = (
            (
                await session.execute(
                    select(HandoffTicket).where(HandoffTicket.conversation_id.is_(None))
                )
            )
            .scalars()
            .all()
        )
        kept = await session.get(Conversation, recent.conversation_id)
    await engine.dispose()

    assert removed["conversations"] >= 1
    assert leftovers == 0 and misses == 0
    assert tickets and all(t.note is None for t in tickets)
    assert kept is not None
