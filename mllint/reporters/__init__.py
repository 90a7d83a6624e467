"""Output formats, one module each on the small base in ``base.py``: a
reporter turns a lint result into text. Adding a format is one module here and
one name in ``FORMATS``.

A reporter's module is imported only when it renders: the CLI needs the names
for ``--format`` at start-up, and the modules import the engine (and libcst),
which ``mllint --version`` must not pay for."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mllint.reporters.base import Reporter

#: ``mllint check --format`` choices, each the name of its module in this package
FORMATS = ("text", "json", "sarif", "github", "junit", "markdown")


class _Formats(Mapping[str, "Reporter"]):
    """The check formats by name; a format's module is imported on first lookup."""

    def __getitem__(self, name: str) -> Reporter:
        if name not in FORMATS:
            raise KeyError(name)
        return reporter(name)

    def __iter__(self) -> Iterator[str]:
        return iter(FORMATS)

    def __len__(self) -> int:
        return len(FORMATS)


def reporters() -> Mapping[str, Reporter]:
    return _Formats()


def reporter(module: str) -> Reporter:
    """The ``render`` function of the reporter module *module* of this package
    (a check format, or a scorecard of ``mllint report``: ``markdown``, ``html``)."""
    render: Reporter = import_module(f"{__name__}.{module}").render
    return render
