"""Fit every model's error model and write src/detente/data/error_models.json (shipped with detente).

    python scripts/fit_error_models.py [DEU_FILE]      # default: ../shared/data/deu/deu3_open.tsv

The error models are learned from backtests: the DEU III open file (GDP capability, one case per
proposal) and the bundled cases (those whose data is present). Users do not need the DEU file:
only the fitted numbers (a few hundred per model) ship. See docs/backtests.md.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import time
from pathlib import Path

from detente.analysis.backtest import all_model_names, bundled_cases, deu_cases, run_backtest, shared_dir
from detente.analysis.calibration import fit_from_backtest

OUT = Path(__file__).resolve().parents[1] / "src" / "detente" / "data" / "error_models.json"


def main() -> None:
    default = (shared_dir() or Path("../shared")) / "data" / "deu" / "deu3_open.tsv"
    deu = Path(sys.argv[1]) if len(sys.argv) > 1 else default
    cases, _ = deu_cases(deu)
    extra, skipped = bundled_cases()
    models = all_model_names()
    started = time.process_time()
    backtest = run_backtest(cases + extra, models, skipped=skipped)
    fits = {}
    for model in models:
        fit = fit_from_backtest(backtest, model)
        fits[model] = fit.to_json()
        print(f"{model}: n={fit.n} scale={fit.coefficients.round(3).tolist()} atoms={fit.atom_share:.2f} central={fit.central}", file=sys.stderr)
    data = {
        "version": 1,
        "source": f"{deu.name} (DEU III open file, GDP capability, {len(cases)} proposals) and {len(extra)} bundled cases",
        "generated_by": "scripts/fit_error_models.py",
        "generated": dt.date.today().isoformat(),
        "skipped": skipped,
        "models": fits,
    }
    OUT.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {OUT} ({time.process_time() - started:.0f} s CPU)", file=sys.stderr)


if __name__ == "__main__":
    main()
