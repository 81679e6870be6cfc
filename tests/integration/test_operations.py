"""For operators: `/metrics` parses as Prometheus text and moves when messages flow; every
response carries a request id, which the JSON logs carry too."""

from __future__ import annotations

import json
import logging
import uuid

import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.logs import JsonFormatter, request_id
from bot.settings import Settings
from tests.integration.helpers import WebVisitor, running_app

pytestmark = pytest.mark.integration


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(
    figures: dict[tuple[str, tuple[tuple[str, str], ...]], float], name: str, **labels: str
) -> float:
    return figures.get((name, tuple(sorted(labels.items()))), 0.0)


async def test_metrics_move_when_messages_flow(database_url: str, rasa_url: str) -> None:
    settings = Settings(database_url=database_url, rasa_url=rasa_url)
    async with running_app(settings) as client:
        response = await client.get("/metrics")
        assert response.status == 200
        assert response.content_type == "text/plain"
        before = samples(await response.text())

        visitor = await WebVisitor(client).start(lang="de")
        # A text never seen before, so the parse goes to the NLU service (not the cache).
        await visitor.say(f"Wie lange dauert die Arbeitserlaubnis? {uuid.uuid4().hex[:6]}")
        await visitor.say(payload="human")
        await visitor.say(payload="yes")

        after = samples(await (await client.get("/metrics")).text())

    received = "onestop_messages_received_total"
    assert (
        value(after, received, channel="web", language="de")
        - value(before, received, channel="web", language="de")
        == 3
    )
    sent = "onestop_messages_sent_total"
    assert value(after, sent, channel="web", language="de", sender="bot") > value(
        before, sent, channel="web", language="de", sender="bot"
    )
    assert value(after, "onestop_nlu_request_seconds_count") >= 1 + value(
        before, "onestop_nlu_request_seconds_count"
    )
    processed = "onestop_bot_processing_seconds_count"
    assert value(after, processed) - value(before, processed) == 3
    assert value(after, "onestop_handoff_queue_length") >= 1
    assert value(after, "onestop_handoff_oldest_waiting_seconds") >= 0
    assert ("onestop_nlu_errors_total", ()) in after
    assert ("onestop_reminders_sent_total", ()) in after


async def test_every_response_carries_a_request_id(sqlite_url: str, rasa_url: str) -> None:
    settings = Settings(database_url=sqlite_url, rasa_url=rasa_url)
    async with running_app(settings) as client:
        fresh = await client.get("/healthz")
        given = await client.get("/healthz", headers={"X-Request-Id": "abc-123"})
        hostile = await client.get("/healthz", headers={"X-Request-Id": 'x" onload=1'})
        missing = await client.get("/no/such/route")
    assert len(fresh.headers["X-Request-Id"]) == 32
    assert given.headers["X-Request-Id"] == "abc-123"
    assert hostile.headers["X-Request-Id"] != 'x" onload=1'
    assert missing.status == 404 and missing.headers["X-Request-Id"]


def test_json_logs_carry_the_request_id() -> None:
    record = logging.LogRecord("bot", logging.INFO, __file__, 1, "answered %s", ("it",), None)
    token = request_id.set("req-42")
    try:
        line = json.loads(JsonFormatter().format(record))
    finally:
        request_id.reset(token)
    assert line["request_id"] == "req-42" and line["message"] == "answered it"
    assert "request_id" not in json.loads(JsonFormatter().format(record))
