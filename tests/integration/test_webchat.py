"""End to end through the web chat API: real Rasa, real SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.db import create_engine, session_factory
from bot.models import Message, Miss
from bot.settings import Settings
from domain.i18n import translations_for
from domain.knowledge import load_knowledge
from domain.responses import TEXTS
from tests.integration.helpers import WebVisitor, running_app

pytestmark = pytest.mark.integration


def greet(lang: str) -> str:
    return translations_for(lang).gettext(TEXTS["greet"])


def first_part(topic: str, lang: str) -> str:
    return translations_for(lang).gettext(load_knowledge()[topic].parts["anyone"][0])


@pytest.fixture
def settings(database_url: str, rasa_url: str) -> Settings:
    return Settings(database_url=database_url, rasa_url=rasa_url, telegram_bot_token=None)


@pytest.mark.parametrize(
    ("lang", "hello", "question", "topic"),
    [
        ("en", "hello there", "how much does a residence permit cost?", "faq_fees"),
        ("zh", "你好", "办居留许可要交多少钱？", "faq_fees"),
        (
            "en",
            "hi",
            "what documents do I need for the notification letter?",
            "faq_required_documents",
        ),
        ("zh", "您好", "申请工作许可需要准备哪些材料", "faq_required_documents"),
    ],
)
async def test_greeting_and_faq_are_answered_in_the_users_language(
    settings: Settings, lang: str, hello: str, question: str, topic: str
) -> None:
    async with running_app(settings) as client:
        visitor = await WebVisitor(client).start()

        assert (await visitor.texts(hello))[0] == greet(lang)
        reply = await visitor.say(question)

        assert reply["messages"][0]["text"] == first_part(topic, lang)
        assert reply["state"] == {"mode": "bot", "lang": lang}
        assert any(b["payload"] == "human" for b in reply["messages"][-1]["buttons"])


async def test_messages_and_understanding_are_stored(settings: Settings) -> None:
    async with running_app(settings) as client:
        visitor = await WebVisitor(client).start(lang="en")
        await visitor.say("how much does a residence permit cost?")

    engine = create_engine(settings.async_database_url)
    async with session_factory(engine)() as session:
        rows = (
            (
                await session.execute(
                    select(Message)
                    .where(Message.conversation_id == visitor.conversation_id)
                    .order_by(Message.seq)
                )
            )
            .scalars()
            .all()
        )
    await engine.dispose()
    assert [r.direction for r in rows][:2] == ["in", "out"]
    assert rows[0].intent == "faq_fees" and rows[0].confidence and rows[0].processed_at
    assert [r.seq for r in rows] == list(range(1, len(rows) + 1))


async def test_a_token_opens_only_its_own_conversation(settings: Settings) -> None:
    async with running_app(settings) as client:
        alice = await WebVisitor(client).start()
        bob = await WebVisitor(client).start()
        url = f"/api/v1/conversations/{alice.conversation_id}/messages"

        stolen = await client.get(url, headers=bob.headers)
        missing = await client.get(url)

        assert stolen.status == 401 and missing.status == 401
        assert (await stolen.json())["error"]["code"] == "unauthorized"


async def test_history_is_returned_after_a_sequence_number(settings: Settings) -> None:
    async with running_app(settings) as client:
        visitor = await WebVisitor(client).start(lang="en")
        await visitor.say("hello")
        await visitor.say(payload="topic:faq_fees")

        response = await client.get(
            f"/api/v1/conversations/{visitor.conversation_id}/messages?after=2",
            headers=visitor.headers,
        )
        messages = (await response.json())["messages"]

        assert messages[0]["seq"] == 3
        assert messages[0]["direction"] == "in"
        assert messages[1]["text"] == first_part("faq_fees", "en")


async def test_erasure_removes_the_conversation(settings: Settings) -> None:
    async with running_app(settings) as client:
        visitor = await WebVisitor(client).start()
        await visitor.say("hello")

        deleted = await client.delete(
            f"/api/v1/conversations/{visitor.conversation_id}", headers=visitor.headers
        )
        after = await client.get(
            f"/api/v1/conversations/{visitor.conversation_id}/messages", headers=visitor.headers
        )

        assert deleted.status == 204
        assert after.status == 404


async def test_two_misses_in_a_row_offer_an_officer_and_are_kept(settings: Settings) -> None:
    async with running_app(settings) as client:
        visitor = await WebVisitor(client).start(lang="en")
        first = await visitor.say("what's the best pizza topping?")
        second = await visitor.say("who will win the football world cup?")

    assert first["messages"][0]["text"] == translations_for("en").gettext(TEXTS["out_of_scope"])
    assert second["messages"][0]["text"] == translations_for("en").gettext(
        TEXTS["miss.offer_officer"]
    )
    assert [b["payload"] for b in second["messages"][0]["buttons"]] == ["yes", "no"]
    engine = create_engine(settings.async_database_url)
    async with session_factory(engine)() as session:
        misses = (
            (
                await session.execute(
                    select(Miss)
                    .join(Message, Message.id == Miss.message_id)
                    .where(Message.conversation_id == visitor.conversation_id)
                )
            )
            .scalars()
            .all()
        )
    await engine.dispose()
    assert [m.reason for m in misses] == ["out_of_scope", "out_of_scope"]


async def test_the_page_words_follow_the_language(settings: Settings) -> None:
    async with running_app(settings) as client:
        arabic = await (await client.get("/api/v1/ui-strings?lang=ar-EG")).json()
        fallback = await (await client.get("/api/v1/ui-strings?lang=pt-BR")).json()

    assert (arabic["lang"], arabic["dir"]) == ("ar", "rtl")
    assert arabic["send"] == translations_for("ar").gettext(TEXTS["page.send"]) != "Send"
    assert (fallback["lang"], fallback["dir"], fallback["send"]) == ("en", "ltr", "Send")
