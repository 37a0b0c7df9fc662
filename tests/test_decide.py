"""decide: thresholds, the job gate and borrowed heads turn probabilities into Predictions."""

import numpy as np
import pytest

from rejectlens.decide import EMPTY_AFTER_CLEANING, Scores, borrow, decide, score
from rejectlens.ingest import Email
from rejectlens.labels import JOB_GATE, REASONS, reason_head

BODY = ("Thank you for applying to the Data Analyst role. Unfortunately the position has been "
        "filled, so we will not move forward with your application.")


@pytest.fixture(scope="module")
def analysed(default_model):
    emails = [Email(body=BODY, id="e1")]
    return emails, default_model.analyse(emails)


def _with(scores: Scores, **proba: float) -> Scores:
    """The same scores with some heads' probabilities replaced for the one email."""
    p = dict(scores.proba)
    for name, value in proba.items():
        p[name] = np.array([value])
    return Scores(p, scores.thresholds, scores.sources)


def test_the_job_gate_keeps_rejections_to_job_mail(default_model, analysed):
    emails, analyses = analysed
    scores = score(default_model.vectorizer, default_model.heads, analyses)
    th = scores.thresholds
    assert decide(emails, analyses, scores)[0].is_rejection is True
    below_gate = th.get(JOB_GATE, th["job_related"]) - 0.01
    p = decide(emails, analyses, _with(scores, job_related=below_gate, is_rejection=0.99))[0]
    assert p.is_rejection is False and p.reasons is None and p.evidence is None
    if below_gate < th["job_related"]:
        # not job mail: the rejection score is capped at the chance that it is
        assert p.job_related is False and p.rejection_score == round(below_gate, 4)


def test_reasons_follow_each_heads_threshold(default_model, analysed):
    emails, analyses = analysed
    scores = score(default_model.vectorizer, default_model.heads, analyses)
    head = reason_head("position_filled")
    over = decide(emails, analyses, _with(scores, **{head: scores.thresholds[head]}))[0]
    under = decide(emails, analyses, _with(scores, **{head: scores.thresholds[head] - 1e-6}))[0]
    assert "position_filled" in over.reasons and "position_filled" in over.evidence
    assert "position_filled" not in under.reasons
    assert set(over.reason_scores) == set(REASONS)


def test_borrowed_heads_bring_their_thresholds_and_the_job_gate():
    own = Scores({"is_rejection": np.array([0.9])}, {"is_rejection": 0.5}, {"is_rejection": "own"})
    base = Scores({"is_rejection": np.array([0.1]), "job_related": np.array([0.7])},
                  {"is_rejection": 0.3, "job_related": 0.6, JOB_GATE: 0.2},
                  {"is_rejection": "base", "job_related": "base"})
    both = borrow(own, base, ["job_related"])
    assert both.proba["is_rejection"][0] == 0.9 and both.proba["job_related"][0] == 0.7
    assert both.thresholds == {"is_rejection": 0.5, "job_related": 0.6, JOB_GATE: 0.2}
    assert both.sources == {"is_rejection": "own", "job_related": "base"}


def test_nothing_readable_after_cleaning_is_an_error(default_model):
    emails = [Email(body="Sent from my iPhone", id="q")]  # a footer and nothing else
    analyses = default_model.analyse(emails)
    assert analyses[0].text == ""
    p = decide(emails, analyses, score(default_model.vectorizer, default_model.heads, analyses))[0]
    assert p.error == EMPTY_AFTER_CLEANING


@pytest.mark.parametrize("body", ["<html><body><img src='cid:logo.png'></body></html>", "Sent from my iPhone"])
def test_a_subject_alone_is_not_read_as_the_email(default_model, body):
    # An image-only HTML part with "Your application" on top: no text, no guess.
    p = default_model.classify(Email(subject="Your application to Acme", body=body))
    assert p.error == EMPTY_AFTER_CLEANING and p.is_rejection is None


@pytest.mark.parametrize("body", ["not", "Sorry!", "Not selected."])
def test_a_text_of_one_or_two_words_is_no_rejection(default_model, body):
    # The heads read "not" alone as a rejection at 1.0: too few words to decide.
    p = default_model.classify(Email(body=body))
    assert p.error is None and p.is_rejection is False
    assert p.rejection_score < default_model.thresholds["is_rejection"]
    # and job_related is the job head's own reading, not forced by a rejection
    assert p.job_related == (p.job_related_score >= default_model.thresholds["job_related"])


def test_a_three_word_rejection_is_still_read(default_model):
    p = default_model.classify(Email(body="not moving forward", subject="Your application"))
    assert p.is_rejection is True
