"""The NLU service down: the bot still answers from a search of the knowledge base."""

from __future__ import annotations

import pytest

from bot.settings import Settings
from domain.i18n import translations_for
from domain.responses import TEXTS
from tests.conftest import free_port
from tests.integration.helpers import WebVisitor, running_app

pytestmark = pytest.mark.integration


async def test_without_nlu_the_bot_searches_the_knowledge_base(database_url: str) -> None:
    nowhere = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    settings = Settings(database_url=database_url, rasa_url=nowhere, rasa_timeout_seconds=0.5)
    async with running_app(settings) as client:
        health = await (await client.get("/healthz")).json()
        assert health == {"status": "ok", "db": "ok", "nlu": "down"}

        visitor = await WebVisitor(client).start(lang="de")
        reply = await visitor.say("Aufenthaltserlaubnis Gebühren")
        first = reply["messages"][0]
        assert first["text"] == translations_for("de").gettext(TEXTS["degraded.search_hits"])
        assert any(b["payload"] == "topic:faq_fees" for b in first["buttons"])
        assert first["buttons"][-1]["payload"] == "human"

        menu = await visitor.say("???")
        assert menu["messages"][0]["text"] == translations_for("de").gettext(TEXTS["degraded.menu"])
        parse = await client.post("/api/v1/parse", json={"text": "hello"})
        assert parse.status == 503
        assert (await parse.json())["error"]["code"] == "nlu_unavailable"
