"""`python -m bench`: run every bench module that has a `run()` (bench/*.py), or those named."""
from __future__ import annotations

import importlib
import sys
import traceback
from pathlib import Path


def main(names: list[str]) -> int:
    here = Path(__file__).resolve().parent
    modules = names or sorted(p.stem for p in here.glob("*.py") if not p.stem.startswith("_"))
    failed = 0
    for name in modules:
        module = importlib.import_module(f"bench.{name}")
        if not callable(getattr(module, "run", None)):
            continue
        print(f"\n##### bench.{name}", flush=True)
        try:
            module.run()
        except Exception:  # one broken benchmark must not hide the others' figures
            traceback.print_exc()
            failed += 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
