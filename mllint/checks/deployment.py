"""ML5xx deployment and monitoring: prediction logging, model loading, monitoring.

The analysis lives in :mod:`mllint.analysis.serving` (which handlers exist, what they
predict, log and load, across modules); the rules here only select its
findings. ML501-ML505 are module rules: each reports what is located in the
module being linted, using project-wide facts from the index.
"""

from __future__ import annotations

from mllint.analysis import serving
from mllint.engine.context import ProjectContext
from mllint.engine.findings import Severity
from mllint.engine.rules import Option, ProjectRule, SourceRule


class _ServingRule(SourceRule):
    """Reports the serving analysis' findings of one code for the current module.

    The analysis reads modules with ``ast`` (this one and others through the
    project), so these are source rules with a precise text test.
    """

    @classmethod
    def applies_to(cls, text: str) -> bool:
        return serving.may_define_handlers(text)

    def check(self) -> None:
        ctx = self.ctx
        for found in serving.module_findings(ctx.project, ctx.path, ctx.source, self.code):
            self.report(found.line, found.column, found.message, found.end_line, found.end_column)


class PredictionNotLogged(_ServingRule):
    """Without a record of what was predicted, production behaviour cannot be audited or debugged."""

    code = "ML501"
    name = "prediction-not-logged"
    severity = Severity.WARNING
    options = {
        "serving-decorators": Option(
            [],
            "str-list",
            "extra decorators that mark request handlers (e.g. \"mycompany.serving.endpoint\"); used by ML501-ML506",
        )
    }


class PredictionLogMissingModelVersion(_ServingRule):
    """A logged prediction that does not name its model cannot be traced to the model that made it."""

    code = "ML502"
    name = "prediction-log-missing-model-version"
    severity = Severity.WARNING


class PredictionLogMissingInputs(_ServingRule):
    """A logged prediction without its input (or an id referencing it) cannot be reproduced or monitored for drift."""

    code = "ML503"
    name = "prediction-log-missing-inputs"
    severity = Severity.WARNING


class _ModelLoadRule(_ServingRule):
    """Serving rules reported where a model is loaded, which may be a module
    that defines no handler itself."""

    @classmethod
    def applies_to(cls, text: str) -> bool:
        return serving.may_load_models(text)


class ModelLoadedPerRequest(_ModelLoadRule):
    """Loading a model on every request wastes time and memory; load once at startup."""

    code = "ML504"
    name = "model-loaded-per-request"
    severity = Severity.WARNING


class UnversionedModelLoad(_ModelLoadRule):
    """A service that loads 'model.pkl' cannot say which model it serves nor roll back to the previous one."""

    code = "ML505"
    name = "unversioned-model-load"
    severity = Severity.WARNING


class NoMonitoring(ProjectRule):
    """A service that predicts without metrics or drift detection degrades silently."""

    code = "ML506"
    name = "no-monitoring"
    severity = Severity.INFO
    ml_only = True

    def check(self, project: ProjectContext) -> None:
        analysis = serving.for_project(project)
        first = analysis.first_predicting_handler()
        if first is None or serving.has_monitoring(project, analysis):
            return
        module, handler = first
        line = module.view.functions[handler.qualname].lineno
        project.report(
            self.code,
            module.view.path,
            f"the project serves predictions (`{handler.qualname}`) but has no monitoring or drift detection; "
            "export metrics (e.g. `prometheus_client`) and monitor input and prediction drift (e.g. evidently, whylogs)",
            line=line,
            column=1,
        )
