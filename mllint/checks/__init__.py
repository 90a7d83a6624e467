"""The built-in rules, one module per lifecycle category.

Every module here holds rules only; the facts and analyses they share live in
``mllint.project`` and ``mllint.analysis``. Adding a rule family is adding a
module here: ``builtin_rules`` collects whatever rule classes the modules define.
"""

from __future__ import annotations

import importlib
import pkgutil

from mllint.engine.registry import Registry


def builtin_rules() -> Registry:
    """mllint's own rules (the CLI and the test kit lint with these)."""
    return Registry.from_modules(importlib.import_module(f"{__name__}.{module.name}") for module in pkgutil.iter_modules(__path__))
