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
