"""The database goes away under a running server (PostgreSQL refuses connections and drops the
open ones): the Telegram webhook answers 503 so Telegram retries, the web chat gets a clear
503, /healthz says so, nothing crashes; when the database is back, everything goes on."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator

import asyncpg
import pytest

from bot import db
from bot.settings import Settings
from tests.conftest import POSTGRES_ADMIN, _create_postgres_database, _drop_postgres_database
from tests.fake_telegram import FakeBotApi
from tests.integration.helpers import WebVisitor, running_app

pytestmark = pytest.mark.integration
SECRET = "down-secret"


@pytest.fixture
async def own_database() -> AsyncIterator[tuple[str, str]]:
    """A database of this test alone (the outage must not touch the others)."""
    name, url = await _create_postgres_database()
    await asyncio.to_thread(db.upgrade, url)
    yield name, url
    await set_connections(name, allowed=True)
    await _drop_postgres_database(name)


async def set_connections(name: str, *, allowed: bool) -> None:
    connection = await asyncpg.connect(POSTGRES_ADMIN)
    try:
        await connection.execute(
            f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS {str(allowed).lower()}'
        )
        if not allowed:
            await connection.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1",
                name,
            )
    finally:
        await connection.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_database_outage_gives_503_and_recovers(
    own_database: tuple[str, str], rasa_url: str
) -> None:
    name, url = own_database
    port = free_port()
    async with FakeBotApi() as bot_api:
        settings = Settings(
            database_url=url,
            rasa_url=rasa_url,
            telegram_bot_token="123:down",
            telegram_api_url=bot_api.url,
            telegram_webhook_url=f"http://127.0.0.1:{port}/telegram/webhook",
            telegram_webhook_secret=SECRET,
        )
        async with running_app(settings, port=port) as client:
            visitor = await WebVisitor(client).start(lang="es")
            chat = 424242
            update = bot_api.user_update(chat, text="hola", language_code="es")
            headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}

            await set_connections(name, allowed=False)
            health = await client.get("/healthz")
            webhook = await client.post("/telegram/webhook", json=update, headers=headers)
            message = await client.post(
                f"/api/v1/conversations/{visitor.conversation_id}/messages",
                json={"text": "hola", "client_id": "retry-1"},
                headers=visitor.headers,
            )
            start = await client.post("/api/v1/conversations", json={})
            down = [health.status, webhook.status, message.status, start.status]
            errors = [await r.json() for r in (webhook, message, start)]
            health_body = await health.json()

            await set_connections(name, allowed=True)
            redelivered = await client.post("/telegram/webhook", json=update, headers=headers)
            retried = await client.post(
                f"/api/v1/conversations/{visitor.conversation_id}/messages",
                json={"text": "hola", "client_id": "retry-1"},
                headers=visitor.headers,
            )
            answer = await retried.json()
            replies = await bot_api.replies_to(chat, 1)
            again = await client.get("/healthz")
            again_body = await again.json()

    assert down == [503, 503, 503, 503]
    assert health_body["db"] == "down"
    for error in errors:
        assert error["error"]["code"] == "unavailable"
        assert "temporarily unavailable" in error["error"]["message"]
        assert "Traceback" not in str(error)
    assert redelivered.status == 200 and retried.status == 200
    assert answer["messages"] and answer["state"]["lang"] == "es"
    assert replies[0]["text"]
    assert again.status == 200 and again_body["db"] == "ok"
