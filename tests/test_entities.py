"""Entities found by rules, normalised, in every language."""

from __future__ import annotations

import pytest

from nlu.entities import extract_entities


def values(text: str, entity: str) -> list[object]:
    return [e.value for e in extract_entities(text) if e.entity == entity]


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("do you speak Korean?", "ko"),
        ("请用英文回答", "en"),
        ("한국어로 해주세요", "ko"),
        ("日本語で話せますか", "ja"),
        ("можно по-русски?", "ru"),
        ("parlez-vous français ?", "fr"),
        ("Sprechen Sie Deutsch?", "de"),
        ("en español por favor", "es"),
        ("هل تتكلم العربية؟", "ar"),
        ("nói tiếng Việt được không", "vi"),
        ("说中文吧", "zh"),
    ],
)
def test_languages_named_in_any_language(text: str, code: str) -> None:
    assert values(text, "language") == [code]
