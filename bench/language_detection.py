"""Language detection candidates on the held-out questions: accuracy and time per message.

    .venv/bin/python -m bench.language_detection

Compares the bot's detector (script rules + py3langid restricted to the ten languages) with
lingua (high-accuracy mode, also offline) when lingua is installed. "No answer" counts
separately: the bot keeps the conversation's language for short or ambiguous messages.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from nlu.evaluation import load_examples
from nlu.language import detect_language, warm_up
from nlu.rasa_env import HELDOUT_DIR

Detector = Callable[[str], str | None]


def lingua_detector() -> Detector | None:
    try:
        from lingua import IsoCode639_1, LanguageDetectorBuilder
    except ImportError:
        return None
    codes = ["en", "zh", "ko", "ja", "ru", "fr", "de", "es", "ar", "vi"]
    languages = [getattr(IsoCode639_1, c.upper()) for c in codes]
    detector = LanguageDetectorBuilder.from_iso_codes_639_1(*languages).build()

    def detect(text: str) -> str | None:
        language = detector.detect_language_of(text)
        return language.iso_code_639_1.name.lower() if language else None

    return detect


def score(name: str, detect: Detector, examples: list[tuple[str, str, str]]) -> None:
    started = time.perf_counter()
    answers = [detect(text) for _, _, text in examples]
    per_message_us = (time.perf_counter() - started) * 1e6 / len(examples)
    right = sum(a == lang for a, (lang, _, _) in zip(answers, examples, strict=True))
    none = sum(a is None for a in answers)
    wrong = len(examples) - right - none
    short = [(lang, text) for lang, _, text in examples if len(text) <= 12]
    short_right = sum(detect(text) in (lang, None) for lang, text in short)
    print(
        f"{name:28s} right {right / len(examples):6.1%}  no answer {none / len(examples):6.1%}  "
        f"wrong {wrong / len(examples):6.1%}  short texts right-or-kept "
        f"{short_right / max(len(short), 1):6.1%}  {per_message_us:8.1f} us/message"
    )


def main() -> None:
    examples = load_examples(HELDOUT_DIR)
    warm_up()
    print(f"{len(examples)} held-out questions in 10 languages")
    score("script rules + py3langid", detect_language, examples)
    lingua = lingua_detector()
    if lingua is not None:
        score("lingua", lingua, examples)


if __name__ == "__main__":
    main()
