"""ML7xx PyTorch misuse: evaluation in training mode (ML702), gradients never cleared
(ML703), ``forward`` called directly (ML704), loss tensors accumulated with their graph
(ML708) and evaluation loops with autograd on (ML709).

The rules read the facts of :mod:`mllint.analysis.torch_loops` (what is a torch module,
training loops, the train/eval mode walk, evaluation code) and write the messages. They
apply wherever these bugs are bugs: scripts, notebooks, examples, documentation and
library source alike; tests (which build such loops on purpose) are left out.
"""

from __future__ import annotations

import ast
from functools import cached_property

from mllint.analysis.torch_loops import (
    ModuleFacts,
    TorchLoops,
    may_evaluate,
    mentions_backward,
)
from mllint.engine.findings import Edit, Fix, Severity
from mllint.engine.rules import Fixability, SourceRule
from mllint.project.layout import NOT_TESTS
from mllint.syntax.ast_positions import AstPositions

_SHORT = 60


def _text(node: ast.AST | str) -> str:
    """The source of a node (or a source text) on one line, shortened for a message."""
    text = " ".join((node if isinstance(node, str) else ast.unparse(node)).split())
    return text if len(text) <= _SHORT else text[: _SHORT - 3] + "..."


class _TorchRule(SourceRule):
    """What the torch rules share: the module's facts and positions."""

    roles = NOT_TESTS
    analyses = (TorchLoops,)

    def facts(self) -> ModuleFacts | None:
        return self.ctx.project.analysis(TorchLoops).facts(self.ctx.path)

    @cached_property
    def positions(self) -> AstPositions:
        return AstPositions(self.ctx.source)

    def report_node(self, node: ast.AST, message: str, fix: Fix | None = None) -> None:
        line, column, end_line, end_column = self.positions.range(node)
        self.report(line, column, message, end_line, end_column, fix=fix)

    def where(self, node: ast.AST) -> str:
        """A line of the linted file as users see it: "line 12", or "cell 4" in a notebook."""
        line = getattr(node, "lineno", 1)
        if self.ctx.notebook is not None:
            return f"cell {self.ctx.notebook.locate(line)[0]}"
        return f"line {line}"


class MissingEvalMode(_TorchRule):
    """A model evaluated in training mode gives noisy, pessimistic metrics and
    predictions: dropout drops units and batch norm normalises with (and updates) the
    statistics of the evaluation batch."""

    code = "ML702"
    name = "missing-eval-mode"
    severity = Severity.WARNING
    triggers = ("torch",)

    @classmethod
    def applies_to(cls, text: str) -> bool:
        """Only a module that may evaluate: grad turned off, or a function named for it."""
        return super().applies_to(text) and may_evaluate(text)

    def check(self) -> None:
        if not self.ctx.project.analysis(TorchLoops).module_may_train(self.ctx.path):
            return  # nothing it runs trains: no model is evaluated after training
        facts = self.facts()
        if facts is None:
            return
        for gap in facts.eval_mode_gaps:
            key = gap.key
            if gap.caller is None or gap.caller_key is None:
                advice = f"call `{key}.eval()` first (and `{key}.train()` before training again)"
                reached = ""
            else:
                reached = f", reached from the call at {self.where(gap.caller)}"
                advice = f"call `{key}.eval()` at the start of `{gap.function}()`"
                if gap.caller_key != key:
                    advice += f" (or `{gap.caller_key}.eval()` before that call)"
            self.report_node(
                gap.target,
                f"`{key}` is used for evaluation {gap.context}{reached}, while still in training mode after "
                f"training: dropout and batch norm behave as in training; {advice}",
            )


class MissingZeroGrad(_TorchRule):
    """``backward()`` adds to ``.grad``; without clearing, each optimizer step applies
    the sum of the gradients of every batch so far and training diverges or crawls."""

    code = "ML703"
    name = "missing-zero-grad"
    severity = Severity.ERROR
    triggers = ("backward",)

    def check(self) -> None:
        loops = self.ctx.project.analysis(TorchLoops)
        if not mentions_backward(self.ctx.source) and not loops.call_lines_into_training(self.ctx.info):
            return  # nothing here or in what it calls back-propagates ("backwards" in prose)
        facts = self.facts()
        if facts is None:
            return
        for loop in facts.training_loops:
            if loop.clears or loop.unsure:
                continue
            if loop.via is not None:
                helper = _text(loop.step.func)
                message = (f"this loop calls `{helper}()`, which calls `backward()` and an optimizer's `step()`, "
                           "but nothing clears the gradients between iterations, so each step applies the sum of "
                           f"all earlier gradients; call `optimizer.zero_grad()` in the loop or in `{helper}()`")
            else:
                step = loop.step.func
                optimizer = loop.optimizer or "optimizer"
                message = (f"this training loop calls `{_text(loop.backward.func)}()` and `{_text(step)}()` but "
                           "never clears the gradients, so each step applies the sum of all earlier batches' "
                           f"gradients; call `{optimizer}.zero_grad()` in the loop (before `backward()`)")
            self.report_node(loop.step, message)


class ForwardCalledDirectly(_TorchRule):
    """``module.forward(x)`` bypasses ``nn.Module.__call__``: forward hooks and
    pre-hooks (used by pruning, quantisation, profilers, feature extraction) do not run."""

    code = "ML704"
    name = "forward-called-directly"
    severity = Severity.WARNING
    fixable = Fixability.SAFE
    triggers = (".forward(",)

    def check(self) -> None:
        if not self.ctx.project.analysis(TorchLoops).may_call_forward(self.ctx.path):
            return  # every ``forward`` the text mentions is defined, or called where it delegates
        facts = self.facts()
        if facts is None:
            return
        for found in facts.forward_calls:
            receiver = _text(found.receiver)
            func = found.call.func
            _, _, end_line, end_column = self.positions.range(found.receiver)
            _, _, func_end_line, func_end_column = self.positions.range(func)
            fix = Fix(f"Call `{receiver}(...)` instead of `{receiver}.forward(...)`",
                      (Edit(end_line, end_column, func_end_line, func_end_column, ""),), safe=True)
            self.report_node(
                found.call,
                f"`{receiver}.forward(...)` skips the module's hooks; call `{receiver}(...)` instead",
                fix=fix,
            )


class LossAccumulatesGraph(_TorchRule):
    """A loss tensor added to a running total keeps a reference to its autograd graph:
    every iteration's graph and activations stay in memory until the total is freed."""

    code = "ML708"
    name = "loss-accumulates-graph"
    severity = Severity.WARNING
    triggers = ("backward",)

    @classmethod
    def applies_to(cls, text: str) -> bool:
        """Only a module that calls ``backward`` itself (not one saying "backwards")."""
        return super().applies_to(text) and mentions_backward(text)

    def check(self) -> None:
        facts = self.facts()
        if facts is None:
            return
        for found in facts.loss_accumulations:
            value = _text(found.value)
            value = value if isinstance(found.value, (ast.Name, ast.Attribute, ast.Call)) else f"({value})"
            self.report_node(
                found.node,
                f"`{_text(found.node)}` keeps the loss tensor and with it every iteration's autograd graph "
                f"alive, so memory grows with each step; accumulate `{value}.item()` (or `{value}.detach()`) "
                "instead",
            )


class NoGradMissing(_TorchRule):
    """Evaluation with autograd on records a graph for every batch that nobody
    back-propagates: memory and time wasted, and larger batches do not fit."""

    code = "ML709"
    name = "no-grad-missing"
    severity = Severity.INFO
    triggers = ("oader", "_dl", "dl_")

    def check(self) -> None:
        facts = self.facts()
        if facts is None:
            return
        for gap in facts.no_grad_gaps:
            loop = gap.loop
            line, column, _, _ = self.positions.range(loop)
            _, _, end_line, end_column = self.positions.range(loop.iter)
            self.report(
                line, column,
                f"this evaluation loop over `{_text(gap.loader)}` runs `{gap.key}` "
                f"with autograd on ({gap.why}): every batch records a graph nobody back-propagates; wrap it in "
                "`with torch.no_grad():` (or `torch.inference_mode()`)",
                end_line, end_column,
            )
