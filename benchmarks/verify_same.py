"""Check that two provpack source trees verify files alike: `verify --json` output, stderr and exit code.

    python benchmarks/verify_same.py --old /tmp/old/src --new src --jobs 1 2 -- FILE...

Each file is verified by each tree (`python -m provpack` with that tree first on PYTHONPATH) once per job
count; prints each difference and a tally, and exits 1 when any run differed.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path


def _run(tree: Path, path: Path, jobs: int) -> tuple[bytes, bytes, int]:
    """stdout, stderr and exit code of `provpack verify --json --jobs N path` from this source tree."""
    env = dict(os.environ, PYTHONPATH=str(tree))
    done = subprocess.run([sys.executable, "-m", "provpack", "verify", "--json", "--jobs", str(jobs), str(path)],
                          capture_output=True, env=env, cwd="/", check=False)
    return done.stdout, done.stderr, done.returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--old", type=Path, required=True, help="the src folder of the old tree")
    parser.add_argument("--new", type=Path, required=True, help="the src folder of the new tree")
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    parser.add_argument("files", type=Path, nargs="+")
    args = parser.parse_args(argv)
    old, new = args.old.resolve(), args.new.resolve()
    same = differ = 0
    codes: dict[int, int] = {}
    for path in args.files:
        for jobs in args.jobs:
            before, after = _run(old, path.resolve(), jobs), _run(new, path.resolve(), jobs)
            if before == after:
                same += 1
                codes[after[2]] = codes.get(after[2], 0) + 1
            else:
                differ += 1
                what = [name for name, a, b in zip(("stdout", "stderr", "exit code"), before, after) if a != b]
                print(f"DIFFERS {path} --jobs {jobs}: {', '.join(what)}", flush=True)
    print(f"{same} runs identical, {differ} differ; exit codes of the identical: {dict(sorted(codes.items()))}")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
