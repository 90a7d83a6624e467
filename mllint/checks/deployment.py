"""ML5xx deployment and monitoring: prediction logging, model loading, monitoring.

The serving analysis (:mod:`mllint.analysis.serving`) finds the handlers,
what they predict, log and load, across modules; the rules here decide what
to report and say it. ML501-ML505 are source rules: each reports what is
located in the module being linted, using project-wide facts.
"""

from __future__ import annotations

from typing import Iterable, Iterator

from mllint.analysis.serving import (
    ModelLoad,
    ServedPrediction,
    ServingAnalysis,
    ServingAnswers,
    Span,
    may_define_handlers,
    may_load_models,
)
from mllint.engine.context import ProjectContext
from mllint.engine.findings import Severity
from mllint.engine.rules import ProjectRule, SourceRule
from mllint.project.layout import NOT_TESTS


class _ServingRule(SourceRule):
    """Reports, for the current module, what the serving analysis found.

    The analysis reads modules with ``ast`` (this one and others through the
    project), so these are source rules with a precise text test. One finding
    per position: a handler reached twice is reported once.
    """

    analyses = (ServingAnalysis, ServingAnswers)

    @classmethod
    def applies_to(cls, text: str) -> bool:
        return may_define_handlers(text)

    def check(self) -> None:
        analysis = self.ctx.project.analysis(ServingAnalysis)
        analysis.provide(self.ctx.path)
        unique: dict[tuple[int, int], tuple[Span, str]] = {}
        for span, message in self.problems(analysis):
            unique.setdefault((span.line, span.column), (span, message))
        for (_line, _column), (span, message) in sorted(unique.items()):
            self.report(span.line, span.column, message, span.end_line, span.end_column)

    def problems(self, analysis: ServingAnalysis) -> Iterable[tuple[Span, str]]:
        raise NotImplementedError


class _PredictionLogRule(_ServingRule):
    """Rules judging each prediction a handler of this module serves."""

    def problems(self, analysis: ServingAnalysis) -> Iterator[tuple[Span, str]]:
        for served in analysis.served_predictions(self.ctx.path):
            problem = self.judge(served)
            if problem is not None:
                yield problem

    def judge(self, served: ServedPrediction) -> tuple[Span, str] | None:
        raise NotImplementedError


class PredictionNotLogged(_PredictionLogRule):
    """Without a record of what was predicted, production behaviour cannot be audited or debugged."""

    code = "ML501"
    name = "prediction-not-logged"
    severity = Severity.WARNING
    roles = NOT_TESTS

    def judge(self, served: ServedPrediction) -> tuple[Span, str] | None:
        if served.first_log is not None:
            return None
        return served.prediction, (
            f"`{served.handler}` serves the prediction of `{served.predictor}` without logging it; "
            "log the prediction with the model version and the request input"
        )


class PredictionLogMissingModelVersion(_PredictionLogRule):
    """A logged prediction that does not name its model cannot be traced to the model that made it."""

    code = "ML502"
    name = "prediction-log-missing-model-version"
    severity = Severity.WARNING
    roles = NOT_TESTS

    def judge(self, served: ServedPrediction) -> tuple[Span, str] | None:
        if served.first_log is None or served.logs_model_identity:
            return None
        return served.first_log, (
            f"the prediction log of `{served.handler}` does not record which model made the prediction; "
            "log the model version (e.g. `extra={\"model_version\": MODEL_VERSION}`)"
        )


class PredictionLogMissingInputs(_PredictionLogRule):
    """A logged prediction without its input (or an id referencing it) cannot be reproduced or monitored for drift."""

    code = "ML503"
    name = "prediction-log-missing-inputs"
    severity = Severity.WARNING
    roles = NOT_TESTS

    def judge(self, served: ServedPrediction) -> tuple[Span, str] | None:
        if served.first_log is None or served.logs_input:
            return None
        return served.first_log, (
            f"the prediction log of `{served.handler}` records neither the request input nor a request id; "
            "log the input features or a `request_id` that references them"
        )


class _ModelLoadRule(_ServingRule):
    """Serving rules reported where a model is loaded, which may be a module
    that defines no handler itself."""

    @classmethod
    def applies_to(cls, text: str) -> bool:
        return may_load_models(text)

    def problems(self, analysis: ServingAnalysis) -> Iterator[tuple[Span, str]]:
        for load in analysis.model_loads(self.ctx.path):
            message = self.judge(load)
            if message is not None:
                yield load.at, message

    def judge(self, load: ModelLoad) -> str | None:
        raise NotImplementedError


class ModelLoadedPerRequest(_ModelLoadRule):
    """Loading a model on every request wastes time and memory; load once at startup."""

    code = "ML504"
    name = "model-loaded-per-request"
    severity = Severity.WARNING
    roles = NOT_TESTS

    def judge(self, load: ModelLoad) -> str | None:
        handler = load.per_request_of
        if handler is None:
            return None
        where = f" (in `{load.function}`)" if load.function != handler else ""
        return (f"`{load.loader}` loads a model on every request to `{handler}`{where}; "
                "load it once at startup (module level, a startup hook or a cached function)")


class UnversionedModelLoad(_ModelLoadRule):
    """A service that loads 'model.pkl' cannot say which model it serves nor roll back to the previous one."""

    code = "ML505"
    name = "unversioned-model-load"
    severity = Severity.WARNING
    roles = NOT_TESTS

    def judge(self, load: ModelLoad) -> str | None:
        if load.source is None:
            return None
        if load.loader.endswith(("from_pretrained", "pipeline", "SentenceTransformer")):
            return (f"`{load.loader}` serves `{load.source}` without a pinned version; "
                    "pass `revision=` (a commit hash) or load from a model registry")
        return (f"`{load.loader}` loads the model from the constant path `{load.source}`, which names no version; "
                "load a registry version (e.g. `models:/churn/3`) or a versioned path from configuration")


class NoMonitoring(ProjectRule):
    """A service that predicts without metrics or drift detection degrades silently."""

    code = "ML506"
    name = "no-monitoring"
    severity = Severity.INFO
    ml_only = True
    analyses = (ServingAnalysis,)

    def check(self, project: ProjectContext) -> None:
        analysis = project.analysis(ServingAnalysis)
        endpoint = analysis.first_endpoint()
        if endpoint is None or analysis.monitors():
            return
        project.report(
            self.code,
            endpoint.path,
            f"the project serves predictions (`{endpoint.handler}`) but has no monitoring or drift detection; "
            "export metrics (e.g. `prometheus_client`) and monitor input and prediction drift (e.g. evidently, whylogs)",
            line=endpoint.line,
            column=1,
        )
