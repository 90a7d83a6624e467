"""Serving code: which functions handle requests, and what they do.

The deployment rules ask one question per request handler: does it predict,
and if so is the prediction logged with the model's identity and the request
input, and where does the model come from? This module finds the handlers of
every web and model-serving framework a project may use (the list is in
``rules/ML501.md``), walks them with :mod:`mllint.analysis.serving_flow`, and
returns what it sees as facts: served predictions and how they are logged,
model loads and whether they happen per request or name a version, and whether
the project monitors its service. The ML5xx rules decide what to report.

Handlers are recognised by how frameworks register them, never by running
anything: route decorators (``@app.post("/predict")``), registration calls
(``add_url_rule``, ``add_api_route``, Django ``urlpatterns``, DRF routers),
base classes (KServe ``Model``, MLflow ``PythonModel``, gRPC ``*Servicer``,
TorchServe ``BaseHandler``, Django/Flask class-based views), class decorators
(Ray Serve ``@serve.deployment``, ``@bentoml.service``), function signatures
(AWS Lambda ``(event, context)``, Azure ``func.HttpRequest``, SageMaker
``predict_fn``, Azure ML ``init``/``run``) and the decorators a user lists in
``[tool.mllint.analysis.serving] decorators`` (or, as before,
``[tool.mllint.rules.ML501] serving-decorators``).

The analysis is per project and built once per run (``project.analysis(ServingAnalysis)``):
a model loaded per request in ``services/model.py`` is reported there, although
the handler that calls it per request lives in ``api.py``.

Cost: the text tests (``may_define_handlers``, ``may_load_models``) are linear
in the text, and the cheaper evidence (a decorator, the word "model") is looked
for before the long patterns. Modules are viewed lazily, from the tree the
index keeps, and a view is made again only if nothing held it (``view``); finding a module's handlers walks its
statements, and its expressions only when its text spells ``lifespan``;
handler flows walk at most ``MAX_DEPTH`` calls deep. The model-load facts walk
every serving module and the modules they import once per run: time and memory
linear in the size of the serving code.
"""

from __future__ import annotations

import ast
import re
import weakref
from collections import OrderedDict, defaultdict
from dataclasses import asdict, dataclass, field
from posixpath import basename
from typing import Any, Iterable, Iterator, Mapping

from mllint.analysis.serving_flow import (
    FUNCTION_TYPES,
    Facts,
    Flow,
    FlowEvent,
    FunctionNode,
    ModuleView,
    carries_identity,
    carries_request_id,
    decorator_names,
    names_input,
)
from mllint.engine.context import Analysis, ProjectContext
from mllint.engine.findings import Reach
from mllint.engine.options import Option
from mllint.project.index import ModuleInfo, dotted_name
from mllint.project.layout import Role
from mllint.syntax import ast_walks
from mllint.syntax.text_search import LineStartSearch, WordSearch, mentions_any

HTTP_METHODS = frozenset({"get", "post", "put", "patch", "delete", "head", "options"})
ROUTE_DECORATORS = HTTP_METHODS | {"route", "api_route"}
WEB_FRAMEWORKS = frozenset(
    {
        "fastapi", "starlette", "flask", "quart", "sanic", "aiohttp", "litestar", "starlite", "bottle", "falcon",
        "tornado", "django", "rest_framework", "flask_restful", "flask_restx", "flask_smorest", "chalice",
        "connexion", "robyn", "azure", "ray", "bentoml",
    }
)
VIEW_BASE_PACKAGES = (
    "flask.views.", "flask_restful.", "flask_restx.", "flask_smorest.", "quart.views.", "django.views.",
    "rest_framework.", "tornado.web.", "aiohttp.web.", "falcon.",
)
VIEW_METHODS = HTTP_METHODS | {"list", "create", "retrieve", "update", "partial_update", "destroy"} | {
    f"on_{m}" for m in HTTP_METHODS
}
#: Modules nested deeper than this are not walked (the flow walk recurses).
MAX_NESTING = 150
#: Parameters that are framework objects, not the request input.
NOT_INPUT = frozenset({"self", "cls", "context", "ctx", "background_tasks", "response", "db", "session", "headers_out"})

#: Framework names that are also parts of common words ("bottleneck", "quarter")
#: count as whole words: in diffusers "bottleneck" made 40 modules, and the 640
#: whose classes derive from theirs, "may serve" (parsed and walked for handlers).
#: The SageMaker and Azure ML entry points are handlers only at the top level
#: (``_signature_kind``), so a method ``def run(self)`` is no marker; Ray Serve
#: handlers are deployments (``@serve.deployment``, ``deployment`` imported from
#: ``ray.serve``), so the word "serve" in a comment is none either.
_MARKERS = WordSearch(
    r"fastapi|starlette|flask|Blueprint|django|bentoml|\bserve\.deployment|\bray\.serve\b|\bkserve\b|kfserving|seldon|mlserver|PythonModel"
    r"|torch_handler|BasePredictor|Servicer|TritonPythonModel|azure|functions_framework|lambda_handler"
    r"|def \w+\(\s*(?:event|request)\b|add_url_rule|add_api_route|add_route|add_resource|as_view|urlpatterns"
    # one alternative each, so that every one starts with a literal ``re`` skips ahead to
    r"|^def (?:predict_fn|transform_fn|run)\(|\ndef (?:predict_fn|transform_fn|run)\("
    r"|^async def (?:predict_fn|transform_fn|run)\(|\nasync def (?:predict_fn|transform_fn|run)\("
    r"|\blitestar\b|\bsanic\b|\bquart\b|\btornado\b|\baiohttp\b|\bfalcon\b|\bbottle\b|\bchalice\b"
    r"|features?_names|@[\w.]+\.(?:get|post|put|patch|delete|route|api_route)\b"
)
_REGISTRATION_MARKERS = WordSearch(r"add_url_rule|add_api_route|add_route|add_resource|add_view|urlpatterns|as_view|register\(|Route\(|web\.(?:get|post|put|patch|delete)\(")
#: Serving platforms whose payload logger (configured in the deployment
#: manifest, ``spec.predictor.logger``) records every request and response.
PLATFORM_LOGGED_KINDS = frozenset({"KServe model", "Seldon model", "MLServer model"})
_PLATFORM_LOGGER = re.compile(
    r"kind:\s*(?:InferenceService|SeldonDeployment)\b[\s\S]*?^\s+logger:\s*\n(?:[ \t]+.*\n){0,4}?[ \t]+(?:mode|url):",
    re.MULTILINE,
)
#: Calls whose keyword and string arguments describe every log line of a module.
AMBIENT_LOG_CALLS = frozenset({"bind_contextvars", "LoggerAdapter", "basicConfig", "Formatter", "contextualize", "configure", "bind", "dictConfig"})
#: Middlewares that add a request/correlation id to every log line.
REQUEST_ID_PACKAGES = frozenset({"asgi_correlation_id", "starlette_context", "flask_request_id", "django_guid", "request_id"})

#: A load may also be reported at the call of a project helper that wraps it
#: (``load_classifier(PATH)``), which is why any mention of a model counts.
_LOAD_MARKERS = WordSearch(
    r"\bload\(|(?i:model)|from_pretrained|InferenceSession|SentenceTransformer|\bpipeline\(|\bYOLO\(|Booster\("
    r"|bentoml\.\w+\.get\(|Interpreter\("
)
_DECORATOR = LineStartSearch(r"@([\w.]+)")
#: The bases of a class statement (up to the first closing parenthesis).
_CLASS_BASES = LineStartSearch(r"class[ \t]+\w+[ \t]*\(([^)]*)")
_IDENTIFIER = re.compile(r"[A-Za-z_]\w*")
#: Decorators that never mark a request handler (so a file with only these
#: cannot hold one of the user's configured serving decorators).
_PLAIN_DECORATORS = frozenset(
    {
        "property", "staticmethod", "classmethod", "dataclass", "abstractmethod", "override", "overload",
        "cached_property", "contextmanager", "asynccontextmanager", "wraps", "lru_cache", "cache",
        "no_grad", "inference_mode", "total_ordering", "unique", "validator", "field_validator",
        "model_validator", "root_validator", "setter", "getter", "deleter", "fixture", "parametrize",
        "jit", "njit", "compile", "skip", "skipif", "xfail", "mark", "patch", "register",
    }
)


def may_define_handlers(text: str) -> bool:
    """Cheap text test: can this module hold a request handler (or a configured decorator)?

    A decorator that is not plain settles it, and is found faster (a test for
    ``@``, then one short pattern) than the framework markers, so it is looked
    for first."""
    if "@" in text and any(name.rsplit(".", 1)[-1] not in _PLAIN_DECORATORS for name in _DECORATOR.findall(text)):
        return True
    return _MARKERS.search(text)


def _are_text_facts(facts: Any) -> bool:
    """Whether *facts* (read from the cache, which may be damaged) are what ``summarise`` makes."""
    return (isinstance(facts, dict) and isinstance(facts.get("markers"), bool) and isinstance(facts.get("registers"), bool)
            and isinstance(facts.get("bases"), list) and all(isinstance(name, str) for name in facts["bases"]))


def may_load_models(text: str) -> bool:
    """Cheap text test: can this module load a model? A mention of "model" (any
    case) settles it, found faster in the lowered text than the pattern finds it."""
    return mentions_any(text, ("model",)) or _LOAD_MARKERS.search(text)


@dataclass(frozen=True)
class Handler:
    """A function or method the serving framework calls once per request."""

    qualname: str
    kind: str
    skip: frozenset[str] = NOT_INPUT


@dataclass
class ClassKind:
    kind: str
    handlers: frozenset[str] | None  # None: every public method
    startup: frozenset[str]


@dataclass
class ModuleServing:
    """The serving facts of one module: handlers, startup hooks and their flows."""

    view: ModuleView
    handlers: list[Handler] = field(default_factory=list)
    startup: list[str] = field(default_factory=list)
    flows: dict[str, list[FlowEvent]] = field(default_factory=dict)
    startup_events: list[FlowEvent] = field(default_factory=list)
    ambient: frozenset[str] = frozenset()

    def predicting_handlers(self) -> Iterator[Handler]:
        for handler in self.handlers:
            if any(e.kind == "predict" for e in self.flows.get(handler.qualname, ())):
                yield handler


@dataclass(frozen=True)
class Span:
    """Where something is in a module: 1-based lines, columns in characters."""

    line: int
    column: int
    end_line: int
    end_column: int


@dataclass(frozen=True)
class ServedPrediction:
    """A handler that serves a prediction, and what the logging after it records.

    Handlers whose platform logs the payload (a KServe/Seldon manifest with a
    logger) are not served predictions in this sense: their logging is done.
    """

    handler: str  # the handler's qualified name in its module
    predictor: str  # what predicts (``model.predict``)
    prediction: Span
    #: the first log call after the prediction (None: the prediction is not logged)
    first_log: Span | None
    #: some log line after the prediction names the model's version or identity
    logs_model_identity: bool
    #: some log line after the prediction carries the input or a request id
    logs_input: bool


@dataclass(frozen=True)
class ModelLoad:
    """A model load reached from serving code, located in the module that loads."""

    loader: str  # what loads (``joblib.load``)
    at: Span
    function: str  # the function holding the load
    #: the constant path or model id it loads, when there is one
    source: str | None = None
    #: the handler that runs the load on every request (None: it runs once)
    per_request_of: str | None = None


@dataclass(frozen=True)
class ServingEndpoint:
    """A predicting handler, for project-level findings."""

    path: str
    handler: str
    line: int


# -- detection ------------------------------------------------------------------

#: Top packages of the serving frameworks whose base classes and decorators mark handlers.
_FRAMEWORKS = frozenset({"kserve", "kfserving", "mlserver", "mlflow", "ts", "cog", "bentoml", "ray", "seldon_core"})


def _class_kind(view: ModuleView, classdef: ast.ClassDef, project: "ServingAnalysis") -> ClassKind | None:
    info = view.info
    for dotted, qualified, _ in decorator_names(classdef, info):
        name = qualified or dotted
        if project.is_own_framework(name, view.path):
            return None
        if name.endswith("serve.deployment") or name == "deployment" and "ray" in info.top_packages:
            return ClassKind("Ray Serve deployment", frozenset({"__call__"}), frozenset({"__init__", "reconfigure"}))
        if name.startswith("bentoml") and name.endswith("service"):
            return ClassKind("BentoML service", frozenset(), frozenset({"__init__"}))
    for base in classdef.bases:
        dotted = dotted_name(base) or ""
        qualified = info.qualify(dotted) or dotted
        if project.is_own_framework(qualified, view.path):
            return None
        if qualified.startswith(("kserve.", "kfserving.")) and qualified.endswith("Model"):
            return ClassKind("KServe model", frozenset({"predict", "preprocess", "postprocess", "explain", "__call__"}), frozenset({"__init__", "load"}))
        if qualified.startswith("mlserver") and qualified.endswith("MLModel"):
            return ClassKind("MLServer model", frozenset({"predict"}), frozenset({"__init__", "load"}))
        if qualified.startswith("mlflow") and qualified.endswith("PythonModel"):
            return ClassKind("MLflow pyfunc model", frozenset({"predict"}), frozenset({"__init__", "load_context"}))
        if qualified.startswith("ts.torch_handler") or qualified.startswith("ts.") and qualified.endswith("Handler"):
            return ClassKind("TorchServe handler", frozenset({"handle", "preprocess", "inference", "postprocess"}), frozenset({"__init__", "initialize"}))
        if qualified.startswith("cog.") and qualified.endswith("BasePredictor"):
            return ClassKind("Cog predictor", frozenset({"predict"}), frozenset({"setup"}))
        if qualified.rsplit(".", 1)[-1].endswith("Servicer"):
            return ClassKind("gRPC servicer", None, frozenset({"__init__"}))
        if qualified.startswith(VIEW_BASE_PACKAGES):
            return ClassKind("class-based view", VIEW_METHODS, frozenset({"__init__"}))
        nested = project.base_class_kind(view, dotted)
        if nested is not None:
            return nested
    if classdef.name == "TritonPythonModel":
        return ClassKind("Triton Python model", frozenset({"execute"}), frozenset({"initialize"}))
    if _looks_like_seldon(view, classdef):
        return ClassKind("Seldon model", frozenset({"predict", "predict_raw"}), frozenset({"__init__", "load"}))
    return None


def _looks_like_seldon(view: ModuleView, classdef: ast.ClassDef) -> bool:
    """Seldon Core v1 Python models are plain classes with ``predict(self, X, features_names)``."""
    predict = view.functions.get(f"{classdef.name}.predict")
    if predict is None:
        return False
    if "seldon_core" in view.info.top_packages:
        return True
    return any(arg.arg in ("feature_names", "features_names") for arg in [*predict.args.args, *predict.args.kwonlyargs])


def _route_decorator(decorator: ast.expr, view: ModuleView, apps: set[str]) -> bool:
    if not isinstance(decorator, ast.Call):
        return False
    func = decorator.func
    if isinstance(func, ast.Name):
        qualified = view.info.qualify(func.id) or ""
        return func.id in ROUTE_DECORATORS and qualified.split(".", 1)[0] in ("litestar", "starlite", "bottle", "robyn")
    if not isinstance(func, ast.Attribute) or func.attr not in ROUTE_DECORATORS:
        return False
    receiver = dotted_name(func.value)
    first = decorator.args[0] if decorator.args else next(
        (kw.value for kw in decorator.keywords if kw.arg in ("path", "rule", "route", "uri")), None
    )
    path_like = isinstance(first, ast.Constant) and isinstance(first.value, str) and first.value[:1] in ("/", "")
    return receiver in apps or path_like or bool(view.info.top_packages & WEB_FRAMEWORKS)


def _startup_decorator(decorator: ast.expr, dotted: str) -> bool:
    last = dotted.rsplit(".", 1)[-1]
    if last in ("before_first_request", "before_serving", "on_startup", "startup"):
        return True
    if isinstance(decorator, ast.Call) and last in ("on_event", "listener") and decorator.args:
        first = decorator.args[0]
        return isinstance(first, ast.Constant) and first.value in ("startup", "before_server_start", "main_process_start")
    return False


def _matches_configured(dotted: str, qualified: str | None, configured: tuple[str, ...]) -> bool:
    for entry in configured:
        for name in (dotted, qualified or ""):
            if name and (name == entry or name.endswith("." + entry)):
                return True
    return False


def _app_objects(view: ModuleView, text: str | None) -> tuple[set[str], set[str]]:
    """Names bound to web application/router objects, and functions passed as ``lifespan=``.

    Assignments are statements, so only the statements are walked; calls are
    looked through for a ``lifespan=`` keyword only when the module's *text*
    (None: unknown) spells it."""
    apps: set[str] = set()
    for node in ast_walks.statements(view.tree.body):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            qualified = view.qualify(node.value.func) or ""
            if qualified.split(".", 1)[0] in WEB_FRAMEWORKS:
                apps.update(t.id for t in node.targets if isinstance(t, ast.Name))
    lifespans: set[str] = set()
    if text is None or "lifespan" in text:
        for node in ast.walk(view.tree):
            if isinstance(node, ast.Call):
                for kw in node.keywords:
                    if kw.arg == "lifespan" and isinstance(kw.value, ast.Name):
                        lifespans.add(kw.value.id)
    return apps, lifespans


def _signature_kind(view: ModuleView, func: FunctionNode) -> Handler | None:
    names = [a.arg for a in [*func.args.posonlyargs, *func.args.args]]
    if names == ["event", "context"] or func.name == "lambda_handler":
        return Handler(func.name, "AWS Lambda handler", NOT_INPUT)
    for arg in func.args.args:
        annotation = dotted_name(arg.annotation) if arg.annotation is not None else None
        if annotation and (view.info.qualify(annotation) or "") == "azure.functions.HttpRequest":
            return Handler(func.name, "Azure Functions handler")
    if func.name in ("predict_fn", "transform_fn") and "model_fn" in view.functions:
        return Handler(func.name, "SageMaker inference handler", NOT_INPUT | {"model"})
    if func.name == "run" and "init" in view.functions:
        return Handler(func.name, "Azure ML scoring script")
    if (
        names == ["request"]
        and basename(view.path) == "main.py"
        and not view.info.top_packages & {"flask", "fastapi", "django", "starlette"}
    ):
        return Handler(func.name, "Cloud Functions handler")
    return None


def detect(view: ModuleView, project: "ServingAnalysis") -> ModuleServing:
    """The handlers and startup hooks one module defines."""
    result = ModuleServing(view)
    apps, lifespans = _app_objects(view, project.source(view.path))
    registered = project.registered(view.path)
    configured = project.decorators
    for qualname, func in view.functions.items():
        handler = _function_handler(view, qualname, func, apps, configured, registered)
        if handler is not None:
            result.handlers.append(handler)
        elif "." not in qualname and (
            qualname in lifespans
            or any(_startup_decorator(d, dotted) for dotted, _, d in decorator_names(func, view.info))
            or qualname == "model_fn"
            or (qualname == "init" and "run" in view.functions)
        ):
            result.startup.append(qualname)
    for class_name, classdef in view.classes.items():
        kind = _class_kind(view, classdef, project)
        registered_class = class_name in registered
        if kind is None and registered_class:
            kind = ClassKind("registered class-based view", VIEW_METHODS, frozenset({"__init__"}))
        if kind is None:
            continue
        known = {h.qualname for h in result.handlers}
        for item in classdef.body:
            if not isinstance(item, FUNCTION_TYPES) or f"{class_name}.{item.name}" in known:
                continue
            qualname = f"{class_name}.{item.name}"
            if kind.handlers is None and not item.name.startswith("_") or kind.handlers and item.name in kind.handlers:
                result.handlers.append(Handler(qualname, kind.kind))
            elif kind.kind == "BentoML service" and any(
                (q or d).startswith("bentoml") and d.endswith("api") for d, q, _ in decorator_names(item, view.info)
            ):
                result.handlers.append(Handler(qualname, kind.kind))
            elif item.name in kind.startup:
                result.startup.append(qualname)
    result.handlers.sort(key=lambda h: view.functions[h.qualname].lineno)
    return result


def _function_handler(
    view: ModuleView, qualname: str, func: FunctionNode, apps: set[str], configured: tuple[str, ...], registered: set[str]
) -> Handler | None:
    for dotted, qualified, decorator in decorator_names(func, view.info):
        name = qualified or dotted
        if _matches_configured(dotted, qualified, configured):
            return Handler(qualname, "configured serving decorator")
        if _route_decorator(decorator, view, apps):
            return Handler(qualname, "route")
        if dotted.rsplit(".", 1)[-1] == "api" and (name.startswith("bentoml") or "bentoml" in view.info.top_packages):
            return Handler(qualname, "BentoML API")
        if name.startswith("functions_framework."):
            return Handler(qualname, "Cloud Functions handler")
        if name.endswith("serve.deployment"):
            return Handler(qualname, "Ray Serve deployment")
    if qualname in registered:
        return Handler(qualname, "registered view")
    if "." not in qualname:
        return _signature_kind(view, func)
    return None


def _registered_references(call: ast.Call, view: ModuleView) -> list[ast.expr]:
    """The view functions/classes a routing call registers (``add_url_rule``, ``path``, ...)."""
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
    qualified = view.qualify(func) or ""
    keywords = {kw.arg: kw.value for kw in call.keywords if kw.arg}
    args = [a for a in call.args if not isinstance(a, ast.Starred)]
    if name == "add_url_rule":
        return [keywords["view_func"]] if "view_func" in keywords else args[2:3]
    if name in ("add_api_route", "add_route", "add_websocket_route", "add_get", "add_post", "add_put", "add_patch", "add_delete"):
        return [*args[1:], *(keywords[k] for k in ("endpoint", "handler") if k in keywords)]
    if name in ("add_resource", "add_view"):
        return [*args[:1], *(keywords[k] for k in ("resource", "view") if k in keywords)]
    if name in ("Route", "APIRoute") or qualified in ("django.urls.path", "django.urls.re_path", "django.conf.urls.url"):
        return [*args[1:2], *(keywords[k] for k in ("endpoint", "view") if k in keywords)]
    if qualified.startswith("aiohttp.web.") and name in HTTP_METHODS:
        return args[1:2]
    if name == "register" and len(args) >= 2 and isinstance(args[0], ast.Constant) and isinstance(args[0].value, str):
        return args[1:2]
    return []


# -- the project ------------------------------------------------------------------


#: The views ``ServingAnalysis.view`` keeps when nothing else holds them, by
#: the length of their modules' text.
KEPT_VIEW_TEXT = 400_000


class ServingAnalysis(Analysis):
    """The serving analysis of one project, computed lazily and shared by the ML5xx rules."""

    name = "serving"
    options = {
        "decorators": Option(
            [], "str-list", 'extra decorators that mark request handlers (e.g. "mycompany.serving.endpoint")'
        )
    }
    legacy_options = {"decorators": "ML501.serving-decorators"}
    #: a module's serving code, followed through the modules it imports; the
    #: payload loggers of deployment manifests. What other modules register or
    #: load is asked of ``ServingAnswers``
    reads = Reach.IMPORTS | Reach.SETTINGS

    @classmethod
    def for_project(cls, project: ProjectContext, options: Mapping[str, Any]) -> "ServingAnalysis":
        return cls(project, options.get("decorators", ()))

    def __init__(self, project: ProjectContext, decorators: Iterable[str] = ()) -> None:
        self.project = project
        self.index = project.index
        self.decorators: tuple[str, ...] = tuple(decorators)
        #: the linted modules that may define handlers (``provide``)
        self._provided: set[str] = set()
        #: views made while anything holds them (``view``)
        self._views: weakref.WeakValueDictionary[str, ModuleView] = weakref.WeakValueDictionary()
        #: the views used last, least recently used first, and the length of their texts
        self._recent_views: OrderedDict[str, ModuleView] = OrderedDict()
        self._recent_text = 0
        self._no_view: set[str] = set()
        self._serving: dict[str, ModuleServing | None] = {}
        self._module_envs: dict[str, dict[str, Facts]] = {}
        self._module_events: dict[str, list[FlowEvent]] = {}
        self._class_envs: dict[tuple[str, str], dict[str, Facts]] = {}
        #: the names routing calls register, by module, when this instance scanned for them
        self._registry: dict[str, set[str]] | None = None
        self._all: list[ModuleServing] | None = None
        self._found: dict[tuple[str, str], ModuleInfo | None] = {}
        self._predictions: dict[str, list[ServedPrediction]] = {}
        self._platform_logging: bool | None = None
        self._classes_in_progress: set[tuple[str, str]] = set()
        self._may_serve_memo: dict[str, bool] = {}
        self._heads = frozenset(part for name in self.index.import_names() for part in name.split("."))

    # -- sources and views ------------------------------------------------

    def provide(self, path: str) -> None:
        """The module being linted may define handlers: ``all_serving`` lists it
        even when it is a notebook, which no module imports."""
        self._provided.add(path)

    def source(self, path: str) -> str | None:
        info = self.index.module(path)
        if info is None or info.parse_failed or info.max_depth > MAX_NESTING:
            return None
        return self.index.source(path) or (None if info.is_notebook else self.project.read_text(path))

    def view(self, path: str) -> ModuleView | None:
        """The module's view (None: it has no text or does not parse). Made once
        while anything holds it: a handler module's serving facts, the flow events
        in a module, the views used last (up to ``KEPT_VIEW_TEXT`` characters of
        text); any other is made again when asked, from the tree the index keeps or
        parses. Holding every view reached would keep a second copy of the trees
        the index lets go: 70 MB on a 2,000-file library."""
        if path in self._no_view:
            return None
        view = self._views.get(path)
        if view is None:
            view = self._make_view(path)
            if view is None:
                self._no_view.add(path)
                return None
            self._views[path] = view
        if path in self._recent_views:
            self._recent_views.move_to_end(path)
        else:
            self._recent_views[path] = view
            self._recent_text += view.size
            while self._recent_text > KEPT_VIEW_TEXT and len(self._recent_views) > 1:
                self._recent_text -= self._recent_views.popitem(last=False)[1].size
        return view

    def _make_view(self, path: str) -> ModuleView | None:
        info = self.index.module(path)
        text = self.source(path)
        if info is None or text is None:
            return None
        tree = self.index.tree(path) if text == self.index.source(path) else None
        return ModuleView(info, tree, text) if tree is not None else ModuleView.parse(info, text)

    def is_own_framework(self, qualified: str, path: str) -> bool:
        """Whether *qualified* is a name of a serving framework that the project itself
        is (MLServer's repository defines ``mlserver``), used in the module at *path*
        of its packages or tests: the framework's built-in runtimes serve whatever
        model a user deploys, and what they log is the user's configuration. Its
        documentation and examples are served as users would serve them."""
        top = qualified.split(".", 1)[0]
        return (top in _FRAMEWORKS and self.index.find_module(top) is not None
                and self.project.role(path) in (Role.SOURCE, Role.TEST, Role.TEST_SUPPORT))

    def might_be_project(self, qualified: str) -> bool:
        return qualified.split(".", 1)[0] in self._heads

    def find_module(self, name: str, importer: ModuleInfo) -> ModuleInfo | None:
        """``ProjectIndex.find_module``, memoised: it scans every module name on a miss."""
        key = (name, importer.path.rpartition("/")[0])
        if key not in self._found:
            self._found[key] = self.index.find_module(name, importer)
        return self._found[key]

    def module_env(self, view: ModuleView) -> dict[str, Facts]:
        if view.path not in self._module_envs:
            self._module_envs[view.path] = {}  # a cycle of imports sees an empty module
            flow = Flow(self, view)
            self._module_envs[view.path] = flow.run_module(view)
            self._module_events[view.path] = flow.events
        return self._module_envs[view.path]

    def class_env(self, view: ModuleView, class_name: str) -> dict[str, Facts]:
        key = (view.path, class_name)
        if key not in self._class_envs:
            self._class_envs[key] = {}
            methods = ("__init__", "setup", "load", "load_context", "initialize", "reconfigure")
            self._class_envs[key] = Flow(self, view, record=False).run_class_setup(view, class_name, methods)
        return self._class_envs[key]

    def base_class_kind(self, view: ModuleView, dotted: str) -> ClassKind | None:
        """A project base class that is itself a serving class (``class Mine(MyBaseKServeModel)``)."""
        if dotted in view.classes:
            owner, classdef = view, view.classes[dotted]
        else:
            qualified = view.info.qualify(dotted) if dotted else None
            if not qualified or not self.might_be_project(qualified):
                return None
            target = Flow(self, view, record=False).resolve_qualified(qualified, view)
            if target is None or target.class_name is None or target.class_name not in target.view.classes:
                return None
            owner, classdef = target.view, target.view.classes[target.class_name]
        key = (owner.path, classdef.name)
        if key in self._classes_in_progress:  # class A(B) / class B(A): no kind
            return None
        self._classes_in_progress.add(key)
        try:
            return _class_kind(owner, classdef, self)
        finally:
            self._classes_in_progress.discard(key)

    # -- handlers ---------------------------------------------------------

    def registered(self, path: str) -> frozenset[str]:
        """Names in module *path* that some routing call in the project registers:
        the project's answer (``ServingAnswers``) unless this instance found them
        itself, building that answer (``scan_registry``)."""
        if self._registry is None:
            return self.project.analysis(ServingAnswers).registered.get(path, frozenset())
        return frozenset(self._registry.get(path, ()))

    def scan_registry(self) -> dict[str, set[str]]:
        """The names every routing call of the project registers, by module."""
        if self._registry is None:
            self._registry = {}
            for info in self.index.modules.values():
                facts = self._text_facts(info.path)
                if facts is None or not facts["registers"]:
                    continue
                view = self.view(info.path)
                if view is not None:
                    self._collect_registrations(view)
        return self._registry

    def _collect_registrations(self, view: ModuleView) -> None:
        assert self._registry is not None
        resolver = Flow(self, view, record=False)
        for node in ast.walk(view.tree):
            if not isinstance(node, ast.Call):
                continue
            for reference in _registered_references(node, view):
                if isinstance(reference, ast.Call) and isinstance(reference.func, ast.Attribute) and reference.func.attr == "as_view":
                    reference = reference.func.value
                dotted = dotted_name(reference)
                if dotted is None:
                    continue
                if dotted in view.functions or dotted in view.classes:
                    self._registry.setdefault(view.path, set()).add(dotted)
                    continue
                qualified = view.info.qualify(dotted)
                target = resolver.resolve_qualified(qualified, view) if qualified and self.might_be_project(qualified) else None
                if target is not None:
                    name = target.class_name if target.constructs and target.class_name else target.qualname
                    self._registry.setdefault(target.view.path, set()).add(name)

    def serving(self, path: str) -> ModuleServing | None:
        """Handlers, startup hooks and their flows of one module (None: not serving code)."""
        if path not in self._serving:
            self._serving[path] = self._analyse(path)
        return self._serving[path]

    def _analyse(self, path: str) -> ModuleServing | None:
        if not self._may_serve(path):
            return None
        view = self.view(path)
        if view is None:
            return None
        result = detect(view, self)
        if not result.handlers:
            return None
        for handler in result.handlers:
            flow = Flow(self, view)
            func = view.functions[handler.qualname]
            seeds = flow.seed_parameters(func, view, handler.skip)
            flow.run_function(view, handler.qualname, seeds)
            result.flows[handler.qualname] = flow.events
        for qualname in result.startup:
            flow = Flow(self, view)
            flow.run_function(view, qualname)
            result.startup_events.extend(flow.events)
        self.module_env(view)
        result.ambient = _ambient_log_terms(view)
        return result

    def _may_serve(self, path: str) -> bool:
        """Can module *path* hold serving code? Decided from texts, without parsing:
        it names a serving framework or a configured decorator, a routing call
        registers one of its names, or one of its classes derives from a class
        of a project module that may serve (followed through the modules its
        bases are imported from, and through the imports of a package's
        ``__init__``, which re-exports). That is, a module that names one can be
        reached from *path* through the modules bases come from: searched breadth
        first, so that cycles (modules deriving from each other's classes) give the
        same answer whatever is asked first; when none can be, no module the search
        reached can reach one either. Linear in the modules reached."""
        if path in self._may_serve_memo:
            return self._may_serve_memo[path]
        reached, seen = [path], {path}
        for current in reached:  # grows while it is read
            known = self._may_serve_memo.get(current)
            if known or known is None and self._names_serving(current):
                self._may_serve_memo[path] = True
                return True
            if known is None:
                for module in self._base_modules_of(current):
                    if module.path not in seen:
                        seen.add(module.path)
                        reached.append(module.path)
        self._may_serve_memo.update(dict.fromkeys(reached, False))
        return False

    def _names_serving(self, path: str) -> bool:
        """The module's own text names a serving framework or a configured
        decorator, or a routing call registers one of its names."""
        facts = self._text_facts(path)
        return facts is not None and bool(facts["markers"] or self._mentions_configured(path) or self.registered(path))

    def _base_modules_of(self, path: str) -> Iterator[ModuleInfo]:
        facts, info = self._text_facts(path), self.index.module(path)
        return self._base_modules(info, facts["bases"]) if facts is not None and info is not None else iter(())

    @classmethod
    def summarise(cls, text: str) -> dict[str, Any]:
        """What deciding whether a module may serve reads of its text: whether it
        names a serving framework, holds a routing call, and the names its class
        statements derive from."""
        bases = [name for found in _CLASS_BASES.findall(text) for name in _IDENTIFIER.findall(found)] if "class " in text else []
        return {"markers": _MARKERS.search(text), "registers": _REGISTRATION_MARKERS.search(text), "bases": list(dict.fromkeys(bases))}

    def _text_facts(self, path: str) -> dict[str, Any] | None:
        """``summarise`` of the module's text, from its index entry when it holds
        them (then the text is not read); None when the module has no text to analyse."""
        info = self.index.module(path)
        if info is None or info.parse_failed or info.max_depth > MAX_NESTING:
            return None
        facts = info.facts.get(self.name)
        if _are_text_facts(facts):
            return facts
        text = self.source(path)
        return None if text is None else self.summarise(text)

    def _base_modules(self, info: ModuleInfo, bases: list[str]) -> Iterator[ModuleInfo]:
        """The project modules the bases of this module's classes come from: a
        class statement's names imported from the project (a base defined in the
        module itself is a class statement too); for a package ``__init__``, every
        project module it imports, as it may re-export a base."""
        if info.is_package:
            imported = [name for name in info.imports if self.might_be_project(name)]
        else:
            qualified = (info.aliases.get(name) for name in bases)
            imported = [name for name in qualified if name is not None and self.might_be_project(name)]
        for name in dict.fromkeys(imported):
            for candidate in (name, name.rpartition(".")[0]):
                module = self.find_module(candidate, info) if candidate else None
                if module is not None and module.path != info.path:
                    yield module
                    break

    def _mentions_configured(self, path: str) -> bool:
        if not self.decorators:
            return False
        text = self.source(path) or ""
        return any(entry.rsplit(".", 1)[-1] in text for entry in self.decorators)

    def all_serving(self) -> list[ModuleServing]:
        """Every module of the project that defines request handlers."""
        if self._all is None:
            paths = sorted({*(p for p, m in self.index.modules.items() if not m.is_notebook), *self._provided})
            found = (self.serving(p) for p in paths)
            self._all = [m for m in found if m is not None and m.handlers]
        return self._all

    def dependencies(self, serving: ModuleServing) -> set[str]:
        """Project modules a handler module imports: their top level runs when the service starts."""
        paths: set[str] = set()
        for name in serving.view.info.imports:
            if not self.might_be_project(name):
                continue
            for candidate in (name, name.rpartition(".")[0]):
                module = self.find_module(candidate, serving.view.info) if candidate else None
                if module is not None and not module.is_notebook:
                    paths.add(module.path)
                    break
        paths.discard(serving.view.path)
        return paths

    # -- facts ------------------------------------------------------------

    def served_predictions(self, path: str) -> list[ServedPrediction]:
        """The predictions served by handlers of module *path*, in handler order."""
        if path not in self._predictions:
            serving = self.serving(path)
            self._predictions[path] = list(self._served(serving)) if serving is not None else []
        return self._predictions[path]

    def _served(self, serving: ModuleServing) -> Iterator[ServedPrediction]:
        view = serving.view
        for handler in serving.handlers:
            if handler.kind in PLATFORM_LOGGED_KINDS and self.platform_logging():
                continue
            events = serving.flows.get(handler.qualname, [])
            # a prediction on data the handler makes itself (a holdout it scores for a
            # report) is an evaluation: only one on the request's input is served
            first = next((i for i, e in enumerate(events) if e.kind == "predict" and e.facts.input), None)
            if first is None:
                continue
            prediction = events[first]
            logs = [e for e in events[first + 1:] if e.kind == "log" and not e.in_except]
            terms = [e.facts.terms | serving.ambient for e in logs]
            yield ServedPrediction(
                handler=handler.qualname,
                predictor=prediction.label,
                prediction=_span(view, _location(prediction, view)),
                first_log=_span(view, _location(logs[0], view)) if logs else None,
                logs_model_identity=any(carries_identity(t) for t in terms),
                logs_input=any(
                    e.facts.input or carries_request_id(t) or names_input(e.facts.names) for e, t in zip(logs, terms)
                ),
            )

    def model_loads(self, path: str) -> tuple[ModelLoad, ...]:
        """Model loads located in module *path* that serving code reaches: those
        run per request, then those from constant paths that name no version. The
        project's answer (``ServingAnswers``), which only the project's modules
        make. A notebook's are those its own handlers and startup hooks reach (no
        module imports it); its module level is not counted as serving code, as a
        service module's is: it is mostly the exploration and training around the
        handlers (a tutorial ending in a Ray Serve deployment)."""
        info = self.index.module(path)
        if info is not None and info.is_notebook:
            serving = self.serving(path)
            return tuple(self.loads_reached([serving] if serving is not None else [], module_level=False)[path])
        return self.project.analysis(ServingAnswers).loads.get(path, ())

    def loads_reached(self, servings: Iterable[ModuleServing], module_level: bool = True) -> defaultdict[str, list[ModelLoad]]:
        """The model loads the handlers of *servings* reach, by the module holding
        them; with *module_level*, those of the module level of their modules and
        of the project modules they import too (it runs when the service starts)."""
        servings = list(servings)
        loads: defaultdict[str, list[ModelLoad]] = defaultdict(list)
        for path, load in [*self._per_request_loads(servings), *self._unversioned_loads(servings, module_level)]:
            loads[path].append(load)
        return loads

    def module_servings(self) -> list[ModuleServing]:
        """Every module of the project (notebooks aside) that defines request handlers."""
        found = (self.serving(path) for path, info in sorted(self.index.modules.items()) if not info.is_notebook)
        return [serving for serving in found if serving is not None and serving.handlers]

    @staticmethod
    def _per_request_loads(servings: list[ModuleServing]) -> Iterator[tuple[str, ModelLoad]]:
        """Loads a prediction request runs. A handler that predicts nothing (``/reload``,
        a gRPC call that sets up the policy the next calls use) loads on request by design."""
        for serving in servings:
            for handler in serving.handlers:
                flow = serving.flows.get(handler.qualname, ())
                if not any(event.kind == "predict" for event in flow):
                    continue
                for event in flow:
                    if event.kind == "load" and not event.lazy:
                        at = _span(event.view, event.node)
                        yield event.view.path, ModelLoad(event.label, at, event.function, per_request_of=handler.qualname)

    def _unversioned_loads(self, servings: list[ModuleServing], module_level: bool) -> Iterator[tuple[str, ModelLoad]]:
        for serving in servings:
            events: list[FlowEvent] = [e for flow in serving.flows.values() for e in flow]
            events += serving.startup_events
            for module_path in {serving.view.path, *self.dependencies(serving)} if module_level else ():
                view = self.view(module_path)
                if view is not None:
                    self.module_env(view)
                    events += self._module_events.get(module_path, [])
            for event in events:
                if event.kind == "load" and event.path is not None and not event.versioned:
                    yield event.view.path, ModelLoad(event.label, _span(event.view, event.node), event.function, source=event.path)

    def platform_logging(self) -> bool:
        """Does a KServe/Seldon manifest in the project configure the payload logger?"""
        if self._platform_logging is None:
            self._platform_logging = any(
                _PLATFORM_LOGGER.search(self.project.read_text(path) or "")
                for path in self.project.files
                if path.endswith((".yaml", ".yml"))
            )
        return self._platform_logging

    def first_endpoint(self) -> ServingEndpoint | None:
        """The first handler of the project that serves predictions."""
        for serving in self.all_serving():
            for handler in serving.predicting_handlers():
                return ServingEndpoint(serving.view.path, handler.qualname, serving.view.functions[handler.qualname].lineno)
        return None

    def monitors(self) -> bool:
        """Does the project monitor its service (metrics, drift detection, production logging)?"""
        for info in self.index.modules.values():
            if info.top_packages & MONITORING_PACKAGES or any(name.startswith("bentoml.monitor") for name in info.imports):
                return True
            if _calls_monitor(info):
                return True
        declared = {(r.name or "").lower() for r in self.project.dependencies.requirements}
        if declared & MONITORING_DISTRIBUTIONS or any(name.startswith("opentelemetry") for name in declared):
            return True
        return self.logs_to_tracking()

    def logs_to_tracking(self) -> bool:
        """Do handlers log predictions to MLflow or Weights & Biases (production logging)?"""
        return any(
            e.kind == "log" and e.label.split(".", 1)[0] in ("mlflow", "wandb")
            for serving in self.all_serving()
            for flow in serving.flows.values()
            for e in flow
        )


@dataclass(frozen=True)
class ServingAnswers(Analysis):
    """What the serving analysis answers for one module from the whole project:
    the names routing calls elsewhere register in it (``app.add_url_rule(...,
    view_func=predict)`` in another module), and the model loads located in it
    that handlers elsewhere reach. Built once per run from every module; as an
    answer (``Reach.ANSWERS``) it keys the serving rules' cached results, so an
    edit re-runs them on a module only when these change or a module it imports
    does, not on every module that may serve after any edit."""

    registered: Mapping[str, frozenset[str]]
    loads: Mapping[str, tuple[ModelLoad, ...]]

    name = "serving-answers"
    reads = Reach.IMPORTS | Reach.SETTINGS | Reach.GRAPH | Reach.ANSWERS

    @classmethod
    def for_project(cls, project: ProjectContext, options: Mapping[str, Any]) -> "ServingAnswers":
        serving = project.analysis(ServingAnalysis)
        registered = {path: frozenset(names) for path, names in serving.scan_registry().items()}
        loads = serving.loads_reached(serving.module_servings())
        return cls(registered, {path: tuple(found) for path, found in loads.items()})

    def answer(self) -> list[Any]:
        return [
            sorted([path, sorted(names)] for path, names in self.registered.items()),
            sorted([path, [asdict(load) for load in loads]] for path, loads in self.loads.items()),
        ]


def _ambient_log_terms(view: ModuleView) -> frozenset[str]:
    """Names every log line of a module carries (structlog context, LoggerAdapter, correlation ids)."""
    terms: set[str] = set()
    if view.info.top_packages & REQUEST_ID_PACKAGES:
        terms.add("request_id")
    for node in ast.walk(view.tree):
        if not isinstance(node, ast.Call):
            continue
        dotted = dotted_name(node.func) or ""
        if dotted.rsplit(".", 1)[-1] not in AMBIENT_LOG_CALLS:
            continue
        terms.update(kw.arg for kw in node.keywords if kw.arg)
        for child in ast.walk(node):
            if isinstance(child, ast.Constant) and isinstance(child.value, str):
                terms.add(child.value)
            elif isinstance(child, ast.Name):
                terms.add(child.id)
            elif isinstance(child, ast.Attribute):
                terms.add(child.attr)
    return frozenset(terms)


def _span(view: ModuleView, node: ast.AST) -> Span:
    return Span(*view.position(node))


def _location(event: FlowEvent, view: ModuleView) -> ast.AST:
    if event.view.path == view.path or event.anchor is None:
        return event.node
    return event.anchor


MONITORING_PACKAGES = frozenset(
    {
        "prometheus_client", "prometheus_fastapi_instrumentator", "prometheus_flask_exporter", "starlette_exporter",
        "starlette_prometheus", "aioprometheus", "evidently", "whylogs", "alibi_detect", "nannyml", "deepchecks",
        "arize", "fiddler", "opentelemetry", "ddtrace", "datadog", "statsd", "frouros", "langfuse", "phoenix",
        "newrelic", "elasticapm",
    }
)
MONITORING_DISTRIBUTIONS = frozenset(
    {
        "prometheus-client", "prometheus-fastapi-instrumentator", "prometheus-flask-exporter", "starlette-exporter",
        "starlette-prometheus", "aioprometheus", "evidently", "whylogs", "alibi-detect", "nannyml", "deepchecks",
        "arize", "fiddler-client", "ddtrace", "datadog", "statsd", "frouros", "langfuse", "arize-phoenix",
        "newrelic", "elastic-apm",
    }
)


def _calls_monitor(info: ModuleInfo) -> bool:
    calls: Iterable = [*info.toplevel_calls, *(c for f in info.functions.values() for c in f.calls)]
    return any(site.name.startswith("bentoml.monitor") for site in calls)
