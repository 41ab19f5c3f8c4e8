"""Split the pinned environment into requirements.lock (runtime) and requirements-test.lock.

Usage: python tools/write_locks.py RUNTIME_FREEZE — the runtime freeze comes from a clean
venv with only the project's runtime dependencies; everything else in .venv is test-only.
"""

import subprocess
import sys
from pathlib import Path


def main() -> None:
    runtime = [line.strip() for line in Path(sys.argv[1]).read_text().splitlines() if "==" in line]
    names = {line.split("==")[0].lower() for line in runtime}
    frozen = subprocess.run(
        [sys.executable, "-m", "pip", "freeze", "--exclude-editable"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    test = [line for line in frozen if "==" in line and line.split("==")[0].lower() not in names]
    Path("requirements.lock").write_text(
        "# Exact runtime versions installed by `make run` and `make test`. "
        "Regenerate with `make lock`.\n" + "\n".join(runtime) + "\n"
    )
    Path("requirements-test.lock").write_text(
        "# Exact test/benchmark versions (on top of requirements.lock) installed by `make test`.\n"
        "# pm4py (AGPL-3.0) is only here: the reference in tests and benchmarks, never imported "
        "by product code.\n-r requirements.lock\n" + "\n".join(test) + "\n"
    )


if __name__ == "__main__":
    main()
