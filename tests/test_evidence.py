from rejectlens.ingest import Email


def test_evidence_points_at_a_sentence_that_exists(default_model):
    body = (
        "Dear Priya,\n\nThank you for interviewing with us for the Backend Engineer role. "
        "We received over 400 applications for this position. "
        "Unfortunately, we are unable to sponsor work visas, so we cannot move forward with your "
        "application.\n\nKind regards,\nNorthwind"
    )
    p = default_model.classify(body)
    assert p.is_rejection
    assert p.evidence, "a rejection with reasons carries evidence"
    analysis = default_model.analyse([Email(body=body)])[0]
    sentences = analysis.sentence_texts()
    for label, sentence in p.evidence.items():
        assert label in p.reasons or label in ("personalized", "decision")
        assert sentence in sentences
    if "work_authorization" in p.evidence:
        assert "visa" in p.evidence["work_authorization"]
    # the decision sentence is the one that ends the application
    assert "cannot move forward" in p.evidence["decision"]


def test_no_reasons_no_evidence(default_model):
    p = default_model.classify("Hi, your interview is confirmed for Monday at 10am.")
    assert p.evidence is None


def test_evidence_keys_name_the_head_they_back_up():
    from rejectlens.evidence import DECISION
    from rejectlens.labels import REASONS, evidence_head, reason_head

    assert evidence_head(DECISION) == "is_rejection"
    assert evidence_head("personalized") == "personalization"
    assert [evidence_head(r) for r in REASONS] == [reason_head(r) for r in REASONS]
    assert reason_head("timing") == "reason:timing"
