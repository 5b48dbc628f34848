"""Bench-only experiments measuring proposed client changes (not part of ``python -m bench``).

``python -m bench.experiments [--smoke] [--only NAME]``: each experiment applies a proposed
change as a monkeypatch (per-call overhead) or to a patched copy of the package (import time)
and measures it interleaved with the stock code. The package source is never edited.
"""
