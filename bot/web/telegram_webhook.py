"""`POST /telegram/webhook`: store the update, then acknowledge; answer in the background."""

from __future__ import annotations

import asyncio
import secrets

from aiohttp import web
from telegram import Update

from bot.web.errors import ApiError
from bot.web.keys import SETTINGS, TELEGRAM

routes = web.RouteTableDef()
BACKGROUND: web.AppKey[set[asyncio.Task[None]]] = web.AppKey("telegram_background")


@routes.post("/telegram/webhook")
async def telegram_webhook(request: web.Request) -> web.Response:
    channel = request.app[TELEGRAM]
    settings = request.app[SETTINGS]
    if channel is None or not channel.webhook:
        raise ApiError(404, "not_found", "The Telegram webhook is not enabled.")
    expected = settings.telegram_webhook_secret
    given = request.headers.get("X-Telegram-Bot-Api-Secret-Token")
    if expected is not None:
        if given is None:
            raise ApiError(401, "unauthorized", "The secret token header is missing.")
        if not secrets.compare_digest(given.encode(), expected.get_secret_value().encode()):
            raise ApiError(403, "forbidden", "The secret token is wrong.")
    try:
        data = await request.json()
        update = Update.de_json(data, channel.application.bot)
    except (ValueError, KeyError, TypeError) as error:
        raise ApiError(400, "invalid_update", "The body is not a Telegram update.") from error
    if update is None:
        raise ApiError(400, "invalid_update", "The body is not a Telegram update.")
    conversation_id = await channel.take_in(update)
    if conversation_id is not None or update.callback_query is not None:
        task = asyncio.create_task(channel.answer_update(update, conversation_id))
        tasks = request.app[BACKGROUND]
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    return web.json_response({"ok": True})
