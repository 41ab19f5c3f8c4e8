"""Process map, performance map and variants: our Polars engine against pm4py.

Generates a synthetic child-protection event log (10k, 100k and optionally 1M cases,
about ten events each), stores it as Parquet, then runs every (tool, task) pair in its
own subprocess so that peak memory (``ru_maxrss``) is measured per pair and nothing
is cached between them. Tools:

* ``ours``         – ``analytics.engine`` (Polars)
* ``pm4py-pandas`` – pm4py's default dataframe path
* ``pm4py-polars`` – pm4py with a Polars LazyFrame as input, where pm4py supports it

Tasks: ``map`` (directly-follows counts + start/end activities), ``perf`` (mean/median
durations per edge) and ``variants``. For ours, ``all`` computes the complete map of
``manage.py process_map`` (all of the above in one pass).

    .venv/bin/python bench/process_mining.py                  # 10k and 100k cases
    .venv/bin/python bench/process_mining.py --sizes 1000000  # the 1M run
    .venv/bin/python bench/process_mining.py --xes 20000      # also lxml vs rustxes

Timings exclude loading the Parquet file (the same for every tool); peak memory is the
whole worker process (data loaded + computation), read from /proc (VmHWM).

End to end (``--e2e``, on by default): wall time from process start to the complete map
printed as JSON, in a fresh process each, on the same Parquet file:

* ``ours-cli``     – ``manage.py process_map LOG`` (the trusted-Parquet path, no checks)
* ``pm4py-pandas`` – ``import pm4py``, pandas ``read_parquet``, ``format_dataframe``,
  DFG + performance DFG + variants, ``json.dumps``
* ``pm4py-polars`` – the same with a Polars LazyFrame as pm4py's input
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

TASKS = ("map", "perf", "variants")


def peak_mb() -> float:
    """Peak resident memory of this process in MB.

    ``VmHWM`` from /proc is reset by exec; ``ru_maxrss`` is not on Linux (a worker
    started by a large parent would report the parent's peak), so it is only a fallback.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


TOOLS = ("ours", "pm4py-pandas", "pm4py-polars")


def _pm4py_columns(frame):  # noqa: ANN001, ANN202
    return frame.rename(
        {"case_id": "case:concept:name", "activity": "concept:name", "timestamp": "time:timestamp"}
    )


def worker(tool: str, task: str, path: str) -> dict:
    """Run one (tool, task) on the Parquet log; return seconds and peak memory."""
    import polars as pl

    frame = pl.read_parquet(path).select("case_id", "activity", "timestamp")
    if tool == "ours":
        from analytics import engine

        data = frame
        runner = {
            "map": lambda: engine.process_map(data, with_variants=False, with_durations=False),
            "perf": lambda: engine.process_map(data, with_variants=False),
            "variants": lambda: engine.variants(data),
            "all": lambda: engine.process_map(data),
        }[task]
    else:
        import warnings

        warnings.filterwarnings("ignore")
        import pm4py

        if tool == "pm4py-pandas":
            data = pm4py.format_dataframe(_pm4py_columns(frame).to_pandas())
        else:
            data = _pm4py_columns(frame).lazy()
        runner = {
            "map": lambda: pm4py.discover_dfg(data),
            "perf": lambda: pm4py.discover_performance_dfg(data),
            "variants": lambda: pm4py.get_variants(data),
        }[task]
    del frame
    usage = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    result = runner()
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (after.ru_utime + after.ru_stime) - (usage.ru_utime + usage.ru_stime)
    size = len(result.edges) if hasattr(result, "edges") else len(result)
    return {
        "seconds": seconds,
        "cpu_seconds": cpu,
        "max_rss_mb": peak_mb(),
        "result_size": size,
    }


def run_worker(tool: str, task: str, path: str, timeout: float) -> dict:
    cmd = [sys.executable, __file__, "--worker", tool, task, path]
    try:
        done = subprocess.run(
            cmd, capture_output=True, text=True, timeout=timeout, check=False, cwd=ROOT
        )
    except subprocess.TimeoutExpired:
        return {"error": f"timeout > {timeout:.0f} s"}
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["?"])[-1]
        return {"error": last[:120]}
    return json.loads(done.stdout.strip().splitlines()[-1])


E2E_PM4PY = """
import json, sys, time
import warnings; warnings.filterwarnings("ignore")
import pm4py
path, variant = sys.argv[1], sys.argv[2]
names = {"case_id": "case:concept:name", "activity": "concept:name", "timestamp": "time:timestamp"}
if variant == "pandas":
    import pandas as pd
    data = pd.read_parquet(path, columns=list(names)).rename(columns=names)
    data = pm4py.format_dataframe(data)
else:
    import polars as pl
    data = pl.scan_parquet(path).select(list(names)).rename(names)
dfg, starts, ends = pm4py.discover_dfg(data)
perf, _s, _e = pm4py.discover_performance_dfg(data)
variants = pm4py.get_variants(data)
out = {
    "edges": [
        {"source": a, "target": b, "count": n, "mean_seconds": perf.get((a, b), {}).get("mean")}
        for (a, b), n in dfg.items()
    ],
    "start_activities": starts,
    "end_activities": ends,
    "variants": [{"activities": list(v), "count": n} for v, n in variants.items()],
}
sys.stdout.write(json.dumps(out, default=str))
"""


def _timed(cmd: list[str], timeout: float, env: dict | None = None) -> dict:
    """Wall time of a fresh process from start to its JSON on stdout, and the JSON's size."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    try:
        done = subprocess.run(
            cmd, capture_output=True, text=True, timeout=timeout, check=False, cwd=ROOT, env=env
        )
    except subprocess.TimeoutExpired:
        return {"error": f"timeout > {timeout:.0f} s"}
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    if done.returncode != 0:
        return {"error": (done.stderr.strip().splitlines() or ["?"])[-1][:120]}
    json.loads(done.stdout)  # the output is complete, parseable JSON
    return {"seconds": seconds, "cpu_seconds": cpu, "bytes": len(done.stdout)}


def bench_e2e(path: Path, timeout: float) -> dict[str, dict]:
    """Process start to JSON printed: our CLI against pm4py's two paths (same file)."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "DEBUG": "True"}
    runs = {
        "ours-cli": [sys.executable, "manage.py", "process_map", str(path)],
        "pm4py-pandas": [sys.executable, "-c", E2E_PM4PY, str(path), "pandas"],
        "pm4py-polars": [sys.executable, "-c", E2E_PM4PY, str(path), "polars"],
    }
    results = {name: _timed(cmd, timeout, env) for name, cmd in runs.items()}
    base = results["ours-cli"].get("seconds")
    base_cpu = results["ours-cli"].get("cpu_seconds")
    print("  end to end (process start → JSON printed):   wall s  ratio   cpu s  ratio")
    for name, res in results.items():
        if "error" in res:
            print(f"    {name:13s} {res['error']}")
            continue
        ratio = f"{res['seconds'] / base:6.1f}×" if base else ""
        cpu_ratio = f"{res['cpu_seconds'] / base_cpu:6.1f}×" if base_cpu else ""
        print(
            f"    {name:41s} {res['seconds']:8.2f} {ratio} {res['cpu_seconds']:7.2f} {cpu_ratio}",
            flush=True,
        )
    return results


def bench_xes(cases: int, tmp: Path) -> None:
    """lxml iterparse (ours) against rustxes on the same generated XES file."""
    from analytics_logs import generate

    from analytics import eventlog

    path = tmp / f"log-{cases}.xes"
    path.write_bytes(eventlog.xes_bytes(generate(cases)))
    print(f"\nXES parse, {cases} cases, {path.stat().st_size / 1e6:.0f} MB")
    for which in ("lxml", "rustxes"):
        code = (
            "import sys,time,resource;sys.path.insert(0,'.');"
            "t=time.perf_counter();"
            + (
                "from analytics.eventlog import read_xes;df=read_xes(sys.argv[1]);"
                if which == "lxml"
                else "import rustxes;df,_=rustxes.import_xes(sys.argv[1]);"
            )
            + "print(df.height, time.perf_counter()-t,"
            " [int(l.split()[1])/1024 for l in open('/proc/self/status')"
            " if l.startswith('VmHWM')][0])"
        )
        out = subprocess.run(
            [sys.executable, "-c", code, str(path)],
            capture_output=True,
            text=True,
            check=False,
            cwd=ROOT,
        )
        if out.returncode:
            print(f"  {which:8s} failed: {out.stderr.strip().splitlines()[-1][:100]}")
            continue
        events, seconds, rss = out.stdout.split()
        print(f"  {which:8s} {float(seconds):7.2f} s  peak {float(rss):7.0f} MB  {events} events")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000", help="case counts, comma-separated")
    parser.add_argument("--tools", default=",".join(TOOLS))
    parser.add_argument("--timeout", type=float, default=900)
    parser.add_argument("--xes", type=int, default=0, metavar="CASES", help="also time XES parsing")
    parser.add_argument(
        "--no-e2e", dest="e2e", action="store_false", help="skip the end-to-end CLI comparison"
    )
    parser.add_argument(
        "--only-e2e", action="store_true", help="only the end-to-end CLI comparison"
    )
    parser.add_argument(
        "--worker", nargs=3, metavar=("TOOL", "TASK", "PATH"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(*args.worker)))
        return 0

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")
    from analytics_logs import generate

    tools = [t for t in args.tools.split(",") if t]
    sizes = [int(s) for s in args.sizes.split(",") if s]
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        for cases in sizes:
            started = time.perf_counter()
            log = generate(cases)
            path = tmp / f"log-{cases}.parquet"
            log.write_parquet(path)
            print(
                f"\n{cases:,} cases, {log.height:,} events "
                f"(generated in {time.perf_counter() - started:.1f} s)"
            )
            del log
            if args.e2e or args.only_e2e:
                bench_e2e(path, args.timeout)
            if args.only_e2e:
                continue
            full = run_worker("ours", "all", str(path), args.timeout)
            if "error" in full:
                print(f"  complete map (ours): {full['error']}")
            else:
                print(
                    f"  complete map incl. variants (ours): {full['seconds']:.2f} s, "
                    f"peak {full['max_rss_mb']:.0f} MB"
                )
            print(
                f"  {'task':9s} {'tool':13s} {'seconds':>9s} {'cpu s':>8s} {'peak MB':>8s} "
                f"{'ratio':>8s}"
            )
            for task in TASKS:
                base = None
                for tool in tools:
                    res = run_worker(tool, task, str(path), args.timeout)
                    if "error" in res:
                        print(f"  {task:9s} {tool:13s} {res['error']}")
                        continue
                    if tool == "ours":
                        base = res["seconds"]
                    ratio = f"{res['seconds'] / base:7.1f}×" if base else ""
                    print(
                        f"  {task:9s} {tool:13s} {res['seconds']:9.2f} {res['cpu_seconds']:8.2f} "
                        f"{res['max_rss_mb']:8.0f} {ratio:>8s}",
                        flush=True,
                    )
        if args.xes:
            bench_xes(args.xes, tmp)
    print(
        "\nratio = tool wall time / our wall time (higher = we are faster); cpu s = user+sys"
        " of the worker, less sensitive to other load on the machine than wall time"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
