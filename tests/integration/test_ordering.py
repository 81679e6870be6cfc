"""Two `onestop serve` processes on one PostgreSQL: one conversation is answered in order, once."""

from __future__ import annotations

import asyncio
from itertools import cycle

import aiohttp
import pytest
from sqlalchemy import select

from bot import repository
from bot.assistant import Assistant, Inbound
from bot.db import create_engine, session_factory
from bot.models import Message
from domain.knowledge import load_knowledge
from nlu.client import RasaClient
from tests.conftest import free_port, wait_for
from tests.integration.test_restart import serve

pytestmark = pytest.mark.integration

MESSAGES = 24


async def test_two_processes_answer_one_conversation_in_arrival_order(
    postgresql_url: str, rasa_url: str
) -> None:
    ports = [free_port(), free_port()]
    with (
        serve(postgresql_url, rasa_url, ports[0], "ordering-1.log"),
        serve(postgresql_url, rasa_url, ports[1], "ordering-2.log"),
    ):
        bases = [f"http://127.0.0.1:{port}" for port in ports]
        for base in bases:
            await wait_for(f"{base}/healthz")
        async with aiohttp.ClientSession() as http:
            async with http.post(f"{bases[0]}/api/v1/conversations", json={"lang": "en"}) as r:
                created = await r.json()
            headers = {"Authorization": f"Bearer {created['token']}"}
            path = f"/api/v1/conversations/{created['conversation_id']}/messages"

            async def send(base: str, payload: str) -> int:
                async with http.post(base + path, json={"payload": payload}, headers=headers) as r:
                    return r.status

            # Alternate processes; the same conversation, all at once.
            topics = cycle(["topic:faq_fees", "topic:faq_health_check", "topic:faq_work_visa"])
            jobs = [send(base, next(topics)) for base, _ in zip(cycle(bases), range(MESSAGES))]
            statuses = await asyncio.gather(*jobs)
    assert statuses == [200] * MESSAGES

    engine = create_engine(postgresql_url)
    async with session_factory(engine)() as session:
        rows = (
            (
                await session.execute(
                    select(Message)
                    .where(Message.conversation_id == created["conversation_id"])
                    .order_by(Message.seq)
                )
            )
            .scalars()
            .all()
        )
    await engine.dispose()
    inbound = [m for m in rows if m.direction == "in"]
    outbound = [m for m in rows if m.direction == "out"]
    assert len(inbound) == MESSAGES and all(m.processed_at for m in inbound)
    # Every reply follows its own message, and the replies come in the messages' order.
    answered = [m.reply_to for m in outbound]
    assert sorted(set(answered)) == sorted(m.id for m in inbound)
    assert answered == sorted(answered)
    processed = sorted(inbound, key=lambda m: m.processed_at)
    assert [m.seq for m in processed] == [m.seq for m in inbound]


FIRST = "how much does the work permit cost?"
SECOND = "how long is the Z visa valid?"


async def test_a_message_stored_while_the_step_waits_for_the_lock_is_answered_first(
    postgresql_url: str, rasa_url: str
) -> None:
    """The step reads the lock and "is anything pending?" in one statement, whose subqueries see
    the messages as they were when it started: a message another transaction stored while the
    step waited for the row lock must still be answered, and before the step's own."""
    engine = create_engine(postgresql_url)
    sessions = session_factory(engine)
    http = aiohttp.ClientSession()
    assistant = Assistant(sessions, RasaClient(http, rasa_url), load_knowledge())
    async with sessions.begin() as session:
        conversation, _token = await repository.create_web_conversation(
            session, lang="en", role=None
        )
    try:
        async with sessions.begin() as holder:  # like a Telegram intake in another process
            locked = await repository.lock_conversation(holder, conversation.id)
            assert locked is not None
            await assistant.receive(holder, locked, Inbound.typed(FIRST))
            step = asyncio.create_task(
                assistant.take_in_and_answer(conversation.id, Inbound.typed(SECOND))
            )
            await asyncio.sleep(0.5)  # the step now waits for the row lock
            assert not step.done()
        answered = await step
        async with sessions() as session:
            inbound = await repository.messages_after(session, conversation.id, 0, direction="in")
            replies = await repository.messages_after(session, conversation.id, 0, direction="out")
    finally:
        await http.close()
        await engine.dispose()
    assert [m.text for m in inbound] == [FIRST, SECOND]
    assert all(m.processed_at is not None for m in inbound)
    assert len(answered.replies) == len(replies) > 0
    # The message stored first is answered first.
    answered_in_order = [r.reply_to for r in replies]
    first, second = inbound[0].id, inbound[1].id
    assert answered_in_order == sorted(answered_in_order, key=[first, second].index)
    assert set(answered_in_order) == {first, second}
