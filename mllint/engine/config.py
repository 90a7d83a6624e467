"""Configuration: finding it, validating it, and resolving rule selection.

Keys follow ruff's names where ruff has the same idea. Every mistake is a
``ConfigError`` naming the file and key, with a "did you mean" where one
exists; the CLI turns it into exit status 2 before any file is read.
"""

from __future__ import annotations

import difflib
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping

import pathspec

from mllint.engine.findings import Severity
from mllint.engine.rules import CATEGORIES, Rule, all_rules

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

CONFIG_FILES = (".mllint.toml", "mllint.toml", "pyproject.toml")

DEFAULT_EXCLUDES = (
    ".git", ".venv", "venv", "__pycache__", "node_modules", "build", "dist", ".tox", ".nox",
    "site-packages", ".ipynb_checkpoints", ".mllint_cache", ".dvc",
)

#: What a prototype is not asked for: CI, monitoring, prediction logging.
PROTOTYPE_IGNORES = frozenset({"ML404", "ML501", "ML502", "ML503", "ML506"})

#: Engine diagnostics stay on whatever is selected, unless ignored by code:
#: a file mllint could not read must never pass silently.
ALWAYS_ON = frozenset({"ML000", "ML001", "ML002"})

_KEYS = {
    "select": "list of rule selectors",
    "ignore": "list of rule selectors",
    "extend-select": "list of rule selectors",
    "exclude": "list of glob patterns",
    "extend-exclude": "list of glob patterns",
    "per-file-ignores": "table of glob -> list of rule selectors",
    "fail-on": '"info", "warning" or "error"',
    "project-rules": "true or false",
    "severity": "table of rule -> severity",
    "rules": "table of rule -> options",
    "profile": '"prototype" or "production"',
}


class ConfigError(Exception):
    """A configuration mistake; ``str()`` is one line naming file and key."""


def suggest(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def expand_selector(selector: str) -> frozenset[str]:
    """Codes a selector stands for: a code, code prefix, rule name, category
    slug or ``ALL``; empty when it matches nothing."""
    rules = all_rules()
    text = selector.strip()
    upper = text.upper()
    if upper == "ALL":
        return frozenset(rules)
    if re.fullmatch(r"ML\d{0,3}", upper):
        return frozenset(code for code in rules if code.startswith(upper))
    lowered = text.lower()
    by_name = [code for code, rule in rules.items() if rule.name == lowered]
    if by_name:
        return frozenset(by_name)
    return frozenset(code for code, rule in rules.items() if rule.category() == lowered)


def selector_choices() -> list[str]:
    rules = all_rules()
    return [*rules, *(r.name for r in rules.values()), *CATEGORIES.values(), "ALL"]


@dataclass
class Settings:
    """The effective configuration of one run."""

    selected: frozenset[str]
    severity: dict[str, Severity] = field(default_factory=dict)
    per_file_ignores: list[tuple[pathspec.PathSpec, frozenset[str]]] = field(default_factory=list)
    exclude: pathspec.PathSpec = field(default_factory=lambda: pathspec.GitIgnoreSpec.from_lines(DEFAULT_EXCLUDES))
    fail_on: Severity = Severity.WARNING
    project_rules: bool = True
    rule_options: dict[str, dict[str, Any]] = field(default_factory=dict)
    profile: str = "production"
    source: str | None = None  # the config file, for messages

    def severity_of(self, code: str) -> Severity:
        return self.severity.get(code) or all_rules()[code].severity

    def ignored_for(self, path: str) -> frozenset[str]:
        codes: set[str] = set()
        for spec, ignored in self.per_file_ignores:
            if spec.match_file(path):
                codes |= ignored
        return frozenset(codes)

    def is_excluded(self, path: str) -> bool:
        return self.exclude.match_file(path)


@dataclass
class RawConfig:
    """Validated config values as written, before combining with the CLI."""

    values: dict[str, Any] = field(default_factory=dict)
    source: str | None = None


def find_config(root: Path) -> Path | None:
    for name in CONFIG_FILES:
        candidate = root / name
        if not candidate.is_file():
            continue
        if name != "pyproject.toml":
            return candidate
        try:
            data = tomllib.loads(candidate.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            return candidate  # let load_config report it
        if "mllint" in data.get("tool", {}):
            return candidate
    return None


def load_config(path: Path, display: str | None = None) -> RawConfig:
    shown = display or str(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{shown}: cannot read: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{shown}: not UTF-8 text") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{shown}: invalid TOML: {exc}") from exc
    if path.name == "pyproject.toml":
        table = data.get("tool", {}).get("mllint", {})
        prefix = "tool.mllint."
    else:
        table, prefix = data, ""
    if not isinstance(table, dict):
        raise ConfigError(f"{shown}: {prefix.rstrip('.') or 'mllint'} must be a table")
    return RawConfig(validate(table, shown, prefix), shown)


def _fail(source: str, key: str, problem: str) -> ConfigError:
    return ConfigError(f"{source}: {key}: {problem}")


def _selectors(value: Any, source: str, key: str) -> list[str]:
    if isinstance(value, str) or not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _fail(source, key, "expected a list of rule codes, prefixes, names or categories")
    for selector in value:
        if not expand_selector(selector):
            raise _fail(source, key, f"unknown rule selector {selector!r}{suggest(selector, selector_choices())}")
    return value


def _string_list(value: Any, source: str, key: str) -> list[str]:
    if isinstance(value, str) or not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _fail(source, key, "expected a list of strings")
    return value


def _rule_code(name: str, source: str, key: str) -> str:
    codes = expand_selector(name)
    rules = all_rules()
    if len(codes) != 1 or (name.upper() not in rules and name.lower() not in {r.name for r in rules.values()}):
        raise _fail(source, key, f"unknown rule {name!r}{suggest(name, [*rules, *(r.name for r in rules.values())])}")
    return next(iter(codes))


def _severity(value: Any, source: str, key: str) -> Severity:
    try:
        return Severity.parse(value) if isinstance(value, str) else Severity(None)
    except ValueError:
        raise _fail(source, key, f"expected \"info\", \"warning\" or \"error\", got {value!r}") from None


def validate(table: Mapping[str, Any], source: str, prefix: str = "") -> dict[str, Any]:
    """Check every key and value; return them normalised."""
    out: dict[str, Any] = {}
    for key, value in table.items():
        where = f"{prefix}{key}"
        if key not in _KEYS:
            raise _fail(source, where, f"unknown key{suggest(key, _KEYS)}")
        if key in ("select", "ignore", "extend-select"):
            out[key] = _selectors(value, source, where)
        elif key in ("exclude", "extend-exclude"):
            out[key] = _string_list(value, source, where)
        elif key == "per-file-ignores":
            if not isinstance(value, dict):
                raise _fail(source, where, "expected a table of glob = [rules]")
            out[key] = {glob: _selectors(v, source, f"{where}.{glob}") for glob, v in value.items()}
        elif key == "fail-on":
            out[key] = _severity(value, source, where)
        elif key == "project-rules":
            if not isinstance(value, bool):
                raise _fail(source, where, "expected true or false")
            out[key] = value
        elif key == "profile":
            if value not in ("prototype", "production"):
                raise _fail(source, where, f"expected \"prototype\" or \"production\", got {value!r}")
            out[key] = value
        elif key == "severity":
            if not isinstance(value, dict):
                raise _fail(source, where, "expected a table of rule = severity")
            out[key] = {_rule_code(k, source, f"{where}.{k}"): _severity(v, source, f"{where}.{k}") for k, v in value.items()}
        elif key == "rules":
            if not isinstance(value, dict):
                raise _fail(source, where, "expected a table of rule tables")
            out[key] = _rule_options(value, source, where)
    return out


def _rule_options(value: Mapping[str, Any], source: str, where: str) -> dict[str, dict[str, Any]]:
    rules = all_rules()
    options: dict[str, dict[str, Any]] = {}
    for name, table in value.items():
        code = _rule_code(name, source, f"{where}.{name}")
        if not isinstance(table, dict):
            raise _fail(source, f"{where}.{name}", "expected a table of options")
        rule: type[Rule] = rules[code]
        parsed: dict[str, Any] = {}
        for option, raw in table.items():
            key = f"{where}.{name}.{option}"
            spec = rule.options.get(option)
            if spec is None:
                known = ", ".join(rule.options) or "none"
                raise _fail(source, key, f"unknown option{suggest(option, rule.options)} ({code} options: {known})")
            parsed[option] = convert_option(raw, spec.kind, source, key)
        options[code] = parsed
    return options


_SIZE = re.compile(r"(?i)\s*(\d+(?:\.\d+)?)\s*(b|kb|kib|mb|mib|gb|gib)?\s*")
_UNITS = {None: 1, "b": 1, "kb": 1000, "kib": 1024, "mb": 1000**2, "mib": 1024**2, "gb": 1000**3, "gib": 1024**3}


def convert_option(raw: Any, kind: str, source: str, key: str) -> Any:
    if kind == "bool" and isinstance(raw, bool):
        return raw
    if kind == "int" and isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    if kind == "str" and isinstance(raw, str):
        return raw
    if kind == "str-list":
        return _string_list(raw, source, key)
    if kind == "size":
        if isinstance(raw, int) and not isinstance(raw, bool) and raw >= 0:
            return raw
        match = _SIZE.fullmatch(raw) if isinstance(raw, str) else None
        if match:
            unit = match.group(2).lower() if match.group(2) else None
            return int(float(match.group(1)) * _UNITS[unit])
        raise _fail(source, key, f'expected a size such as "5MiB", got {raw!r}')
    raise _fail(source, key, f"expected {kind}, got {type(raw).__name__} {raw!r}")


@dataclass
class CliOverrides:
    select: list[str] | None = None
    ignore: list[str] = field(default_factory=list)
    extend_select: list[str] = field(default_factory=list)
    exclude: list[str] | None = None
    fail_on: Severity | None = None
    project_rules: bool | None = None


def build_settings(raw: RawConfig, cli: CliOverrides | None = None) -> Settings:
    """Combine config and command line: the command line wins."""
    cli = cli or CliOverrides()
    values = raw.values
    rules = all_rules()

    select = cli.select if cli.select is not None else values.get("select")
    if select is None:
        base = {code for code, rule in rules.items() if rule.severity != Severity.INFO}
    else:
        base = set().union(*(expand_selector(s) for s in select)) if select else set()
    for selector in [*values.get("extend-select", []), *cli.extend_select]:
        base |= expand_selector(selector)
    ignored: set[str] = set()
    for selector in [*values.get("ignore", []), *cli.ignore]:
        ignored |= expand_selector(selector)
    profile = values.get("profile", "production")
    if profile == "prototype":
        explicit = {s.upper() for s in [*(select or []), *values.get("extend-select", []), *cli.extend_select]}
        ignored |= PROTOTYPE_IGNORES - explicit
    explicitly_ignored = {s.upper() for s in [*values.get("ignore", []), *cli.ignore]}
    selected = frozenset((base - ignored) | (ALWAYS_ON - explicitly_ignored))

    excludes = list(cli.exclude) if cli.exclude is not None else list(values.get("exclude", DEFAULT_EXCLUDES))
    excludes += values.get("extend-exclude", [])

    per_file = [
        (pathspec.GitIgnoreSpec.from_lines([glob]), frozenset().union(*(expand_selector(s) for s in selectors)))
        for glob, selectors in values.get("per-file-ignores", {}).items()
    ]
    return Settings(
        selected=selected,
        severity=dict(values.get("severity", {})),
        per_file_ignores=per_file,
        exclude=pathspec.GitIgnoreSpec.from_lines(excludes),
        fail_on=cli.fail_on or values.get("fail-on", Severity.WARNING),
        project_rules=cli.project_rules if cli.project_rules is not None else values.get("project-rules", True),
        rule_options=dict(values.get("rules", {})),
        profile=profile,
        source=raw.source,
    )
