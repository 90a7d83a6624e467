"""``mllint init``: write a commented configuration, optionally with a baseline."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from mllint.cli.common import EXIT_OK, fail, record_baseline, shown
from mllint.engine.discovery import find_root

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib


#: What ``mllint init`` writes: the defaults, so a team sees the choices it has.
_INIT_TEMPLATE = """\
{header}# mllint: `mllint rules` lists the rules, `mllint explain CODE` explains one.
# Rule selectors are codes (ML201), prefixes (ML2), names (unseeded-randomness),
# categories (reproducibility) or "ALL".
# select = ["ALL"]                         # default: every rule whose severity is not info
# extend-select = ["ML003"]                # info rules are off unless selected
# ignore = ["ML303"]
# extend-exclude = ["notebooks/scratch/"]  # gitignore-style, added to the default excludes
# project-rules = true                     # repository-wide rules: dependencies, CI, git, DVC
fail-on = "warning"                        # lowest severity that fails a run: info, warning or error
profile = "production"                     # "prototype" is not asked for CI, monitoring or prediction logging
{baseline}

# [{prefix}per-file-ignores]
# "tests/**" = ["ML201"]

# [{prefix}severity]
# ML204 = "error"

# [{prefix}rules.ML101]
# max-size = "5MiB"
"""


@click.command()
@click.option("--baseline", is_flag=False, flag_value="", default=None, metavar="[FILE]",
              help="Also record the project's findings as accepted in FILE (default: .mllint-baseline.json beside the configuration) and name it in the configuration.")
def init(baseline: str | None) -> None:
    """Write a commented [tool.mllint] section into the project's pyproject.toml
    (mllint.toml when it has none).

    Settings are never overwritten: when mllint is already configured, init
    says so, changes nothing and exits 0. pyproject.toml is only appended to.
    """
    from mllint.engine.baseline import DEFAULT_BASELINE, BaselineError
    from mllint.engine.config import CliOverrides, ConfigError, load_config
    from mllint.engine.runner import Linter
    from mllint.plugins import builtin_rules

    rules = builtin_rules()
    root = find_root(Path.cwd().resolve())
    accepted = None if baseline is None else root / DEFAULT_BASELINE if baseline == "" else Path(baseline).resolve()
    hint = "" if accepted is None else f" (to record a baseline: mllint check --write-baseline {shown(accepted)})"
    target, original = _init_target(root, hint)
    baseline_line = (
        f"baseline = {json.dumps(Path(os.path.relpath(accepted, root)).as_posix())}  # accepted findings: `mllint check` reports only new ones"
        if accepted is not None
        else f"# baseline = {json.dumps(DEFAULT_BASELINE)}  # accepted findings: write it with `mllint check --write-baseline FILE`"
    )
    section = _INIT_TEMPLATE.format(
        header="" if original is None else "[tool.mllint]\n",
        prefix="" if original is None else "tool.mllint.",
        baseline=baseline_line,
    )
    newline = "\r\n" if original and b"\r\n" in original else "\n"
    separator = "" if not original else "\n" * (1 if original.endswith(b"\n") else 2)
    try:
        with target.open("xb" if original is None else "ab") as handle:
            handle.write((separator + section).replace("\n", newline).encode("utf-8"))
    except OSError as exc:
        fail(f"{shown(target)}: cannot write: {exc.strerror or exc}")
    try:  # what `mllint check` will read; undo the append if it cannot
        load_config(target, rules, shown(target))
        done = f"mllint: wrote the [tool.mllint] settings to {shown(target)}"
        if accepted is not None:
            result = Linter(rules, CliOverrides(), cwd=root).lint([root])
            done += f"\nmllint: {record_baseline(accepted, result.findings)}"
    except (ConfigError, BaselineError) as exc:
        _restore(target, original)
        fail(f"{exc}; nothing changed")
    except Exception as exc:  # an engine bug while linting for the baseline
        _restore(target, original)
        fail(f"internal error: {type(exc).__name__}: {exc}; nothing changed")
    click.echo(done)


def _init_target(root: Path, hint: str) -> tuple[Path, bytes | None]:
    """The file ``init`` appends to and its bytes (None: a new mllint.toml);
    exits 0 when *root* already has mllint settings (saying so, with *hint*),
    2 when its pyproject.toml is not TOML (appending cannot make it valid)."""
    for name in (".mllint.toml", "mllint.toml"):
        if (root / name).is_file():
            click.echo(f"mllint: {shown(root / name)} already configures mllint; nothing changed{hint}")
            sys.exit(EXIT_OK)
    pyproject = root / "pyproject.toml"
    if not pyproject.is_file():
        return root / "mllint.toml", None
    try:
        original = pyproject.read_bytes()
        data = tomllib.loads(original.decode("utf-8"))
    except OSError as exc:
        fail(f"{shown(pyproject)}: cannot read: {exc.strerror or exc}")
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        fail(f"{shown(pyproject)}: not valid TOML ({exc}); nothing changed")
    tool = data.get("tool")
    if isinstance(tool, dict) and "mllint" in tool:
        click.echo(f"mllint: {shown(pyproject)} already has a [tool.mllint] section; nothing changed{hint}")
        sys.exit(EXIT_OK)
    return pyproject, original


def _restore(target: Path, original: bytes | None) -> None:
    """Undo ``init``'s write: truncate back to the original bytes, or remove the new file."""
    if original is None:
        target.unlink(missing_ok=True)
    else:
        os.truncate(target, len(original))
