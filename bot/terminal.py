"""`onestop chat`: the same assistant and database, in a terminal."""

from __future__ import annotations

import asyncio
import getpass
import sys

import aiohttp

from bot import repository
from bot.assistant import Assistant, Inbound
from bot.db import create_engine, session_factory
from bot.settings import Settings
from domain.knowledge import load_knowledge
from nlu.client import RasaClient

CHANNEL = "cli"


def parse_input(line: str, buttons: list[dict[str, str]]) -> Inbound:
    """A number picks a button of the last answer; "/x" is a command; anything else is text."""
    stripped = line.strip()
    if stripped.isdigit() and 1 <= int(stripped) <= len(buttons):
        return Inbound(payload=buttons[int(stripped) - 1]["payload"])
    return Inbound.typed(stripped)


async def chat(settings: Settings, lang: str | None) -> None:
    engine = create_engine(settings.async_database_url)
    sessions = session_factory(engine)
    user = getpass.getuser()
    async with aiohttp.ClientSession() as http:
        parser = RasaClient(http, settings.rasa_url, timeout_seconds=settings.rasa_timeout_seconds)
        assistant = Assistant(sessions, parser, load_knowledge(), threshold=settings.nlu_threshold)
        async with sessions.begin() as session:
            conversation = await repository.find_or_create_chat(
                session,
                channel=CHANNEL,
                external_chat_id=user,
                user_external_id=user,
                display_name=user,
                lang=lang or settings.default_language,
                language_hint=lang,
            )
            conversation_id = conversation.id
        first = Inbound(command="language", argument=lang) if lang else Inbound(command="start")
        buttons: list[dict[str, str]] = []
        inbound: Inbound | None = first
        print("Onestop terminal chat. Type your question; a number picks a button; Ctrl-D quits.")
        while True:
            if inbound is not None:
                answered = await assistant.take_in_and_answer(conversation_id, inbound)
                for reply in answered.replies:
                    print(f"\n{reply.text}")
                    buttons = (reply.buttons or {}).get("items", []) or buttons
                    for number, button in enumerate((reply.buttons or {}).get("items", []), 1):
                        print(f"  [{number}] {button['title']}")
            try:
                line = await asyncio.to_thread(input, "\n> ")
            except (EOFError, KeyboardInterrupt):
                print()
                break
            inbound = parse_input(line, buttons) if line.strip() else None
    await engine.dispose()
    sys.stdout.flush()
