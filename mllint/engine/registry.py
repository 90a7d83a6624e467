"""The rules of a run, and the selector language that picks among them.

A registry is built from the modules that define rules (the built-in ones come
from ``mllint.checks.builtin_rules``), so adding a rule needs no registration
call and the registry is a value: tests and plugins build their own.
"""

from __future__ import annotations

import inspect
import re
from types import ModuleType
from typing import TYPE_CHECKING, Iterable, Iterator, Mapping, TypeVar

from mllint.engine.rules import CATEGORIES, Rule

if TYPE_CHECKING:
    from mllint.engine.context import Analysis

RuleT = TypeVar("RuleT", bound=Rule)


class Registry(Mapping[str, type[Rule]]):
    """Rule classes by code, in code order; codes and names are unique."""

    def __init__(self, rules: Iterable[type[Rule]]) -> None:
        by_code: dict[str, type[Rule]] = {}
        names: dict[str, type[Rule]] = {}
        for rule in rules:
            other = by_code.get(rule.code) or names.get(rule.name)
            if other is not None and other is not rule:
                raise TypeError(f"{rule.__name__} reuses the code or name of {other.__name__}")
            by_code[rule.code] = names[rule.name] = rule
        self._rules = dict(sorted(by_code.items()))

    @classmethod
    def from_modules(cls, modules: Iterable[ModuleType]) -> "Registry":
        """The rules defined in *modules* (classes with a ``code`` of their own;
        base classes and rules imported from elsewhere are not collected twice)."""
        return cls(
            member
            for module in modules
            for _, member in inspect.getmembers(module, inspect.isclass)
            if issubclass(member, Rule) and member.__module__ == module.__name__ and "code" in member.__dict__
        )

    def __getitem__(self, code: str) -> type[Rule]:
        return self._rules[code]

    def __iter__(self) -> Iterator[str]:
        return iter(self._rules)

    def __len__(self) -> int:
        return len(self._rules)

    def with_rules(self, rules: Iterable[type[Rule]]) -> "Registry":
        return Registry([*self._rules.values(), *rules])

    def of_kind(self, kind: type[RuleT], codes: Iterable[str]) -> Iterator[type[RuleT]]:
        """The rules among *codes* that are of *kind*, in code order."""
        for code in sorted(codes):
            rule = self._rules.get(code)
            if rule is not None and issubclass(rule, kind):
                yield rule

    def analyses(self) -> dict[str, type["Analysis"]]:
        """The shared analyses the rules use, by name."""
        return {analysis.name: analysis for rule in self._rules.values() for analysis in rule.analyses}

    # -- selectors -------------------------------------------------------

    def expand(self, selector: str) -> frozenset[str]:
        """Codes a selector stands for: a code, code prefix, rule name, category
        slug or ``ALL``; empty when it matches nothing."""
        text = selector.strip()
        upper = text.upper()
        if upper == "ALL":
            return frozenset(self._rules)
        if re.fullmatch(r"ML\d{0,3}", upper):
            return frozenset(code for code in self._rules if code.startswith(upper))
        lowered = text.lower()
        by_name = [code for code, rule in self._rules.items() if rule.name == lowered]
        if by_name:
            return frozenset(by_name)
        return frozenset(code for code, rule in self._rules.items() if rule.category() == lowered)

    def find(self, code_or_name: str) -> type[Rule] | None:
        """The one rule named by its code or its name (not a prefix or category)."""
        text = code_or_name.strip()
        found = self._rules.get(text.upper())
        return found or next((rule for rule in self._rules.values() if rule.name == text.lower()), None)

    def rule_names(self) -> list[str]:
        """Codes and names: what ``find`` accepts, for "did you mean"."""
        return [*self._rules, *(rule.name for rule in self._rules.values())]

    def selector_choices(self) -> list[str]:
        return [*self.rule_names(), *CATEGORIES.values(), "ALL"]
