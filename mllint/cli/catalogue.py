"""``mllint rules`` and ``mllint explain``: the rule catalogue."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Mapping

import click

from mllint.cli.common import fail
from mllint.engine.catalogue import doc_for
from mllint.engine.discovery import find_root
from mllint.engine.findings import Reach
from mllint.engine.options import Option
from mllint.project.layout import describe_roles


@click.command()
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
def rules(output_format: str) -> None:
    """List every rule: code, name, category, severity, scope, fixable, enabled."""
    from mllint.engine.config import (
        ConfigError,
        RawConfig,
        build_settings,
        find_config,
        load_config,
    )
    from mllint.plugins import builtin_rules

    known = builtin_rules()
    try:
        found = find_config(find_root(Path.cwd()))
        settings = build_settings(load_config(found, known) if found else RawConfig(), known)
    except ConfigError as exc:
        fail(str(exc))
    rows = [
        {
            "code": code,
            "name": rule.name,
            "category": rule.category(),
            "severity": rule.severity.value,
            "scope": rule.scope.value,
            "fixable": rule.fixable.value,
            "enabled": code in settings.selected,
        }
        for code, rule in known.items()
    ]
    if output_format == "json":
        click.echo(json.dumps(rows, indent=2))
        return
    headers = ["code", "name", "category", "severity", "scope", "fixable", "enabled"]
    table = [[str(r[h]) if not isinstance(r[h], bool) else ("yes" if r[h] else "no") for h in headers] for r in rows]
    widths = [max(len(h), *(len(row[i]) for row in table)) for i, h in enumerate(headers)]
    click.echo("  ".join(h.ljust(w) for h, w in zip(headers, widths)).rstrip())
    for row in table:
        click.echo("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip())


@click.command()
@click.argument("rule")
def explain(rule: str) -> None:
    """Show a rule's documentation (by code or name)."""
    from mllint.engine.config import suggest
    from mllint.engine.rules import Fixability, Scope
    from mllint.plugins import builtin_rules

    known = builtin_rules()
    meta = known.find(rule)
    if meta is None:
        fail(f"unknown rule {rule!r}{suggest(rule, known.rule_names())}")
    code = meta.code
    doc = doc_for(code)
    title = f"{code} {meta.name} ({meta.category()}, {meta.severity.value}, {meta.scope.value}{'' if meta.fixable is Fixability.NONE else f', fix: {meta.fixable.value}'})"
    click.echo(title)
    click.echo("=" * len(title))
    if meta.scope != Scope.PROJECT:
        click.echo(f"\nApplies to: {describe_roles(meta.roles)}")
        click.echo(f"Reads: {_describe_reads(meta.reach())}")
    if doc is None:
        click.echo("\nNo documentation for this rule.")
        return
    practice = doc.meta.get("practice")
    if practice:
        click.echo(f"\nPractice: {practice}")
    for section, body in doc.sections.items():
        click.echo(f"\n## {section}\n\n{body}")
    _echo_options(f"Options ([tool.mllint.rules.{code}])", meta.options)
    for analysis in meta.analyses:
        legacy = "".join(f"; `{option}` also as [tool.mllint.rules.{key.replace('.', '] ', 1)}" for option, key in analysis.legacy_options.items())
        _echo_options(f"Options of the {analysis.name} analysis ([tool.mllint.analysis.{analysis.name}]{legacy})", analysis.options)


#: What a file rule's findings depend on beyond its file, by what it reads, and
#: so what re-runs it from the cache.
_READ_PARTS = (
    (Reach.IMPORTS, "the project modules it imports"),
    (Reach.SETTINGS, "the project's settings (dependency declarations, packaging and tool configuration, "
                     "DVC files, setup.py, conftest.py)"),
    (Reach.GRAPH, "whether another module imports the file"),
    (Reach.ANSWERS, "whole-project answers (whether the project tracks experiments or versions models, "
                    "which functions save models)"),
)


def _describe_reads(reach: Reach) -> str:
    if reach == Reach.FILE:
        return "the file alone (re-run only when the file changes)"
    if reach == Reach.PROJECT:
        return "the whole project (re-run after any change in it)"
    parts = ["the file", *(text for part, text in _READ_PARTS if part in reach)]
    return f"{', '.join(parts[:-1])} and {parts[-1]}; re-run when one of them changes"


def _echo_options(title: str, options: Mapping[str, Option]) -> None:
    if options:
        click.echo(f"\n## {title}\n")
        for name, option in options.items():
            click.echo(f"- `{name}` ({option.kind}, default {option.default!r}): {option.help}")
