"""Speed benchmarks for rejectlens (not part of the test run; `--quick` is)."""
