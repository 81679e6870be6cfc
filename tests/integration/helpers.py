"""A small client for the web chat API, so tests read like a conversation."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from aiohttp.test_utils import TestClient, TestServer

from bot.settings import Settings
from bot.web.app import create_app


@asynccontextmanager
async def running_app(settings: Settings, port: int | None = None) -> AsyncIterator[TestClient]:
    """The whole server on a local port, as `onestop serve` builds it."""
    server = (
        TestServer(create_app(settings), port=port) if port else TestServer(create_app(settings))
    )
    async with TestClient(server) as client:
        yield client


class WebVisitor:
    """A visitor of the web chat, holding its conversation's token."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.conversation_id = ""
        self.token = ""

    async def start(self, **body: Any) -> WebVisitor:
        response = await self.client.post("/api/v1/conversations", json=body)
        assert response.status == 201, await response.text()
        data = await response.json()
        self.conversation_id, self.token = data["conversation_id"], data["token"]
        return self

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    async def say(self, text: str | None = None, *, payload: str | None = None) -> dict[str, Any]:
        body = {"text": text} if payload is None else {"payload": payload}
        response = await self.client.post(
            f"/api/v1/conversations/{self.conversation_id}/messages",
            json=body,
            headers=self.headers,
        )
        assert response.status == 200, await response.text()
        return dict(await response.json())

    async def texts(self, text: str | None = None, *, payload: str | None = None) -> list[str]:
        return [m["text"] for m in (await self.say(text, payload=payload))["messages"]]
