"""Human handoff through the API: queue, claim, relay both ways, bot silent, close, rating."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from bot.db import create_engine, session_factory
from bot.models import HandoffTicket
from bot.settings import Settings
from domain.i18n import translations_for
from domain.responses import TEXTS
from tests.integration.helpers import WebVisitor, running_app
from tests.integration.officers import PASSWORD, OfficerClient, make_officer

pytestmark = pytest.mark.integration


@pytest.fixture
def settings(database_url: str, rasa_url: str) -> Settings:
    # Always open: the wait estimate, not the after-hours notice, is what these tests read.
    return Settings(
        database_url=database_url, rasa_url=rasa_url, office_hours="mon-sun 00:00-23:59"
    )


def text(key: str, lang: str = "en") -> str:
    return translations_for(lang).gettext(TEXTS[key])


async def ask_for_an_officer(visitor: WebVisitor) -> list[dict[str, object]]:
    offer = await visitor.say(payload="human")
    assert offer["messages"][0]["text"] == text("handoff.confirm", "ko")
    queued = await visitor.say(payload="yes")
    assert queued["state"]["mode"] == "waiting_for_officer"
    return list(queued["messages"])


async def test_the_full_round_trip(settings: Settings, database_url: str) -> None:
    name = await make_officer(database_url, "ko,en")
    async with running_app(settings) as client:
        visitor = await WebVisitor(client).start(lang="ko")
        queued = await ask_for_an_officer(visitor)
        assert "1" in queued[0]["text"]  # first in the queue
        assert queued[0]["buttons"][0]["payload"] == "cancel_handoff"
        assert queued[1]["text"] == text("handoff.note_prompt", "ko")
        noted = await visitor.say("서류 문제로 상담하고 싶어요")
        assert noted["messages"][0]["text"] == text("handoff.note_saved", "ko")

        officer = await OfficerClient(client, name).login()
        waiting = await officer.get("/api/v1/handoffs?status=waiting")
        ticket = next(t for t in waiting if t["conversation_id"] == visitor.conversation_id)
        assert ticket["language"] == "ko" and ticket["status"] == "waiting"
        assert ticket["note"] == "서류 문제로 상담하고 싶어요"

        status, claimed = await officer.post(f"/api/v1/handoffs/{ticket['id']}/claim")
        assert status == 200 and claimed["officer"] == name

        # The user writes: the bot says nothing, the officer sees it.
        silent = await visitor.say("제 서류가 준비됐는지 확인해 주세요")
        assert silent["messages"] == [] and silent["state"]["mode"] == "with_officer"
        detail = await officer.get(f"/api/v1/handoffs/{ticket['id']}")
        assert detail["transcript"][-1]["text"] == "제 서류가 준비됐는지 확인해 주세요"

        status, _ = await officer.post(
            f"/api/v1/handoffs/{ticket['id']}/messages", {"canned": "canned.greeting"}
        )
        assert status == 200
        status, _ = await officer.post(
            f"/api/v1/handoffs/{ticket['id']}/messages", {"text": "<b>서류는 준비됐습니다</b>"}
        )
        assert status == 200
        history = await client.get(
            f"/api/v1/conversations/{visitor.conversation_id}/messages?after=0",
            headers=visitor.headers,
        )
        officer_lines = [m for m in (await history.json())["messages"] if m["sender"] == "officer"]
        assert [m["text"] for m in officer_lines] == [
            text("canned.greeting", "ko"),
            "<b>서류는 준비됐습니다</b>",
        ]

        status, closed = await officer.post(f"/api/v1/handoffs/{ticket['id']}/close")
        assert status == 200 and closed["status"] == "closed"
        after = await client.get(
            f"/api/v1/conversations/{visitor.conversation_id}/messages?after=0",
            headers=visitor.headers,
        )
        body = await after.json()
        assert body["state"]["mode"] == "bot"
        assert body["messages"][-1]["text"] == text("rating.ask", "ko")

        rated = await visitor.say(payload="rate:5")
        assert rated["messages"][0]["text"] == text("rating.comment", "ko")
        thanks = await visitor.say("아주 친절했어요")
        assert thanks["messages"][0]["text"] == text("rating.thanks", "ko")

    engine = create_engine(settings.async_database_url)
    async with session_factory(engine)() as session:
        stored = await session.get(HandoffTicket, ticket["id"])
    await engine.dispose()
    assert stored is not None
    assert (stored.rating, stored.comment, stored.status) == (5, "아주 친절했어요", "closed")


async def test_a_waiting_user_can_cancel(settings: Settings) -> None:
    async with running_app(settings) as client:
        visitor = await WebVisitor(client).start(lang="ko")
        await ask_for_an_officer(visitor)
        cancelled = await visitor.say(payload="cancel_handoff")

    assert cancelled["state"]["mode"] == "bot"
    assert cancelled["messages"][0]["text"] == text("handoff.cancelled", "ko")


async def test_concurrent_claims_have_exactly_one_winner(
    postgresql_url: str, rasa_url: str
) -> None:
    settings = Settings(database_url=postgresql_url, rasa_url=rasa_url)
    names = [await make_officer(postgresql_url) for _ in range(5)]
    async with running_app(settings) as client:
        visitor = await WebVisitor(client).start(lang="ko")
        await ask_for_an_officer(visitor)
        officers = [await OfficerClient(client, n).login() for n in names]
        waiting = await officers[0].get("/api/v1/handoffs?status=waiting")
        ticket = next(t for t in waiting if t["conversation_id"] == visitor.conversation_id)

        results = await asyncio.gather(
            *(o.post(f"/api/v1/handoffs/{ticket['id']}/claim") for o in officers)
        )

    statuses = sorted(status for status, _ in results)
    assert statuses == [200, 409, 409, 409, 409]
    winner = next(body["officer"] for status, body in results if status == 200)
    assert winner in names


async def test_officer_endpoints_refuse_without_a_session(
    settings: Settings, database_url: str
) -> None:
    name = await make_officer(database_url)
    async with running_app(settings) as client:
        visitor = await WebVisitor(client).start()
        paths = [
            ("GET", "/api/v1/handoffs"),
            ("GET", "/api/v1/handoffs/1"),
            ("POST", "/api/v1/handoffs/1/claim"),
            ("POST", "/api/v1/handoffs/1/messages"),
            ("POST", "/api/v1/handoffs/1/close"),
            ("GET", "/api/v1/officer/events"),
        ]
        for method, path in paths:
            anonymous = await client.request(method, path)
            with_visitor_token = await client.request(method, path, headers=visitor.headers)
            assert anonymous.status == 401, path
            assert with_visitor_token.status == 401, path

        wrong = await client.post(
            "/api/v1/officer/login", json={"username": name, "password": "wrong password!"}
        )
        assert wrong.status == 401

        # A cookie session needs the CSRF token on every change.
        login = await client.post(
            "/api/v1/officer/login", json={"username": name, "password": PASSWORD}
        )
        csrf = (await login.json())["csrf_token"]
        assert "HttpOnly" in login.headers["Set-Cookie"]
        listed = await client.get("/api/v1/handoffs")
        forged = await client.post("/api/v1/handoffs/1/claim")
        allowed = await client.post("/api/v1/handoffs/999999/claim", headers={"X-CSRF-Token": csrf})
        assert listed.status == 200
        assert forged.status == 403
        assert allowed.status == 404

    engine = create_engine(settings.async_database_url)
    async with session_factory(engine)() as session:
        await session.execute(select(HandoffTicket).limit(1))
    await engine.dispose()
