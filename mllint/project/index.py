"""The project index: what every module imports, defines and calls.

Module rules ask cross-module questions ("does the entry point call a project
function that seeds numpy?"). Answering them needs facts from every module, so
the index is built from a cheap pass with the stdlib ``ast`` (about 9x faster
than libcst) over every file, and only the files a rule can fire on are later
parsed with libcst.

Names are resolved through imports and aliases: ``import numpy as np`` makes
``np.random.seed`` the qualified name ``numpy.random.seed``; relative imports
are made absolute from the module's own dotted name. Known gaps: aliases made
by assignment (``rs = np.random``) and star imports are not followed.
"""

from __future__ import annotations

import ast
import sys
import warnings
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from types import MappingProxyType
from typing import Any, Callable, Iterable, Iterator, Mapping

from mllint.syntax.ast_walks import LEAVES

#: Top-level packages whose import makes a project an "ML project".
ML_LIBRARIES = frozenset(
    {
        "numpy", "pandas", "sklearn", "scipy", "torch", "tensorflow", "keras", "jax", "flax",
        "lightgbm", "xgboost", "catboost", "transformers", "datasets", "statsmodels", "polars",
        "torchvision", "torchaudio", "pytorch_lightning", "lightning", "accelerate", "optax",
        "mlflow", "wandb", "dvc", "dvclive", "sentence_transformers", "tokenizers", "onnx",
        "onnxruntime", "joblib", "timm", "diffusers", "peft", "bentoml", "ray", "spacy", "gensim",
        "nltk", "fastai", "mxnet", "paddle", "cv2", "skimage", "imblearn", "optuna",
    }
)


@dataclass(frozen=True, slots=True)
class CallSite:
    """A call, by qualified name when it resolves (else the dotted text)."""

    name: str
    line: int


@dataclass(slots=True)
class FunctionInfo:
    qualname: str  # within its module: "f", "Trainer.fit"
    line: int
    calls: list[CallSite] = field(default_factory=list)


@dataclass(slots=True)
class ModuleInfo:
    path: str  # POSIX, relative to the project root
    name: str  # dotted module name ("pkg.utils"); a notebook's is its path
    is_notebook: bool = False
    is_package: bool = False
    #: local name -> qualified name it stands for
    aliases: dict[str, str] = field(default_factory=dict)
    #: qualified names of every imported module or object
    imports: set[str] = field(default_factory=set)
    functions: dict[str, FunctionInfo] = field(default_factory=dict)
    #: calls made when the module runs as a script: module level (outside
    #: functions and classes) including the ``__main__`` block
    toplevel_calls: list[CallSite] = field(default_factory=list)
    has_main_block: bool = False
    parse_failed: bool = False
    #: deepest nesting of the syntax tree; libcst gets slow and recursive
    #: visitors overflow on pathological depths
    max_depth: int = 0
    #: facts about the module's text that analyses read of every module, by
    #: analysis name (``Analysis.summarise``), cached with the entry
    facts: dict[str, Any] = field(default_factory=dict)
    #: the analyses whose facts ``facts`` holds (an analysis may have none to
    #: keep): an entry cached by a run of other analyses lacks this run's
    summarised_by: frozenset[str] = frozenset()

    @property
    def top_packages(self) -> set[str]:
        return {name.split(".", 1)[0] for name in self.imports}

    def call_sites(self) -> Iterator[CallSite]:
        """Every call the module makes, at its top level and in its functions."""
        yield from self.toplevel_calls
        for function in self.functions.values():
            yield from function.calls

    @property
    def uses_ml(self) -> bool:
        return bool(self.top_packages & ML_LIBRARIES)

    def qualify(self, dotted: str) -> str | None:
        """Resolve a dotted local expression (``np.random.seed``) through imports."""
        return qualify(self.aliases, dotted)

    def imported_as(self, name: str) -> str | None:
        """The qualified name *name* (``f``, ``Class.method``) stands for when the
        module imports it rather than defining it, else None: a package's
        ``__init__`` publishes its modules' functions that way (``from .util import
        set_seed``, called by users as ``pkg.set_seed``). The caller knows the
        module does not define the name itself."""
        head, dot, rest = name.partition(".")
        target = self.aliases.get(head)
        return None if target is None else target + dot + rest

    def to_json(self) -> dict[str, Any]:
        """Plain JSON data, for the result cache: a module unchanged since the
        last run is indexed from it without being parsed."""
        return {
            "path": self.path, "name": self.name, "notebook": self.is_notebook, "package": self.is_package,
            "aliases": self.aliases, "imports": sorted(self.imports),
            "functions": [[f.qualname, f.line, [[c.name, c.line] for c in f.calls]] for f in self.functions.values()],
            "toplevel": [[c.name, c.line] for c in self.toplevel_calls],
            "main": self.has_main_block, "failed": self.parse_failed, "depth": self.max_depth, "facts": self.facts,
            "summarised": sorted(self.summarised_by),
        }

    @classmethod
    def from_json(cls, data: Any) -> ModuleInfo:
        """The entry ``to_json`` made; TypeError, ValueError or KeyError for anything else
        (a cache is read from disk and may be damaged)."""
        def text(value: Any) -> str:
            if not isinstance(value, str):
                raise TypeError("expected text")
            return value

        def number(value: Any) -> int:
            if type(value) is not int:
                raise TypeError("expected a number")
            return value

        def flag(value: Any) -> bool:
            if not isinstance(value, bool):
                raise TypeError("expected true or false")
            return value

        def calls(items: Any) -> list[CallSite]:
            # A quarter of a million sites on a 2,000-file library: ``sys.intern`` checks
            # the name is text, one pass checks the lines after.
            sites = [CallSite(sys.intern(name), line) for name, line in items]
            if not all(type(site.line) is int for site in sites):
                raise TypeError("expected a number")
            return sites

        functions = [FunctionInfo(text(name), number(line), calls(sites)) for name, line, sites in data["functions"]]
        return cls(
            path=text(data["path"]), name=text(data["name"]), is_notebook=flag(data["notebook"]),
            is_package=flag(data["package"]), aliases={text(k): sys.intern(text(v)) for k, v in data["aliases"].items()},
            imports={sys.intern(text(name)) for name in data["imports"]}, functions={f.qualname: f for f in functions},
            toplevel_calls=calls(data["toplevel"]), has_main_block=flag(data["main"]),
            parse_failed=flag(data["failed"]), max_depth=number(data["depth"]),
            facts={text(name): value for name, value in data["facts"].items()},
            summarised_by=frozenset(text(name) for name in data["summarised"]),
        )


def qualify(aliases: dict[str, str], dotted: str) -> str | None:
    """``np.random.seed`` -> ``numpy.random.seed`` given ``{"np": "numpy"}``; None when
    the expression's root is not an imported name."""
    head, _, rest = dotted.partition(".")
    target = aliases.get(head)
    if target is None:
        return None
    return f"{target}.{rest}" if rest else target


def module_name_for(path: str) -> tuple[str, bool]:
    """Dotted name for a file path, honouring ``src/`` layouts; (name, is_package)."""
    parts = list(PurePosixPath(path).with_suffix("").parts)
    if parts and parts[0] == "src" and len(parts) > 1:
        parts = parts[1:]
    is_package = bool(parts) and parts[-1] == "__init__"
    if is_package:
        parts = parts[:-1]
    return ".".join(parts) or "__init__", is_package


def import_names_for(path: str) -> list[str]:
    """Every dotted name ``import`` may reach a module file by: its module name
    and, under ``src/``, also ``src.<name>``: many projects run from the
    repository root and write ``from src.utils import load_model`` (``src`` as a
    package, or a namespace package) instead of installing an src layout."""
    name, is_package = module_name_for(path)
    parts = PurePosixPath(path).parts
    if len(parts) < 2 or parts[0] != "src":
        return [name]
    return [name, "src" if name == "__init__" and is_package else f"src.{name}"]


def dotted_name(node: ast.expr) -> str | None:
    """``a.b.c`` for Name/Attribute chains, else None."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def _is_main_guard(test: ast.expr) -> bool:
    if not isinstance(test, ast.Compare) or len(test.ops) != 1 or not isinstance(test.ops[0], ast.Eq):
        return False
    sides = [test.left, test.comparators[0]]
    has_name = any(isinstance(s, ast.Name) and s.id == "__name__" for s in sides)
    has_main = any(isinstance(s, ast.Constant) and s.value == "__main__" for s in sides)
    return has_name and has_main


#: Node types with no calls, imports or definitions under them, with the depth
#: of their subtree (a name's load/store context is one level below it).
_LEAF_DEPTH: Mapping[type, int] = MappingProxyType({ast.Name: 1, **dict.fromkeys(LEAVES, 0)})


class _Indexer:
    """One iterative walk over a module's ast (iterative: deep trees must not recurse).

    Qualified names are interned (``sys.intern``), here and when an entry is read
    back: a library's modules call and import the same few thousand names
    (``torch.cat``), and a 2,000-file index holds a quarter of a million call sites."""

    def __init__(self, info: ModuleInfo) -> None:
        self.info = info
        self.package = info.name if info.is_package else info.name.rpartition(".")[0]

    def run(self, tree: ast.Module) -> None:
        local_functions = self._collect_definitions(tree)
        # Names resolve only once every import is known: collect calls first.
        calls = list(self._walk(tree))
        for owner, node in calls:
            name = self._call_name(node, owner, local_functions)
            if name is None:
                continue
            site = CallSite(sys.intern(name), node.lineno)
            if owner is None:
                self.info.toplevel_calls.append(site)
            else:
                self.info.functions[owner].calls.append(site)

    def _add_import(self, node: ast.Import) -> None:
        for alias in node.names:
            self.info.imports.add(sys.intern(alias.name))
            if alias.asname:
                self.info.aliases[alias.asname] = alias.name
            else:
                head = alias.name.split(".", 1)[0]
                self.info.aliases.setdefault(head, head)

    def _add_import_from(self, node: ast.ImportFrom) -> None:
        base = self._absolute(node.module, node.level)
        if base is None:
            return
        for alias in node.names:
            if alias.name == "*":
                self.info.imports.add(base)
                continue
            target = sys.intern(f"{base}.{alias.name}" if base else alias.name)
            self.info.imports.add(target)
            self.info.aliases[alias.asname or alias.name] = target

    def _absolute(self, module: str | None, level: int) -> str | None:
        if level == 0:
            return module or ""
        parts = self.package.split(".") if self.package else []
        if level - 1 > len(parts):
            return None
        base = parts[: len(parts) - (level - 1)]
        if module:
            base.append(module)
        return ".".join(base)

    def _collect_definitions(self, tree: ast.Module) -> set[str]:
        """Register top-level functions and methods; returns module-level function names."""
        top: set[str] = set()
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                top.add(node.name)
            if isinstance(node, ast.If) and _is_main_guard(node.test):
                self.info.has_main_block = True
        return top

    def _walk(self, tree: ast.Module) -> Iterator[tuple[str | None, ast.Call]]:
        """Record imports, functions and depth; yield every call with the
        qualified name of the function that contains it.

        Nested functions count as part of their enclosing top-level function or
        method: that is what runs when the outer one is called. The children of
        a node are read from its fields directly, in ``ast.iter_child_nodes``
        order (indexing a sixth faster than calling it for each of a project's million
        nodes); the depth is kept in a local and stored as calls are yielded.
        """
        info = self.info
        deepest = info.max_depth
        stack: list[tuple[ast.AST, str | None, str | None, int]] = [(tree, None, None, 0)]
        while stack:
            node, owner, klass, depth = stack.pop()
            if depth > deepest:
                deepest = depth
            for name in node._fields:
                value = getattr(node, name, None)
                if isinstance(value, ast.AST):
                    value = (value,)
                elif not isinstance(value, list):
                    continue
                for child in value:
                    if not isinstance(child, ast.AST):
                        continue
                    kind = type(child)
                    below = _LEAF_DEPTH.get(kind)
                    if below is not None:  # half the nodes: nothing under them to record
                        if depth + 1 + below > deepest:
                            deepest = depth + 1 + below
                        continue
                    child_owner, child_class = owner, klass
                    if kind is ast.ClassDef and owner is None:
                        child_class = child.name if klass is None else f"{klass}.{child.name}"
                    elif (kind is ast.FunctionDef or kind is ast.AsyncFunctionDef) and owner is None:
                        child_owner = f"{klass}.{child.name}" if klass else child.name
                        info.functions[child_owner] = FunctionInfo(child_owner, child.lineno)
                    elif kind is ast.Call:
                        info.max_depth = deepest
                        yield (owner if owner is not None or klass is None else None), child
                    elif kind is ast.Import:
                        self._add_import(child)
                    elif kind is ast.ImportFrom:
                        self._add_import_from(child)
                    stack.append((child, child_owner, child_class, depth + 1))
        info.max_depth = deepest

    def _call_name(self, call: ast.Call, owner: str | None, local_functions: set[str]) -> str | None:
        dotted = dotted_name(call.func)
        if dotted is None:
            return None
        head, _, rest = dotted.partition(".")
        if head == "self" and owner and "." in owner and rest and "." not in rest:
            return f"{self.info.name}.{owner.rsplit('.', 1)[0]}.{rest}"
        if head in local_functions and not rest:
            return f"{self.info.name}.{head}"
        return self.info.qualify(dotted) or dotted


def index_module(path: str, source: str, *, is_notebook: bool = False, tree: ast.Module | None = None) -> ModuleInfo:
    """Index one module. A module that does not parse yields an empty entry."""
    if is_notebook:
        name, is_package = path, False
    else:
        name, is_package = module_name_for(path)
    info = ModuleInfo(path=path, name=name, is_notebook=is_notebook, is_package=is_package)
    if tree is None:
        try:
            tree = ast.parse(source)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            info.parse_failed = True
            return info
    _Indexer(info).run(tree)
    return info


#: How many modules that only import a name (``ModuleInfo.imported_as``) a
#: resolution follows: a package re-exporting a subpackage's re-export is two.
MAX_REEXPORTS = 4
#: The trees kept (``ProjectIndex.tree``), by the length of their modules' text:
#: a tree takes about 30 bytes of memory for each character of its module.
MAX_TREE_TEXT = 8_000_000
#: The trees kept aside (``ProjectIndex.tree``): those parsed for a walk through
#: other modules and those of files already linted, for a second look soon after.
SPARE_TREE_TEXT = 1_000_000
#: The texts kept (``ProjectIndex.source``) when the index can read them again:
#: a 2,000-file library holds 45 MB of text, which as ``str`` is nearer 80 MB.
MAX_KEPT_TEXT = 16_000_000


class ProjectIndex:
    """All modules of a project, queryable across module boundaries.

    A module is added with its text, or without it (indexed from the result
    cache): then *reader* reads its text when an analysis first asks for it or
    its tree, so that a run linting a few files reads only the modules their
    rules reach. With a reader, texts are kept like trees, the most recently
    used up to ``MAX_KEPT_TEXT`` characters, and read again when asked after
    that; without one, every text is kept.
    """

    def __init__(self, modules: Iterable[ModuleInfo] = (), reader: Callable[[str], str | None] | None = None) -> None:
        self.modules: dict[str, ModuleInfo] = {}
        self._reader = reader
        self._by_name: dict[str, ModuleInfo] = {}
        #: last part of every import name -> the names ending with it: most
        #: imports are third-party, and a suffix match need not scan them all
        self._by_last_part: dict[str, list[str]] = {}
        #: module path -> the project modules its imports reach directly
        self._imported: dict[str, frozenset[str]] = {}
        #: module path -> the modules importing it directly, once asked (``importers``)
        self._importers: dict[str, set[str]] | None = None
        #: folder -> its dotted package name (``_folder_package``)
        self._folder_packages: dict[str, str] = {}
        #: path -> text (None: unreadable), least recently used first
        self._sources: OrderedDict[str, str | None] = OrderedDict()
        self._kept_text = 0
        self._trees = _Shelf(lambda: MAX_TREE_TEXT)
        self._spare_trees = _Shelf(lambda: SPARE_TREE_TEXT)
        for info in modules:
            self.add(info)

    def add(self, info: ModuleInfo, source: str | None = None, tree: ast.Module | None = None) -> None:
        """Register a module, with the text it was indexed from (a notebook's
        concatenated cells) and, if at hand, its syntax tree."""
        self.modules[info.path] = info
        if not info.is_notebook:
            names = import_names_for(info.path)
            for name in names if info.name in names else [info.name]:
                known = self._by_name.get(name)
                if known is None:
                    self._by_last_part.setdefault(name.rpartition(".")[2], []).append(name)
                if known is None or info.path < known.path:  # whatever the order modules come in
                    self._by_name[name] = info
            self._imported.clear()
        self._importers = None
        if source is not None:
            self._keep_text(info.path, source)
            if tree is not None:
                self._trees.put(info.path, tree, len(source))

    def source(self, path: str) -> str | None:
        """The module's text as it was read (PEP 263 decoded; a notebook's cells)."""
        if path in self._sources:
            self._sources.move_to_end(path)
            return self._sources[path]
        if path not in self.modules or self._reader is None:
            return None
        source = self._reader(path)
        self._keep_text(path, source)
        return source

    def held_source(self, path: str) -> str | None:
        """The module's text if it is kept, never read."""
        return self._sources.get(path)

    def _keep_text(self, path: str, source: str | None) -> None:
        if path in self._sources:
            self._kept_text -= len(self._sources.pop(path) or "")
        self._sources[path] = source
        self._kept_text += len(source or "")
        while self._reader is not None and self._kept_text > MAX_KEPT_TEXT and len(self._sources) > 1:
            self._kept_text -= len(self._sources.popitem(last=False)[1] or "")

    def tree(self, path: str, *, keep: bool = True) -> ast.Module | None:
        """The module's stdlib ``ast``, parsed at most once while it stays among
        the most recently used, up to ``MAX_TREE_TEXT`` characters of their text.

        A reader that keeps what it draws from the tree and walks many modules
        once (a cross-module analysis) passes ``keep=False``: a tree it parses
        is set aside (``SPARE_TREE_TEXT``), and one already kept stays where it
        is among the recently used. Otherwise its walk would evict the trees
        kept for the files about to be linted (on a 2,000-file library, the
        walk through the modules a package import runs evicted most of them)."""
        kept = self._trees.get(path, refresh=keep)
        if kept is not None:
            return kept
        spare = self._spare_trees.get(path)
        if spare is not None:
            if keep:
                self._trees.put(path, spare, self._spare_trees.drop(path))
            return spare
        source = self.source(path)
        info = self.modules.get(path)
        if source is None or info is None or info.parse_failed:
            return None
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                tree = ast.parse(source)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return None
        (self._trees if keep else self._spare_trees).put(path, tree, len(source))
        return tree

    def held_tree(self, path: str) -> ast.Module | None:
        """The module's tree if one is kept (or set aside), never parsed: for a
        reader to whom parsing a part of the module costs less than the whole."""
        return self._trees.get(path, refresh=False) or self._spare_trees.get(path)

    def forget_tree(self, path: str) -> None:
        """The module's file is linted: its tree, if kept, is set aside. The
        trees kept while indexing are those of the first files linted; setting
        each aside once its file is done lets memory fall while the facts the
        analyses keep grow (on a 2,000-file library, peak memory 590 -> 460 MB),
        and a walk that reaches the module soon after need not parse it again."""
        tree = self._trees.get(path, refresh=False)
        if tree is not None:
            self._spare_trees.put(path, tree, self._trees.drop(path))

    def module(self, path: str) -> ModuleInfo | None:
        return self.modules.get(path)

    def import_names(self) -> Iterable[str]:
        """The dotted names project modules can be imported by (``pkg.utils``, ``src.pkg.utils``)."""
        return self._by_name.keys()

    def may_resolve(self, name: str) -> bool:
        """Whether some project module's import name ends like *name*: a cheap
        filter before ``find_module`` (most imports are third-party)."""
        return name.rpartition(".")[2] in self._by_last_part

    def find_module(self, name: str, importer: ModuleInfo | None = None) -> ModuleInfo | None:
        """The project module that ``import name`` means from *importer*.

        Tries the importer's own folder first (a script's folder is on
        ``sys.path``), then the name as given, then any module whose dotted
        name ends with it (a package imported from a sub-folder root).
        """
        if importer is not None:
            sibling = f"{self._folder_package(importer.path)}.{name}".lstrip(".")
            if sibling in self._by_name:
                return self._by_name[sibling]
        if name in self._by_name:
            return self._by_name[name]
        suffix = "." + name
        matches = [self._by_name[n] for n in self._by_last_part.get(name.rpartition(".")[2], ()) if n.endswith(suffix)]
        return matches[0] if len(matches) == 1 else None

    def _folder_package(self, path: str) -> str:
        """The dotted name of the folder holding *path* ("" at the root), as a
        script's own folder is on ``sys.path``; once per folder (pathlib is slow)."""
        folder = path.rpartition("/")[0]
        found = self._folder_packages.get(folder)
        if found is None:
            found = self._folder_packages[folder] = module_name_for(f"{folder}/x.py" if folder else "x.py")[0].rpartition(".")[0]
        return found

    def import_closure(self, path: str) -> frozenset[str]:
        """The project modules *path* imports, directly or through others, itself
        included: what a fact of ``Reach.IMPORTS`` about it may depend on.

        An import of ``a.b.c`` counts every prefix that names a project module
        (importing it runs ``a`` and ``a.b`` too). Each module's direct imports are
        resolved once per index; a closure costs its size."""
        closure, frontier = {path}, [path]
        while frontier:
            for reached in self._imports_of(frontier.pop()):
                if reached not in closure:
                    closure.add(reached)
                    frontier.append(reached)
        return frozenset(closure)

    def import_graph(self) -> dict[str, frozenset[str]]:
        """Every module's project imports, resolved (``import a.b`` counts ``a`` too)."""
        return {path: self._imports_of(path) for path in self.modules}

    def is_imported(self, path: str) -> bool:
        """Whether another project module or notebook imports *path*: what a fact
        of ``Reach.GRAPH`` adds to its import closure (a script nobody imports runs
        only when executed). Resolves every module's imports once per index."""
        return path in self._direct_importers()

    def importers(self, path: str) -> frozenset[str]:
        """The project modules and notebooks importing *path*, directly or through
        others (*path* itself excluded): the code whose run can reach it."""
        direct = self._direct_importers()
        found, frontier = set(), [path]
        while frontier:
            for importer in direct.get(frontier.pop(), ()):
                if importer not in found and importer != path:
                    found.add(importer)
                    frontier.append(importer)
        return frozenset(found)

    def _direct_importers(self) -> dict[str, set[str]]:
        """The import graph reversed; every module's imports resolved once per index."""
        if self._importers is None:
            self._importers = {}
            for importer in self.modules:
                for reached in self._imports_of(importer):
                    if reached != importer:
                        self._importers.setdefault(reached, set()).add(importer)
        return self._importers

    def _imports_of(self, path: str) -> frozenset[str]:
        found = self._imported.get(path)
        if found is None:
            info = self.modules.get(path)
            reached: set[str] = set()
            for name in info.imports if info is not None else ():
                parts = name.split(".")
                for end in range(len(parts), 0, -1):
                    module = self.find_module(".".join(parts[:end]), info)
                    if module is not None:
                        reached.add(module.path)
            found = self._imported[path] = frozenset(reached)
        return found

    def resolve_function(self, qualified: str, importer: ModuleInfo | None = None) -> tuple[ModuleInfo, FunctionInfo] | None:
        """The project function a qualified call name refers to, if any, followed
        through the modules that only import it (``ModuleInfo.imported_as``)."""
        for _ in range(MAX_REEXPORTS):
            found = self.split_module(qualified, importer)
            if found is None:
                return None
            module, name = found
            function = module.functions.get(name)
            if function is not None:
                return module, function
            # A class called as a function: its __init__ runs.
            init = module.functions.get(name + ".__init__")
            if init is not None:
                return module, init
            reexported = module.imported_as(name)
            if reexported is None:
                return None
            qualified, importer = reexported, module
        return None

    def split_module(self, qualified: str, importer: ModuleInfo | None = None) -> tuple[ModuleInfo, str] | None:
        """The project module the longest prefix of *qualified* names, and the rest
        of the name (inside that module), or None."""
        parts = qualified.split(".")
        for split in range(len(parts) - 1, 0, -1):
            module = self.find_module(".".join(parts[:split]), importer)
            if module is not None:
                return module, ".".join(parts[split:])
        return None

    def reachable(self, start: ModuleInfo, calls: Iterable[CallSite], max_depth: int = 6) -> Iterator[tuple[ModuleInfo, FunctionInfo]]:
        """Project functions reachable from *calls* made in *start*, breadth first."""
        seen: set[tuple[str, str]] = set()
        frontier = [(start, site) for site in calls]
        for _ in range(max_depth):
            next_frontier: list[tuple[ModuleInfo, CallSite]] = []
            for module, site in frontier:
                found = self.resolve_function(site.name, module)
                if found is None:
                    continue
                key = (found[0].path, found[1].qualname)
                if key in seen:
                    continue
                seen.add(key)
                yield found
                next_frontier.extend((found[0], callee) for callee in found[1].calls)
            if not next_frontier:
                return
            frontier = next_frontier

    @property
    def is_ml_project(self) -> bool:
        return any(info.uses_ml for info in self.modules.values())


class _Shelf:
    """Trees by module path, the least recently used let go first once their
    modules' text passes *budget* characters (the tree put last stays, whatever
    its size). The budget is read when it applies: tests lower it."""

    def __init__(self, budget: Callable[[], int]) -> None:
        self._budget = budget
        #: path -> (tree, length of its text), least recently used first
        self._trees: OrderedDict[str, tuple[ast.Module, int]] = OrderedDict()
        self._text = 0

    def get(self, path: str, *, refresh: bool = True) -> ast.Module | None:
        kept = self._trees.get(path)
        if kept is None:
            return None
        if refresh:
            self._trees.move_to_end(path)
        return kept[0]

    def put(self, path: str, tree: ast.Module, size: int) -> None:
        self.drop(path)
        self._trees[path] = (tree, size)
        self._text += size
        while self._text > self._budget() and len(self._trees) > 1:
            self._text -= self._trees.popitem(last=False)[1][1]

    def drop(self, path: str) -> int:
        """Let go of the tree; the length of its module's text (0: none was kept)."""
        kept = self._trees.pop(path, None)
        size = kept[1] if kept is not None else 0
        self._text -= size
        return size


def import_components(graph: Mapping[str, Iterable[str]]) -> list[tuple[list[str], set[int]]]:
    """The modules of an import *graph* (module -> the modules it imports) grouped
    by import cycles (its strongly connected components), each listed after
    every component it imports, with those components' positions in the list:
    from them a digest of every module's import closure is built in time linear
    in the modules and their imports (``engine.cache.closure_digests``), where a
    closure each would be quadratic. Tarjan's algorithm, with a stack of its own
    for deep graphs."""
    number: dict[str, int] = {}  # the order modules are first met in
    low: dict[str, int] = {}
    component_of: dict[str, int] = {}
    on_stack: list[str] = []
    components: list[tuple[list[str], set[int]]] = []

    def imported(path: str) -> list[str]:
        return sorted(target for target in graph.get(path, ()) if target in graph)

    for start in sorted(graph):
        if start in number:
            continue
        number[start] = low[start] = len(number)
        on_stack.append(start)
        walk = [(start, iter(imported(start)))]
        while walk:
            path, pending = walk[-1]
            for reached in pending:
                if reached not in number:
                    number[reached] = low[reached] = len(number)
                    on_stack.append(reached)
                    walk.append((reached, iter(imported(reached))))
                    break
                if reached not in component_of:  # still on the stack: same component
                    low[path] = min(low[path], number[reached])
            else:
                walk.pop()
                if walk:
                    low[walk[-1][0]] = min(low[walk[-1][0]], low[path])
                if low[path] == number[path]:
                    members: list[str] = []
                    while not members or members[-1] != path:
                        members.append(on_stack.pop())
                        component_of[members[-1]] = len(components)
                    reached_components = {component_of[target] for member in members for target in imported(member)}
                    components.append((sorted(members), reached_components - {len(components)}))
    return components
