"""setuptools metadata: ``setup.cfg`` options and the literal arguments of ``setup(...)``.

``setup.py`` is parsed with :mod:`ast` and never executed: what is only known at
runtime is reported as a warning, except that a requirements file named in a
computed expression is followed.
"""

from __future__ import annotations

import ast
import configparser
import warnings

from mllint.project.dependencies.accumulator import Collector
from mllint.project.dependencies.requirements import seed_files
from mllint.project.dependencies.sourcelines import SourceLines
from mllint.project.dependencies.specs import parse_spec

# ---- setup.cfg


def read_setup_cfg(collector: Collector, path: str, text: str) -> None:
    """Reader for ``setup.cfg``: ``[options]`` and ``[options.extras_require]``."""
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    try:
        parser.read_string(text, source=path)
    except configparser.Error as exc:
        collector.warn(path, f"invalid setup.cfg ({' '.join(str(exc).split())})")
        return
    lines = SourceLines(text)
    options_line = lines.search_header("options")
    if parser.has_option("options", "python_requires"):
        collector.python_at(path, lines.key("python_requires", options_line, "=:"))
    if parser.has_option("options", "install_requires"):
        collector.declare(path)
        anchor = lines.key("install_requires", options_line, "=:")
        _cfg_list(collector, path, parser.get("options", "install_requires"), lines, anchor)
    if parser.has_section("options.extras_require"):
        collector.declare(path)
        section_line = lines.search_header("options.extras_require")
        for extra, value in parser.items("options.extras_require"):
            _cfg_list(collector, path, value, lines, lines.key(extra, section_line, "=:") or section_line)


def _cfg_list(collector: Collector, path: str, value: str, lines: SourceLines, anchor: int) -> None:
    value = value.strip()
    if value.startswith("file:"):
        collector.declare(path)
        seed_files(collector, path, [t.strip() for t in value[5:].split(",") if t.strip()])
        return
    cursor = anchor
    for item in value.splitlines():
        item = item.strip()
        if not item or item.startswith(("#", ";")):
            continue
        line = lines.find([item], cursor)
        cursor = line or cursor
        spec = parse_spec(item)
        if spec is not None:
            collector.add(path, line or anchor, item, spec, "setup.cfg")


# ---- setup.py (ast only, never executed)

_NEVER_RUN = " (setup.py is never run)"


def _is_setup_call(func: ast.expr) -> bool:
    """``setup(...)``, ``setuptools.setup(...)`` or ``distutils.core.setup(...)``."""
    if isinstance(func, ast.Name):
        return func.id == "setup"
    if isinstance(func, ast.Attribute) and func.attr == "setup":
        base = func.value
        while isinstance(base, ast.Attribute):
            base = base.value
        return isinstance(base, ast.Name) and base.id in ("setuptools", "distutils")
    return False


def _module_literals(tree: ast.Module) -> dict[str, ast.expr]:
    """Module-level names bound exactly once, with their value, so that
    ``install_requires=REQUIREMENTS`` can be read. Names assigned again or
    augmented are left out: their final value is only known at runtime."""
    counts: dict[str, int] = {}
    values: dict[str, ast.expr] = {}
    for statement in tree.body:
        targets: list[ast.expr] = []
        if isinstance(statement, ast.Assign):
            targets = statement.targets
        elif isinstance(statement, (ast.AnnAssign, ast.AugAssign)):
            targets = [statement.target]
        for target in targets:
            if isinstance(target, ast.Name):
                counts[target.id] = counts.get(target.id, 0) + 1
                if isinstance(statement, ast.AugAssign) or statement.value is None:
                    counts[target.id] += 1
                else:
                    values[target.id] = statement.value
    return {name: value for name, value in values.items() if counts[name] == 1}


def _txt_literals(node: ast.expr) -> list[str]:
    """``requirements.txt``-like strings inside a dynamic expression such as
    ``open("requirements.txt").read().splitlines()``: the file that is really meant."""
    return [
        n.value
        for n in ast.walk(node)
        if isinstance(n, ast.Constant) and isinstance(n.value, str) and n.value.endswith((".txt", ".in"))
    ]


def read_setup_py(collector: Collector, path: str, text: str) -> None:
    """Reader for ``setup.py``: the keyword arguments of every ``setup(...)`` call."""
    try:
        with warnings.catch_warnings():  # SyntaxWarnings about the linted code are not ours to print
            warnings.simplefilter("ignore")
            tree = ast.parse(text, filename=path)
    except SyntaxError as exc:
        collector.warn(path, f"line {exc.lineno or 0}: cannot be parsed ({exc.msg})")
        return
    except ValueError as exc:  # null bytes, on Python < 3.12
        collector.warn(path, f"cannot be parsed ({exc})")
        return
    literals = _module_literals(tree)
    for call in (n for n in ast.walk(tree) if isinstance(n, ast.Call) and _is_setup_call(n.func)):
        for keyword in call.keywords:
            if keyword.arg is None:
                collector.declare(path)
                collector.warn(path, f"line {keyword.lineno}: setup(**...) arguments are not read{_NEVER_RUN}")
            elif keyword.arg == "python_requires" and isinstance(keyword.value, ast.Constant):
                collector.python_at(path, keyword.value.lineno)
            elif keyword.arg == "install_requires":
                collector.declare(path)
                _setup_list(collector, path, keyword.value, literals, "install_requires")
            elif keyword.arg == "extras_require":
                collector.declare(path)
                _setup_extras(collector, path, keyword.value, literals)


def _setup_list(collector: Collector, path: str, node: ast.expr, literals: dict[str, ast.expr], what: str) -> None:
    value = literals.get(node.id, node) if isinstance(node, ast.Name) else node
    if isinstance(value, (ast.List, ast.Tuple)) and all(
        isinstance(e, ast.Constant) and isinstance(e.value, str) for e in value.elts
    ):
        for element in value.elts:
            spec = parse_spec(element.value)  # type: ignore[attr-defined]
            if spec is not None:
                collector.add(path, element.lineno, element.value, spec, "setup.py")  # type: ignore[attr-defined]
        return
    files = _txt_literals(value)
    if files:
        seed_files(collector, path, files)
    else:
        collector.warn(path, f"line {node.lineno}: {what} is computed at runtime; not read{_NEVER_RUN}")


def _setup_extras(collector: Collector, path: str, node: ast.expr, literals: dict[str, ast.expr]) -> None:
    value = literals.get(node.id, node) if isinstance(node, ast.Name) else node
    if not isinstance(value, ast.Dict):
        collector.warn(path, f"line {node.lineno}: extras_require is computed at runtime; not read{_NEVER_RUN}")
        return
    for key, extra in zip(value.keys, value.values):
        name = key.value if isinstance(key, ast.Constant) else "?"
        _setup_list(collector, path, extra, literals, f"extras_require[{name!r}]")
