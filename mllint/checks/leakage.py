"""ML701 preprocessing-leakage: statistics of the test rows reach training.

The data flow is :mod:`mllint.analysis.leakage`'s (which rows each fit saw,
which split sends them to the test side, across notebook cells, renames and
project helper functions); this rule words what it found, at the fit, naming
the fit, the data it saw and the split that makes it leak.
"""

from __future__ import annotations

from mllint.analysis.leakage import (
    COMPOSE,
    FOLDS,
    KERAS_LAYERS,
    RESAMPLE,
    SELECT,
    SLICES,
    STATISTICS,
    TEST,
    Fit,
    Leak,
    LeakageAnalysis,
    Split,
)
from mllint.engine.findings import Severity
from mllint.engine.rules import SourceRule
from mllint.project.layout import NOT_TESTS
from mllint.syntax.ast_positions import AstPositions


class PreprocessingLeakage(SourceRule):
    """A transformer fitted before the split learns from the test rows, so the
    evaluation is optimistic: the score does not say how the model does on new data."""

    code = "ML701"
    name = "preprocessing-leakage"
    severity = Severity.ERROR
    roles = NOT_TESTS
    #: every leak needs a split: a split call, folds, or slices named for training
    triggers = ("train", "trn", "split", "cross_val", "_curve", "permutation_test", "fit(")
    analyses = (LeakageAnalysis,)

    def check(self) -> None:
        analysis = self.ctx.project.analysis(LeakageAnalysis)
        if not analysis.may_leak(self.ctx.info):
            return  # most files: decided without parsing them again
        tree = self.ctx.index.tree(self.ctx.path)
        if tree is None:
            return
        positions = AstPositions(self.ctx.source)
        reported: set[tuple[int, int]] = set()
        for leak in analysis.leaks(self.ctx.info, tree):
            line, column, end_line, end_column = positions.range(leak.fit.node)
            if (line, column) in reported:
                continue
            reported.add((line, column))
            self.report(line, column, self.message(leak), end_line, end_column)

    def where(self, line: int, path: str | None = None) -> str:
        """A line as users see it: "line 12", "cell 4" in a notebook, or in another file."""
        if path is not None and path != self.ctx.path:
            return f"{path} line {line}"
        if self.ctx.notebook is not None:
            return f"cell {self.ctx.notebook.locate(line)[0]}"
        return f"line {line}"

    def subject(self, fit: Fit) -> str:
        """```scaler.fit(X)` (line 3) fits a `StandardScaler` on``, saying where a
        called project function does it."""
        head = f"`{fit.text}` ({self.where(fit.node.lineno)})"  # type: ignore[attr-defined]
        inside = ""
        if fit.via is not None:
            helper, path, line = fit.via
            inside = f"in `{helper}`, {self.where(line, path)}"
        if fit.family == STATISTICS:
            return f"{head}{f' ({inside})' if inside else ''} scales with statistics over"
        named = f"a `{fit.cls}`" if fit.cls and (inside or f"{fit.cls}(" not in fit.text) else ""
        detail = ", ".join(part for part in (named, inside) if part)
        detail = f" ({detail})" if detail else ""
        if fit.family == SELECT:
            return f"{head} selects features{detail} on"
        if fit.family == RESAMPLE:
            return f"{head} oversamples{detail}"
        return f"{head} fits a `{fit.cls}`{f' ({inside})' if inside else ''} on"

    def split_text(self, split: Split) -> str:
        where = self.where(split.node.lineno)  # type: ignore[attr-defined]
        if split.via is not None:
            _, path, line = split.via
            where += f"; it splits at {self.where(line, path)}"
        # a slicing is described in words, unless a helper call did it: that is code
        name = split.text if split.kind == SLICES and split.via is None else f"`{split.text}`"
        return f"{name} ({where})"

    def message(self, leak: Leak) -> str:
        return self.test_message(leak) if leak.kind == TEST else self.split_message(leak)

    def split_message(self, leak: Leak) -> str:
        fit, split = leak.fit, leak.split
        assert split is not None
        folds = split.kind == FOLDS
        if folds:
            sides = "cross-validation folds"
            consequence = "each validation fold's statistics leak into the model trained on the other folds"
        else:
            sides, consequence = "train and test", "test statistics leak into training"
        if fit.family == SELECT:
            consequence = f"the features were chosen with the {'validation folds' if folds else 'test rows'}"
        elif fit.family == RESAMPLE:
            consequence = f"copies or blends of {'validation' if folds else 'test'} rows are trained on"
        later = "later " if split.order > fit.order else ""
        return (f"{self.subject(fit)} every row of `{fit.data_text}`, which {self.split_text(split)} {later}splits "
                f"into {sides}: {consequence}; {self.advice(fit, split)}")

    @staticmethod
    def advice(fit: Fit, split: Split) -> str:
        """How to fit on the training side only, for this kind of fit and split."""
        handed = f" handed to `{split.text}`" if split.kind == FOLDS else ""
        if fit.family == STATISTICS:
            return ("scale inside a Pipeline (a `StandardScaler` step)" + handed if handed
                    else "compute the statistics on the training part only")
        if fit.cls in KERAS_LAYERS:
            return "adapt the layer on the training part only"
        if fit.family == RESAMPLE:
            return f"put the `{fit.cls}` in an imblearn Pipeline{handed}" if handed else \
                "resample the training part only (an imblearn Pipeline does it)"
        step = f"make the model the last step of the `{fit.cls}`" if fit.family == COMPOSE and fit.cls == "Pipeline" \
            else f"put the `{fit.cls}` in a Pipeline with the model"
        return f"{step}{handed}" if handed else f"fit on the training part only, or {step}"

    def test_message(self, leak: Leak) -> str:
        fit, split = leak.fit, leak.split
        part = f"the test part of {self.split_text(split)}" if split is not None else f"`{fit.data_text}`"
        trained = "the training part" if split is not None else f"`{leak.counterpart}`"
        if fit.family == RESAMPLE:
            return (f"{self.subject(fit)} {part}: the evaluation then counts made-up rows; resample only "
                    f"{trained} and evaluate on the test rows as they are")
        return (f"{self.subject(fit)} {part} although {trained} has its own fit: the test data is transformed "
                f"with its own statistics instead of the training ones; call `transform` on it with the "
                f"transformer fitted on {trained}")
