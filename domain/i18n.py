"""Catalog loading and locale negotiation (Babel)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.support import NullTranslations, Translations

from domain.topics import LANGUAGES

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "messages"


@cache
def translations_for(lang: str) -> NullTranslations:
    """The compiled catalog of a product language (English is the source: no catalog needed)."""
    if lang == "en":
        return NullTranslations()
    return Translations.load(str(LOCALES_DIR), [lang], domain=DOMAIN)


def negotiate(tag: str | None) -> str | None:
    """Map a client's language tag (`zh-hans`, `pt-BR`, `de_AT`) to a product language, if any."""
    if not tag:
        return None
    normalized = tag.replace("_", "-").strip()
    try:
        locale = Locale.parse(normalized, sep="-")
    except (ValueError, UnknownLocaleError):
        return None
    return locale.language if locale.language in LANGUAGES else None


@cache
def language_name(code: str) -> str:
    """A language's name in its own language ("한국어", "Español"), for the picker."""
    name = Locale.parse(code).get_display_name(code) or code
    return name[:1].upper() + name[1:]
