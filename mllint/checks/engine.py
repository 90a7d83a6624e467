"""Diagnostics the engine itself emits: they document codes, they check nothing."""

from mllint.engine.findings import Severity
from mllint.engine.rules import EngineDiagnostic, Scope


class InternalError(EngineDiagnostic):
    """A rule crashed on this file; the other rules' findings are kept."""

    code = "ML000"
    name = "internal-error"
    severity = Severity.ERROR
    scope = Scope.MODULE


class SyntaxErrorDiagnostic(EngineDiagnostic):
    """The file cannot be read or parsed, so no rule could check it: it must not pass silently."""

    code = "ML001"
    name = "syntax-error"
    severity = Severity.ERROR
    scope = Scope.MODULE


class InvalidNotebook(EngineDiagnostic):
    """The notebook's JSON cannot be read as a notebook."""

    code = "ML002"
    name = "invalid-notebook"
    severity = Severity.ERROR
    scope = Scope.NOTEBOOK


class UnusedSuppression(EngineDiagnostic):
    """A suppression that no longer suppresses anything hides the next real finding on its line."""

    code = "ML003"
    name = "unused-suppression"
    severity = Severity.INFO
    scope = Scope.MODULE
