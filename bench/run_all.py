"""Run every benchmark script in bench/ one after another (``make bench``)."""

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
# Minutes each and they start servers: `make bench-load` / `make bench-scale` run them.
LONG = {"load.py", "scale_out.py", "bare_app.py"}


def main() -> int:
    scripts = sorted(
        p for p in HERE.glob("*.py") if p.name not in ("run_all.py", "__init__.py", *LONG)
    )
    failed = []
    for script in scripts:
        print(f"\n=== {script.name}", flush=True)
        started = time.monotonic()
        result = subprocess.run([sys.executable, str(script)], cwd=HERE.parent, check=False)
        print(f"--- {script.name}: {time.monotonic() - started:.1f} s, exit {result.returncode}")
        if result.returncode:
            failed.append(script.name)
    if failed:
        print("failed: " + ", ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
