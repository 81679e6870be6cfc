"""Which of the ten product languages a message is written in.

Scripts decide most messages outright (Hangul, kana, Han, Arabic, Cyrillic); Latin-script text
goes to py3langid, restricted to the product languages, which ships its model and classifies a
message in microseconds. Short or ambiguous text ("ok", "hi", "HSK 5") gives None, and the
conversation keeps its language.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import re
import unicodedata
from array import array
from functools import cache

import numpy as np
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

# What the classifier reads: Latin letters, Latin-1 and Latin Extended-A/B, IPA, combining marks
# (and Greek, which shares their UTF-8 lead bytes). Typographic quotes and dashes become
# their ASCII forms; anything else (emoji, symbols, other scripts) a space.
CLASSIFIED = re.compile(r"[^\u0000-\u027f\u0300-\u037f]")
TYPOGRAPHY = str.maketrans("\u2018\u2019\u201a\u201c\u201d\u201e\u2013\u2014", "'''\"\"\"--")
# The UTF-8 bytes of those characters: ASCII, continuation bytes, and the lead bytes C2-C9, CC, CD.
CLASSIFIED_BYTES = np.array([*range(0xC0), *range(0xC2, 0xCA), 0xCC, 0xCD])


@cache
def _identifier() -> LanguageIdentifier:
    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(LANGUAGES))
    # set_languages keeps the 97-language model for a later reset we never do: let it go
    # (about 65 MB of the server's memory).
    identifier._full_model = (identifier.nb_ptc, identifier.nb_pc, identifier.nb_classes)
    _keep_only_classified_bytes(identifier)
    return identifier


def _keep_only_classified_bytes(identifier: LanguageIdentifier) -> None:
    """Shrink the model's byte automaton to the states that CLASSIFIED_BYTES can reach.

    The automaton walks UTF-8 bytes of every script (104,583 states, 39 MB); the classifier
    only ever reads Latin-script text (`classified`), which reaches 65,151 of them. Renumbered,
    they fit 16-bit transitions: 11 MB, the same features for every text it is given. A
    transition into a dropped state (a byte it never sees) goes back to the start state.
    """
    moves = np.frombuffer(identifier.tk_nextmove, dtype=np.uint32).reshape(-1, 256)
    row_of = np.frombuffer(identifier.tk_row, dtype=np.uint16)
    reached = np.zeros(row_of.size, dtype=bool)
    reached[0] = True
    frontier = np.zeros(1, dtype=np.uint32)
    while frontier.size:
        targets = np.unique(moves[np.unique(row_of[frontier])][:, CLASSIFIED_BYTES])
        frontier = targets[~reached[targets]]
        reached[frontier] = True
    kept = np.flatnonzero(reached)
    if kept.size > 1 << 16:  # another model: keep it whole
        return
    renumbered = np.zeros(row_of.size, dtype=np.uint16)
    renumbered[kept] = np.arange(kept.size)
    rows, kept_row_of = np.unique(row_of[kept], return_inverse=True)
    nextmove = array("H")
    for chunk in np.array_split(rows, max(1, rows.size // 1024)):  # small temporary arrays
        nextmove.frombytes(renumbered[moves[chunk]].tobytes())
    outputs = identifier.tk_output
    del moves, row_of
    identifier.tk_nextmove = nextmove
    identifier.tk_row = array("H", kept_row_of.astype(np.uint16).tobytes())
    identifier._rowbase = array("I", (kept_row_of.astype(np.uint32) << 8).tobytes())
    identifier.tk_output = array("i", [outputs[state] for state in kept.tolist()])


def classified(text: str) -> str:
    """The text as the classifier reads it (see CLASSIFIED)."""
    text = unicodedata.normalize("NFC", text).translate(TYPOGRAPHY)
    return CLASSIFIED.sub(" ", text)


def warm_up() -> None:
    """Load the model now rather than on the first message."""
    _identifier()
    _return_freed_memory()


def _return_freed_memory() -> None:
    """Loading and shrinking the model frees tens of MB that glibc's heap would otherwise keep
    for the life of the process (malloc_trim gives them back; elsewhere this does nothing)."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.malloc_trim(0)
    except (OSError, AttributeError):
        pass


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
    language, confidence = _identifier().classify(classified(text))
    return str(language) if confidence >= MIN_CONFIDENCE else None
