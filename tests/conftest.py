from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# A handful of emails the tests write themselves, one per kind that matters.
SMALL_SET = [
    {"id": "s1", "subject": "Your application", "body": "Dear Ana,\n\nThank you for applying for the Data Analyst role. Unfortunately we have decided to move forward with other candidates whose experience more closely matches our needs. We will keep your CV on file for future openings.\n\nBest,\nAcme Talent",
     "is_rejection": True, "personalization": "generic", "reasons": ["other_candidates"], "stage": "screening", "feedback_offered": False, "reapply_encouraged": True, "group": "a"},
    {"id": "s2", "subject": "Following up", "body": "Hi Ben,\n\nThanks for the interview with Maya last Tuesday. We need someone with an active AWS certification, and your work has mostly been on-premise, so we won't be offering you the role. Happy to talk it through on a call.\n\nCheers,\nLiz",
     "is_rejection": True, "personalization": "personalized", "reasons": ["qualifications"], "stage": "interview", "feedback_offered": True, "reapply_encouraged": False, "group": "b"},
    {"id": "s3", "subject": "Application received", "body": "Hi Carla,\n\nWe have received your application for the Nurse role. Due to the high volume of applications we cannot reply to everyone; only shortlisted candidates will be contacted.\n\nRecruitment Team",
     "is_rejection": False, "personalization": None, "reasons": [], "stage": None, "feedback_offered": False, "reapply_encouraged": False, "group": "c"},
    {"id": "s4", "subject": "Interview invitation", "body": "Hi Dev,\n\nWe'd like to invite you to a second interview next week. Please pick a slot using the calendar link.\n\nThanks,\nSam",
     "is_rejection": False, "personalization": None, "reasons": [], "stage": None, "feedback_offered": False, "reapply_encouraged": False, "group": "d"},
    {"id": "s5", "subject": "Update on the Store Supervisor role", "body": "Hello Erin, the position has been filled, so we will not be taking your application further. Thank you for your interest.",
     "is_rejection": True, "personalization": "generic", "reasons": ["position_filled"], "stage": "screening", "feedback_offered": False, "reapply_encouraged": False, "group": "e"},
    {"id": "s7", "subject": "Regarding your candidacy", "body": "Dear Gita, thank you for your interest in Northwind. We will not be taking things further at this time.",
     "is_rejection": True, "personalization": "generic", "reasons": [], "stage": "unknown", "feedback_offered": False, "reapply_encouraged": False, "group": "g"},
    {"id": "s6", "subject": "Offer", "body": "Hi Femi, we're delighted to offer you the role of Designer. The offer letter is attached; please sign by Friday.",
     "is_rejection": False, "personalization": None, "reasons": [], "stage": None, "feedback_offered": False, "reapply_encouraged": False, "group": "f"},
]


@pytest.fixture(scope="session")
def default_model():
    import rejectlens

    return rejectlens.load()


@pytest.fixture(scope="session")
def small_records():
    # Repeat with small variations so every head has enough examples per class.
    out = []
    for k in range(4):
        for r in SMALL_SET:
            rec = dict(r)
            rec["id"] = f"{r['id']}-{k}"
            rec["body"] = r["body"] + f"\n\nRef {k}" + " thanks" * k
            rec["group"] = f"{r['group']}{k}"
            out.append(rec)
    return out


@pytest.fixture(scope="session")
def small_model(small_records):
    from rejectlens.training import train

    return train(small_records, seed=0, cv=2, min_df=1)


@pytest.fixture(scope="session", autouse=True)
def _corpus_cache(tmp_path_factory):
    # Retraining caches the corpus matrix; tests keep it out of the user's cache
    # directory, and share it within the session.
    import os

    old = os.environ.get("REJECTLENS_CACHE_DIR")
    os.environ["REJECTLENS_CACHE_DIR"] = str(tmp_path_factory.mktemp("cache"))
    yield
    if old is None:
        os.environ.pop("REJECTLENS_CACHE_DIR", None)
    else:
        os.environ["REJECTLENS_CACHE_DIR"] = old


@pytest.fixture(scope="session")
def small_model_dir(small_model, tmp_path_factory):
    path = tmp_path_factory.mktemp("models") / "small"
    small_model.save(path)
    return path


@pytest.fixture
def tiny_corpus(monkeypatch, small_records):
    """Retraining reads the small records as its corpus instead of the bundled one
    (seconds instead of a minute); the code path is the same."""
    import rejectlens.retraining

    monkeypatch.setattr(rejectlens.retraining, "bundled_corpus", lambda: [dict(r) for r in small_records])
    return small_records
