"""Output formats, one module each on the small base in ``base.py``: a
reporter turns a lint result into text. Adding a format is one module here and
one name in ``FORMATS``.

A reporter's module is imported only when it renders: the CLI needs the names
for ``--format`` at start-up, and the modules import the engine (and libcst),
which ``mllint --version`` must not pay for."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import replace
from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mllint.engine.runner import LintResult
    from mllint.reporters.base import Reporter, ReportOptions

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
    (a check format, or a scorecard of ``mllint report``: ``markdown``, ``html``),
    rendering the findings as they may be shown (``engine.baseline.redacted``:
    no line holding a secret, no credentials of a URL) into text that can always
    be printed (:func:`encodable`)."""
    render: Reporter = import_module(f"{__name__}.{module}").render

    def rendered(result: LintResult, options: ReportOptions) -> str:
        from mllint.engine.baseline import (
            redacted,  # the engine loads with the first report, not at start-up
        )

        return encodable(render(replace(result, findings=redacted(result.findings)), options))

    return rendered


def encodable(text: str) -> str:
    """*text* with each lone surrogate written as its escape (``\\udcff``).

    They come from the linted project: a file name that is not UTF-8 (decoded
    with ``surrogateescape``) or a notebook whose JSON holds ``"\\ud800"``. UTF-8
    cannot encode them, so a report holding one would fail as it is printed;
    the escape is also what JSON reads back as the same string.
    """
    return text.encode("utf-8", "backslashreplace").decode("utf-8")
