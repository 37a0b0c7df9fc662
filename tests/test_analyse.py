import copy
import pickle

import numpy as np
import pytest

from rejectlens.analyse import Analyser, Analysis, default_cue_patterns, load_cue_patterns
from rejectlens.clean import Cleaned
from rejectlens.errors import RejectLensError


def analyse(analyser, text, subject="", sender=""):
    return analyser.analyse([Cleaned(text, frozenset())], [subject], [sender])[0]


def test_cue_phrases_match_case_insensitively(default_model):
    a = analyse(default_model.analyser, "We Regret To Inform you. Other candidates were stronger.")
    names = a.cue_names()
    assert {"decision_negative", "other_candidates"} <= names
    for _, start, end in a.cues:
        assert 0 <= start < end <= len(a.text)


def test_sentences_split_on_punctuation_and_line_breaks(default_model):
    a = analyse(default_model.analyser, "Dear Jo,\nWe filled the role. Thanks!\nBest,\nAna")
    assert a.sentence_texts() == ["Dear Jo,", "We filled the role.", "Thanks!", "Best,", "Ana"]


def test_subject_is_read_first_and_flags_are_structural(default_model):
    a = analyse(default_model.analyser, "Hi Jo, short note.", subject="Your application",
                sender="Acme <no-reply@acme.example>")
    assert a.text.startswith("Your application")
    assert {"noreply_sender", "greeting_named", "short_message"} <= a.flags
    b = analyse(default_model.analyser, "Dear candidate, " + "we read it. " * 90, sender="jo@acme.example")
    assert {"no_named_greeting", "long_message"} <= b.flags and "noreply_sender" not in b.flags


def test_empty_text_gives_same_keys_with_empty_values(default_model):
    a = analyse(default_model.analyser, "")
    assert a.sentences == () and a.cues == () and a.text == ""
    assert len(a.tok_ids) == len(a.tok_scope) == 0


def test_pipeline_is_built_once_per_pattern_set(default_model):
    assert default_model.analyser is default_model.analyser
    assert default_model.analyser.nlp.pipe_names == ["rejectlens_sentences", "rejectlens_cues"]


def test_patterns_live_in_the_component_not_in_the_config():
    a = Analyser({"x": ["not moving forward"]})
    assert a.patterns == {"x": ["not moving forward"]}
    assert a.patterns is a.nlp.get_pipe("rejectlens_cues").patterns
    assert a.nlp.config["components"]["rejectlens_cues"]["patterns"] == {}
    assert a.nlp.config["components"]["rejectlens_cues"]["factory"] == "rejectlens/cues_v1"
    assert Analyser().patterns == default_cue_patterns()


def test_components_round_trip_to_disk(tmp_path):
    a = Analyser({"x": ["not moving forward"]})
    a.nlp.get_pipe("rejectlens_cues").to_disk(tmp_path / "cues")
    a.nlp.get_pipe("rejectlens_sentences").to_disk(tmp_path / "sents")
    assert load_cue_patterns(tmp_path / "cues" / "patterns.json") == {"x": ["not moving forward"]}
    b = Analyser({"y": ["something else"]})
    b.nlp.get_pipe("rejectlens_cues").from_disk(tmp_path / "cues")
    b.nlp.get_pipe("rejectlens_sentences").from_disk(tmp_path / "sents")
    out = b.analyse([Cleaned("We are not moving forward. Bye", frozenset())], [""], [""])[0]
    assert out.cue_names() == {"x"} and len(out.sentences) == 2


def test_shipped_patterns_are_lists_of_phrases():
    patterns = default_cue_patterns()
    assert len(patterns) >= 20
    assert all(isinstance(p, str) and p for v in patterns.values() for p in v)
    assert not any(k.startswith("_") for k in patterns)  # the file's comment is not a cue


def _fake_entity_pipeline(monkeypatch):
    import spacy

    def fake_load(name, exclude=()):
        nlp = spacy.blank("en")
        ruler = nlp.add_pipe("entity_ruler")
        ruler.add_patterns([{"label": "PERSON", "pattern": "Maya"}, {"label": "ORG", "pattern": "Acme"}])
        return nlp

    monkeypatch.setattr(spacy.util, "is_package", lambda name: name == "en_core_web_sm")
    monkeypatch.setattr(spacy, "load", fake_load)


def test_entity_signals_only_when_asked(monkeypatch):
    _fake_entity_pipeline(monkeypatch)  # "installed": still unused unless named
    text = [Cleaned("You met Maya at Acme.", frozenset())]
    assert not any(f.startswith("mentions_") for f in Analyser().analyse(text, [""], [""])[0].flags)
    asked = Analyser(entities="en_core_web_sm").analyse(text, [""], [""])[0]
    assert {"mentions_person", "mentions_org"} <= asked.flags


def test_entity_signals_asked_but_not_installed_fail_clearly(monkeypatch):
    import spacy

    monkeypatch.setattr(spacy.util, "is_package", lambda name: False)
    with pytest.raises(RejectLensError, match=r"spaCy pipeline 'en_core_web_sm', which is not installed.*"
                                              r"entities=None"):
        Analyser(entities="en_core_web_sm")


def test_the_model_reads_its_entity_setting_from_the_manifest(monkeypatch, default_model):
    from rejectlens.errors import ModelFileError

    _fake_entity_pipeline(monkeypatch)
    assert default_model.analyser.entities is None  # the bundled manifest has no setting: off
    m = copy.copy(default_model)
    m.manifest = {"entity_signals": "en_core_web_sm"}
    assert m.analyser.entities == "en_core_web_sm" and m.analyser is not default_model.analyser
    assert {"mentions_person"} <= set(m.classify("Maya, we regret to inform you.").signals)
    bad = copy.copy(default_model)
    bad.manifest = {"entity_signals": 3}
    with pytest.raises(ModelFileError, match="must name a spaCy pipeline"):
        bad.analyser  # noqa: B018


def test_analyses_compare_by_value_and_hash(default_model):
    texts = ["We regret to inform you.", "Your interview is on Monday."]
    a1, b1 = default_model.analyser.analyse([Cleaned(t, frozenset()) for t in texts], ["", ""], ["", ""])
    a2 = default_model.analyser.analyse([Cleaned(texts[0], frozenset())], [""], [""])[0]
    assert a1 == a2 and hash(a1) == hash(a2) and a1 != b1
    assert pickle.loads(pickle.dumps(a1)) == a1
    assert a1 != Analysis(a1.text, a1.sentences, a1.cues, a1.flags, a1.tok_ids[::-1].copy(),
                          a1.tok_sent, a1.tok_start, a1.tok_end, a1.tok_scope, a1.language)
    assert a1 != "We regret to inform you." and Analysis("", (), (), frozenset()) == Analysis("", (), (), frozenset())
    assert len({a1, a2, b1}) == 2
    assert np.array_equal(a1.tok_ids, a2.tok_ids)


def test_training_records_the_entity_setting_in_the_manifest(small_model, small_model_dir, small_records,
                                                             monkeypatch):
    import spacy

    from rejectlens.api import load
    from rejectlens.persist import read_manifest
    from rejectlens.training import train

    assert small_model.manifest["entity_signals"] is None
    assert read_manifest(small_model_dir)["entity_signals"] is None
    assert load(small_model_dir).analyser.entities is None
    monkeypatch.setattr(spacy.util, "is_package", lambda name: False)
    with pytest.raises(RejectLensError, match="not installed"):  # before any training work
        train(small_records, entity_signals="en_core_web_sm")


def test_a_malformed_entity_setting_is_refused_on_load(small_model_dir, tmp_path):
    import json
    import shutil

    from rejectlens.api import load
    from rejectlens.errors import ModelFileError

    shutil.copytree(small_model_dir, tmp_path / "m")
    mf = tmp_path / "m" / "manifest.json"
    mf.write_text(json.dumps({**json.loads(mf.read_text()), "entity_signals": ["en_core_web_sm"]}))
    with pytest.raises(ModelFileError, match="'entity_signals' must name a spaCy pipeline"):
        load(tmp_path / "m")
