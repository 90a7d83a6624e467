"""Which values plain names are bound to in a module, to follow constants."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from mllint.syntax.cst import bound_names
from mllint.syntax.deferred import deferred

if TYPE_CHECKING:
    import libcst as cst
else:
    cst = deferred("libcst")


@dataclass
class Bindings:
    """Values assigned to plain names in a module, to follow ``PATH = "..."``.

    Only names bound exactly once count: a name reassigned (a loop variable, a
    value from argparse in one branch) is not a constant. ``with open(p) as f``
    binds ``f`` to the ``open`` call so a file handle leads back to its path.
    """

    values: dict[str, list[cst.BaseExpression]] = field(default_factory=dict)
    #: The module rebinds names at run time (``exec(open("configurator.py").read())``,
    #: ``globals().update(...)``): no name is a constant.
    dynamic: bool = False

    def record(self, name: str, value: cst.BaseExpression | None) -> None:
        self.values.setdefault(name, []).append(value if value is not None else cst.Name("None"))

    def record_assign(self, node: cst.Assign | cst.AnnAssign) -> None:
        targets = [t.target for t in node.targets] if isinstance(node, cst.Assign) else [node.target]
        for target in targets:
            if isinstance(target, cst.Name):
                self.record(target.value, node.value)
            else:  # tuple unpacking and the like: the names are not constants
                for name in bound_names(target):
                    self.record(name, None)

    def record_with(self, node: cst.With) -> None:
        for item in node.items:
            if item.asname is not None and isinstance(item.asname.name, cst.Name):
                self.record(item.asname.name.value, item.item)

    def record_binding(self, name: str) -> None:
        """A name bound in a way that is never a constant (loop target, parameter)."""
        self.record(name, None)

    def constant(self, name: str) -> cst.BaseExpression | None:
        if self.dynamic:
            return None
        bound = self.values.get(name)
        return bound[0] if bound is not None and len(bound) == 1 else None
