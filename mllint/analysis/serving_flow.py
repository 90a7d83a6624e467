"""What serving code does with a request: predictions, logs and model loads.

The deployment rules (ML501-ML505) need to know, for one request handler,
whether it produces a prediction, what its logging calls record, and whether
it loads a model. Real services spread this over modules (a route in
``api.py`` calls ``services/model.py`` which calls ``log_prediction`` in
``monitoring.py``), so this module walks a handler's body in evaluation order
and follows calls into project functions a couple of levels deep, carrying
small *facts* about every value:

- ``input``: derived from the request payload (a handler parameter, Flask's
  global ``request``), so logging it records the request input;
- ``prediction``: produced by a model (logging it is not logging the input);
- ``names``/``text``: identifiers, dictionary keys, keyword names and string
  text the value mentions, where model identity (``model_version``) and
  request ids (``request_id``) are looked for;
- ``model``/``logger``/``instance``: what kind of object the value is, so
  ``model(x)``, ``log.info(...)`` and ``service.predict(...)`` are recognised;
- ``const``: the constant string a value holds (constant model paths).

Everything works on the stdlib ``ast`` of the modules (about 9x cheaper than
libcst); nothing is imported or executed. The walk is deliberately
approximate: branches are walked in source order, loops once, and names are
tracked per function, which is what a reviewer reading the code does too.
"""

from __future__ import annotations

import ast
import builtins
import re
from dataclasses import dataclass, field, replace
from typing import Iterator, Protocol

from mllint.analysis.model_facts import without_hyperparameters, wraps_a_path
from mllint.project.index import ModuleInfo, dotted_name
from mllint.syntax.ast_positions import AstPositions

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef
FUNCTION_TYPES = (ast.FunctionDef, ast.AsyncFunctionDef)

#: How deep a handler is followed into project functions (the handler is 0).
#: Helpers that log directly are followed one level further.
MAX_DEPTH = 2

# -- words ------------------------------------------------------------------

_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")


def words(text: str) -> list[str]:
    """Lower-cased words of an identifier or text: ``modelVersion`` -> model, version."""
    return [w.lower() for w in _WORD.findall(text)]


def _has_pair(ws: list[str], pairs: frozenset[tuple[str, str]]) -> bool:
    return any((a, b) in pairs for a, b in zip(ws, ws[1:]))


IDENTITY_WORDS = frozenset({"version", "versions", "ver", "revision", "sha", "sha1", "sha256", "checksum", "tag", "digest"})
IDENTITY_PAIRS = frozenset({("model", "id"), ("model", "uri"), ("run", "id"), ("model", "hash")})
REQUEST_ID_PAIRS = frozenset(
    {("request", "id"), ("trace", "id"), ("correlation", "id"), ("span", "id"), ("req", "id"), ("invocation", "id")}
)
REQUEST_ID_WORDS = frozenset({"requestid", "traceid", "correlationid"})
#: Names that say a value is the request input (``extra={"features": ...}``).
INPUT_NAME_WORDS = frozenset({"input", "inputs", "features", "payload", "instances"})


_VERSION_TEXT = re.compile(r"(?i)\bv\d+(?:\.\d+)*\b")


def carries_identity(terms: frozenset[str]) -> bool:
    """Does any logged name or text name the model's identity (version, run id, ``v3``)?"""
    for term in terms:
        ws = words(term)
        if IDENTITY_WORDS.intersection(ws) or _has_pair(ws, IDENTITY_PAIRS) or _VERSION_TEXT.search(term):
            return True
    return False


def carries_request_id(terms: frozenset[str]) -> bool:
    for term in terms:
        ws = words(term)
        if REQUEST_ID_WORDS.intersection(ws) or _has_pair(ws, REQUEST_ID_PAIRS):
            return True
    return False


def names_input(names: frozenset[str]) -> bool:
    return any(INPUT_NAME_WORDS.intersection(words(name)) for name in names)


# -- facts about values -----------------------------------------------------


@dataclass(frozen=True)
class Facts:
    """What is known about a value (see the module docstring)."""

    names: frozenset[str] = frozenset()
    text: frozenset[str] = frozenset()
    input: bool = False
    prediction: bool = False
    model: bool = False
    logger: bool = False
    const: str | None = None
    instance: tuple[str, str] | None = None  # (module path, class name) of a project object

    def __or__(self, other: "Facts") -> "Facts":
        """Data combined from two values: kind facts (model, logger, ...) do not survive."""
        return Facts(
            self.names | other.names,
            self.text | other.text,
            self.input or other.input,
            self.prediction or other.prediction,
        )

    @property
    def terms(self) -> frozenset[str]:
        return self.names | self.text


EMPTY = Facts()


def _named(*names: str) -> Facts:
    return Facts(names=frozenset(n for n in names if n))


_IDENTIFIER_LIKE = re.compile(r"[A-Za-z_][\w.\-]*\Z")


def _string_facts(value: str) -> Facts:
    if _IDENTIFIER_LIKE.match(value):
        return Facts(names=frozenset({value}), const=value)
    return Facts(text=frozenset({value}), const=value)


# -- vocabularies -------------------------------------------------------------

PREDICT_METHODS = frozenset(
    {
        "predict", "predict_proba", "predict_log_proba", "predict_on_batch", "decision_function", "predict_batch",
        "batch_predict",
        # gRPC model servers: TF Serving's PredictionService (``stub.Predict(request)``), KServe v2
        "Predict", "Classify", "Regress", "MultiInference", "ModelInfer",
    }
)
#: Methods that are a prediction only on a model object (``scaler.transform`` is
#: preprocessing); ``invoke`` runs a TFLite interpreter (or an LLM chain).
MODEL_METHODS = frozenset({"generate", "transform", "infer", "forward", "encode", "run", "async_run", "__call__", "invoke"})
MODEL_WORDS = frozenset(
    {
        "model", "pipeline", "pipe", "clf", "classifier", "regressor", "estimator", "predictor", "net", "network",
        "nlp", "llm", "learner", "booster", "bst", "detector", "segmenter", "summarizer", "translator", "tagger",
        "recognizer", "runner", "session", "sess", "models",
    }
)
#: Loaded with ``from_pretrained`` but not models: calling them is preprocessing.
_PREPROCESSOR_WORDS = frozenset({"tokenizer", "processor", "extractor", "config"})
#: A name starting with one of these acts on a model (``load_model``, ``list_models``), it is not one.
_VERBS = frozenset(
    {
        "get", "load", "build", "create", "make", "init", "set", "fetch", "download", "train", "save", "fit", "update",
        "reload", "list", "register", "activate", "deactivate", "compare", "delete", "remove", "promote", "deploy",
        "archive", "search", "describe", "export", "upload", "publish", "evaluate", "validate", "unload", "warm",
    }
)

LOG_METHODS = frozenset({"debug", "info", "warning", "warn", "error", "exception", "critical", "fatal", "log", "msg", "success", "trace"})
LOGGER_WORDS = frozenset({"log", "logger", "logging", "audit", "auditor", "monitor", "mon", "tracker"})
LOGGER_FACTORIES = frozenset(
    {
        "logging.getLogger", "logging.LoggerAdapter", "structlog.get_logger", "structlog.getLogger",
        "structlog.wrap_logger", "structlog.stdlib.get_logger", "wandb.init", "bentoml.monitor",
    }
)
LOGGER_METHODS_RETURNING_LOGGER = frozenset({"bind", "new", "opt", "patch", "getChild", "with_context"})

STORE_METHODS = frozenset(
    {
        "insert_one", "insert_many", "insert_rows", "insert_rows_json", "put_item", "put_record", "put_records",
        "batch_write_item", "xadd", "lpush", "rpush", "publish", "produce", "send_message", "writerow",
        "writerows", "to_sql", "executemany", "bulk_create", "add_all", "bulk_insert_mappings",
    }
)
#: Generic write methods count as a prediction-store write only when the
#: written value or its target mentions predictions or records.
WEAK_STORE_METHODS = frozenset(
    {"add", "create", "save", "execute", "write", "send", "insert", "put", "set", "hset", "upsert", "put_object", "dump", "to_csv", "to_json", "to_parquet"}
)
STORE_WORDS = frozenset(
    {"pred", "preds", "prediction", "predictions", "inference", "inferences", "audit", "log", "logs", "record", "history", "result", "results", "insert"}
)

LOAD_FUNCTIONS = frozenset(
    {
        "joblib.load", "pickle.load", "dill.load", "cloudpickle.load", "torch.load", "torch.jit.load", "torch.hub.load",
        "onnx.load", "onnxruntime.InferenceSession", "keras.models.load_model", "keras.saving.load_model",
        "tensorflow.keras.models.load_model", "tensorflow.saved_model.load", "tensorflow.keras.saving.load_model",
        "tensorflow_hub.load", "tensorflow_hub.KerasLayer", "spacy.load", "fasttext.load_model",
        "sentence_transformers.SentenceTransformer", "transformers.pipeline", "ultralytics.YOLO", "lightgbm.Booster",
        "skops.io.load", "safetensors.torch.load_file",
        # TFLite: constructing the interpreter reads the model file
        "tensorflow.lite.Interpreter", "tensorflow.lite.python.interpreter.Interpreter",
        "tflite_runtime.interpreter.Interpreter", "ai_edge_litert.interpreter.Interpreter",
    }
)
#: Loads that deserialise any object: a model only when the file is not named as something else.
GENERIC_LOADS = frozenset({"joblib.load", "pickle.load", "dill.load", "cloudpickle.load", "torch.load", "skops.io.load"})
#: File-name words of artifacts that are not models (``stopwords.pkl``, ``label_encoder.joblib``).
NOT_MODEL_FILE_WORDS = frozenset(
    {
        "stopwords", "stop", "vocab", "vocabulary", "tokenizer", "scaler", "vectorizer",
        "vectoriser", "label", "labels", "mapping", "columns", "features", "feature", "config", "data", "dataset",
        "dict", "dictionary", "word", "words", "stats", "metadata", "meta", "classes", "lookup", "params", "history",
        "imputer", "preprocessor",
    }
)
LOAD_METHOD_NAMES = frozenset({"load_model", "from_pretrained"})
PATH_KEYWORDS = (
    "model_uri", "pretrained_model_name_or_path", "model_name_or_path", "model_path", "model_file", "path",
    "filepath", "filename", "fname", "f", "uri", "model", "tag", "name",
)
HUB_LOADS = frozenset({"from_pretrained", "transformers.pipeline", "sentence_transformers.SentenceTransformer"})

#: A value from these is the request itself (Flask-style global request objects).
GLOBAL_REQUESTS = frozenset({"flask.request", "quart.request", "bottle.request", "werkzeug.local.request"})
NO_GRAD = frozenset({"torch.no_grad", "torch.inference_mode", "torch.autograd.no_grad", "torch.autograd.grad_mode.no_grad"})
CACHE_DECORATORS = frozenset({"lru_cache", "cache", "cached", "cached_property", "cache_resource", "memoize", "memoized", "singleton"})
#: Calls that run a function given as an argument (FastAPI background tasks, executors, celery).
SCHEDULERS = frozenset({"add_task", "submit", "run_in_executor", "run_in_threadpool", "to_thread", "apply_async", "delay", "spawn"})
#: A called variable with such a name hands its argument to a sink (a prediction
#: stream, a store): ``for callback in self.callbacks: callback(prediction_event)``.
CALLBACK_WORDS = frozenset({"callback", "callbacks", "hook", "hooks", "sink", "listener", "emit", "emitter", "publisher", "reporter"})
MUTATORS = frozenset({"update", "append", "extend", "setdefault", "insert", "add", "__setitem__"})
PATH_CALLS = frozenset(
    {"open", "io.open", "pathlib.Path", "pathlib.PurePath", "pathlib.PosixPath", "os.path.join", "os.path.abspath",
     "os.path.realpath", "os.path.normpath", "os.path.expanduser", "os.path.dirname", "str", "os.fspath"}
)
PATH_METHODS = frozenset({"resolve", "absolute", "joinpath", "as_posix", "expanduser", "with_suffix"})
_BUILTINS = frozenset(dir(builtins))

#: ``(?<!\d)``: a number is tried from its first digit only, as a failing ``\d+\.``
#: from each digit would rescan a long run of digits (the same paths match).
_STRONG_VERSION = re.compile(
    r"(?i)(?:^|[^a-z0-9])v\d+(?:[._-]\d+)*(?![a-z])|(?<!\d)\d+\.\d+|version|(?<![0-9a-f])[0-9a-f]{12,64}(?![0-9a-f])|@sha256:"
)
_WEAK_VERSION = re.compile(r"(?:^|[/_\-:@])\d+(?:$|[/._\-])")


def _predicts(node: ast.expr) -> bool:
    """A method handed on to be called elsewhere that predicts: ``predictor.predict_proba``,
    ``model.generate`` (``Thread(target=model.generate, ...)``)."""
    return isinstance(node, ast.Attribute) and (
        node.attr in PREDICT_METHODS or node.attr in MODEL_METHODS and is_model_ident(last_ident(node.value))
    )


def is_model_ident(ident: str | None) -> bool:
    """``sentiment_model``, ``self._pipe``, ``clf``: a name that holds a model."""
    if not ident or (ident[0].isupper() and not ident.isupper()):
        return False
    ws = words(ident)
    return bool(ws) and ws[0] not in _VERBS and ws[-1] in MODEL_WORDS


def is_logger_ident(ident: str | None) -> bool:
    ws = words(ident or "")
    return bool(ws) and ws[-1] in LOGGER_WORDS


def last_ident(node: ast.AST) -> str | None:
    while isinstance(node, (ast.Call, ast.Subscript, ast.Await)):
        node = node.func if isinstance(node, ast.Call) else node.value
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    return None


def is_versioned(path: str, hub: bool) -> bool:
    """Does a constant model reference name a version (registry URI, tag, versioned path)?"""
    if path.startswith(("models:/", "runs:/")):
        return True
    path = without_hyperparameters(path)
    if _STRONG_VERSION.search(path):
        return True
    if hub:
        return False
    if ":" in path and "://" not in path and not path.rsplit(":", 1)[1] in ("", "latest"):
        return True  # a BentoML-style "name:version" tag
    return bool(_WEAK_VERSION.search(path))


def decorator_names(func: FunctionNode | ast.ClassDef, info: ModuleInfo) -> Iterator[tuple[str, str | None, ast.expr]]:
    """(dotted text, qualified name, decorator) for each decorator."""
    for decorator in func.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        dotted = dotted_name(target)
        if dotted is not None:
            yield dotted, info.qualify(dotted), decorator


def is_cached(func: FunctionNode, info: ModuleInfo) -> bool:
    return any(dotted.rsplit(".", 1)[-1] in CACHE_DECORATORS for dotted, _, _ in decorator_names(func, info))


def has_no_grad(func: FunctionNode, info: ModuleInfo) -> bool:
    return any(q in NO_GRAD for _, q, _ in decorator_names(func, info))


def logs_directly(func: FunctionNode, info: ModuleInfo) -> bool:
    """A cheap syntactic check: does this function's own body call a logger?"""
    for node in ast.walk(func):
        if isinstance(node, ast.Call):
            dotted = dotted_name(node.func)
            if dotted is None:
                continue
            qualified = info.qualify(dotted) or ""
            head, _, attr = dotted.rpartition(".")
            if qualified.startswith(("logging.", "loguru.", "mlflow.log", "wandb.log")) or (
                attr in LOG_METHODS and is_logger_ident(head.rsplit(".", 1)[-1])
            ):
                return True
    return False


# -- modules ------------------------------------------------------------------


class ModuleView:
    """One module's ast with its top-level functions, classes and methods."""

    def __init__(self, info: ModuleInfo, tree: ast.Module, source: str) -> None:
        self.info = info
        self.tree = tree
        self._positions = AstPositions(source)
        #: characters of its text: keeping the view costs about 30 bytes per character
        self.size = len(source)
        self.functions: dict[str, FunctionNode] = {}
        self.classes: dict[str, ast.ClassDef] = {}
        for node in tree.body:
            if isinstance(node, FUNCTION_TYPES):
                self.functions[node.name] = node
            elif isinstance(node, ast.ClassDef):
                self.classes[node.name] = node
                for item in node.body:
                    if isinstance(item, FUNCTION_TYPES):
                        self.functions[f"{node.name}.{item.name}"] = item

    @classmethod
    def parse(cls, info: ModuleInfo, source: str) -> "ModuleView | None":
        try:
            tree = ast.parse(source)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return None
        return cls(info, tree, source)

    @property
    def path(self) -> str:
        return self.info.path

    def qualify(self, node: ast.AST) -> str | None:
        dotted = dotted_name(node) if isinstance(node, ast.expr) else None
        return self.info.qualify(dotted) if dotted is not None else None

    def position(self, node: ast.AST) -> tuple[int, int, int, int]:
        """1-based line and column (in characters, as libcst counts) of a node."""
        return self._positions.range(node)


class Resolver(Protocol):
    """What the flow needs from the project (implemented by ``serving.ServingProject``)."""

    def view(self, path: str) -> ModuleView | None: ...

    def module_env(self, view: ModuleView) -> dict[str, Facts]: ...

    def class_env(self, view: ModuleView, class_name: str) -> dict[str, Facts]: ...

    def might_be_project(self, qualified: str) -> bool: ...

    def find_module(self, name: str, importer: ModuleInfo) -> ModuleInfo | None: ...


# -- events ---------------------------------------------------------------------


@dataclass
class FlowEvent:
    """A prediction, a log (or prediction-store write) or a model load in serving code."""

    kind: str  # "predict" | "log" | "load"
    node: ast.AST
    view: ModuleView  # the module the node is in
    anchor: ast.AST | None  # the call in the flow's root module that led here (None: node is there)
    label: str
    function: str  # qualified name of the function the node is in
    facts: Facts = EMPTY  # log: what it records
    in_except: bool = False
    lazy: bool = False  # load: cached, guarded by "is None" or in an except handler
    path: str | None = None  # load: the constant model path, if constant
    versioned: bool = False  # load: the reference names a version


@dataclass(frozen=True)
class Target:
    """A project function or method a call resolves to."""

    view: ModuleView
    qualname: str  # "f", "Cls.method", "Cls.__init__"
    node: FunctionNode | None  # None: a class without __init__
    class_name: str | None = None
    constructs: bool = False  # the call constructs an instance of class_name
    bound: bool = False  # the first parameter is the receiver


@dataclass
class Frame:
    view: ModuleView
    class_name: str | None
    function: str
    env: dict[str, Facts]
    depth: int = 0
    anchor: ast.AST | None = None
    chain: tuple[tuple[str, str], ...] = ()
    lazy: bool = False
    guards: int = 0
    in_except: bool = False
    no_grad: int = 0
    module_level: bool = False
    returns: Facts = EMPTY
    #: the frame whose call entered this one, and that call (None at a flow's root)
    caller: "Frame | None" = None
    call: ast.Call | None = None
    #: parameter -> (its argument expression at that call, the facts bound on entry)
    arguments: dict[str, tuple[ast.expr, Facts]] = field(default_factory=dict)
    #: ``with open(path) as f``: f -> ``open(path)``
    opened: dict[str, ast.expr] = field(default_factory=dict)


class Flow:
    """Walks functions of serving code and records their events.

    One Flow is one analysis (a handler, a startup hook, a module's top
    level); ``events`` lists what happened in evaluation order.
    """

    def __init__(self, resolver: Resolver, root: ModuleView, *, record: bool = True) -> None:
        self.resolver = resolver
        self.root = root
        self.record = record
        self.events: list[FlowEvent] = []

    # -- entry points ------------------------------------------------------

    def run_function(self, view: ModuleView, qualname: str, seeds: dict[str, Facts] | None = None) -> Facts:
        """Walk a handler or startup hook; *seeds* are its parameters' facts."""
        func = view.functions[qualname]
        class_name = qualname.rsplit(".", 1)[0] if "." in qualname else None
        env = dict(seeds or {})
        if class_name is not None:
            env.setdefault("self", Facts(instance=(view.path, class_name)))
        frame = Frame(view, class_name, qualname, env, chain=((view.path, qualname),),
                      lazy=is_cached(func, view.info), no_grad=int(has_no_grad(func, view.info)))
        self.block(func.body, frame)
        return frame.returns

    def run_module(self, view: ModuleView) -> dict[str, Facts]:
        """Walk a module's top level (imports run it); returns its global names' facts."""
        frame = Frame(view, None, "<module>", {}, module_level=True)
        self.block(view.tree.body, frame)
        return frame.env

    def run_class_setup(self, view: ModuleView, class_name: str, methods: tuple[str, ...]) -> dict[str, Facts]:
        """Walk a class's constructor and setup methods; returns the ``self.x`` facts."""
        env: dict[str, Facts] = {"self": Facts(instance=(view.path, class_name))}
        for method in methods:
            func = view.functions.get(f"{class_name}.{method}")
            if func is None:
                continue
            frame = Frame(view, class_name, f"{class_name}.{method}", env, chain=((view.path, f"{class_name}.{method}"),))
            self.block(func.body, frame)
        return {k: v for k, v in env.items() if k.startswith("self.")}

    def seed_parameters(self, func: FunctionNode, view: ModuleView, skip: frozenset[str]) -> dict[str, Facts]:
        """Handler parameters carry the request input; FastAPI ``Depends`` run per request."""
        seeds: dict[str, Facts] = {}
        args = func.args
        positional = [*args.posonlyargs, *args.args]
        defaults: list[ast.expr | None] = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
        pairs = [*zip(positional, defaults), *zip(args.kwonlyargs, args.kw_defaults)]
        frame = Frame(view, None, func.name, {}, chain=((view.path, func.name),))
        for arg, default in pairs:
            dependency = _depends_target(default) or _depends_target(arg.annotation)
            if dependency is not None:  # a service object the dependency builds stays that object
                seeds[arg.arg] = _as_parameter(self.call_dependency(dependency, frame), arg.arg)
            elif arg.arg not in skip and not _is_framework_object(arg.annotation, view):
                instance = self.annotated_instance(arg.annotation, view)
                seeds[arg.arg] = Facts(names=frozenset({arg.arg}), input=True, instance=instance)
        return seeds

    def annotated_instance(self, annotation: ast.expr | None, view: ModuleView) -> tuple[str, str] | None:
        """``model: HousePriceModel = ...``: the project class an annotation names."""
        dotted = dotted_name(annotation) if annotation is not None else None
        if dotted is None:
            return None
        if dotted in view.classes:
            return (view.path, dotted)
        qualified = view.info.qualify(dotted)
        target = self.resolve_qualified(qualified, view) if qualified and self.resolver.might_be_project(qualified) else None
        if target is not None and target.constructs and target.class_name:
            return (target.view.path, target.class_name)
        return None

    def call_dependency(self, func: ast.expr, frame: Frame) -> Facts:
        target = self.resolve(func, frame, EMPTY)
        if target is None:
            return EMPTY
        result = self.expand(target, [], {}, func, frame, EMPTY)
        return result or EMPTY

    # -- statements ----------------------------------------------------------

    def block(self, statements: list[ast.stmt], frame: Frame) -> None:
        for statement in statements:
            self.statement(statement, frame)

    def statement(self, node: ast.stmt, frame: Frame) -> None:
        if isinstance(node, ast.Assign):
            facts = self._assigned(node.value, frame)
            for target in node.targets:
                self.bind(target, facts, frame)
        elif isinstance(node, ast.AnnAssign):
            if node.value is not None:
                facts = self._assigned(node.value, frame)
                instance = self.annotated_instance(node.annotation, frame.view)
                self.bind(node.target, replace(facts, instance=instance) if instance and not facts.instance else facts, frame)
        elif isinstance(node, ast.AugAssign):
            facts = self.evaluate(node.value, frame)
            self.bind(node.target, self.lookup_target(node.target, frame) | facts, frame)
        elif isinstance(node, ast.Expr):
            self.evaluate(node.value, frame)
        elif isinstance(node, ast.Return):
            if node.value is not None:
                facts = self.evaluate(node.value, frame)
                frame.returns = _keep_kind(frame.returns | facts, frame.returns, facts)
        elif isinstance(node, ast.If):
            self.evaluate(node.test, frame)
            guard = int(_is_lazy_guard(node.test))
            frame.guards += guard
            self.block(node.body, frame)
            self.block(node.orelse, frame)
            frame.guards -= guard
        elif isinstance(node, ast.While):
            self.evaluate(node.test, frame)
            self.block(node.body, frame)
            self.block(node.orelse, frame)
        elif isinstance(node, (ast.For, ast.AsyncFor)):
            self.bind(node.target, self.evaluate(node.iter, frame), frame)
            self.block(node.body, frame)
            self.block(node.orelse, frame)
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            self._with(node, frame)
        elif isinstance(node, ast.Try) or type(node).__name__ == "TryStar":
            self._try(node, frame)  # type: ignore[arg-type]
        elif isinstance(node, ast.Match):
            self.evaluate(node.subject, frame)
            for case in node.cases:
                self.block(case.body, frame)
        elif isinstance(node, ast.Raise) and node.exc is not None:
            self.evaluate(node.exc, frame)
        elif isinstance(node, ast.Assert):
            self.evaluate(node.test, frame)

    def _assigned(self, value: ast.expr, frame: Frame) -> Facts:
        """A value that is stored or passed on: it keeps the constant it holds (a model path)."""
        facts = self.evaluate(value, frame)
        if facts.const is not None or isinstance(value, (ast.Constant, ast.Lambda)):
            return facts
        return replace(facts, const=self.constant(value, frame))

    def _with(self, node: ast.With | ast.AsyncWith, frame: Frame) -> None:
        no_grad = 0
        for item in node.items:
            facts = self.evaluate(item.context_expr, frame)
            if isinstance(item.context_expr, ast.Call) and frame.view.qualify(item.context_expr.func) in NO_GRAD:
                no_grad += 1
            if item.optional_vars is not None:
                self.bind(item.optional_vars, replace(facts, const=self.constant(item.context_expr, frame)), frame)
                if isinstance(item.optional_vars, ast.Name):
                    frame.opened[item.optional_vars.id] = item.context_expr
        frame.no_grad += no_grad
        self.block(node.body, frame)
        frame.no_grad -= no_grad

    def _try(self, node: ast.Try, frame: Frame) -> None:
        self.block(node.body, frame)
        was = frame.in_except
        frame.in_except = True
        for handler in node.handlers:
            self.block(handler.body, frame)
        frame.in_except = was
        self.block(node.orelse, frame)
        self.block(node.finalbody, frame)

    def bind(self, target: ast.expr, facts: Facts, frame: Frame) -> None:
        if isinstance(target, ast.Name):
            frame.env[target.id] = facts
        elif isinstance(target, ast.Attribute):
            dotted = dotted_name(target)
            if dotted is not None:
                frame.env[dotted] = facts
        elif isinstance(target, ast.Subscript):
            container = dotted_name(target.value)
            if container is not None:
                key = self.evaluate(target.slice, frame)
                frame.env[container] = self.lookup_target(target.value, frame) | key | facts
        elif isinstance(target, (ast.Tuple, ast.List)):
            for element in target.elts:
                self.bind(element.value if isinstance(element, ast.Starred) else element, facts | EMPTY, frame)

    def lookup_target(self, node: ast.expr, frame: Frame) -> Facts:
        dotted = dotted_name(node)
        return frame.env.get(dotted, EMPTY) if dotted is not None else EMPTY

    # -- expressions -----------------------------------------------------------

    def evaluate(self, node: ast.AST | None, frame: Frame) -> Facts:
        if node is None:
            return EMPTY
        if isinstance(node, ast.Constant):
            return _string_facts(node.value) if isinstance(node.value, str) else EMPTY
        if isinstance(node, ast.Name):
            return self.lookup(node.id, frame)
        if isinstance(node, ast.Attribute):
            return self._attribute(node, frame)
        if isinstance(node, ast.Call):
            return self.call(node, frame)
        if isinstance(node, ast.JoinedStr):
            result = EMPTY
            for part in node.values:
                if isinstance(part, ast.Constant) and isinstance(part.value, str):
                    result = result | Facts(text=frozenset({part.value}))
                elif isinstance(part, ast.FormattedValue):
                    result = result | self.evaluate(part.value, frame)
            return result
        if isinstance(node, ast.NamedExpr):
            facts = self.evaluate(node.value, frame)
            self.bind(node.target, facts, frame)
            return facts
        if isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
            for generator in node.generators:
                self.bind(generator.target, self.evaluate(generator.iter, frame), frame)
        result = EMPTY
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.expr, ast.comprehension, ast.keyword)):
                result = result | self.evaluate(child.value if isinstance(child, ast.keyword) else child, frame)
        return result

    def lookup(self, name: str, frame: Frame) -> Facts:
        if name in frame.env:
            return frame.env[name]
        if not frame.module_level:
            module_env = self.resolver.module_env(frame.view)
            if name in module_env:
                return module_env[name]
        qualified = frame.view.info.qualify(name)
        if qualified is not None:
            if qualified in GLOBAL_REQUESTS:
                return Facts(names=frozenset({name}), input=True)
            if qualified.startswith("loguru.logger"):
                return Facts(names=frozenset({name}), logger=True)
            imported = self.imported_global(qualified, frame.view)
            if imported is not None:
                return imported | _named(name) if not (imported.model or imported.instance or imported.logger) else imported
        return _named(name)

    def imported_global(self, qualified: str, view: ModuleView) -> Facts | None:
        """Facts of a module-level name imported from another project module."""
        module_name, _, name = qualified.rpartition(".")
        if not module_name or not self.resolver.might_be_project(qualified):
            return None
        module = self.resolver.find_module(module_name, view.info)
        if module is None or module.is_notebook or module.path == view.path:
            return None
        other = self.resolver.view(module.path)
        return self.resolver.module_env(other).get(name) if other is not None else None

    def _attribute(self, node: ast.Attribute, frame: Frame) -> Facts:
        dotted = dotted_name(node)
        if dotted is not None:
            if dotted in frame.env:
                return frame.env[dotted] | _named(node.attr, dotted) if not _is_kind(frame.env[dotted]) else frame.env[dotted]
            if dotted.startswith("self.") and frame.class_name is not None:
                known = self.resolver.class_env(frame.view, frame.class_name).get(dotted)
                if known is not None:
                    return known if _is_kind(known) else known | _named(node.attr, dotted)
            qualified = frame.view.info.qualify(dotted)
            if qualified in GLOBAL_REQUESTS:
                return Facts(names=frozenset({node.attr, dotted}), input=True)
            if qualified is not None and qualified.startswith("loguru.logger"):
                return Facts(names=frozenset({node.attr}), logger=True)
        base = self.evaluate(node.value, frame)
        return Facts(base.names | {node.attr} | ({dotted} if dotted else set()), base.text, base.input, base.prediction)

    # -- calls ---------------------------------------------------------------

    def call(self, node: ast.Call, frame: Frame) -> Facts:
        func = node.func
        receiver = self.evaluate(func.value, frame) if isinstance(func, ast.Attribute) else EMPTY
        callee = self.evaluate(func, frame) if isinstance(func, ast.Name) else EMPTY
        if isinstance(func, ast.Attribute) and dotted_name(func) is not None:
            callee = self._attribute_kind(func, frame)
        positional = [self._assigned(arg.value if isinstance(arg, ast.Starred) else arg, frame) for arg in node.args]
        keywords = {kw.arg: self._assigned(kw.value, frame) for kw in node.keywords if kw.arg is not None}
        splatted = [self.evaluate(kw.value, frame) for kw in node.keywords if kw.arg is None]
        data = _merged([receiver, *positional, *keywords.values(), *splatted]) | Facts(names=frozenset(keywords))
        if isinstance(func, ast.Name) or isinstance(func, ast.Attribute) and func.attr[:1].isupper():
            data = data | _named(func.id if isinstance(func, ast.Name) else func.attr)  # PredictionLog(...)
        attr = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None
        qualified = frame.view.qualify(func)
        label = dotted_name(func) or attr or ast.unparse(func)[:40]

        if self._is_log(qualified, attr, func, receiver):
            self.emit("log", node, frame, label, facts=data)
            return EMPTY
        if qualified in LOGGER_FACTORIES or (attr in LOGGER_METHODS_RETURNING_LOGGER and receiver.logger):
            return replace(data, logger=True)
        if attr in MUTATORS and isinstance(func, ast.Attribute):
            container = dotted_name(func.value)
            if container is not None and container in frame.env:
                frame.env[container] = frame.env[container] | data
        if isinstance(func, ast.Attribute) and any(f.input for f in [*positional, *keywords.values()]):
            self._feed(func.value, frame)
        target = self.resolve(func, frame, receiver)
        if target is not None:
            result = self.expand(target, positional, keywords, node, frame, receiver, direct=True)
            if result is not None:
                return result
        if attr in SCHEDULERS:
            scheduled = self._scheduled(node, frame, positional, keywords)
            if scheduled is not None:
                return scheduled
        if self._is_store_write(attr, data, node) or (qualified is None and CALLBACK_WORDS.intersection(words(last_ident(func) or ""))):
            self.emit("log", node, frame, label, facts=data)
            return EMPTY
        load = _load_label(qualified, attr)
        if load is not None:
            loads_model = self._emit_load(node, frame, load, qualified or label)
            preprocessor = _PREPROCESSOR_WORDS.intersection(words(label))  # AutoTokenizer.from_pretrained
            return Facts(names=data.names, model=loads_model and not preprocessor)
        if self._is_prediction(node, frame, qualified, attr, receiver, callee):
            self.emit("predict", node, frame, label, facts=data)
            return Facts(prediction=True)
        if qualified == "functools.partial" and node.args:
            return self.evaluate(node.args[0], frame)
        handed = next((a for a in [*node.args, *(k.value for k in node.keywords)] if _predicts(a)), None)
        if handed is not None:  # ds.map_batches(predictor.predict_proba), Thread(target=model.generate): the callee predicts
            self.emit("predict", node, frame, dotted_name(handed) or handed.attr, facts=data)
            return Facts(prediction=True)
        model = receiver.model and attr not in ("save", "state_dict", "parameters")
        return replace(data, model=model) if model else data

    def _feed(self, receiver: ast.expr, frame: Frame) -> None:
        """A method given the request input hands it to its object, which then holds
        it: ``interpreter.set_tensor(i, x)`` before ``interpreter.invoke()``,
        ``request.inputs["x"].CopyFrom(proto)`` before ``stub.Predict(request)``,
        ``net.setInput(blob)`` before ``net.forward()``."""
        name = dotted_name(receiver)
        while not (name in frame.env or isinstance(receiver, ast.Name) or _is_self_attribute(name)):
            if not isinstance(receiver, (ast.Attribute, ast.Subscript)):
                return
            receiver = receiver.value
            name = dotted_name(receiver)
        if name is None or name == "self":
            return
        if name not in frame.env and not _is_self_attribute(name) and name not in self.resolver.module_env(frame.view):
            return  # an imported module or function (``json.dumps(payload)``) holds nothing
        held = frame.env[name] if name in frame.env else self.evaluate(receiver, frame)  # shadowed in this frame
        if not held.input:
            frame.env[name] = replace(held, input=True)

    def _attribute_kind(self, func: ast.Attribute, frame: Frame) -> Facts:
        """Facts of a called attribute itself (``self.model`` in ``self.model(x)``)."""
        dotted = dotted_name(func) or ""
        if dotted in frame.env:
            return frame.env[dotted]
        if dotted.startswith("self.") and frame.class_name is not None:
            return self.resolver.class_env(frame.view, frame.class_name).get(dotted, EMPTY)
        return EMPTY

    def _is_log(self, qualified: str | None, attr: str | None, func: ast.expr, receiver: Facts) -> bool:
        if qualified is not None:
            if qualified.startswith("logging.") and attr in LOG_METHODS:
                return True
            if qualified.startswith("mlflow.") and attr is not None and (attr.startswith("log_") or attr in ("set_tag", "set_tags")):
                return True
            if qualified in ("wandb.log", "whylogs.log") or (qualified.startswith("loguru.logger") and attr in LOG_METHODS):
                return True
        if attr in LOG_METHODS and isinstance(func, ast.Attribute):
            return receiver.logger or is_logger_ident(last_ident(func.value))
        return False

    def _is_store_write(self, attr: str | None, data: Facts, node: ast.Call) -> bool:
        if attr in STORE_METHODS:
            return True
        if attr in ("to_csv", "to_json", "to_parquet") and not node.args:
            return False  # df.to_json(orient="records") serialises, it writes nothing
        if attr in WEAK_STORE_METHODS:
            return any(STORE_WORDS.intersection(words(term)) for term in data.terms)
        return False

    def _is_prediction(self, node: ast.Call, frame: Frame, qualified: str | None, attr: str | None, receiver: Facts, callee: Facts) -> bool:
        func = node.func
        if isinstance(func, ast.Attribute):
            receiver_ident = last_ident(func.value)
            modelish = receiver.model or is_model_ident(receiver_ident)
            if attr in PREDICT_METHODS:
                return True
            if attr == "transform":  # a loaded scaler also has .transform: only a model's counts
                return is_model_ident(receiver_ident)
            if attr in MODEL_METHODS and (modelish or (isinstance(func.value, ast.Attribute) and func.value.attr in PREDICT_METHODS)):
                return True
        if qualified is not None:
            return False  # an imported function or class, not a model object
        if callee.model or (is_model_ident(last_ident(func)) and (node.args or node.keywords)):
            # by its name alone, a call is a model's only when it is given an input:
            # ``service.current_model()`` returns a model (or its metadata), it does not predict
            return not (isinstance(func, ast.Name) and func.id in frame.view.classes)
        if frame.no_grad and isinstance(func, (ast.Name, ast.Attribute)):
            # under no_grad a called local or attribute of the object is the model
            # (``net(x)``, ``self.unet(latents)``); a method of another value reads or
            # shapes data (``params.get("top_p")``, ``ids.unsqueeze(0)``)
            root = dotted_name(func)
            if root is None or root in _BUILTINS or isinstance(func, ast.Name) and func.id[:1].isupper():
                return False
            head = root.split(".")[0]
            if isinstance(func, ast.Name):
                return head in frame.env
            return head == "self" or receiver.model or is_model_ident(last_ident(func.value))
        return False

    def _scheduled(self, node: ast.Call, frame: Frame, positional: list[Facts], keywords: dict[str, Facts]) -> Facts | None:
        """``background_tasks.add_task(log_prediction, x)``, ``loop.run_in_executor(None, model.predict, X)``."""
        args = list(node.args)
        start = 1 if isinstance(node.func, ast.Attribute) and node.func.attr == "run_in_executor" else 0
        if isinstance(node.func, ast.Attribute) and node.func.attr in ("delay", "apply_async"):
            task, rest = node.func.value, positional
        elif len(args) > start:
            task, rest = args[start], positional[start + 1:]
        else:
            return None
        if isinstance(task, ast.Attribute) and (task.attr in PREDICT_METHODS or is_model_ident(last_ident(task.value))):
            self.emit("predict", node, frame, dotted_name(task) or task.attr, facts=_merged([*positional, *keywords.values()]))
            return Facts(prediction=True)
        target = self.resolve(task, frame, EMPTY)
        if target is None:
            return None
        return self.expand(target, rest, {k: v for k, v in keywords.items()}, node, frame, EMPTY)

    def _emit_load(self, node: ast.Call, frame: Frame, kind: str, label: str) -> bool:
        """Record a model load; False when the file loaded is named as something else
        (``pickle.load(open("stopwords.pkl", "rb"))``), which is not recorded.

        A load whose path is a parameter of a project helper (``load_model(path)``
        calling ``joblib.load(path)``) is recorded at the helper's call that passes
        the path: that is where the constant (or per-request) path is chosen.
        """
        path_node = _path_argument(node, kind)
        origin, at = frame, node
        while path_node is not None and origin.caller is not None and origin.call is not None:
            argument = _argument_of_parameter(path_node, origin)
            if argument is None:
                break
            origin, at, path_node = origin.caller, origin.call, argument
        constant = self.constant(path_node, origin) if path_node is not None else None
        if kind in GENERIC_LOADS and constant is not None and _names_other_artifact(constant):
            return False
        if at is not node:
            label = dotted_name(at.func) or label
        hub = kind in HUB_LOADS
        revision = next((kw.value for kw in node.keywords if kw.arg in ("revision", "commit_hash")), None)
        pinned = revision is not None and not (isinstance(revision, ast.Constant) and revision.value is None)
        if kind == "transformers.pipeline" and path_node is None:
            constant = "the task's default model"
        versioned = pinned or (constant is not None and is_versioned(constant, hub))
        if hub and not versioned and _replaces_weights(frame.view.functions.get(frame.function)):
            versioned = True  # the served weights come from the checkpoint loaded next
        self.emit("load", at, origin, label, path=constant, versioned=versioned,
                  lazy=frame.lazy or frame.guards > 0 or frame.in_except)
        return True

    def emit(self, kind: str, node: ast.AST, frame: Frame, label: str, *, facts: Facts = EMPTY,
             path: str | None = None, versioned: bool = False, lazy: bool = False) -> None:
        if self.record:
            self.events.append(FlowEvent(kind, node, frame.view, frame.anchor, label, frame.function, facts,
                                     frame.in_except, lazy, path, versioned))

    # -- following calls into the project -------------------------------------

    def resolve(self, func: ast.expr, frame: Frame, receiver: Facts) -> Target | None:
        view = frame.view
        if isinstance(func, ast.Name):
            local = frame.env.get(func.id)
            if local is not None:
                return self._method(local.instance, "__call__") if local.instance else None
            if func.id in view.functions:
                return Target(view, func.id, view.functions[func.id])
            if func.id in view.classes:
                return self._constructor(view, func.id)
            global_facts = self.resolver.module_env(view).get(func.id) if not frame.module_level else None
            if global_facts is not None and global_facts.instance:
                return self._method(global_facts.instance, "__call__")
        elif isinstance(func, ast.Attribute):
            if isinstance(func.value, ast.Name) and func.value.id in ("self", "cls") and frame.class_name is not None:
                found = self._method((view.path, frame.class_name), func.attr)
                if found is not None:
                    return found
            if receiver.instance is not None:
                return self._method(receiver.instance, func.attr)
        qualified = view.qualify(func)
        if qualified is None or not self.resolver.might_be_project(qualified):
            return None
        return self.resolve_qualified(qualified, view)

    def resolve_qualified(self, qualified: str, importer: ModuleView) -> Target | None:
        parts = qualified.split(".")
        for split in range(len(parts) - 1, 0, -1):
            module = self.resolver.find_module(".".join(parts[:split]), importer.info)
            if module is None or module.is_notebook:
                continue
            view = self.resolver.view(module.path)
            if view is None:
                return None
            rest = parts[split:]
            if len(rest) == 1:
                if rest[0] in view.functions:
                    return Target(view, rest[0], view.functions[rest[0]])
                if rest[0] in view.classes:
                    return self._constructor(view, rest[0])
            elif len(rest) == 2:
                if rest[0] in view.classes:
                    return self._method((view.path, rest[0]), rest[1])
                instance = self.resolver.module_env(view).get(rest[0])
                if instance is not None and instance.instance is not None:
                    return self._method(instance.instance, rest[1])
            return None
        return None

    def _constructor(self, view: ModuleView, class_name: str) -> Target:
        init = self._method((view.path, class_name), "__init__")
        node = init.node if init is not None else None
        owner = init.view if init is not None else view
        return Target(owner, f"{class_name}.__init__", node, class_name, constructs=True, bound=True)

    def _method(self, instance: tuple[str, str], name: str, depth: int = 0) -> Target | None:
        """A method of a project class, looked up in the class and its project bases."""
        view = self.resolver.view(instance[0])
        if view is None or depth > 3:
            return None
        class_name = instance[1]
        qualname = f"{class_name}.{name}"
        if qualname in view.functions:
            node = view.functions[qualname]
            static = any(d == "staticmethod" for d, _, _ in decorator_names(node, view.info))
            return Target(view, qualname, node, class_name, bound=not static)
        classdef = view.classes.get(class_name)
        if classdef is None:
            return None
        for base in classdef.bases:
            dotted = dotted_name(base)
            if dotted is None:
                continue
            if dotted in view.classes:
                found = self._method((view.path, dotted), name, depth + 1)
            else:
                qualified = view.info.qualify(dotted)
                target = self.resolve_qualified(qualified, view) if qualified and self.resolver.might_be_project(qualified) else None
                found = self._method((target.view.path, target.class_name), name, depth + 1) if target and target.class_name else None
            if found is not None:
                return found
        return None

    def expand(self, target: Target, positional: list[Facts], keywords: dict[str, Facts], call: ast.AST,
               frame: Frame, receiver: Facts, *, direct: bool = False) -> Facts | None:
        """Walk a project function as called from *frame*; None when not followed.
        *direct*: *call* calls the target itself (its arguments are the target's)."""
        instance = (target.view.path, target.class_name) if target.constructs and target.class_name else None
        key = (target.view.path, target.qualname)
        may_follow = target.node is not None and key not in frame.chain and (
            frame.depth < MAX_DEPTH or (frame.depth == MAX_DEPTH and logs_directly(target.node, target.view.info))
        )
        if not may_follow:
            return _constructed(instance, positional, keywords) if instance else None
        func = target.node
        assert func is not None
        env = _bind_parameters(func, positional, keywords, target.bound)
        if target.bound:
            env["self"] = Facts(instance=instance) if instance else receiver
        if target.bound and target.class_name == frame.class_name and target.view is frame.view:
            env.update((k, v) for k, v in frame.env.items() if k.startswith("self."))  # self.load() from __init__
        anchor = frame.anchor
        if anchor is None and target.view.path != self.root.path:
            anchor = call
        arguments = _argument_nodes(func, call, target.bound) if direct and isinstance(call, ast.Call) else {}
        callee = Frame(
            target.view, target.class_name, target.qualname, env, frame.depth + 1, anchor, frame.chain + (key,),
            lazy=frame.lazy or frame.guards > 0 or is_cached(func, target.view.info), in_except=frame.in_except,
            no_grad=int(has_no_grad(func, target.view.info)), caller=frame,
            call=call if isinstance(call, ast.Call) else None,
            arguments={name: (node, env[name]) for name, node in arguments.items() if name in env},
        )
        before = len(self.events)
        self.block(func.body, callee)
        if instance is not None:
            return _constructed(instance, positional, keywords)
        result = callee.returns
        if any(e.kind == "predict" for e in self.events[before:]):
            result = replace(result, prediction=True, input=False)
        return result

    # -- constants ------------------------------------------------------------

    def constant(self, node: ast.AST | None, frame: Frame, depth: int = 0) -> str | None:
        """The constant string (path) an expression always evaluates to, if any."""
        if node is None or depth > 8:
            return None
        if isinstance(node, ast.Constant):
            return node.value if isinstance(node.value, str) else None
        if isinstance(node, ast.Name):
            if node.id == "__file__":
                return ""
            facts = self.lookup(node.id, frame)
            return facts.const
        if isinstance(node, ast.JoinedStr):
            parts = [self.constant(v.value if isinstance(v, ast.FormattedValue) else v, frame, depth + 1) for v in node.values]
            return "".join(parts) if all(p is not None for p in parts) else None  # type: ignore[arg-type]
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Div, ast.Add)):
            left, right = self.constant(node.left, frame, depth + 1), self.constant(node.right, frame, depth + 1)
            if left is None or right is None:
                return None
            return f"{left}/{right}".lstrip("/") if isinstance(node.op, ast.Div) else left + right
        if isinstance(node, ast.Attribute):
            if node.attr in ("parent", "parents"):
                return "" if self.constant(node.value, frame, depth + 1) is not None else None
            dotted = dotted_name(node) or ""
            if dotted in frame.env:
                return frame.env[dotted].const
            if dotted.startswith("self.") and frame.class_name is not None:
                known = self.resolver.class_env(frame.view, frame.class_name).get(dotted)
                return known.const if known is not None else None
            return None
        if isinstance(node, ast.Subscript):
            return self.constant(node.value, frame, depth + 1) if isinstance(node.value, ast.Attribute) else None
        if isinstance(node, ast.Call):
            qualified = frame.view.qualify(node.func) or (node.func.id if isinstance(node.func, ast.Name) and node.func.id in ("open", "str") else None)
            if qualified in PATH_CALLS:
                if qualified == "os.path.dirname":
                    return "" if node.args and self.constant(node.args[0], frame, depth + 1) is not None else None
                values = [self.constant(a, frame, depth + 1) for a in (node.args[:1] if qualified in ("open", "io.open") else node.args)]
                if not values or any(v is None for v in values):
                    return None
                return "/".join(v for v in values if v)  # type: ignore[misc]
            if isinstance(node.func, ast.Attribute) and node.func.attr in PATH_METHODS:
                base = self.constant(node.func.value, frame, depth + 1)
                values = [self.constant(a, frame, depth + 1) for a in node.args if node.func.attr == "joinpath"]
                if base is None or any(v is None for v in values):
                    return None
                return "/".join(v for v in [base, *values] if v)  # type: ignore[misc]
        return None


# -- helpers ---------------------------------------------------------------------


def _is_kind(facts: Facts) -> bool:
    return facts.model or facts.logger or facts.instance is not None


def _keep_kind(merged: Facts, previous: Facts, new: Facts) -> Facts:
    """Return values keep what kind of object they are (a function returning a model)."""
    return replace(
        merged,
        model=previous.model or new.model,
        logger=previous.logger or new.logger,
        instance=previous.instance or new.instance,
    )


def _bind_parameters(func: FunctionNode, positional: list[Facts], keywords: dict[str, Facts], bound: bool) -> dict[str, Facts]:
    args = func.args
    params = [*args.posonlyargs, *args.args]
    if bound and params:
        params = params[1:]
    env: dict[str, Facts] = {}
    for param, facts in zip(params, positional):
        env[param.arg] = _as_parameter(facts, param.arg)
    for param in [*params, *args.kwonlyargs]:
        if param.arg in keywords:
            env[param.arg] = _as_parameter(keywords[param.arg], param.arg)
        env.setdefault(param.arg, _named(param.arg))
    if args.kwarg is not None:
        extra = EMPTY
        for name, facts in keywords.items():
            if name not in env:
                extra = extra | facts | _named(name)
        env[args.kwarg.arg] = extra | _named(args.kwarg.arg)
    return env


def _is_self_attribute(name: str | None) -> bool:
    return name is not None and name.startswith("self.") and name.count(".") == 1


def _merged(values: list[Facts]) -> Facts:
    result = EMPTY
    for facts in values:
        result = result | facts
    return result


def _constructed(instance: tuple[str, str], positional: list[Facts], keywords: dict[str, Facts]) -> Facts:
    """A project object, with what it was built from: a ``PredictionLog(model_version=v,
    features=x)`` row that is then stored records the version and the input."""
    data = _merged([*positional, *keywords.values()]) | Facts(names=frozenset({instance[1], *keywords}))
    return replace(data, instance=instance)


def _argument_nodes(func: FunctionNode, call: ast.Call, bound: bool) -> dict[str, ast.expr]:
    """Parameter -> the argument expression a call passes for it (up to a ``*args``)."""
    params = [a.arg for a in [*func.args.posonlyargs, *func.args.args]][1 if bound else 0:]
    passed: dict[str, ast.expr] = {}
    for name, arg in zip(params, call.args):
        if isinstance(arg, ast.Starred):
            break
        passed[name] = arg
    passed.update((kw.arg, kw.value) for kw in call.keywords if kw.arg is not None)
    return passed


def _argument_of_parameter(node: ast.expr, frame: Frame) -> ast.expr | None:
    """The caller's argument a path expression stands for, when it is a parameter
    of *frame*'s function still holding that argument (``path``, ``open(path, "rb")``,
    a file opened with ``with open(path) as f``)."""
    for _ in range(4):
        if isinstance(node, ast.Call) and node.args and wraps_a_path(node.func, frame.view.info):
            node = node.args[0]
        elif isinstance(node, ast.Name) and node.id in frame.opened:
            node = frame.opened[node.id]
        elif isinstance(node, ast.Name) and node.id in frame.arguments:
            argument, bound = frame.arguments[node.id]
            return argument if frame.env.get(node.id) is bound else None
        else:
            return None
    return None


def _names_other_artifact(path: str) -> bool:
    """Does a file name say it holds something other than a model (``stopwords.pkl``)?"""
    stem = path.rstrip("/").rsplit("/", 1)[-1].split(".", 1)[0]
    found = set(words(stem))
    return bool(found & NOT_MODEL_FILE_WORDS) and not found & MODEL_WORDS


def _as_parameter(facts: Facts, name: str) -> Facts:
    """An argument as seen inside the callee: its data gains the parameter's name."""
    if _is_kind(facts):
        return facts
    return replace(facts | _named(name), const=facts.const)


def _depends_target(node: ast.expr | None) -> ast.expr | None:
    """The dependency of a FastAPI ``Depends(get_model)`` default or ``Annotated[..., Depends(...)]``."""
    if node is None:
        return None
    for child in ast.walk(node):
        if isinstance(child, ast.Call) and (dotted_name(child.func) or "").rsplit(".", 1)[-1] == "Depends" and child.args:
            return child.args[0]
    return None


_FRAMEWORK_OBJECTS = frozenset({"BackgroundTasks", "Response", "Session", "AsyncSession", "HttpResponse", "WebSocket"})


def _is_framework_object(annotation: ast.expr | None, view: ModuleView) -> bool:
    dotted = dotted_name(annotation) if annotation is not None else None
    return dotted is not None and dotted.rsplit(".", 1)[-1] in _FRAMEWORK_OBJECTS


def _is_lazy_guard(test: ast.expr) -> bool:
    """``if model is None``, ``if not self.ready``, ``if key not in cache``, ``if not hasattr(...)``."""
    for node in ast.walk(test):
        if isinstance(node, ast.Compare) and any(isinstance(op, (ast.Is, ast.IsNot, ast.In, ast.NotIn)) for op in node.ops):
            return True
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            return True
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("hasattr", "getattr"):
            return True
    return False


def _replaces_weights(func: FunctionNode | None) -> bool:
    """Does the function overwrite a loaded model's weights (``model.load_state_dict(...)``)?"""
    return func is not None and any(
        isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "load_state_dict"
        for n in ast.walk(func)
    )


def _load_label(qualified: str | None, attr: str | None) -> str | None:
    """The kind of model load a call is (``joblib.load``, ``from_pretrained``), or None."""
    if qualified is not None:
        if qualified in LOAD_FUNCTIONS:
            return qualified
        head = qualified.split(".", 1)[0]
        last = qualified.rsplit(".", 1)[-1]
        if head in ("mlflow", "tensorflow", "keras", "bentoml") and last == "load_model":
            return qualified
        if head == "bentoml" and last == "get":
            return qualified
    if attr in LOAD_METHOD_NAMES:
        return attr
    return None


def _path_argument(call: ast.Call, kind: str) -> ast.expr | None:
    if kind == "transformers.pipeline":
        return next((kw.value for kw in call.keywords if kw.arg == "model"), None)
    if call.args and not isinstance(call.args[0], ast.Starred):
        return call.args[0]
    for name in PATH_KEYWORDS:
        for kw in call.keywords:
            if kw.arg == name:
                return kw.value
    return None
