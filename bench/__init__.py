"""The benchmark harness (issue #7): ``python -m bench`` or ``make bench``.

Every scenario touches only 127.0.0.1 or in-process apps, runs a bounded number of rounds within a
time budget, and measures the arms it compares in the same run, interleaved round by round.
Results: a table on stdout, ``bench/results/latest.json`` and ``bench/results/latest.md``.
"""
