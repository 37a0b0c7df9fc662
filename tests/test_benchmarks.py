import json
import subprocess
import sys

from tests.conftest import ROOT


def test_quick_benchmark_runs_and_reports_ratios(tmp_path):
    out = tmp_path / "r.json"
    run = subprocess.run([sys.executable, "-m", "benchmarks", "--quick", "--out", str(out)],
                         cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-2000:]
    r = json.loads(out.read_text())
    assert r["classify_many_1_job"]["emails"] == 300
    assert r["ratio_time_per_email_vs_tfidf_floor"] > 0
    assert "emails/s" in run.stdout
    assert r["cli_mbox_2_jobs"]["emails"] == 300 and r["cli_csv_2000_rows"]["peak_rss_mb"] > 0
