"""Which of the ten product languages a message is written in.

Scripts decide most messages outright (Hangul, kana, Han, Arabic, Cyrillic); Latin-script text
goes to py3langid, restricted to the product languages, which ships its model and classifies a
message in microseconds. Short or ambiguous text ("ok", "hi", "HSK 5") gives None, and the
conversation keeps its language.
"""

from __future__ import annotations

import re
from functools import cache

from py3langid.langid import MODEL_FILE, LanguageIdentifier

from domain.topics import LANGUAGES

HANGUL = re.compile(r"[\uac00-\ud7af\u1100-\u11ff\u3130-\u318f]")
KANA = re.compile(r"[\u3040-\u30ff]")
HAN = re.compile(r"[\u4e00-\u9fff\u3400-\u4dbf]")
ARABIC = re.compile(r"[\u0600-\u06ff\u0750-\u077f]")
CYRILLIC = re.compile(r"[\u0400-\u04ff]")
LATIN_LETTER = re.compile(r"[A-Za-z\u00c0-\u024f\u1e00-\u1eff]")
VIETNAMESE_ONLY = re.compile(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", re.I)

MIN_LATIN_LETTERS = 8
MIN_CONFIDENCE = 0.8


@cache
def _identifier() -> LanguageIdentifier:
    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(LANGUAGES))
    # set_languages keeps the 97-language model for a later reset we never do: let it go
    # (about 65 MB of the server's memory).
    identifier._full_model = (identifier.nb_ptc, identifier.nb_pc, identifier.nb_classes)
    return identifier


def warm_up() -> None:
    """Load the model now rather than on the first message."""
    _identifier()


def detect_language(text: str) -> str | None:
    """The language of `text`, or None when it is too short or ambiguous to tell."""
    if HANGUL.search(text):
        return "ko"
    if KANA.search(text):
        return "ja"
    if HAN.search(text):
        return "zh"
    if ARABIC.search(text):
        return "ar"
    if CYRILLIC.search(text):
        return "ru"
    if VIETNAMESE_ONLY.search(text):
        return "vi"
    if len(LATIN_LETTER.findall(text)) < MIN_LATIN_LETTERS:
        return None
    language, confidence = _identifier().classify(text)
    return str(language) if confidence >= MIN_CONFIDENCE else None
