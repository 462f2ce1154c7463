"""The forecasting models, one module each, behind one interface (:class:`~detente.models.base.Model`).

Add a model by writing its module and naming it, with its models' names, in ``_MODULES`` below.
"""

from __future__ import annotations

from importlib import import_module

from detente.errors import UsageError
from detente.models.base import DynamicResult, Model, ModelResult, Options

_MODULES = {  # each module with the names of its models, so that one model loads without the others
    "detente.models.compromise": ("compromise",),
    "detente.models.median": ("median",),
    "detente.models.nash": ("nash",),
    "detente.models.eum": ("eum",),
    "detente.models.smp": ("smp",),
    "detente.models.exchange": ("exchange",),
    "detente.models.consensus": ("consensus",),
    "detente.models.baselines": ("median-actor", "status-quo"),
    "detente.models.ensemble": ("ensemble",),
}


def registry() -> dict[str, type[Model]]:
    """Every available model class by name, in display order."""
    found: dict[str, type[Model]] = {}
    for module_name in _MODULES:
        module = import_module(module_name)
        for model in getattr(module, "MODELS", ()):
            found[model.name] = model
    return found


def known(name: str) -> bool:
    """Whether a model is called ``name`` (without importing any)."""
    return any(name.strip().lower() in names for names in _MODULES.values())


def get(name: str) -> type[Model]:
    """The model class called ``name``, importing only its module."""
    key = name.strip().lower()
    for module_name, names in _MODULES.items():
        if key in names:
            return next(model for model in import_module(module_name).MODELS if model.name == key)
    raise UsageError(f"unknown model {name!r}; available: {', '.join(registry())}")


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


__all__ = ["DynamicResult", "Model", "ModelResult", "Options", "create", "default_names", "get", "known", "registry"]
