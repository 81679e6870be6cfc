"""The app factory: resources are opened and closed in `cleanup_ctx`."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import yaml
from aiohttp import web

from bot import repository
from bot.assistant import Assistant
from bot.db import create_engine, lookup_factory, session_factory
from bot.handoff import CANNED_KEYS
from bot.metrics import Metrics
from bot.models import utcnow
from bot.reminders import reminder_loop
from bot.settings import Settings
from bot.statistics import TABLE_NAMES
from bot.web import (
    api,
    limits,
    officer_api,
    operations,
    pages,
    supervisor_api,
    telegram_webhook,
)
from bot.web.errors import json_errors
from bot.web.keys import ASSISTANT, LOOKUPS, METRICS, NLU, SESSIONS, SETTINGS, TELEGRAM
from domain.knowledge import load_knowledge
from domain.office_hours import OfficeHours
from domain.topics import load_catalog
from nlu.client import RasaClient
from nlu.language import warm_up

log = logging.getLogger(__name__)
OPENAPI_PATH = Path(__file__).with_name("openapi.yml")
MAX_BODY = 64 * 1024
OPENAPI = web.AppKey("openapi", dict[str, Any])


async def _database(app: web.Application) -> AsyncIterator[None]:
    engine = create_engine(app[SETTINGS].async_database_url)
    app[SESSIONS] = session_factory(engine)
    app[LOOKUPS] = lookup_factory(engine)
    yield
    await engine.dispose()


async def _nlu(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    async with aiohttp.ClientSession() as session:
        app[NLU] = RasaClient(
            session,
            settings.rasa_url,
            timeout_seconds=settings.rasa_timeout_seconds,
            observe=app[METRICS].observe_nlu,
        )
        warm_up()
        app[ASSISTANT] = Assistant(
            app[SESSIONS],
            app[NLU],
            load_knowledge(),
            threshold=settings.nlu_threshold,
            office_hours=OfficeHours.parse(settings.office_hours),
            metrics=app[METRICS],
        )
        officer_api.setup(app)
        yield


async def _recover(app: web.Application) -> AsyncIterator[None]:
    """Answer what was stored but not answered before the last stop."""
    task = asyncio.create_task(app[ASSISTANT].process_all_pending())
    yield
    if not task.done():
        task.cancel()
    with contextlib.suppress(asyncio.CancelledError, Exception):
        await task


async def _telegram(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    app[telegram_webhook.BACKGROUND] = set()
    if settings.telegram_bot_token is None:
        app[TELEGRAM] = None
        yield
        return
    from bot.telegram import TelegramChannel

    channel = TelegramChannel(settings, app[ASSISTANT], app[SESSIONS])
    app[TELEGRAM] = channel
    await channel.start()
    log.info("Telegram channel started (%s)", "webhook" if channel.webhook else "polling")
    yield
    pending: set[asyncio.Task[None]] = app[telegram_webhook.BACKGROUND]
    for task in list(pending):
        with contextlib.suppress(Exception):
            await asyncio.wait_for(task, timeout=5)
    await channel.stop()


async def _escalation(app: web.Application) -> AsyncIterator[None]:
    """Flag tickets nobody claimed in time; the console shows them, Telegram officers are told."""

    async def watch() -> None:
        minutes = app[SETTINGS].handoff_escalate_minutes
        while True:
            await asyncio.sleep(min(30.0, max(1.0, minutes * 60 / 4)))
            try:
                async with app[SESSIONS].begin() as session:
                    overdue = await repository.overdue_tickets(session, minutes)
                    for ticket in overdue:
                        ticket.escalated_at = utcnow()
                    ids = [t.id for t in overdue]
                for ticket_id in ids:
                    log.warning("ticket %s waited over %s minutes: escalated", ticket_id, minutes)
                    for listener in app[ASSISTANT].escalation_listeners:
                        listener(ticket_id)
            except Exception:
                log.exception("escalation check failed; will retry")

    task = asyncio.create_task(watch(), name="handoff-escalation")
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def _reminders(app: web.Application) -> AsyncIterator[None]:
    interval = app[SETTINGS].reminder_interval_seconds
    task = asyncio.create_task(reminder_loop(app[ASSISTANT], interval), name="reminders")
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


HTTP_METHODS = {"get", "post", "put", "patch", "delete"}
ERROR = {"$ref": "#/components/responses/Error"}


def openapi_spec() -> dict[str, Any]:
    """openapi.yml, with the errors every operation can answer added to each: 429 (rate
    limits) and 503 (storage down) everywhere, 404 where the path names something, 400/413/415
    where a body is read, 401 where a session or token is needed."""
    spec: dict[str, Any] = yaml.safe_load(OPENAPI_PATH.read_text(encoding="utf-8"))
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method not in HTTP_METHODS:
                continue
            codes = ["429", "503"]
            if "{" in path:
                codes += ["404"]
            if "requestBody" in operation:
                codes += ["400", "413", "415"]
            if operation.get("security"):
                codes += ["401"]
            for code in codes:
                operation["responses"].setdefault(code, ERROR)
    schemas = spec["components"]["schemas"]
    schemas["TopicId"]["enum"] = list(load_catalog().topics)
    schemas["CannedKey"]["enum"] = list(CANNED_KEYS)
    schemas["TableName"]["enum"] = list(TABLE_NAMES)
    return spec


async def openapi(request: web.Request) -> web.Response:
    return web.json_response(request.app[OPENAPI])


def create_app(settings: Settings) -> web.Application:
    """The whole server: API, web chat, Telegram (when configured)."""
    app = web.Application(
        client_max_size=MAX_BODY,
        middlewares=[
            operations.with_request_id,
            pages.security_headers,
            json_errors,
            limits.limit_by_address,
        ],
    )
    app[SETTINGS] = settings
    app[METRICS] = Metrics()
    app[OPENAPI] = openapi_spec()
    limits.setup(
        app,
        per_address=settings.rate_per_address_per_minute,
        per_conversation=settings.rate_per_conversation_per_minute,
    )
    app.cleanup_ctx.extend([_database, _nlu, _telegram, _recover, _escalation, _reminders])
    app.add_routes(api.routes)
    app.add_routes(officer_api.routes)
    app.add_routes(supervisor_api.routes)
    app.add_routes(telegram_webhook.routes)
    app.add_routes(pages.routes)
    app.add_routes(operations.routes)
    app.router.add_get("/api/v1/openapi.json", openapi)
    app.router.add_static("/static/", pages.STATIC_DIR, show_index=False)
    return app
