"""Erasure and the retention purge really remove personal data; tickets stay anonymous."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import uuid

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select, update

from bot import repository
from bot.cli import main
from bot.db import create_engine, session_factory
from bot.models import (
    Contact,
    Conversation,
    HandoffTicket,
    Message,
    Miss,
    WalkthroughEvent,
    utcnow,
)
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


async def test_a_visitor_exports_their_data_then_erases_it(
    database_url: str, rasa_url: str
) -> None:
    settings = Settings(database_url=database_url, rasa_url=rasa_url)
    async with running_app(settings) as client:
        visitor = await WebVisitor(client).start(lang="fr")
        await visitor.say(SECRET)
        await visitor.say(payload="guide:role:foreigner")
        await visitor.say(payload="guide:where:abroad")  # a walk-through starts: counted
        export = await client.get(
            f"/api/v1/conversations/{visitor.conversation_id}/export", headers=visitor.headers
        )
        data = await export.json()
        stranger = await WebVisitor(client).start(lang="en")
        other = await client.get(
            f"/api/v1/conversations/{visitor.conversation_id}/export", headers=stranger.headers
        )
        erased = await client.delete(
            f"/api/v1/conversations/{visitor.conversation_id}", headers=visitor.headers
        )
        after = await client.get(
            f"/api/v1/conversations/{visitor.conversation_id}/export", headers=visitor.headers
        )

    assert export.status == 200 and "attachment" in export.headers["Content-Disposition"]
    assert data["conversation"]["id"] == visitor.conversation_id
    assert data["conversation"]["language"] == "fr"
    texts = [m["text"] for m in data["messages"]]
    assert SECRET in texts and any(m["sender"] == "bot" for m in data["messages"])
    assert data["conversation"]["walk_through"]["flow"] == "from_abroad"
    assert other.status in (401, 404)  # one visitor's token opens only their own data
    assert erased.status == 204 and after.status in (401, 404)

    engine = create_engine(settings.async_database_url)
    async with session_factory(engine)() as session:
        leftovers = await session.scalar(
            select(func.count()).select_from(Message).where(Message.text.contains("E1234567"))
        )
        conversation = await session.get(Conversation, visitor.conversation_id)
        walks = await session.scalar(
            select(func.count())
            .select_from(WalkthroughEvent)
            .where(WalkthroughEvent.conversation_id == visitor.conversation_id)
        )
    await engine.dispose()
    assert leftovers == 0 and conversation is None and walks == 0


async def test_officers_export_and_erase_a_telegram_users_data(database_url: str) -> None:
    chat = 770_000 + uuid.uuid4().int % 100_000
    engine = create_engine(database_url)
    async with session_factory(engine).begin() as session:
        conversation = await repository.find_or_create_chat(
            session,
            channel="telegram",
            external_chat_id=str(chat),
            user_external_id=str(chat),
            display_name="Ivan Privatov",
            lang="ru",
            language_hint="ru",
        )
        await repository.append_message(
            session, conversation, direction="in", sender="user", text=SECRET
        )
        conversation_id = conversation.id

    def cli(*args: str) -> str:
        result = CliRunner().invoke(main, list(args), env={"DATABASE_URL": database_url})
        assert result.exit_code == 0, result.output
        return result.output

    exported = json.loads(
        await asyncio.to_thread(cli, "user", "export", "--telegram-chat", str(chat))
    )
    assert exported["contact"]["display_name"] == "Ivan Privatov"
    assert exported["messages"][0]["text"] == SECRET
    await asyncio.to_thread(cli, "user", "erase", "--telegram-chat", str(chat), "--yes")

    async with session_factory(engine)() as session:
        contacts = await session.scalar(
            select(func.count()).select_from(Contact).where(Contact.display_name == "Ivan Privatov")
        )
        messages = await session.scalar(
            select(func.count())
            .select_from(Message)
            .where(Message.conversation_id == conversation_id)
        )
    await engine.dispose()
    assert contacts == 0 and messages == 0
