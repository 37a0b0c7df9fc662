"""rejectlens.spacy: the "rejectlens" pipeline component on spaCy's own pipelines."""

import doctest
import subprocess
import sys
from importlib.metadata import entry_points

import pytest
import spacy
from spacy.language import Language

import rejectlens
import rejectlens.spacy
from rejectlens.errors import ModelFileError
from rejectlens.prediction import Prediction
from rejectlens.spacy import FACTORY, NonEnglishPipelineWarning

WRAPPED = (
    "Dear Ana,\n\nThank you for applying for the Data Analyst role. Unfortunately we have\n"
    "decided to move forward with other candidates whose experience more closely\n"
    "matches our needs. We will keep your CV on file for future openings.\n\nBest,\nAcme Talent"
)
FILLED = "Thank you for applying. We have decided to move forward with other candidates."


@pytest.fixture(scope="module")
def nlp():
    nlp = spacy.blank("en")
    nlp.add_pipe("rejectlens")
    return nlp


def _norm(text):
    return " ".join(text.split())


def test_sets_the_prediction_and_marks_evidence_sentences(nlp, default_model):
    doc = nlp(WRAPPED)
    pred = doc._.rejection
    assert isinstance(pred, Prediction)
    assert pred.to_dict() == default_model.classify(WRAPPED).to_dict()
    assert pred.is_rejection and "other_candidates" in pred.reasons
    spans = doc.spans["rejectlens"]
    assert sorted(s.label_ for s in spans) == sorted(pred.evidence)
    for span in spans:
        # the evidence comes from the cleaned text (lines joined); the span is in the original
        assert _norm(span.text) == _norm(pred.evidence[span.label_])
    decision = next(s for s in spans if s.label_ == "decision")
    assert "\n" in decision.text and decision.text.startswith("Unfortunately we have")


def test_evidence_is_found_in_text_with_curly_quotes_and_dashes(nlp):
    # Cleaning writes ’ and — as ASCII; the span still lands on the words as written.
    text = ("Hi Sam,\n\nThank you for applying for the Analyst role — we enjoyed reading it. "
            "Unfortunately we’ve decided not to move forward with your application.\n\nAcme")
    doc = nlp(text)
    decision = next(s for s in doc.spans["rejectlens"] if s.label_ == "decision")
    assert decision.text.startswith("Unfortunately we’ve decided")
    from rejectlens.spacy import _locate  # and across an em dash, which cleaning spaced out

    start, end = _locate(text, "the Analyst role - we enjoyed reading it.")
    assert text[start:end] == "the Analyst role — we enjoyed reading it."


def test_evidence_is_found_in_html_as_written(nlp):
    # The model reads HTML converted to text; the span covers the markup and
    # entities the sentence is written with.
    text = ("<html><body><p>Dear Sam,</p><p>Thank you for applying. Unfortunately, we&rsquo;ve decided "
            "to move <b>forward</b> with other&nbsp;candidates for the role at Smith &amp; Co.</p>"
            "<p>Best,<br>Acme</p></body></html>")
    doc = nlp(text)
    assert doc._.rejection.is_rejection
    decision = next(s for s in doc.spans["rejectlens"] if s.label_ == "decision")
    assert decision.text.startswith("Unfortunately, we&rsquo;ve decided to move <b>forward</b> with other")
    assert "Smith &amp; Co." in decision.text and "Dear Sam" not in decision.text
    from rejectlens.spacy import _locate

    assert _locate("<p>no such</p>", "We have decided.") is None


def test_no_rejection_and_no_text(nlp):
    doc = nlp("Could you do a call on Tuesday at 3pm about the Designer role?")
    assert doc._.rejection.is_rejection is False and list(doc.spans["rejectlens"]) == []
    empty = nlp("")
    assert empty._.rejection.error.startswith("empty body") and list(empty.spans["rejectlens"]) == []


def test_pipe_equals_one_by_one(nlp):
    texts = [WRAPPED, FILLED, "", "Lunch on Friday?"]
    batched = list(nlp.pipe(texts, batch_size=3))
    single = [nlp(t) for t in texts]
    assert [d._.rejection for d in batched] == [d._.rejection for d in single]
    assert [[(s.start, s.end, s.label_) for s in d.spans["rejectlens"]] for d in batched] == \
        [[(s.start, s.end, s.label_) for s in d.spans["rejectlens"]] for d in single]


def test_factory_names_assigns_and_config():
    assert Language.has_factory(FACTORY) and Language.has_factory("rejectlens")
    assert FACTORY == "rejectlens/classifier_v1"
    for name in (FACTORY, "rejectlens"):
        meta = Language.get_factory_meta(name)
        assert meta.assigns == ["doc._.rejection", "doc.spans"]
        assert meta.default_config == {"model": None, "spans_key": "rejectlens", "batch_size": 256}


def test_after_other_components_and_with_a_model_path():
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe(FACTORY, config={"model": str(rejectlens.default_model_path()), "spans_key": "rl"})
    doc = nlp(FILLED)
    assert len(list(doc.sents)) == 2  # the sentencizer's work is left alone
    assert doc._.rejection.is_rejection and {s.label_ for s in doc.spans["rl"]} >= {"decision"}
    assert "rejectlens" not in doc.spans


def test_saved_pipeline_loads_again(nlp, tmp_path):
    nlp.to_disk(tmp_path / "pipe")
    again = spacy.load(tmp_path / "pipe")
    assert again.pipe_names == ["rejectlens"]
    assert again(FILLED)._.rejection == nlp(FILLED)._.rejection


def test_bad_model_path_and_non_english_pipeline(tmp_path):
    with pytest.raises(ModelFileError):
        spacy.blank("en").add_pipe("rejectlens", config={"model": str(tmp_path / "missing")})
    with pytest.warns(NonEnglishPipelineWarning, match=r"reads English email; this pipeline's language is 'de'"):
        spacy.blank("de").add_pipe("rejectlens")


def test_entry_points_find_the_factory_without_importing_rejectlens():
    names = {ep.name: ep.value for ep in entry_points(group="spacy_factories")}
    assert names.get("rejectlens") == names.get(FACTORY) == "rejectlens.spacy:make_rejectlens", (
        "the spacy_factories entry points are missing: reinstall with `pip install -e .`"
    )
    code = (
        "import sys, spacy; nlp = spacy.blank('en'); nlp.add_pipe('rejectlens'); "
        f"assert 'rejectlens.spacy' in sys.modules; print(nlp({FILLED!r})._.rejection.is_rejection)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "True"


def test_docstring_example():
    failures, tried = doctest.testmod(rejectlens.spacy, optionflags=doctest.ELLIPSIS)
    assert tried > 0 and failures == 0


def test_docs_with_a_prediction_serialize_and_cross_processes(nlp):
    from spacy.tokens import Doc, DocBin

    text = "Thank you for applying. We have decided to move forward with other candidates."
    doc = nlp(text)
    again = Doc(nlp.vocab).from_bytes(doc.to_bytes())
    assert isinstance(again._.rejection, Prediction) and again._.rejection == doc._.rejection
    assert hash(again._.rejection) == hash(doc._.rejection)
    box = DocBin(store_user_data=True, docs=[doc])
    assert next(DocBin().from_bytes(box.to_bytes()).get_docs(nlp.vocab))._.rejection == doc._.rejection
    two = list(nlp.pipe([text, "See you Tuesday at 3pm."], n_process=2))
    assert [d._.rejection.is_rejection for d in two] == [True, False]
