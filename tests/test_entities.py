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


@pytest.mark.parametrize(
    ("text", "lang", "codes"),
    [
        ("I'm a Korean engineer from South Korea", "en", ["KR"]),
        ("I am a woman from Germany", "en", ["DE"]),  # not Oman
        ("我是韩国人，在德国读的硕士", "zh", ["KR", "DE"]),
        ("ドイツ国籍です", "ja", ["DE"]),
        ("je viens du Canada, ma femme de Côte d’Ivoire", "fr", ["CA", "CI"]),
        ("soy de México", "es", ["MX"]),
        ("Ich komme aus Österreich", "de", ["AT"]),
        ("я гражданин России", "ru", []),  # inflected names are not matched
        ("أنا من مصر وعملت في ألمانيا", "ar", ["EG", "DE"]),
        ("Tôi đến từ Việt Nam", "vi", ["VN"]),
        ("Romania? No, Roman holiday", "en", ["RO"]),
    ],
)
def test_countries_named_in_the_users_language_or_english(
    text: str, lang: str, codes: list[str]
) -> None:
    found = [e.value for e in extract_entities(text, lang) if e.entity == "country"]
    assert found == codes
