"""ML3xx model development: model versioning, experiment tracking,
configurable hyperparameters, evaluation on held-out data.

Saves and training are recognised by qualified names (``torch.save``,
``joblib.dump``, ``xgboost.train``) and by method names on model-like
receivers (``model.save``, ``booster.save_model``, ``trainer.fit``). Project-wide
questions ("does the project log models to a registry? use a tracker? have a
configuration mechanism?") are facts of :mod:`mllint.analysis.model_facts`,
computed once per run.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from mllint.analysis.model_facts import (
    ModelPractices,
    SaveHelper,
    SaveHelpers,
    is_fit_call,
    names_a_transformer,
    save_call,
    training_sites,
    without_hyperparameters,
)
from mllint.checks.data import BindingRule
from mllint.engine.context import ModuleContext, ProjectContext
from mllint.engine.findings import Severity
from mllint.engine.messages import shown
from mllint.engine.rules import ModuleRule, ProjectRule
from mllint.project.index import dotted_name
from mllint.project.layout import NOT_TESTS, Role, is_test_path
from mllint.syntax.ast_positions import AstPositions
from mllint.syntax.cst import bound_names, keyword, positional, string_value
from mllint.syntax.deferred import deferred

if TYPE_CHECKING:
    import libcst as cst
else:
    cst = deferred("libcst")


# -- ML301 ---------------------------------------------------------------------------

_MODEL_LIKE = re.compile(
    r"model|clf|classifier|regressor|estimator|pipe|booster|bst|\bnet\b|network|state_dict|checkpoint|ckpt|gbm|xgb"
    r"|lgb|forest|svm|svc|knn|learner|predictor|tree|automl|search|grid|\bnn\b",
    re.I,
)
_KERAS_FILE = re.compile(r"\.(h5|hdf5|keras)$", re.I)
#: Receivers whose ``save`` writes no model to the path given: preprocessing and
#: configuration objects, and checkpointers (fvcore's and detectron2's
#: ``checkpointer.save("model_final")`` names a file in the folder the checkpointer
#: was built with, usually the run's output folder).
_NOT_MODEL_RECEIVER = re.compile(r"token|processor|config|feature_extractor|image_processor|checkpointer", re.I)
_VERSIONED = re.compile(
    r"(?i)(?:^|[^a-z])v\d|version|\d{8}|\d{4}[-_]\d{2}[-_]\d{2}|[0-9a-f]{8,}|run[-_]?id|uuid|timestamp|sha"
)


@dataclass(frozen=True)
class _Save:
    """A save seen in the module: directly, or through a project helper that wraps one."""

    node: cst.Call
    label: str  # how the message names it, with backquotes
    path: cst.BaseExpression
    #: the saved object's text, when it must look like a model (None: anything saved is a model)
    obj: str | None
    #: the save method when the object saves itself (``model.save(path)``): obj is its receiver
    method: str | None = None


class UnversionedModelArtifact(BindingRule):
    """A model saved to the same constant path every run overwrites its predecessor:
    nothing says which model is deployed or lets you roll back."""

    code = "ML301"
    name = "unversioned-model-artifact"
    severity = Severity.WARNING
    roles = NOT_TESTS
    analyses = (ModelPractices, SaveHelpers)
    triggers = ("save", "dump", "export", "persist")

    def __init__(self, ctx: ModuleContext) -> None:
        super().__init__(ctx)
        self.saves: list[_Save] = []
        #: Receivers of `.fit`/`.train` calls: whatever their name, they are models.
        self.fitted: set[str] = set()

    @classmethod
    def can_fire(cls, ctx: ModuleContext) -> bool:
        """Nothing is reported in a test module or in a project that versions its
        models (``leave_Module``), which the index and the project's answers say
        without a tree. Elsewhere, only a module with a library save, a save
        method or a call named like a project save helper can write a model (the
        word "save" is everywhere)."""
        if is_test_path(ctx.path) or ctx.project.analysis(ModelPractices).versions_models:
            return False
        tree = ctx.index.tree(ctx.path)
        if tree is None:
            return True
        helpers = ctx.project.analysis(SaveHelpers).names
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            dotted = dotted_name(node.func)
            method = node.func.attr if isinstance(node.func, ast.Attribute) else None
            qualified = ctx.info.qualify(dotted) if dotted is not None else None
            if save_call(qualified, method) is not None or (dotted or method or "").rpartition(".")[2] in helpers:
                return True
        return False

    def visit_Call(self, node: cst.Call) -> None:
        self.note_dynamic_globals(node)
        func = node.func
        if isinstance(func, cst.Attribute) and func.attr.value in ("fit", "train", "fit_generator"):
            self.fitted.add(self.ctx.code_for(func.value))
        found = self._save(node) or self._helper_save(node)
        if found is not None:
            self.saves.append(found)

    def visit_Assign(self, node: cst.Assign) -> None:
        super().visit_Assign(node)
        value = node.value
        if (isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute) and value.func.attr.value == "fit"
                and len(node.targets) == 1):  # model = Est().fit(X, y)
            self.fitted.add(self.ctx.code_for(node.targets[0].target))

    def _save(self, node: cst.Call) -> _Save | None:
        """A save call of a library (``joblib.dump``) or a model's save method."""
        name = self.ctx.call_name(node)
        method = node.func.attr.value if isinstance(node.func, cst.Attribute) else None
        signature = save_call(name, method)
        if signature is None:
            return None
        args = positional(node)
        path = _argument(node, args, signature.path_at, signature.path_keywords)
        if path is None:
            return None
        if signature.obj_at is None:
            receiver = node.func.value  # type: ignore[union-attr]  # a method save: the receiver saves itself
            return _Save(node, f"`{self.ctx.code_for(receiver)}.{method}`", path, self.ctx.code_for(receiver), method)
        if not signature.needs_model:
            return _Save(node, f"`{name}`", path, None)
        obj = _argument(node, args, signature.obj_at, signature.obj_keywords)
        return _Save(node, f"`{name}`", path, self.ctx.code_for(obj)) if obj is not None else None

    def _helper_save(self, node: cst.Call) -> _Save | None:
        """A call of a project function that saves its argument to its path argument."""
        helper, callee = self._helper(node)
        if helper is None:
            return None
        args = positional(node)
        path = _argument(node, args, helper.path.path_at, helper.path.path_keywords)
        if path is None:
            return None
        obj: str | None = helper.obj_text
        if helper.path.obj_keywords:
            passed = _argument(node, args, helper.path.obj_at, helper.path.obj_keywords)
            if passed is None:
                return None
            obj = self.ctx.code_for(passed)
        return _Save(node, f"`{callee}` (which calls `{helper.saver}`)", path, obj, helper.method)

    def _helper(self, node: cst.Call) -> tuple[SaveHelper | None, str]:
        callee = self.ctx.dotted(node.func)
        helpers = self.ctx.project.analysis(SaveHelpers)
        if callee is None or callee.rpartition(".")[2] not in helpers.names:
            return None, ""
        if "." not in callee and callee in self.ctx.info.functions:
            return helpers.of(self.ctx.path, callee), callee
        qualified = self.ctx.info.qualify(callee)
        found = self.ctx.project.index.resolve_function(qualified, self.ctx.info) if qualified else None
        return (helpers.of(found[0].path, found[1].qualname) if found else None), callee

    def _model_like(self, obj: str) -> bool:
        return obj in self.fitted or _MODEL_LIKE.search(obj) is not None or any(
            re.search(rf"\b{re.escape(name)}\b", obj) for name in self.fitted
        )

    def _saves_a_model(self, save: _Save, path: str) -> bool:
        if save.method is None:
            return save.obj is None or self._model_like(save.obj)
        receiver = save.obj or ""
        if _NOT_MODEL_RECEIVER.search(receiver):
            return False
        return save.method != "save" or _MODEL_LIKE.search(receiver) is not None or _KERAS_FILE.search(path) is not None

    def leave_Module(self, original_node: cst.Module) -> None:
        if not self.saves or is_test_path(self.ctx.path):
            return
        if self.ctx.project.analysis(ModelPractices).versions_models:
            return
        dvc = self.ctx.project.dvc
        folder = PurePosixPath(self.ctx.path).parent
        for save in self.saves:
            path = self._constant_path(save.path, 0)
            if path is None or _VERSIONED.search(without_hyperparameters(path)) or not self._saves_a_model(save, path):
                continue
            if dvc.covers(path) or dvc.covers((folder / path).as_posix()):
                continue
            self.report(
                save.node,
                f"{save.label} writes the model to the constant path `{shown(path)}`, overwritten on every run; "
                "add a version, timestamp or run id to the path, or log the model to a registry "
                "(`mlflow.<flavor>.log_model`, a DVC `outs` entry)",
            )

    def _constant_path(self, node: cst.CSTNode, depth: int) -> str | None:
        """The path an expression always evaluates to, or None when any part varies.

        A variable component (an f-string field, ``.format``, a name bound to a
        parameter or to argparse, ``os.path.join`` with a variable) counts as
        versioned: mllint cannot know it is constant.
        """
        if depth > 6:
            return None
        value = string_value(node)
        if value is not None:
            return value
        if isinstance(node, cst.FormattedString):
            texts = [p.value for p in node.parts if isinstance(p, cst.FormattedStringText)]
            return "".join(texts) if len(texts) == len(node.parts) else None
        if isinstance(node, cst.Name):
            bound = self.bindings.constant(node.value)
            return self._constant_path(bound, depth + 1) if bound is not None else None
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, (cst.Divide, cst.Add)):
            left, right = self._constant_path(node.left, depth + 1), self._constant_path(node.right, depth + 1)
            if left is None or right is None:
                return None
            return f"{left.rstrip('/')}/{right}" if isinstance(node.operator, cst.Divide) else left + right
        if isinstance(node, cst.Call):
            return self._constant_call(node, depth)
        return None

    def _constant_call(self, node: cst.Call, depth: int) -> str | None:
        name = self.ctx.call_name(node)
        args = positional(node)
        if len(args) != len(node.args) or not args:
            return None
        if name in ("os.path.join", "posixpath.join", "pathlib.Path", "pathlib.PurePath", "pathlib.PosixPath"):
            parts = [self._constant_path(a.value, depth + 1) for a in args]
            if any(p is None for p in parts):
                return None
            return "/".join(p.rstrip("/") for p in parts if p is not None)
        if self.is_builtin(node.func, "open") or self.is_builtin(node.func, "str") or name in ("io.open", "gzip.open", "bz2.open"):
            return self._constant_path(args[0].value, depth + 1)
        return None


def _argument(node: cst.Call, args: list[cst.Arg], position: int | None, keywords: tuple[str, ...]) -> cst.BaseExpression | None:
    for word in keywords:
        given = keyword(node, word)
        if given is not None:
            return given.value
    return args[position].value if position is not None and len(args) > position else None


# -- ML302 ---------------------------------------------------------------------------


class NoExperimentTracking(ProjectRule):
    """Training runs whose parameters and metrics are not recorded cannot be compared or reproduced."""

    code = "ML302"
    name = "no-experiment-tracking"
    severity = Severity.WARNING
    analyses = (ModelPractices,)
    ml_only = True

    def check(self, project: ProjectContext) -> None:
        # Where training runs happen: a library's package source defines training
        # APIs for its users, and everyone's examples, docs and tests demonstrate them.
        runs = {Role.NOTEBOOK, Role.SCRIPT} if project.kind.library else {Role.NOTEBOOK, Role.SCRIPT, Role.SOURCE}
        first: tuple[str, int, str] | None = None
        for path in sorted(project.index.modules):
            if project.role(path) not in runs:
                continue
            sites = sorted(training_sites(project.index.modules[path]), key=lambda s: s.line)
            if sites:
                first = (path, sites[0].line, sites[0].name)
                break
        if first is None or project.analysis(ModelPractices).tracks_experiments:
            return
        path, line, name = first
        project.report(
            self.code,
            path,
            f"training (`{name}`) runs but the project never records parameters and metrics; "
            "log them with an experiment tracker (mlflow, wandb, dvclive, TensorBoard, ...)",
            line=line,
            column=1,
        )


# -- ML303 ---------------------------------------------------------------------------

_HYPERPARAMETERS = frozenset({
    "lr", "learning_rate", "eta", "batch_size", "per_device_train_batch_size", "train_batch_size", "epochs",
    "num_epochs", "n_epochs", "max_epochs", "num_train_epochs", "nb_epoch", "weight_decay", "alpha", "C",
    "l1_ratio", "reg_alpha", "reg_lambda", "lambda_l1", "lambda_l2", "l2_regularization", "l2_leaf_reg",
})
_HYPERPARAMETER_LIBRARIES = (
    "torch.optim.", "sklearn.", "xgboost.", "lightgbm.", "catboost.", "tensorflow.keras.optimizers.",
    "keras.optimizers.", "transformers.TrainingArguments", "transformers.Seq2SeqTrainingArguments",
    "transformers.Trainer", "pytorch_lightning.Trainer", "lightning.Trainer", "lightning.pytorch.Trainer",
    "torch.utils.data.DataLoader", "optax.",
)
_TRAINING_METHODS = frozenset({"fit", "train", "compile"})


def _number(node: cst.BaseExpression) -> bool:
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus):
        node = node.expression
    return isinstance(node, (cst.Integer, cst.Float))


class HardcodedHyperparameters(ModuleRule):
    """Hyperparameters written into the training call cannot be varied, searched or
    recorded without editing code."""

    code = "ML303"
    name = "hardcoded-hyperparameters"
    severity = Severity.INFO
    #: Training scripts and package code; a notebook, example or tutorial shows
    #: its hyperparameters in the code on purpose, where a reader can change them.
    roles = frozenset({Role.SCRIPT, Role.SOURCE})
    analyses = (ModelPractices,)
    triggers = ("lr", "learning_rate", "batch_size", "epoch", "weight_decay", "alpha", "C=", "reg_", "lambda_", "eta", "optim")

    def __init__(self, ctx: ModuleContext) -> None:
        super().__init__(ctx)
        self.active = self._judged(ctx)
        self.found: list[tuple[cst.Call, str, list[str]]] = []

    @staticmethod
    def _judged(ctx: ModuleContext) -> bool:
        """Code that runs a training (a notebook, a main block, a fit call at the top level), outside the tests."""
        info = ctx.info
        runs_training = info.is_notebook or info.has_main_block or any(is_fit_call(s.name) for s in info.toplevel_calls)
        return runs_training and not is_test_path(ctx.path)

    @classmethod
    def can_fire(cls, ctx: ModuleContext) -> bool:
        """Only a module that is judged, in a project that keeps no configuration,
        can be reported: the index says so without a tree. Package modules name
        ``lr`` and ``epoch`` everywhere and are rarely either."""
        return cls._judged(ctx) and not ctx.project.analysis(ModelPractices).has_config

    def visit_Call(self, node: cst.Call) -> None:
        if not self.active:
            return
        label = self._target(node)
        if label is None:
            return
        literal = [a.keyword.value for a in node.args
                   if a.keyword is not None and a.keyword.value in _HYPERPARAMETERS and _number(a.value)]
        args = positional(node)
        if label.startswith("torch.optim.") and len(args) > 1 and _number(args[1].value):
            literal.insert(0, "lr")
        if literal:
            self.found.append((node, label, literal))

    def _target(self, node: cst.Call) -> str | None:
        name = self.ctx.call_name(node)
        if name is not None:
            return name if name.startswith(_HYPERPARAMETER_LIBRARIES) else None
        if isinstance(node.func, cst.Attribute) and node.func.attr.value in _TRAINING_METHODS:
            return self.ctx.code_for(node.func)
        return None

    def leave_Module(self, original_node: cst.Module) -> None:
        """One finding per entry point, at the first call: the remedy (a config) is one change."""
        if not self.found or self.ctx.project.analysis(ModelPractices).has_config:
            return
        node, label, names = self.found[0]
        listed = ", ".join(f"`{n}`" for n in names)
        more = len(self.found) - 1
        also = f" (and {more} more call{'s' if more > 1 else ''} in this file)" if more else ""
        self.report(
            node,
            f"`{label}` gets hard-coded {listed}{also}; read hyperparameters from a config file or command-line "
            "options so runs can be varied and recorded",
        )


# -- ML304 ---------------------------------------------------------------------------

_PREDICT = frozenset({"predict", "predict_proba", "predict_log_proba", "decision_function"})
_METRIC_NAME = re.compile(r"score|accuracy|precision|recall|f1|auc|error|loss|r2|mse|mae|rmse|metric|report|matrix", re.I)
#: What ``can_fire`` leaves out of the data texts it compares.
_WHITESPACE_AND_PARENTHESES = re.compile(r"[\s()]")
_CROSS_VALIDATION = re.compile(r"cross_val|cross_validate|GridSearchCV|RandomizedSearchCV|HalvingGridSearchCV|learning_curve|validation_curve")


@dataclass
class _EvalScope:
    fits: dict[str, set[str]] = field(default_factory=dict)  # model -> data it was fitted on
    predictions: dict[str, tuple[str, str]] = field(default_factory=dict)  # variable -> (model, data)
    uses: list[tuple[str, str]] = field(default_factory=list)  # (model, data) of every predict/score
    evaluations: list[tuple[cst.CSTNode, str, str]] = field(default_factory=list)  # (node, model, data)
    cross_validated: bool = False
    #: what leaves the scope: returned, yielded, stored on an object, handed to a call
    escaped: set[str] = field(default_factory=set)
    #: how often each name was bound (``_data``)
    bindings: dict[str, int] = field(default_factory=dict)


#: Separates an expression's text from the bindings of its names (``_EvalVisitor._data``).
_BOUND = "\x00"
_IDENTIFIER = re.compile(r"[A-Za-z_]\w*")
#: Calls that show a value rather than take the model somewhere it may be evaluated.
_SHOWING = frozenset({"print", "display", "repr", "str", "len", "type", "isinstance", "id", "logging.info",
                      "logger.info", "log.info"})


#: Names of calls that write a model to a file or a tracker.
_STORING = frozenset({"dump", "save", "log_model", "save_model"})


def _fitted_data(fit: ast.Call) -> ast.expr | None:
    """The data of a ``.fit(...)`` call the rule counts (``_supervised``), in the ``ast``."""
    if fit.func.attr != "fit":  # type: ignore[attr-defined]
        return None
    positionals = [arg for arg in fit.args if not isinstance(arg, ast.Starred)]
    if len(positionals) >= 2 or any(keyword.arg == "y" for keyword in fit.keywords):
        return positionals[0] if positionals else None
    return None


def _supervised(fit: cst.Call) -> bool:
    """``fit(X, y)``: fitted to labels. An unsupervised model (``GaussianMixture().fit(X)``)
    is scored on its own data on purpose (likelihood, BIC, inertia)."""
    return len(positional(fit)) >= 2 or keyword(fit, "y") is not None


class EvaluatedOnTrainingData(ModuleRule):
    """A score computed on the data the model was fitted on measures memorisation, not generalisation."""

    code = "ML304"
    name = "evaluated-on-training-data"
    severity = Severity.WARNING
    roles = NOT_TESTS
    triggers = (".fit(",)

    def __init__(self, ctx: ModuleContext) -> None:
        super().__init__(ctx)
        self.scopes: list[_EvalScope] = [_EvalScope()]

    @classmethod
    def can_fire(cls, ctx: ModuleContext) -> bool:
        """A report needs a model fitted on labelled data (by its receiver, or the
        name a fitted ``Est().fit(X, y)`` is assigned to) and evaluated on the same
        data: scored, or its predictions given to a metric (directly, or through
        a name assigned them). Looked for on the ``ast`` before the module is
        parsed with libcst: most notebooks fit, and many predict on their
        training data, but few score only on it. Texts are compared without
        whitespace and parentheses, so that any two the rule finds alike are
        alike here too; names and scopes are not followed, so this says yes
        wherever the rule may report."""
        tree = ctx.index.tree(ctx.path)
        if tree is None:
            return True
        positions = AstPositions(ctx.source)

        def key(node: ast.AST) -> str:
            return _WHITESPACE_AND_PARENTHESES.sub("", positions.text(node))

        def use(call: ast.AST) -> tuple[str, str] | None:
            """(model, data) of ``model.predict(data)`` or ``.score(data)``."""
            if not isinstance(call, ast.Call) or not isinstance(call.func, ast.Attribute):
                return None
            if call.func.attr != "score" and call.func.attr not in _PREDICT:
                return None
            first = next((arg for arg in call.args if not isinstance(arg, ast.Starred)), None)  # as ``positional`` reads
            return (key(call.func.value), key(first)) if first is not None else None

        fitted: set[tuple[str, str]] = set()
        evaluated: set[tuple[str, str]] = set()
        predicted: list[tuple[str, tuple[str, str]]] = []  # (name, (model, data)) of ``name = model.predict(data)``
        given_to_metrics: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                value = node.value
                if isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute):
                    data = _fitted_data(value) if isinstance(value.func.value, ast.Call) else None
                    if data is not None:  # ``m = Est().fit(X, y)``: ``m`` holds the fitted model
                        fitted.add((node.targets[0].id, key(data)))
                    pair = use(value)
                    if pair is not None and value.func.attr in _PREDICT:
                        predicted.append((node.targets[0].id, pair))
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            if isinstance(func, ast.Attribute) and func.attr == "fit":
                data = _fitted_data(node)
                if data is not None:
                    fitted.add((key(func.value), key(data)))
            elif isinstance(func, ast.Attribute) and func.attr == "score":
                pair = use(node)
                if pair is not None:
                    evaluated.add(pair)
            last = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
            if _METRIC_NAME.search(last):
                given = (arg.value if isinstance(arg, ast.Starred) else arg for arg in node.args)
                for arg in [*given, *(keyword.value for keyword in node.keywords)]:  # libcst's ``args``
                    if isinstance(arg, ast.Name):
                        given_to_metrics.add(arg.id)
                    pair = use(arg)
                    if pair is not None and isinstance(arg, ast.Call) and arg.func.attr in _PREDICT:  # type: ignore[attr-defined]
                        evaluated.add(pair)
        evaluated.update(pair for name, pair in predicted if name in given_to_metrics)
        return not fitted.isdisjoint(evaluated)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.scopes.append(_EvalScope())

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self._close(self.scopes.pop(), function=True)

    def leave_Module(self, original_node: cst.Module) -> None:
        self._close(self.scopes[0], function=False)

    def visit_Return(self, node: cst.Return) -> None:
        self._escape(node.value)

    def visit_Yield(self, node: cst.Yield) -> None:
        if isinstance(node.value, cst.BaseExpression):
            self._escape(node.value)

    def _escape(self, value: cst.BaseExpression | None) -> None:
        """A value (or a tuple or list of values) that leaves the scope."""
        elements = [e.value for e in value.elements] if isinstance(value, (cst.Tuple, cst.List)) else [value]
        self.scopes[-1].escaped.update(self._text(e) for e in elements if isinstance(e, (cst.Name, cst.Attribute)))

    def _text(self, node: cst.CSTNode) -> str:
        return " ".join(self.ctx.code_for(node).split())

    def _data(self, node: cst.CSTNode) -> str:
        """The data an expression stands for: its text, with how often each name in it
        was bound so far, so that ``x`` fitted on and then bound again
        (``x, y = encode(val_loader)``) is other data (shown as its text)."""
        text = self._text(node)
        bindings = self.scopes[-1].bindings
        marks = [f"{name}{bindings[name]}" for name in _IDENTIFIER.findall(text) if name in bindings]
        return f"{text}{_BOUND}{','.join(marks)}" if marks else text

    def _method_call(self, node: cst.BaseExpression) -> tuple[str, str, list[cst.Arg]] | None:
        """(receiver text, method, positional args) of ``receiver.method(...)``."""
        if not isinstance(node, cst.Call) or not isinstance(node.func, cst.Attribute):
            return None
        if self.ctx.call_name(node) is not None:  # a library function such as `np.fit`, not a model method
            return None
        return self._text(node.func.value), node.func.attr.value, positional(node)

    def _rebind(self, target: cst.CSTNode) -> None:
        """A name bound again no longer holds the predictions it held."""
        scope = self.scopes[-1]
        for name in bound_names(target):
            scope.predictions.pop(name, None)
            scope.bindings[name] = scope.bindings.get(name, 0) + 1

    def visit_For(self, node: cst.For) -> None:
        self._rebind(node.target)

    def _comprehension(self, node: cst.ListComp | cst.SetComp | cst.GeneratorExp | cst.DictComp) -> None:
        """Comprehension targets shadow outer names in the element, which libcst visits first."""
        loop: cst.CompFor | None = node.for_in
        while loop is not None:
            self._rebind(loop.target)
            loop = loop.inner_for_in

    def visit_ListComp(self, node: cst.ListComp) -> None:
        self._comprehension(node)

    def visit_SetComp(self, node: cst.SetComp) -> None:
        self._comprehension(node)

    def visit_GeneratorExp(self, node: cst.GeneratorExp) -> None:
        self._comprehension(node)

    def visit_DictComp(self, node: cst.DictComp) -> None:
        self._comprehension(node)

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._rebind(target.target)
            if isinstance(target.target, (cst.Attribute, cst.Subscript)):  # ``self.model = clf``, ``models[k] = clf``
                self._escape(node.value)
        call = self._method_call(node.value)
        if call is None or len(node.targets) != 1 or not isinstance(node.targets[0].target, cst.Name):
            return
        receiver, method, args = call
        target = node.targets[0].target.value
        if method in _PREDICT and args:
            self.scopes[-1].predictions[target] = (receiver, self._data(args[0].value))
        elif method == "fit" and args and isinstance(node.value, cst.Call) and _supervised(node.value):
            inner = node.value.func
            if isinstance(inner, cst.Attribute) and isinstance(inner.value, cst.Call):  # m = Est().fit(X, y)
                self.scopes[-1].fits.setdefault(target, set()).add(self._data(args[0].value))

    def visit_Call(self, node: cst.Call) -> None:
        scope = self.scopes[-1]
        dotted = self.ctx.dotted(node.func) or ""
        if _CROSS_VALIDATION.search(dotted):
            scope.cross_validated = True
        call = self._method_call(node)
        if call is not None:
            receiver, method, args = call
            if not args:
                return
            data = self._data(args[0].value)
            if method == "fit" and not names_a_transformer(receiver) and _supervised(node):
                scope.fits.setdefault(receiver, set()).add(data)
            elif method in _PREDICT or method == "score":
                scope.uses.append((receiver, data))
                if method == "score":
                    scope.evaluations.append((node, receiver, data))
            elif not _METRIC_NAME.search(method) and not self._stores(node, dotted):
                self._hand_on(node)  # ``models.append(clf)``, ``self.evaluate(clf, X_val)``
            return
        if _METRIC_NAME.search(dotted.rpartition(".")[2]):
            self._metric(node, scope)
        elif dotted not in _SHOWING and not self._stores(node, dotted):
            self._hand_on(node)

    def _hand_on(self, node: cst.Call) -> None:
        """The models given to a call leave the scope: they may be evaluated there."""
        for arg in node.args:
            self._escape(arg.value)

    def _stores(self, node: cst.Call, dotted: str) -> bool:
        """A save or a tracker's log of the model (``joblib.dump(clf, path)``,
        ``mlflow.sklearn.log_model``): it goes to a file, not on to an evaluation."""
        last = dotted.rpartition(".")[2]
        return save_call(self.ctx.call_name(node), last) is not None or last in _STORING

    def _metric(self, node: cst.Call, scope: _EvalScope) -> None:
        """``accuracy_score(y, m.predict(X))`` or ``accuracy_score(y, pred)`` with ``pred = m.predict(X)``."""
        for arg in node.args:
            value = arg.value
            if isinstance(value, cst.Name) and value.value in scope.predictions:
                receiver, data = scope.predictions[value.value]
                scope.evaluations.append((node, receiver, data))
                continue
            inner = self._method_call(value)
            if inner is not None and inner[1] in _PREDICT and inner[2]:
                scope.evaluations.append((node, inner[0], self._data(inner[2][0].value)))

    def _close(self, scope: _EvalScope, *, function: bool) -> None:
        """Report the scope's evaluations on training data alone. A function's model
        that outlives the call (returned, kept on an object, handed on) may be
        evaluated on held-out data where it goes: its training score is only
        reported by a scope that sees every use of the model."""
        if scope.cross_validated:
            return
        reported: set[int] = set()
        for node, model, data in scope.evaluations:
            fitted = scope.fits.get(model)
            if not fitted or data not in fitted or id(node) in reported:
                continue
            if function and (model in scope.escaped or "." in model):
                continue
            if any(m == model and d not in fitted for m, d in scope.uses):
                continue  # also evaluated on other data: a held-out evaluation exists
            reported.add(id(node))
            self.report(
                node,
                f"`{model}` is evaluated on `{shown(data.partition(_BOUND)[0], 40)}`, the data it was fitted on, and on nothing held out; "
                "evaluate on a test split or with cross-validation",
            )
