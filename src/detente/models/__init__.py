"""The forecasting models, one module each, behind one interface (:class:`~detente.models.base.Model`).

Add a model by writing its module and naming it in ``_MODULES`` below.
"""

from __future__ import annotations

from importlib import import_module

from detente.errors import UsageError
from detente.models.base import DynamicResult, Model, ModelResult, Options

_MODULES = [
    "detente.models.compromise",
    "detente.models.median",
    "detente.models.nash",
    "detente.models.eum",
    "detente.models.smp",
    "detente.models.exchange",
    "detente.models.consensus",
    "detente.models.baselines",
    "detente.models.ensemble",
]


def registry() -> dict[str, type[Model]]:
    """Every available model class by name, in display order."""
    found: dict[str, type[Model]] = {}
    for module_name in _MODULES:
        module = import_module(module_name)
        for model in getattr(module, "MODELS", ()):
            found[model.name] = model
    return found


def get(name: str) -> type[Model]:
    models = registry()
    key = name.strip().lower()
    if key not in models:
        raise UsageError(f"unknown model {name!r}; available: {', '.join(models)}")
    return models[key]


def create(name: str, settings: list[str] | tuple[str, ...] = (), **options) -> Model:
    """A model by name, configured from ``KEY=VALUE`` settings and/or keyword options."""
    cls = get(name)
    model = cls.from_settings(settings)
    if options:
        model = cls(model.options, **options)
    return model


def default_names(simulation: bool = False) -> list[str]:
    """The standard set of models; for Monte Carlo without the ones too slow to run per draw."""
    return [name for name, cls in registry().items() if cls.in_default_set and (cls.in_default_simulation or not simulation)]


__all__ = ["DynamicResult", "Model", "ModelResult", "Options", "create", "default_names", "get", "registry"]
