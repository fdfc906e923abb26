"""`make bench`: runs every bench/bench_*.py module's main(), or the ones named on the command line.

Each writes its figures to bench/results/<name>.json and prints a table; numbers are reported as
ratios against a baseline measured in the same run, since the machine is shared and noisy.
"""

from __future__ import annotations

import importlib
import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent


def main(names: list[str]) -> None:
    modules = names or sorted(path.stem for path in HERE.glob("bench_*.py"))
    for name in modules:
        print(f"== {name}", flush=True)
        importlib.import_module(f"bench.{name}").main()


if __name__ == "__main__":
    main(sys.argv[1:])
