"""Shared fixtures: test-only rules that probe the engine without depending on
any real rule family."""

from __future__ import annotations

from typing import Iterator

import libcst as cst
import pytest

from mllint.engine.findings import Severity
from mllint.engine.rules import _REGISTRY, ModuleRule


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


PROBES = {rule.code: rule for rule in (ProbeCall, Crasher)}
for _code in PROBES:
    _REGISTRY.pop(_code, None)


@pytest.fixture
def probes() -> Iterator[dict[str, type[ModuleRule]]]:
    """Register the probe rules for one test only; yields them by code."""
    _REGISTRY.update(PROBES)
    try:
        yield PROBES
    finally:
        for code in PROBES:
            _REGISTRY.pop(code, None)
