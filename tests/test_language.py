"""Language detection on short, mixed and unaccented texts."""

from __future__ import annotations

import pytest

from nlu.language import detect_language


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("How long does the work permit take?", "en"),
        ("我想办工作许可", "zh"),
        ("Z비자 신청은 어떻게 해요?", "ko"),
        ("就労ビザの申請方法を教えてください", "ja"),
        ("Как получить разрешение на работу?", "ru"),
        ("Combien coûte le permis de travail ?", "fr"),
        ("Wie lange dauert die Arbeitserlaubnis?", "de"),
        ("¿Cuánto cuesta el permiso de trabajo?", "es"),
        ("كم تكلفة تصريح العمل؟", "ar"),
        ("giấy phép lao động mất bao lâu", "vi"),
        ("work permit còn hạn không", "vi"),
        ("ich brauche eine work permit für Shanghai", "de"),
        ("cuanto tiempo tarda la visa Z", "es"),
    ],
)
def test_each_language_is_recognised(text: str, expected: str) -> None:
    assert detect_language(text) == expected


@pytest.mark.parametrize("text", ["ok", "hi", "HSK 5", "👍", "", "12333", "merci"])
def test_short_ambiguous_messages_give_no_language(text: str) -> None:
    assert detect_language(text) is None


def test_the_shrunk_model_reads_latin_text_as_the_whole_model_does() -> None:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    from domain.topics import LANGUAGES
    from nlu.evaluation import load_examples
    from nlu.language import _identifier, classified
    from nlu.rasa_env import DATA_DIR

    whole = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    whole.set_languages(list(LANGUAGES))
    shrunk = _identifier()
    size = len(shrunk.tk_nextmove) * shrunk.tk_nextmove.itemsize
    assert size < len(whole.tk_nextmove) * whole.tk_nextmove.itemsize / 3
    texts = [
        text for lang in ("en", "fr", "de", "es") for _, _, text in load_examples(DATA_DIR / lang)
    ]
    texts += ["l’autorisation de séjour “urgente” – merci", "Größe ẞ ǅ ʃ 🙂 ελληνικά"]
    for text in texts[::10]:
        assert shrunk.classify(classified(text)) == pytest.approx(whole.classify(classified(text)))
