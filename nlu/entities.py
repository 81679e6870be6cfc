"""Entities the dialogue needs, found by rules in every product language.

Rasa classifies intents; these rules pull out values with their normalised form, so a flow can
use "3 years", "3年", "3년" or "trois ans" alike.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

from babel import Locale

from domain.topics import LANGUAGES

# Names users type for languages, beyond what Babel's CLDR data gives.
LANGUAGE_ALIASES: dict[str, tuple[str, ...]] = {
    "zh": ("chinese", "mandarin", "中文", "汉语", "漢語", "普通话", "华语", "中国語", "중국어"),
    "en": ("english", "英文", "英语", "英語", "영어", "inglés", "ingles", "anglais"),
    "ko": ("korean", "한국말", "韩文", "韓国語", "coreano", "coréen"),
    "ja": ("japanese", "日文", "日语", "日本語", "일본어"),
    "ru": ("russian", "по-русски", "русском", "俄语"),
    "fr": ("french", "en français", "法语"),
    "de": ("german", "auf deutsch", "德语"),
    "es": ("spanish", "español", "espanol", "西班牙语", "castellano"),
    "ar": ("arabic", "عربي", "بالعربي", "阿拉伯语"),
    "vi": ("vietnamese", "tiếng việt", "tieng viet", "越南语"),
}


@dataclass(frozen=True)
class Entity:
    """A value found in a message, in Rasa's entity shape."""

    entity: str
    value: str | int | float
    start: int
    end: int
    text: str

    def as_dict(self) -> dict[str, object]:
        return {
            "entity": self.entity,
            "value": self.value,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "extractor": "onestop",
        }


def _stem(name: str) -> str:
    """Enough of a language name to match its inflections ("корейский" -> "корейск")."""
    name = name.lower()
    return name[:-2] if len(name) > 6 and name.isalpha() else name


@cache
def _language_patterns() -> list[tuple[str, re.Pattern[str]]]:
    patterns = []
    for code in LANGUAGES:
        names = {a.lower() for a in LANGUAGE_ALIASES.get(code, ())}
        for display in LANGUAGES:
            name = Locale.parse(code).get_language_name(display)
            if name:
                names.add(_stem(name))
        alternatives = "|".join(sorted((re.escape(n) for n in names), key=len, reverse=True))
        patterns.append((code, re.compile(alternatives, re.IGNORECASE)))
    return patterns


def find_languages(text: str) -> Iterator[Entity]:
    """Product languages named in the text ("do you speak Korean?", "en español")."""
    for code, pattern in _language_patterns():
        for match in pattern.finditer(text):
            yield Entity("language", code, match.start(), match.end(), match.group())


def extract_entities(text: str) -> list[Entity]:
    """Every entity the rules find, in order of position."""
    found = list(find_languages(text))
    return sorted(found, key=lambda e: e.start)
