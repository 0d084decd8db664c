"""`make bench`: the county-scale benchmark against raw database baselines (issue 6).

Modules are named bench_*.py so that `make test` (pytest) never collects them; the runner is
``python -m tests.bench.run``. See BENCHMARKS.md for what is measured and the last figures.
"""
