"""Benchmarks and their data generators; run as modules from the repository root, for
example ``.venv/bin/python -m bench.bench_store``. Not run by the test command."""
