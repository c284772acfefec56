"""The reading side: the paper's numbers, the claims, inference on seeds, verdicts, the dip analysis, prose,
the notebooks' summaries and which commit trained which seeds.

It computes on records and values: nothing here imports torch or a training module (tests/test_imports.py).
"""
