"""Which calls deserialise data in a way that can run code, and why.

Pickle and the formats built on it (joblib, dill, ``torch.load`` without
``weights_only=True``, NumPy object arrays, Keras' unsafe mode) and PyYAML's
object-building loaders execute or build whatever the file describes: a
tampered model or config file is code execution. This module holds the tables
of those loaders and the settings that make each one safe, and describes an
unsafe call as a fact (:class:`UnsafeLoad`): which hazard, whether the safety
setting was left out rather than turned off, the safe alternative. ML601
decides what to advise and which fix to offer from it.

A loader that is safe or not by a flag is not judged when the flag may come
from ``**kwargs``, and ``yaml.load`` is not judged when given a ``Loader`` the
analysis does not know to be unsafe (a project's own loader class may be safe).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import NamedTuple

import libcst as cst

from mllint.engine.context import ModuleContext
from mllint.syntax.cst import has_star_kwargs, is_false, is_true, keyword, positional

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
    judged: the deciding flag may be in ``**kwargs``, or the YAML loader is safe
    or the project's own)."""
    name = ctx.call_name(call)
    if name is None:
        return None
    found = _unsafe_load(ctx, name, call)
    if found is None:
        return None
    return found._replace(objects_only=_builds_objects_only(ctx, name, call))


def _unsafe_load(ctx: ModuleContext, name: str, call: cst.Call) -> UnsafeLoad | None:
    if name in _PICKLE_LOADERS:
        return UnsafeLoad(name, Hazard.PICKLE)
    if name in _UNSAFE_YAML_FUNCTIONS:
        return UnsafeLoad(name, Hazard.YAML_FUNCTION, safe_function=_UNSAFE_YAML_FUNCTIONS[name])
    if has_star_kwargs(call):
        return None  # the deciding flag may be in **kwargs
    if name in _TORCH_LOADS:
        flag = keyword(call, "weights_only")
        if flag is None or is_false(flag.value):
            return UnsafeLoad(name, Hazard.TORCH, setting_missing=flag is None)
        return None
    if name == "numpy.load":
        flag = _argument(call, "allow_pickle", 2)
        return UnsafeLoad(name, Hazard.NUMPY) if flag is not None and is_true(flag.value) else None
    if name in _KERAS_LOADS:
        flag = keyword(call, "safe_mode")
        return UnsafeLoad(name, Hazard.KERAS) if flag is not None and is_false(flag.value) else None
    if name in _YAML_LOADS:
        safe_function = name.replace("load", "safe_load")
        loader = _argument(call, "Loader", 1)
        if loader is None:
            return UnsafeLoad(name, Hazard.YAML_LOADER, setting_missing=True, safe_function=safe_function)
        loader_name = ctx.qualified_name(loader.value) or ctx.dotted(loader.value) or ""
        if loader_name.startswith("yaml.") and loader_name.rsplit(".", 1)[-1] in _UNSAFE_YAML_LOADERS:
            return UnsafeLoad(name, Hazard.YAML_LOADER, safe_function=safe_function)
        return None  # SafeLoader, CSafeLoader, BaseLoader or a project's own loader class
    return None
