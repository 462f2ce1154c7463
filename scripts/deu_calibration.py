"""The figures of docs/backtests.md ('Honest intervals') and docs/models/consensus.md, measured on
the DEU III open file under proposal-grouped cross-validation.

    python scripts/deu_calibration.py [DEU_FILE] [--repeats 5]

Prints, for compromise, consensus and exchange: accuracy and the paired difference to compromise
(consensus is unfitted, so its out-of-fold error is its error), the probabilistic scores of the
shipped design with the variants that drop one part of it (atoms at the actors' positions, the
scale by issue features, the conformal interval levels), repeated over fold seeds; the consensus
model on a split by time; and draws docs/img/calibration.png (the reliability diagram).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd

from detente.analysis.backtest import deu_cases, paired_bootstrap, run_backtest, shared_dir
from detente.analysis.calibration import calibrate_backtest

ROOT = Path(__file__).resolve().parents[1]
MODELS = ["compromise", "consensus", "exchange"]
VARIANTS = {
    "shipped design": {},
    "no atoms": {"atoms": False},
    "one scale for all issues": {"scaled": False},
    "no conformal levels": {"conformal": False},
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("deu", nargs="?", default=str((shared_dir() or Path("../shared")) / "data" / "deu" / "deu3_open.tsv"))
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    pd.set_option("display.width", 200)
    started = time.process_time()
    cases, data = deu_cases(args.deu)
    backtest = run_backtest(cases, MODELS)
    print(f"{len(cases)} proposals, {backtest.records.groupby('model').size().iloc[0]} issues; CPU {time.process_time() - started:.0f} s for the models")
    print(backtest.summary("procedure").round(3).to_string())

    consensus_by_time(backtest, data, cases)

    rows = []
    for name, options in VARIANTS.items():
        for repeat in range(args.repeats):
            summary = calibrate_backtest(backtest, seed=repeat, **options).summary(draws=1000, seed=repeat)
            rows += [{"variant": name, "seed": repeat, **row} for row in summary.to_dict("records")]
    frame = pd.DataFrame(rows)
    columns = ["coverage_50", "coverage_90", "interval_score", "crps", "crps_uniform", "crps_vs_uniform", "brier"]
    print("\nProbabilistic scores, mean over fold seeds (min-max in brackets below)")
    print(frame.groupby(["variant", "model"], sort=False)[columns].mean().round(3).to_string())
    print(frame.groupby(["variant", "model"], sort=False)[["coverage_50", "coverage_90"]].agg(["min", "max"]).round(3).to_string())
    first = frame[(frame.variant == "shipped design") & (frame.seed == 0)]
    print("\nShipped design, fold seed 0, with bootstrap 95% intervals")
    keep = ["model"] + [c for c in first.columns if any(c.startswith(s) for s in columns)]
    print(first[keep].round(3).T.to_string())

    from detente.report.plots import calibration, save

    scored = calibrate_backtest(backtest, seed=0)
    save(calibration(scored.reliability(), scored.summary(), scored.method, "Calibration on DEU III (open file), proposal-grouped 10-fold CV"), ROOT / "docs" / "img" / "calibration.png")
    print(f"\nwrote docs/img/calibration.png; total CPU {time.process_time() - started:.0f} s")


def consensus_by_time(backtest, data, cases) -> None:
    """Consensus minus compromise, absolute errors paired, on proposals decided before and after
    the median decision date (nothing fitted, so this only checks the gain is not one era's)."""
    decided = {}
    for proposal in data.proposals():
        decided[proposal.scenario.id] = proposal.decided
    records = backtest.records
    mine = records[records.model == "consensus"].set_index(["case", "issue"])
    theirs = records[records.model == "compromise"].set_index(["case", "issue"])
    difference = (mine.abs_error - theirs.abs_error).dropna()
    dates = pd.Series([decided.get(case) for case, _ in difference.index], index=difference.index)
    cut = sorted(d for d in dates if d is not None)[len(dates) // 2]
    for label, mask in (("before", dates.map(lambda d: d is not None and d < cut)), ("from", dates.map(lambda d: d is not None and d >= cut))):
        part = difference[mask.to_numpy()]
        interval = paired_bootstrap(part.to_numpy(), [c for c, _ in part.index], 2000, 0)
        print(f"consensus - compromise, decided {label} {cut}: {interval.estimate:+.2f} [{interval.low:+.2f}, {interval.high:+.2f}] on {len(part)} issues")


if __name__ == "__main__":
    main()
