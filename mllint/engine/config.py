"""Configuration: finding it, validating it, and resolving rule selection.

Keys follow ruff's names where ruff has the same idea. Every mistake is a
``ConfigError`` naming the file and key, with a "did you mean" where one
exists; the CLI turns it into exit status 2 before any file is read.
"""

from __future__ import annotations

import difflib
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping

import pathspec

from mllint.engine.findings import Severity
from mllint.engine.options import Option, OptionError, convert_option, defaults
from mllint.engine.registry import Registry
from mllint.engine.rules import Rule

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

CONFIG_FILES = (".mllint.toml", "mllint.toml", "pyproject.toml")

DEFAULT_EXCLUDES = (
    ".git", ".venv", "venv", "__pycache__", "node_modules", "build", "dist", ".tox", ".nox",
    "site-packages", ".ipynb_checkpoints", ".mllint_cache", ".dvc",
    # unrendered templates (cookiecutter, copier: ``{{ cookiecutter.module_slug }}/``): not Python until rendered
    "*{{*}}*",
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
    "analysis": "table of analysis -> options",
    "profile": '"prototype" or "production"',
    "baseline": "file name of a baseline (relative to the configuration file)",
    "cache-dir": "folder for mllint's cache (relative to the configuration file)",
}


class ConfigError(Exception):
    """A configuration mistake; ``str()`` is one line naming file and key."""


def suggest(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


@dataclass
class Settings:
    """The effective configuration of one run."""

    selected: frozenset[str]
    severity: dict[str, Severity] = field(default_factory=dict)
    per_file_ignores: list[tuple[pathspec.PathSpec, frozenset[str]]] = field(default_factory=list)
    exclude: pathspec.PathSpec = field(default_factory=lambda: pathspec.GitIgnoreSpec.from_lines(DEFAULT_EXCLUDES))
    fail_on: Severity = Severity.WARNING
    project_rules: bool = True
    #: every rule's options, defaults filled in, by code
    rule_options: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: the shared analyses' configured options, by analysis name
    analysis_options: dict[str, dict[str, Any]] = field(default_factory=dict)
    profile: str = "production"
    source: str | None = None  # the config file, for messages
    #: ``baseline = FILE``, resolved against the configuration file's folder
    baseline: Path | None = None
    #: ``cache-dir = FOLDER``, resolved like ``baseline`` (default: ``.mllint_cache`` at the project root)
    cache_dir: Path | None = None

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
        tool = data.get("tool")
        if isinstance(tool, dict) and "mllint" in tool:  # ``tool = "mllint"`` is no table of settings
            return candidate
    return None


def load_config(path: Path, rules: Registry, display: str | None = None) -> RawConfig:
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
        tool = data.get("tool", {})
        table = tool.get("mllint", {}) if isinstance(tool, dict) else {}
        prefix = "tool.mllint."
    else:
        table, prefix = data, ""
    if not isinstance(table, dict):
        raise ConfigError(f"{shown}: {prefix.rstrip('.') or 'mllint'} must be a table")
    values = validate(table, rules, shown, prefix)
    for key in ("baseline", "cache-dir"):  # relative to the file that names them, wherever mllint runs
        if key in values:
            values[key] = path.parent / values[key]
    return RawConfig(values, shown)


def _fail(source: str, key: str, problem: str) -> ConfigError:
    return ConfigError(f"{source}: {key}: {problem}")


def check_selectors(selectors: list[str], rules: Registry, source: str, key: str) -> list[str]:
    """*selectors* if each selects some rule; else a ConfigError with a "did you mean"."""
    for selector in selectors:
        if not rules.expand(selector):
            raise _fail(source, key, f"unknown rule selector {selector!r}{suggest(selector, rules.selector_choices())}")
    return selectors


def _string_list(value: Any, source: str, key: str) -> list[str]:
    if isinstance(value, str) or not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _fail(source, key, "expected a list of strings")
    return value


def _glob_patterns(patterns: list[str], where: str) -> list[str]:
    """*patterns* if each is a gitignore-style pattern; else a ConfigError
    (``where``: the file and key, or the option, that gave them)."""
    for pattern in patterns:
        try:
            pathspec.GitIgnoreSpec.from_lines([pattern])
        except ValueError:  # pathspec's GitIgnorePatternError: "!" or "\\" alone
            raise ConfigError(f"{where}: invalid pattern {pattern!r}") from None
    return patterns


def _severity(value: Any, source: str, key: str) -> Severity:
    try:
        return Severity.parse(value) if isinstance(value, str) else Severity(None)
    except ValueError:
        raise _fail(source, key, f"expected \"info\", \"warning\" or \"error\", got {value!r}") from None


def _table(value: Any, source: str, key: str, expected: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _fail(source, key, f"expected a table of {expected}")
    return value


def validate(table: Mapping[str, Any], rules: Registry, source: str, prefix: str = "") -> dict[str, Any]:
    """Check every key and value; return them normalised."""
    out: dict[str, Any] = {}

    def selectors(value: Any, key: str) -> list[str]:
        if isinstance(value, str) or not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise _fail(source, key, "expected a list of rule codes, prefixes, names or categories")
        return check_selectors(value, rules, source, key)

    def rule_code(name: str, key: str) -> str:
        rule = rules.find(name)
        if rule is None:
            raise _fail(source, key, f"unknown rule {name!r}{suggest(name, rules.rule_names())}")
        return rule.code

    for key, value in table.items():
        where = f"{prefix}{key}"
        if key not in _KEYS:
            raise _fail(source, where, f"unknown key{suggest(key, _KEYS)}")
        if key in ("select", "ignore", "extend-select"):
            out[key] = selectors(value, where)
        elif key in ("exclude", "extend-exclude"):
            out[key] = _glob_patterns(_string_list(value, source, where), f"{source}: {where}")
        elif key == "per-file-ignores":
            globs = _table(value, source, where, "glob = [rules]")
            out[key] = {glob: selectors(v, f"{where}.{glob}") for glob, v in globs.items()}
            _glob_patterns(list(globs), f"{source}: {where}")
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
        elif key == "baseline":
            if not isinstance(value, str) or not value.strip():
                raise _fail(source, where, "expected the baseline's file name, such as \".mllint-baseline.json\"")
            out[key] = value
        elif key == "cache-dir":
            if not isinstance(value, str) or not value.strip():
                raise _fail(source, where, "expected a folder name, such as \".mllint_cache\"")
            out[key] = value
        elif key == "severity":
            severities = _table(value, source, where, "rule = severity")
            out[key] = {rule_code(k, f"{where}.{k}"): _severity(v, source, f"{where}.{k}") for k, v in severities.items()}
        elif key == "rules":
            tables = _table(value, source, where, "rule tables")
            out[key] = {}
            for name, options in tables.items():
                code = rule_code(name, f"{where}.{name}")
                specs = {**rules[code].options, **_legacy_specs(rules[code])}
                out[key][code] = _options(specs, options, source, f"{where}.{name}", code)
        elif key == "analysis":
            known = rules.analyses()
            tables = _table(value, source, where, "analysis tables")
            for name in tables:
                if name not in known:
                    raise _fail(source, f"{where}.{name}", f"unknown analysis{suggest(name, known)} (analyses: {', '.join(sorted(known))})")
            out[key] = {name: _options(known[name].options, options, source, f"{where}.{name}", name) for name, options in tables.items()}
    return out


def _legacy_specs(rule: type[Rule]) -> dict[str, Option]:
    """Options of the rule's analyses that were once the rule's own, under their old key."""
    specs: dict[str, Option] = {}
    for analysis in rule.analyses:
        for option, legacy in analysis.legacy_options.items():
            code, _, key = legacy.partition(".")
            if code == rule.code:
                specs[key] = analysis.options[option]
    return specs


def _options(specs: Mapping[str, Option], table: Any, source: str, where: str, owner: str) -> dict[str, Any]:
    """The options in *table*, converted by their *specs*."""
    parsed: dict[str, Any] = {}
    for option, raw in _table(table, source, where, "options").items():
        key = f"{where}.{option}"
        spec = specs.get(option)
        if spec is None:
            known = ", ".join(specs) or "none"
            raise _fail(source, key, f"unknown option{suggest(option, specs)} ({owner} options: {known})")
        try:
            parsed[option] = convert_option(raw, spec.kind)
        except OptionError as exc:
            raise _fail(source, key, str(exc)) from None
    return parsed


@dataclass
class CliOverrides:
    select: list[str] | None = None
    ignore: list[str] = field(default_factory=list)
    extend_select: list[str] = field(default_factory=list)
    exclude: list[str] | None = None
    fail_on: Severity | None = None
    project_rules: bool | None = None


def build_settings(raw: RawConfig, rules: Registry, cli: CliOverrides | None = None) -> Settings:
    """Combine config and command line: the command line wins."""
    cli = cli or CliOverrides()
    values = raw.values
    expand = rules.expand

    select = cli.select if cli.select is not None else values.get("select")
    if select is None:
        base = {code for code, rule in rules.items() if rule.severity != Severity.INFO}
    else:
        base = set().union(*(expand(s) for s in select)) if select else set()
    for selector in [*values.get("extend-select", []), *cli.extend_select]:
        base |= expand(selector)
    ignored: set[str] = set()
    for selector in [*values.get("ignore", []), *cli.ignore]:
        ignored |= expand(selector)
    profile = values.get("profile", "production")
    if profile == "prototype":
        explicit = {s.upper() for s in [*(select or []), *values.get("extend-select", []), *cli.extend_select]}
        ignored |= PROTOTYPE_IGNORES - explicit
    explicitly_ignored = {s.upper() for s in [*values.get("ignore", []), *cli.ignore]}
    selected = frozenset((base - ignored) | (ALWAYS_ON - explicitly_ignored))

    excludes = _glob_patterns(list(cli.exclude), "--exclude") if cli.exclude is not None else list(values.get("exclude", DEFAULT_EXCLUDES))
    excludes += values.get("extend-exclude", [])

    per_file = [
        (pathspec.GitIgnoreSpec.from_lines([glob]), frozenset().union(*(expand(s) for s in selectors)))
        for glob, selectors in values.get("per-file-ignores", {}).items()
    ]
    configured: dict[str, dict[str, Any]] = values.get("rules", {})
    return Settings(
        selected=selected,
        severity=dict(values.get("severity", {})),
        per_file_ignores=per_file,
        exclude=pathspec.GitIgnoreSpec.from_lines(excludes),
        fail_on=cli.fail_on or values.get("fail-on", Severity.WARNING),
        project_rules=cli.project_rules if cli.project_rules is not None else values.get("project-rules", True),
        rule_options={
            code: {**defaults(dict(rule.options)), **configured.get(code, {})} for code, rule in rules.items() if rule.options
        },
        analysis_options=_analysis_options(rules, configured, values.get("analysis", {})),
        profile=profile,
        source=raw.source,
        baseline=values.get("baseline"),
        cache_dir=values.get("cache-dir"),
    )


def _analysis_options(
    rules: Registry, rule_options: Mapping[str, Mapping[str, Any]], configured: Mapping[str, Mapping[str, Any]]
) -> dict[str, dict[str, Any]]:
    """``[tool.mllint.analysis.<name>]``, after the legacy rule keys that set the same options."""
    out: dict[str, dict[str, Any]] = {}
    for name, analysis in rules.analyses().items():
        options: dict[str, Any] = {}
        for option, legacy in analysis.legacy_options.items():
            code, _, key = legacy.partition(".")
            if key in rule_options.get(code, {}):
                options[option] = rule_options[code][key]
        options.update(configured.get(name, {}))
        if options:
            out[name] = options
    return out
