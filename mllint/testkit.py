"""Helpers to lint small projects written in a test: files in, findings out.

Used by mllint's own suite and by the rule-document examples; rule authors
should be able to write a positive and a negative case in three lines.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Iterable, Mapping

from mllint.engine.catalogue import CodeBlock
from mllint.engine.config import CliOverrides
from mllint.engine.findings import Finding
from mllint.engine.registry import Registry
from mllint.engine.runner import Linter
from mllint.plugins import builtin_rules

_CELL_MARKER = re.compile(r"^# %%.*$", re.MULTILINE)


def notebook_json(
    cells: Iterable[str | tuple[str, str]],
    *,
    outputs: Mapping[int, list[dict]] | None = None,
    counts: Mapping[int, int] | None = None,
    metadata: Mapping[int, dict] | None = None,
) -> str:
    """A v4 notebook; each cell is code text, or ``("markdown", text)``.

    *outputs* maps a 0-based cell index to its outputs list, *counts* to its
    execution count (code cells; default none: never executed), *metadata* to
    its cell metadata (default ``{}``).
    """
    nb_cells = []
    for number, cell in enumerate(cells):
        kind, text = ("code", cell) if isinstance(cell, str) else cell
        lines = text.splitlines(keepends=True)
        entry: dict[str, object] = {"cell_type": kind, "id": f"cell-{number}",
                                    "metadata": dict((metadata or {}).get(number, {})), "source": lines}
        if kind == "code":
            entry["execution_count"] = (counts or {}).get(number)
            entry["outputs"] = (outputs or {}).get(number, [])
        nb_cells.append(entry)
    notebook = {
        "cells": nb_cells,
        "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    return json.dumps(notebook, indent=1) + "\n"


def percent_cells(text: str) -> list[str]:
    """Split ``# %%``-marked text into cell sources (what follows a marker on its
    line is ignored; see :func:`percent_notebook` for the richer reading)."""
    return [body for _, body in _percent_parts(text)]


def percent_notebook(text: str) -> str:
    """A v4 notebook from ``# %%``-marked text: each marker starts a cell, and
    what follows it on its line describes the cell (jupytext's percent format,
    extended with outputs for rule examples).

    - ``# %% [markdown]`` (or ``[md]``, ``[raw]``): a markdown or raw cell; a
      leading ``# `` (or a lone ``#``) is removed from each of its lines, as
      jupytext writes them, so ``# # Title`` is the heading ``# Title``.
    - ``count=N``: the code cell's execution count (``In [N]``); without it
      the cell was never executed.
    - outputs, in the order written: ``stdout=TEXT`` and ``stderr=TEXT``
      (streams), ``result=TEXT`` (``text/plain`` execute result, with the
      cell's count), ``display=TEXT`` (``text/plain`` display data),
      ``error="Name: message"`` (an error output and its traceback),
      ``image=SIZE`` (a base64 PNG of SIZE characters: ``600KiB``);
      ``\\n`` in TEXT is a line break.
    - ``tags=a,b``: the cell's metadata tags.

    Values with spaces are quoted (``error="KeyError: 'churn'"``); other words
    (a cell title) are ignored. Cells with no text are left out.
    """
    cells: list[str | tuple[str, str]] = []
    outputs: dict[int, list[dict]] = {}
    counts: dict[int, int] = {}
    metadata: dict[int, dict] = {}
    for header, body in _percent_parts(text):
        words = _header_words(header)
        kind = next((_PERCENT_KINDS[w] for w in words[:1] if w in _PERCENT_KINDS), "code")
        attributes = dict(w.split("=", 1) for w in words if "=" in w)
        index = len(cells)
        if kind != "code":
            cells.append((kind, _uncomment(body)))
            continue
        cells.append(body)
        count = int(attributes["count"]) if "count" in attributes else None
        if count is not None:
            counts[index] = count
        if "tags" in attributes:
            metadata[index] = {"tags": attributes["tags"].split(",")}
        made = [_output(key, value.replace("\\n", "\n"), count)
                for key, _, value in (word.partition("=") for word in words) if key in _OUTPUTS]
        if made:
            outputs[index] = made
    return notebook_json(cells, outputs=outputs, counts=counts, metadata=metadata)


_PERCENT_KINDS: Mapping[str, str] = {"[markdown]": "markdown", "[md]": "markdown", "[raw]": "raw"}
_OUTPUTS = ("stdout", "stderr", "result", "display", "error", "image")
_COMMENT_PREFIX = re.compile(r"^# ?", re.MULTILINE)


def _percent_parts(text: str) -> list[tuple[str, str]]:
    """(marker line, cell text) of each non-blank cell; the first cell's marker is ""."""
    markers = [""] + [m.group() for m in _CELL_MARKER.finditer(text)]
    parts = [(marker, p.strip("\n") + "\n") for marker, p in zip(markers, _CELL_MARKER.split(text))]
    return [(marker, body) for marker, body in parts if body.strip()]


def _header_words(marker: str) -> list[str]:
    """The words after ``# %%``; an unbalanced quote (a title such as ``Let's``) means none."""
    try:
        return shlex.split(marker[len("# %%"):])
    except ValueError:
        return []


def _uncomment(body: str) -> str:
    return _COMMENT_PREFIX.sub("", body)


def _output(key: str, value: str, count: int | None) -> dict:
    """One nbformat v4 output for a ``key=value`` word of a ``# %%`` marker."""
    if key in ("stdout", "stderr"):
        return {"name": key, "output_type": "stream", "text": value.splitlines(keepends=True)}
    if key == "error":
        name, _, message = value.partition(":")
        return {"ename": name.strip(), "evalue": message.strip(), "output_type": "error",
                "traceback": ["Traceback (most recent call last):", "  Cell In[1], line 1", value]}
    if key == "image":
        return {"data": {"image/png": "A" * _size(value), "text/plain": ["<Figure size 640x480>"]},
                "metadata": {}, "output_type": "display_data"}
    data = {"text/plain": value.splitlines(keepends=True)}
    if key == "result":
        return {"data": data, "execution_count": count, "metadata": {}, "output_type": "execute_result"}
    return {"data": data, "metadata": {}, "output_type": "display_data"}


def write_files(root: Path, files: Mapping[str, str | bytes], *, dedent: bool = False) -> list[str]:
    """Create *files* under *root*; with *dedent*, text is dedented and its
    leading newline dropped (for triple-quoted fixtures). Returns the names, sorted."""
    for name, content in files.items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            text = textwrap.dedent(content).lstrip("\n") if dedent else content
            target.write_text(text, encoding="utf-8")
    return sorted(files)


def find_dvc() -> str | None:
    """The dvc executable on PATH, or the one installed beside this interpreter (a venv's bin)."""
    beside_python = Path(sys.executable).parent / "dvc"
    return shutil.which("dvc") or (str(beside_python) if beside_python.is_file() else None)


def run_dvc(root: Path, *args: str) -> None:
    dvc = find_dvc()
    assert dvc is not None, "the dvc executable is not installed (pip install dvc)"
    subprocess.run([dvc, *args], cwd=root, check=True, capture_output=True)


def offline_environment(scratch: Path) -> dict[str, str]:
    """Environment variables that keep git and DVC away from the user's
    configuration, from folders above *scratch*, and from the network."""
    return {
        "DVC_NO_ANALYTICS": "1",
        "DVC_SITE_CACHE_DIR": str(scratch / "dvc-site-cache"),
        "GIT_CONFIG_GLOBAL": str(scratch / "no-global-gitconfig"),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CEILING_DIRECTORIES": str(scratch),
    }


def git(root: Path, *args: str) -> str:
    """Run git in *root* with an isolated identity and config."""
    env = {
        **os.environ,
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
    }
    done = subprocess.run(["git", "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false", *args],
                          cwd=root, env=env, capture_output=True, text=True, check=True)
    return done.stdout


def init_git(root: Path, *, commit: bool = True) -> None:
    git(root, "init", "-q")
    if commit:
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", "initial", "--allow-empty")


def lint_tree(
    root: Path,
    files: Mapping[str, str | bytes] | None = None,
    *,
    select: list[str] | None = None,
    paths: list[str] | None = None,
    project_rules: bool | None = None,
    rules: Registry | None = None,
) -> list[Finding]:
    """Write *files* under *root* (if given) and lint it as ``mllint check``
    would from *root*; *select* defaults to every rule (``ALL``), *rules* to
    the built-in ones."""
    if files:
        write_files(root, files)
    registry = rules if rules is not None else builtin_rules()
    linter = Linter(registry, CliOverrides(select=select or ["ALL"], project_rules=project_rules), cwd=root)
    targets = [root / p for p in paths] if paths else [root]
    return linter.lint(targets).findings


def lint_as_configured(root: Path) -> list[Finding]:
    """Lint *root* with nothing selected on the command line, as a bare
    ``mllint check`` does (the configuration's or the default selection)."""
    return Linter(builtin_rules(), CliOverrides(), cwd=root).lint([root]).findings


def lint_source(root: Path, source: str, *, select: list[str] | None = None, filename: str = "example.py",
                extra_files: Mapping[str, str | bytes] | None = None, rules: Registry | None = None) -> list[Finding]:
    """Lint one module (plus optional other project files)."""
    return lint_tree(root, {filename: source, **(extra_files or {})}, select=select, rules=rules)


def codes(findings: Iterable[Finding]) -> list[str]:
    return [f.code for f in findings]


_SIZE_UNITS = {"B": 1, "KiB": 1024, "MiB": 1024**2}


def _size(text: str) -> int:
    match = re.fullmatch(r"(\d+)(B|KiB|MiB)?", text)
    if not match:
        raise ValueError(f"bad size {text!r} in a rule example")
    return int(match.group(1)) * _SIZE_UNITS[match.group(2) or "B"]


def materialise(blocks: Iterable[CodeBlock], root: Path, *, commit: bool = False) -> None:
    """Write a rule document's example blocks as a project under *root*.

    See the catalogue conventions: ``file=`` names a file (default
    ``example.py``), ``notebook=`` turns ``# %%`` cells into a notebook (with
    markdown cells, execution counts, outputs and tags written on the marker
    lines: see :func:`percent_notebook`), ``size=`` repeats the content up to a size; *commit* makes it a git repo.
    """
    for block in blocks:
        if "notebook" in block.attributes:
            write_files(root, {block.attributes["notebook"]: percent_notebook(block.content)})
            continue
        name = block.attributes.get("file", "example.py")
        content = block.content
        if "size" in block.attributes:
            wanted = _size(block.attributes["size"])
            content = (content * (wanted // max(len(content), 1) + 1))[:wanted]
        write_files(root, {name: content})
    if commit:
        init_git(root)
