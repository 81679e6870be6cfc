"""A local fake of the Telegram Bot API for tests: serves getUpdates/setWebhook, records sends.

The real python-telegram-bot talks HTTP to it. In webhook mode it delivers updates to the
registered URL with the secret token header, as Telegram does.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from typing import Any

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer


class FakeBotApi:
    def __init__(self) -> None:
        self.updates: list[dict[str, Any]] = []
        self.sent: list[dict[str, Any]] = []
        self.calls: list[str] = []
        self.webhook_url: str | None = None
        self.webhook_secret: str | None = None
        self.failures: dict[int, int] = {}  # chat id -> sendMessage calls that fail first
        # Update ids are unique per bot; tests share databases, so start somewhere new.
        self.seed = random.randint(1, 2**30)
        self._next_update_id = self.seed * 1000
        self._next_message_id = 1000
        self._new_update = asyncio.Event()
        self._new_send = asyncio.Event()
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", self._dispatch)
        app.router.add_get("/bot{token}/{method}", self._dispatch)
        self.server = TestServer(app, port=0)

    @property
    def url(self) -> str:
        return str(self.server.make_url("")).rstrip("/")

    async def __aenter__(self) -> FakeBotApi:
        await self.server.start_server()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.server.close()

    async def _params(self, request: web.Request) -> dict[str, Any]:
        if request.content_type == "application/json":
            return dict(await request.json())
        form = await request.post()
        params: dict[str, Any] = {}
        for key, value in form.items():
            try:
                params[key] = json.loads(str(value))
            except ValueError:
                params[key] = str(value)
        return params

    async def _dispatch(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await self._params(request)
        self.calls.append(method)
        chat = int(params.get("chat_id") or 0)
        if method == "sendMessage" and self.failures.get(chat, 0) > 0:
            self.failures[chat] -= 1  # Telegram having a bad moment for this chat
            body = {"ok": False, "error_code": 502, "description": "Bad Gateway"}
            return web.json_response(body, status=502)
        handler = getattr(self, f"_{method}", None)
        if handler is None:
            return web.json_response({"ok": True, "result": True})
        result = await handler(params)
        return web.json_response({"ok": True, "result": result})

    async def _getMe(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"id": 777, "is_bot": True, "first_name": "Onestop", "username": "onestop_bot"}

    async def _setWebhook(self, params: dict[str, Any]) -> bool:
        self.webhook_url = params.get("url")
        self.webhook_secret = params.get("secret_token")
        return True

    async def _deleteWebhook(self, params: dict[str, Any]) -> bool:
        self.webhook_url = None
        return True

    async def _getUpdates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        timeout = min(float(params.get("timeout") or 0), 1.0)
        deadline = time.monotonic() + timeout
        while True:
            pending = [u for u in self.updates if u["update_id"] >= offset]
            if pending or time.monotonic() >= deadline:
                return pending
            self._new_update.clear()
            try:
                await asyncio.wait_for(self._new_update.wait(), deadline - time.monotonic())
            except TimeoutError:
                return []

    async def _sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        self._next_message_id += 1
        self.sent.append({**params, "message_id": self._next_message_id})
        self._new_send.set()
        return {
            "message_id": self._next_message_id,
            "date": int(time.time()),
            "chat": {"id": int(params["chat_id"]), "type": "private"},
            "text": params.get("text", ""),
        }

    # --- what a test does -------------------------------------------------------------

    def user_update(
        self, chat_id: int, *, text: str | None = None, callback_data: str | None = None,
        language_code: str = "en", photo: bool = False, from_id: int | None = None,
        reply_to: int | None = None,
    ) -> dict[str, Any]:  # fmt: skip
        user = {
            "id": from_id or chat_id,
            "is_bot": False,
            "first_name": "Test",
            "language_code": language_code,
        }
        chat = {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"}
        update_id = self._next_update_id
        self._next_update_id += 1
        if callback_data is not None:
            return {
                "update_id": update_id,
                "callback_query": {
                    "id": str(update_id), "from": user, "chat_instance": "1", "data": callback_data,
                    "message": {"message_id": 1, "date": 0, "chat": chat, "text": "x"},
                },
            }  # fmt: skip
        message: dict[str, Any] = {
            "message_id": update_id, "date": int(time.time()), "chat": chat, "from": user,
        }  # fmt: skip
        if reply_to is not None:
            message["reply_to_message"] = {
                "message_id": reply_to, "date": int(time.time()), "chat": chat, "text": "...",
            }  # fmt: skip
        if photo:
            message["photo"] = [{"file_id": "f", "file_unique_id": "u", "width": 1, "height": 1}]
        else:
            message["text"] = text or ""
            if text and text.startswith("/"):
                message["entities"] = [
                    {"type": "bot_command", "offset": 0, "length": len(text.split()[0])}
                ]
        return {"update_id": update_id, "message": message}

    async def deliver(self, update: dict[str, Any]) -> int:
        """Hand an update to the bot: queued for getUpdates, or POSTed to the webhook."""
        if self.webhook_url:
            headers = {}
            if self.webhook_secret:
                headers["X-Telegram-Bot-Api-Secret-Token"] = self.webhook_secret
            async with (
                aiohttp.ClientSession() as session,
                session.post(self.webhook_url, json=update, headers=headers) as response,
            ):
                return response.status
        self.updates.append(update)
        self._new_update.set()
        return 200

    async def replies_to(
        self, chat_id: int, count: int, timeout: float = 30
    ) -> list[dict[str, Any]]:
        """Wait until `count` messages were sent to the chat; return them."""
        deadline = time.monotonic() + timeout
        while True:
            mine = [m for m in self.sent if int(m["chat_id"]) == chat_id]
            if len(mine) >= count:
                return mine
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"expected {count} messages to {chat_id}, got {mine}")
            self._new_send.clear()
            try:
                await asyncio.wait_for(self._new_send.wait(), remaining)
            except TimeoutError:
                continue
