"""Configuration: discovery, validation messages, rule selection."""

from __future__ import annotations

from pathlib import Path

import pytest

from mllint.engine.config import (
    CliOverrides,
    ConfigError,
    RawConfig,
    build_settings,
    find_config,
    load_config,
)
from mllint.plugins import builtin_rules

RULES = builtin_rules()


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("[tool.mllint]\nselct = ['ML2']\n", "tool.mllint.selct: unknown key (did you mean 'select'?)"),
        ("[tool.mllint]\nselect = 'ML2'\n", "tool.mllint.select: expected a list"),
        ("[tool.mllint]\nselect = ['ML999']\n", "unknown rule selector 'ML999'"),
        ("[tool.mllint]\nignore = ['syntax-eror']\n", "did you mean 'syntax-error'?"),
        ("[tool.mllint]\nfail-on = 'warn'\n", "tool.mllint.fail-on: expected"),
        ("[tool.mllint]\nproject-rules = 'no'\n", "tool.mllint.project-rules: expected true or false"),
        ("[tool.mllint]\nprofile = 'prod'\n", "tool.mllint.profile"),
        ("[tool.mllint.severity]\nML001 = 'fatal'\n", "tool.mllint.severity.ML001"),
        ("[tool.mllint.rules.ML001]\nfoo = 1\n", "tool.mllint.rules.ML001.foo: unknown option"),
        ("[tool.mllint.rules.ML777]\nfoo = 1\n", "tool.mllint.rules.ML777: unknown rule"),
        ("[tool.mllint\n", "invalid TOML"),
    ],
)
def test_bad_config_names_file_and_key(tmp_path, text, needle):
    path = write(tmp_path / "pyproject.toml", text)
    with pytest.raises(ConfigError) as error:
        load_config(path, RULES, "pyproject.toml")
    message = str(error.value)
    assert message.startswith("pyproject.toml: ")
    assert needle in message
    assert "\n" not in message


def test_mllint_toml_uses_top_level_keys(tmp_path):
    path = write(tmp_path / "mllint.toml", "select = ['ML0']\nfial-on = 'error'\n")
    with pytest.raises(ConfigError, match=r"mllint.toml: fial-on: unknown key \(did you mean 'fail-on'\?\)"):
        load_config(path, RULES, "mllint.toml")


def test_config_file_precedence(tmp_path):
    write(tmp_path / "pyproject.toml", "[tool.mllint]\nselect = ['ML6']\n")
    assert find_config(tmp_path).name == "pyproject.toml"
    write(tmp_path / "mllint.toml", "select = ['ML2']\n")
    assert find_config(tmp_path).name == "mllint.toml"
    write(tmp_path / ".mllint.toml", "select = ['ML1']\n")
    assert find_config(tmp_path).name == ".mllint.toml"


def test_pyproject_without_mllint_table_is_not_a_config(tmp_path):
    write(tmp_path / "pyproject.toml", "[project]\nname = 'x'\n")
    assert find_config(tmp_path) is None


@pytest.mark.parametrize(
    ("selector", "expected"),
    [("ML001", {"ML001"}), ("ML00", {"ML000", "ML001", "ML002", "ML003"}), ("syntax-error", {"ML001"}),
     ("engine", {"ML000", "ML001", "ML002", "ML003"}), ("nope", set())],
)
def test_selectors(selector, expected):
    assert RULES.expand(selector) == expected


def test_info_rules_are_off_unless_selected():
    assert "ML003" not in build_settings(RawConfig(), RULES).selected
    assert "ML003" in build_settings(RawConfig({"extend-select": ["ML003"]}), RULES).selected
    assert "ML003" in build_settings(RawConfig({"select": ["ML0"]}), RULES).selected


def test_command_line_wins_and_engine_diagnostics_stay_on():
    settings = build_settings(RawConfig({"select": ["ML003"]}), RULES, CliOverrides(select=["ML002"], ignore=["ML002"]))
    assert "ML003" not in settings.selected
    assert "ML001" in settings.selected  # always on: unreadable files never pass silently
    assert "ML002" not in settings.selected  # unless ignored by code


def test_size_option_conversion():
    from mllint.engine.options import OptionError, convert_option

    assert convert_option("5MiB", "size") == 5 * 1024 * 1024
    assert convert_option("2 kb", "size") == 2000
    assert convert_option(10, "size") == 10
    with pytest.raises(OptionError, match="expected a size"):
        convert_option("lots", "size")


def test_per_file_ignores_match_globs(tmp_path):
    settings = build_settings(RawConfig({"per-file-ignores": {"tests/**": ["ML001"], "*.ipynb": ["engine"]}}), RULES)
    assert settings.ignored_for("tests/unit/test_a.py") == {"ML001"}
    assert settings.ignored_for("src/a.py") == frozenset()
    assert "ML002" in settings.ignored_for("notebooks/eda.ipynb")


def test_prototype_profile_drops_production_rules():
    from mllint.engine.config import PROTOTYPE_IGNORES

    assert PROTOTYPE_IGNORES <= RULES.expand("ALL")
    prototype = build_settings(RawConfig({"profile": "prototype", "select": ["ALL"]}), RULES)
    assert not PROTOTYPE_IGNORES & prototype.selected
    assert PROTOTYPE_IGNORES <= build_settings(RawConfig({"select": ["ALL"]}), RULES).selected
    asked = build_settings(RawConfig({"profile": "prototype", "extend-select": ["ML404"]}), RULES)
    assert "ML404" in asked.selected  # naming a rule explicitly wins over the profile
