"""The report people read: one self-contained HTML page, its charts as PNG, and the tables.

Every file is written to a temporary name beside its target and renamed
when complete, so an interrupted run leaves no half file. The HTML embeds
its images (base64) and a few lines of script to sort the table; it loads
nothing from the network and fits a phone screen.
"""

from __future__ import annotations

import base64
import html
import io
import json
import os
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..errors import InputError
from ..plotting import pyplot as _pyplot
from ..writers import refuse_overwriting_input, write_file_atomic

if TYPE_CHECKING:
    from .build import MailboxReport

__all__ = ["check_output_dir", "write_outputs"]

OUTPUTS = ("report.html", "applications.csv", "summary.json", "feedback_requests.md")
MESSAGE_FILES = ("messages.parquet", "messages.csv")  # Parquet when pyarrow is installed
# the names charts() gives its images
CHARTS = ("funnel.png", "outcomes_by_month.png", "rejection_reasons.png", "generic_vs_personalized.png",
          "time_to_answer.png")
_STATUS_COLOURS = {"rejected": "#c0504d", "offer": "#4f9d4f", "in_process": "#4a7ebb", "ghosted": "#8c8c8c",
                   "acknowledged": "#e0a030", "applied": "#b3b3b3", "withdrawn": "#7d5ba6"}


def check_output_dir(out: str | Path, force: bool, inputs: Sequence[str | Path] = ()) -> Path:
    """Refuse a non-empty folder (or a file) unless ``force``, always a folder
    where a report file would replace one of ``inputs`` (the user's own
    applications sheet, kept beside last run's report), and a folder that
    cannot be made. Nothing is created: a run that fails later leaves no
    empty folder behind (``write_outputs`` makes it)."""
    if str(out) == "-":
        raise InputError("output -: a report is a folder of files, not a stream; expected a folder name")
    d = Path(out)
    if d.exists() and not d.is_dir():
        raise InputError(f"output {d} is a file; expected a folder for the report")
    for name in (*OUTPUTS, *MESSAGE_FILES, *CHARTS):
        refuse_overwriting_input(d / name, inputs)
    if d.is_dir() and any(d.iterdir()) and not force:
        raise InputError(f"output folder {d} is not empty; pass --force to write the report into it")
    base = d.absolute()
    while not base.exists():
        base = base.parent
    if not base.is_dir():
        raise InputError(f"cannot make the output folder {d}: {base} is a file; expected a folder")
    if not os.access(base, os.W_OK | os.X_OK):
        raise InputError(f"cannot write the report into {d}: {base} is not writable")
    return d


def pyplot():
    return _pyplot("Drawing the report's charts")


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    pyplot().close(fig)
    return buf.getvalue()


def charts(r: MailboxReport) -> dict[str, tuple[str, bytes]]:
    """Chart file name -> (title, PNG bytes)."""
    plt = pyplot()
    apps, msgs, s = r.applications, r.messages, r.summary
    out: dict[str, tuple[str, bytes]] = {}

    f = s["funnel"]
    steps = [("applied", f["applied"]), ("answered", f["answered"]), ("interview or test", f["interview"]),
             ("offer", f["offer"]), ("rejected", f["rejected"]), ("ghosted", f["ghosted"])]
    fig, ax = plt.subplots(figsize=(6, 3))
    ax.barh([k for k, _ in steps][::-1], [v for _, v in steps][::-1],
            color=["#8c8c8c", "#c0504d", "#4f9d4f", "#4a7ebb", "#e0a030", "#b3b3b3"])
    for y, (_, v) in enumerate(steps[::-1]):
        ax.text(v, y, f" {v}", va="center")
    ax.set_xlabel("applications")
    out["funnel.png"] = ("Funnel", _png(fig))

    fig, ax = plt.subplots(figsize=(6, 3))
    if len(apps):
        month = pd.to_datetime(apps["first_contact"].fillna(apps["applied_on"])).dt.strftime("%Y-%m")
        table = pd.crosstab(month, apps["status"])
        bottom = None
        for status in table.columns:
            ax.bar(table.index, table[status], bottom=bottom, label=status,
                   color=_STATUS_COLOURS.get(status, "#999999"))
            bottom = table[status] if bottom is None else bottom + table[status]
        ax.legend(fontsize=7, ncol=3)
    ax.set_ylabel("applications (by first contact)")
    out["outcomes_by_month.png"] = ("Outcomes by month", _png(fig))

    fig, ax = plt.subplots(figsize=(6, 3))
    reasons = Counter(s["top_reasons"])
    if reasons:
        names, counts = zip(*reasons.most_common(8))
        ax.barh(list(names)[::-1], list(counts)[::-1], color="#4a7ebb")
    ax.set_xlabel("rejections stating it")
    out["rejection_reasons.png"] = ("Rejection reasons", _png(fig))

    fig, ax = plt.subplots(figsize=(6, 2.4))
    shared = s["rejections_with_shared_template"]
    bars = [("personalized", s["personalized"]), ("generic", s["generic"]),
            ("shared template", shared)]
    ax.barh([k for k, _ in bars], [v for _, v in bars], color=["#4f9d4f", "#c0504d", "#7d5ba6"])
    ax.set_xlabel("rejections")
    out["generic_vs_personalized.png"] = ("Generic vs personalized", _png(fig))

    fig, ax = plt.subplots(figsize=(6, 2.6))
    days = apps["days_to_answer"].dropna() if len(apps) else pd.Series(dtype=float)
    if len(days):
        ax.hist(days, bins=min(20, max(len(days) // 2, 1)), color="#e0a030")
    ax.set_xlabel("days from first contact to the first real answer")
    ax.set_ylabel("applications")
    out["time_to_answer.png"] = ("Time to answer", _png(fig))
    del msgs
    return out


_CSS = """
body{font:15px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;padding:12px;color:#222;
max-width:980px;margin:auto}h1{font-size:1.5em}h2{font-size:1.15em;margin-top:1.6em}
.cards{display:flex;flex-wrap:wrap;gap:8px}.card{flex:1 1 120px;background:#f3f5f8;border-radius:8px;
padding:8px 10px}.card b{display:block;font-size:1.5em}img{max-width:100%;height:auto}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(300px,1fr));gap:10px}
.scroll{overflow-x:auto}table{border-collapse:collapse;width:100%;font-size:13px}
th,td{border-bottom:1px solid #ddd;padding:4px 6px;text-align:left;white-space:nowrap}
th{background:#f3f5f8;position:sticky;top:0}.sortable th{cursor:pointer}
.sortable th:after{content:" \\2195";color:#aaa}
.excerpt{white-space:normal}.s-rejected{color:#c0504d}.s-offer{color:#4f9d4f}.s-ghosted{color:#666}.muted{color:#666;font-size:13px}
"""
_JS = """
document.querySelectorAll("table.sortable th").forEach(function(th,col){th.addEventListener("click",
function(){var t=th.closest("table"),b=t.tBodies[0],rows=Array.from(b.rows),asc=th.dataset.asc!=="1";
t.querySelectorAll("th").forEach(function(h){h.dataset.asc=""});th.dataset.asc=asc?"1":"0";
rows.sort(function(x,y){var a=x.cells[col].dataset.v||x.cells[col].textContent,
c=y.cells[col].dataset.v||y.cells[col].textContent,num=/^-?\\d+(\\.\\d+)?$/,
na=num.test(a)?parseFloat(a):NaN,nc=num.test(c)?parseFloat(c):NaN;
var r=(!isNaN(na)&&!isNaN(nc))?na-nc:a.localeCompare(c);return asc?r:-r});
rows.forEach(function(r){b.appendChild(r)})})});
document.documentElement.setAttribute("data-ready","1");
"""


def _e(v: Any) -> str:
    if v is None or (isinstance(v, float) and v != v) or v is pd.NaT:
        return ""
    if isinstance(v, (list, tuple)):
        return html.escape(", ".join(map(str, v)))
    if hasattr(v, "strftime"):
        return v.strftime("%Y-%m-%d")
    return html.escape(str(v))


_CAPTIONS = {
    "funnel.png": "Answered: any reply beyond an automatic acknowledgement. Interview or test: the "
                  "furthest stage reached.",
    "generic_vs_personalized.png": "Rejections; a letter several companies sent counts as generic.",
}


def render_html(r: MailboxReport, images: dict[str, tuple[str, bytes]]) -> str:
    s = r.summary
    cards = [("applications", s["applications"]), ("rejected", s["status"].get("rejected", 0)),
             ("in process", s["status"].get("in_process", 0)), ("ghosted", s["status"].get("ghosted", 0)),
             ("offers", s["status"].get("offer", 0)),
             ("median days to answer", "–" if s["median_days_to_answer"] is None
              else s["median_days_to_answer"]),
             ("generic rejections", f"{s['generic']} of {s['rejections']}"),
             ("shared templates", s["shared_templates"])]
    parts = ["<!doctype html><html lang='en'><head><meta charset='utf-8'>",
             "<meta name='viewport' content='width=device-width, initial-scale=1'>",
             "<title>Job search report</title>", f"<style>{_CSS}</style></head><body>",
             "<h1>Job search report</h1>",
             f"<p class='muted'>{s['messages']} distinct messages ({s['duplicates_removed']} duplicate "
             f"copies removed, {s['errors']} unreadable), {s['job_related']} about jobs. Ghosted means no "
             f"employer message for {s['ghosted_after_days']} days after the last one that expected a "
             f"reply, as of {_e((s['as_of'] or '')[:10])}.</p>",
             *([f"<p class='muted'>{s['not_english']} messages are not in English: the model reads "
                "English, so whether they are about jobs or rejections is unreliable (the "
                "<code>language</code> column of the messages file names them).</p>"]
               if s.get("not_english") else []),
             "<div class='cards'>"]
    parts += [f"<div class='card'><b>{_e(v)}</b>{_e(k)}</div>" for k, v in cards]
    parts.append("</div><div class='grid'>")
    for name, (title, png) in images.items():
        data = base64.b64encode(png).decode("ascii")
        caption = f"<p class='muted'>{_e(_CAPTIONS[name])}</p>" if name in _CAPTIONS else ""
        parts.append(f"<section><h2>{_e(title)}</h2>{caption}<img alt='{_e(title)}' "
                     f"src='data:image/png;base64,{data}'></section>")
    parts.append("</div>")
    shared = r.templates[r.templates["shared"]] if len(r.templates) else r.templates
    parts.append("<h2>Most shared rejection templates</h2>")
    if len(shared):
        parts.append("<p class='muted'>The same letter, names and dates aside, from different "
                     "companies: the clearest sign a rejection said nothing about you.</p>")
        parts.append("<div class='scroll'><table><thead><tr><th>template</th><th>companies</th>"
                     "<th>letters</th><th>sent by</th></tr></thead><tbody>")
        for _, t in shared.head(10).iterrows():
            parts.append(f"<tr><td>{_e(t['template_id'])}</td><td>{t['companies']}</td>"
                         f"<td>{t['messages']}</td><td>{_e(t['company_names'])}</td></tr>"
                         f"<tr><td></td><td colspan='3' class='muted excerpt'>“{_e(t['excerpt'])}”</td></tr>")
        parts.append("</tbody></table></div>")
    else:
        parts.append("<p class='muted'>No rejection letter was sent by more than one company.</p>")
    cols = ["company", "role", "status", "furthest_stage", "first_contact", "last_contact",
            "days_to_answer", "days_to_decision", "personalization", "reasons", "template_id"]
    parts.append("<h2>Applications</h2><p class='muted'>Tap a column to sort.</p>"
                 "<div class='scroll'><table class='sortable'><thead><tr>")
    parts += [f"<th>{_e(c.replace('_', ' '))}</th>" for c in cols]
    parts.append("</tr></thead><tbody>")
    for _, a in r.applications.iterrows():
        cells = []
        for c in cols:
            v = a[c]
            cls = f" class='s-{_e(v)}'" if c == "status" else ""
            cells.append(f"<td{cls}>{_e(v)}</td>")
        parts.append("<tr>" + "".join(cells) + "</tr>")
    parts.append(f"</tbody></table></div><script>{_JS}</script></body></html>")
    return "\n".join(parts)


def write_outputs(r: MailboxReport, out: str | Path, force: bool = False) -> list[Path]:
    """Write every report file into ``out``; returns the paths written."""
    d = Path(out)
    images = charts(r)
    page = render_html(r, images).encode("utf-8")  # rendered before the folder exists: a failure leaves none
    d.mkdir(parents=True, exist_ok=True)
    written = []
    for name, (_, png) in images.items():
        write_file_atomic(d / name, png)
        written.append(d / name)
    write_file_atomic(d / "report.html", page)
    apps = r.applications.copy()
    apps["reasons"] = apps["reasons"].map(lambda x: json.dumps(list(x)))
    write_file_atomic(d / "applications.csv", _csv(apps))
    msgs = r.messages.copy()
    msgs["reasons"] = msgs["reasons"].map(lambda x: json.dumps(list(x or [])))
    try:
        import pyarrow  # noqa: F401

        buf = io.BytesIO()
        msgs.to_parquet(buf, index=False)
        write_file_atomic(d / "messages.parquet", buf.getvalue())
        written.append(d / "messages.parquet")
    except ImportError:
        write_file_atomic(d / "messages.csv", _csv(msgs))
        written.append(d / "messages.csv")
    write_file_atomic(d / "summary.json", json.dumps(r.summary, indent=2, ensure_ascii=False).encode("utf-8"))
    write_file_atomic(d / "feedback_requests.md", r.feedback_requests.encode("utf-8"))
    written += [d / n for n in OUTPUTS]
    return written


def _csv(df: pd.DataFrame) -> bytes:
    from ..writers import safe_csv_cell

    # The spreadsheet-safe cells classify writes: a company named "=cmd" stays text.
    safe = df.map(safe_csv_cell) if hasattr(df, "map") else df.applymap(safe_csv_cell)
    return safe.to_csv(index=False).encode("utf-8")
