"""Shared fixtures: test-only rules that probe the engine without depending on
any real rule family."""

from __future__ import annotations

import libcst as cst
import pytest

from mllint.engine.findings import Severity
from mllint.engine.registry import Registry
from mllint.engine.rules import ModuleRule
from mllint.plugins import builtin_rules


class ProbeCall(ModuleRule):
    """Reports every call to ``probe.target`` (through aliases), to locate findings."""

    code = "ML990"
    name = "probe-call"
    severity = Severity.WARNING
    triggers = ("probe",)

    def visit_Call(self, node: cst.Call) -> None:
        if self.ctx.call_name(node) == "probe.target":
            self.report(node, "probe target called")


class Crasher(ModuleRule):
    """Raises on every call: stands in for a buggy rule."""

    code = "ML991"
    name = "crasher"
    severity = Severity.WARNING
    triggers = ("probe",)

    def visit_Call(self, node: cst.Call) -> None:
        raise ValueError("boom")


@pytest.fixture
def probes() -> Registry:
    """The built-in rules plus the probes, for tests that lint with ``rules=probes``."""
    return builtin_rules().with_rules([ProbeCall, Crasher])
