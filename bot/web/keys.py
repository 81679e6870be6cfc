"""Typed application keys shared by the views."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.assistant import Assistant
from bot.metrics import Metrics
from bot.settings import Settings
from nlu.client import RasaClient

if TYPE_CHECKING:
    from bot.telegram import TelegramChannel

SETTINGS = web.AppKey("settings", Settings)
SESSIONS = web.AppKey("sessions", async_sessionmaker[AsyncSession])
# Sessions for a single read outside any transaction (no BEGIN and ROLLBACK round trips).
LOOKUPS = web.AppKey("lookups", async_sessionmaker[AsyncSession])
NLU = web.AppKey("nlu", RasaClient)
ASSISTANT = web.AppKey("assistant", Assistant)
METRICS = web.AppKey("metrics", Metrics)
TELEGRAM: web.AppKey[TelegramChannel | None] = web.AppKey("telegram")
