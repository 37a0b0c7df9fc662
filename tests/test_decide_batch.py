"""decide's and evidence's batch-at-once code gives what the per-email code it replaced gave."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rejectlens.decide import _Columns
from rejectlens.evidence import find_evidence
from rejectlens.ingest import Email
from rejectlens.labels import DECISION_EVIDENCE, REASONS, STAGES, evidence_head, reason_head

HEADS = ["job_related", "is_rejection", "personalization", "feedback_offered", "reapply_encouraged",
         *(reason_head(r) for r in REASONS)]


# ---- the per-email code, as it was -------------------------------------------------
def _old_reasons(proba, th, i):
    return tuple(r for r in REASONS
                 if reason_head(r) in proba and proba[reason_head(r)][i] >= th[reason_head(r)])


def _old_binary(proba, th, name, i, yes, no):
    if name not in proba:
        return None
    return yes if proba[name][i] >= th[name] else no


def _old_score(proba, name, i):
    return round(float(proba[name][i]), 4) if name in proba else None


def _old_fields(proba, th, i):
    stage = proba.get("stage")
    return {
        "personalization": _old_binary(proba, th, "personalization", i, "personalized", "generic"),
        "personalization_score": _old_score(proba, "personalization", i),
        "reason_scores": {r: round(float(proba[reason_head(r)][i]), 4)
                          for r in REASONS if reason_head(r) in proba},
        "stage": STAGES[int(stage[i].argmax())] if stage is not None else None,
        "stage_scores": ({s: round(float(p), 4) for s, p in zip(STAGES, stage[i])}
                         if stage is not None else None),
        "feedback_offered": _old_binary(proba, th, "feedback_offered", i, True, False),
        "reapply_encouraged": _old_binary(proba, th, "reapply_encouraged", i, True, False),
    }


def _old_evidence_pick(scores, analyses, todo, starts, wanted):
    out = [{} for _ in analyses]
    for k, i in enumerate(todo):
        sents = analyses[i].sentence_texts()
        ok = np.array([len(s.split()) >= 3 for s in sents], dtype=bool)
        if not ok.any():
            ok[:] = True
        for n in wanted[i]:
            if n not in scores or not sents:
                continue
            s = scores[n][starts[k]: starts[k + 1]].copy()
            s[~ok] = -1.0
            out[i][n] = sents[int(s.argmax())].strip()
    return out


# ---- properties -------------------------------------------------------------------------
probs = st.floats(0.0, 1.0) | st.sampled_from([0.5, 0.25, 0.12345, 0.99995, 1e-9])


@settings(max_examples=100, deadline=None)
@given(data=st.data(), n=st.integers(1, 5), heads=st.sets(st.sampled_from(HEADS)),
       with_stage=st.booleans())
def test_columns_equal_the_per_email_fields(data, n, heads, with_stage):
    proba = {h: np.array(data.draw(st.lists(probs, min_size=n, max_size=n))) for h in sorted(heads)}
    th = {h: data.draw(probs) for h in proba}
    if with_stage:
        proba["stage"] = np.array(data.draw(st.lists(st.lists(probs, min_size=len(STAGES),
                                                              max_size=len(STAGES)),
                                                     min_size=n, max_size=n)))
    cols = _Columns(proba, th)
    for i in range(n):
        assert cols.reasons(i) == _old_reasons(proba, th, i)
        assert cols.score("job_related", i) == _old_score(proba, "job_related", i)
        if "personalization" in proba:
            assert cols.rejection_fields(i) == _old_fields(proba, th, i)
            want = [DECISION_EVIDENCE, *cols.reasons(i)]
            if proba["personalization"][i] >= th["personalization"]:
                want.append("personalized")
            assert cols.wanted(i, cols.reasons(i)) == want


sentence = st.sampled_from([
    "Thank you for applying.", "Unfortunately we will not move forward with your application.",
    "We chose a candidate whose experience is closer to the role.", "Hi Sam,", "Best,",
    "The position has been filled.", "We cannot sponsor a visa for this role.", "Regards",
    "Please apply again in six months.", "Your portfolio was impressive.", "ok",
])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(bodies=st.lists(st.lists(sentence, max_size=6).map(" ".join), min_size=1, max_size=5),
       data=st.data())
def test_evidence_picks_the_sentence_the_per_email_loop_picked(default_model, bodies, data):
    analyses = default_model.analyse([Email(body=b) for b in bodies])
    keys = [DECISION_EVIDENCE, "personalized", *REASONS[:4]]
    wanted = [data.draw(st.lists(st.sampled_from(keys), unique=True, max_size=4)) for _ in bodies]
    vec, heads = default_model.compiled()
    found = find_evidence(vec, heads, analyses, wanted)
    todo = [i for i, w in enumerate(wanted) if w]
    if not todo:
        assert found == [{} for _ in bodies]
        return
    subset = [analyses[i] for i in todo]
    X = vec.transform_sentences(subset)
    starts = np.cumsum([0] + [len(a.sentences) for a in subset])
    names = sorted({n for i in todo for n in wanted[i]})
    scores = {n: heads.head_proba(evidence_head(n), X) for n in names
              if n != DECISION_EVIDENCE and evidence_head(n) in heads.heads_}
    if DECISION_EVIDENCE in names:
        scores[DECISION_EVIDENCE] = np.asarray(X[:, vec.decision_column].todense()).ravel()
    assert found == _old_evidence_pick(scores, analyses, todo, starts, wanted)


def _old_to_dict(p):
    from collections.abc import Mapping

    from rejectlens.prediction import OUTPUT_FIELDS

    out = {}
    for name in OUTPUT_FIELDS:
        value = getattr(p, name)
        if isinstance(value, tuple):
            value = list(value)
        elif isinstance(value, Mapping):
            value = dict(value)
        out[name] = value
    return out


class _Str(str):
    pass


values = st.none() | st.booleans() | st.floats(allow_nan=False) | st.integers() | st.text(max_size=5) \
    | st.builds(_Str, st.text(max_size=3)) | st.tuples(st.text(max_size=3)) \
    | st.dictionaries(st.text(max_size=3), st.floats(0, 1), max_size=2)


@settings(max_examples=100, deadline=None)
@given(fields=st.fixed_dictionaries({f: values for f in ("id", "reasons", "reason_scores", "evidence",
                                                           "stage", "signals", "language")}))
def test_to_dict_is_the_generic_conversion(fields):
    from rejectlens.prediction import Prediction

    p = Prediction(is_rejection=True, rejection_score=0.5, **fields)
    d = p.to_dict()
    assert d == _old_to_dict(p)
    assert [type(v) for v in d.values()] == [type(v) for v in _old_to_dict(p).values()]
