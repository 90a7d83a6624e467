"""Output formats, one module each on the small base in ``base.py``: a
reporter turns a lint result into text. Adding a format is one module here and
one entry in ``reporters()``."""

from __future__ import annotations

from mllint.reporters import github, junit, markdown, sarif, text
from mllint.reporters import json as json_reporter
from mllint.reporters.base import Reporter


def reporters() -> dict[str, Reporter]:
    return {
        "text": text.render,
        "json": json_reporter.render,
        "sarif": sarif.render,
        "github": github.render,
        "junit": junit.render,
        "markdown": markdown.render,
    }
