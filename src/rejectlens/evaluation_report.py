"""An evaluation report people can read: metrics.json, report.md and PNG plots,
and the text table of the headline metrics.

Everything here renders an :class:`~rejectlens.evaluation.Evaluation` (data
made by :mod:`rejectlens.evaluation`); nothing here measures or classifies.
"""

from __future__ import annotations

import io
import json
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .labels import LABEL_FIELDS, REASON_HEAD_PREFIX, REASONS, head_targets, reason_head
from .plotting import pyplot
from .writers import write_file_atomic

if TYPE_CHECKING:
    from .evaluation import Evaluation

__all__ = ["format_metrics", "write_report"]

_FIELDS = ("job_related", "is_rejection", "personalization", "stage", "feedback_offered",
           "reapply_encouraged")


def write_report(evaluation: Evaluation, out_dir: str | Path) -> Path:
    """Write metrics.json, report.md and the plots into ``out_dir``; returns it.

    ``evaluation`` must carry probabilities
    (``measure(model, records, probabilities=True)``): the curves need them.
    """
    if evaluation.probabilities is None:
        raise ValueError("write_report draws precision-recall and calibration curves from head "
                         "probabilities; this evaluation has none. Make it with "
                         "measure(model, records, probabilities=True).")
    plt = pyplot("Writing report plots")
    metrics, records, proba = evaluation.metrics, evaluation.records, evaluation.probabilities
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    write_file_atomic(out / "metrics.json", json.dumps(metrics, indent=2).encode("utf-8"))
    plots = []
    if _confusions(plt, metrics, out / "confusion_matrices.png"):
        plots.append(("Confusion matrices", "confusion_matrices.png"))
    if _pr_curves(plt, records, proba, out / "precision_recall.png"):
        plots.append(("Precision-recall curves", "precision_recall.png"))
    if _calibration(plt, records, proba, out / "calibration.png"):
        plots.append(("Calibration", "calibration.png"))
    write_file_atomic(out / "report.md", _markdown(metrics, plots).encode("utf-8"))
    return out


def _confusions(plt, metrics, path: Path) -> bool:
    fields = [f for f in _FIELDS if f in metrics and "confusion" in metrics[f]]
    if not fields:
        return False
    fig, axes = plt.subplots(1, len(fields), figsize=(3.6 * len(fields), 3.4), squeeze=False)
    for ax, field in zip(axes[0], fields):
        c = metrics[field]["confusion"]
        m = np.array(c["matrix"])
        ax.imshow(m, cmap="Blues")
        ax.set_xticks(range(len(c["cols"])), c["cols"], rotation=35, ha="right", fontsize=8)
        ax.set_yticks(range(len(c["rows"])), c["rows"], fontsize=8)
        for (i, j), v in np.ndenumerate(m):
            ax.text(j, i, str(v), ha="center", va="center",
                    color="white" if v > m.max() / 2 else "black", fontsize=9)
        ax.set_title(field, fontsize=10)
        ax.set_xlabel("predicted", fontsize=8)
        ax.set_ylabel("labelled", fontsize=8)
    fig.tight_layout()
    _save_png(fig, path)
    plt.close(fig)
    return True


def _binary_targets(records, proba):
    """(name, 0/1 targets, probabilities) of every binary head the records
    label, on the rows labels.head_targets judges it on; the reasons pooled."""
    y = {f: [r.get(f) for r in records] for f in LABEL_FIELDS}
    targets = head_targets({f: v for f, v in y.items() if any(x is not None for x in v)}, judging=True)
    out = [(name, list(t), proba[name][rows]) for name, (rows, t) in targets.items()
           if name in proba and name != "stage" and not name.startswith(REASON_HEAD_PREFIX)]
    names = [reason_head(x) for x in REASONS if reason_head(x) in targets and reason_head(x) in proba]
    if names:
        rows = targets[names[0]][0]  # every reason head has the same rows
        t = [int(v) for i in range(len(rows)) for v in (targets[nm][1][i] for nm in names)]
        p = np.array([proba[nm][r] for r in rows for nm in names])
        out.append(("reasons (micro)", t, p))
    return [(n, t, p) for n, t, p in out if 0 < sum(t) < len(t)]


def _pr_curves(plt, records, proba, path: Path) -> bool:
    from sklearn.metrics import average_precision_score, precision_recall_curve

    targets = _binary_targets(records, proba)
    if not targets:
        return False
    fig, ax = plt.subplots(figsize=(5.5, 4.5))
    for name, t, p in targets:
        precision, recall, _ = precision_recall_curve(t, p)
        ax.plot(recall, precision, label=f"{name} (AP {average_precision_score(t, p):.2f})")
    ax.set_xlabel("recall")
    ax.set_ylabel("precision")
    ax.set_ylim(0, 1.02)
    ax.legend(fontsize=8, loc="lower left")
    ax.set_title("Precision-recall by head")
    fig.tight_layout()
    _save_png(fig, path)
    plt.close(fig)
    return True


def _calibration(plt, records, proba, path: Path) -> bool:
    from sklearn.calibration import calibration_curve

    targets = [x for x in _binary_targets(records, proba) if x[0] != "reasons (micro)"]
    if not targets:
        return False
    fig, ax = plt.subplots(figsize=(5, 4.5))
    ax.plot([0, 1], [0, 1], linestyle="--", color="grey", label="perfectly calibrated")
    for name, t, p in targets:
        frac, mean = calibration_curve(t, p, n_bins=8, strategy="quantile")
        ax.plot(mean, frac, marker="o", label=name)
    ax.set_xlabel("predicted probability")
    ax.set_ylabel("observed frequency")
    ax.legend(fontsize=8)
    ax.set_title("Calibration")
    fig.tight_layout()
    _save_png(fig, path)
    plt.close(fig)
    return True


def _markdown(metrics: Mapping[str, Any], plots) -> str:
    labelled = metrics.get("labelled", metrics["n"])
    lines = ["# Evaluation report", "", f"{metrics['n']} emails, {labelled} of them labelled.", "",
             "Rejection-only fields are measured on emails labelled as rejections; a missed",
             "rejection counts as a wrong answer for them (\"none\" below).", "",
             "```", format_metrics(metrics), "```", ""]
    for field in ("personalization", "stage"):
        if field in metrics:
            lines += [f"## {field}", "", "| class | precision | recall | f1 | support |",
                      "|---|---:|---:|---:|---:|"]
            for c, m in metrics[field]["per_class"].items():
                lines.append(f"| {c} | {m['precision']:.2f} | {m['recall']:.2f} | {m['f1']:.2f} | "
                             f"{m['support']} |")
            lines.append("")
    for field in _FIELDS:
        if field in metrics and "confusion" in metrics[field]:
            c = metrics[field]["confusion"]
            lines += [f"### confusion: {field} (rows labelled, columns predicted)", "",
                      "| | " + " | ".join(c["cols"]) + " |", "|---" * (len(c["cols"]) + 1) + "|"]
            for name, row in zip(c["rows"], c["matrix"]):
                lines.append(f"| {name} | " + " | ".join(map(str, row)) + " |")
            lines.append("")
    for title, file in plots:
        lines += [f"## {title}", "", f"![{title}]({file})", ""]
    return "\n".join(lines)


def format_metrics(metrics: Mapping[str, Any]) -> str:
    """A small text table of the headline number per field."""
    rows = [("field", "metric", "value", "n")]
    for field, key in (
        ("job_related", "f1"), ("is_rejection", "f1"), ("personalization", "macro_f1"), ("reasons", "f1"),
        ("stage", "macro_f1"), ("feedback_offered", "f1"), ("reapply_encouraged", "f1"),
    ):
        if field in metrics:
            m = metrics[field]
            name = "micro_f1" if field == "reasons" else key
            rows.append((field, name, f"{m[key]:.3f}", str(m.get("n", ""))))
    width = [max(len(r[i]) for r in rows) for i in range(4)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, width)) for r in rows]
    if "reasons" in metrics and metrics["reasons"].get("per_label"):
        lines.append("")
        lines.append("reasons per label (precision / recall / f1, support)")
        for label, m in metrics["reasons"]["per_label"].items():
            lines.append(f"  {label:20s} {m['precision']:.2f} / {m['recall']:.2f} / {m['f1']:.2f}  "
                         f"({m['support']})")
    return "\n".join(lines)


def _save_png(fig, path: Path) -> None:
    # Rendered in memory and written whole: a failed plot leaves no half-written PNG.
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    write_file_atomic(path, buf.getvalue())
