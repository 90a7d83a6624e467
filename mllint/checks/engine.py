"""Diagnostics the engine itself emits: they document codes, they check nothing."""

from mllint.engine.findings import Severity
from mllint.engine.rules import EngineDiagnostic, Scope


class InternalError(EngineDiagnostic):
    code = "ML000"
    name = "internal-error"
    severity = Severity.ERROR
    scope = Scope.MODULE


class SyntaxErrorDiagnostic(EngineDiagnostic):
    code = "ML001"
    name = "syntax-error"
    severity = Severity.ERROR
    scope = Scope.MODULE


class InvalidNotebook(EngineDiagnostic):
    code = "ML002"
    name = "invalid-notebook"
    severity = Severity.ERROR
    scope = Scope.NOTEBOOK


class UnusedSuppression(EngineDiagnostic):
    code = "ML003"
    name = "unused-suppression"
    severity = Severity.INFO
    scope = Scope.MODULE
