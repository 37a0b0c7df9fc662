from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rejectlens.language import LANGUAGES, detect_language


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Thank you for applying. Unfortunately we will not be moving forward with your application.", "en"),
        ("Vielen Dank für Ihre Bewerbung. Leider haben wir uns für einen anderen Kandidaten entschieden.", "de"),
        ("Merci pour votre candidature. Nous sommes au regret de vous informer que nous ne donnerons pas suite.", "fr"),
        ("Gracias por tu interés. Lamentamos informarte que hemos decidido seguir con otros candidatos.", "es"),
        ("Obrigado pela sua candidatura. Infelizmente não foi selecionado para a vaga.", "pt"),
        ("Bedankt voor je sollicitatie. Helaas hebben we besloten om niet verder te gaan.", "nl"),
        ("Dziękujemy za aplikację. Niestety nie możemy zaproponować Pani tego stanowiska.", "pl"),
        ("Спасибо за ваш отклик на вакансию. К сожалению, мы выбрали другого кандидата.", "ru"),
        ("感谢您的申请。很遗憾，我们决定不再推进。", "zh"),
        ("ご応募いただきありがとうございます。残念ながら今回は見送らせていただきます。", "ja"),
        # English mail naming foreign people and places stays English
        ("Hi Jan van der Berg, thanks for applying to Müller & Söhne in Köln. We will be in touch.", "en"),
        ("Position filled. Thanks.", "en"),
        # short notes: two words of a language that no English sentence holds tell it
        ("Lamentablemente hemos elegido a otro candidato.", "es"),
        ("Infelizmente, decidimos seguir com outra pessoa.", "pt"),
        ("Dziękujemy za zgłoszenie. Wybraliśmy innego kandydata.", "pl"),
        ("Absage: Ihre Bewerbung als Entwickler", "de"),
        # language codes and URLs are not words of a language
        ("New projects matching German > English translation: DE>EN, hourly. Send a proposal now.", "en"),
        ("See https://careers.example.de/de/bewerbung/status?id=1&lang=de for the status of it.", "en"),
        # a signature in another script under an English letter
        ("Dear Alex, thank you for applying. Unfortunately we have decided to move forward with other "
         "candidates whose experience matches the role more closely.\n\nBest regards,\nAnna\n\n"
         "Анна Смирнова\nМенеджер по подбору персонала\nг. Москва, ул. Тверская, д. 15", "en"),
    ],
)
def test_detects_common_languages(text, lang):
    assert detect_language(text) == lang


def test_no_letters_no_language():
    assert detect_language("") is None
    assert detect_language("12345 --- !!! 07/03/2026") is None


@given(st.text(max_size=400))
def test_any_text_gives_a_known_code_or_none(text):
    assert detect_language(text) in (*LANGUAGES, None)


def test_the_body_tells_the_language_not_an_ats_subject(default_model):
    # An English ATS subject over a German letter is a German email.
    p = default_model.classify({"subject": "Your application for the position of Data Engineer at our company",
                                "body": "Sehr geehrte Frau Weber, leider müssen wir Ihnen mitteilen, dass wir "
                                        "uns für andere Kandidaten entschieden haben."})
    assert p.language == "de"
