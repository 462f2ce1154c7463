"""Same seed, same numbers on 1 process, 2 local processes and a 2-worker Dask cluster; and a Dask
worker killed mid-run loses no draws and duplicates none."""

from __future__ import annotations

import os
import signal

import numpy as np
import pytest

from detente.analysis.montecarlo import simulate
from detente.io import load

from .slow_model import SlowCompromise

distributed = pytest.importorskip("distributed", reason="Dask is an optional extra: pip install 'detente[dist]'")

MODELS = ["compromise", "median", "nash"]


@pytest.fixture(scope="module")
def ukraine():
    return load("ukraine-2024-11")


@pytest.fixture(scope="module")
def single(ukraine):
    return simulate(ukraine, MODELS, draws=3000, seed=17)


def _cluster():
    return distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None, silence_logs=40
    )


def _same(a, b):
    assert a.models == b.models and a.seed == b.seed and a.draws == b.draws
    assert np.array_equal(a.values, b.values, equal_nan=True)
    assert a.records() == b.records()


@pytest.mark.timeout(120)
def test_two_local_processes_give_the_single_process_numbers(ukraine, single):
    _same(simulate(ukraine, MODELS, draws=3000, seed=17, workers=2), single)


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_a_two_worker_dask_cluster_gives_the_single_process_numbers(ukraine, single):
    with _cluster() as cluster:
        _same(simulate(ukraine, MODELS, draws=3000, seed=17, scheduler=cluster.scheduler_address), single)


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_a_worker_killed_mid_run_loses_and_duplicates_no_draws(ukraine, tmp_path):
    log = tmp_path / "calls.log"
    slow = SlowCompromise(delay=0.25, log=str(log))
    expected = simulate(ukraine, ["compromise"], draws=4096, seed=23).values
    killed = []
    with _cluster() as cluster, distributed.Client(cluster, set_as_default=False) as client:
        pids = client.run(os.getpid)

        def kill_one_worker_after_the_first_chunk(done, total):
            if not killed:
                address, pid = sorted(pids.items())[0]
                os.kill(pid, signal.SIGKILL)
                killed.append(address)

        result = simulate(ukraine, [slow], draws=4096, seed=23, scheduler=client, chunk_size=256, progress=kill_one_worker_after_the_first_chunk)
    assert killed
    chunks = 4096 // 256
    calls = log.read_text().split()
    # the chunk the killed worker was busy with ran again elsewhere
    assert len(calls) // 2 > chunks
    assert np.array_equal(result.values, expected)
