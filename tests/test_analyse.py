from rejectlens.analyse import Analyser, default_cue_patterns, load_cue_patterns
from rejectlens.clean import Cleaned


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


def test_empty_text_gives_same_keys_with_empty_values(default_model):
    a = analyse(default_model.analyser, "")
    assert a.sentences == () and a.cues == () and a.text == ""


def test_pipeline_is_built_once_per_pattern_set(default_model):
    assert default_model.analyser is default_model.analyser
    assert default_model.analyser.nlp.pipe_names == ["rejectlens_sentences", "rejectlens_cues"]


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


def test_entity_signals_only_when_a_trained_pipeline_is_installed(monkeypatch):
    import spacy

    from rejectlens import analyse as mod

    def fake_load(name, exclude=()):
        nlp = spacy.blank("en")
        ruler = nlp.add_pipe("entity_ruler")
        ruler.add_patterns([{"label": "PERSON", "pattern": "Maya"}, {"label": "ORG", "pattern": "Acme"}])
        return nlp

    monkeypatch.setattr(mod, "_installed_entity_model", lambda: "en_core_web_sm")
    monkeypatch.setattr(spacy, "load", fake_load)
    a = Analyser()
    out = a.analyse([Cleaned("You met Maya at Acme.", frozenset())], [""], [""])[0]
    assert {"mentions_person", "mentions_org"} <= out.flags
    monkeypatch.setattr(mod, "_installed_entity_model", lambda: None)
    assert not any(f.startswith("mentions_") for f in Analyser().analyse(
        [Cleaned("You met Maya at Acme.", frozenset())], [""], [""])[0].flags)


def test_cue_component_as_a_spacy_factory_assigns_spans():
    import spacy

    import rejectlens.analyse  # noqa: F401  (registers the factories)

    nlp = spacy.blank("en")
    nlp.add_pipe("rejectlens_sentences")
    nlp.add_pipe("rejectlens_cues", config={"patterns": {"decision": ["not moving forward"]}})
    doc = nlp("Sadly we are Not Moving Forward. Thanks")
    assert [(s.label_, s.text) for s in doc.spans["rejectlens_cues"]] == [("decision", "Not Moving Forward")]
    assert [s.text for s in doc.sents] == ["Sadly we are Not Moving Forward.", "Thanks"]
    assert nlp("").spans["rejectlens_cues"] is not None
