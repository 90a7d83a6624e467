"""PyTorch training and evaluation code, as the torch rules (ML702-ML704, ML708, ML709) need it.

One module (a notebook's cells concatenated) is read through its stdlib ``ast``:

- **What is a torch module.** Decided by origin, never by a variable's name: instances
  of classes deriving (transitively, in the module or through project imports, resolved
  lazily) from ``torch.nn.Module``, any ``torch.nn`` layer, Lightning's ``LightningModule``
  or a transformers model class; results of ``torch.nn.*`` constructors,
  ``torchvision.models.*``, ``timm.create_model``, ``*.from_pretrained`` of a model class,
  ``torch.load``/``torch.jit.load``; wrappers of those (``DDP(m)``, ``torch.compile(m)``,
  ``accelerator.prepare(m)``, ``m.to(device)``); ``self`` in such a class; ``self.x``
  assigned one in the class; a parameter annotated as one or passed one by every caller
  in the module. Anything else is not known to be a module.
- **Training loops.** A ``for``/``while`` loop whose body calls ``backward()`` (on a loss,
  ``accelerator.backward``, ``scaler.scale(loss).backward()``) and an optimizer's
  ``step()`` (a receiver built by ``torch.optim``, or named like an optimizer;
  ``scaler.step(opt)``), or calls a project function doing both; and what clears
  gradients in it (``zero_grad``, ``p.grad = None``, ``p.grad.zero_()``, a project helper
  doing so). A call handing the optimizer to code that cannot be read makes it unsure.
- **Loss accumulation.** In a loop that calls ``backward()``: ``total += loss`` or
  ``losses.append(loss)`` where ``loss`` is, at that point, a loss tensor (a criterion or
  ``F.*_loss`` call, ``outputs.loss``) not turned into a number (``.item()``,
  ``.detach()``, ``float()``), and the running total is not itself back-propagated.
- **Train/eval mode.** A forward walk of each function and of the module level tracks,
  for each model expression (``model``, ``self.net``), whether it is fresh (constructed
  here: in training mode), loaded by ``from_pretrained`` (evaluation mode), put in
  evaluation mode, put in training mode by an explicit ``.train()``, or *trained* (a
  training loop or project function ran on it since). Branches join, loops iterate to a
  fixpoint and are assumed to run at least once. A project function's effect on its
  arguments (``train(model)`` leaves ``model`` trained, ``evaluate(model)`` in
  evaluation mode) is summarised by walking it once per run (a recursive call leaves
  what it is given undetermined); an argument handed to code that cannot be read
  becomes undetermined. Where the walk starts inside a function, a parameter's (or
  ``self``'s, or a global's) state comes from the function's callers in the module,
  one level up.
- **Evaluation code.** Calls of a model inside ``torch.no_grad()``/``inference_mode()``
  (``with`` blocks, decorators, ``torch.set_grad_enabled(False)``) or in a function
  named like evaluate/validate/test/predict/infer; and loops over a data loader in such
  a function, over a loader named like ``val_loader``/``test_loader``, or after
  ``model.eval()``. Lightning modules and transformers ``Trainer`` subclasses set modes
  and grad mode themselves: their methods are not evaluation code here.

Cost (issue #11: a full run must cost a small multiple of ``ast.parse``). Each stage runs
only when the cheaper ones before it cannot rule the module (or scope, or loop) out, and
every rule reads the same memoised facts:

1. Text and index, no syntax tree (regular expressions over the text, O(text); the
   index's call sites, O(call sites)). ML702 needs evaluation code (a call turning grad
   off, or a ``def`` named for evaluation) and training the module can reach: it calls
   ``backward`` (the word, not "backwards"), or calls a project function that may, decided
   per function from the other module's text and call sites (transitively, memoised per
   run). ML703 and ML708 need a ``backward`` call (ML703 also one reached through a project
   step function). ML704 needs a ``forward`` attribute other than in prose, ``super()``'s
   or a call site of a name chain inside a ``forward`` method. A module ruled out here is
   never parsed again (the index keeps only the most recent trees).
2. The skeleton: one pass over the statements (not the expressions) finds every scope,
   loop and class, O(statements). Bindings and calls are collected per unit (the module
   level's own code, one top-level function or one class) on first use, O(unit).
3. Loops: only loops whose lines mention ``backward``, the name of a local function that
   may be a training step, or a call into a module that may back-propagate are read for
   training facts; a loop nested in a loop of the same scope is read once and taken whole
   by the outer one, so the loops cost O(their code), not O(code * depth).
4. The train/eval mode walk (ML702, ML709) runs per scope, at most once, and only for a
   scope that may record something that counts: for ML702 a call of something that may
   be a model in evaluation code, in a scope where (by the index's call sites, per
   top-level function) a model may have been trained, in it or before a call of it; for
   ML709 a loop over a loader that the code around it (``with`` blocks, decorators, calls
   needing gradients) does not rule out. What the walk does with a call is planned once;
   a loop's body is walked at most twice per enclosing loop (its fixpoint). Each project
   function it calls is summarised once per run.

Another module is read only when a walk or a class question reaches it (the last 32
modules' facts stay memoised). Nothing is computed for the project as a whole. The
analysis holds its project weakly: a reference cycle through the project would keep
every syntax tree of a run alive until a full garbage collection.

Measured (user CPU time of ``mllint check --select ML702,ML703,ML704,ML708,ML709`` less
``--select ML001``, one job, min of 3 on the shared 2-core development machine, where
differences below 0.1 s are noise; ``ast`` is reading and parsing the same files):
torchmetrics 1.44 s before, 0.06-0.20 s now (ast 0.40-0.46 s); pytorch/examples 0.37-0.47 s
before, 0.06-0.14 s now (ast 0.05 s CPU, 0.12-0.17 s wall): training scripts pass every
pre-condition and cost about one collection pass, the loop facts and a few walks each;
accelerate 1.21 s -> 0.28 s (ast 0.23 s); Kaggle-Competitions 5.19 s -> 0.78 s (ast 0.93 s);
MONAI 3.64 s -> 0.83 s (ast 1.05 s); lightning 2.09 s -> 0.63 s (ast 0.66 s). Half of the
old cost on libraries was not the walks but the garbage collection of the syntax trees a
cycle through the project kept alive.
"""

from __future__ import annotations

import ast
import builtins
import re
import unicodedata
import weakref
from bisect import bisect_left, bisect_right
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType
from typing import Any

from mllint.engine.context import Analysis, ProjectContext
from mllint.engine.findings import Reach
from mllint.project.index import CallSite, ModuleInfo, dotted_name
from mllint.syntax.ast_walks import BLOCKS, without_leaves
from mllint.syntax.text_search import word_starts

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef
LoopNode = ast.For | ast.AsyncFor | ast.While

# -- what an expression is ------------------------------------------------------------

MODULE = "module"
OTHER = "other"
UNKNOWN = "unknown"
_CYCLE = "cycle"  # a definition that refers back to the name being decided: neutral
#: marks a kind question asked from a caller: parameters are not followed further up
_CALLERS = (0, "<callers>")

#: ``torch.nn`` names that are not modules.
_NN_NOT_MODULES = frozenset({"Parameter", "UninitializedParameter", "UninitializedBuffer", "Buffer"})
_NN_NOT_MODULE_PACKAGES = frozenset({"functional", "init", "utils", "parameter", "grad", "attention"})
#: Calls that return a module whatever their arguments (a loaded or hub model).
_MODULE_FACTORIES = frozenset({
    "timm.create_model", "timm.models.create_model", "torch.hub.load", "peft.get_peft_model",
    "sentence_transformers.SentenceTransformer", "torch.load", "torch.jit.load", "torch.jit.script",
    "torch.jit.trace", "torch.export.load",
})
#: Module calls whose module's training mode is whatever was saved: undetermined.
_LOADERS = frozenset({"torch.load", "torch.jit.load", "torch.hub.load", "torch.export.load"})
#: Calls that wrap a module and return one in the same mode.
_WRAPPERS = frozenset({
    "torch.compile", "torch.nn.DataParallel", "torch.nn.parallel.DataParallel",
    "torch.nn.parallel.DistributedDataParallel", "torch.nn.parallel.distributed.DistributedDataParallel",
    "torch.distributed.fsdp.FullyShardedDataParallel", "torch.jit.script", "torch.jit.trace",
})
#: Methods that return their receiver (a module stays the same module in the same mode).
_SELF_RETURNING = frozenset({
    "to", "cuda", "cpu", "xpu", "mps", "float", "half", "double", "bfloat16", "type", "requires_grad_",
    "share_memory", "to_empty",
})
#: Methods of framework objects that wrap what they are given (``accelerator.prepare(model)``).
_PREPARE = frozenset({"prepare", "prepare_model", "setup", "setup_module"})
#: Libraries whose objects are not torch modules.
_NOT_TORCH = frozenset({
    "sklearn", "skorch", "numpy", "pandas", "xgboost", "lightgbm", "catboost", "keras", "tensorflow", "jax",
    "flax", "scipy", "statsmodels", "imblearn", "optax",
})
_HF_MODEL = re.compile(r"(?!TF|Flax)\w*(PreTrainedModel|Model|For[A-Z]\w*|LMHeadModel)")
_HF_NOT_MODEL = re.compile(r"\w*(Tokenizer|Config|Processor|Extractor|Collator|Pipeline|Trainer|Arguments)\w*")
#: Methods only a torch module has: evidence that an otherwise unknown name is one.
_MODULE_METHODS = frozenset({
    "train", "eval", "parameters", "named_parameters", "state_dict", "load_state_dict", "zero_grad", "modules",
    "named_modules", "children", "named_children", "requires_grad_", "register_forward_hook",
    "register_forward_pre_hook", "buffers", "named_buffers", "apply",
})
_LOSS_NAME = re.compile(r"loss|criterion|metric", re.IGNORECASE)
#: ``torch.nn`` layers that behave the same in training and evaluation mode.
_MODE_FREE_LAYERS = frozenset({
    "Module", "Identity", "Linear", "Bilinear", "LazyLinear", "Conv1d", "Conv2d", "Conv3d", "ConvTranspose1d",
    "ConvTranspose2d", "ConvTranspose3d", "LazyConv1d", "LazyConv2d", "LazyConv3d", "Embedding", "EmbeddingBag",
    "ReLU", "ReLU6", "LeakyReLU", "PReLU", "ELU", "SELU", "CELU", "GELU", "SiLU", "Mish", "Sigmoid", "Tanh",
    "Softmax", "LogSoftmax", "Softmin", "Softplus", "Softsign", "Hardtanh", "Hardswish", "Hardsigmoid",
    "Hardshrink", "Softshrink", "Tanhshrink", "Threshold", "GLU", "LogSigmoid", "LayerNorm", "GroupNorm",
    "RMSNorm", "LocalResponseNorm", "MaxPool1d", "MaxPool2d", "MaxPool3d", "AvgPool1d", "AvgPool2d",
    "AvgPool3d", "AdaptiveMaxPool1d", "AdaptiveMaxPool2d", "AdaptiveMaxPool3d", "AdaptiveAvgPool1d",
    "AdaptiveAvgPool2d", "AdaptiveAvgPool3d", "LPPool1d", "LPPool2d", "Flatten", "Unflatten", "Upsample",
    "UpsamplingNearest2d", "UpsamplingBilinear2d", "PixelShuffle", "PixelUnshuffle", "ZeroPad1d", "ZeroPad2d",
    "ZeroPad3d", "ConstantPad1d", "ConstantPad2d", "ConstantPad3d", "ReflectionPad1d", "ReflectionPad2d",
    "ReflectionPad3d", "ReplicationPad1d", "ReplicationPad2d", "ReplicationPad3d", "CosineSimilarity",
    "PairwiseDistance", "LSTMCell", "GRUCell", "RNNCell", "Parameter", "ParameterList", "ParameterDict",
})
#: ``torch.nn`` recurrent layers: mode-dependent only with ``dropout`` between layers.
_RECURRENT = frozenset({"LSTM", "GRU", "RNN"})
_CONTAINERS = frozenset({"Sequential", "ModuleList"})
#: Functional calls that behave by the mode when given ``training=self.training`` (or always train).
_MODE_FUNCTIONS = frozenset({"dropout", "dropout1d", "dropout2d", "dropout3d", "alpha_dropout",
                             "feature_alpha_dropout", "batch_norm"})


@dataclass(frozen=True)
class ClassFacts:
    """What a class is, for the rules."""

    kind: str  # MODULE, OTHER or UNKNOWN
    #: a Lightning module or a transformers ``Trainer``: the framework sets modes and grad mode
    managed: bool = False
    #: the class (or a project base) defines ``__call__`` (``m(x)`` is not ``m.forward(x)``)
    #: or ``backward`` (a gradient pass written by hand, outside autograd, that its own
    #: code drives by calling ``forward``): a direct ``forward`` call is its protocol
    forwards_directly: bool = False


def _join_kinds(kinds: Iterable[str]) -> str:
    """Unanimous: every definition a module (or every one not)."""
    found = {k for k in kinds if k != _CYCLE}
    if found == {MODULE}:
        return MODULE
    if found == {OTHER}:
        return OTHER
    return UNKNOWN


def qualified_kind(qualified: str) -> str | None:
    """What a call of (or a class named by) an imported name gives, when the name says so."""
    parts = qualified.split(".")
    last = parts[-1]
    if qualified in _MODULE_FACTORIES or qualified in _WRAPPERS:
        return MODULE
    if parts[0] == "torch" and len(parts) > 2 and parts[1] == "nn":
        inner = set(parts[2:-1])
        if last[:1].isupper() and last not in _NN_NOT_MODULES and not inner & _NN_NOT_MODULE_PACKAGES:
            return MODULE
        return OTHER
    if parts[0] == "torchvision" and len(parts) > 2 and parts[1] == "models":
        return OTHER if "weight" in last.lower() or last in ("list_models", "get_model_builder") else MODULE
    if parts[0] in ("pytorch_lightning", "lightning") and last == "LightningModule":
        return MODULE
    if parts[0] == "torchmetrics" and last[:1].isupper():
        return MODULE
    if parts[0] in ("transformers", "peft"):
        if _HF_NOT_MODEL.fullmatch(last):
            return OTHER
        return MODULE if _HF_MODEL.fullmatch(last) else None
    if parts[0] in _NOT_TORCH:
        return OTHER
    if parts[0] == "torch":
        return MODULE if qualified == "torch.jit.ScriptModule" else OTHER
    return None


def _is_managed_base(qualified: str) -> bool:
    parts = qualified.split(".")
    if parts[0] in ("pytorch_lightning", "lightning"):
        return parts[-1] == "LightningModule"
    return parts[0] in ("transformers", "trl", "setfit") and parts[-1].endswith("Trainer")


# -- names ---------------------------------------------------------------------------

_WORD = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")
EVAL_WORDS = frozenset({
    "eval", "evaluate", "evaluation", "evaluating", "validate", "validation", "validating", "valid", "val",
    "test", "testing", "predict", "prediction", "predictions", "infer", "inference", "inferring",
})
TRAIN_WORDS = frozenset({"train", "training", "fit", "finetune", "trainer", "optimize", "optimise"})
_EVAL_DATA_WORDS = frozenset({"val", "valid", "validation", "test", "testing", "eval", "evaluation", "dev", "holdout"})
_EVAL_DATA_PREFIX = re.compile(r"(val|valid|validation|test|eval|dev)(loader|dl|data|set|iter|batch)s?")
_LOADER = re.compile(r"loader|(^|_)dls?($|_)|^dl", re.IGNORECASE)
_ITER_WRAPPERS = frozenset({"enumerate", "tqdm", "zip", "iter", "trange", "track", "progress_bar", "islice"})
_OPTIMIZER = re.compile(r"optim|(^|_)opts?(\d|_|$)|^opt[A-Z\d]")
_OPTIMIZER_PACKAGES = ("torch.optim.", "transformers.AdamW", "transformers.Adafactor", "transformers.optimization.",
                       "bitsandbytes.optim.", "timm.optim.", "apex.optimizers.", "torch_optimizer.")
#: Calls that run back-propagation under another autograd than torch's own.
_NOT_BACKWARD = frozenset({"torch.distributed.autograd.backward"})
_GRAD_OFF = frozenset({
    "torch.no_grad", "torch.inference_mode", "torch.autograd.no_grad", "torch.autograd.grad_mode.no_grad",
    "torch.autograd.inference_mode", "torch.autograd.grad_mode.inference_mode",
})
_GRAD_ON = frozenset({"torch.enable_grad", "torch.autograd.enable_grad", "torch.autograd.grad_mode.enable_grad"})
_SET_GRAD = frozenset({"torch.set_grad_enabled", "torch.autograd.set_grad_enabled",
                       "torch.autograd.grad_mode.set_grad_enabled"})
_NEEDS_GRAD = frozenset({"torch.autograd.grad", "torch.autograd.backward", "torch.autograd.functional.jacobian"})
_F_LOSSES = frozenset({"cross_entropy", "binary_cross_entropy", "binary_cross_entropy_with_logits", "kl_div",
                       "nll_loss", "mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss"})
#: Methods of a loss tensor whose result still carries its graph.
_KEEPS_GRAPH = frozenset({"mean", "sum", "clone", "cpu", "cuda", "to", "float", "double", "half", "squeeze",
                          "unsqueeze", "view", "reshape", "abs", "sqrt", "pow", "mul", "div", "add", "sub"})
_CRITERION = re.compile(r"criterion|^loss_?(fn|func|function|fct)$|_loss_?(fn|func)$", re.IGNORECASE)
_BUILTINS = frozenset(dir(builtins))
_NEWLINE = re.compile(r"\r\n|\r|\n")
#: ``backward`` as a word of its own or after ``_`` (``manual_backward``): a word
#: character other than ``_`` before it, or after it, makes another word.
_BACKWARD_END = re.compile(r"backward\b")
_WORD_BUT_UNDERSCORE = re.compile(r"[^\W_]")
_FORWARD_DEF = re.compile(r"\bdef\s+$")
_SUPER_FORWARD = re.compile(r"\bsuper\([\w\s,.]*\)\.$")
#: methods that delegate to ``forward`` (calling it there is not a bypass)
_FORWARDING = ("forward", "__call__", "_call_impl")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def mentions_backward(text: str) -> bool:
    """Whether *text* may call ``backward`` (``x.backward``, ``manual_backward``, an
    import of ``torch.autograd.backward``; not "backwards"): the parser reads identifiers
    NFKC-normalised, so a text with other characters is read so too."""
    if _word_backward(text):
        return True
    if text.isascii():
        return False
    return _word_backward(unicodedata.normalize("NFKC", text))


def _word_backward(text: str) -> bool:
    """``re.search(r"(?:\\b|_)backward\\b", text)``, judged only where ``str.find``
    finds the word: led by an assertion, the pattern was tried at every position
    of every module mentioning it (50x slower over a library's modules)."""
    start = text.find("backward")
    while start != -1:
        if (start == 0 or not _WORD_BUT_UNDERSCORE.match(text, start - 1)) and _BACKWARD_END.match(text, start):
            return True
        start = text.find("backward", start + 1)
    return False


def _meets(span: tuple[int, int], lines: list[int]) -> bool:
    """Whether one of the sorted *lines* is in *span*."""
    index = bisect_left(lines, span[0])
    return index < len(lines) and lines[index] <= span[1]


def words(name: str) -> frozenset[str]:
    """``run_validation`` / ``validateModel`` -> their lower-case words."""
    return frozenset(w.lower() for w in _WORD.findall(name))


def names_evaluation(name: str) -> bool:
    """A function name about evaluation and not about training."""
    found = words(name)
    return bool(found & EVAL_WORDS) and not found & TRAIN_WORDS


#: a ``def`` whose name may be about evaluation (every word of EVAL_WORDS holds one of these parts)
_EVAL_DEF = re.compile(r"def(?:\s|\\)+(\w*?(?:eval|val|test|predict|infer)\w*)", re.IGNORECASE)
GRAD_OFF_WORDS = ("no_grad", "inference_mode", "set_grad_enabled")


def may_evaluate(text: str) -> bool:
    """Whether a module's text may hold code the train/eval mode walk records uses in:
    a call turning grad off (aliases are imported by their names), or a function named
    for evaluation (every ``def`` is read, in strings too: a superset)."""
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    return any(word in text for word in GRAD_OFF_WORDS) or any(map(names_evaluation, _EVAL_DEF.findall(text)))


def names_evaluation_data(name: str) -> bool:
    """A data loader name about validation or test data (``val_loader``, ``test_dl``,
    ``testloader``)."""
    found = words(name)
    return bool(found & _EVAL_DATA_WORDS or any(_EVAL_DATA_PREFIX.fullmatch(w) for w in found)) \
        and not found & TRAIN_WORDS


def key_of(node: ast.AST) -> str | None:
    """``model``, ``self.net``: the dotted text of a name or attribute chain, with the
    wrapper attributes that reach the same module (``model.module``, ``m._orig_mod``) dropped."""
    dotted = dotted_name(node) if isinstance(node, ast.expr) else None
    if dotted is None:
        return None
    parts = dotted.split(".")
    while len(parts) > 1 and parts[-1] in ("module", "_orig_mod"):
        parts.pop()
    return ".".join(parts)


def last_identifier(node: ast.AST) -> str | None:
    """``self.val_loader`` -> ``val_loader``; ``get_loader()`` -> ``get_loader``."""
    while isinstance(node, (ast.Call, ast.Subscript)):
        node = node.func if isinstance(node, ast.Call) else node.value
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    return None


def _node_classes(base: type) -> Iterator[type]:
    for cls in base.__subclasses__():
        yield cls
        yield from _node_classes(cls)


#: Fields that never hold a node the analysis looks at: names, numbers, and the
#: load/store contexts, operators and import aliases (leaves nothing here reads).
_NOT_CHILDREN = frozenset({"ctx", "op", "ops", "names", "id", "attr", "arg", "kind", "type_comment", "level", "module",
                           "conversion", "is_async", "name", "asname", "kwd_attrs", "rest", "tag", "simple", "lineno"})
#: node class -> the fields that hold its child nodes, in ``_fields`` order (``ast.iter_child_nodes``
#: less the leaves above, without its generator and field-by-field type checks).
_CHILD_FIELDS: Mapping[type, tuple[str, ...]] = MappingProxyType({
    cls: tuple(name for name in cls._fields if name not in _NOT_CHILDREN
               and not (name == "value" and cls in (ast.Constant, ast.MatchSingleton)))
    for cls in _node_classes(ast.AST)
})
_SCOPES_APART = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)


def _children(node: ast.AST) -> list[ast.AST]:
    """The child nodes of *node* that can hold anything the analysis reads."""
    found: list[ast.AST] = []
    for name in _CHILD_FIELDS[node.__class__]:
        value = getattr(node, name, None)
        if value.__class__ is list:
            found.extend(value if None not in value else [item for item in value if item is not None])
        elif value is not None:
            found.append(value)
    return found


def calls_in(node: ast.AST, *, into_functions: bool = False) -> list[ast.Call]:
    """The calls of an expression or statement, innermost first (by where they end);
    the bodies of lambdas and nested functions run later and are left out unless asked."""
    found: list[ast.Call] = []
    stack = [node]
    while stack:
        current = stack.pop()
        if not into_functions and current is not node and isinstance(current, _SCOPES_APART):
            continue
        if current.__class__ is ast.Call:
            found.append(current)  # type: ignore[arg-type]
        stack.extend(_children(current))
    found.sort(key=lambda call: (call.end_lineno or 0, call.end_col_offset or 0))
    return found


def _walk_code(node: ast.AST) -> list[ast.AST]:
    """Every node under *node* that runs with it (nested function bodies excluded), in
    the order of a depth-first walk that takes the last child first."""
    found: list[ast.AST] = []
    stack = _children(node)
    while stack:
        current = stack.pop()
        found.append(current)
        if not isinstance(current, _SCOPES_APART):
            stack.extend(_children(current))
    return found


def _constant(node: ast.AST | None) -> object:
    return node.value if isinstance(node, ast.Constant) else ...


def _positional(call: ast.Call, index: int) -> ast.expr | None:
    args = [a for a in call.args if not isinstance(a, ast.Starred)]
    return args[index] if len(args) > index and len(args) == len(call.args) else None


def _names_loss_or_metric(qualified: str) -> bool:
    """Whether a class called *qualified* builds a loss (``nn.CrossEntropyLoss``,
    a project's ``FocalLoss``) or a torchmetrics metric: modules that compute the
    same in training and evaluation mode."""
    return qualified.endswith("Loss") or qualified.startswith("torchmetrics.")


def _module_returned(value: ast.expr | None) -> ast.expr | None:
    """The module a chain of calls returning their module is made on: ``net`` of
    ``net.to(device).train()``; *value* itself when it is no such call."""
    while isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute) \
            and value.func.attr in _SELF_RETURNING | {"train", "eval"}:
        value = value.func.value
    return value


def _argument(call: ast.Call, index: int, keyword: str) -> ast.expr | None:
    for kw in call.keywords:
        if kw.arg == keyword:
            return kw.value
    return _positional(call, index)


def _passed(call: ast.Call) -> list[ast.expr]:
    return [a.value if isinstance(a, ast.Starred) else a for a in call.args] + [kw.value for kw in call.keywords]


# -- scopes ----------------------------------------------------------------------------

_DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
_LOOPS = (ast.For, ast.AsyncFor, ast.While)


@dataclass(eq=False)
class Scope:
    """A function (or the module level) with what its names are bound to.

    The skeleton (name, parameters, parent, class) exists for every scope from the
    start; the bindings and calls of its code are collected on first use, for the
    whole :class:`_Unit` the scope belongs to."""

    node: ast.Module | FunctionNode
    qualname: str  # "" for the module level, "f", "Class.method", "f.inner"
    class_name: str | None  # the class a method is defined in
    parent: Scope | None
    params: dict[str, ast.expr | None] = field(default_factory=dict)  # name -> annotation
    positional: list[str] = field(default_factory=list)
    unit: _Unit | None = None
    _defs: dict[str, list[ast.expr | None]] = field(default_factory=dict)
    _declared_global: set[str] = field(default_factory=set)
    _nested: dict[str, Scope] = field(default_factory=dict)
    _functions: set[str] = field(default_factory=set)
    _calls: list[ast.Call] = field(default_factory=list)
    #: the assignments and ``del`` statements of the scope's own code
    _assignments: list[ast.stmt] = field(default_factory=list)
    #: the lambdas, functions and classes in the scope's own code (their code is not its)
    _closed: list[ast.AST] = field(default_factory=list)

    def _collected(self) -> Scope:
        unit = self.unit
        if unit is not None and not unit.done:
            unit.collect()
        return self

    @property
    def defs(self) -> dict[str, list[ast.expr | None]]:
        """Local name -> the values it is bound to (None: bound by a loop, ``with``, import, ...)."""
        return self._collected()._defs

    @property
    def declared_global(self) -> set[str]:
        return self._collected()._declared_global

    @property
    def nested(self) -> dict[str, Scope]:
        return self._collected()._nested

    @property
    def functions(self) -> set[str]:
        """Names bound to a def or class here."""
        return self._collected()._functions

    @property
    def calls(self) -> list[ast.Call]:
        """The calls of the scope's own code (not of functions nested in it)."""
        return self._collected()._calls

    @property
    def assignments(self) -> list[ast.stmt]:
        return self._collected()._assignments

    @property
    def closed(self) -> list[ast.AST]:
        return self._collected()._closed

    @property
    def name(self) -> str:
        return self.qualname.rpartition(".")[2]

    @property
    def is_module(self) -> bool:
        return isinstance(self.node, ast.Module)

    @property
    def self_class(self) -> str | None:
        """The class ``self`` is an instance of here (methods and functions nested in them)."""
        scope: Scope | None = self
        while scope is not None and not scope.is_module:
            if scope.class_name is not None:
                return scope.class_name if "self" in scope.params else None
            scope = scope.parent
        return None

    @cached_property
    def span(self) -> tuple[int, int]:
        """The lines of the scope's code, decorators included."""
        return _span(self.node)


def _span(node: ast.AST) -> tuple[int, int]:
    if isinstance(node, ast.Module):
        return 1, 1 << 30
    start = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", ()))])  # type: ignore[attr-defined]
    return start, node.end_lineno or node.lineno  # type: ignore[attr-defined]


def _bind(scope: Scope, target: ast.expr, value: ast.expr | None) -> None:
    if isinstance(target, ast.Name):
        scope._defs.setdefault(target.id, []).append(value)
    elif isinstance(target, (ast.Tuple, ast.List)):
        values: list[ast.expr | None] = [None] * len(target.elts)
        if isinstance(value, (ast.Tuple, ast.List)) and len(value.elts) == len(target.elts):
            values = list(value.elts)
        elif (isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute) and value.func.attr in _PREPARE
              and len(value.args) == len(target.elts) and not any(isinstance(a, ast.Starred) for a in value.args)):
            values = list(value.args)
        for element, element_value in zip(target.elts, values):
            _bind(scope, element, element_value)
    elif isinstance(target, ast.Starred):
        _bind(scope, target.value, None)


def _bound_names(node: ast.AST) -> Iterator[ast.expr]:
    if isinstance(node, ast.Name):
        yield node
    elif isinstance(node, (ast.Tuple, ast.List)):
        for element in node.elts:
            yield from _bound_names(element)
    elif isinstance(node, ast.Starred):
        yield from _bound_names(node.value)


def _walk_statements(stmt: ast.AST) -> Iterator[ast.AST]:
    """The statements (and handlers, cases) nested in *stmt*, in the order
    :func:`_walk_code` meets them; definitions are yielded but not entered."""
    stack = [child for name in BLOCKS for child in getattr(stmt, name, ())]
    while stack:
        current = stack.pop()
        yield current
        if not isinstance(current, _DEFINITIONS):
            stack.extend(child for name in BLOCKS for child in getattr(current, name, ()))


#: class attribute -> (value or annotation, scope it is evaluated in, is an annotation)
Attributes = dict[str, dict[str, list[tuple[ast.expr | None, Scope, bool]]]]


@dataclass(eq=False)
class _Unit:
    """What is collected at once: the module level's own code, or one function or
    class defined there with everything nested in it."""

    owner: _Collected
    kind: str  # "module", "function" or "class"
    node: ast.AST
    scope: Scope | None = None  # a function unit's function; a class unit's enclosing scope
    qual: str = ""  # a class unit's class
    done: bool = False
    attributes: Attributes = field(default_factory=dict)

    def collect(self) -> None:
        self.done = True
        _UnitCollector(self).run()


@dataclass(eq=False)
class _Collected:
    """A module's scopes, found by one pass over its statements; each unit's bindings
    and calls are collected when a question first needs them."""

    module: Scope
    functions: dict[str, Scope]  # qualname -> scope, every function and method
    loops: dict[int, Scope]  # id(loop) -> the scope whose code it is
    loop_nodes: list[LoopNode]
    scope_of: dict[int, Scope]  # id(function node) -> its scope
    units: list[_Unit]
    class_units: dict[str, list[_Unit]]  # class -> the units that define it

    def attribute_entries(self, class_name: str, attr: str) -> list[tuple[ast.expr | None, Scope, bool]]:
        entries: list[tuple[ast.expr | None, Scope, bool]] = []
        for unit in self.class_units.get(class_name, ()):
            if not unit.done:
                unit.collect()
            entries.extend(unit.attributes.get(class_name, {}).get(attr, ()))
        return entries

    def collect_all(self) -> None:
        for unit in self.units:
            if not unit.done:
                unit.collect()

    def release(self) -> None:
        """Break the parent, nesting and unit references between the scopes."""
        for scope in [self.module, *self.scope_of.values()]:
            scope.parent = None
            scope.unit = None
            scope._nested = {}
        for unit in self.units:
            unit.scope = None
            unit.attributes = {}
        self.units.clear()
        self.scope_of.clear()
        self.functions.clear()
        self.class_units.clear()


def _collect(tree: ast.Module) -> _Collected:
    """The skeleton: every scope, loop and unit, from the statements alone."""
    module = Scope(tree, "", None, None)
    found = _Collected(module, {}, {}, [], {}, [], {})
    module.unit = _Unit(found, "module", tree)
    found.units.append(module.unit)
    _skeleton_body(found, module, tree.body, None, module.unit)
    return found


def _skeleton_body(found: _Collected, scope: Scope, body: list[ast.stmt], class_name: str | None,
                   unit: _Unit) -> None:
    for stmt in body:
        if isinstance(stmt, _FUNCTIONS):
            _skeleton_function(found, scope, stmt, class_name, unit)
        elif isinstance(stmt, ast.ClassDef):
            qual = f"{class_name}.{stmt.name}" if class_name else stmt.name
            if scope.is_module or class_name is not None:
                inner = unit
                if unit.kind == "module":
                    inner = _Unit(found, "class", stmt, scope, qual)
                    found.units.append(inner)
                units = found.class_units.setdefault(qual, [])
                if not units or units[-1] is not inner:
                    units.append(inner)
                _skeleton_body(found, scope, [s for s in stmt.body if isinstance(s, _DEFINITIONS)], qual, inner)
        else:
            for node in (stmt, *_walk_statements(stmt)):
                if isinstance(node, _LOOPS):
                    found.loops[id(node)] = scope
                    found.loop_nodes.append(node)  # type: ignore[arg-type]
                elif isinstance(node, _DEFINITIONS) and node is not stmt:
                    _skeleton_body(found, scope, [node], class_name, unit)  # type: ignore[list-item]


def _skeleton_function(found: _Collected, parent: Scope, node: FunctionNode, class_name: str | None,
                       unit: _Unit) -> None:
    if class_name is not None:
        qual = f"{class_name}.{node.name}"
    else:
        qual = f"{parent.qualname}.{node.name}" if parent.qualname else node.name
    scope = Scope(node, qual, class_name, parent)
    args = node.args
    for arg in [*args.posonlyargs, *args.args]:
        scope.params[arg.arg] = arg.annotation
        scope.positional.append(arg.arg)
    for arg in [*args.kwonlyargs, *(a for a in (args.vararg, args.kwarg) if a is not None)]:
        scope.params[arg.arg] = arg.annotation if arg in args.kwonlyargs else None
    if unit.kind == "module":
        unit = _Unit(found, "function", node, scope)
        found.units.append(unit)
    scope.unit = unit
    found.scope_of[id(node)] = scope
    found.functions.setdefault(qual, scope)
    _skeleton_body(found, scope, node.body, None, unit)


class _UnitCollector:
    """Binds the names and collects the calls of one unit's scopes (the order of the
    single pass over the module that the skeleton mirrors). A scope's facts are
    written only by its own unit."""

    def __init__(self, unit: _Unit) -> None:
        self.unit = unit
        self.found = unit.owner
        #: node type -> what a node of a scope's code binds or records (unbound: a table of
        #: bound methods on the collector would be a reference cycle)
        self.handlers = _COLLECTOR_HANDLERS

    def run(self) -> None:
        unit = self.unit
        if unit.kind == "module":
            self.body(self.found.module, unit.node.body, None)  # type: ignore[attr-defined]
        elif unit.kind == "function":
            assert unit.scope is not None
            self.body(unit.scope, unit.scope.node.body, None)
        else:
            assert unit.scope is not None
            self.class_body(unit.scope, unit.node, unit.qual)  # type: ignore[arg-type]

    def body(self, scope: Scope, body: list[ast.stmt], class_name: str | None) -> None:
        handlers = self.handlers
        for stmt in body:
            if isinstance(stmt, _DEFINITIONS) and scope.unit is self.unit:
                scope._closed.append(stmt)
            if isinstance(stmt, _FUNCTIONS):
                self.function(scope, stmt, class_name)
                continue
            if isinstance(stmt, ast.ClassDef):
                if scope.unit is self.unit:
                    scope._functions.add(stmt.name)
                    scope._defs.setdefault(stmt.name, []).append(None)
                if scope.is_module or class_name is not None:
                    self.class_body(scope, stmt, f"{class_name}.{stmt.name}" if class_name else stmt.name)
                continue
            handler = handlers.get(type(stmt))
            if handler is not None:
                handler(self, scope, stmt)
            for node in _walk_code(stmt):
                handler = handlers.get(type(node))
                if handler is not None:
                    handler(self, scope, node)

    def class_body(self, scope: Scope, node: ast.ClassDef, qual: str) -> None:
        if self.unit.kind == "class":
            attributes = self.unit.attributes.setdefault(qual, {})
            for stmt in node.body:
                if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
                    attributes.setdefault(stmt.target.id, []).append((stmt.annotation, scope, True))
                    if stmt.value is not None:
                        attributes[stmt.target.id].append((stmt.value, scope, False))
                elif isinstance(stmt, ast.Assign):
                    for target in stmt.targets:
                        if isinstance(target, ast.Name):
                            attributes.setdefault(target.id, []).append((stmt.value, scope, False))
        self.body(scope, [s for s in node.body if isinstance(s, _DEFINITIONS)], qual)

    def function(self, parent: Scope, node: FunctionNode, class_name: str | None) -> None:
        scope = self.found.scope_of[id(node)]
        if class_name is None and parent.unit is self.unit:
            parent._functions.add(node.name)
            parent._defs.setdefault(node.name, []).append(None)
            parent._nested[node.name] = scope
        if scope.unit is self.unit:
            self.body(scope, node.body, None)

    # -- one node of a scope's code

    def call(self, scope: Scope, node: ast.Call) -> None:
        scope._calls.append(node)

    def assignment(self, scope: Scope, node: ast.stmt) -> None:
        scope._assignments.append(node)

    def lambda_(self, scope: Scope, node: ast.Lambda) -> None:
        scope._closed.append(node)

    def assign(self, scope: Scope, node: ast.Assign) -> None:
        scope._assignments.append(node)
        for target in node.targets:
            _bind(scope, target, node.value)
            self.self_attributes(scope, target, node.value)

    def ann_assign(self, scope: Scope, node: ast.AnnAssign) -> None:
        scope._assignments.append(node)
        _bind(scope, node.target, node.value)
        self_class = scope.self_class
        if self_class and isinstance(node.target, ast.Attribute) and isinstance(node.target.value, ast.Name) \
                and node.target.value.id == "self":
            self.unit.attributes.setdefault(self_class, {}).setdefault(node.target.attr, []).append(
                (node.annotation, scope, True))
            self.self_attributes(scope, node.target, node.value)

    def named_expr(self, scope: Scope, node: ast.NamedExpr) -> None:
        _bind(scope, node.target, node.value)

    def loop(self, scope: Scope, node: ast.For | ast.AsyncFor | ast.comprehension) -> None:
        for name in _bound_names(node.target):
            _bind(scope, name, None)

    def withitem(self, scope: Scope, node: ast.withitem) -> None:
        if node.optional_vars is not None:
            for name in _bound_names(node.optional_vars):
                _bind(scope, name, None)

    def imports(self, scope: Scope, node: ast.Import | ast.ImportFrom) -> None:
        for alias in node.names:
            scope._defs.setdefault((alias.asname or alias.name).split(".")[0], []).append(None)

    def handler(self, scope: Scope, node: ast.ExceptHandler) -> None:
        if node.name:
            scope._defs.setdefault(node.name, []).append(None)

    def global_(self, scope: Scope, node: ast.Global) -> None:
        scope._declared_global.update(node.names)

    def definition(self, scope: Scope, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> None:
        self.body(scope, [node], None)

    def self_attributes(self, scope: Scope, target: ast.expr, value: ast.expr | None) -> None:
        self_class = scope.self_class
        if self_class is None:
            return
        if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) and target.value.id == "self":
            self.unit.attributes.setdefault(self_class, {}).setdefault(target.attr, []).append((value, scope, False))
        elif isinstance(target, (ast.Tuple, ast.List)):
            for element in target.elts:
                self.self_attributes(scope, element, None)



_COLLECTOR_HANDLERS: Mapping[type, Callable[[_UnitCollector, Scope, Any], None]] = MappingProxyType({
    ast.Call: _UnitCollector.call, ast.Assign: _UnitCollector.assign, ast.AnnAssign: _UnitCollector.ann_assign,
    ast.NamedExpr: _UnitCollector.named_expr, ast.For: _UnitCollector.loop, ast.AsyncFor: _UnitCollector.loop,
    ast.comprehension: _UnitCollector.loop, ast.withitem: _UnitCollector.withitem, ast.Import: _UnitCollector.imports,
    ast.ImportFrom: _UnitCollector.imports, ast.ExceptHandler: _UnitCollector.handler,
    ast.Global: _UnitCollector.global_, ast.FunctionDef: _UnitCollector.definition,
    ast.AsyncFunctionDef: _UnitCollector.definition, ast.ClassDef: _UnitCollector.definition,
    ast.AugAssign: _UnitCollector.assignment, ast.Delete: _UnitCollector.assignment, ast.Lambda: _UnitCollector.lambda_,
})


# -- facts the rules read ---------------------------------------------------------------


@dataclass(frozen=True)
class TrainingLoop:
    """A loop that back-propagates and steps an optimizer (directly or through *via*)."""

    node: LoopNode
    scope: Scope
    backward: ast.Call
    step: ast.Call  # where to report: the optimizer step, or the call of the helper doing it
    via: Scope | None  # the project function that back-propagates and steps, if not the loop
    clears: bool  # gradients are cleared in the loop (or by a helper it calls)
    unsure: bool  # the optimizer is handed to code that cannot be read

    @property
    def optimizer(self) -> str | None:
        """The optimizer the reported step steps (``opt.step()``, ``scaler.step(opt)``)."""
        return _stepped(self.step) if self.via is None else None


@dataclass(frozen=True)
class LossAccumulation:
    """``total += loss`` / ``losses.append(loss)`` keeping a loss tensor's graph."""

    node: ast.stmt | ast.Call
    target: str  # the running total or list
    value: ast.expr  # the loss expression accumulated


@dataclass(frozen=True)
class ForwardCall:
    """``m.forward(x)`` on a torch module ``m``."""

    call: ast.Call
    receiver: ast.expr


@dataclass(frozen=True)
class EvalModeGap:
    """A model used for evaluation while in training mode after training."""

    target: ast.expr  # the called model expression
    key: str
    context: str  # "inside `torch.no_grad()`" or "in `evaluate()`"
    function: str | None  # the evaluating function (None at the module level)
    caller: ast.Call | None  # the call in this module that reaches it in training mode
    caller_key: str | None  # what that call passes for *key*


@dataclass(frozen=True)
class NoGradGap:
    """An evaluation loop over a data loader running a model with autograd on."""

    loop: ast.For | ast.AsyncFor
    loader: str
    key: str
    why: str  # what makes it evaluation


# -- train/eval mode -------------------------------------------------------------------

FRESH = "fresh"  # constructed here: training mode, never trained
EVAL = "eval"
TRAIN_SET = "train-set"  # an explicit .train() in this function, nothing trained since
TRAINED = "trained"  # a training loop or project function trained it since
ENTRY = "entry"  # as the function was called with
ORIGIN = "origin"  # where it came from is not known
OPAQUE = "opaque"  # something that could not be read may have changed the mode
_GRAD = "<grad>"  # pseudo-key: grad mode set by torch.set_grad_enabled(...) statements
_TRAINABLE = frozenset({FRESH, ENTRY, ORIGIN, TRAIN_SET, TRAINED})

State = dict[str, frozenset[str]]


@dataclass
class Use:
    call: ast.Call
    target: ast.expr
    key: str
    state: frozenset[str]
    no_grad: bool | None  # None: a context manager that may turn grad off
    exempt: bool  # inside the training loop itself (or a training step): meant to run in training mode
    scope: Scope
    top: ast.stmt | None


@dataclass
class Site:
    """A call of a function or method of the same module, with the caller's state there."""

    callee: Scope
    call: ast.Call
    caller: Scope
    state: State
    bindings: dict[str, str | None]  # callee parameter -> the caller's expression key
    receiver: str | None
    no_grad: bool | None


@dataclass(frozen=True)
class _Placed:
    """A scope's calls, assignments, closed code and loops, each sorted by where they start."""

    calls: list[tuple[tuple[int, int], ast.AST]]
    assignments: list[tuple[tuple[int, int], ast.AST]]
    closed: list[tuple[tuple[int, int], ast.AST]]
    loops: list[tuple[tuple[int, int], ast.AST]]


def _by_position(nodes: Iterable[ast.AST]) -> list[tuple[tuple[int, int], ast.AST]]:
    return sorted((((node.lineno, node.col_offset), node) for node in nodes),  # type: ignore[attr-defined]
                  key=lambda placed: placed[0])


def _between(placed: list[tuple[tuple[int, int], ast.AST]], start: tuple[int, int],
             end: tuple[int, int]) -> Iterator[ast.AST]:
    """The nodes that start within [start, end] (inside a node spanning it: positions nest)."""
    index = bisect_left(placed, start, key=lambda item: item[0])
    while index < len(placed) and placed[index][0] <= end:
        yield placed[index][1]
        index += 1


@dataclass(frozen=True)
class CallTarget:
    """A call site of one module that may run a function of another project module."""

    path: str  # the other module
    name: str  # the function's name in it
    line: int
    owner: str | None  # the top-level function or method making the call (None: the module level)


@dataclass(frozen=True)
class _CallPlan:
    """What the mode walk does with one call (see :meth:`ModuleFacts.plan`)."""

    kind: str  # local, mode, set-grad, remote, use, other, none
    callee: Scope | None = None
    other: ModuleFacts | None = None  # the module of a remote callee
    bindings: Mapping[str, str | None] | None = None  # callee parameter -> the caller's expression key
    receiver: str | None = None
    mode: str | None = None  # mode: the mode set; set-grad: "off", "on" or "unsure"
    target: ast.expr | None = None  # use: the called model expression
    key: str | None = None
    opaque: tuple[str, ...] = ()  # what the call hands to code that cannot be read


@dataclass
class EvalLoopCandidate:
    loop: ast.For | ast.AsyncFor
    scope: Scope
    loader: ast.expr
    no_grad: bool | None
    state: State
    eval_loader: bool


def _join(a: State | None, b: State | None, default: Callable[[str], frozenset[str]]) -> State | None:
    """The state after two paths meet (None: a path that does not get there)."""
    if a is None:
        return None if b is None else dict(b)
    if b is None:
        return dict(a)
    joined: State = {}
    for key in a.keys() | b.keys():
        joined[key] = a.get(key, default(key)) | b.get(key, default(key))
    return joined


class _ModeWalk:
    """One forward walk of a function (or the module level) tracking modules' modes."""

    def __init__(self, facts: ModuleFacts, scope: Scope, record: bool) -> None:
        self.facts = facts
        self.scope = scope
        self.record = record
        self.uses: dict[int, Use] = {}
        self.sites: dict[int, Site] = {}
        self.loops: dict[int, EvalLoopCandidate] = {}
        self.exits: list[State] = []
        self.grad: list[bool | None] = [True] if facts.decorated_no_grad(scope) else []
        #: the enclosing training loops (or the training step function) and evaluation loops
        #: (over a validation or test loader), innermost last, with whether they train
        self.loop_kinds: list[tuple[ast.AST, bool]] = [(scope.node, True)] if facts.is_training_step(scope) else []
        self.loop_owner: dict[str, str] = {}
        self.top: ast.stmt | None = None
        self.evaluation_function = not scope.is_module and names_evaluation(scope.name)

    def default(self, key: str) -> frozenset[str]:
        root = key.split(".", 1)[0]
        if root == _GRAD:
            return frozenset({"on"})
        scope = self.scope
        if scope.is_module:
            return frozenset({ORIGIN})
        if root in scope.params or root == "self" or root not in scope.defs:
            return frozenset({ENTRY})
        return frozenset({ORIGIN})

    def of(self, state: State, key: str) -> frozenset[str]:
        found = state.get(key)
        return found if found is not None else self.default(key)

    def run(self) -> State:
        end = self.block(self.scope.node.body, {}, top=self.scope.is_module)
        if end is not None:
            self.exits.append(end)
        final: State | None = None
        for exit_state in self.exits:
            final = _join(final, exit_state, self.default)
        final = final or {}
        if not self.scope.is_module and self.facts.is_training_step(self.scope):
            self.train(final, self.facts.involved(self.scope.node))
        return final

    # -- statements

    def block(self, body: list[ast.stmt], state: State | None, top: bool = False) -> State | None:
        for stmt in body:
            if state is None:
                return None
            if top:
                self.top = stmt
            state = self.statement(stmt, state)
        return state

    def statement(self, stmt: ast.stmt, state: State) -> State | None:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            return state
        if isinstance(stmt, (ast.Return, ast.Raise)):
            self.expression(stmt, state)
            if isinstance(stmt, ast.Return):
                self.exits.append(state)
            return None
        if isinstance(stmt, ast.If):
            self.expression(stmt.test, state)
            return _join(self.block(stmt.body, dict(state)), self.block(stmt.orelse, dict(state)), self.default)
        if isinstance(stmt, (ast.For, ast.AsyncFor, ast.While)):
            return self.loop(stmt, state)
        if isinstance(stmt, (ast.With, ast.AsyncWith)):
            return self.with_block(stmt, state)
        if isinstance(stmt, (ast.Try, getattr(ast, "TryStar", ast.Try))):
            return self.try_block(stmt, state)
        if isinstance(stmt, ast.Match):
            self.expression(stmt.subject, state)
            joined: State | None = None
            for case in stmt.cases:
                joined = _join(joined, self.block(case.body, dict(state)), self.default)
            return _join(joined, state, self.default)
        self.expression(stmt, state)
        if isinstance(stmt, ast.Assign):
            for target in stmt.targets:
                self.assign(target, stmt.value, state)
        elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
            self.assign(stmt.target, stmt.value, state)
        return state

    def loop(self, stmt: LoopNode, state: State) -> State | None:
        facts = self.facts
        if isinstance(stmt, ast.While):
            self.expression(stmt.test, state)
            eval_loader = False
        else:
            self.expression(stmt.iter, state)
            self.note_loop_target(stmt)
            loader = facts.loader(stmt.iter, self.scope)
            eval_loader = loader is not None and names_evaluation_data(last_identifier(loader) or "")
            if loader is not None and self.record:
                self.loops[id(stmt)] = EvalLoopCandidate(stmt, self.scope, loader, self.no_grad(state), dict(state),
                                                         eval_loader)
        trains = facts.is_training_loop(stmt)
        kind = True if trains else False if eval_loader else None
        entry = (stmt, kind)
        head: State = state
        end: State | None = None
        for _ in range(2):
            if kind is not None:
                self.loop_kinds.append(entry)  # type: ignore[arg-type]
            end = self.block(stmt.body, dict(head))
            if kind is not None:
                self.loop_kinds.pop()
            if end is None:
                break
            if trains:
                self.train(end, facts.involved(stmt))
            new_head = _join(state, end, self.default)
            if new_head == head:
                break
            head = new_head or {}
        after = end if end is not None else head
        return self.block(stmt.orelse, dict(after))

    def note_loop_target(self, stmt: ast.For | ast.AsyncFor) -> None:
        """``for m in model.modules(): m.eval()`` changes ``model``'s mode in part."""
        iterator = stmt.iter
        if isinstance(iterator, ast.Call) and isinstance(iterator.func, ast.Attribute) and iterator.func.attr in (
            "modules", "children", "named_modules", "named_children"
        ):
            owner = key_of(iterator.func.value)
            if owner is not None:
                for name in _bound_names(stmt.target):
                    assert isinstance(name, ast.Name)
                    self.loop_owner[name.id] = owner

    def with_block(self, stmt: ast.With | ast.AsyncWith, state: State) -> State | None:
        pushed = 0
        for item in stmt.items:
            self.expression(item.context_expr, state)
            if isinstance(item.context_expr, ast.Call) and _changes_modes(item.context_expr):
                for arg in _passed(item.context_expr):
                    passed = key_of(arg)
                    if passed is not None:
                        state[passed] = frozenset({OPAQUE})
            grad = self.facts.grad_context(item.context_expr)
            if grad != "none":
                self.grad.append(grad)  # type: ignore[arg-type]
                pushed += 1
        end = self.block(stmt.body, state)
        for _ in range(pushed):
            self.grad.pop()
        return end

    def try_block(self, stmt: ast.Try, state: State) -> State | None:
        body = self.block(stmt.body, dict(state))
        handlers: State | None = None
        for handler in stmt.handlers:
            handlers = _join(handlers, self.block(handler.body, _join(state, body, self.default)), self.default)
        done = _join(self.block(stmt.orelse, dict(body)) if body is not None else None, handlers, self.default)
        return self.block(stmt.finalbody, done) if done is not None else None

    def assign(self, target: ast.expr, value: ast.expr, state: State) -> None:
        if isinstance(target, (ast.Tuple, ast.List)):
            values: list[ast.expr | None] = [None] * len(target.elts)
            if isinstance(value, (ast.Tuple, ast.List)) and len(value.elts) == len(target.elts):
                values = list(value.elts)
            elif isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute) and value.func.attr in _PREPARE \
                    and len(value.args) == len(target.elts):
                values = list(value.args)
            for element, element_value in zip(target.elts, values):
                key = key_of(element)
                if key is not None:
                    self.rebind(state, key, self.initial(element_value, state) if element_value is not None
                                else frozenset({ORIGIN}))
            return
        key = key_of(target)
        if key is None:
            return
        if isinstance(value, ast.Call) and key in {key_of(self.facts.unwrap(arg)) for arg in _passed(value)}:
            return  # model = train(model, ...): the same module, in the state the call left it
        self.rebind(state, key, self.initial(value, state))

    def rebind(self, state: State, key: str, modes: frozenset[str]) -> None:
        """Bind *key* afresh; a binding that says no more than the default (a temporary of
        unknown origin) is not kept, so loops over temporaries reach their fixpoint at once."""
        for other in [k for k in state if k.startswith(key + ".")]:
            del state[other]
        if modes == self.default(key):
            state.pop(key, None)
        else:
            state[key] = modes
        self.loop_owner.pop(key, None)

    def initial(self, value: ast.expr, state: State) -> frozenset[str]:
        inner = self.facts.unwrap(value)
        key = key_of(inner)
        if key is not None:
            return self.of(state, key)
        if isinstance(inner, ast.Call):
            func = inner.func
            if isinstance(func, ast.Attribute) and func.attr == "from_pretrained":
                return frozenset({EVAL if self.facts.class_ref_kind(func.value) == MODULE else ORIGIN})
            name = dotted_name(func)
            qualified = self.facts.info.qualify(name) if name else None
            if qualified in _LOADERS:
                return frozenset({OPAQUE})
            if self.facts.call_kind(inner, self.scope) == MODULE:
                return frozenset({FRESH})
        return frozenset({ORIGIN})

    # -- expressions

    def expression(self, node: ast.AST, state: State) -> None:
        for call in self.facts.calls_in(node):
            self.call(call, state)

    def no_grad(self, state: State) -> bool | None:
        if self.grad:
            return self.grad[-1]
        grad = self.of(state, _GRAD)
        if grad == {"off"}:
            return True
        return False if grad == {"on"} else None

    def call(self, call: ast.Call, state: State) -> None:
        facts = self.facts
        if self.loop_kinds and self.loop_kinds[-1][1] and facts.role(call, self.scope) == "step":
            self.train(state, facts.involved(self.loop_kinds[-1][0]))  # trained from this step on
            return
        plan = facts.plan(call, self.scope)
        kind = plan.kind
        if kind == "local":
            assert plan.callee is not None and plan.bindings is not None
            if self.record:
                self.sites[id(call)] = Site(plan.callee, call, self.scope, dict(state), dict(plan.bindings),
                                            plan.receiver, self.no_grad(state))
            self.effects(state, facts, plan.callee, plan.bindings, plan.receiver)
        elif kind == "mode":
            self.set_mode(plan.receiver, plan.mode, state)  # type: ignore[arg-type]
        elif kind == "set-grad":
            state[_GRAD] = frozenset({plan.mode})  # type: ignore[arg-type]
        elif kind == "remote":
            assert plan.other is not None and plan.callee is not None and plan.bindings is not None
            self.effects(state, plan.other, plan.callee, plan.bindings, None)
        elif kind != "none":
            if plan.key is not None:
                self.use(call, plan.target, plan.key, state)  # type: ignore[arg-type]
            for passed in plan.opaque:
                state[passed] = frozenset({OPAQUE})

    def set_mode(self, receiver: str, mode: str, state: State) -> None:
        """Apply ``m.eval()``, ``m.train(...)``, ``m.apply(fn)`` (*mode* from :meth:`ModuleFacts.plan`)."""
        root = receiver.split(".", 1)[0]
        if root in self.loop_owner:
            state[self.loop_owner[root]] = frozenset({OPAQUE})
            return
        for other in [k for k in state if k.startswith(receiver + ".")]:
            state[other] = frozenset({mode})
        state[receiver] = frozenset({mode})
        parts = receiver.split(".")
        for end in range(1, len(parts)):
            state[".".join(parts[:end])] = frozenset({OPAQUE})

    def use(self, call: ast.Call, target: ast.expr, key: str, state: State) -> None:
        """Record a call of *key* where it may be evaluation (grad off, or an evaluation function)."""
        no_grad = self.no_grad(state)
        if not self.record or not (no_grad is True or self.evaluation_function):
            return
        exempt = bool(self.loop_kinds) and self.loop_kinds[-1][1] and not any(
            names_evaluation_data(identifier) for arg in _passed(call) for identifier in _identifiers(arg)
        )
        self.uses[id(call)] = Use(call, target, key, self.of(state, key), no_grad, exempt, self.scope, self.top)

    def train(self, state: State, keys: Iterable[str]) -> None:
        """A training loop (or step) ran on *keys*: whatever mode they were not explicitly
        put in for evaluation, they are now trained modules in training mode."""
        for key in keys:
            state[key] = frozenset(TRAINED if mode in _TRAINABLE else mode for mode in self.of(state, key))

    def effects(self, state: State, other: ModuleFacts, callee: Scope, bindings: Mapping[str, str | None],
                receiver: str | None) -> None:
        """Apply what a project function does to the modes of what it is given."""
        summary = other.loops.summary(other, callee)
        if summary is None:
            for key in [*bindings.values(), receiver]:
                if key is not None:
                    state[key] = frozenset({OPAQUE})
            return
        same_module = other is self.facts
        for callee_key, modes in summary.items():
            root, _, rest = callee_key.partition(".")
            if root in callee.params and root != "self":
                mapped = bindings.get(root)
            elif root == "self":
                mapped = receiver
            elif same_module and root not in callee.defs:
                mapped = root
            else:
                continue
            if mapped is None:
                continue
            caller_key = f"{mapped}.{rest}" if rest else mapped
            before = self.of(state, caller_key)
            after: set[str] = set()
            for mode in modes:
                after |= before if mode == ENTRY else {mode}
            state[caller_key] = frozenset(after)


# -- one module ------------------------------------------------------------------------


class ModuleFacts:
    """The torch facts of one module, each computed on first use."""

    def __init__(self, loops: TorchLoops, info: ModuleInfo, tree: ast.Module) -> None:
        self.loops = loops
        self.info = info
        self.tree = tree
        self._kinds: dict[tuple[int, str], str] = {}
        self._class_facts: dict[str, ClassFacts | None] = {}
        self._loop_facts: dict[int, _LoopFacts] = {}
        self._mode_dependence: dict[str, bool] = {}
        self._callers: dict[int, list[tuple[ast.Call, Scope, bool]]] = {}
        self._lines: dict[tuple[str, ...], list[int]] = {}
        self._walks: dict[int, _ModeWalk] = {}
        self._fed: dict[int, frozenset[str]] = {}
        self._calls_in: dict[int, list[ast.Call]] = {}
        self._named: dict[str, list[tuple[ast.Call, Scope]]] = {}
        self._roles: dict[tuple[int, int], str] = {}
        self._gathered: dict[int, _LoopFacts] = {}
        self._placements: dict[int, _Placed] = {}
        self._plans: dict[tuple[int, int], _CallPlan] = {}
        self._involved: dict[int, frozenset[str]] = {}

    def release(self) -> None:
        """Break the references between this module's scopes, units and walks (and to the
        analysis), so that they are freed as soon as the run drops them."""
        collected = self.__dict__.get("_collected")
        if collected is not None:
            collected.release()
        self.__dict__.clear()

    @cached_property
    def _collected(self) -> _Collected:
        """The scopes, from one pass over the statements; their bindings are collected
        per unit when a question needs them (a class's bases do not)."""
        found = _collect(self.tree)
        self.loops._built.add(found)
        return found

    @property
    def module_scope(self) -> Scope:
        return self._collected.module

    @property
    def functions(self) -> dict[str, Scope]:
        return self._collected.functions

    @property
    def loop_scopes(self) -> dict[int, Scope]:
        return self._collected.loops

    @property
    def scopes(self) -> list[Scope]:
        return [self.module_scope, *self.functions.values()]

    @cached_property
    def all_scopes(self) -> list[Scope]:
        """Every scope with its bindings and calls collected (what whole-module questions need)."""
        self._collected.collect_all()
        return self.scopes

    @cached_property
    def classes(self) -> dict[str, ast.ClassDef]:
        """The module's classes (at the module level, and nested in classes) by qualified name."""
        found: dict[str, ast.ClassDef] = {}
        stack = [(node, "") for node in _walk_statements(self.tree) if isinstance(node, ast.ClassDef)]
        while stack:
            node, outer = stack.pop()
            qualname = f"{outer}.{node.name}" if outer else node.name
            found[qualname] = node
            stack.extend((child, qualname) for child in node.body if isinstance(child, ast.ClassDef))
        return found

    @cached_property
    def _rebound(self) -> frozenset[str]:
        """Names the module level assigns (a class name assigned something else is not the class)."""
        return frozenset(target.id for node in _walk_statements(self.tree)
                         if isinstance(node, (ast.Assign, ast.AnnAssign))
                         for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
                         if isinstance(target, ast.Name))

    # -- the text, to find the few places a question is about

    @cached_property
    def text(self) -> str:
        return self.loops.project.index.source(self.info.path) or ""

    @cached_property
    def _line_starts(self) -> list[int]:
        """Where each line starts in the text (the tokenizer's line ends: \\n, \\r\\n, \\r)."""
        return [0, *(match.end() for match in _NEWLINE.finditer(self.text))]

    @cached_property
    def ascii(self) -> bool:
        """Whether every identifier is spelt as the parser reads it (no NFKC normalisation)."""
        return self.text.isascii()

    @cached_property
    def _normalised(self) -> str:
        return self.text if self.ascii else unicodedata.normalize("NFKC", self.text)

    def mentions(self, word: str) -> bool:
        """Whether an identifier *word* may occur in the module."""
        return word in self._normalised

    @cached_property
    def _non_ascii_lines(self) -> frozenset[int]:
        """Lines where an identifier may be spelt in other characters (normalised to ASCII by the parser)."""
        if self.ascii:
            return frozenset()
        starts = self._line_starts
        return frozenset(bisect_right(starts, match.start()) for match in _NON_ASCII.finditer(self.text))

    def lines_with(self, words: tuple[str, ...]) -> list[int]:
        """The lines (1-based, sorted) on which one of *words* occurs, or any identifier
        could stand for one: every token of the code that spells it is on one of them."""
        found = self._lines.get(words)
        if found is None:
            starts = self._line_starts
            pattern = re.compile("|".join(map(re.escape, words)))
            lines = {bisect_right(starts, match.start()) for match in pattern.finditer(self.text)}
            found = self._lines[words] = sorted(lines | self._non_ascii_lines)
        return found

    # -- classes

    def class_facts(self, qualname: str) -> ClassFacts:
        if qualname in self._class_facts:
            return self._class_facts[qualname] or ClassFacts(UNKNOWN)
        self._class_facts[qualname] = None  # in progress: a cycle is unknown
        node = self.classes[qualname]
        kinds: list[str] = []
        managed = False
        forwards_directly = any(isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef))
                                and s.name in ("__call__", "backward") for s in node.body)
        for base in node.bases:
            facts = self.base_facts(base.value if isinstance(base, ast.Subscript) else base, qualname)
            kinds.append(facts.kind)
            managed = managed or facts.managed
            forwards_directly = forwards_directly or facts.forwards_directly
        kind = MODULE if MODULE in kinds else OTHER if all(k == OTHER for k in kinds) else UNKNOWN
        result = ClassFacts(kind, managed, forwards_directly)
        self._class_facts[qualname] = result
        return result

    def base_facts(self, base: ast.expr, qualname: str) -> ClassFacts:
        name = dotted_name(base)
        if name is None:
            return ClassFacts(UNKNOWN)
        outer = qualname.rpartition(".")[0]
        for candidate in (f"{outer}.{name}" if outer else None, name):
            if candidate and candidate in self.classes and candidate != qualname:
                return self.class_facts(candidate)
        if name in _BUILTINS:
            return ClassFacts(OTHER)
        qualified = self.info.qualify(name)
        if qualified is None:
            return ClassFacts(UNKNOWN)
        managed = _is_managed_base(qualified)
        known = qualified_kind(qualified)
        if known is not None or managed:
            return ClassFacts(known or OTHER, managed)
        project = self.loops.project_class(self.info, qualified)
        if project is not None:
            return project
        return ClassFacts(OTHER if qualified.split(".")[0] in ("abc", "typing", "enum", "collections") else UNKNOWN)

    def class_ref(self, node: ast.expr) -> ClassFacts | None:
        """The facts of a class of this module or the project that *node* names."""
        name = dotted_name(node)
        if name is None:
            return None
        if name in self.classes and name.split(".")[0] not in self._rebound:
            return self.class_facts(name)
        qualified = self.info.qualify(name)
        if qualified is None or qualified_kind(qualified) is not None:
            return None
        return self.loops.project_class(self.info, qualified)

    def class_ref_kind(self, node: ast.expr) -> str:
        """What instances of the class an expression names are."""
        facts = self.class_ref(node)
        if facts is not None:
            return facts.kind
        name = dotted_name(node)
        qualified = self.info.qualify(name) if name else None
        return (qualified_kind(qualified) or UNKNOWN) if qualified else UNKNOWN

    def local_mro(self, class_name: str) -> list[str]:
        """The class and its bases defined in this module, depth first."""
        order: list[str] = []
        stack = [class_name]
        while stack:
            name = stack.pop()
            if name in order or name not in self.classes:
                continue
            order.append(name)
            stack.extend(base for base in map(dotted_name, reversed(self.classes[name].bases)) if base)
        return order

    def method(self, class_name: str, name: str) -> Scope | None:
        for owner in self.local_mro(class_name):
            found = self.functions.get(f"{owner}.{name}")
            if found is not None:
                return found
        return None

    def attribute_entries(self, class_name: str, attr: str) -> list[tuple[ast.expr | None, Scope, bool]]:
        """What ``self.<attr>`` is assigned (or annotated) in the class and its bases of this module."""
        entries: list[tuple[ast.expr | None, Scope, bool]] = []
        for name in self.local_mro(class_name):
            entries.extend(self._collected.attribute_entries(name, attr))
        return entries

    # -- what an expression is

    def kind_of(self, node: ast.expr, scope: Scope, seen: frozenset[tuple[int, str]] = frozenset()) -> str:
        """MODULE when *node* is known to be a torch module, OTHER when known not to be.
        A parameter is judged by its annotation, else by what this module's callers pass."""
        if isinstance(node, ast.Name):
            if node.id == "self" and scope.self_class is not None:
                return self.class_facts(scope.self_class).kind
            return self.name_kind(scope, node.id, seen)
        if isinstance(node, ast.Attribute):
            if isinstance(node.value, ast.Name) and node.value.id == "self" and scope.self_class is not None:
                return self.attribute_kind(scope.self_class, node.attr, seen)
            return UNKNOWN
        if isinstance(node, ast.Call):
            return self.call_kind(node, scope, seen)
        if isinstance(node, (ast.Constant, ast.JoinedStr, ast.List, ast.Tuple, ast.Dict, ast.Set, ast.Compare,
                             ast.BinOp, ast.BoolOp, ast.ListComp, ast.DictComp, ast.SetComp, ast.GeneratorExp,
                             ast.Lambda)):
            return OTHER
        return UNKNOWN

    def call_kind(self, call: ast.Call, scope: Scope, seen: frozenset[tuple[int, str]] = frozenset()) -> str:
        func = call.func
        if isinstance(func, ast.Attribute):
            if func.attr in _SELF_RETURNING | {"train", "eval"}:
                return self.kind_of(func.value, scope, seen)
            if func.attr in ("from_pretrained", "from_config"):
                return self.class_ref_kind(func.value)
            if func.attr in _PREPARE and len(call.args) == 1:
                return self.kind_of(call.args[0], scope, seen)
        name = dotted_name(func)
        if name is None:
            return UNKNOWN
        facts = self.class_ref(func)
        if facts is not None:
            return facts.kind
        qualified = self.info.qualify(name)
        if qualified is not None:
            return qualified_kind(qualified) or UNKNOWN
        return OTHER if name in _BUILTINS and self.lookup(scope, name) is None else UNKNOWN

    def lookup(self, scope: Scope, name: str) -> Scope | None:
        """The scope that binds *name* as seen from *scope* (Python's rules, classes aside)."""
        if name in scope.declared_global:
            return self.module_scope if name in self.module_scope.defs else None
        current: Scope | None = scope
        while current is not None:
            if name in current.params or name in current.defs:
                return current
            current = current.parent
        return None

    def name_kind(self, scope: Scope, name: str, seen: frozenset[tuple[int, str]]) -> str:
        owner = self.lookup(scope, name)
        if owner is None:
            return UNKNOWN
        memo = (id(owner), name)
        if memo in seen:
            return _CYCLE
        if not seen and memo in self._kinds:
            return self._kinds[memo]
        if name in owner.functions:
            kind = OTHER
        else:
            inner = seen | {memo}
            kinds = [self.kind_of(v, owner, inner) if v is not None else UNKNOWN
                     for v in owner.defs.get(name, []) if not (isinstance(v, ast.Constant) and v.value is None)]
            if name in owner.params:
                kinds.append(self.param_kind(owner, name, callers=_CALLERS not in seen))
            kind = _join_kinds(kinds)
        if not seen:
            self._kinds[memo] = kind
        return kind

    def param_kind(self, scope: Scope, name: str, callers: bool = True) -> str:
        """A parameter's kind: its annotation, else what every caller in the module passes
        (callers one level up only)."""
        annotation = scope.params.get(name)
        if annotation is not None:
            return self.annotation_kind(annotation)
        if not callers or name == "self":
            return UNKNOWN
        kinds = []
        for call, caller, bound_method in self.callers(scope):
            bound = self.bound_arguments(scope, call, bound_method).get(name)
            kinds.append(self.kind_of(bound, caller, frozenset({_CALLERS})) if bound is not None else UNKNOWN)
        return _join_kinds(kinds)

    def annotation_kind(self, annotation: ast.expr) -> str:
        if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
            try:
                annotation = ast.parse(annotation.value, mode="eval").body
            except SyntaxError:
                return UNKNOWN
        if isinstance(annotation, ast.Subscript) and dotted_name(annotation.value) in ("Optional", "typing.Optional"):
            annotation = annotation.slice
        return self.class_ref_kind(annotation) if dotted_name(annotation) else UNKNOWN

    def attribute_kind(self, class_name: str, attr: str, seen: frozenset[tuple[int, str]]) -> str:
        memo = (id(self.classes.get(class_name)), f"self.{attr}")
        if memo in seen:
            return _CYCLE
        if not seen and memo in self._kinds:
            return self._kinds[memo]
        entries = self.attribute_entries(class_name, attr)
        annotated = [self.annotation_kind(v) for v, _, is_annotation in entries if is_annotation and v is not None]
        if annotated and annotated[0] != UNKNOWN:
            kind = annotated[0]
        elif any(f"{owner}.{attr}" in self.functions for owner in self.local_mro(class_name)):
            kind = OTHER  # a method
        else:
            kinds = [self.kind_of(v, s, seen | {memo}) if v is not None else UNKNOWN
                     for v, s, is_annotation in entries
                     if not is_annotation and not (isinstance(v, ast.Constant) and v.value is None)]
            kind = _join_kinds(kinds)
        if not seen:
            self._kinds[memo] = kind
        return kind

    def instance_class(self, node: ast.expr, scope: Scope) -> str | None:
        """The class of this module an expression is an instance of, if known."""
        if isinstance(node, ast.Name):
            if node.id == "self":
                return scope.self_class
            owner = self.lookup(scope, node.id)
            values = owner.defs.get(node.id, []) if owner is not None and node.id not in owner.params else [None]
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "self" \
                and scope.self_class:
            values = [v for v, _, is_annotation in self.attribute_entries(scope.self_class, node.attr)
                      if not is_annotation]
        else:
            return None
        found = {self._constructed(v) for v in values}
        return found.pop() if len(found) == 1 else None

    def _constructed(self, value: ast.expr | None) -> str | None:
        if isinstance(value, ast.Call):
            name = dotted_name(value.func)
            if name in self.classes:
                return name
        return None

    def forwards_directly(self, receiver: ast.expr, scope: Scope) -> bool:
        """The receiver's class (of this module or the project) is called through
        ``forward`` by design (``ClassFacts.forwards_directly``)."""
        class_name = self.instance_class(receiver, scope)
        if class_name is not None:
            return self.class_facts(class_name).forwards_directly
        values: list[ast.expr | None] = [receiver]
        if isinstance(receiver, ast.Name):
            owner = self.lookup(scope, receiver.id)
            values = list(owner.defs.get(receiver.id, [])) if owner is not None else []
        for value in values:
            if isinstance(value, ast.Call):
                facts = self.class_ref(value.func)
                if facts is not None and facts.forwards_directly:
                    return True
        return False

    def may_be_model(self, node: ast.expr, scope: Scope) -> bool:
        """*node* is a torch module, or may be one (a parameter, an attribute set from one)
        with a module-only method (``.train()``, ``.parameters()``, ...) called on it in
        this module; never a loss, a metric, a function or a known non-module."""
        key = key_of(node)
        if key is None or key == "self" or _LOSS_NAME.search(key.rpartition(".")[2]):
            return key == "self" and scope.self_class is not None and \
                self.class_facts(scope.self_class).kind == MODULE
        kind = self.kind_of(node, scope)
        if kind == MODULE:
            return not self.is_loss_module(node, scope)
        if kind == OTHER:
            return False
        if isinstance(node, ast.Name) and self.lookup(scope, node.id) is None:
            return False
        if isinstance(node, ast.Attribute) and key.startswith("self.") and key.count(".") == 1 and (
            scope.self_class is None or not self.attribute_entries(scope.self_class, node.attr)
        ):
            return False
        return key in self.module_method_receivers

    def is_loss_module(self, node: ast.expr, scope: Scope) -> bool:
        """A name bound to a loss or metric module (``criterion = nn.CrossEntropyLoss()``,
        ``acc = torchmetrics.Accuracy(...).to(device)``): modules without a training mode that matters."""
        if isinstance(node, ast.Name):
            owner = self.lookup(scope, node.id)
            for value in owner.defs.get(node.id, []) if owner is not None else []:
                value = self.unwrap(value)
                if isinstance(value, ast.Call):
                    name = dotted_name(value.func)
                    qualified = (self.info.qualify(name) or name) if name else ""
                    if _names_loss_or_metric(qualified):
                        return True
        return False

    @cached_property
    def trains_anything(self) -> bool:
        """The module calls ``.train()``, ``.backward()`` or ``.manual_backward()`` somewhere."""
        return any(isinstance(call.func, ast.Attribute) and call.func.attr in ("train", "backward", "manual_backward")
                   for scope in self.all_scopes for call in scope.calls)

    @cached_property
    def module_method_receivers(self) -> frozenset[str]:
        """Expressions with a torch-module-only method called on them somewhere in the
        module (only the code of functions with such a call site is read)."""
        owners = {owner for owner, name, _ in self._owned_sites if name.rpartition(".")[2] in _MODULE_METHODS}
        receivers: set[str] = set()
        for scope in self.scopes:
            owner = self.owner(scope)
            if owner not in owners and owner in self._called_names:
                continue
            for call in scope.calls:
                func = call.func
                if isinstance(func, ast.Attribute) and func.attr in _MODULE_METHODS:
                    key = key_of(func.value)
                    if key is not None:
                        receivers.add(key)
        return frozenset(receivers)

    # -- calls within the module and into the project

    def role(self, call: ast.Call, scope: Scope) -> str:
        """:func:`_call_role` of a call of *scope*'s code, once."""
        memo = (id(call), id(scope))
        found = self._roles.get(memo)
        if found is None:
            found = self._roles[memo] = _call_role(self, call, scope)
        return found

    def plan(self, call: ast.Call, scope: Scope) -> _CallPlan:
        """What the mode walk does with a call of *scope*'s code, as far as that does not
        depend on the state: worked out once however often the walks meet the call."""
        memo = (id(call), id(scope))
        found = self._plans.get(memo)
        if found is None:
            found = self._plans[memo] = self._plan(call, scope)
        return found

    def _plan(self, call: ast.Call, scope: Scope) -> _CallPlan:
        func = call.func
        target = self.local_target(call, scope)
        if target is not None and target[0].name != "forward":
            callee, receiver_key, bound = target
            return _CallPlan("local", callee=callee, receiver=receiver_key,
                             bindings={param: key_of(self.unwrap(arg)) for param, arg in bound.items()})
        receiver = key_of(func.value) if isinstance(func, ast.Attribute) else None
        if receiver is not None and func.attr in ("eval", "train", "apply"):  # type: ignore[union-attr]
            mode = self.mode_of(call, scope)
            if mode is not None:
                return _CallPlan("mode", receiver=receiver, mode=mode) if mode else _CallPlan("none")
        name = dotted_name(func)
        if name is not None and self.info.qualify(name) in _SET_GRAD:
            flag = _constant(_argument(call, 0, "mode"))
            return _CallPlan("set-grad", mode="off" if flag is False else "on" if flag is True else "unsure")
        if receiver is not None and func.attr in ("forward", "generate"):  # type: ignore[union-attr]
            return _CallPlan("use", target=func.value, key=receiver)  # type: ignore[union-attr]
        remote = self.project_target(call)
        if remote is not None:
            other, callee, bound = remote
            return _CallPlan("remote", other=other, callee=callee,
                             bindings={p: key_of(self.unwrap(a)) for p, a in bound.items()})
        key = key_of(func)
        opaque = tuple(passed for arg in _passed(call) if (passed := key_of(self.unwrap(arg))) is not None) \
            if self.is_opaque_call(call, scope) else ()
        if key is not None and target is None:
            return _CallPlan("use", target=func, key=key, opaque=opaque)
        return _CallPlan("other", opaque=opaque)

    def mode_of(self, call: ast.Call, scope: Scope) -> str | None:
        """The mode ``m.eval()``, ``m.train(...)``, ``m.apply(fn)`` puts ``m`` in ("" for
        an ``apply`` that sets none); None if it is not such a call (``eval`` with arguments)."""
        attr = call.func.attr  # type: ignore[union-attr]
        if attr == "eval":
            return None if call.args or call.keywords else EVAL
        if attr == "train":
            flag = _argument(call, 0, "mode")
            value = True if flag is None else _constant(flag)
            return TRAIN_SET if value is True else EVAL if value is False else OPAQUE
        return OPAQUE if self.sets_modes(call, scope) else ""

    def unwrap(self, value: ast.expr) -> ast.expr:
        """The module inside ``m.to(device)``, ``DDP(m)``, ``torch.compile(m)``, ``accelerator.prepare(m)``."""
        for _ in range(8):
            if not isinstance(value, ast.Call):
                return value
            func = value.func
            if isinstance(func, ast.Attribute) and func.attr in _SELF_RETURNING | {"train", "eval"}:
                value = func.value
                continue
            inner = value.args[0] if value.args and not isinstance(value.args[0], ast.Starred) else None
            if inner is None:
                return value
            if isinstance(func, ast.Attribute) and func.attr in _PREPARE and len(value.args) == 1:
                value = inner
                continue
            name = dotted_name(func)
            if name is not None and self.info.qualify(name) in _WRAPPERS:
                value = inner
                continue
            return value
        return value


    def local_target(self, call: ast.Call, scope: Scope) -> tuple[Scope, str | None, dict[str, ast.expr]] | None:
        """The function or method of this module *call* runs: (its scope, the receiver's key
        for a method, the arguments bound to its parameters)."""
        func = call.func
        callee: Scope | None = None
        receiver: str | None = None
        if isinstance(func, ast.Name):
            owner = self.lookup(scope, func.id)
            if owner is not None and func.id in owner.nested and owner.defs.get(func.id) == [None]:
                callee = owner.nested[func.id]
        elif isinstance(func, ast.Attribute):
            class_name = self.instance_class(func.value, scope)
            receiver = key_of(func.value)
            if class_name is not None and receiver is not None:
                callee = self.method(class_name, func.attr)
        if callee is None:
            return None
        return callee, receiver, self.bound_arguments(callee, call, receiver is not None)

    @staticmethod
    def bound_arguments(callee: Scope, call: ast.Call, bound_method: bool) -> dict[str, ast.expr]:
        positional = callee.positional[1:] if bound_method and callee.positional else callee.positional
        bound: dict[str, ast.expr] = {}
        for param, arg in zip(positional, call.args):
            if isinstance(arg, ast.Starred):
                break
            bound[param] = arg
        for kw in call.keywords:
            if kw.arg is not None and kw.arg in callee.params:
                bound[kw.arg] = kw.value
        return bound

    @cached_property
    def _called_names(self) -> dict[str | None, frozenset[str]]:
        """For the module level (None) and each top-level function or method (by the
        index's qualified name), the names its calls call, nested functions included: the
        last part of each call site's name, and the name it was imported as. A superset
        of the names its local calls resolve by; read from the index, not the tree."""
        imported: dict[str, set[str]] = {}
        for alias, target in self.info.aliases.items():
            imported.setdefault(target, set()).add(alias)

        def names(sites: list[CallSite]) -> frozenset[str]:
            found = {site.name.rpartition(".")[2] for site in sites}
            for site in sites:
                found.update(imported.get(site.name, ()))
            return frozenset(found)

        return {None: names(self.info.toplevel_calls),
                **{qual: names(function.calls) for qual, function in self.info.functions.items()}}

    @staticmethod
    def owner(scope: Scope) -> str | None:
        """The top-level function or method *scope* is part of (None: the module level)."""
        while scope.parent is not None and not scope.parent.is_module:
            scope = scope.parent
        return None if scope.is_module else scope.qualname

    def may_call(self, scope: Scope, name: str) -> bool:
        """Whether the code *scope* is part of may call a function named *name*."""
        names = self._called_names.get(self.owner(scope))
        return names is None or name in names

    def _calls_named(self, name: str) -> list[tuple[ast.Call, Scope]]:
        """The calls of *name* (``name(...)``, ``x.name(...)``) in every scope, in scope
        order; only the scopes whose code may call it are collected."""
        found = self._named.get(name)
        if found is None:
            found = self._named[name] = []
            for scope in [self.module_scope, *self._collected.scope_of.values()]:
                if not self.may_call(scope, name):
                    continue
                for call in scope.calls:
                    func = call.func
                    if func.id == name if isinstance(func, ast.Name) else \
                            isinstance(func, ast.Attribute) and func.attr == name:
                        found.append((call, scope))
        return found

    def _calls_of(self, callee: Scope) -> list[tuple[ast.Call, Scope, bool]]:
        """The calls of the function *callee* in any scope: (call, caller, bound method)."""
        memo = self._callers.get(id(callee))
        if memo is None:
            memo = self._callers[id(callee)] = []
            for call, scope in self._calls_named(callee.name):
                target = self.local_target(call, scope)
                if target is not None and target[0] is callee:
                    memo.append((call, scope, target[1] is not None))
        return memo

    def callers(self, callee: Scope) -> list[tuple[ast.Call, Scope, bool]]:
        """The calls of the function *callee* in the module level and the functions
        registered by name: (call, caller, bound method), in scope order."""
        return [entry for entry in self._calls_of(callee) if self.walked(entry[1])]

    @cached_property
    def training_owners(self) -> frozenset[str | None] | None:
        """The top-level functions and methods (None: the module level) whose walks may
        leave a model trained: those with a training loop or training step in them or
        calling a project function of another module that may train, and (transitively)
        those calling a function of one of them by name; None when a scope's owner is
        not in the index (then any may). Read from the loops that may train and the
        index's call sites."""
        scopes = [self.module_scope, *self._collected.scope_of.values()]
        if any(self.owner(scope) not in self._called_names for scope in scopes):
            return None
        found = {target.owner for target in self.loops.call_targets(self.info)
                 if self.loops.function_may_train(target.path, target.name)}
        found |= {self.owner(self.loop_scopes[id(loop)]) for loop in self.all_loops if id(loop) in self.training_loop_ids}
        found.update(self.owner(scope) for scope in scopes if self.is_training_step(scope))
        while True:
            trained = {scope.name for scope in scopes if not scope.is_module and self.owner(scope) in found}
            more = {owner for owner, names in self._called_names.items() if owner not in found and names & trained}
            if not more:
                return frozenset(found)
            found |= more

    def may_train_here(self, scope: Scope) -> bool:
        """Whether a model may be trained in *scope*'s walk (see :attr:`training_owners`)."""
        owners = self.training_owners
        return owners is None or self.owner(scope) in owners

    def project_target(self, call: ast.Call) -> tuple[ModuleFacts, Scope, dict[str, ast.expr]] | None:
        """A function of another project module that *call* runs (when it is handed something)."""
        if not call.args and not call.keywords:
            return None
        name = dotted_name(call.func)
        qualified = self.info.qualify(name) if name else None
        found = self.loops.project_function(self.info, qualified) if qualified else None
        if found is None:
            return None
        other, callee = found
        return other, callee, self.bound_arguments(callee, call, callee.class_name is not None)

    def is_opaque_call(self, call: ast.Call, scope: Scope) -> bool:
        """A call whose effect on the modules it is handed cannot be read here: a function
        held in a variable, a class of this module, or a method named like training or
        evaluation on an object that is not an imported module."""
        func = call.func
        if isinstance(func, ast.Name):
            if self.info.qualify(func.id) is not None:
                return False
            return not (func.id in _BUILTINS and self.lookup(scope, func.id) is None)
        if isinstance(func, ast.Attribute):
            root = dotted_name(func.value)
            if root is not None and self.info.qualify(root) is not None:
                return False
            return bool(words(func.attr) & (EVAL_WORDS | TRAIN_WORDS | {"run", "epoch", "loop"}))
        return True

    def sets_modes(self, call: ast.Call, scope: Scope) -> bool:
        """``m.apply(fn)`` where ``fn`` may call ``.train()``/``.eval()`` (not a weight initialiser)."""
        fn = _positional(call, 0)
        if not isinstance(fn, ast.Name):
            return True
        owner = self.lookup(scope, fn.id)
        helper = owner.nested.get(fn.id) if owner is not None else None
        if helper is None:
            return self.info.qualify(fn.id) is None
        return any(isinstance(c.func, ast.Attribute) and c.func.attr in ("train", "eval") for c in helper.calls)

    # -- grad mode and names

    def grad_context(self, node: ast.expr) -> bool | None | str:
        """True: the ``with`` item turns grad off; False: on; None: it may; "none": unrelated."""
        if not isinstance(node, ast.Call):
            return "none"
        name = dotted_name(node.func)
        qualified = self.info.qualify(name) if name else None
        if qualified in _GRAD_OFF:
            return True
        if qualified in _GRAD_ON:
            return False
        if qualified in _SET_GRAD:
            flag = _constant(_argument(node, 0, "mode"))
            return flag is not True if flag in (True, False) else None
        if _changes_modes(node):
            return None
        return "none"

    def decorated_no_grad(self, scope: Scope) -> bool:
        if scope.is_module:
            return False
        for decorator in scope.node.decorator_list:  # type: ignore[union-attr]
            called = decorator.func if isinstance(decorator, ast.Call) else decorator
            name = dotted_name(called)
            if name and self.info.qualify(name) in _GRAD_OFF:
                return True
        return False

    def is_managed(self, scope: Scope) -> bool:
        """A method of a Lightning module or transformers ``Trainer`` (or a function in one)."""
        current: Scope | None = scope
        while current is not None and not current.is_module:
            if current.class_name is not None:
                return self.class_facts(current.class_name).managed
            current = current.parent
        return False

    @staticmethod
    def is_forward(scope: Scope) -> bool:
        current: Scope | None = scope
        while current is not None and not current.is_module:
            if current.name in _FORWARDING:
                return True
            current = current.parent
        return False

    def loader(self, iterator: ast.expr, scope: Scope) -> ast.expr | None:
        """The data loader a ``for`` loop iterates (through ``enumerate``/``tqdm``/``zip``)."""
        for _ in range(4):
            if not isinstance(iterator, ast.Call):
                break
            name = dotted_name(iterator.func) or ""
            if name.rpartition(".")[2] in _ITER_WRAPPERS or name.startswith("tqdm"):
                if not iterator.args:
                    return None
                iterator = iterator.args[0]
                continue
            return iterator if (self.info.qualify(name) or name).endswith("DataLoader") else None
        identifier = last_identifier(iterator)
        if identifier is None or not isinstance(iterator, (ast.Name, ast.Attribute)):
            return None
        if _LOADER.search(identifier):
            return iterator
        if isinstance(iterator, ast.Name) and self.mentions("DataLoader"):
            owner = self.lookup(scope, iterator.id)
            for value in owner.defs.get(iterator.id, []) if owner is not None else []:
                if isinstance(value, ast.Call):
                    name = dotted_name(value.func) or ""
                    if (self.info.qualify(name) or name).endswith("DataLoader"):
                        return iterator
        return None

    # -- loops

    def gathered(self, loop: LoopNode) -> _LoopFacts:
        """:meth:`_LoopFacts.gather` of a loop, once, from what its scope's collection
        found on its lines (calls, assignments, loops); only the lambdas, functions and
        classes inside it are walked."""
        found = self._gathered.get(id(loop))
        if found is not None:
            return found
        scope = self.loop_scopes.get(id(loop), self.module_scope)
        found = self._gathered[id(loop)] = _LoopFacts([], [], set(), False, [], [])
        placed = self._placed(scope)
        start, end = (loop.lineno, loop.col_offset), (loop.end_lineno or loop.lineno, loop.end_col_offset or 0)
        for call in _between(placed.calls, start, end):
            found.add_call(self, call, scope)  # type: ignore[arg-type]
        if any(_clears_by_assignment(self, node, scope) for node in _between(placed.assignments, start, end)):
            found.clears = found.clears_all = True  # type: ignore[arg-type]
        found.inner_loops.extend(inner for inner in _between(placed.loops, start, end) if inner is not loop)  # type: ignore[misc]
        for node in _between(placed.closed, start, end):
            found.absorb(_LoopFacts.gather(self, node, scope, whole=True))
        return found

    def _placed(self, scope: Scope) -> _Placed:
        found = self._placements.get(id(scope))
        if found is None:
            loops = [loop for loop in self.all_loops if self.loop_scopes.get(id(loop)) is scope]
            found = self._placements[id(scope)] = _Placed(
                *(_by_position(nodes) for nodes in (scope.calls, scope.assignments, scope.closed, loops)))
        return found

    def loop_facts(self, loop: LoopNode) -> _LoopFacts:
        found = self._loop_facts.get(id(loop))
        if found is None:
            scope = self.loop_scopes.get(id(loop), self.module_scope)
            found = self._loop_facts[id(loop)] = _LoopFacts.of(self, loop, scope)
        return found

    @cached_property
    def all_loops(self) -> list[LoopNode]:
        """Every loop, outer loops before the loops inside them."""
        return sorted(self._collected.loop_nodes, key=lambda n: (n.lineno, n.col_offset))

    @cached_property
    def training_loop_ids(self) -> frozenset[int]:
        """Innermost loops that back-propagate and step (directly or through a helper)."""
        candidates = self.training_candidates
        trains: dict[int, bool] = {}

        def loop_trains(loop: LoopNode) -> bool:
            if id(loop) not in trains:
                trains[id(loop)] = id(loop) in candidates and self.loop_facts(loop).trains
            return trains[id(loop)]

        return frozenset(
            id(loop) for loop in self.all_loops
            if loop_trains(loop) and not any(loop_trains(inner) for inner in self.loop_facts(loop).inner_loops)
        )

    @cached_property
    def backward_loop_ids(self) -> frozenset[int]:
        """The loops whose lines mention ``backward`` (or an alias of ``torch.autograd.backward``):
        the only ones that can call it."""
        lines = self.lines_with(self.backward_words)
        return frozenset(id(loop) for loop in self.all_loops if _meets(_span(loop), lines))

    @cached_property
    def backward_words(self) -> tuple[str, ...]:
        return ("backward", *(name for name, target in self.info.aliases.items() if target == "torch.autograd.backward"))

    @cached_property
    def training_candidates(self) -> frozenset[int]:
        """The loops that may train: those mentioning ``backward``, the name of a function
        of this module that may be a training step, or holding a call that may run a
        project function of a module mentioning ``backward``."""
        steps = tuple(sorted({scope.name for scope in self._collected.scope_of.values()
                              if self.may_be_step_function(scope)}))
        lines = sorted({*self.lines_with((*self.backward_words, *steps)),
                        *self.loops.call_lines_into_training(self.info)})
        return frozenset(id(loop) for loop in self.all_loops if _meets(_span(loop), lines))

    def may_be_step_function(self, scope: Scope) -> bool:
        """Whether *scope* may call ``backward()`` outside its loops and nested
        definitions (what a training step function does): a line of it, outside those,
        mentions it."""
        if scope.is_module:
            return False
        lines = self.lines_with(self.backward_words)
        start, end = scope.span
        inside = lines[bisect_left(lines, start):bisect_right(lines, end)]
        if not inside:
            return False
        skipped = [_span(node) for node in _walk_statements(scope.node)
                   if isinstance(node, (*_LOOPS, *_DEFINITIONS))]
        return any(not any(low <= line <= high for low, high in skipped) for line in inside)

    def is_training_loop(self, loop: LoopNode) -> bool:
        return id(loop) in self.training_loop_ids

    def calls_in(self, node: ast.AST) -> list[ast.Call]:
        """:func:`calls_in`, once per node (the mode walk meets a loop's statements twice)."""
        found = self._calls_in.get(id(node))
        if found is None:
            found = self._calls_in[id(node)] = calls_in(node)
        return found

    def involved(self, node: ast.AST) -> frozenset[str]:
        """Expressions called or handed to calls in *node*'s code: what its training trains."""
        memo = self._involved.get(id(node))
        if memo is not None:
            return memo
        found = set()
        for call in calls_in(node, into_functions=True):
            func = call.func
            target = func.value if isinstance(func, ast.Attribute) and func.attr == "forward" else func
            key = key_of(target)
            if key is not None:
                found.add(key)
            found.update(k for k in map(key_of, _passed(call)) if k is not None)
        memo = self._involved[id(node)] = frozenset(found)
        return memo

    def is_training_step(self, scope: Scope) -> bool:
        """A function that back-propagates and steps outside any loop of its own (a training step)."""
        return not scope.is_module and self.loops.step_function(self, scope) is not None

    def step_facts(self, scope: Scope) -> _LoopFacts | None:
        """What a function does outside its loops, if it back-propagates and steps there."""
        if not self.may_be_step_function(scope):
            return None
        facts = _LoopFacts.of(self, scope.node, scope, skip_loops=True)
        return facts if facts.backward and facts.steps else None

    def calls_without_grad(self, node: ast.AST) -> frozenset[int]:
        """The calls under *node* inside a ``with`` that turns grad off (or may)."""
        found: set[int] = set()
        for child in _walk_code(node):
            if isinstance(child, (ast.With, ast.AsyncWith)) and any(
                self.grad_context(item.context_expr) != "none" for item in child.items
            ):
                found.update(id(call) for call in _walk_code(child) if isinstance(call, ast.Call))
        return frozenset(found)

    def needs_grad(self, node: ast.AST) -> bool:
        """The code back-propagates or asks for gradients (adversarial or saliency evaluation)."""
        for child in _walk_code(node):
            if isinstance(child, ast.Attribute) and child.attr in ("requires_grad", "requires_grad_"):
                return True
            if isinstance(child, ast.Call) and _call_role(self, child, self.module_scope, shallow=True) in (
                "backward", "needs-grad"
            ):
                return True
        return False

    # -- the walks

    def walk(self, scope: Scope) -> _ModeWalk:
        """The recording mode walk of *scope* (uses, calls of module functions, loops over
        loaders), walked on first demand."""
        found = self._walks.get(id(scope))
        if found is None:
            found = self._walks[id(scope)] = _ModeWalk(self, scope, record=True)
            found.run()
        return found

    def walked(self, scope: Scope) -> bool:
        """The module level and the functions registered by name: the scopes walked."""
        return scope.is_module or self.functions.get(scope.qualname) is scope

    @cached_property
    def _owned_sites(self) -> list[tuple[str | None, str, int]]:
        """(owner, qualified name, line) of every call site of the index in this module:
        the name as the analysis qualifies a call (a local function's call by the import
        its name may stand for, as well)."""
        info = self.info
        prefix = info.name + "."
        found: list[tuple[str | None, str, int]] = []
        owned = [(None, info.toplevel_calls), *((qual, function.calls) for qual, function in info.functions.items())]
        for owner, sites in owned:
            for site in sites:
                found.append((owner, site.name, site.line))
                if site.name.startswith(prefix) and (qualified := info.qualify(site.name[len(prefix):])) is not None:
                    found.append((owner, qualified, site.line))
        return found

    def _site_lines(self, names: frozenset[str]) -> dict[str | None, list[int]]:
        """owner -> the sorted lines of its call sites of one of *names* (qualified)."""
        found: dict[str | None, set[int]] = {}
        for owner, name, line in self._owned_sites:
            if name in names:
                found.setdefault(owner, set()).add(line)
        return {owner: sorted(lines) for owner, lines in found.items()}

    @cached_property
    def _grad_lines(self) -> dict[str | None, list[int]]:
        return self._site_lines(_GRAD_OFF | _SET_GRAD)

    @cached_property
    def _set_grad_lines(self) -> dict[str | None, list[int]]:
        return self._site_lines(_SET_GRAD)

    def turns_grad_off(self, scope: Scope) -> bool:
        """The scope's own code may call ``no_grad``/``inference_mode``/``set_grad_enabled``
        (a call site of the index on its lines)."""
        return _meets(scope.span, self._grad_lines.get(self.owner(scope), []))

    def sets_grad(self, scope: Scope) -> bool:
        """The scope's own code may call ``torch.set_grad_enabled`` (grad mode then depends on the flow)."""
        return _meets(scope.span, self._set_grad_lines.get(self.owner(scope), []))

    def sites_of(self, scope: Scope, trained: bool = False) -> list[Site]:
        """The calls of *scope* in this module with the callers' states there (the callers
        walked); *trained*: only in callers that may have trained a model (others are not walked)."""
        callers = {id(caller) for _, caller, _ in self.callers(scope) if not trained or self.may_train_here(caller)}
        return [site for caller in self.scopes if id(caller) in callers
                for site in self.walk(caller).sites.values() if site.callee is scope]

    # -- what the rules read

    @cached_property
    def training_loops(self) -> list[TrainingLoop]:
        """The innermost training loops, with what clears their gradients."""
        found = [self.describe_training(loop) for loop in self.all_loops if id(loop) in self.training_loop_ids]
        return sorted(found, key=lambda t: (t.step.lineno, t.step.col_offset))

    def describe_training(self, loop: LoopNode) -> TrainingLoop:
        facts = self.loop_facts(loop)
        scope = self.loop_scopes.get(id(loop), self.module_scope)
        clears, unsure, via = facts.clears, False, None
        if facts.backward and facts.steps:
            backward, step = facts.backward[0], facts.steps[0]
        else:
            assert facts.via is not None
            step, via, via_facts = facts.via
            backward = step
            clears = clears or via_facts.clears
        helper_clears = False
        for call in facts.helper_calls:
            verdict = self.loops.helper_clears(self, call, scope)
            helper_clears = helper_clears or verdict is True
            unsure = unsure or (verdict is None and facts.hands_optimizer(call))
        if helper_clears:
            clears = True
        elif clears and not facts.clears_all and via is None:
            forgotten = next((s for s in facts.steps if not self.step_cleared(s, facts.zeroed, scope)), None)
            if forgotten is not None:
                clears, step = False, forgotten
        return TrainingLoop(loop, scope, backward, step, via, clears, unsure)

    def step_cleared(self, step: ast.Call, zeroed: set[str], scope: Scope) -> bool:
        """Whether the loop's ``zero_grad()`` calls cover the optimizer *step* steps: called
        on it, or on the module whose ``parameters()`` it was built from (or an alias of
        it); an optimizer whose module is not known is covered by any clear."""
        optimizer = _stepped(step)
        owner = self.optimizer_owner(optimizer, scope) if optimizer is not None else None
        if optimizer is None or optimizer in zeroed or owner is None:
            return True
        related = self.aliases(owner, scope)
        return bool(related & zeroed) or any(owner in self.aliases(key, scope) for key in zeroed)

    def optimizer_owner(self, optimizer: str, scope: Scope) -> str | None:
        """The module an optimizer was built on (``Adam(net.parameters())`` -> ``net``), if
        every construction of it says the same."""
        owners = {_parameters_owner(value) for value in self.definitions(optimizer, scope)}
        return owners.pop() if len(owners) == 1 else None

    def aliases(self, key: str, scope: Scope) -> set[str]:
        """*key* and what its definitions wrap (``ddp = DDP(model)`` -> ``ddp``, ``model``)."""
        found = {key}
        for value in self.definitions(key, scope):
            inner = value
            while isinstance(inner, ast.Call):
                func = inner.func
                if isinstance(func, ast.Attribute) and func.attr in _SELF_RETURNING:
                    inner = func.value
                elif inner.args and not isinstance(inner.args[0], ast.Starred):
                    inner = inner.args[0]
                else:
                    break
            wrapped = key_of(inner) if inner is not None else None
            if wrapped is not None:
                found.add(wrapped)
        return found

    def definitions(self, key: str, scope: Scope) -> list[ast.expr | None]:
        """What a name (or ``self.x``) is assigned in its scope (or class)."""
        root, _, attr = key.partition(".")
        if root == "self" and attr and "." not in attr and scope.self_class is not None:
            return [value for value, _, is_annotation in self.attribute_entries(scope.self_class, attr)
                    if not is_annotation]
        if attr:
            return []
        owner = self.lookup(scope, root)
        return list(owner.defs.get(root, [])) if owner is not None else []

    @cached_property
    def forward_calls(self) -> list[ForwardCall]:
        """``m.forward(...)`` on torch modules, outside ``forward`` methods (delegation)."""
        found = []
        lines = self.lines_with(("forward",))
        for scope in self.scopes:
            if not _meets(scope.span, lines) or self.is_forward(scope):
                continue
            for call in scope.calls:
                func = call.func
                if not (isinstance(func, ast.Attribute) and func.attr == "forward"):
                    continue
                if _forwards_own_arguments(call, scope):
                    continue
                if self.kind_of(func.value, scope) == MODULE and not self.forwards_directly(func.value, scope):
                    found.append(ForwardCall(call, func.value))
        return sorted(found, key=lambda f: (f.call.lineno, f.call.col_offset))

    @cached_property
    def loss_accumulations(self) -> list[LossAccumulation]:
        """Loss tensors accumulated in back-propagating loops (the outermost such loop of a scope is scanned)."""
        found: dict[int, LossAccumulation] = {}
        scanned: set[int] = set()
        candidates = self.backward_loop_ids
        for loop in self.all_loops:
            if id(loop) in scanned or id(loop) not in candidates:
                continue
            facts = self.loop_facts(loop)
            if not facts.backward:
                continue
            scope = self.loop_scopes.get(id(loop), self.module_scope)
            scanned.update(id(inner) for inner in facts.inner_loops)
            fed = self.backward_fed(scope)
            for accumulation in _LossScan(self, scope).run(loop):
                if accumulation.target not in fed and accumulation.target.split(".")[0] not in fed:
                    found[id(accumulation.node)] = accumulation
        return sorted(found.values(), key=lambda a: (a.node.lineno, a.node.col_offset))

    def backward_fed(self, scope: Scope) -> frozenset[str]:
        """Names whose value reaches a ``backward()`` in the scope: a running total that is
        back-propagated (gradient accumulation by summing losses) is meant to keep its graph."""
        memo = self._fed.get(id(scope))
        if memo is not None:
            return memo
        fed: set[str] = set()
        for call in scope.calls:
            func = call.func
            if isinstance(func, ast.Attribute) and func.attr in ("backward", "manual_backward", "scale"):
                for source in ([func.value] if func.attr == "backward" else []) + _passed(call):
                    fed.update(_names_in(source))
            name = dotted_name(func)
            if name and self.info.qualify(name) in _NEEDS_GRAD:
                for source in _passed(call):
                    fed.update(_names_in(source))
        assignments = [n for n in _walk_statements(scope.node) if isinstance(n, ast.Assign)]
        for _ in range(4):
            before = len(fed)
            for node in assignments:
                if any(key_of(t) in fed for t in node.targets):
                    fed.update(_names_in(node.value))
            if len(fed) == before:
                break
        memo = self._fed[id(scope)] = frozenset(fed)
        return memo

    @cached_property
    def eval_mode_gaps(self) -> list[EvalModeGap]:
        """Models evaluated in training mode after training; one per model and function
        (per model and top-level statement at the module level).

        Only the scopes where a use can be recorded are walked (grad turned off in their
        own code, or named for evaluation), and not those whose uses never count."""
        uses = [use for scope in self.scopes
                if self.may_record_uses(scope) and self.may_see_trained(scope) and self.may_use_model(scope)
                for use in self.walk(scope).uses.values()]
        found: dict[tuple[int, str, int], EvalModeGap] = {}
        for use in sorted(uses, key=lambda u: (u.call.lineno, u.call.col_offset)):
            group = (id(use.scope), use.key, id(use.top) if use.scope.is_module else 0)
            if group not in found:
                gap = self.eval_mode_gap(use)
                if gap is not None:
                    found[group] = gap
        return list(found.values()) if found and self._may_evaluate_after_training() else []

    def may_record_uses(self, scope: Scope) -> bool:
        """Whether the walk of *scope* may record a use that counts: only where grad is
        turned off or the function is named for evaluation, and not in ``__init__``,
        ``forward`` or a framework-managed class."""
        if scope.is_module:
            return self.turns_grad_off(scope)
        if scope.name == "__init__" or self.is_forward(scope):
            return False
        records = names_evaluation(scope.name) or self.decorated_no_grad(scope) or self.turns_grad_off(scope)
        return records and not self.is_managed(scope)

    def may_use_model(self, scope: Scope) -> bool:
        """Whether a call the walk of *scope* may record as a use can count: one in
        evaluation code (all of a function named for it, decorated with ``no_grad`` or
        setting grad by statements; else inside a ``with`` turning grad off) that the
        walk would take as a use of something that may be a model."""
        if not scope.is_module and (names_evaluation(scope.name) or self.decorated_no_grad(scope)) \
                or self.sets_grad(scope):
            calls = scope.calls
        else:
            calls = [call for node in _walk_statements(scope.node) if isinstance(node, (ast.With, ast.AsyncWith))
                     and any(self.grad_context(item.context_expr) is True for item in node.items)
                     for call in self.calls_in(node)]
        for call in calls:
            plan = self.plan(call, scope)
            if plan.kind == "use" and plan.target is not None and self.may_be_model(plan.target, scope):
                return True
        return False

    def may_see_trained(self, scope: Scope) -> bool:
        """A model in *scope* may be in a trained state: trained there, or by a caller
        before the call (what the walk records as the state at entry)."""
        owners = self.training_owners
        return owners is None or self.may_train_here(scope) or any(
            scope.name in names for owner, names in self._called_names.items() if owner in owners)

    def _may_evaluate_after_training(self) -> bool:
        """Some training in the module or in the project (a project package it imports may train)."""
        packages = self.loops.project_packages
        return any(name.split(".")[0] in packages for name in self.info.imports) or self.trains_anything

    def eval_mode_gap(self, use: Use) -> EvalModeGap | None:
        scope = use.scope
        if use.exempt or self.is_managed(scope) or self.is_forward(scope) or scope.name == "__init__":
            return None
        modes = use.state
        if not modes or not modes - {ENTRY} <= {TRAINED} or not self.may_be_model(use.target, scope):
            return None
        context = "inside `torch.no_grad()`" if use.no_grad is True else f"in `{scope.name}()`"
        function = None if scope.is_module else scope.name
        if ENTRY not in modes:
            if not self.may_depend_on_mode(use.key, scope):
                return None
            return EvalModeGap(use.target, use.key, context, function, None, None)
        for site in self.sites_of(scope, trained=True):
            caller_key = _caller_key(use.key, scope, site)
            if caller_key is not None and site.state.get(caller_key) == {TRAINED} \
                    and self.may_depend_on_mode(caller_key, site.caller):
                return EvalModeGap(use.target, use.key, context, function, site.call, caller_key)
        return None

    # -- layers whose behaviour depends on the mode

    def may_depend_on_mode(self, key: str, scope: Scope, depth: int = 0) -> bool:
        """False only when the module *key* names is known to be built of layers that
        behave the same in training and evaluation mode (no dropout, no batch norm)."""
        if key == "self":
            return scope.self_class is None or self.class_depends_on_mode(scope.self_class)
        root = key.split(".", 1)[0]
        owner = self.lookup(scope, root) if root != "self" else scope
        # ``net = net.to(device)`` is the module built before it: the other definitions decide
        values = [value for value in self.definitions(key, scope) if key_of(_module_returned(value)) != key]
        if depth > 4 or not values or owner is None or root in owner.params and root != "self":
            return True
        return any(self.value_depends_on_mode(value, scope, key, depth) for value in values)

    def value_depends_on_mode(self, value: ast.expr | None, scope: Scope, key: str, depth: int) -> bool:
        if value is None or isinstance(value, ast.Constant) and value.value is None:
            return value is None
        inner = _module_returned(value)
        inner_key = key_of(inner)
        if inner_key is not None:
            return inner_key == key or self.may_depend_on_mode(inner_key, scope, depth + 1)
        return not isinstance(inner, ast.Call) or self.construction_depends_on_mode(inner, depth)

    def construction_depends_on_mode(self, call: ast.Call, depth: int = 0) -> bool:
        """Whether a module built by *call* may behave differently in training mode."""
        name = dotted_name(call.func)
        qualified = self.info.qualify(name) if name else None
        if qualified in _WRAPPERS and call.args and isinstance(call.args[0], ast.Call):
            return self.construction_depends_on_mode(call.args[0], depth + 1)
        if _names_loss_or_metric(qualified or name or ""):
            return False  # a loss or a metric (``torchmetrics.Accuracy``) has no mode that matters
        if qualified is not None and qualified.startswith("torch.nn."):
            layer = qualified.rpartition(".")[2]
            if layer in _RECURRENT:  # dropout between layers: the sixth argument
                dropout = _argument(call, 5, "dropout")
                return dropout is not None and _constant(dropout) not in (0, 0.0)
            if layer in _CONTAINERS:
                parts = [e for arg in _passed(call) for e in (arg.elts if isinstance(arg, (ast.List, ast.Tuple))
                                                               else self._list_elements(arg))]
                return depth > 4 or any(not isinstance(part, ast.Call) or self.construction_depends_on_mode(part, depth + 1)
                                        for part in parts)
            return layer not in _MODE_FREE_LAYERS
        if name is None:
            return True
        if name in self.classes and name.split(".")[0] not in self._rebound:
            return self.class_depends_on_mode(name, depth + 1)
        for other, class_name in self.loops._project_module(self.info, qualified) if qualified else ():
            if class_name in other.classes:
                return other.class_depends_on_mode(class_name, depth + 1)
        return True

    def _list_elements(self, arg: ast.expr) -> list[ast.expr]:
        """What a container is given through a list variable (``nn.Sequential(*layers)``):
        the layers the module puts in it (``layers = [...]``, ``layers.append(nn.ReLU())``,
        ``.extend([...])``, ``+= [...]``); the argument itself when the variable is
        bound or filled any other way, or is not a name."""
        built = self._list_builds.get(arg.id) if isinstance(arg, ast.Name) else None
        if built is None:
            return [arg]
        return [value for element in built for value in self._values_of(element)]

    def _values_of(self, element: ast.expr) -> list[ast.expr]:
        """A list element as what it holds: a name assigned only calls (``layer =
        nn.Linear(...)``, then ``layers.append(layer)``) holds one of them."""
        values = self._assigned.get(element.id) if isinstance(element, ast.Name) else None
        return values if values and all(isinstance(v, ast.Call) for v in values) else [element]

    @cached_property
    def _list_builds(self) -> dict[str, list[ast.expr] | None]:
        """Per name, the elements the module's code builds a list of (None: bound or
        changed otherwise somewhere, so not known), wherever in the module."""
        builds, _ = self._bindings
        return builds

    @cached_property
    def _assigned(self) -> dict[str, list[ast.expr] | None]:
        """Per name, every value the module's code assigns it (None: bound otherwise too)."""
        _, assigned = self._bindings
        return assigned

    @cached_property
    def _bindings(self) -> tuple[dict[str, list[ast.expr] | None], dict[str, list[ast.expr] | None]]:
        """The lists the module's names are built as, and the values they are assigned
        (see ``_list_builds`` and ``_assigned``), from one walk of the module."""
        builds: dict[str, list[ast.expr] | None] = {}
        assigned: dict[str, list[ast.expr] | None] = {}

        def grow(table: dict[str, list[ast.expr] | None], name: str, items: list[ast.expr] | None) -> None:
            """Grow the name's list in place (a name assigned thousands of times stays
            linear); None items make it unknown for good."""
            known = table.setdefault(name, [])
            if known is not None:
                if items is None:
                    table[name] = None
                else:
                    known.extend(items)

        def add(name: str, elements: list[ast.expr] | None, value: ast.expr | None = None) -> None:
            grow(builds, name, elements)
            if value is not None or elements is None:
                grow(assigned, name, None if value is None else [value])

        def listed(value: ast.expr) -> list[ast.expr] | None:
            if isinstance(value, (ast.List, ast.Tuple)) and not any(isinstance(e, ast.Starred) for e in value.elts):
                return list(value.elts)
            return None

        for node in ast.walk(self.tree):
            if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in (t for t in targets if isinstance(t, ast.Name)):
                    if isinstance(node, ast.AugAssign):  # ``layers += [...]`` extends; a value changed in place is not known
                        add(target.id, listed(node.value))
                        assigned[target.id] = None
                    else:
                        add(target.id, listed(node.value) if node.value is not None else None, node.value)
            elif isinstance(node, (ast.For, ast.comprehension, ast.With, ast.NamedExpr)):
                bound = [node.target] if not isinstance(node, ast.With) else [i.optional_vars for i in node.items]
                for target in bound:
                    for name in (n for n in ast.walk(target) if isinstance(n, ast.Name)) if target is not None else ():
                        add(name.id, None)
            elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                  and isinstance(node.func.value, ast.Name)):
                method, name = node.func.attr, node.func.value.id
                if method == "append" and len(node.args) == 1:
                    add(name, [node.args[0]])
                elif method == "extend" and len(node.args) == 1:
                    add(name, listed(node.args[0]))
                elif method in ("insert", "remove", "pop", "clear", "sort", "reverse", "__setitem__"):
                    add(name, None)
        return builds, assigned

    def class_depends_on_mode(self, class_name: str, depth: int = 0) -> bool:
        """A module class of this module whose behaviour may depend on the mode: it reads
        ``self.training``, calls functional dropout or batch norm, derives from a class not
        known to be mode-free, or calls a submodule (``self.x(...)``) not known to be."""
        if class_name in self._mode_dependence:
            return self._mode_dependence[class_name]
        self._mode_dependence[class_name] = True  # in progress: a cycle is not known to be mode-free
        node = self.classes[class_name]
        result = depth > 4 or any(self._base_depends_on_mode(base, class_name, depth) for base in node.bases) \
            or self._reads_mode(node) \
            or any(self._attribute_depends_on_mode(class_name, attr, depth) for attr in sorted(_called_attributes(node)))
        self._mode_dependence[class_name] = result
        return result

    def _reads_mode(self, node: ast.ClassDef) -> bool:
        """The class reads ``self.training`` or calls functional dropout or batch norm."""
        for child in ast.walk(node):
            if isinstance(child, ast.Attribute) and child.attr == "training":
                return True
            if isinstance(child, ast.Call):
                name = dotted_name(child.func)
                qualified = (self.info.qualify(name) or "") if name else ""
                if qualified.startswith("torch") and qualified.rpartition(".")[2] in _MODE_FUNCTIONS:
                    return True
        return False

    def _base_depends_on_mode(self, base: ast.expr, class_name: str, depth: int) -> bool:
        name = dotted_name(base)
        qualified = self.info.qualify(name) if name else None
        if qualified in ("torch.nn.Module", "torch.nn.modules.module.Module"):
            return False
        if qualified is not None and qualified.startswith("torch.nn."):
            return qualified.rpartition(".")[2] not in _MODE_FREE_LAYERS
        if name is not None and name in self.classes and name != class_name:
            return self.class_depends_on_mode(name, depth + 1)
        return True

    def _attribute_depends_on_mode(self, class_name: str, attr: str, depth: int) -> bool:
        """A submodule the class calls: mode-free only if every assignment builds one."""
        if any(f"{owner}.{attr}" in self.functions for owner in self.local_mro(class_name)):
            return False  # a method, not a submodule
        values = [v for v, _, is_annotation in self.attribute_entries(class_name, attr) if not is_annotation]
        return not values or any(not isinstance(v, ast.Call) or self.construction_depends_on_mode(v, depth + 1)
                                 for v in values)

    @cached_property
    def no_grad_gaps(self) -> list[NoGradGap]:
        """Evaluation loops over a data loader that run a model with autograd on. A loop
        is decided without any walk when what it runs under (grad mode, a managed class,
        code that needs gradients) rules it out; else its scope (and, for a gap, the
        scope's callers) are walked."""
        found = []
        for loop in self.all_loops:
            if not isinstance(loop, (ast.For, ast.AsyncFor)):
                continue
            scope = self.loop_scopes.get(id(loop), self.module_scope)
            if not self.walked(scope) or self.loader(loop.iter, scope) is None \
                    or not self.may_lack_no_grad(loop, scope):
                continue
            candidate = self.walk(scope).loops.get(id(loop))
            gap = self.no_grad_gap(candidate) if candidate is not None else None
            if gap is not None:
                found.append(gap)
        return sorted(found, key=lambda g: (g.loop.lineno, g.loop.col_offset))

    def may_lack_no_grad(self, loop: ast.For | ast.AsyncFor, scope: Scope) -> bool:
        """What needs no walk: the loop may run with grad on (no ``with`` around it in its
        function turns grad off, nor a decorator), outside a managed class or ``forward``,
        in code that does not need gradients."""
        if self.is_managed(scope) or self.is_forward(scope):
            return False
        if self.lexical_grad(loop, scope) not in (False, "flow"):
            return False
        return not (self.needs_grad(loop) or not scope.is_module and self.needs_grad(scope.node))

    def lexical_grad(self, loop: LoopNode, scope: Scope) -> bool | None | str:
        """The grad mode the mode walk will see at *loop*, when the code around it decides
        it: the innermost ``with`` of the scope around it that may change grad mode (True:
        off, False: on, None: it may), else a ``no_grad`` decorator; else False, or "flow"
        when ``set_grad_enabled`` statements of the scope decide it."""
        body: list[ast.stmt] = scope.node.body
        grad: bool | None | str = "none"
        while True:
            inside = next((stmt for stmt in body if stmt.lineno <= loop.lineno <= (stmt.end_lineno or 0)
                           and not isinstance(stmt, _DEFINITIONS)), None)
            if inside is None or inside is loop:
                break
            if isinstance(inside, (ast.With, ast.AsyncWith)):
                for item in inside.items:
                    context = self.grad_context(item.context_expr)
                    if context != "none":
                        grad = context
            body = [stmt for name in BLOCKS for block in getattr(inside, name, ())
                    for stmt in (block.body if isinstance(block, (ast.excepthandler, ast.match_case)) else [block])]
        if grad != "none":
            return grad
        if self.decorated_no_grad(scope):
            return True
        return "flow" if self.sets_grad(scope) else False

    def no_grad_gap(self, candidate: EvalLoopCandidate) -> NoGradGap | None:
        scope = candidate.scope
        if candidate.no_grad is not False:
            return None
        named = not scope.is_module and names_evaluation(scope.name)
        guarded = self.calls_without_grad(candidate.loop)
        for call in calls_in(candidate.loop):
            if id(call) in guarded:
                continue
            func = call.func
            target = func.value if isinstance(func, ast.Attribute) and func.attr == "forward" else func
            key = key_of(target)
            if key is None or self.local_target(call, scope) is not None or not self.may_be_model(target, scope):
                continue
            if candidate.eval_loader:
                why = f"it iterates `{last_identifier(candidate.loader)}`"
            elif named:
                why = f"it is in `{scope.name}()`"
            elif EVAL in candidate.state.get(key, frozenset()):
                why = f"`{key}.eval()` was called before it"
            else:
                continue
            if any(site.no_grad is not False for site in self.sites_of(scope)):
                return None
            return NoGradGap(candidate.loop, ast.unparse(candidate.loader), key, why)
        return None


def _called_attributes(node: ast.ClassDef) -> set[str]:
    """The ``self.x`` a class calls (``self.x(...)``, ``self.x[i](...)``) or iterates: its submodules."""
    found: set[str] = set()
    for child in ast.walk(node):
        if isinstance(child, ast.Call):
            target = child.func.value if isinstance(child.func, ast.Subscript) else child.func
        elif isinstance(child, (ast.For, ast.comprehension)):
            target = child.iter
        else:
            continue
        if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) and target.value.id == "self":
            found.add(target.attr)
    return found


def _changes_modes(call: ast.Call) -> bool:
    """A context manager named for grad or evaluation mode (``eval_mode(model)``,
    ``grad_disabled()``): it may turn gradients off and switch modules' modes."""
    identifier = (last_identifier(call.func) or "").lower()
    return "grad" in identifier or "inference" in identifier or "eval" in identifier


def _forwards_own_arguments(call: ast.Call, scope: Scope) -> bool:
    """``def shim(*args, **kwargs): return m.forward(*args, **kwargs)``: a forwarding
    function standing in for ``forward`` (patched in, or a wrapper's redirect)."""
    node = scope.node
    if scope.is_module or node.args.vararg is None or node.args.kwarg is None:  # type: ignore[union-attr]
        return False
    starred = [a.value for a in call.args if isinstance(a, ast.Starred)]
    double = [kw.value for kw in call.keywords if kw.arg is None]
    return (len(call.args) == 1 and len(call.keywords) == 1 and len(starred) == 1 and len(double) == 1
            and isinstance(starred[0], ast.Name) and starred[0].id == node.args.vararg.arg  # type: ignore[union-attr]
            and isinstance(double[0], ast.Name) and double[0].id == node.args.kwarg.arg)  # type: ignore[union-attr]


def _caller_key(key: str, scope: Scope, site: Site) -> str | None:
    """What the caller at *site* calls the expression *key* of the callee *scope*."""
    root, _, rest = key.partition(".")
    if root == "self":
        mapped = site.receiver
    elif root in scope.params:
        mapped = site.bindings.get(root)
    elif root not in scope.defs:
        mapped = root
    else:
        return None
    if mapped is None:
        return None
    return f"{mapped}.{rest}" if rest else mapped


def _expression(key: str) -> ast.expr | None:
    try:
        return ast.parse(key, mode="eval").body
    except SyntaxError:
        return None


def _identifiers(node: ast.AST) -> Iterator[str]:
    """The names and attribute names an expression mentions (``batch.x_val`` -> batch, x_val)."""
    for child in ast.walk(node):
        if isinstance(child, ast.Name):
            yield child.id
        elif isinstance(child, ast.Attribute):
            yield child.attr


def _names_in(node: ast.AST) -> set[str]:
    found = set()
    for child in without_leaves(node):
        if isinstance(child, (ast.Name, ast.Attribute)):
            key = key_of(child)
            if key is not None:
                found.add(key)
    return found


# -- loop facts ------------------------------------------------------------------------


@dataclass
class _LoopFacts:
    """What one loop (or a function's code outside its loops) does about gradients."""

    backward: list[ast.Call]
    steps: list[ast.Call]
    optimizers: set[str]
    clears: bool  # something clears gradients
    helper_calls: list[ast.Call]
    inner_loops: list[LoopNode]
    #: the training step function the loop calls, when it does not back-propagate and step itself
    via: tuple[ast.Call, Scope, _LoopFacts] | None = None
    #: what ``zero_grad()`` is called on (optimizers, models); other clears clear everything
    zeroed: set[str] = field(default_factory=set)
    clears_all: bool = False

    @property
    def trains(self) -> bool:
        return bool(self.backward and self.steps) or self.via is not None

    def hands_optimizer(self, call: ast.Call) -> bool:
        return any(key_of(arg) in self.optimizers for arg in _passed(call))

    @classmethod
    def of(cls, facts: ModuleFacts, node: ast.AST, scope: Scope, skip_loops: bool = False) -> _LoopFacts:
        """The facts of *node*'s code; with *skip_loops*, of the code outside its loops and
        nested functions (what a training step function does on each call)."""
        found = cls.gather(facts, node, scope, skip_loops).copy()
        for calls in (found.backward, found.steps, found.helper_calls):
            calls.sort(key=lambda c: (c.lineno, c.col_offset))
        if not skip_loops and not (found.backward and found.steps):
            for call in found.helper_calls:
                step = facts.loops.step_function_of_call(facts, call, scope)
                if step is not None:
                    found.via = (call, step[0], step[1])
                    found.optimizers |= step[1].optimizers
                    break
        return found

    @classmethod
    def gather(cls, facts: ModuleFacts, node: ast.AST, scope: Scope, skip_loops: bool = False,
               whole: bool = False) -> _LoopFacts:
        """The calls and clears of *node*'s code (*whole*: of *node* too), unsorted and
        without ``via``; a loop's are gathered by :meth:`ModuleFacts.gathered`."""
        if isinstance(node, _LOOPS) and not skip_loops:
            return facts.gathered(node)
        found = cls([], [], set(), False, [], [])
        stack = [node] if whole else _children(node)
        while stack:
            current = stack.pop()
            if isinstance(current, _LOOPS):
                found.inner_loops.append(current)
                if skip_loops:
                    continue
            if skip_loops and isinstance(current, _DEFINITIONS):
                continue
            stack.extend(_children(current))
            if isinstance(current, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Delete)) \
                    and _clears_by_assignment(facts, current, scope):
                found.clears = found.clears_all = True
            elif isinstance(current, ast.Call):
                found.add_call(facts, current, scope)
        return found

    def absorb(self, inner: _LoopFacts) -> None:
        """Add what an inner loop's code does (its ``via`` aside)."""
        self.backward.extend(inner.backward)
        self.steps.extend(inner.steps)
        self.optimizers |= inner.optimizers
        self.clears = self.clears or inner.clears
        self.clears_all = self.clears_all or inner.clears_all
        self.helper_calls.extend(inner.helper_calls)
        self.inner_loops.extend(inner.inner_loops)
        self.zeroed |= inner.zeroed

    def copy(self) -> _LoopFacts:
        return _LoopFacts(list(self.backward), list(self.steps), set(self.optimizers), self.clears,
                          list(self.helper_calls), list(self.inner_loops), self.via, set(self.zeroed), self.clears_all)

    def add_call(self, facts: ModuleFacts, call: ast.Call, scope: Scope) -> None:
        role = facts.role(call, scope)
        if role == "backward":
            self.backward.append(call)
        elif role == "step":
            self.steps.append(call)
            optimizer = _stepped(call)
            if optimizer is not None:
                self.optimizers.add(optimizer)
        elif role == "clear":
            self.clears = True
            func = call.func
            receiver = key_of(func.value) if isinstance(func, ast.Attribute) and func.attr == "zero_grad" else None
            if receiver is None:
                self.clears_all = True
            else:
                self.zeroed.add(receiver)
        elif role == "helper":
            self.helper_calls.append(call)


def _clears_by_assignment(facts: ModuleFacts, node: ast.stmt, scope: Scope) -> bool:
    """``p.grad = None`` / ``del p.grad``, or a model built afresh (new parameters, no
    gradients; a loss module built in the loop has no parameters to clear)."""
    targets = node.targets if isinstance(node, (ast.Assign, ast.Delete)) else [node.target]  # type: ignore[attr-defined]
    if any(isinstance(t, ast.Attribute) and t.attr == "grad" for t in targets):
        return True
    value = getattr(node, "value", None)
    if not isinstance(node, ast.Assign) or not isinstance(value, ast.Call) or _wraps(value):
        return False
    return facts.call_kind(value, scope) == MODULE and not (last_identifier(value.func) or "").endswith("Loss")


def _parameters_owner(value: ast.expr | None) -> str | None:
    """``SGD(model.parameters(), ...)`` -> ``model`` (also ``params=``, ``named_parameters``)."""
    if not isinstance(value, ast.Call):
        return None
    params = _argument(value, 0, "params")
    if isinstance(params, ast.Call) and isinstance(params.func, ast.Attribute) and params.func.attr in (
        "parameters", "named_parameters"
    ):
        return key_of(params.func.value)
    return None


def _wraps(call: ast.Call) -> bool:
    func = call.func
    return isinstance(func, ast.Attribute) and func.attr in _SELF_RETURNING | _PREPARE | {"train", "eval"}


#: Calls that clear gradients: methods of optimizers and modules, and functions
#: given the parameters (pyro's ``pyro.infer.util.zero_grads(params)``).
_CLEARS = frozenset({"zero_grad", "zero_grads", "clear_grad", "clear_gradients"})


def _stepped(call: ast.Call) -> str | None:
    """The optimizer an optimizer step steps (``opt.step()``, ``scaler.step(opt)``)."""
    func = call.func
    assert isinstance(func, ast.Attribute)
    if func.attr == "step" and "scaler" not in (last_identifier(func.value) or "").lower():
        return key_of(func.value)
    arg = _positional(call, 0)
    return key_of(arg) if arg is not None else None


def _call_role(facts: ModuleFacts, call: ast.Call, scope: Scope, shallow: bool = False) -> str:
    """backward / step / clear / needs-grad / helper (may clear: a project or unknown
    function) / "" (a library call) for a call in a loop. *shallow*: without looking up
    optimizers' origins and project functions."""
    func = call.func
    name = dotted_name(func)
    qualified = facts.info.qualify(name) if name else None
    if qualified in _NEEDS_GRAD:
        return "backward" if qualified == "torch.autograd.backward" else "needs-grad"
    if qualified in _GRAD_ON:
        return "needs-grad"
    last = func.attr if isinstance(func, ast.Attribute) else name
    if last is not None and last.rpartition(".")[2] in _CLEARS:  # also on ``self.optimizers["critic"]``
        return "clear"
    if isinstance(func, ast.Attribute):
        attr = func.attr
        if attr in ("backward", "manual_backward") and qualified not in _NOT_BACKWARD:
            return "backward"
        if attr in ("zero_", "fill_", "detach_", "mul_", "requires_grad_") and _under_grad(func.value):
            return "clear"
        if shallow:
            return ""
        if attr == "step" and _is_optimizer_step(facts, call, scope) or attr == "optimizer_step" and call.args:
            return "step"
        return "" if qualified is not None else "helper"
    if shallow or qualified is not None and facts.loops.project_function(facts.info, qualified) is None:
        return ""
    return "helper"


def _under_grad(node: ast.expr) -> bool:
    """``p.grad`` / ``p.grad.data``: an expression reaching a gradient."""
    while isinstance(node, ast.Attribute):
        if node.attr == "grad":
            return True
        node = node.value
    return False


def _is_optimizer_step(facts: ModuleFacts, call: ast.Call, scope: Scope) -> bool:
    func = call.func
    assert isinstance(func, ast.Attribute)
    receiver = func.value
    identifier = last_identifier(receiver) or ""
    if "scaler" in identifier.lower():
        arg = _positional(call, 0)
        return arg is not None and _names_optimizer(facts, arg, scope)
    return _names_optimizer(facts, receiver, scope)


def _names_optimizer(facts: ModuleFacts, node: ast.expr, scope: Scope) -> bool:
    identifier = last_identifier(node) or ""
    if "sched" in identifier.lower() or isinstance(node, ast.Call) and identifier == "rpc_sync":
        return False
    if isinstance(node, ast.Call) and identifier == "optimizers":
        return True
    if isinstance(node, ast.Name):
        owner = facts.lookup(scope, node.id)
        for value in owner.defs.get(node.id, []) if owner is not None else []:
            if isinstance(value, ast.Call):
                name = dotted_name(value.func) or ""
                qualified = facts.info.qualify(name) or ""
                if qualified.startswith("torch.distributed.optim"):
                    return False
                if qualified.startswith(_OPTIMIZER_PACKAGES) and "lr_scheduler" not in qualified:
                    return True
    return bool(_OPTIMIZER.search(identifier))


@dataclass
class _LossScan:
    """Statements of a back-propagating loop in order: which names hold a loss tensor."""

    facts: ModuleFacts
    scope: Scope
    holds_loss: dict[str, bool] = field(default_factory=dict)
    #: names last assigned with grad off: what they hold has no graph
    no_graph: set[str] = field(default_factory=set)
    grad_off: int = 0

    def run(self, loop: LoopNode) -> list[LossAccumulation]:
        found: list[LossAccumulation] = []
        self.body(loop.body, found)
        return found

    def body(self, body: list[ast.stmt], found: list[LossAccumulation]) -> None:
        for stmt in body:
            self.statement(stmt, found)

    def statement(self, stmt: ast.stmt, found: list[LossAccumulation]) -> None:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            return
        if isinstance(stmt, (ast.With, ast.AsyncWith)):
            off = sum(1 for item in stmt.items if self.facts.grad_context(item.context_expr) is True)
            self.grad_off += off
            self.body(stmt.body, found)
            self.grad_off -= off
            return
        if isinstance(stmt, ast.AugAssign):
            target = key_of(stmt.target.value if isinstance(stmt.target, ast.Subscript) else stmt.target)
            if target and isinstance(stmt.op, (ast.Add, ast.Sub)) and self.is_loss(stmt.value):
                found.append(LossAccumulation(stmt, target, stmt.value))
            if target and isinstance(stmt.target, ast.Name):
                self.holds_loss[target] = self.holds_loss.get(target, False) or self.is_loss(stmt.value)
            return
        if isinstance(stmt, ast.Assign):
            value = stmt.value
            for target in stmt.targets:
                key = key_of(target)
                if key is None:
                    continue
                if isinstance(value, ast.BinOp) and isinstance(value.op, ast.Add) and key in (
                    key_of(value.left), key_of(value.right)
                ):
                    other = value.right if key_of(value.left) == key else value.left
                    if self.is_loss(other) and not self.holds_loss.get(key):
                        found.append(LossAccumulation(stmt, key, other))
                self.holds_loss[key] = self.is_loss(value)
                if self.grad_off:
                    self.no_graph.add(key)
                else:
                    self.no_graph.discard(key)
            return
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
            call = stmt.value
            func = call.func
            if isinstance(func, ast.Attribute) and func.attr == "append" and len(call.args) == 1:
                target = key_of(func.value)
                if target and self.is_loss(call.args[0]):
                    found.append(LossAccumulation(call, target, call.args[0]))
            return
        for field_name in ("body", "orelse", "finalbody"):
            block = getattr(stmt, field_name, None)
            if isinstance(block, list):
                self.body(block, found)
        for handler in getattr(stmt, "handlers", []):
            self.body(handler.body, found)
        for case in getattr(stmt, "cases", []):
            self.body(case.body, found)

    def is_loss(self, node: ast.expr) -> bool:
        """A tensor that still carries a loss's autograd graph."""
        if self.grad_off:
            return False
        if isinstance(node, ast.Name):
            return self.holds_loss.get(node.id, False)
        if isinstance(node, ast.BinOp):
            return self.is_loss(node.left) or self.is_loss(node.right)
        if isinstance(node, ast.UnaryOp):
            return self.is_loss(node.operand)
        if isinstance(node, ast.Attribute):
            if node.attr == "loss":
                return key_of(node.value) not in self.no_graph
            return self.holds_loss.get(key_of(node) or "", False)
        if isinstance(node, ast.Subscript):
            return _constant(node.slice) == "loss" and key_of(node.value) not in self.no_graph
        if not isinstance(node, ast.Call):
            return False
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in _KEEPS_GRAPH:
            return self.is_loss(func.value)
        name = dotted_name(func)
        if name is None:
            return False
        qualified = self.facts.info.qualify(name) or ""
        if qualified.startswith("torch.nn.functional."):
            loss = qualified.rpartition(".")[2]
            return loss.endswith("_loss") or loss in _F_LOSSES
        if _CRITERION.search(name.rpartition(".")[2]):
            return True
        callee = _expression(name)
        return callee is not None and self.facts.is_loss_module(callee, self.scope)


# -- the analysis ----------------------------------------------------------------------

_MEMO_MODULES = 32


class TorchLoops(Analysis):
    """Per-module torch facts, built on demand for the modules a rule asks about."""

    name = "torch-loops"
    reads = Reach.IMPORTS

    def __init__(self, project: ProjectContext) -> None:
        #: held weakly: the project holds its analyses, and a cycle through it would keep
        #: every syntax tree of the run alive until a full garbage collection
        self._project = weakref.ref(project)
        self._modules: OrderedDict[str, ModuleFacts | None] = OrderedDict()
        #: the module facts and scopes of this run still alive: their scopes, walks and plans
        #: refer to each other, so they are taken apart when the project goes (freed at
        #: once, not by a garbage collection that would walk every syntax tree they hold)
        self._built: weakref.WeakSet[ModuleFacts | _Collected] = weakref.WeakSet()
        weakref.finalize(project, _release, self._built)
        self._classes: dict[tuple[str, str], ClassFacts | None] = {}
        self._summaries: dict[tuple[str, str], State | None] = {}
        self._steps: dict[tuple[str, str], _LoopFacts | None] = {}
        self._clears: dict[tuple[str, str, int], bool] = {}
        self._resolved: dict[tuple[str, str], tuple[str, str] | None] = {}
        self._targets: dict[str, list[CallTarget]] = {}
        self._function_trains: dict[tuple[str, str], bool] = {}
        self._starts: dict[str, list[int]] = {}
        self._definition_lines: dict[str, list[int]] = {}
        self._mentioned: dict[str, bool] = {}
        self._trains: dict[str, bool] = {}

    @classmethod
    def for_project(cls, project: ProjectContext, options: Mapping[str, Any]) -> TorchLoops:
        return cls(project)

    @property
    def project(self) -> ProjectContext:
        project = self._project()
        assert project is not None, "the project outlives its analyses"
        return project

    def facts(self, path: str) -> ModuleFacts | None:
        """The facts of the module at *path*, or None when it does not parse."""
        if path in self._modules:
            self._modules.move_to_end(path)
            return self._modules[path]
        index = self.project.index
        info = index.module(path)
        tree = index.tree(path)
        found = ModuleFacts(self, info, tree) if info is not None and tree is not None else None
        if found is not None:
            self._built.add(found)
        self._modules[path] = found
        while len(self._modules) > _MEMO_MODULES:
            self._modules.popitem(last=False)
        return found

    @cached_property
    def module_suffixes(self) -> frozenset[str]:
        """Every dotted tail of a name a project module is importable by (``c``, ``b.c``,
        ``a.b.c``): ``find_module`` finds nothing for a name not among them."""
        found: set[str] = set()
        for name in self.project.index.import_names():
            parts = name.split(".")
            found.update(".".join(parts[start:]) for start in range(len(parts)))
        return frozenset(found)

    @cached_property
    def project_packages(self) -> frozenset[str]:
        """The first part of every name project modules can be imported by."""
        return frozenset(name.split(".", 1)[0] for name in self.project.index.import_names())

    def _resolve(self, importer: ModuleInfo, qualified: str) -> tuple[str, str] | None:
        """The path of the project module (other than *importer*) an imported name lives
        in, and the name inside it."""
        memo = (importer.path, qualified)
        if memo not in self._resolved:
            self._resolved[memo] = None
            parts = qualified.split(".")
            suffixes = self.module_suffixes
            for split in range(len(parts) - 1, 0, -1):
                prefix = ".".join(parts[:split])
                if prefix not in suffixes:
                    continue  # no project module is importable by that name, from anywhere
                module = self.project.index.find_module(prefix, importer)
                if module is not None and module.path != importer.path:
                    self._resolved[memo] = (module.path, ".".join(parts[split:]))
                    break
        return self._resolved[memo]

    def _project_module(self, importer: ModuleInfo, qualified: str) -> Iterator[tuple[ModuleFacts, str]]:
        """The facts of the project module an imported name lives in, and the name inside it."""
        found = self._resolve(importer, qualified)
        facts = self.facts(found[0]) if found is not None else None
        if facts is not None and found is not None:
            yield facts, found[1]

    def call_targets(self, info: ModuleInfo) -> list[CallTarget]:
        """Every call site of *info* that may run a function of another project module:
        the names the analysis resolves are qualified through imports (a local
        function's name may also stand for an import), so only those are resolved.
        Reads no syntax tree."""
        found = self._targets.get(info.path)
        if found is None:
            found = self._targets[info.path] = []
            prefix = info.name + "."
            imported = {target.split(".", 1)[0] for target in info.aliases.values()}
            owned = [(None, info.toplevel_calls), *((qual, function.calls) for qual, function in info.functions.items())]
            for owner, sites in owned:
                for site in sites:
                    if site.name.startswith(prefix):
                        name = info.qualify(site.name[len(prefix):])
                    else:
                        name = site.name if site.name.split(".", 1)[0] in imported else None
                    resolved = self._resolve(info, name) if name is not None else None
                    if resolved is not None:
                        found.append(CallTarget(resolved[0], resolved[1], site.line, owner))
        return found

    def callees(self, info: ModuleInfo) -> frozenset[str]:
        """The project modules whose functions the calls of *info* may run."""
        return frozenset(target.path for target in self.call_targets(info))

    def may_call_forward(self, path: str) -> bool:
        """Whether the module at *path* may call ``forward`` on a module outside a
        ``forward`` method, from its text and call sites alone. A receiver that can be a
        module is a name or ``self.x`` (then the call is a call site of the index, with
        the function it is in) or a call (``Model().forward(x)``, taken as possible). A
        mention of ``forward`` that is not an attribute (nothing but blanks back to a
        character other than ``.``, on a line without ``#``) is no call."""
        text = self.project.index.source(path) or ""
        info = self.project.index.module(path)
        if info is None or not text.isascii():
            return True
        for start in word_starts(text, "forward"):
            if not self._plain_forward(text, start, info):
                return True
        owned = [(None, info.toplevel_calls), *((qual, function.calls) for qual, function in info.functions.items())]
        return any(site.name.endswith(".forward") and (owner is None or owner.rpartition(".")[2] not in _FORWARDING)
                   for owner, sites in owned for site in sites)

    @staticmethod
    def _plain_forward(text: str, start: int, info: ModuleInfo) -> bool:
        """The ``forward`` at *start* is defined, a mention that is no attribute, an
        attribute of a plain name chain (a call site, if called) or of ``super()``."""
        before = text[max(0, start - 2):start]
        if len(before) == 2 and before[1] == "." and (before[0].isalnum() or before[0] == "_"):
            return True
        if _FORWARD_DEF.search(text, max(0, start - 16), start):
            return True
        if _SUPER_FORWARD.search(text, max(0, start - 200), start):
            return "class super" not in text and "super" not in info.aliases
        previous = start - 1
        while previous >= 0 and text[previous] in " \t\f\r\n\\":
            previous -= 1
        if previous < 0:
            return True
        line_start = text.rfind("\n", 0, previous) + 1
        line_end = text.find("\n", previous)
        return text[previous] != "." and "#" not in text[line_start:line_end if line_end >= 0 else len(text)]

    def module_may_train(self, path: str) -> bool:
        """Whether code the module at *path* runs may train a model: its text mentions
        ``backward``, or one of its calls may run a project function that may train."""
        info = self.project.index.module(path)
        if self._trains_text(path) or info is None:
            return True
        return any(self.function_may_train(target.path, target.name) for target in self.call_targets(info))

    def function_may_train(self, path: str, name: str) -> bool:
        """Whether the project function *name* of the module at *path* (a class: its
        ``__init__``) may leave a model trained, from the index and text alone: its
        lines (from the previous definition on, decorators included) mention
        ``backward``, or it calls a function of its module or of another project module
        that may. True while it is being decided (a cycle of calls)."""
        info = self.project.index.module(path)
        if info is None or not self.may_train(path):
            return False
        qual = name if name in info.functions else f"{name}.__init__"
        if qual not in info.functions:
            return False
        memo = (path, qual)
        if memo not in self._function_trains:
            self._function_trains[memo] = True
            self._function_trains[memo] = self._function_trains_now(info, qual)
        return self._function_trains[memo]

    def _function_trains_now(self, info: ModuleInfo, qual: str) -> bool:
        start, end = self._function_lines(info, qual)
        starts = self._line_starts(info.path)
        text = self.project.index.source(info.path) or ""
        if mentions_backward(text[starts[start - 1]:starts[end] if end < len(starts) else len(text)]):
            return True
        called = {site.name.rpartition(".")[2] for site in info.functions[qual].calls}
        called.update(alias for site in info.functions[qual].calls
                      for alias, target in info.aliases.items() if target == site.name)
        local = [other for other in info.functions if other.rpartition(".")[2] in called and other != qual]
        return any(self.function_may_train(info.path, other) for other in local) or any(
            self.function_may_train(target.path, target.name)
            for target in self.call_targets(info) if target.owner == qual)

    def _function_lines(self, info: ModuleInfo, qual: str) -> tuple[int, int]:
        """Lines that hold the function *qual* of *info* (and more): from the line after
        the previous definition's ``def`` to the line before the next one's."""
        lines = self._definition_lines.get(info.path)
        if lines is None:
            lines = self._definition_lines[info.path] = sorted({function.line for function in info.functions.values()})
        line = info.functions[qual].line
        index = bisect_left(lines, line)
        start = lines[index - 1] + 1 if index > 0 else 1
        end = lines[index + 1] - 1 if index + 1 < len(lines) else 1 << 30
        return start, end

    def _line_starts(self, path: str) -> list[int]:
        found = self._starts.get(path)
        if found is None:
            text = self.project.index.source(path) or ""
            found = self._starts[path] = [0, *(match.end() for match in _NEWLINE.finditer(text))]
        return found

    def _trains_text(self, path: str) -> bool:
        """Whether the text of the module at *path* may call ``backward``."""
        if path not in self._mentioned:
            self._mentioned[path] = mentions_backward(self.project.index.source(path) or "")
        return self._mentioned[path]

    def call_lines_into_training(self, info: ModuleInfo) -> list[int]:
        """The lines of the calls of *info* that may run a function of a project module
        whose text may call ``backward``."""
        return sorted({target.line for target in self.call_targets(info) if self._trains_text(target.path)})

    def may_train(self, path: str) -> bool:
        """Whether code the module at *path* runs may train a model: it, or a project
        module its calls reach (transitively), mentions ``backward``. Text and index only;
        a search that finds nothing settles every module it went through."""
        if path in self._trains:
            return self._trains[path]
        index = self.project.index
        seen, queue = {path}, [path]
        while queue:
            current = queue.pop()
            known = self._trains.get(current)
            if known is False:
                continue
            if known or self._trains_text(current):
                self._trains[path] = True
                return True
            info = index.module(current)
            for callee in self.callees(info) if info is not None else ():
                if callee not in seen:
                    seen.add(callee)
                    queue.append(callee)
        self._trains.update(dict.fromkeys(seen, False))
        return False

    def project_class(self, importer: ModuleInfo, qualified: str) -> ClassFacts | None:
        """The facts of a project class imported by *importer* as *qualified*."""
        for facts, name in self._project_module(importer, qualified):
            memo = (facts.info.path, name)
            if memo not in self._classes:
                self._classes[memo] = None
                self._classes[memo] = facts.class_facts(name) if name in facts.classes else None
            return self._classes[memo]
        return None

    def project_function(self, importer: ModuleInfo, qualified: str) -> tuple[ModuleFacts, Scope] | None:
        for facts, name in self._project_module(importer, qualified):
            scope = facts.functions.get(name) or facts.functions.get(f"{name}.__init__")
            return (facts, scope) if scope is not None else None
        return None

    def summary(self, facts: ModuleFacts, scope: Scope) -> State | None:
        """What calling *scope* leaves the modes of its parameters, ``self`` and globals as
        (ENTRY where unchanged); None when it is being summarised (recursion)."""
        memo = (facts.info.path, scope.qualname)
        if memo in self._summaries:
            return self._summaries[memo]
        self._summaries[memo] = None
        final = _ModeWalk(facts, scope, record=False).run()
        result = {key: modes for key, modes in final.items()
                  if modes != {ENTRY} and key != _GRAD and _visible(key, scope)}
        self._summaries[memo] = result
        return result

    def step_function(self, facts: ModuleFacts, scope: Scope) -> _LoopFacts | None:
        memo = (facts.info.path, scope.qualname)
        if memo not in self._steps:
            self._steps[memo] = None
            self._steps[memo] = facts.step_facts(scope)
        return self._steps[memo]

    def step_function_of_call(self, facts: ModuleFacts, call: ast.Call, scope: Scope
                              ) -> tuple[Scope, _LoopFacts] | None:
        """The training step function (back-propagates and steps, outside loops) *call* runs."""
        local = facts.local_target(call, scope)
        if local is not None:
            found = self.step_function(facts, local[0])
            return (local[0], found) if found is not None else None
        name = dotted_name(call.func)
        qualified = facts.info.qualify(name) if name else None
        remote = self.project_function(facts.info, qualified) if qualified else None
        if remote is None:
            return None
        found = self.step_function(remote[0], remote[1])
        return (remote[1], found) if found is not None else None

    def helper_clears(self, facts: ModuleFacts, call: ast.Call, scope: Scope, depth: int = 2) -> bool | None:
        """True: the project function *call* runs clears gradients (itself or through the
        project functions it calls, *depth* calls deep); False: it does not, or it is a
        library call; None: it cannot be read."""
        local = facts.local_target(call, scope)
        target: tuple[ModuleFacts, Scope] | None = (facts, local[0]) if local is not None else None
        if target is None:
            name = dotted_name(call.func)
            qualified = facts.info.qualify(name) if name else None
            if qualified is not None:
                target = self.project_function(facts.info, qualified)
                if target is None:
                    return False
        if target is None:
            func = call.func
            receiver = last_identifier(func.value) if isinstance(func, ast.Attribute) else None
            return False if receiver is not None and "scaler" in receiver.lower() else None
        other, callee = target
        memo = (other.info.path, callee.qualname, depth)
        if memo not in self._clears:
            self._clears[memo] = False  # in progress: recursion clears nothing more
            code = _LoopFacts.of(other, callee.node, callee, skip_loops=False)
            self._clears[memo] = code.clears or depth > 0 and any(
                self.helper_clears(other, inner, callee, depth - 1) is True for inner in code.helper_calls
            )
        return self._clears[memo]


def _release(built: weakref.WeakSet[ModuleFacts | _Collected]) -> None:
    """Take the facts and scopes of a finished run apart (see ``TorchLoops._built``)."""
    for facts in list(built):
        facts.release()


def _visible(key: str, scope: Scope) -> bool:
    """A key the caller can see: a parameter, ``self``, or a global (not a local name)."""
    root = key.split(".", 1)[0]
    return root in scope.params or root == "self" or root not in scope.defs
