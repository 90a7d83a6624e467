"""What the project does about its models, as the ML3xx rules need it: which
calls train, which calls save a model (and which project functions wrap such a
save), whether the project versions models (a registry, DVC outputs), tracks
experiments (a tracker import or call, DVC metrics) and keeps hyperparameters in
configuration; and what in an artifact's file name is a hyperparameter, not a
version.

Cost: one pass over the project index's call lists and imports (no parsing;
a module's text is read only when it imports dataclasses/pydantic/attrs; the
``ast`` of a function is looked at only when it calls a save): linear in the
number of modules, computed once per run.
"""

from __future__ import annotations

import ast
import re
from dataclasses import asdict, dataclass
from typing import Any, Iterable, Iterator, Mapping

from mllint.engine.context import Analysis, ProjectContext
from mllint.engine.findings import Reach
from mllint.project.index import CallSite, ModuleInfo, ProjectIndex, dotted_name
from mllint.project.layout import Role, is_test_path
from mllint.syntax.ast_walks import without_leaves
from mllint.syntax.text_search import LineStartSearch

_TRANSFORMER_RECEIVER = re.compile(
    r"scal|encod|imput|vectori[sz]|token|pca|svd|select|normali[sz]|binari[sz]|discreti[sz]|transform|sampler"
    r"|tfidf|count_?vec|poly|kbins|feature",
    re.I,
)
_OPTIMIZER_RECEIVER = re.compile(r"optim|opt$|^opt", re.I)
_TRAINING_FUNCTIONS = frozenset({"xgboost.train", "lightgbm.train", "catboost.train", "xgboost.Booster.train"})


def names_a_transformer(receiver: str) -> bool:
    """A receiver named like a preprocessing step (``scaler``, ``encoder``, ``pca``):
    its ``fit`` learns statistics of the data, it does not train a model."""
    return _TRANSFORMER_RECEIVER.search(receiver) is not None


def _parts(name: str) -> tuple[str, str]:
    """(receiver's last segment, method) of a dotted call name."""
    head, _, last = name.rpartition(".")
    return head.rpartition(".")[2], last


def is_fit_call(name: str) -> bool:
    """``model.fit`` / ``trainer.fit`` / ``Trainer.train`` / ``xgb.train``: training, not preprocessing."""
    if name in _TRAINING_FUNCTIONS:
        return True
    receiver, method = _parts(name)
    if not receiver:
        return False
    if method in ("fit", "fit_generator"):
        return not names_a_transformer(receiver)
    return method == "train" and "trainer" in receiver.lower()


def training_sites(info: ModuleInfo) -> Iterator[CallSite]:
    """Training calls of a module: estimator/trainer fits and backward+optimizer.step loops."""
    bodies: list[list[CallSite]] = [info.toplevel_calls, *(f.calls for f in info.functions.values())]
    for calls in bodies:
        yield from (site for site in calls if is_fit_call(site.name))
        backward = [s for s in calls if s.name.endswith(".backward") or s.name == "backward"]
        steps = [s for s in calls if _parts(s.name)[1] == "step" and _OPTIMIZER_RECEIVER.search(_parts(s.name)[0])]
        if backward and steps:
            yield min(backward, key=lambda s: s.line)


#: Import prefixes of experiment trackers (what records params and metrics).
TRACKER_IMPORTS = (
    "mlflow", "wandb", "dvclive", "tensorboard", "tensorboardX", "torch.utils.tensorboard", "tensorflow.summary",
    "aim", "neptune", "comet_ml", "clearml", "sacred", "pytorch_lightning.loggers", "lightning.pytorch.loggers",
    "lightning.fabric.loggers", "keras.callbacks.TensorBoard", "keras.callbacks.CSVLogger",
    "tensorflow.keras.callbacks.TensorBoard", "tensorflow.keras.callbacks.CSVLogger", "guildai", "polyaxon",
)
#: Calls that track by themselves: Lightning's Trainer logs to a default logger,
#: ``tf.summary`` and Keras' logging callbacks write event files.
TRACKER_CALLS = (
    "pytorch_lightning.Trainer", "lightning.Trainer", "lightning.pytorch.Trainer", "tensorflow.summary.",
    "tensorflow.keras.callbacks.TensorBoard", "tensorflow.keras.callbacks.CSVLogger",
    "keras.callbacks.TensorBoard", "keras.callbacks.CSVLogger",
)

#: Calls that put a model under version control or in a registry.
_REGISTRY_PREFIXES = ("wandb.Artifact", "wandb.log_model", "wandb.log_artifact", "clearml.OutputModel",
                      "huggingface_hub.upload_", "huggingface_hub.HfApi", "mlflow.register_model")
_REGISTRY_SUFFIXES = (".log_model", ".log_artifact", ".log_artifacts", ".push_to_hub", ".register_model",
                      ".upload_folder", ".upload_file")


class _Prefixes:
    """Dotted names and the names extending them by a dot (``mlflow`` covers
    ``mlflow.log_metric``; one ending in a dot covers any extension), tested at
    once: ``str.startswith`` takes a tuple."""

    def __init__(self, prefixes: Iterable[str]) -> None:
        self.names = frozenset(prefixes)
        self.starts = tuple(p if p.endswith(".") else p + "." for p in self.names)

    def cover(self, name: str) -> bool:
        return name in self.names or name.startswith(self.starts)


_REGISTRY = _Prefixes(_REGISTRY_PREFIXES)
_TRACKER_IMPORTS = _Prefixes(TRACKER_IMPORTS)
_TRACKER_CALLS = _Prefixes(TRACKER_CALLS)


_CONFIG_IMPORTS = (
    "argparse", "click", "typer", "hydra", "omegaconf", "fire", "absl.flags", "absl.app", "gin", "jsonargparse",
    "simple_parsing", "ml_collections", "pydantic_settings", "configargparse", "tyro", "docopt", "yaml", "ruamel",
    "tomllib", "tomli", "toml", "configparser", "dynaconf", "hyperparameters",
)
_CONFIG = _Prefixes(_CONFIG_IMPORTS)
_CONFIG_FILE = re.compile(r"(^|/)(params\.ya?ml|[^/]*(config|conf|param|hparam|setting)[^/]*\.(ya?ml|json|toml|ini|cfg))$", re.I)
#: ``[ \t]``, not ``\s``: from every line start, ``\s*`` would rescan all the blank lines below it.
_CONFIG_CLASS = LineStartSearch(r"class[ \t]+\w*(Config|Args|Arguments|Params|HParams|Hparams|Hyperparameters|Settings)\b")


@dataclass(frozen=True)
class ModelPractices(Analysis):
    """Whether the project versions models, tracks experiments and configures
    its hyperparameters, anywhere in the project (each a yes/no fact)."""

    versions_models: bool
    tracks_experiments: bool
    has_config: bool

    name = "model-practices"
    reads = Reach.IMPORTS | Reach.SETTINGS | Reach.GRAPH | Reach.ANSWERS

    @classmethod
    def for_project(cls, project: ProjectContext, options: Mapping[str, Any]) -> "ModelPractices":
        return _practices(project)

    def answer(self) -> list[bool]:
        return [self.versions_models, self.tracks_experiments, self.has_config]

    @classmethod
    def summarise(cls, text: str) -> dict[str, bool]:
        """Whether the module's text holds a class named like a config (read only
        of modules that import a dataclass library), and whether it sets a trainer's
        ``report_to`` to a tracker."""
        return {"config_class": _CONFIG_CLASS.search(text), "report_to": _REPORT_TO.search(text) is not None}


def _practices(project: ProjectContext) -> ModelPractices:
    versions = tracks = configured = False
    dvc = project.dvc
    for info in project.index.modules.values():
        names = [site.name for site in info.call_sites()]
        imports = info.imports
        versions = versions or any(
            _REGISTRY.cover(n) or n.endswith(_REGISTRY_SUFFIXES)
            or (n.startswith("bentoml.") and n.endswith(".save_model")) for n in names
        )
        tracks = tracks or any(map(_TRACKER_IMPORTS.cover, imports)) or any(map(_TRACKER_CALLS.cover, names)) \
            or _reports_to_a_tracker(project, info)
        # The configuration of training code lives in scripts and packages: a notebook that
        # reads a YAML file configures itself, not the project's training runs.
        in_training_code = project.role(info.path) in (Role.SCRIPT, Role.SOURCE)
        configured = configured or in_training_code and (
            any(map(_CONFIG.cover, imports)) or _defines_config_class(project, info)
        )
    configured = configured or bool(dvc.params) or any(_CONFIG_FILE.search(f) for f in project.files if not is_test_path(f))
    return ModelPractices(
        versions_models=versions or bool(dvc.artifacts),
        tracks_experiments=tracks or bool(dvc.metrics) or _launch_reports_to_a_tracker(project),
        has_config=configured,
    )


#: A Hugging Face trainer's ``report_to`` naming a tracker: in code
#: (``TrainingArguments(report_to="wandb")``), a recipe (``report_to: [tensorboard]``,
#: or a YAML list on the lines below) or a launch script (``--report_to wandb``).
_REPORT_TO = re.compile(
    r"""report[_-]to["']?[ \t]*[:=]?[ \t]*(?:\[[ \t]*|\([ \t]*|\r?\n[ \t]*-[ \t]*)?["']?"""
    r"(?:wandb|tensorboard|mlflow|comet_ml|neptune|clearml|dvclive|aim|azure_ml|swanlab|trackio|all)\b"
)
#: Packages whose trainers take ``report_to`` (their recipes and launch scripts are read for it).
_REPORTING_TRAINERS = frozenset({"transformers", "trl", "setfit", "peft", "optimum", "sentence_transformers"})
#: Files a recipe or launch command lives in, read up to this size.
_LAUNCH_SUFFIXES = (".yaml", ".yml", ".json", ".toml", ".cfg", ".ini", ".sh")
_MAX_LAUNCH_FILE = 256_000


def _reports_to_a_tracker(project: ProjectContext, info: ModuleInfo) -> bool:
    """Whether the module sets a trainer's ``report_to`` to a tracker (from its index entry)."""
    facts = info.facts.get(ModelPractices.name)
    if isinstance(facts, dict) and isinstance(facts.get("report_to"), bool):
        return facts["report_to"]
    if not info.top_packages & _REPORTING_TRAINERS:
        return False
    text = project.module_source(info.path)
    return text is not None and _REPORT_TO.search(text) is not None


def _launch_reports_to_a_tracker(project: ProjectContext) -> bool:
    """Whether a recipe or launch script of a project training with Hugging Face
    trainers sets ``report_to`` to a tracker (alignment-handbook's recipes,
    LLaVA's ``--report_to wandb``): the trainer logs its runs there."""
    if not any(info.top_packages & _REPORTING_TRAINERS for info in project.index.modules.values()):
        return False
    for path in project.files:
        if not path.endswith(_LAUNCH_SUFFIXES) or is_test_path(path):
            continue
        try:
            if (project.root / path).stat().st_size > _MAX_LAUNCH_FILE:
                continue
        except OSError:
            continue
        text = project.read_text(path)
        if text is not None and "report" in text and _REPORT_TO.search(text):
            return True
    return False


def _defines_config_class(project: ProjectContext, info: ModuleInfo) -> bool:
    """A dataclass/pydantic/attrs class named like a config (``TrainConfig``, ``Args``)."""
    if info.is_notebook or not info.top_packages & {"dataclasses", "pydantic", "attrs", "attr"}:
        return False
    facts = info.facts.get(ModelPractices.name)
    if isinstance(facts, dict) and isinstance(facts.get("config_class"), bool):
        return facts["config_class"]
    text = project.module_source(info.path)
    return text is not None and _CONFIG_CLASS.search(text)


# -- artifact names ---------------------------------------------------------------

_NUMBER = r"[-+]?\d+(?:\.\d+)*(?:[eE][-+]?\d+)?"
#: ``C=1.0``, ``max_depth=10``: a ``name=value`` pair in a file name is a setting,
#: unless the name says version (``v=3``, ``version=2``, ``rev=4``, ``run_id=7``).
_SETTING = re.compile(
    r"(?<![A-Za-z0-9])(?!(?:v|ver|version|rev|revision|release|build|run|id|commit|sha|tag|date|time|timestamp|ts)=)"
    r"[A-Za-z][A-Za-z0-9]*=" + _NUMBER, re.I
)
#: ``depth-10``, ``lr_0.01``, ``bs32``: a known hyperparameter name followed by its value.
_HYPERPARAMETER = re.compile(
    r"(?<![A-Za-z0-9])(?:c|alpha|lr|learning[-_]?rate|eta|gamma|lambda|l1|l2|reg|depth|max[-_]?depth|n[-_]?estimators|"
    r"estimators|trees|n[-_]?trees|leaves|num[-_]?leaves|k|n[-_]?neighbors|neighbors|degree|dropout|bs|batch|"
    r"batch[-_]?size|hidden|units|layers|n[-_]?layers|dim|emb|epochs?|iter|max[-_]?iter|seed|fold|min[-_]?samples)"
    r"[-_]?" + _NUMBER + r"(?![A-Za-z0-9])", re.I
)


def without_hyperparameters(path: str) -> str:
    """The file path with its hyperparameter settings (``model_C=1.0.bin``,
    ``rf_depth-10.pkl``, ``lr_0.01``) removed: a setting distinguishes
    configurations, not the runs that produce them, so it is not a version (two
    runs with the same ``C`` write the same file)."""
    return _HYPERPARAMETER.sub("", _SETTING.sub("", path))


# -- model saves ------------------------------------------------------------------


@dataclass(frozen=True)
class SaveCall:
    """How a call that saves a model takes its arguments."""

    path_at: int | None  # position of the path argument
    path_keywords: tuple[str, ...]
    #: position of the saved object; None for a method (the receiver saves itself)
    obj_at: int | None = None
    obj_keywords: tuple[str, ...] = ("obj", "value")
    #: the saved object must look like a model (``pickle.dump`` saves anything)
    needs_model: bool = True


#: Save functions, by qualified name.
SAVE_FUNCTIONS: Mapping[str, SaveCall] = {
    "torch.save": SaveCall(1, ("f",), 0),
    "joblib.dump": SaveCall(1, ("filename",), 0),
    "pickle.dump": SaveCall(1, ("file",), 0),
    "dill.dump": SaveCall(1, ("file",), 0),
    "cloudpickle.dump": SaveCall(1, ("file",), 0),
    "skops.io.dump": SaveCall(1, ("file",), 0, needs_model=False),
    "safetensors.torch.save_file": SaveCall(1, ("filename",), 0),
    "safetensors.torch.save_model": SaveCall(1, ("filename",), 0, needs_model=False),
    "torch.jit.save": SaveCall(1, ("f",), 0, needs_model=False),
    "torch.onnx.export": SaveCall(2, ("f",), 0, needs_model=False),
    "onnx.save": SaveCall(1, ("f",), 0, needs_model=False),
    "onnx.save_model": SaveCall(1, ("f",), 0, needs_model=False),
    "tensorflow.saved_model.save": SaveCall(1, ("export_dir",), 0, needs_model=False),
    "tensorflow.keras.models.save_model": SaveCall(1, ("filepath",), 0, needs_model=False),
    "keras.models.save_model": SaveCall(1, ("filepath",), 0, needs_model=False),
    "keras.saving.save_model": SaveCall(1, ("filepath",), 0, needs_model=False),
}
#: Save methods, on any receiver that is not an imported library (np.save, mlflow.sklearn.save_model).
SAVE_METHODS: Mapping[str, SaveCall] = {
    "save_pretrained": SaveCall(0, ("save_directory",)),
    "save_model": SaveCall(0, ("fname", "filename", "filepath", "path")),
    "save_weights": SaveCall(0, ("filepath",)),
    "save_checkpoint": SaveCall(0, ("filepath",)),
    "save": SaveCall(0, ("filepath",)),
}


def save_call(qualified: str | None, method: str | None) -> SaveCall | None:
    """The model save a call is: by its qualified name (None when the callee is not
    imported) or, for a method call, by its method name."""
    if qualified in SAVE_FUNCTIONS:
        return SAVE_FUNCTIONS[qualified]
    if method in SAVE_METHODS and (qualified is None or qualified.startswith(("tensorflow.", "keras."))):
        return SAVE_METHODS[method]
    return None


@dataclass(frozen=True)
class SaveHelper:
    """A project function that saves what one parameter holds to the path another
    parameter names: ``save_model(pipeline, "model.bin")`` saves ``pipeline`` to
    ``model.bin``, and the constant path is written at that call, not in the helper."""

    saver: str  # the save it wraps (``pickle.dump``, ``model.save``)
    path: SaveCall  # where its path (and saved object) parameters are
    #: the saved object's text when it is not a parameter (a global ``model``)
    obj_text: str | None
    #: the save method when the object saves itself (``model.save(path)``)
    method: str | None

    @classmethod
    def from_json(cls, data: Any) -> SaveHelper:
        """The helper ``asdict`` made (as kept in an index entry, or read back from
        the cache as JSON); TypeError, KeyError or AttributeError for anything
        else (a cache is read from disk and may be damaged)."""
        call = data["path"]
        saver, obj_text, method = data["saver"], data["obj_text"], data["method"]
        path_at, obj_at, needs_model = call["path_at"], call["obj_at"], call["needs_model"]
        path_keywords, obj_keywords = call["path_keywords"], call["obj_keywords"]
        if not (
            isinstance(saver, str) and all(text is None or isinstance(text, str) for text in (obj_text, method))
            and all(at is None or type(at) is int for at in (path_at, obj_at)) and isinstance(needs_model, bool)
            and all(isinstance(words, (list, tuple)) and all(isinstance(word, str) for word in words)
                    for words in (path_keywords, obj_keywords))
        ):
            raise TypeError("not a save helper")
        path = SaveCall(path_at, tuple(path_keywords), obj_at, tuple(obj_keywords), needs_model)
        return cls(saver, path, obj_text, method)


#: A helper may wrap a helper; deeper chains are not followed.
MAX_HELPER_DEPTH = 3
#: Calls that open or wrap a path without changing which file it names (qualified names).
PATH_WRAPPERS = frozenset({"open", "str", "io.open", "gzip.open", "bz2.open", "lzma.open", "os.fspath",
                           "pathlib.Path", "pathlib.PurePath", "pathlib.PosixPath"})


@dataclass(frozen=True)
class SaveHelpers(Analysis):
    """The project's module-level functions that wrap a model save (see :class:`SaveHelper`)."""

    helpers: Mapping[tuple[str, str], SaveHelper]  # (module path, function name) -> helper
    #: the helpers' function names: a call of any other name is no helper (checked before resolving it)
    names: frozenset[str]

    name = "model-save-helpers"
    reads = Reach.IMPORTS | Reach.SETTINGS | Reach.GRAPH | Reach.ANSWERS

    @classmethod
    def for_project(cls, project: ProjectContext, options: Mapping[str, Any]) -> "SaveHelpers":
        helpers = _save_helpers(project.index)
        return cls(helpers, frozenset(function for _, function in helpers))

    @classmethod
    def summarise_tree(cls, info: ModuleInfo, tree: ast.Module) -> dict[str, Any] | None:
        """The module's functions that wrap a save directly, drawn as it is indexed:
        they depend on the module alone, and finding them once the project was
        indexed parsed every module defining a candidate again (a 2,000-file
        library: a second, serial before ``--jobs`` workers fork)."""
        names = _candidates(info)
        if not names:
            return None
        helpers = {name: _helper_in(tree, info, name, None, {}) for name in names}
        return {name: helper and asdict(helper) for name, helper in helpers.items()}

    def answer(self) -> list[Any]:
        """Every helper (``names`` are their function names)."""
        return [[path, function, asdict(helper)] for (path, function), helper in sorted(self.helpers.items())]

    def of(self, path: str, function: str) -> SaveHelper | None:
        return self.helpers.get((path, function))


def _save_helpers(index: ProjectIndex) -> dict[tuple[str, str], SaveHelper]:
    """Functions whose body saves a parameter to a path parameter, then those that
    call such a function that way, up to MAX_HELPER_DEPTH. The first (those that
    wrap a save directly) depend on their module alone: they are read from its
    index entry (``SaveHelpers.summarise_tree``), cached with it, so that a run
    after an edit parses only the edited modules for them (a 2,000-file library:
    2 s of a 8 s run)."""
    helpers: dict[tuple[str, str], SaveHelper] = {}
    candidates = [(info, name) for info in index.modules.values() for name in _candidates(info)]
    for depth in range(MAX_HELPER_DEPTH):
        if depth == 0:
            found = _direct_helpers(index, candidates)
        else:
            found = {
                (info.path, name): helper for info, name in candidates
                if (info.path, name) not in helpers and (helper := _helper(index, info, name, helpers)) is not None
            }
        if not found:
            break
        helpers.update(found)
        names = {name for _, name in found}
        candidates = [
            (info, name) for info in index.modules.values() for name, function in info.functions.items()
            if "." not in name and any(site.name.rpartition(".")[2] in names for site in function.calls)
        ]
    return helpers


def _candidates(info: ModuleInfo) -> list[str]:
    """The module's functions that may wrap a save: those calling a save function or method."""
    return [name for name, function in info.functions.items() if "." not in name and any(_may_save(site.name) for site in function.calls)]


def _direct_helpers(index: ProjectIndex, candidates: list[tuple[ModuleInfo, str]]) -> dict[tuple[str, str], SaveHelper]:
    """The candidates that wrap a save directly, read from their modules' index
    entries, else found in their modules' trees."""
    by_module: dict[str, tuple[ModuleInfo, list[str]]] = {}
    for info, name in candidates:
        by_module.setdefault(info.path, (info, []))[1].append(name)
    found: dict[tuple[str, str], SaveHelper] = {}
    for path, (info, names) in by_module.items():
        kept = _read_helpers(SaveHelpers.tree_facts(info), names)
        if kept is None:
            kept = {name: _helper(index, info, name, {}) for name in names}
        found.update(((path, name), helper) for name, helper in kept.items() if helper is not None)
    return found


def _read_helpers(data: Any, names: list[str]) -> dict[str, SaveHelper | None] | None:
    """The helpers ``summarise_tree`` found among *names*; None when *data* is not that."""
    try:
        if not isinstance(data, dict) or sorted(data) != sorted(names):
            return None
        return {name: None if data[name] is None else SaveHelper.from_json(data[name]) for name in names}
    except (TypeError, KeyError, AttributeError):
        return None


def _may_save(name: str) -> bool:
    return name in SAVE_FUNCTIONS or name.rpartition(".")[2] in SAVE_METHODS


def _helper(index: ProjectIndex, info: ModuleInfo, name: str, known: Mapping[tuple[str, str], SaveHelper]) -> SaveHelper | None:
    tree = index.tree(info.path, keep=False)  # the helpers are kept, not the trees of the modules defining them
    return _helper_in(tree, info, name, index, known) if tree is not None else None


def _helper_in(
    tree: ast.Module, info: ModuleInfo, name: str, index: ProjectIndex | None, known: Mapping[tuple[str, str], SaveHelper]
) -> SaveHelper | None:
    """The helper module-level function *name* of *tree* is, if it is one: it saves
    a parameter to a path parameter, directly or through one of the *known* helpers
    (none: *index* is not needed)."""
    function = next((node for node in tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
                     and node.name == name), None)
    if function is None:
        return None
    scope = _Scope(function, info)
    for call in (node for node in without_leaves(function) if isinstance(node, ast.Call)):
        dotted = dotted_name(call.func) or ""
        wrapped = _wrapped_helper(index, info, dotted, known)
        if wrapped is not None:
            signature, saver, method = wrapped.path, wrapped.saver, wrapped.method
        else:
            method = call.func.attr if isinstance(call.func, ast.Attribute) else None
            signature, saver = save_call(info.qualify(dotted), method), dotted
            method = method if signature is not None and signature.obj_at is None else None
        if signature is None:
            continue
        path = scope.parameter(_call_argument(call, signature.path_at, signature.path_keywords))
        if path is None:
            continue
        if method is not None and wrapped is None:
            saved: ast.expr | None = call.func.value  # type: ignore[union-attr]  # model.save(path)
        elif signature.obj_keywords and signature.needs_model:
            saved = _call_argument(call, signature.obj_at, signature.obj_keywords)
            if saved is None:
                continue
        else:  # the save needs no model-like object, or the wrapped helper saves a fixed one
            return SaveHelper(saver, scope.signature(path, None), wrapped.obj_text if wrapped else None, method)
        obj = scope.parameter(saved, root=True)
        return SaveHelper(saver, scope.signature(path, obj), ast.unparse(saved) if obj is None else None, method)
    return None


def _wrapped_helper(
    index: ProjectIndex | None, info: ModuleInfo, dotted: str, known: Mapping[tuple[str, str], SaveHelper]
) -> SaveHelper | None:
    """The helper a call inside a function calls (a local function or an imported one)."""
    if not known or index is None:  # looking for the functions that wrap a save directly: resolving calls is wasted
        return None
    if dotted in info.functions and "." not in dotted:
        return known.get((info.path, dotted))
    qualified = info.qualify(dotted)
    found = index.resolve_function(qualified, info) if qualified else None
    return known.get((found[0].path, found[1].qualname)) if found else None


def wraps_a_path(func: ast.expr, info: ModuleInfo) -> bool:
    """``open(p)``, ``Path(p)``, ``str(p)``: the same file as ``p``."""
    dotted = dotted_name(func) or ""
    return dotted in ("open", "str") or info.qualify(dotted) in PATH_WRAPPERS


def _call_argument(call: ast.Call, position: int | None, keywords: tuple[str, ...]) -> ast.expr | None:
    for keyword in call.keywords:
        if keyword.arg in keywords:
            return keyword.value
    positional = [arg for arg in call.args if not isinstance(arg, ast.Starred)]
    if len(positional) != len(call.args) or position is None:
        return None
    return positional[position] if position < len(positional) else None


class _Scope:
    """The parameters of a function and what its body does to them."""

    def __init__(self, function: ast.FunctionDef | ast.AsyncFunctionDef, info: ModuleInfo) -> None:
        self.info = info
        args = function.args
        self.positional = [a.arg for a in [*args.posonlyargs, *args.args]]
        self.names = {*self.positional, *(a.arg for a in args.kwonlyargs)}
        self.opened: dict[str, ast.expr] = {}  # with open(path, "wb") as f: f -> open(path, "wb")
        stored: set[str] = set()
        for node in without_leaves(function):
            if isinstance(node, ast.withitem) and isinstance(node.optional_vars, ast.Name):
                self.opened[node.optional_vars.id] = node.context_expr
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                stored.add(node.id)
        self.rebound = stored - set(self.opened)

    def parameter(self, node: ast.expr | None, *, root: bool = False) -> str | None:
        """The parameter an expression stands for: the parameter itself, ``open(p)``,
        ``Path(p)``, ``str(p)``, a file opened from it; with *root*, also anything
        reached from it (``model.state_dict()``)."""
        for _ in range(MAX_HELPER_DEPTH * 3):
            if isinstance(node, ast.Name):
                if node.id in self.opened:
                    node = self.opened[node.id]
                    continue
                return node.id if node.id in self.names and node.id not in self.rebound else None
            if isinstance(node, ast.Call) and node.args and wraps_a_path(node.func, self.info):
                node = node.args[0]
            elif root and isinstance(node, (ast.Call, ast.Attribute, ast.Subscript)):
                node = node.func if isinstance(node, ast.Call) else node.value
            else:
                return None
        return None

    def signature(self, path: str, obj: str | None) -> SaveCall:
        """How a call of this function passes the path and the saved object."""
        def at(name: str) -> int | None:
            return self.positional.index(name) if name in self.positional else None

        return SaveCall(at(path), (path,), at(obj) if obj else None, (obj,) if obj else (), needs_model=obj is not None)
