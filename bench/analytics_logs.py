"""Synthetic child-protection event logs for the process-mining benchmark.

A Markov chain over the steps of a § 8a procedure, vectorised with numpy so that a
million cases (about ten million events) take seconds to generate. Everything is
synthetic: case ids are counters, institutions are generic types. numpy is a test /
benchmark dependency only; product code never imports this module.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

ACTIVITIES = [
    "Meldung eingegangen",  # 0
    "Ersteinschätzung",  # 1
    "Kollegiale Beratung",  # 2
    "Erstkontakt",  # 3
    "Hausbesuch",  # 4
    "Beratung insoweit erfahrene Fachkraft",  # 5
    "Gefährdungseinschätzung abgeschlossen",  # 6
    "Gefährdungseinschätzung abgezeichnet",  # 7
    "Hilfeplangespräch",  # 8
    "Anrufung Familiengericht",  # 9
    "Inobhutnahme",  # 10
    "Übergabe an anderes Jugendamt",  # 11
    "Verfahren abgeschlossen",  # 12 (end)
]
END = len(ACTIVITIES) - 1
INSTITUTIONS = [
    "Jugendamt/ASD",
    "Kita",
    "Schule",
    "Klinik",
    "Polizei",
    "Familiengericht",
    "Beratungsstelle",
    "Gesundheitsamt",
]
# Which institution usually acts in each step (index into INSTITUTIONS), with noise.
ACTOR = [1, 0, 0, 0, 0, 6, 0, 0, 0, 5, 0, 0, 0]

# Transition probabilities between steps (rows sum to 1).
_P = np.zeros((len(ACTIVITIES), len(ACTIVITIES)))
_P[0, [1, 3]] = [0.8, 0.2]
_P[1, [2, 3, 4]] = [0.5, 0.3, 0.2]
_P[2, [3, 4, 5]] = [0.5, 0.3, 0.2]
_P[3, [4, 5, 6]] = [0.5, 0.2, 0.3]
_P[4, [5, 6, 10]] = [0.3, 0.6, 0.1]
_P[5, [4, 6]] = [0.3, 0.7]
_P[6, [7, 2]] = [0.9, 0.1]
_P[7, [8, 9, 11, 12]] = [0.55, 0.1, 0.05, 0.3]
_P[8, [8, 12, 9]] = [0.3, 0.6, 0.1]
_P[9, [10, 8, 12]] = [0.3, 0.4, 0.3]
_P[10, [9, 8, 12]] = [0.4, 0.4, 0.2]
_P[11, [12]] = [1.0]
_P[12, 12] = 1.0
_CUM = np.cumsum(_P, axis=1)
# Mean hours until the next step, by the step just done.
_MEAN_HOURS = np.array([6, 20, 30, 48, 72, 48, 24, 96, 240, 120, 72, 24, 1], dtype=float)


def generate(cases: int, *, seed: int = 7, max_events: int = 16) -> pl.DataFrame:
    """An event frame (case_id, activity, timestamp, institution, municipality, urgency)."""
    rng = np.random.default_rng(seed)
    state = np.zeros(cases, dtype=np.int64)
    start = np.datetime64("2023-01-01T00:00:00") + rng.integers(
        0, 2 * 365 * 24 * 3600, cases
    ).astype("timedelta64[s]")
    time = start.astype("datetime64[s]").astype(np.int64)
    alive = np.ones(cases, dtype=bool)
    case_parts, act_parts, time_parts, inst_parts = [], [], [], []
    ids = np.arange(cases)
    for _step in range(max_events):
        idx = ids[alive]
        if idx.size == 0:
            break
        case_parts.append(idx)
        act_parts.append(state[idx])
        time_parts.append(time[idx])
        actor = np.array(ACTOR)[state[idx]]
        noise = rng.random(idx.size) < 0.15
        actor = np.where(noise, rng.integers(0, len(INSTITUTIONS), idx.size), actor)
        inst_parts.append(actor)
        finished = state[idx] == END
        alive[idx[finished]] = False
        move = idx[~finished]
        u = rng.random(move.size)
        state[move] = (u[:, None] > _CUM[state[move]]).sum(axis=1)
        hours = rng.exponential(_MEAN_HOURS[state[move]])
        time[move] += (hours * 3600).astype(np.int64) + 60
        if _step == max_events - 2:
            state[move] = END  # close what is still open
    case = np.concatenate(case_parts)
    municipalities = np.array(["kommune-a", "kommune-b", "kommune-c", "kommune-d"])
    urgencies = np.array(["dringend", "normal", "normal", "normal"])
    frame = pl.DataFrame(
        {
            "case_id": case,
            "activity": np.concatenate(act_parts),
            "timestamp": np.concatenate(time_parts) * 1_000_000,
            "institution": np.concatenate(inst_parts),
        }
    )
    return frame.select(
        pl.format("F-{}", pl.col("case_id")).alias("case_id"),
        pl.col("activity").replace_strict(list(range(len(ACTIVITIES))), ACTIVITIES),
        pl.col("timestamp").cast(pl.Datetime("us")).dt.replace_time_zone("UTC"),
        pl.col("institution").replace_strict(list(range(len(INSTITUTIONS))), INSTITUTIONS),
        pl.Series(municipalities[case % 4]).alias("municipality"),
        pl.Series(urgencies[(case * 7) % 4]).alias("urgency"),
    ).sort(["timestamp"])  # files arrive in time order, not grouped by case


def to_pm4py_pandas(frame: pl.DataFrame):  # noqa: ANN201 – pandas is a bench-only import
    """The same log in pm4py's standard column names as a pandas DataFrame."""
    return frame.rename(
        {"case_id": "case:concept:name", "activity": "concept:name", "timestamp": "time:timestamp"}
    ).to_pandas()


if __name__ == "__main__":
    t = dt.datetime.now(dt.UTC)
    log = generate(10_000)
    print(log.head(), log.height, dt.datetime.now(dt.UTC) - t)
