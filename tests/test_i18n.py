"""Catalogs complete and compiled, every topic answered in every language, Babel formatting."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import _parse_mapping_toml
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from bot.assistant import resolve_language
from domain.conversation import AnswerTopic, DialogueState
from domain.formatting import date_text, money_text, working_days_text
from domain.i18n import LOCALES_DIR, negotiate, translations_for
from domain.knowledge import load_knowledge
from domain.responses import TEXTS, render_answer
from domain.topics import LANGUAGES

ROOT = Path(__file__).resolve().parent.parent
TRANSLATED = [lang for lang in LANGUAGES if lang != "en"]
PLACEHOLDER = re.compile(r"\{[a-z_]+\}")


def po(lang: str) -> Catalog:
    with (LOCALES_DIR / lang / "LC_MESSAGES" / "messages.po").open("rb") as file:
        return read_po(file, locale=lang)


def source_messages() -> set[str]:
    with (ROOT / "pyproject.toml").open("rb") as file:
        method_map, options_map = _parse_mapping_toml(file, style="pyproject.toml")
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
    found = set()
    for _, _, message, _, _ in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=keywords
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


@pytest.mark.parametrize("lang", TRANSLATED)
def test_catalog_is_complete_with_intact_placeholders(lang: str) -> None:
    catalog = po(lang)
    assert not catalog.obsolete, f"{lang} keeps obsolete entries: run `make i18n`"
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(strings), f"untranslated in {lang}: {ids[0][:60]!r}"
        assert not message.fuzzy, f"fuzzy in {lang}: {ids[0][:60]!r}"
        expected = set(PLACEHOLDER.findall(ids[0]))
        for string in strings:
            assert set(PLACEHOLDER.findall(string)) == expected, (lang, ids[0][:60], string)


@pytest.mark.parametrize("lang", TRANSLATED)
def test_compiled_catalog_matches_its_po_file(lang: str) -> None:
    with (LOCALES_DIR / lang / "LC_MESSAGES" / "messages.mo").open("rb") as file:
        compiled = {_key(m.id): _key(m.string) for m in read_mo(file) if m.id}
    assert compiled == {_key(m.id): _key(m.string) for m in po(lang) if m.id}


def _key(value: object) -> object:
    return tuple(value) if isinstance(value, list | tuple) else value


def test_extraction_finds_nothing_new() -> None:
    extracted = source_messages()
    for lang in TRANSLATED:
        ids = {m.id if isinstance(m.id, str) else m.id[0] for m in po(lang) if m.id}
        assert extracted == ids, f"{lang}: run `make i18n` and translate the new strings"


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("topic", sorted(load_knowledge()))
def test_every_topic_answers_in_every_language(topic: str, lang: str) -> None:
    article = load_knowledge()[topic]
    messages = render_answer(AnswerTopic(topic), article, None, translations_for(lang), lang)
    assert len(messages) == len(article.parts["anyone"])
    for message, source in zip(messages, article.parts["anyone"], strict=True):
        assert message.text.strip()
        if lang != "en":
            assert not message.text.startswith(source[:40]), f"untranslated {topic} in {lang}"
    assert date_text(article.reviewed, lang) in messages[-1].text


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("zh-hans", "zh"),
        ("zh-CN", "zh"),
        ("zh_Hant_TW", "zh"),
        ("pt-br", None),
        ("de-AT", "de"),
        ("en-US", "en"),
        ("ar-EG", "ar"),
        ("", None),
        ("not a tag", None),
    ],
)
def test_client_language_tags_are_negotiated(tag: str, expected: str | None) -> None:
    assert negotiate(tag) == expected


def test_locale_precedence() -> None:
    chosen = DialogueState(lang="ko", lang_chosen=True)
    assert resolve_language(chosen, detected="en") == "ko"
    hinted = DialogueState(lang="de")  # from Telegram's language_code at the first message
    assert resolve_language(hinted, detected="fr") == "fr"
    assert resolve_language(hinted, detected=None) == "de"


@pytest.mark.parametrize(
    ("lang", "day", "money", "three_days"),
    [
        ("en", "March 3, 2027", "CN¥1,000.00", "3 working days"),
        ("zh", "2027年3月3日", "¥1,000.00", "3"),
        ("ko", "2027년 3월 3일", "CN¥1,000.00", "3"),
        ("ja", "2027年3月3日", "元1,000.00", "3"),
        ("ru", "3 марта 2027\u202fг.", "1\u00a0000,00\u00a0CN¥", "3 рабочих дня"),
        ("fr", "3 mars 2027", "1\u202f000,00\u00a0CNY", "3 jours ouvrés"),
        ("de", "3. März 2027", "1.000,00\u00a0CN¥", "3 Arbeitstage"),
        ("es", "3 de marzo de 2027", "1.000,00\u00a0CNY", "3 días hábiles"),
        ("ar", "3 مارس 2027", "1,000.00", "3"),
        ("vi", "3 tháng 3, 2027", "1.000,00\u00a0CN¥", "3"),
    ],
)
def test_babel_formats_dates_money_and_plurals(
    lang: str, day: str, money: str, three_days: str
) -> None:
    t = translations_for(lang)
    assert day in date_text(dt.date(2027, 3, 3), lang)
    assert money in money_text(1000, lang)
    assert three_days in working_days_text(3, t)
    assert working_days_text(1, t) != working_days_text(5, t) or lang in ("zh", "ja", "ko", "vi")


def test_russian_and_arabic_plurals_use_their_forms() -> None:
    ru = translations_for("ru")
    assert [working_days_text(n, ru) for n in (1, 3, 5)] == [
        "1 рабочий день",
        "3 рабочих дня",
        "5 рабочих дней",
    ]
    ar = translations_for("ar")
    words = {re.sub(r"\d+", "", working_days_text(n, ar)).strip() for n in (1, 2, 3, 11, 100)}
    assert len(words) >= 3  # dual, plural of 3-10 and the singular forms differ


def english(topic: str) -> str:
    return " ".join(load_knowledge()[topic].parts["anyone"])


def test_answers_carry_the_numbers_of_the_facts() -> None:
    fees = english("faq_fees")
    assert all(n in fees for n in ("400", "800", "1,000"))
    categories = english("faq_permit_categories")
    assert "85" in categories and "60" in categories
    residence = english("faq_residence_permit")
    assert "30 days" in residence
    assert "24 hours" in english("faq_accommodation_registration")
    extension = english("faq_permit_extension")
    assert "30 days" in extension and "90" in extension
    assert "10 days" in english("faq_permit_change")
    illegal = english("faq_illegal_employment")
    assert all(n in illegal for n in ("5,000", "20,000", "10,000", "100,000"))


def test_every_response_key_renders_in_every_language() -> None:
    for lang in LANGUAGES:
        t = translations_for(lang)
        for _key, source in TEXTS.items():
            text = t.gettext(source)
            assert text and set(PLACEHOLDER.findall(text)) == set(PLACEHOLDER.findall(source))
