"""Build the default model from the project corpus, with its model card.

Trains on the train and dev splits (thresholds tuned on grouped folds of
them), measures on the written test split, and writes the model directory
plus ``MODEL_CARD.md``. ``make model`` runs it; so do
``python -m rejectlens.corpus.build data -o models/default`` and
``rejectlens train data -o models/default``.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ..evaluation import evaluate, format_metrics
from ..persist import save
from ..records import data_hash
from ..training import train
from ..writers import write_file_atomic
from .load import load_corpus
from .splits import split_records

__all__ = ["BUNDLED_C", "build_from_corpus"]

# The heads' inverse regularisation for the bundled corpus, chosen by the
# grouped cross-validation ``train`` runs on the fit splits (docs/decisions.md,
# "Regularisation"): its mean F1 over the heads rose from C = 8 to a plateau
# at 1,024 (TF-IDF rows are L2-normalised, so a distinguishing bigram needs a
# large weight to outvote the words a twin email shares). ``train``'s own
# default stays 8 for a user's few hundred labels, which it was not measured on.
BUNDLED_C = 1024.0


def build_from_corpus(
    data_dir: str | Path, out: str | Path, seed: int = 0, n_jobs: int = 2, cv: int = 5
) -> dict[str, Any]:
    corpus = load_corpus(data_dir)
    fit_records = split_records(corpus, "train") + split_records(corpus, "dev")
    test = split_records(corpus, "test")
    started = time.perf_counter()
    model = train(fit_records, seed=seed, n_jobs=n_jobs, cv=cv, C=BUNDLED_C)
    train_seconds = time.perf_counter() - started
    metrics = evaluate(model, test)
    model.manifest["corpus"] = {
        "data_hash": data_hash(corpus),
        "fit_splits": ["train", "dev"],
        "n_fit": len(fit_records),
        "n_test_written": len(test),
        "train_seconds": round(train_seconds, 2),
    }
    save(model, out, metrics={"written_test": metrics}, force=True, rebuild=True)  # models/default itself
    _write_card(Path(out), model.manifest, metrics)
    return metrics


def _write_card(out: Path, manifest: Mapping[str, Any], metrics: Mapping[str, Any]) -> None:
    versions = manifest.get("versions", {})
    corpus = manifest.get("corpus", {})
    thresholds = manifest.get("thresholds", {})
    params = manifest.get("training", {}).get("params", {})
    card = f"""# Model card: rejectlens default model

Built by `rejectlens train data -o models/default` (`make model`) from the
project's own corpus in `data/` (see `data/README.md`). Everything here was
measured by that command; rebuilding gives the same metrics and
thresholds (only the training time varies).

## Data
- corpus sha256: `{corpus.get('data_hash')}`
- trained on the train + dev splits: {corpus.get('n_fit')} emails (written, plus the
  composed emails of `data/composed/`, which teach every head but is_rejection and
  job_related)
- measured on the written test split: {corpus.get('n_test_written')} emails whose template
  groups never appear in training
- training time: {corpus.get('train_seconds')} s

## Metrics on the written test split
End to end, as a user sees them: a rejection-only field counts as wrong when
the rejection itself was missed.

```
{format_metrics(metrics)}
```

The test split was written by the same team as the training data, so these
numbers read higher than what to expect on real mail; see "Limits" below.

## Model
- word 1-2-gram TF-IDF over spaCy tokens of the cleaned email (subject + body;
  quoted replies, footers and signatures removed; numbers folded to shapes;
  words inside "if ..." clauses and after "this does not reflect ..." marked as
  their own features) + named cue phrases (spaCy PhraseMatcher, `cues.json`,
  weight {params.get('cue_weight')}) + cleaning and writer-voice flags;
- decision sentences: a logistic regression over sentences, trained on the
  sentences the team marked as the decision of each rejection
  (`data/decisions/`), gives every email its strongest decision sentence
  (weight {params.get('decision_weight')}); a second one, trained on the
  sentences that only the non-rejection twin of a contrast pair holds, gives
  its strongest "near miss" (sounds like a decision, is not one); both read
  the sentence's words with every word after a negation as its own term;
  training rows get out-of-fold scores;
- `job_related` reads the words only; `is_rejection` learns from job mail only
  and needs `job_related` above its gate (tuned out of fold with it): only job
  mail can be a rejection;
- one calibrated (sigmoid) logistic regression per binary head and per reason,
  multinomial for stage; rejection-only heads learn from rejections alone;
- thresholds: 0.5 on calibrated probabilities unless tuning on grouped
  out-of-fold probabilities beats it by 0.02 F1:
  {", ".join(f"{k} {v:.2f}" for k, v in thresholds.items())}
- evidence: each predicted reason's head scores every sentence; the best wins;
  `decision` is the sentence the decision-sentence model scores highest.

## Versions
{", ".join(f"{k} {v}" for k, v in versions.items())}

## Limits
- English only (the `language` field marks other languages); trained on emails
  written by the team in many voices, not on real received mail.
- Bag-of-words heads miss reasons stated in unusual words and can be fooled
  by negation ("this is not about your experience").
- Personalization is judged from wording; a personal-sounding template can
  pass as personalized.
- A sentence that only describes the chosen candidate ("we offered the role
  to another candidate, who has accepted") can be read as a `qualifications`
  reason; `benchmarks/heldout/named-contrasts.jsonl` measures how often.
"""
    write_file_atomic(out / "MODEL_CARD.md", card.encode("utf-8"))


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m rejectlens.corpus.build DATA -o OUT``: what ``make model`` runs."""
    p = argparse.ArgumentParser(prog="python -m rejectlens.corpus.build", description=__doc__)
    p.add_argument("data", help="the corpus folder (data/)")
    p.add_argument("-o", "--output", required=True, help="model directory to write (replaced)")
    p.add_argument("--cv", type=int, default=5, help="folds for calibration and thresholds (default: 5)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--n-jobs", type=int, default=2, help="heads trained at once (default: 2)")
    args = p.parse_args(argv)
    metrics = build_from_corpus(args.data, args.output, seed=args.seed, n_jobs=args.n_jobs, cv=args.cv)
    print(f"model written to {args.output}\nmetrics on the written test split:")
    print(format_metrics(metrics))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
