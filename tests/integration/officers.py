"""Officer accounts and sessions for tests."""

from __future__ import annotations

import uuid
from typing import Any

from aiohttp.test_utils import TestClient

from bot.db import create_engine, session_factory
from bot.officers import add_officer

PASSWORD = "a long enough password"


async def make_officer(database_url: str, languages: str = "en,zh", **extra: Any) -> str:
    """A new officer with a unique name; returns the name."""
    name = f"officer-{uuid.uuid4().hex[:8]}"
    engine = create_engine(database_url)
    async with session_factory(engine).begin() as session:
        await add_officer(session, name, PASSWORD, languages, **extra)
    await engine.dispose()
    return name


class OfficerClient:
    """An officer using the API with a bearer token (as API clients do)."""

    def __init__(self, client: TestClient, name: str) -> None:
        self.client = client
        self.name = name
        self.headers: dict[str, str] = {}

    async def login(self) -> OfficerClient:
        response = await self.client.post(
            "/api/v1/officer/login", json={"username": self.name, "password": PASSWORD}
        )
        assert response.status == 200, await response.text()
        self.headers = {"Authorization": f"Bearer {(await response.json())['token']}"}
        return self

    async def get(self, path: str) -> Any:
        response = await self.client.get(path, headers=self.headers)
        assert response.status == 200, await response.text()
        return await response.json()

    async def post(self, path: str, body: dict[str, Any] | None = None) -> tuple[int, Any]:
        response = await self.client.post(path, json=body or {}, headers=self.headers)
        return response.status, await response.json()
