"""Bad input gets a clear answer: never a 5xx, never a stack trace, never a crash."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp.test_utils import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.settings import Settings
from domain.i18n import translations_for
from domain.responses import TEXTS
from tests.integration.helpers import WebVisitor, running_app

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
async def client(sqlite_url: str, rasa_url: str) -> AsyncIterator[TestClient]:
    app_settings = Settings(
        database_url=sqlite_url, rasa_url=rasa_url, rate_per_conversation_per_minute=10_000
    )
    async with running_app(app_settings) as test_client:
        yield test_client


def assert_clean_error(status: int, body: str) -> None:
    assert status < 500, body
    assert "Traceback" not in body and 'File "' not in body


@pytest.mark.parametrize(
    "text",
    ["", "   ", "\u200b\u200d\ufeff", "👍🎉🇨🇳", "x" * 10_000, "\x00\x01\x1b[31m", "a\u202eb"],
)
async def test_odd_messages_get_an_answer_in_the_users_language(
    client: TestClient, text: str
) -> None:
    visitor = await WebVisitor(client).start(lang="es")
    response = await client.post(
        f"/api/v1/conversations/{visitor.conversation_id}/messages",
        json={"text": text},
        headers=visitor.headers,
    )
    body = await response.text()
    assert_clean_error(response.status, body)
    if response.status == 200:
        messages = (await response.json())["messages"]
        assert messages and all(m["text"] for m in messages)
    if len(text) == 10_000:
        too_long = translations_for("es").gettext(TEXTS["too_long"])
        assert (await response.json())["messages"][0]["text"] == too_long


@pytest.mark.parametrize(
    ("path", "data", "headers"),
    [
        ("/api/v1/parse", b"{not json", {"Content-Type": "application/json"}),
        ("/api/v1/parse", b"\xff\xfe\xfa", {"Content-Type": "application/json"}),
        ("/api/v1/parse", b'{"text": "hi"}', {"Content-Type": "text/plain"}),
        ("/api/v1/parse", b"x" * 200_000, {"Content-Type": "application/json"}),
        ("/api/v1/conversations", b"[]", {"Content-Type": "application/json"}),
        ("/api/v1/conversations", b'{"role": 5}', {"Content-Type": "application/json"}),
        ("/api/v1/nowhere", b"{}", {"Content-Type": "application/json"}),
    ],
)
async def test_malformed_requests_get_json_errors(
    client: TestClient, path: str, data: bytes, headers: dict[str, str]
) -> None:
    response = await client.post(path, data=data, headers=headers)
    body = await response.text()
    assert 400 <= response.status < 500
    assert_clean_error(response.status, body)
    assert set((await response.json())["error"]) == {"code", "message"}


async def test_an_oversized_body_is_413(client: TestClient) -> None:
    response = await client.post(
        "/api/v1/parse", data=b'{"text": "' + b"a" * 100_000 + b'"}',
        headers={"Content-Type": "application/json"},
    )  # fmt: skip
    assert response.status == 413


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    body=st.one_of(
        st.dictionaries(st.sampled_from(["text", "lang", "payload"]), st.text(max_size=300)),
        st.dictionaries(st.text(max_size=5), st.integers() | st.none() | st.booleans()),
        st.lists(st.integers(), max_size=3),
    )
)
async def test_any_json_to_parse_and_messages_is_answered_cleanly(
    client: TestClient, body: object
) -> None:
    parsed = await client.post("/api/v1/parse", json=body)
    assert_clean_error(parsed.status, await parsed.text())
    visitor = await WebVisitor(client).start()
    sent = await client.post(
        f"/api/v1/conversations/{visitor.conversation_id}/messages",
        json=body,
        headers=visitor.headers,
    )
    assert_clean_error(sent.status, await sent.text())
