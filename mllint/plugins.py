"""The rules a run uses: the built-in rules of ``mllint.checks``.

Exactly one module loads the rules, this one; the CLI and the test kit take
them from here, and nothing the rules import ever loads them.
"""

from __future__ import annotations

import importlib
import pkgutil

import mllint.checks
from mllint.engine.registry import Registry


def builtin_rules() -> Registry:
    """mllint's own rules, collected from every module of ``mllint.checks``."""
    package = mllint.checks.__name__
    return Registry.from_modules(
        importlib.import_module(f"{package}.{module.name}") for module in pkgutil.iter_modules(mllint.checks.__path__)
    )
