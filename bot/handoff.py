"""What officers do with tickets: claim, reply, transfer, close; each relayed to the user."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from bot import repository
from bot.assistant import Assistant, state_of
from bot.models import HandoffTicket, Message, Officer
from domain.dialogue import officer_claimed, officer_closed
from domain.i18n import translations_for
from domain.responses import TEXTS

log = logging.getLogger(__name__)

CANNED_KEYS = tuple(key for key in TEXTS if key.startswith("canned."))


class Outcome(StrEnum):
    DONE = "done"
    NOT_FOUND = "not_found"
    CONFLICT = "conflict"
    NOT_YOURS = "not_yours"
    CLOSED = "closed"


@dataclass(frozen=True)
class Result:
    outcome: Outcome
    ticket: HandoffTicket | None = None


def canned_reply(key: str, language: str) -> str:
    """A prepared answer, in the ticket's language (from the catalogs)."""
    return translations_for(language).gettext(TEXTS[key])


class Handoffs:
    """Officer actions; every change to a conversation goes through its lock and one transaction."""

    def __init__(self, assistant: Assistant) -> None:
        self.assistant = assistant
        self.sessions = assistant.sessions

    async def claim(self, ticket_id: int, officer: Officer) -> Result:
        async with self.sessions() as session:
            ticket = await repository.get_ticket(session, ticket_id)
        if ticket is None:
            return Result(Outcome.NOT_FOUND)
        if ticket.conversation_id is None:
            return Result(Outcome.CLOSED, ticket)
        async with (
            self.assistant.lock(ticket.conversation_id),
            self.sessions.begin() as session,
        ):
            conversation = await repository.lock_conversation(session, ticket.conversation_id)
            won = await repository.claim_ticket(session, ticket_id, officer.id)
            if not won:
                current = await repository.get_ticket(session, ticket_id)
                mine = current is not None and current.officer_id == officer.id
                if mine and current is not None and current.status == "active":
                    return Result(Outcome.DONE, current)
                return Result(Outcome.CONFLICT, current)
            if conversation is not None:
                await self.assistant.perform(
                    session, conversation, officer_claimed(state_of(conversation))
                )
            channel = conversation.channel if conversation else None
            claimed = await repository.get_ticket(session, ticket_id)
        log.info("ticket %s claimed by officer %s", ticket_id, officer.id)
        if channel:
            self.assistant.deliver(channel)
        return Result(Outcome.DONE, claimed)

    async def _owned(self, session: AsyncSession, ticket_id: int, officer: Officer) -> Result:
        ticket = await repository.get_ticket(session, ticket_id)
        if ticket is None:
            return Result(Outcome.NOT_FOUND)
        if ticket.status != "active" or ticket.conversation_id is None:
            return Result(Outcome.CLOSED, ticket)
        if ticket.officer_id != officer.id:
            return Result(Outcome.NOT_YOURS, ticket)
        return Result(Outcome.DONE, ticket)

    async def reply(
        self, ticket_id: int, officer: Officer, text: str
    ) -> tuple[Result, Message | None]:
        """Relay an officer's message to the user on their channel."""
        async with self.sessions() as session:
            check = await self._owned(session, ticket_id, officer)
        if check.outcome is not Outcome.DONE or check.ticket is None:
            return check, None
        conversation_id = check.ticket.conversation_id
        assert conversation_id is not None
        async with self.assistant.lock(conversation_id), self.sessions.begin() as session:
            conversation = await repository.lock_conversation(session, conversation_id)
            if conversation is None:
                return Result(Outcome.CLOSED, check.ticket), None
            message = await repository.append_message(
                session,
                conversation,
                direction="out",
                sender="officer",
                text=text,
                language=conversation.lang,
            )
            channel = conversation.channel
        self.assistant.metrics.messages_out.labels(channel, message.language or "", "officer").inc()
        self.assistant.deliver(channel)
        return check, message

    async def close(self, ticket_id: int, officer: Officer) -> Result:
        """Give the conversation back to the bot, which asks the user for a rating."""
        async with self.sessions() as session:
            check = await self._owned(session, ticket_id, officer)
        if check.outcome is not Outcome.DONE or check.ticket is None:
            return check
        conversation_id = check.ticket.conversation_id
        assert conversation_id is not None
        async with self.assistant.lock(conversation_id), self.sessions.begin() as session:
            ticket = await repository.get_ticket(session, ticket_id)
            conversation = await repository.lock_conversation(session, conversation_id)
            assert ticket is not None
            await repository.close_ticket(session, ticket)
            channel = None
            if conversation is not None:
                await self.assistant.perform(
                    session, conversation, officer_closed(state_of(conversation))
                )
                channel = conversation.channel
        if channel:
            self.assistant.deliver(channel)
        log.info("ticket %s closed by officer %s", ticket_id, officer.id)
        return Result(Outcome.DONE, ticket)

    async def transfer(self, ticket_id: int, officer: Officer, to: Officer) -> Result:
        """Hand an active ticket to a colleague."""
        async with self.sessions.begin() as session:
            check = await self._owned(session, ticket_id, officer)
            if check.outcome is not Outcome.DONE or check.ticket is None:
                return check
            ticket = await repository.get_ticket(session, ticket_id)
            assert ticket is not None
            ticket.officer_id = to.id
        return Result(Outcome.DONE, ticket)
