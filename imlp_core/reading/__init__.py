"""The reading side: the paper's numbers (paper), the claims (claims), inference on seeds (inference), verdicts and
the dip analysis as values (verdicts, dip), every sentence about them (prose), the tables and README blocks
(summaries) and which commit trained which seeds (training_commits).

It computes on records and values: nothing here imports torch or a training module (tests/test_imports.py).
"""
