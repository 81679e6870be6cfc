"""Entities the dialogue needs, found by rules in every product language.

Rasa classifies intents; these rules pull out values with their normalised form, so a flow can
use "3 years", "3年", "3년" or "trois ans" alike.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

import ahocorasick
from babel import Locale

from domain.topics import LANGUAGES

# Names starting in these scripts (Latin, Greek, Cyrillic) stand as words of their own; Arabic
# attaches prepositions to the name, and Chinese, Japanese and Korean do not separate words.
SPACED = re.compile(r"[\u0000-\u052f]")

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
def _language_pattern() -> tuple[re.Pattern[str], dict[str, str]]:
    """One pattern for every product language's names (in all ten languages), and which
    language each name means."""
    codes: dict[str, str] = {}
    for code in LANGUAGES:
        names = {a.lower() for a in LANGUAGE_ALIASES.get(code, ())}
        for display in LANGUAGES:
            name = Locale.parse(code).get_language_name(display)
            if name:
                names.add(_stem(name))
        for name in names:
            codes.setdefault(name.casefold(), code)
    alternatives = "|".join(sorted((re.escape(n) for n in codes), key=len, reverse=True))
    return re.compile(alternatives, re.IGNORECASE), codes


def find_languages(text: str) -> Iterator[Entity]:
    """Product languages named in the text ("do you speak Korean?", "en español")."""
    pattern, codes = _language_pattern()
    for match in pattern.finditer(text):
        code = codes.get(match.group().casefold())
        if code is not None:
            yield Entity("language", code, match.start(), match.end(), match.group())


def extract_entities(text: str, lang: str = "en") -> list[Entity]:
    """Every entity the rules find (dates only on request: `find_dates` is slower)."""
    found = list(find_languages(text))
    end = len(text)
    found += [Entity("amount", a, 0, end, text) for a in find_amounts(text)]
    found += [Entity("years", y, 0, end, text) for y in find_years(text)]
    hsk = find_hsk_level(text)
    if hsk is not None:
        found.append(Entity("hsk_level", hsk, 0, end, text))
    degree = find_degree(text)
    if degree is not None:
        found.append(Entity("degree", degree, 0, end, text))
    found += [Entity("country", c, 0, end, text) for c in find_countries(text, lang)]
    return sorted(found, key=lambda e: e.start)


# --- dates ------------------------------------------------------------------------------------

CJK_DATE = re.compile(r"(?:(\d{4})\s*年\s*)?(\d{1,2})\s*月\s*(\d{1,2})\s*[日号號]?")
KO_DATE = re.compile(r"(?:(\d{4})\s*년\s*)?(\d{1,2})\s*월\s*(\d{1,2})\s*일")
ISO_DATE = re.compile(r"\b(\d{4})[-./](\d{1,2})[-./](\d{1,2})\b")
DMY_DATE = re.compile(r"\b(\d{1,2})[./](\d{1,2})[./](\d{4})\b")


def _date(year: int | None, month: int, day: int, today: dt.date, prefer: str) -> dt.date | None:
    try:
        candidate = dt.date(year or today.year, month, day)
    except ValueError:
        return None
    if year is None and prefer == "future" and candidate < today - dt.timedelta(days=31):
        candidate = candidate.replace(year=candidate.year + 1)
    return candidate


def find_dates(
    text: str, lang: str, *, today: dt.date | None = None, prefer: str = "current_period"
) -> list[dt.date]:
    """Dates written in the text ("3 March", "2027-03-03", "3月5日", "5 марта"), normalised."""
    today = today or dt.date.today()
    found: list[dt.date] = []
    for pattern, order in (
        (ISO_DATE, "ymd"),
        (DMY_DATE, "dmy"),
        (CJK_DATE, "ymd"),
        (KO_DATE, "ymd"),
    ):
        for match in pattern.finditer(text):
            groups = match.groups()
            if order == "dmy":
                day, month, full_year = (int(g) for g in groups)
                value = _date(full_year, month, day, today, prefer)
            else:
                year = int(groups[0]) if groups[0] else None
                value = _date(year, int(groups[1]), int(groups[2]), today, prefer)
            if value is not None:
                found.append(value)
    if found:
        return found
    from dateparser.search import search_dates  # loads its language data on first use

    settings = {
        "PREFER_DATES_FROM": prefer,
        "RELATIVE_BASE": dt.datetime.combine(today, dt.time()),
        "RETURN_AS_TIMEZONE_AWARE": False,
    }
    results = search_dates(text, languages=[lang] if lang != "en" else ["en"], settings=settings)
    return [value.date() for words, value in results or () if any(c.isdigit() for c in words)]


# --- numbers, money, years, HSK, degrees ------------------------------------------------------

NUMBER = re.compile(
    r"(\d+(?:[.,]\d+)?)\s*(k|K|千|万|萬|만|천|тыс\.?|тысяч\w*|mil|thousand|Tausend)?"
)
MULTIPLIERS = {
    "k": 1_000, "千": 1_000, "천": 1_000, "thousand": 1_000, "mil": 1_000, "tausend": 1_000,
    "万": 10_000, "萬": 10_000, "만": 10_000,
}  # fmt: skip
YEAR_WORDS = re.compile(
    r"(\d+(?:[.,]\d+)?)\s*(?:\+\s*)?(years?|yrs?|年|년|лет|года?|ans?|années?|jahre?n?|años?|سنوات|سنة|سنين|năm)",
    re.IGNORECASE,
)
HSK = re.compile(r"\bHSK\s*-?\s*([1-9])", re.IGNORECASE)
DEGREE_WORDS: dict[str, tuple[str, ...]] = {
    "doctorate": ("phd", "ph.d", "doctorate", "doctoral", "博士", "박사", "доктор", "кандидат наук",
                  "doctorat", "doktor", "promotion", "doctorado", "دكتوراه", "tiến sĩ"),
    "master": ("master", "msc", "mba", "硕士", "碩士", "研究生", "석사", "修士", "магистр",
               "máster", "maestría", "ماجستير", "thạc sĩ"),
    "bachelor": ("bachelor", "bsc", "undergraduate", "本科", "学士", "학사", "学部", "学士号",
                 "бакалавр", "licence", "licenciatura", "grado", "بكالوريوس", "cử nhân", "đại học"),
}  # fmt: skip


def _number(text: str) -> float:
    return float(text.replace(",", "."))


def find_amounts(text: str) -> list[float]:
    """Numbers with their multipliers ("300k", "30万", "45만", "300 000"), as plain amounts."""
    compact = re.sub(r"(?<=\d)[\s\u00a0\u202f](?=\d{3}\b)", "", text)
    amounts = []
    for match in NUMBER.finditer(compact):
        value = _number(match.group(1)) if match.group(1).count(",") <= 1 else 0.0
        unit = (match.group(2) or "").lower().rstrip(".")
        multiplier = next((m for word, m in MULTIPLIERS.items() if unit.startswith(word)), 1)
        amounts.append(value * multiplier)
    return amounts


def find_years(text: str) -> list[float]:
    """Durations in years ("5 years", "3年", "2 года", "10 años")."""
    return [_number(m.group(1)) for m in YEAR_WORDS.finditer(text)]


def find_hsk_level(text: str) -> int | None:
    match = HSK.search(text)
    return int(match.group(1)) if match else None


def find_degree(text: str) -> str | None:
    lowered = text.lower()
    for degree, words in DEGREE_WORDS.items():
        if any(word in lowered for word in words):
            return degree
    return None


@cache
def _country_names(lang: str) -> ahocorasick.Automaton:
    """Every country name in the user's language and in English (casefolded), found in one
    pass over a text: each gives its ISO 3166 code, its length, and whether it must stand as a
    word of its own (spaced scripts: "Oman" is not in "woman"; "韩国" is in "我是韩国人")."""
    names = Locale.parse(lang).territories
    english = Locale.parse("en").territories
    automaton = ahocorasick.Automaton()
    for code in sorted(set(names) | set(english)):
        if not code.isalpha() or len(code) != 2:
            continue
        for name in (names.get(code), english.get(code)):
            if name and (len(name) > 3 or not name.isascii()):
                folded = name.casefold()
                if folded not in automaton:
                    automaton.add_word(folded, (code, len(folded), bool(SPACED.match(folded))))
    automaton.make_automaton()
    return automaton


def find_countries(text: str, lang: str) -> list[str]:
    """ISO 3166 codes of countries named in the user's language or in English."""
    folded = text.casefold()
    found = []
    for last, (code, length, whole_word) in _country_names(lang).iter_long(folded):
        first = last - length + 1
        if whole_word and (_letter_at(folded, first - 1) or _letter_at(folded, last + 1)):
            continue
        found.append(code)
    return list(dict.fromkeys(found))


def _letter_at(text: str, index: int) -> bool:
    return 0 <= index < len(text) and text[index].isalnum()
