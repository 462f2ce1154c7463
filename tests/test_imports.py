"""Start-up cost: the command line and the library import heavy libraries only where they are used.

Each check runs in a fresh interpreter, since this test process has long imported everything.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("pandas", "scipy", "matplotlib", "plotly", "fastapi", "openpyxl", "numba")


def imported_after(code: str) -> set[str]:
    """Which of the heavy libraries a fresh interpreter has imported after running ``code``."""
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}})))"
    output = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    return set(json.loads(output.splitlines()[-1])) & set(HEAVY)


@pytest.mark.parametrize("code", ["import detente.cli", "import detente"])
def test_import_loads_no_heavy_library(code):
    assert imported_after(code) == set()


def test_import_detente_does_not_load_numpy():
    assert "numpy" not in subprocess.run(
        [sys.executable, "-c", "import detente, sys; print(sorted(sys.modules))"], capture_output=True, text=True, check=True
    ).stdout


def test_lazy_names_are_the_real_objects():
    import detente
    from detente.forecast import Forecast, forecast
    from detente.io import load
    from detente.scenario import Scenario

    assert (detente.forecast, detente.Forecast, detente.load, detente.Scenario) == (forecast, Forecast, load, Scenario)
    with pytest.raises(AttributeError, match="no attribute 'nonsense'"):
        detente.nonsense  # noqa: B018


def test_forecast_command_loads_no_heavy_library(tmp_path):
    code = (
        "import os, sys\n"
        f"os.environ['DETENTE_STORE'] = {str(tmp_path / 'runs.sqlite')!r}\n"
        "sys.argv = ['detente', 'forecast', 'ukraine-2024-11', '-m', 'compromise']\n"
        "from detente.cli import app\n"
        "try:\n    app()\nexcept SystemExit as end:\n    assert not end.code, end.code\n"
    )
    assert imported_after(code) == set()


def test_the_model_list_names_each_modules_models_so_one_model_loads_alone():
    """``models.get`` imports only the module its name is listed under; the list must match the modules."""
    from importlib import import_module

    from detente import models

    for module_name, names in models._MODULES.items():
        assert tuple(model.name for model in import_module(module_name).MODELS) == names
    probe = "from detente import models; models.get('exchange'); import sys; print(sorted(m for m in sys.modules if m.startswith('detente.models.')))"
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert "detente.models.exchange" in loaded and "detente.models.smp" not in loaded and "detente.models.eum" not in loaded


def test_the_command_line_keeps_openblas_to_one_thread_unless_told_otherwise():
    import os

    probe = "import os, detente.cli, numpy; print(os.environ['OPENBLAS_NUM_THREADS'])"
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    assert subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, env=env).stdout.strip() == "1"
    chosen = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, env=env | {"OPENBLAS_NUM_THREADS": "2"})
    assert chosen.stdout.strip() == "2"
