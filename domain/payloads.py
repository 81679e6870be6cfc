"""Button payloads: the small language buttons speak back to the dialogue."""

from __future__ import annotations

TOPIC_PREFIX = "topic:"
LANGUAGE_PREFIX = "lang:"
ROLE_PREFIX = "role:"
HUMAN = "human"
CANCEL_HANDOFF = "cancel_handoff"
RATE_PREFIX = "rate:"
MENU = "menu"
YES = "yes"
NO = "no"


def topic(topic_id: str) -> str:
    return TOPIC_PREFIX + topic_id


def language(code: str) -> str:
    return LANGUAGE_PREFIX + code


def role(name: str) -> str:
    return ROLE_PREFIX + name
