"""Benchmark: detente's exchange model beside decide-exchange-model on the reference's own inputs.

The reference (github.com/foarsitter/decide-exchange-model, GPL-3.0) is not part of the project. To
include it, check it out and install its dependencies in a scratch folder, then point this
benchmark at it:

    DECIDE_SRC=/path/to/decide-exchange-model DECIDE_PYTHON=/path/to/its/venv/bin/python \
        python benchmarks/bench_exchange_reference.py [--rounds 10] [--repeat 2]

Without them (or without the input files, which are GPL data read from ../shared) the reference
rows are skipped with a message and detente is timed alone.

Two measurements per input, both 10 rounds of the equal-gain model (p = 0):

* whole process: the reference's command line (``python -m decide.cli --input-file F -i 10 -p 0.0``,
  which also writes its CSV, SQLite and plot outputs, as a user of it gets them) against
  ``detente forecast F -m exchange --set rounds=10``; CPU time of the child process.
* model core: the reference's ``EqualGainModel`` driven by its ``ModelLoop`` with an event handler
  that does nothing, against ``detente.models.exchange.simulate``; CPU time of the rounds only.

Runs are interleaved (reference, detente, reference, ...), so that load from other work on a shared
machine hits both alike; every repetition's times are printed, with the ratio of each repetition
(its reference time over its detente time), their median and the ratio of the best times. Both command lines run once untimed
first, with compiled bytecode cached in a scratch folder (``PYTHONPYCACHEPREFIX``, so neither
checkout is written to), as a user's second run finds it; without that, compiling each program's
own sources on every start (``PYTHONDONTWRITEBYTECODE``) would be timed too. The load average is
printed before and after. The round-1 exchanges are compared
(actor names, issues and gain to 1e-6, with the reference's coin flips): the ratio is printed only
next to that check.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from detente.io import load
from detente.models.exchange import ExchangeOptions, RoundState, simulate

ROOT = Path(__file__).resolve().parents[1]
INPUTS = ROOT.parent / "shared" / "data" / "reference" / "decide-exchange-model"
FILES = ["sample_data.txt", "copenhagen.csv", "cop21.csv"]

# Runs the reference's own classes (imported from DECIDE_SRC) and prints its round-1 exchanges and
# the CPU time of its rounds as JSON. Nothing of the reference is copied here: it is only called.
CORE_DRIVER = r"""
import json, random, sys, time
from pathlib import Path
from decide.data.modelfactory import ModelFactory
from decide.data.reader import InputDataFile
from decide.model import equalgain
from decide.model.utils import ModelLoop

class Quiet:
    def __init__(self): self.first = None; self.current = []
    def before_loop(self, *a): self.current = []
    def removed_exchanges(self, *a): pass
    def execute_exchange(self, e):
        actors, issues = list(model.actors), list(model.issues)
        self.current.append([actors.index(e.i.actor), issues.index(e.i.supply.issue), actors.index(e.j.actor), issues.index(e.j.supply.issue), float(e.gain)])
    def after_loop(self, *a, **k):
        if self.first is None: self.first = self.current
    def end_loop(self, *a, **k): pass

path, rounds = Path(sys.argv[1]), int(sys.argv[2])
factory = ModelFactory(InputDataFile.open(path))
random.seed(1)
model = factory(model_klass=equalgain.EqualGainModel, randomized_value=None)
events = Quiet()
loop = ModelLoop(model, events, 0)
start = time.process_time()
for _ in range(rounds):
    loop.loop()
print(json.dumps({"cpu": time.process_time() - start, "first": events.first}))
"""


def python_random_stream(seed: int) -> np.random.Generator:
    """numpy's MT19937 in the state Python's random.seed(seed) leaves: the reference's coin flips."""
    state = random.Random(seed).getstate()[1]
    bits = np.random.MT19937()
    bits.state = {"bit_generator": "MT19937", "state": {"key": np.array(state[:624], dtype=np.uint32), "pos": state[624]}}
    return np.random.Generator(bits)


def child_cpu(command: list[str], **kwargs) -> tuple[float, subprocess.CompletedProcess]:
    """CPU seconds (user + system) of one child process and its result."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(command, capture_output=True, text=True, **kwargs)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode:
        raise RuntimeError(f"{command[0]} failed: {done.stderr[-2000:]}")
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), done


def detente_core(path: Path, rounds: int) -> tuple[float, list]:
    scenario = load(str(path))
    batch = scenario.batch()
    state = RoundState(batch.position[0] * 100, batch.salience[0], batch.capability[0], batch.present)
    start = time.process_time()
    trajectory = simulate(state, ExchangeOptions(rounds=rounds), python_random_stream(1))
    cpu = time.process_time() - start
    first = [[e.actors[0], e.issues[0], e.actors[1], e.issues[1], e.gain] for e in trajectory.exchanges[1]]
    return cpu, first


def same_exchanges(ours: list, theirs: list) -> str:
    """'yes' when round 1 is the same exchange for exchange (actor and issue positions in the file,
    gain to 1e-6), else how far it agrees and whether it parts at a tie (equal gains to 1e-9)."""
    for k, (a, b) in enumerate(zip(ours, theirs)):
        if a[:4] != b[:4] or abs(a[4] - b[4]) > 1e-6:
            return f"first {k} of {len(theirs)}, then a {'tie' if abs(a[4] - b[4]) <= 1e-9 else 'DIFFERENCE'}"
    return "yes" if len(ours) == len(theirs) else f"first {min(len(ours), len(theirs))}, then lengths {len(theirs)} vs {len(ours)}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    source, python = os.environ.get("DECIDE_SRC"), os.environ.get("DECIDE_PYTHON")
    reference = bool(source and python and Path(source, "decide").is_dir())
    if not reference:
        print("reference skipped: set DECIDE_SRC (its checkout) and DECIDE_PYTHON (a Python with its dependencies)")
    detente_cli = [str(Path(sys.executable).with_name("detente"))]
    bytecode = tempfile.mkdtemp(prefix="bench-exchange-pycache-")
    cached = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"} | {"PYTHONPYCACHEPREFIX": bytecode}
    env = {**cached, "PYTHONPATH": source or ""}
    print("load average before: " + " ".join(f"{x:.1f}" for x in os.getloadavg()))
    print(f"{'input':<16} {'measure':<14} {'reference s':>12} {'detente s':>10} {'ratio':>7} {'median':>7}  same round-1 exchanges; every repetition")
    for name in FILES:
        path = INPUTS / name
        if not path.is_file():
            print(f"{name:<16} skipped: GPL input absent at {path}")
            continue
        times: dict[str, list[float]] = {"ref_whole": [], "det_whole": [], "ref_core": [], "det_core": []}
        first_ref = first_det = None
        with tempfile.TemporaryDirectory() as out:
            if reference:
                child_cpu([python, "-m", "decide.cli", "--input-file", str(path), "-i", "1", "-p", "0.0", "--output-dir", out], cwd=source, env=env)
            child_cpu([*detente_cli, "forecast", str(path), "-m", "exchange", "--set", "rounds=1", "--no-store"], env=cached)
        for _ in range(args.repeat):
            if reference:
                with tempfile.TemporaryDirectory() as out:
                    cpu, _ = child_cpu([python, "-m", "decide.cli", "--input-file", str(path), "-i", str(args.rounds), "-p", "0.0", "--output-dir", out], cwd=source, env=env)
                times["ref_whole"].append(cpu)
            cpu, _ = child_cpu([*detente_cli, "forecast", str(path), "-m", "exchange", "--set", f"rounds={args.rounds}"], env=cached)
            times["det_whole"].append(cpu)
            if reference:
                _, done = child_cpu([python, "-c", CORE_DRIVER, str(path), str(args.rounds)], cwd=source, env=env)
                result = json.loads(done.stdout.strip().splitlines()[-1])
                times["ref_core"].append(result["cpu"])
                first_ref = result["first"]
            cpu, first_det = detente_core(path, args.rounds)
            times["det_core"].append(cpu)
        same = "n/a" if first_ref is None else same_exchanges(first_det, first_ref)
        for measure, ref, det in (("whole process", times["ref_whole"], times["det_whole"]), ("model core", times["ref_core"], times["det_core"])):
            if ref:
                ratios = [r / d for r, d in zip(ref, det)]
                best = f"{min(ref) / min(det):6.1f}x {float(np.median(ratios)):6.1f}x"
                ref_text = f"{min(ref):12.2f}"
                each = "reference " + " ".join(f"{r:.3f}" for r in ref) + "; detente " + " ".join(f"{d:.3f}" for d in det) + "; ratios " + " ".join(f"{r:.1f}x" for r in ratios)
            else:
                best, ref_text = "   n/a     n/a", f"{'skipped':>12}"
                each = "detente " + " ".join(f"{d:.3f}" for d in det)
            print(f"{name:<16} {measure:<14} {ref_text} {min(det):10.3f} {best}  {same}; {each}")
    print("load average after: " + " ".join(f"{x:.1f}" for x in os.getloadavg()))
    shutil.rmtree(bytecode, ignore_errors=True)


if __name__ == "__main__":
    main()
