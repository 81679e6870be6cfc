"""`/api/v1/parse` through the running Rasa service, a handful of known questions per language."""

from __future__ import annotations

import pytest

from bot.settings import Settings
from tests.integration.helpers import running_app

pytestmark = pytest.mark.integration

QUESTIONS = [
    ("en", "How much does the residence permit cost?", "faq_fees"),
    ("en", "hello", "greet"),
    ("en", "I want to talk to a real person", "request_human"),
    ("zh", "居留许可要多少钱", "faq_fees"),
    ("zh", "我要找人工客服", "request_human"),
    ("ko", "거류허가 비용이 얼마예요?", "faq_fees"),
    ("ko", "안녕하세요", "greet"),
    ("ja", "居留許可の費用はいくらですか", "faq_fees"),
    ("ja", "こんにちは", "greet"),
    ("ru", "Сколько стоит вид на жительство?", "faq_fees"),
    ("ru", "здравствуйте", "greet"),
    ("fr", "Combien coûte le titre de séjour ?", "faq_fees"),
    ("fr", "bonjour", "greet"),
    ("de", "Was kostet die Aufenthaltserlaubnis?", "faq_fees"),
    ("de", "Guten Tag", "greet"),
    ("es", "¿Cuánto cuesta el permiso de residencia?", "faq_fees"),
    ("es", "hola buenas", "greet"),
    ("ar", "كم تكلفة تصريح الإقامة؟", "faq_fees"),
    ("ar", "مرحبا", "greet"),
    ("vi", "Thẻ cư trú tốn bao nhiêu tiền?", "faq_fees"),
    ("vi", "xin chào", "greet"),
]


@pytest.fixture
async def client(sqlite_url: str, rasa_url: str):  # type: ignore[no-untyped-def]
    async with running_app(Settings(database_url=sqlite_url, rasa_url=rasa_url)) as client:
        yield client


@pytest.mark.parametrize(("lang", "text", "intent"), QUESTIONS)
async def test_known_questions_parse_to_their_topic(
    client, lang: str, text: str, intent: str
) -> None:  # type: ignore[no-untyped-def]
    response = await client.post("/api/v1/parse", json={"text": text})
    body = await response.json()

    assert response.status == 200
    assert body["intent"]["name"] == intent, body["intent_ranking"][:3]
    assert body["language"] == lang or len(text) < 12
    assert body["intent_ranking"][0]["name"] == intent


async def test_a_given_language_is_echoed_and_entities_are_found(client) -> None:  # type: ignore[no-untyped-def]
    response = await client.post(
        "/api/v1/parse", json={"text": "do you speak Korean?", "lang": "en-GB"}
    )
    body = await response.json()

    assert body["language"] == "en"
    assert {"entity": "language", "value": "ko"}.items() <= body["entities"][0].items()


@pytest.mark.parametrize(
    "body",
    [{}, {"text": ""}, {"text": 42}, {"text": "\u200b\u200b"}, [1, 2], {"text": "x" * 5000}],
)
async def test_bad_parse_requests_get_clear_errors(client, body: object) -> None:  # type: ignore[no-untyped-def]
    response = await client.post("/api/v1/parse", json=body)
    payload = await response.json()

    assert response.status in (400, 413)
    assert set(payload["error"]) == {"code", "message"}


async def test_malformed_json_is_a_400(client) -> None:  # type: ignore[no-untyped-def]
    response = await client.post(
        "/api/v1/parse", data=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert response.status == 400
    assert (await response.json())["error"]["code"] == "invalid_json"
