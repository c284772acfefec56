"""The registry's mutants, applied where they act: when ``imlp_core.reading.claims`` is imported (docs/mutation.md).

``reading/claims.py`` builds its claims by calling its own functions once, at import. mutmut runs every mutant in a process
forked after that import, so a mutant of those builders never changes the registry the tests read, and "survives"
whatever the tests check. Here each mutant is applied the way it would act: ``MUTANT_UNDER_TEST`` set, the module
re-imported (its builders run again, through mutmut's trampolines), and every test of ``tests/test_claims.py`` run on
it; a failure, or a registry that cannot be built, kills it. Run it inside mutmut's ``mutants/`` folder after a
``mutmut run`` (which writes the mutants; its own verdicts stand for what the tests reach at run time):

    cd mutants && PYTHONPATH=. ../.venv/bin/python ../benchmarks/mutation_claims.py [--out claims-at-import.txt]
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest


def mutant_names(module: str = "imlp_core.reading.claims") -> list[str]:
    """Every mutant of ``module`` that ``mutmut results --all true`` lists."""
    listed = subprocess.run([sys.executable, "-m", "mutmut", "results", "--all", "true"], capture_output=True,
                            text=True, check=True, cwd=Path.cwd().parent).stdout
    return re.findall(rf"^\s*({re.escape(module)}\.\S+): ", listed, flags=re.MULTILINE)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default="claims-at-import.txt", help="one 'name: killed|survived' line per mutant")
    args = parser.parse_args()
    if not Path("imlp_core/reading/claims.py").is_file() or "MUTANT_UNDER_TEST" in os.environ:
        sys.exit("run this inside mutmut's mutants/ folder (after `mutmut run`), with PYTHONPATH=. and no "
                 "MUTANT_UNDER_TEST set")
    sys.path.insert(0, "tests")
    import test_claims

    from imlp_core.reading import claims

    tests = [test for name, test in sorted(vars(test_claims).items())
             if name.startswith("test_") and callable(test) and not inspect.signature(test).parameters]
    lines, killed = [], 0
    for name in mutant_names():
        os.environ["MUTANT_UNDER_TEST"] = name
        try:
            importlib.reload(claims)
            for test in tests:
                test()
            status = "survived"
        except (Exception, pytest.fail.Exception):  # a failed test (pytest's own failures too), a registry not built
            status, killed = "killed", killed + 1
        lines.append(f"{name}: {status}")
    del os.environ["MUTANT_UNDER_TEST"]
    subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "tests/test_claims.py"],
                   check=True)  # the unmutated registry passes every test, in a fresh process
    Path(args.out).write_text("\n".join(lines) + "\n")
    print(f"{killed} of {len(lines)} mutants of reading/claims.py killed at import by tests/test_claims.py; each: {args.out}")


if __name__ == "__main__":
    main()
