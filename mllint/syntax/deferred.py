"""libcst, imported when a tree is first needed rather than at start-up.

Importing libcst costs about 0.1 s, as much as the rest of mllint's start-up;
a run whose results all come from the cache, or whose files only source rules
fire on, builds no libcst tree and should not pay for it. The stdlib's
``importlib.util.LazyLoader`` does not help: on Python 3.11 the ``import``
statement itself reads the module's ``__spec__``, which loads it.

A module that uses libcst at run time binds it as::

    if TYPE_CHECKING:
        import libcst as cst
    else:
        cst = deferred("libcst")

and may then use ``cst.<name>`` anywhere but at its own top level (a class
deriving from ``cst.CSTVisitor`` belongs in a module imported where it is
used). Call libcst's functions that tests replace (``parse_module``) through
the real module, imported in the function: the stand-in keeps what it looked
up the first time.
"""

from __future__ import annotations

import importlib
from types import ModuleType


class _Deferred(ModuleType):
    """Stands for a module not imported yet: the first look-up of each name
    imports the module and keeps the value, so later look-ups cost what a
    module's attribute costs."""

    def __getattr__(self, name: str) -> object:
        value = getattr(importlib.import_module(self.__name__), name)
        setattr(self, name, value)
        return value


def deferred(name: str) -> ModuleType:
    return _Deferred(name)
