"""Which calls deserialise data in a way that can run code, and why.

Pickle and the formats built on it (joblib, dill, ``torch.load`` without
``weights_only=True``, NumPy object arrays, Keras' unsafe mode) and PyYAML's
object-building loaders execute or build whatever the file describes: a
tampered model or config file is code execution. This module holds the tables
of those loaders and the settings that make each one safe, and describes an
unsafe call as a fact (:class:`UnsafeLoad`): which hazard, whether the safety
setting was left out rather than turned off, the safe alternative. ML601
decides what to advise and which fix to offer from it.

A flag is read for the value Python would see: a constant literal or a name
last assigned one (``allow_pickle=1`` and ``allow_pickle="False"`` are truthy).
A loader that is safe or not by a flag is not judged when the flag is not
written and may come from ``**kwargs``, or when its value is not known
statically; ``yaml.load`` is not judged when given a ``Loader`` the analysis
does not know to be unsafe (a project's own loader class may be safe). A call
through a local name that shadows the module (``yaml = YAML(typ="rt")``) is not
that module's loader.

``torch.load`` without ``weights_only`` is version-dependent: torch 2.6 made
``weights_only=True`` the default. :class:`TorchLoadDefaults` reads the torch
requirement the project declares for a file (the nearest declaring folder) and
says whether it excludes every version before 2.6; the load inside
``torch.serialization.safe_globals(...)`` is a restricted load by intent.
"""

from __future__ import annotations

import ast
import enum
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

from mllint.analysis.values import Constant, constant_value, shadows_import
from mllint.engine.context import Analysis, ModuleContext, ProjectContext
from mllint.engine.findings import Reach
from mllint.project.dependencies.facts import declaring_folder
from mllint.project.index import ModuleInfo, dotted_name
from mllint.syntax.cst import has_star_kwargs, keyword, positional
from mllint.syntax.deferred import deferred

if TYPE_CHECKING:
    import libcst as cst
else:
    cst = deferred("libcst")


#: Loaders built on pickle: they run code from the file whatever the arguments.
_PICKLE_LOADERS = frozenset(
    {
        *(f"{module}.{func}" for module in ("pickle", "_pickle", "cPickle", "dill", "cloudpickle")
          for func in ("load", "loads", "Unpickler")),
        "joblib.load", "sklearn.externals.joblib.load", "pandas.read_pickle", "jsonpickle.decode",
    }
)
#: PyYAML functions that are unsafe by themselves -> the safe function to call instead.
_UNSAFE_YAML_FUNCTIONS: Mapping[str, str] = {
    "yaml.unsafe_load": "yaml.safe_load",
    "yaml.unsafe_load_all": "yaml.safe_load_all",
    "yaml.full_load": "yaml.safe_load",
    "yaml.full_load_all": "yaml.safe_load_all",
}
_TORCH_LOADS = frozenset({"torch.load", "torch.serialization.load"})
_KERAS_LOADS = frozenset(
    {f"{root}.{module}.load_model" for root in ("keras", "tensorflow.keras", "tf_keras") for module in ("models", "saving")}
)
#: PyYAML functions whose safety depends on the ``Loader`` they are given.
_YAML_LOADS = frozenset({"yaml.load", "yaml.load_all"})
_UNSAFE_YAML_LOADERS = frozenset({"Loader", "CLoader", "FullLoader", "CFullLoader", "UnsafeLoader", "CUnsafeLoader"})
#: Keyword names loaders take their file or data by, when it is not passed first.
_PATH_KEYWORDS = ("f", "file", "fp", "filename", "fname", "path", "filepath", "filepath_or_buffer", "stream", "s",
                  "data", "string")


#: Every call name ``unsafe_load`` judges.
_LOADERS = frozenset({*_PICKLE_LOADERS, *_UNSAFE_YAML_FUNCTIONS, *_TORCH_LOADS, *_YAML_LOADS, "numpy.load", *_KERAS_LOADS})


#: The last names of the loaders: a module function named so is called as the
#: module's own in the index (``pickle.load`` imported, then ``def load``), where
#: ``possibly_unsafe_loads`` qualifies the call through the import.
_LOADER_NAMES = frozenset(name.rpartition(".")[2] for name in _LOADERS)


def _calls_a_loader(info: ModuleInfo) -> bool:
    """Whether a call site the index records for the module may be of a loader."""
    own = info.name + "."
    return any(site.name in _LOADERS or (site.name.startswith(own) and site.name[len(own):] in _LOADER_NAMES)
               for site in info.call_sites())


def possibly_unsafe_loads(info: ModuleInfo, tree: ast.Module) -> Iterator[ast.Call]:
    """The calls in the module's stdlib ``ast`` that ``unsafe_load`` might report:
    of a loader it knows, unless a literal argument settles it safe
    (``torch.load(..., weights_only=True)``, ``numpy.load`` without
    ``allow_pickle``, ``load_model`` without ``safe_mode``). A superset, found
    before a module is parsed with libcst: most modules naming ``torch.load``
    load weights safely, and parsing them costs about 10x ``ast.parse``. The
    module's tree is walked only if its index entry records a call a loader may
    be (``_calls_a_loader``): most modules naming ``load`` call ``json.load``."""
    if not _calls_a_loader(info):
        return
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        dotted = dotted_name(node.func)
        name = info.qualify(dotted) if dotted is not None else None
        if name not in _LOADERS:
            continue
        given = {keyword.arg for keyword in node.keywords}
        if None in given or any(isinstance(arg, ast.Starred) for arg in node.args):
            yield node  # ``**options`` or ``*args`` may hold anything
            continue
        settled = (
            (name in _TORCH_LOADS and any(k.arg == "weights_only" and isinstance(k.value, ast.Constant) and k.value.value is True
                                          for k in node.keywords))
            or (name == "numpy.load" and "allow_pickle" not in given and len(node.args) < 3)
            or (name in _KERAS_LOADS and "safe_mode" not in given)
        )
        if not settled:
            yield node


#: torch's first release whose ``torch.load`` defaults to ``weights_only=True``.
_WEIGHTS_ONLY_DEFAULT = (2, 6)
_TORCH_DISTRIBUTIONS = frozenset({"torch", "pytorch"})
_VERSION = re.compile(r"v?(\d+(?:\.\d+)*)")


def _version(text: str) -> tuple[int, ...] | None:
    match = _VERSION.match(text)
    return tuple(int(part) for part in match.group(1).split(".")) if match else None


def _constraint(text: str) -> str:
    """The version part of a declared requirement, whatever the format:
    ``torch[cu]>=2.6,<3; python_version>'3.9'``, ``pytorch::pytorch=2.6.0``,
    ``torch = "^2.6"``, ``torch = {version = ">=2.6", optional = true}``."""
    keyed = re.match(r"^[\w.-]+\s*=\s*([\"'{].*)$", text.strip(), re.S)
    if keyed is not None:  # Poetry and Pipfile tables
        value = keyed.group(1)
        quoted = re.search(r"version\s*=\s*[\"']([^\"']*)", value) or re.match(r"\s*[\"']([^\"']*)", value)
        return quoted.group(1) if quoted else ""
    text = re.sub(r"^(?:[^:\s]+::)?[A-Za-z0-9_.-]+\s*(?:\[[^\]]*\])?", "", text.strip())
    return text.split(";", 1)[0].split("#", 1)[0].strip()


def _clause_lower_bound(clause: str) -> tuple[int, ...] | None:
    """The lowest version one clause admits: ``>=2.6``, ``==2.6.*``, ``~=2.6``,
    ``>2.5`` (2.5.1 is admitted), Poetry's ``^2.6``/``~2.6``, conda's ``=2.6.0=build``
    and ``2.6.*``, a bare version (Poetry, Pipfile: ``==``); None for ``<``, ``<=``,
    ``!=`` and ``*``, which set no lower bound."""
    if clause.startswith(("<", "!")):
        return None
    return _version(clause.lstrip(">=~^"))


def lowest_version(requirement: str) -> tuple[int, ...] | None:
    """The lowest version a declared requirement admits, as far as its constraint
    says (``torch>=2.6,<3`` -> (2, 6)); None when it sets no lower bound (``torch``,
    ``torch<2.6``, a URL). Of alternatives (conda ``2.6.*|2.7.*``, Poetry ``||``)
    the lowest counts."""
    constraint = _constraint(requirement)
    if "@" in constraint or "://" in constraint:
        return None
    constraint = re.sub(r"([<>=!~^])\s+", r"\1", constraint)
    lowest: tuple[int, ...] | None = None
    for alternative in re.split(r"\|+", constraint):
        bounds = [b for b in map(_clause_lower_bound, re.split(r"[,\s]+", alternative.strip())) if b is not None]
        if not bounds:
            return None
        lowest = max(bounds) if lowest is None else min(lowest, max(bounds))
    return lowest


def _is_versioned(requirement: str) -> bool:
    """Whether a requirement says anything about the version (``torch`` and
    ``torch = "*"`` do not)."""
    constraint = _constraint(requirement)
    return bool(re.search(r"\d", constraint)) or "@" in constraint


class TorchLoadDefaults(Analysis):
    """Whether ``torch.load`` defaults to ``weights_only=True`` for a file: the
    torch requirement the project declares for it excludes every release before
    2.6. A requirement applies to the files under the folder of the file that
    declares it (a ``requirements/`` folder's files to the folder above); the
    nearest folder with a versioned torch requirement decides, and every
    versioned torch requirement there must exclude the older releases."""

    name = "torch-load-defaults"
    #: the declared torch version: the dependency declarations
    reads = Reach.SETTINGS

    def __init__(self, declared: Iterable[tuple[str, bool]]) -> None:
        #: (folder the requirement applies to, excludes torch < 2.6)
        self.declared = tuple(declared)

    @classmethod
    def for_project(cls, project: ProjectContext, options: Mapping[str, Any]) -> "TorchLoadDefaults":
        declared = []
        for requirement in project.dependencies.requirements:
            if requirement.name not in _TORCH_DISTRIBUTIONS:
                continue
            if not _is_versioned(requirement.text):
                continue
            lowest = lowest_version(requirement.text)
            declared.append((declaring_folder(requirement.path), lowest is not None and lowest >= _WEIGHTS_ONLY_DEFAULT))
        return cls(declared)

    def weights_only_by_default(self, path: str) -> bool:
        """True when every versioned torch requirement of the nearest declaring
        folder above *path* excludes torch releases before 2.6."""
        applicable = [(folder, safe) for folder, safe in self.declared
                      if folder == "" or path == folder or path.startswith(folder + "/")]
        if not applicable:
            return False
        nearest = max(len(folder) for folder, _ in applicable)
        return all(safe for folder, safe in applicable if len(folder) == nearest)


class Hazard(enum.Enum):
    """Why a load can run code chosen by whoever wrote the data."""

    PICKLE = "pickle"  # a pickle-based loader: unpickling runs code by design
    YAML_FUNCTION = "yaml-function"  # ``yaml.unsafe_load`` or ``yaml.full_load`` (and their ``_all``)
    YAML_LOADER = "yaml-loader"  # ``yaml.load`` with no ``Loader`` or an unsafe one
    TORCH = "torch"  # ``torch.load`` without ``weights_only=True``
    NUMPY = "numpy"  # ``numpy.load(allow_pickle=True)``
    KERAS = "keras"  # Keras ``load_model(safe_mode=False)``


class UnsafeLoad(NamedTuple):
    """A call that deserialises data unsafely."""

    function: str  # the loader's qualified name (``yaml.load``)
    hazard: Hazard
    #: The safety setting (``weights_only=``, ``Loader=``) was left out rather than
    #: turned off, so adding it fixes the call.
    setting_missing: bool = False
    #: For PyYAML: the safe function to call instead (``yaml.safe_load``); else "".
    safe_function: str = ""
    #: PyYAML's FullLoader: it builds any already-imported Python object but has
    #: not run code since PyYAML 5.4, a lesser risk than the others.
    objects_only: bool = False


def _argument(call: cst.Call, name: str, position: int) -> cst.Arg | None:
    found = keyword(call, name)
    if found is not None:
        return found
    args = positional(call)
    return args[position] if len(args) > position else None


def loaded_argument(call: cst.Call) -> cst.BaseExpression | None:
    """The file, path or data a loader reads (its first argument, or a known
    keyword), whose origin decides how dangerous the load is."""
    args = positional(call)
    if args:
        return args[0].value
    for name in _PATH_KEYWORDS:
        arg = keyword(call, name)
        if arg is not None:
            return arg.value
    return None


def _builds_objects_only(ctx: ModuleContext, name: str, call: cst.Call) -> bool:
    loader = _argument(call, "Loader", 1) if name in _YAML_LOADS else None
    loader_name = (ctx.qualified_name(loader.value) or "") if loader is not None else ""
    return name.startswith("yaml.full_load") or loader_name.endswith("FullLoader")


def unsafe_load(ctx: ModuleContext, call: cst.Call) -> UnsafeLoad | None:
    """How this call deserialises unsafely, or None when it does not (or cannot be
    judged: the deciding flag may be in ``**kwargs`` or is not a constant, the YAML
    loader is safe or the project's own, or the module's name is shadowed)."""
    name = ctx.call_name(call)
    if name is None:
        return None
    found = _unsafe_load(ctx, name, call)
    if found is None or _through_shadowed_module(ctx, call):
        return None
    return found._replace(objects_only=_builds_objects_only(ctx, name, call))


def _through_shadowed_module(ctx: ModuleContext, call: cst.Call) -> bool:
    """``yaml = YAML(typ="rt"); yaml.load(f)``: the import's name was rebound, so
    the call goes to that object (ruamel's round-trip loader), not to the module."""
    root = call.func
    while isinstance(root, cst.Attribute):
        root = root.value
    return isinstance(root, cst.Name) and shadows_import(ctx, root.value, call)


class _Setting(NamedTuple):
    """A loader's flag as the call gives it."""

    given: bool  # written in the call (as a keyword, or at its position)
    value: Constant | None = None  # the constant it holds; None when not given or not known statically


def _setting(ctx: ModuleContext, call: cst.Call, name: str, position: int | None = None) -> _Setting:
    arg = keyword(call, name) if position is None else _argument(call, name, position)
    return _Setting(True, constant_value(ctx, arg.value)) if arg is not None else _Setting(False)


def _in_safe_globals(ctx: ModuleContext) -> bool:
    """Inside ``with torch.serialization.safe_globals([...])``: the allow-list of the
    weights-only unpickler, a restricted load by intent."""
    return any(
        isinstance(node, cst.With) and any(
            isinstance(item.item, cst.Call) and (ctx.call_name(item.item) or "").endswith("serialization.safe_globals")
            for item in node.items
        )
        for node in ctx.ancestors
    )


def _torch_load(ctx: ModuleContext, name: str, call: cst.Call) -> UnsafeLoad | None:
    """``weights_only=False`` (or a falsy constant) is unsafe; left out (or ``None``)
    it is unsafe unless the project's torch makes ``True`` the default."""
    weights_only = _setting(ctx, call, "weights_only")
    if weights_only.given and weights_only.value is None:
        return None  # ``weights_only=args.weights_only``: the caller decides
    if weights_only.value is not None and weights_only.value.value is not None:
        return None if weights_only.value.value else UnsafeLoad(name, Hazard.TORCH)
    if not weights_only.given and has_star_kwargs(call):
        return None
    if _in_safe_globals(ctx) or ctx.project.analysis(TorchLoadDefaults).weights_only_by_default(ctx.path):
        return None
    return UnsafeLoad(name, Hazard.TORCH, setting_missing=not weights_only.given)


def _yaml_load(ctx: ModuleContext, name: str, call: cst.Call) -> UnsafeLoad | None:
    """``yaml.load`` is unsafe without a ``Loader`` or with one of PyYAML's unsafe
    loaders, also when ``**kwargs`` follow (a keyword cannot be given twice)."""
    safe_function = name.replace("load", "safe_load")
    loader = _argument(call, "Loader", 1)
    if loader is None:
        if has_star_kwargs(call):
            return None
        return UnsafeLoad(name, Hazard.YAML_LOADER, setting_missing=True, safe_function=safe_function)
    loader_name = ctx.qualified_name(loader.value) or ctx.dotted(loader.value) or ""
    if loader_name.startswith("yaml.") and loader_name.rsplit(".", 1)[-1] in _UNSAFE_YAML_LOADERS:
        return UnsafeLoad(name, Hazard.YAML_LOADER, safe_function=safe_function)
    return None  # SafeLoader, CSafeLoader, BaseLoader or a project's own loader class


def _unsafe_load(ctx: ModuleContext, name: str, call: cst.Call) -> UnsafeLoad | None:
    if name in _PICKLE_LOADERS:
        return UnsafeLoad(name, Hazard.PICKLE)
    if name in _UNSAFE_YAML_FUNCTIONS:
        return UnsafeLoad(name, Hazard.YAML_FUNCTION, safe_function=_UNSAFE_YAML_FUNCTIONS[name])
    if name in _TORCH_LOADS:
        return _torch_load(ctx, name, call)
    if name in _YAML_LOADS:
        return _yaml_load(ctx, name, call)
    if name == "numpy.load":
        allow_pickle = _setting(ctx, call, "allow_pickle", 2).value
        return UnsafeLoad(name, Hazard.NUMPY) if allow_pickle is not None and allow_pickle.value else None
    if name in _KERAS_LOADS:
        safe_mode = _setting(ctx, call, "safe_mode").value
        unsafe = safe_mode is not None and safe_mode.value is not None and not safe_mode.value
        return UnsafeLoad(name, Hazard.KERAS) if unsafe else None
    return None
