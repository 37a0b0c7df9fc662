"""Decisions, not words: minimal pairs, a whole mailbox, and the realdev floor.

The minimal pairs (``tests/data/minimal_pairs.jsonl``) were written apart from
the training corpus: two emails that differ in a few words and in the label
(a decision vs a condition, the employer vs the candidate, new text vs a
quote, a job vs a rental or a loan, a reason vs negated praise, a decision vs
a promise to review, a hold that releases vs one that keeps).
"""

from __future__ import annotations

import json
from collections import Counter

import pytest

from tests.conftest import ROOT

PAIRS = [json.loads(line) for line in (ROOT / "tests" / "data" / "minimal_pairs.jsonl").open(encoding="utf-8")]
REALDEV = ROOT.parent / "shared" / "realdev" / "realdev.jsonl"


def _side_ok(p, gold, differing: set[str]) -> bool:
    if p.error is not None or bool(p.is_rejection) != gold["is_rejection"]:
        return False
    if (p.job_related is not False) != gold["job_related"]:
        return False
    # Only the reasons the pair is about: the rest of the email is shared.
    return all((r in (p.reasons or ())) == (r in gold["reasons"]) for r in differing)


def _pair_ok(model, pair) -> bool:
    a, b = pair["a"], pair["b"]
    differing = set(a["reasons"]) ^ set(b["reasons"])
    pa, pb = model.classify_many([a, b])
    return _side_ok(pa, a, differing) and _side_ok(pb, b, differing)


def test_fixture_is_a_set_of_minimal_pairs():
    assert len(PAIRS) >= 80
    kinds = Counter(p["kind"] for p in PAIRS)
    assert len(kinds) >= 6 and min(kinds.values()) >= 10
    for p in PAIRS:
        a, b = p["a"], p["b"]
        assert (a["is_rejection"], a["job_related"], a["reasons"]) != (
            b["is_rejection"], b["job_related"], b["reasons"]), p["pair"]
        for side in (a, b):
            assert side["job_related"] or not side["is_rejection"], p["pair"]


# The real-mail issue asks for 0.90. The bundled model gets 0.837 (82 of 98:
# docs/decisions.md says which kinds it misses and why); this floor keeps it
# from sliding back while that work goes on. It was 0.84 until run AD: reading
# a first Outlook reply by its own "Re:" subject changed the text of 34
# training emails and lost mp-098, which sat on the line (0.515 -> 0.45), in
# all three seeds ("Replies read by their own subject", docs/decisions.md).
PAIRS_FLOOR = 0.83
# benchmarks/twins/: 285 held-out near-twin pairs; the bundled model reads both
# twins of 189 right (0.663; run AB read 191 before wave 12 cost 5 pairs near
# the 0.5 line: docs/decisions.md, "Named requirements"; run AD won 3 back).
TWINS_FLOOR = 0.65
# benchmarks/heldout/: emails in shapes the corpus was short of, kept out of
# training; per file, how many the bundled model reads wrong as a rejection or not.
HELDOUT_WRONG = {"declined-ats": 8, "knockouts": 3, "mailbox-shapes-job": 8, "mailbox-shapes-nonjob": 7,
                 "named-contrasts": 7, "nonjob-hiring-words": 3,
                 "quoted-verdicts": 5, "reason-twins": 0, "short-acks": 4, "short-personal": 3,
                 "unsuccessful-letters": 5, "vague-gaps": 0}


def test_bundled_model_minimal_pairs_floor(default_model):
    wrong = [p["pair"] for p in PAIRS if not _pair_ok(default_model, p)]
    share = 1 - len(wrong) / len(PAIRS)
    assert share >= PAIRS_FLOOR, f"{share:.3f} of pairs fully right; wrong: {wrong}"


def test_bundled_model_twin_pairs_floor(default_model):
    from benchmarks.real_mail import score_twins

    t = score_twins(default_model)
    assert t["pairs"] == 285
    assert t["share"] >= TWINS_FLOOR, t


def test_bundled_model_held_out_shapes(default_model):
    from benchmarks.real_mail import score_heldout

    scores = score_heldout(default_model)
    assert set(scores) == set(HELDOUT_WRONG)
    for name, m in scores.items():
        assert len(m["wrong"]) <= HELDOUT_WRONG[name], (name, m["wrong"])


def test_bundled_model_named_requirement_shortcut(default_model):
    # benchmarks/heldout/named-contrasts.jsonl: rejections that describe the
    # chosen candidate or the role's rule without naming a skill; none of them
    # is `qualifications`. Wave 12 taught "went with someone who has X" as one,
    # and the bundled model tags 15 of these 72 (run AB: 5).
    from benchmarks.real_mail import HELDOUT

    rows = [json.loads(line) for line in (HELDOUT / "named-contrasts.jsonl").open(encoding="utf-8")]
    rejections = [r for r in rows if r["is_rejection"]]
    assert len(rejections) == 72 and not any("qualifications" in r["reasons"] for r in rejections)
    tagged = [r["id"] for r, p in zip(rejections, default_model.classify_many(rejections))
              if "qualifications" in (p.reasons or ())]
    assert len(tagged) <= 15, tagged


def test_bundled_model_on_the_teams_mailbox(default_model):
    from benchmarks.real_mail import score_mailbox

    m = score_mailbox(default_model)
    assert m["messages_read"] == 400 and m["unmatched_keys"] == 0
    assert m["job_related_accuracy"] >= 0.95
    assert m["rej_precision"] >= 0.90 and m["rej_recall"] >= 0.85


def test_bundled_model_on_a_mailbox_other_writers_wrote(default_model):
    # benchmarks/mailbox2: writers who never read the training data or the first
    # mailbox. Floors a little under what the bundled model gets (0.950 / 1.000 / 0.980).
    from benchmarks.real_mail import MAILBOX2, score_mailbox

    m = score_mailbox(default_model, MAILBOX2)
    assert m["messages_read"] == 406 and m["unmatched_keys"] == 0
    assert m["job_related_accuracy"] >= 0.97
    assert m["rej_precision"] >= 0.93 and m["rej_recall"] >= 0.95


@pytest.mark.skipif(not REALDEV.is_file(), reason="realdev is not on this machine (developers only)")
def test_realdev_rejection_precision_floor(default_model):
    from benchmarks.real_mail import score_realdev

    m = score_realdev(default_model, REALDEV)
    assert m["all"]["rej_precision"] >= 0.93, m["false_positives"]


@pytest.mark.parametrize("body", ["", "   \n\t ", None, float("nan"), "<html><body> </body></html>"])
def test_no_confident_answer_from_no_text(default_model, body):
    p = default_model.classify({"id": "e1", "body": body})
    assert p.error is not None and p.error.startswith("empty body")
    assert p.is_rejection is None and p.job_related is None and p.id == "e1"


def test_only_job_mail_can_be_a_rejection(default_model):
    rental = ("Dear applicant, thank you for applying for the two-bedroom flat at 14 Elm Road. "
              "After careful consideration the landlord has decided to proceed with another "
              "applicant. We will keep your details on file for future properties.")
    p = default_model.classify({"subject": "Your rental application", "body": rental})
    assert p.job_related is False and p.is_rejection is False
    assert p.personalization is None and p.reasons is None and p.stage is None
    job = default_model.classify({"subject": "Your application", "body": rental.replace(
        "two-bedroom flat at 14 Elm Road", "Data Analyst role").replace("the landlord", "the team"
        ).replace("future properties", "future roles")})
    assert job.is_rejection and job.job_related


def test_language_is_reported(default_model):
    de = default_model.classify("Vielen Dank für Ihre Bewerbung. Leider müssen wir Ihnen mitteilen, "
                                "dass wir uns für andere Kandidaten entschieden haben.")
    en = default_model.classify("Thank you for applying. We have decided not to move forward.")
    assert de.language == "de" and en.language == "en"
