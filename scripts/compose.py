"""Compose extra training rejections from the team's labeled fragments.

Reads data/fragments/fragments.json (sentences the team wrote, each with the
labels it carries) and writes data/composed/composed.jsonl. Labels follow
from the fragments chosen; every record is marked ``origin: composed`` and
stays in the train split (see rejectlens.corpus.split_records).

    python scripts/compose.py [--n 1200] [--seed 7]
"""

from __future__ import annotations

import argparse
import json
import random
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIRST_NAMES = [
    "Alex", "Priya", "Tomás", "Mei", "Oluwaseun", "Hannah", "Rahul", "Zoë", "Marcus", "Aisha",
    "Liam", "Sofia", "Kenji", "Fatima", "Declan", "Ngozi", "Lucía", "Arjun", "Freya", "Dmitri",
    "Chloé", "Kwame", "Ingrid", "Siddharth", "Bronwyn", "Yusuf", "Maja", "Connor", "Anjali", "Rhys",
]
ROLES = [
    "Data Analyst", "Senior Product Designer", "Customer Success Manager", "Backend Engineer",
    "Marketing Coordinator", "Graduate Trainee", "Staff Nurse", "Store Supervisor", "HR Business Partner",
    "Financial Analyst", "Research Assistant", "Operations Lead", "QA Engineer", "Account Executive",
    "Policy Officer", "Warehouse Team Leader", "UX Researcher", "Payroll Specialist", "DevOps Engineer",
    "Summer Intern", "Sous Chef", "Lecturer in Economics", "Solutions Architect", "Content Writer",
]
COMPANIES = [
    "Northwind Analytics", "Bluepeak", "Harbourline Health", "Quillstone", "Tessellate Labs",
    "Marrow & Finch", "Kestrel Foods", "Orbital Freight", "Greyhaven Council", "Lumen Insurance",
    "Saffron Retail", "Brightwater University", "Copperleaf", "Verdant Energy", "Atlas Hotels",
    "Pinewood Systems", "Redkite Media", "Solace Care", "Tidemark Bank", "Zephyr Robotics",
]
RECRUITERS = [
    "Jordan Blake", "Ananya Rao", "Tom Whitfield", "Grace Okafor", "Lena Vogel", "Sam Patel",
    "Chris Moreau", "Keiko Tanaka", "Ravi Menon", "Olivia Hart", "Mateo García", "Niamh Byrne",
]
TEAMS = ["Talent Acquisition", "People Team", "Recruitment Team", "Hiring Team", "HR", "Careers Team"]


def _fill(text: str, ctx: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: ctx.get(m.group(1), m.group(0)), text)


def _fits(frag: dict, stage: str) -> bool:
    want = frag.get("stage")
    return want is None or want == stage


def compose_one(fr: dict, rng: random.Random, n: int) -> dict:
    stage = rng.choices(["screening", "interview", "unknown"], weights=[4, 4, 2])[0]
    ctx = {
        "first_name": rng.choice(FIRST_NAMES),
        "role": rng.choice(ROLES),
        "company": rng.choice(COMPANIES),
        "recruiter": rng.choice(RECRUITERS),
        "team": rng.choice(TEAMS),
    }
    reasons: set[str] = set()
    personal = feedback = reapply = False
    body: list[str] = []
    greeting = rng.choice(fr["greeting_named"] if rng.random() < 0.75 else fr["greeting_generic"])
    if stage != "unknown" or rng.random() < 0.7:
        body.append(rng.choice(fr["opener"][stage]))
    core: list[str] = []
    n_reasons = rng.choices([0, 1, 2, 3], weights=[3, 5, 3, 1])[0]
    for label in rng.sample(sorted(fr["reasons"]), n_reasons):
        options = [f for f in fr["reasons"][label] if _fits(f, stage)]
        if not options:
            continue
        f = rng.choice(options)
        core.append(f["text"])
        reasons.add(label)
        reasons.update(f.get("also") or [])
        personal |= bool(f.get("personal"))
        feedback |= bool(f.get("feedback"))
    if rng.random() < 0.85 or not core:
        core.insert(rng.randrange(len(core) + 1), rng.choice(fr["decision"]))
    if rng.random() < 0.12:
        core.append(rng.choice(fr["high_volume_neutral"]))
        reasons.add("high_volume")
    body.extend(core)
    if rng.random() < 0.3:
        options = [f for f in fr["personal"] if _fits(f, stage)]
        if options:
            f = rng.choice(options)
            body.insert(min(1, len(body)), f["text"])
            personal = True
            feedback |= bool(f.get("feedback"))
    if rng.random() < 0.3:
        body.append(rng.choice(fr["praise"]))
    if rng.random() < 0.22:
        body.append(rng.choice(fr["feedback_offer"]))
        feedback = True
    elif rng.random() < 0.15:
        body.append(rng.choice(fr["feedback_declined"]))
    if rng.random() < 0.45:
        body.append(rng.choice(fr["reapply"]))
        reapply = True
    if rng.random() < 0.7:
        body.append(rng.choice(fr["closing"]))
    paragraphs: list[str] = []
    for sentence in body:
        if paragraphs and rng.random() < 0.45:
            paragraphs[-1] += " " + sentence
        else:
            paragraphs.append(sentence)
    text = "\n\n".join([greeting, *paragraphs, rng.choice(fr["signoff"])])
    subject = rng.choice(fr["subject"][stage] + fr["subject"]["any"])
    domain = re.sub(r"[^a-z]", "", ctx["company"].lower()) + ".example"
    sender = rng.choice(
        [
            f"{ctx['company']} Careers <no-reply@{domain}>",
            f"{ctx['recruiter']} <{ctx['recruiter'].split()[0].lower()}@{domain}>",
            f"{ctx['team']} <jobs@{domain}>",
        ]
    )
    return {
        "id": f"composed-{n:05d}",
        "subject": _fill(subject, ctx),
        "body": _fill(text, ctx),
        "sender": sender,
        "job_related": True,
        "is_rejection": True,
        "personalization": "personalized" if personal else "generic",
        "reasons": sorted(reasons),
        "stage": stage,
        "feedback_offered": feedback,
        "reapply_encouraged": reapply,
        "group": f"composed-{n // 50:03d}",
        "origin": "composed",
        "tags": [],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1200)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--fragments", default=str(ROOT / "data" / "fragments" / "fragments.json"))
    ap.add_argument("-o", "--output", default=str(ROOT / "data" / "composed" / "composed.jsonl"))
    args = ap.parse_args()
    fr = json.loads(Path(args.fragments).read_text(encoding="utf-8"))
    rng = random.Random(args.seed)
    out = Path(args.output)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8") as f:
        for n in range(args.n):
            f.write(json.dumps(compose_one(fr, rng, n), ensure_ascii=False) + "\n")
    print(f"wrote {args.n} composed emails to {out}")


if __name__ == "__main__":
    main()
