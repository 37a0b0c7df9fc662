"""The analyse stage's spaCy components, on pipelines built here."""

import doctest
import importlib

import pytest
import spacy
from spacy.language import Language
from spacy.util import registry

import rejectlens.components
from rejectlens.components import CUES_FACTORY, SENTENCES_FACTORY, default_cue_patterns
from tests.conftest import ROOT

TEXT = "Sadly we are Not Moving Forward. Thanks\nBest, Ana"


def test_namespaced_factories_declare_what_they_write():
    assert Language.get_factory_meta(SENTENCES_FACTORY).assigns == ["token.is_sent_start"]
    assert Language.get_factory_meta(CUES_FACTORY).assigns == ["doc._.rejectlens_cues", "doc.spans"]
    assert Language.get_factory_meta(CUES_FACTORY).default_config == {
        "patterns": None, "spans_key": "rejectlens_cues"}
    for old, new in (("rejectlens_sentences", SENTENCES_FACTORY), ("rejectlens_cues", CUES_FACTORY)):
        assert Language.get_factory_meta(old).assigns == Language.get_factory_meta(new).assigns


def test_cues_go_to_spans_and_the_extension_not_user_data():
    nlp = spacy.blank("en")
    nlp.add_pipe(SENTENCES_FACTORY)
    nlp.add_pipe(CUES_FACTORY, config={"patterns": {"decision": ["not moving forward"]}})
    doc = nlp(TEXT)
    assert [(s.label_, s.text) for s in doc.spans["rejectlens_cues"]] == [("decision", "Not Moving Forward")]
    assert doc._.rejectlens_cues == [("decision", 3, 6)]
    assert [s.text for s in doc.sents] == ["Sadly we are Not Moving Forward.", "Thanks\n", "Best, Ana"]
    assert not [k for k in doc.user_data if not (isinstance(k, tuple) and k[0] == "._.")]
    empty = nlp("")
    assert list(empty.spans["rejectlens_cues"]) == [] and empty._.rejectlens_cues == []


def test_no_span_key_writes_only_the_extension():
    nlp = spacy.blank("en")
    nlp.add_pipe(CUES_FACTORY, config={"patterns": {"d": ["moving forward"]}, "spans_key": ""})
    doc = nlp(TEXT)
    assert doc._.rejectlens_cues == [("d", 4, 6)] and not doc.spans


def test_null_patterns_mean_the_shipped_file_and_stay_out_of_the_config():
    nlp = spacy.blank("en")
    cues = nlp.add_pipe(CUES_FACTORY)
    assert cues.patterns == default_cue_patterns()
    assert nlp.config["components"][CUES_FACTORY]["patterns"] is None
    assert ("decision_negative", 1, 4) in nlp("We regret to inform you")._.rejectlens_cues


@pytest.mark.parametrize("names", [("rejectlens_sentences", "rejectlens_cues"), (SENTENCES_FACTORY, CUES_FACTORY)])
def test_saved_pipelines_load_again_under_old_and_new_names(tmp_path, names):
    nlp = spacy.blank("en")
    nlp.add_pipe(names[0])
    nlp.add_pipe(names[1], config={"patterns": {"x": ["not moving forward"]}})
    nlp.to_disk(tmp_path / "p")
    again = spacy.load(tmp_path / "p")
    assert again.pipe_names == list(names)
    doc = again(TEXT)
    assert [(s.label_, s.text) for s in doc.spans["rejectlens_cues"]] == [("x", "Not Moving Forward")]
    assert [s.text for s in doc.sents] == [s.text for s in nlp(TEXT).sents]


def test_added_patterns_are_saved_by_the_component(tmp_path):
    nlp = spacy.blank("en")
    nlp.add_pipe(CUES_FACTORY, config={"patterns": {}}).set_patterns({"y": ["thanks"]})
    nlp.to_disk(tmp_path / "p")
    assert spacy.load(tmp_path / "p")(TEXT)._.rejectlens_cues == [("y", 7, 8)]


def test_pyproject_entry_points_name_registered_factories():
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    eps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["entry-points"]["spacy_factories"]
    assert {SENTENCES_FACTORY, CUES_FACTORY, "rejectlens", "rejectlens/classifier_v1"} <= set(eps)
    for name, target in eps.items():
        module, func = target.split(":")
        assert getattr(importlib.import_module(module), func) is registry.factories.get(
            Language.get_factory_name(name))


def test_docstring_example():
    failures, tried = doctest.testmod(rejectlens.components)
    assert tried > 0 and failures == 0


def test_every_shipped_phrase_matches_its_own_words_in_a_sentence():
    # A phrase the tokenizer splits differently in running text (a hyphen, an
    # apostrophe) would sit in cues.json and never fire. Capitalised, as at the
    # start of a sentence; spaCy splits an all-caps "WON'T" differently.
    nlp = spacy.blank("en")
    nlp.add_pipe(SENTENCES_FACTORY)
    nlp.add_pipe(CUES_FACTORY)
    items = [(name, phrase) for name, phrases in default_cue_patterns().items() for phrase in phrases]
    docs = nlp.pipe(f"{phrase.capitalize()} here today." for _, phrase in items)
    missed = [(name, phrase) for (name, phrase), doc in zip(items, docs)
              if name not in {label for label, _, _ in doc._.rejectlens_cues}]
    assert not missed
