"""Rule implementations, one module per category.

Importing this package imports every module in it, which registers their rules:
adding a rule family is adding a module here.
"""

import importlib
import pkgutil

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")
