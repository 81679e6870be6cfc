"""Deadline reminders: stored in SQL, sent once each on the person's channel."""

from __future__ import annotations

import asyncio
import logging

from bot import repository
from bot.assistant import Assistant
from bot.models import utcnow
from domain.conversation import Reply
from domain.flows import load_flows
from domain.formatting import date_text
from domain.guide import button
from domain.i18n import translations_for
from domain.responses import render_reply

log = logging.getLogger(__name__)


async def send_due_reminders(assistant: Assistant) -> int:
    """Turn every due reminder into a message; the row lock makes each go out once."""
    channels: set[str] = set()
    sent = 0
    async with assistant.sessions.begin() as session:
        for reminder in await repository.due_reminders(session):
            reminder.sent_at = utcnow()
            conversation = await repository.lock_conversation(session, reminder.conversation_id)
            flow = load_flows().get(reminder.flow)
            step = next((s for s in flow.steps if s.id == reminder.step_id), None) if flow else None
            if conversation is None or step is None:
                continue
            lang = conversation.lang
            t = translations_for(lang)
            reply = Reply(
                "guide.reminder",
                {
                    "title": t.gettext(step.title),
                    "date": date_text(reminder.deadline, lang, weekday=True),
                },
                buttons=(button("guide.button.progress", "progress"),),
            )
            await repository.append_bot_message(
                session, conversation, render_reply(reply, t, lang), language=lang
            )
            channels.add(conversation.channel)
            sent += 1
    for channel in channels:
        assistant.deliver(channel)
    if sent:
        assistant.metrics.reminders_sent.inc(sent)
        log.info("sent %d deadline reminders", sent)
    return sent


async def reminder_loop(assistant: Assistant, interval: float = 20.0) -> None:
    while True:
        try:
            await send_due_reminders(assistant)
        except Exception:
            log.exception("sending reminders failed; will retry")
        await asyncio.sleep(interval)
