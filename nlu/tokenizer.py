"""A Rasa tokenizer for the ten product languages in one model (runs in the Rasa environment).

- Latin, Cyrillic, Arabic and Hangul text splits on white space and punctuation.
- Chinese (Han text with no kana in the message) is segmented into words with jieba, which ships
  its dictionary.
- Japanese (a message with kana) splits where the script changes: kanji runs, hiragana runs,
  katakana runs - a cheap, dictionary-free approximation of words.

Each token's lemma is a folded form (lowercase, accents and Arabic letter variants normalised),
so "giay phep" and "giấy phép", "visa" and "Visa", "أقامة" and "اقامة" share features; the
count-vector featurizers read lemmas.
"""

from __future__ import annotations

import unicodedata
from typing import Any

import regex
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.tokenizers.tokenizer import Token, Tokenizer
from rasa.shared.nlu.training_data.message import Message

KANA = regex.compile(r"[\p{Hiragana}\p{Katakana}]")
# One token: a run of Han, of hiragana, of katakana (with the prolonged sound mark), of Hangul,
# or of other letters and digits (keeping inner apostrophes, dots and hyphens: "d'accord", "3.5").
TOKEN = regex.compile(
    r"\p{Han}+|\p{Hiragana}+|[\p{Katakana}ー]+|\p{Hangul}+"
    r"|[\p{L}\p{M}\p{N}]+(?:['’.\-][\p{L}\p{M}\p{N}]+)*"
)
CJK_RUN = regex.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}ー]+")
ARABIC_FOLD = str.maketrans(
    {"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ؤ": "و", "ئ": "ي", "ـ": None}
)
ARABIC_MARKS = regex.compile(r"[\u064B-\u065F\u0670]")
SPECIAL_FOLD = str.maketrans({"đ": "d", "ß": "ss", "ё": "е", "’": "'"})


def fold(word: str) -> str:
    """Lowercase and drop the accents users often leave out (Hangul and kana are kept intact)."""
    word = word.lower().translate(SPECIAL_FOLD).translate(ARABIC_FOLD)
    word = ARABIC_MARKS.sub("", word)
    if regex.search(r"[\p{Latin}]", word):
        decomposed = unicodedata.normalize("NFKD", word)
        word = "".join(c for c in decomposed if not unicodedata.combining(c))
    return word


def _jieba() -> Any:
    import jieba  # imported lazily: it loads its dictionary on first use

    jieba.setLogLevel(60)
    return jieba


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class ScriptTokenizer(Tokenizer):
    """Tokenizes each script the way it is written (see the module docstring)."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            "intent_tokenization_flag": False,
            "intent_split_symbol": "_",
            "token_pattern": None,
            "prefix_separator_symbol": None,
            # Han and kana as one token per character (word bigrams then are character
            # bigrams) instead of jieba words and script runs.
            "cjk_characters": False,
        }

    @staticmethod
    def supported_languages() -> list[str] | None:
        return None

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> ScriptTokenizer:
        return cls(config)

    def tokenize(self, message: Message, attribute: str) -> list[Token]:
        text = message.get(attribute) or ""
        japanese = KANA.search(text) is not None
        tokens: list[Token] = []
        for match in TOKEN.finditer(text):
            word, start = match.group(), match.start()
            if not japanese and regex.fullmatch(r"\p{Han}+", word) and len(word) > 1:
                offset = start
                for piece in _jieba().cut(word, HMM=True):
                    tokens.append(Token(piece, offset, lemma=piece))
                    offset += len(piece)
            else:
                tokens.append(Token(word, start, lemma=fold(word)))
        if not tokens:
            tokens = [Token(text, 0, lemma=text)]
        return self._apply_token_pattern(tokens)
