"""The Telegram channel (python-telegram-bot 22): polling or webhook, and the outbox sender."""

from __future__ import annotations

import asyncio
import contextlib
import html
import logging
import time
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder

from bot import repository
from bot.assistant import Assistant, Inbound
from bot.handoff import Handoffs, Outcome
from bot.models import Conversation, HandoffTicket, Message
from bot.settings import Settings
from domain.i18n import negotiate

log = logging.getLogger(__name__)

CHANNEL = "telegram"
ALLOWED_UPDATES = ["message", "callback_query"]
POLL_SECONDS = 10
POLL_RETRY_SECONDS = 2.0
OUTBOX_BATCH = 500
SEND_CONCURRENCY = 16
MAX_BACKOFF_SECONDS = 300.0
UNSUPPORTED_KINDS = (
    "photo", "sticker", "voice", "video", "video_note", "audio", "document", "location",
    "contact", "animation", "poll", "venue", "dice", "game",
)  # fmt: skip


def inbound_of(update: Update) -> Inbound | None:
    """What the user sent, in channel-neutral terms; None for updates that are not for us."""
    if update.callback_query is not None:
        return Inbound(payload=(update.callback_query.data or "")[:128])
    message = update.effective_message
    if message is None or update.effective_chat is None:
        return None
    if message.text is not None:
        return Inbound.typed(message.text)
    for kind in UNSUPPORTED_KINDS:
        if getattr(message, kind, None):
            return Inbound(unsupported=kind)
    return Inbound(unsupported="other")


def keyboard(message: Message) -> InlineKeyboardMarkup | None:
    items = (message.buttons or {}).get("items") or []
    if not items:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(item["title"], callback_data=item["payload"])] for item in items]
    )


class TelegramChannel:
    """Takes Telegram updates into the inbox and delivers the outbox through the Bot API."""

    def __init__(
        self,
        settings: Settings,
        assistant: Assistant,
        sessions: async_sessionmaker[AsyncSession],
    ) -> None:
        assert settings.telegram_bot_token is not None
        self.settings = settings
        self.assistant = assistant
        self.sessions = sessions
        self.webhook = bool(settings.telegram_webhook_url)
        api = settings.telegram_api_url.rstrip("/")
        builder = (
            ApplicationBuilder()
            .token(settings.telegram_bot_token.get_secret_value())
            .base_url(f"{api}/bot")
            .base_file_url(f"{api}/file/bot")
            .rate_limiter(AIORateLimiter(max_retries=3))
        )
        # No PTB Updater: our own polling loop moves the offset only past stored updates.
        self.application: Application[Any, Any, Any, Any, Any, Any] = builder.updater(None).build()
        self._wake = asyncio.Event()
        self._flushing = asyncio.Lock()  # one flush at a time in this process
        self._send_slots = asyncio.Semaphore(SEND_CONCURRENCY)  # chats served at once
        # Per chat: failures in a row and when to try again (monotonic seconds).
        self._backoff: dict[str, tuple[int, float]] = {}
        self._sender: asyncio.Task[None] | None = None
        self._poller: asyncio.Task[None] | None = None
        self.officers_chat = settings.telegram_officers_chat_id
        self.handoffs = Handoffs(assistant)
        self._tasks: set[asyncio.Task[None]] = set()
        assistant.deliverers[CHANNEL] = self._wake.set
        if self.officers_chat is not None:
            assistant.ticket_listeners.append(self._on_new_ticket)
            assistant.escalation_listeners.append(self._on_overdue_ticket)
            assistant.relay_listeners.append(self._on_user_message_in_ticket)

    def _on_new_ticket(self, ticket_id: int) -> None:
        self._spawn(self.announce(ticket_id))

    def _on_overdue_ticket(self, ticket_id: int) -> None:
        self._spawn(self.announce(ticket_id, escalated=True))

    def _on_user_message_in_ticket(self, conversation_id: str, text: str) -> None:
        self._spawn(self.relay_to_officers(conversation_id, text))

    def _spawn(self, work: Any) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def start(self) -> None:
        await self.application.initialize()
        if self.webhook:
            secret = self.settings.telegram_webhook_secret
            await self.application.bot.set_webhook(
                url=str(self.settings.telegram_webhook_url),
                secret_token=secret.get_secret_value() if secret else None,
                allowed_updates=ALLOWED_UPDATES,
            )
        else:
            await self.application.bot.delete_webhook()
            self._poller = asyncio.create_task(self._poll_loop(), name="telegram-polling")
        await self.application.start()
        self._sender = asyncio.create_task(self._send_loop(), name="telegram-outbox")
        self._wake.set()

    async def stop(self) -> None:
        for task in (self._poller, self._sender):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        if self.application.running:
            await self.application.stop()
        await self.application.shutdown()

    async def take_in(self, update: Update) -> str | None:
        """Store the update's message (the inbox); the conversation id, or None if not ours."""
        chat = update.effective_chat
        if self.officers_chat is not None and chat is not None and chat.id == self.officers_chat:
            await self.officer_update(update)
            return None
        inbound = inbound_of(update)
        if inbound is None or update.effective_chat is None:
            return None
        user = update.effective_user
        async with self.sessions.begin() as session:
            if not await repository.record_update(session, CHANNEL, update.update_id):
                log.info("duplicate Telegram update %s ignored", update.update_id)
                return None
            hint = negotiate(user.language_code) if user else None
            conversation = await repository.find_or_create_chat(
                session,
                channel=CHANNEL,
                external_chat_id=str(update.effective_chat.id),
                user_external_id=str(user.id) if user else str(update.effective_chat.id),
                display_name=user.first_name if user else None,
                lang=hint or self.settings.default_language,
                language_hint=user.language_code if user else None,
            )
            locked = await repository.lock_conversation(session, conversation.id)
            assert locked is not None
            await self.assistant.receive(session, locked, inbound)
            return conversation.id

    async def answer_update(self, update: Update, conversation_id: str | None) -> None:
        """After the update is stored: acknowledge a button, answer, wake the outbox."""
        if update.callback_query is not None:
            with contextlib.suppress(TelegramError):
                await update.callback_query.answer()
        if conversation_id is not None:
            await self.assistant.process(conversation_id)
            self._wake.set()

    async def _poll_loop(self) -> None:
        """Long polling whose offset moves past an update only once it is stored: after a crash
        Telegram hands the unstored ones out again (and stored ones are de-duplicated)."""
        offset: int | None = None
        while True:
            try:
                updates = await self.application.bot.get_updates(
                    offset=offset, timeout=POLL_SECONDS, allowed_updates=ALLOWED_UPDATES
                )
                for update in updates:
                    conversation_id = await self.take_in(update)
                    offset = update.update_id + 1
                    self._spawn(self.answer_update(update, conversation_id))
            except asyncio.CancelledError:
                raise
            except Exception as error:  # network, Telegram or storage: wait and fetch again
                log.warning("Telegram polling failed (%s); retrying", type(error).__name__)
                await asyncio.sleep(POLL_RETRY_SECONDS)

    async def _send_loop(self) -> None:
        """Deliver the outbox in order; retried until Telegram takes each message."""
        while True:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=5)
            self._wake.clear()
            try:
                await self.flush_outbox()
            except Exception:
                log.exception("Telegram outbox delivery failed; will retry")

    async def flush_outbox(self) -> int:
        """Send the outbox in order. One process sends at a time (a database lease), so
        several servers never send a message twice; each send is marked as it is done."""
        async with self._flushing, self.sessions() as lease:
            if not await repository.try_outbox_lease(lease, CHANNEL):
                return 0
            try:
                return await self._send_pending()
            finally:
                await repository.release_outbox_lease(lease, CHANNEL)

    async def _send_pending(self) -> int:
        """Chats are served side by side (Telegram's rate limiter paces them); within a chat
        the messages go in order, and a chat that fails waits for the next round alone."""
        async with self.sessions() as session:
            pending = await repository.unsent_outbound(session, CHANNEL, limit=OUTBOX_BATCH)
            chats = {
                m.conversation_id: await session.get(Conversation, m.conversation_id)
                for m in pending
            }
        by_chat: dict[str, list[Message]] = {}
        now = time.monotonic()
        for message in pending:
            if self._backoff.get(message.conversation_id, (0, 0.0))[1] <= now:
                by_chat.setdefault(message.conversation_id, []).append(message)
        sent = await asyncio.gather(
            *(self._send_chat(chats[cid], messages) for cid, messages in by_chat.items())
        )
        return sum(sent)

    async def _send_chat(self, conversation: Conversation | None, messages: list[Message]) -> int:
        sent = 0
        async with self._send_slots:
            for message in messages:
                try:
                    await self._send_one(conversation, message)
                except (Forbidden, BadRequest, ValueError) as error:
                    # Blocked by the user, chat gone, not a Telegram chat id: never deliverable,
                    # so it must not hold up what comes after it.
                    log.warning("message %s undeliverable: %s", message.id, type(error).__name__)
                except TelegramError as error:  # network, Telegram down: retried later
                    log.warning("message %s not sent yet: %s", message.id, type(error).__name__)
                    async with self.sessions.begin() as session:
                        await repository.count_failed_send(session, message.id)
                    self._back_off(message.conversation_id)
                    return sent
                self._backoff.pop(message.conversation_id, None)
                async with self.sessions.begin() as session:
                    await repository.mark_sent(session, message.id)
                sent += 1
        return sent

    def _back_off(self, conversation_id: str) -> None:
        """Wait longer after each failure in a row: 2, 4, 8 … up to 300 seconds."""
        failures = self._backoff.get(conversation_id, (0, 0.0))[0] + 1
        delay = min(MAX_BACKOFF_SECONDS, 2.0**failures)
        self._backoff[conversation_id] = (failures, time.monotonic() + delay)

    async def _send_one(self, conversation: Conversation | None, message: Message) -> None:
        if conversation is None:
            raise ValueError("the conversation is gone")
        await self.application.bot.send_message(
            chat_id=int(conversation.external_chat_id),
            text=html.escape(message.text),
            parse_mode=ParseMode.HTML,
            reply_markup=keyboard(message),
        )

    # --- the officers' group ----------------------------------------------------------------

    async def _send_to_officers(
        self, text: str, *, reply_to: int | None = None, claim: int | None = None
    ) -> int | None:
        assert self.officers_chat is not None
        markup = (
            InlineKeyboardMarkup([[InlineKeyboardButton("Claim", callback_data=f"claim:{claim}")]])
            if claim is not None
            else None
        )
        try:
            sent = await self.application.bot.send_message(
                chat_id=self.officers_chat,
                text=text,
                parse_mode=ParseMode.HTML,
                reply_markup=markup,
                reply_to_message_id=reply_to,
            )
        except TelegramError as error:
            log.warning("officers' group message failed: %s", type(error).__name__)
            return None
        return int(sent.message_id)

    async def announce(self, ticket_id: int, *, escalated: bool = False) -> None:
        """Post a new (or overdue) ticket to the officers' group with a Claim button."""
        async with self.sessions() as session:
            ticket = await repository.get_ticket(session, ticket_id)
            if ticket is None or ticket.status != "waiting":
                return
            last = ""
            if ticket.conversation_id:
                messages = await repository.transcript(session, ticket.conversation_id)
                last = next((m.text for m in reversed(messages) if m.sender == "user"), "")
        heading = "Waiting too long" if escalated else "New ticket"
        text = (
            f"<b>{heading}: #{ticket.id}</b> · {html.escape(ticket.language)} · "
            f"{html.escape(ticket.topic or 'no topic')}\n{html.escape(last[:500])}"
        )
        message_id = await self._send_to_officers(text, claim=ticket.id)
        if message_id is not None and not escalated:
            async with self.sessions.begin() as session:
                stored = await session.get(HandoffTicket, ticket.id)
                if stored is not None and stored.telegram_message_id is None:
                    stored.telegram_message_id = message_id

    async def relay_to_officers(self, conversation_id: str, text: str) -> None:
        """While a ticket is open, the user's messages appear in its thread."""
        async with self.sessions() as session:
            ticket = await repository.open_ticket_of(session, conversation_id)
        if ticket is None or ticket.telegram_message_id is None:
            return
        await self._send_to_officers(
            f"#{ticket.id} user: {html.escape(text[:3500])}", reply_to=ticket.telegram_message_id
        )

    async def officer_update(self, update: Update) -> None:
        """Claim buttons and replies in the officers' group."""
        user = update.effective_user
        async with self.sessions() as session:
            officer = await repository.officer_by_telegram_id(session, user.id) if user else None
        query = update.callback_query
        if query is not None:
            if officer is None:
                await query.answer("Your Telegram account is not linked to an officer account.")
                return
            ticket_id = int((query.data or "claim:0").removeprefix("claim:") or 0)
            result = await self.handoffs.claim(ticket_id, officer)
            if result.outcome is Outcome.DONE:
                await query.answer("Claimed.")
                thread = await self._send_to_officers(
                    f"#{ticket_id} claimed by {html.escape(officer.username)}. Reply to this "
                    "message to answer the user; reply /close to end.",
                    reply_to=query.message.message_id if query.message else None,
                )
                async with self.sessions.begin() as session:
                    stored = await session.get(HandoffTicket, ticket_id)
                    if stored is not None and thread is not None:
                        stored.telegram_message_id = thread
            else:
                await query.answer("Another officer holds this ticket.")
            return
        message = update.effective_message
        if message is None or message.reply_to_message is None or not message.text:
            return
        async with self.sessions() as session:
            ticket = await repository.ticket_by_telegram_message(
                session, message.reply_to_message.message_id
            )
        if ticket is None or officer is None:
            return
        if message.text.strip().split("@")[0] == "/close":
            await self.handoffs.close(ticket.id, officer)
        else:
            result, _ = await self.handoffs.reply(ticket.id, officer, message.text)
            if result.outcome is not Outcome.DONE:
                await self._send_to_officers(
                    f"#{ticket.id}: not sent ({result.outcome.value}).",
                    reply_to=message.message_id,
                )
