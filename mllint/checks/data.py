"""ML1xx data management: data files under version control, DVC remotes,
machine-local paths and data read from mutable URLs.

The project rules (ML101, ML102) read facts, never data: blob sizes and LFS
attributes come from git (``project.git``), DVC outputs and remotes from DVC's
own files (``project.dvc``). The module rules (ML103, ML104) look at the string
literals that reach data-reading and data-writing calls, following simple
constant assignments (``DATA = "/home/me/x.csv"``) within the module.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Iterator

from mllint.engine.context import ModuleContext, ProjectContext
from mllint.engine.findings import Severity
from mllint.engine.messages import human_size, shown
from mllint.engine.options import Option
from mllint.engine.rules import ModuleRule, ProjectRule
from mllint.project.dependencies.specs import mask_credentials
from mllint.project.index import dotted_name
from mllint.project.layout import NOT_TESTS, is_data_file, is_fixture, is_model_artifact
from mllint.syntax.ast_walks import without_leaves
from mllint.syntax.bindings import Bindings
from mllint.syntax.cst import (
    bound_names,
    keyword,
    leading_text,
    positional,
    string_value,
)
from mllint.syntax.deferred import deferred

if TYPE_CHECKING:
    import libcst as cst
else:
    cst = deferred("libcst")


# -- ML101 ---------------------------------------------------------------------


class DataNotVersioned(ProjectRule):
    """Large data committed to git bloats every clone forever and is not versioned
    as data (no dedup, no remote storage). Git LFS or DVC is the practice. A
    committed model artifact is the unversioned model itself: a served model
    checked into git has no lineage to the data and code that produced it, so its
    threshold is lower."""

    code = "ML101"
    name = "data-not-versioned"
    severity = Severity.WARNING
    ml_only = True
    options = {
        "max-size": Option("1MiB", "size", "Smallest data file committed to git that is reported"),
        "max-model-size": Option("100KiB", "size", "Same threshold for model artifacts (.pkl, .joblib, .pt, .onnx, ...)"),
        "max-fixture-size": Option("10MiB", "size", "Same threshold for test fixtures (files under tests/, fixtures/, ...)"),
    }

    def check(self, project: ProjectContext) -> None:
        git = project.git
        if git is None:
            project.note(self.code, "not applicable: the project is not in a git work tree (or git is missing)")
            return
        options = project.options(self.code)
        dvc = project.dvc
        for path in project.files:
            if not is_data_file(path):
                continue
            size = git.size(project.root / path)
            if size is None:
                continue
            model = is_model_artifact(path)
            limit = options["max-fixture-size" if is_fixture(path) else "max-model-size" if model else "max-size"]
            if size < limit or git.is_lfs(project.root / path):
                continue
            if dvc.covers(path) or f"{path}.dvc" in project.file_set:
                continue
            what = "the model artifact " if model else ""
            project.report(
                self.code,
                path,
                f"{what}`{path}` ({human_size(size)}) is committed to git without Git LFS or DVC; "
                f"track it with `dvc add {path}` (after `git rm --cached {path}`) or `git lfs track`",
            )


# -- ML102 ---------------------------------------------------------------------


class DvcRemoteMissing(ProjectRule):
    """DVC without a shared default remote versions data that nobody else can pull."""

    code = "ML102"
    name = "dvc-remote-missing"
    severity = Severity.WARNING
    ml_only = True

    def check(self, project: ProjectContext) -> None:
        dvc = project.dvc
        if not dvc.initialised:
            return
        where = ".dvc/config" if (project.root / ".dvc" / "config").is_file() else ".dvc"
        problem = _remote_problem(dvc.remotes, dvc.default_remote, dvc.shared_remotes, dvc.shared_default_remote)
        if problem is not None:
            project.report(self.code, where, problem)


def _remote_problem(remotes: dict[str, str], default: str | None,
                    shared: dict[str, str], shared_default: str | None) -> str | None:
    """What is wrong with the remote configuration, as a message, or None."""
    if not remotes:
        return ("DVC is initialised but no remote is configured, so versioned data cannot be shared or restored; "
                "add one with `dvc remote add -d storage <url>`")
    names = ", ".join(f"`{name}`" for name in sorted(remotes))
    if default is None:
        return f"DVC remotes exist ({names}) but none is the default (`core.remote`); set one with `dvc remote default <name>`"
    if default not in remotes:
        return f"the default DVC remote `{default}` is not defined (known: {names}); fix `core.remote` in `.dvc/config`"
    if shared_default is None or shared_default not in {**shared, **remotes} or default not in shared:
        return (f"the default DVC remote `{default}` is configured only in `.dvc/config.local`, which git ignores, so "
                "clones cannot pull the data; add it to `.dvc/config` (`dvc remote add -d`, without `--local`)")
    return None


# -- helpers shared by the module rules --------------------------------------------


class BindingRule(ModuleRule):
    """Shared plumbing: collect name bindings during the traversal; subclasses
    decide in ``leave_Module`` once every assignment of the module is known."""

    def __init__(self, ctx: ModuleContext) -> None:
        super().__init__(ctx)
        self.bindings = Bindings()

    def visit_Assign(self, node: cst.Assign) -> None:
        self.bindings.record_assign(node)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self.bindings.record_assign(node)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        if isinstance(node.target, cst.Name):
            self.bindings.record_binding(node.target.value)

    def visit_For(self, node: cst.For) -> None:
        for name in bound_names(node.target):
            self.bindings.record_binding(name)

    def visit_Param(self, node: cst.Param) -> None:
        self.bindings.record_binding(node.name.value)

    def visit_With(self, node: cst.With) -> None:
        self.bindings.record_with(node)

    def note_dynamic_globals(self, node: cst.Call) -> None:
        """Subclasses' ``visit_Call`` calls this: ``exec``/``globals().update`` rebind any name."""
        func = node.func
        if self.is_builtin(func, "exec") or (
            isinstance(func, cst.Attribute) and func.attr.value == "update" and isinstance(func.value, cst.Call)
            and self.is_builtin(func.value.func, "globals")
        ):
            self.bindings.dynamic = True

    def is_builtin(self, func: cst.BaseExpression, name: str) -> bool:
        """``open(...)`` is the builtin unless the module imports or defines its own."""
        return (isinstance(func, cst.Name) and func.value == name
                and name not in self.ctx.info.aliases and name not in self.ctx.info.functions)


#: Calls that read or write files by path (qualified names).
PATH_CALLS = frozenset({
    "numpy.load", "numpy.save", "numpy.savez", "numpy.savez_compressed", "numpy.loadtxt", "numpy.savetxt",
    "numpy.genfromtxt", "numpy.fromfile", "numpy.memmap", "torch.load", "torch.save", "torch.jit.load",
    "torch.jit.save", "joblib.load", "joblib.dump", "pathlib.Path", "pathlib.PurePath", "pathlib.PosixPath",
    "pathlib.WindowsPath", "io.open", "codecs.open", "gzip.open", "bz2.open", "lzma.open", "zipfile.ZipFile",
    "tarfile.open", "os.listdir", "os.scandir", "os.walk", "os.chdir", "os.makedirs", "os.mkdir", "glob.glob",
    "glob.iglob", "shutil.copy", "shutil.copyfile", "shutil.copytree", "shutil.move", "h5py.File", "PIL.Image.open",
    "cv2.imread", "cv2.imwrite", "cv2.VideoCapture", "scipy.io.loadmat", "scipy.io.savemat", "sqlite3.connect",
    "pyarrow.parquet.read_table", "pyarrow.parquet.write_table", "datasets.load_dataset", "datasets.load_from_disk",
    "tensorflow.keras.models.load_model", "keras.models.load_model", "tensorflow.data.TFRecordDataset",
    "tensorflow.io.gfile.GFile", "tensorflow.keras.utils.image_dataset_from_directory",
    "keras.utils.image_dataset_from_directory", "xgboost.DMatrix", "lightgbm.Dataset", "safetensors.torch.load_file",
    "safetensors.torch.save_file", "onnx.load", "onnx.save", "onnxruntime.InferenceSession",
})
PATH_CALL_PREFIXES = ("pandas.read_", "polars.read_", "polars.scan_", "torchvision.datasets.")
#: Methods that take a path whatever the receiver (pandas writers, HF and boosters).
PATH_METHODS = frozenset({
    "to_csv", "to_parquet", "to_pickle", "to_excel", "to_json", "to_feather", "to_hdf", "to_orc", "to_stata",
    "write_csv", "write_parquet", "save_pretrained", "from_pretrained", "save_model", "load_model",
})
_ENV_CALLS = frozenset({"os.getenv", "os.environ.get", "os.environ.setdefault", "os.path.expandvars"})


# -- ML103 ---------------------------------------------------------------------

_MACHINE_LOCAL = re.compile(
    r"""^(?:/home/|/Users/|/root/|/mnt/|/media/|/Volumes/|/content/|~[/\\]|[A-Za-z]:[\\/]|\\\\[^\\])"""
)
_MACHINE_LOCAL_TEXT = re.compile(r"""["'](?:/home/|/Users/|/root/|/mnt/|/media/|/Volumes/|/content/|~[/\\]|[A-Za-z]:[\\/]|\\\\)""")
#: A per-user configuration or cache folder of whoever runs the code: a hidden folder
#: in the home directory (``~/.cache``, ``~/.config``, ``~/.keras``, ``~/.kaggle``, and
#: ``/root/.cache`` in containers) or macOS's ``~/Library/Caches``. Tools create them on
#: every machine they run on, so the path works everywhere; ``/home/alice/.cache`` names
#: one user and stays reported.
_USER_TOOL_FOLDER = re.compile(
    r"""^(?:~|/root)[\\/](?:\.[^\\/.]|Library[\\/](?:Caches|Application Support|Preferences)\b)"""
)


class AbsoluteDataPath(BindingRule):
    """A path that exists on one machine makes the script fail everywhere else."""

    code = "ML103"
    name = "absolute-data-path"
    severity = Severity.WARNING
    roles = NOT_TESTS

    @classmethod
    def applies_to(cls, text: str) -> bool:
        return _MACHINE_LOCAL_TEXT.search(text) is not None

    @classmethod
    def can_fire(cls, ctx: ModuleContext) -> bool:
        """Most modules whose text names a home folder or a drive pass none to a data
        call: a ``~/.cache`` default, a docstring, a regular expression matching
        ``\\n`` (on diffusers, 4 of 40). A finding needs a machine-local literal
        that an argument of a data call leads to, as :meth:`_local_paths` follows
        it; the ``ast`` shows them, read more loosely than the rule reads them
        (any call that may be a data call, every value a name is given anywhere)."""
        tree = ctx.index.tree(ctx.path)
        if tree is None:
            return True
        given: dict[str, list[ast.expr]] = {}
        arguments: list[ast.expr] = []
        for node in without_leaves(tree):
            if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
                for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
                    if isinstance(target, ast.Name):
                        given.setdefault(target.id, []).append(node.value)
            elif isinstance(node, ast.withitem) and isinstance(node.optional_vars, ast.Name):
                given.setdefault(node.optional_vars.id, []).append(node.context_expr)
            elif isinstance(node, ast.Call) and _may_be_data_call(ctx, node):
                arguments.extend([*node.args, *(keyword.value for keyword in node.keywords)])
        return any(_may_lead_to_local_path(ctx, argument, given, 0) for argument in arguments)

    def __init__(self, ctx: ModuleContext) -> None:
        super().__init__(ctx)
        self.calls: list[tuple[cst.Call, str]] = []

    def visit_Call(self, node: cst.Call) -> None:
        self.note_dynamic_globals(node)
        label = self._data_call(node)
        if label is not None:
            self.calls.append((node, label))

    def _data_call(self, node: cst.Call) -> str | None:
        name = self.ctx.call_name(node)
        if name is not None:
            if name in PATH_CALLS or name.startswith(PATH_CALL_PREFIXES):
                return name
            if name.startswith("os.path.") or name in _ENV_CALLS:
                return None
        if self.is_builtin(node.func, "open"):
            return "open"
        if isinstance(node.func, cst.Attribute) and node.func.attr.value in PATH_METHODS:
            if name is None or not name.startswith(("numpy.", "os.")):
                return f".{node.func.attr.value}"
        return None

    def leave_Module(self, original_node: cst.Module) -> None:
        reported: set[int] = set()
        for call, label in self.calls:
            for arg in call.args:
                for literal, text in self._local_paths(arg.value, depth=0):
                    if id(literal) in reported:
                        continue
                    reported.add(id(literal))
                    self.report(
                        literal,
                        f"`{shown(text)}` is an absolute path on one machine, used by `{label}`; "
                        "make it relative to the project or read it from configuration or an environment variable",
                    )

    def _local_paths(self, node: cst.CSTNode, depth: int) -> Iterator[tuple[cst.CSTNode, str]]:
        """Machine-local string literals in a path expression, following constants."""
        if depth > 4:
            return
        text = leading_text(node)
        if text is not None:
            if _MACHINE_LOCAL.match(text) and not _USER_TOOL_FOLDER.match(text):
                yield node, text
            return
        if isinstance(node, cst.Name):
            value = self.bindings.constant(node.value)
            if value is not None:
                yield from self._local_paths(value, depth + 1)
        elif isinstance(node, cst.BinaryOperation):
            yield from self._local_paths(node.left, depth)
        elif isinstance(node, cst.Call):
            name = self.ctx.call_name(node)
            if name in _ENV_CALLS:
                return  # `os.getenv("DATA", "/home/me/data")`: the env var wins, a default is fine
            args = positional(node)
            if args:  # Path(x), os.path.join(x, ...), str(x): the first part decides
                yield from self._local_paths(args[0].value, depth)
        elif isinstance(node, cst.Attribute):
            yield from self._local_paths(node.value, depth)


def _may_be_data_call(ctx: ModuleContext, call: ast.Call) -> bool:
    """What ``AbsoluteDataPath._data_call`` may label, on the ``ast``."""
    dotted = dotted_name(call.func)
    name = ctx.info.qualify(dotted) if dotted is not None else None
    if name is not None and (name in PATH_CALLS or name.startswith(PATH_CALL_PREFIXES)):
        return True
    return (isinstance(call.func, ast.Name) and call.func.id == "open") or (
        isinstance(call.func, ast.Attribute) and call.func.attr in PATH_METHODS
    )


def _may_lead_to_local_path(ctx: ModuleContext, node: ast.expr, given: dict[str, list[ast.expr]], depth: int) -> bool:
    """Whether *node* may lead to a machine-local literal as ``_local_paths`` follows
    it (an f-string whose text starts like one counts, be it a tool's folder)."""
    if depth > 4:
        return False
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and bool(_MACHINE_LOCAL.match(node.value)) and not _USER_TOOL_FOLDER.match(node.value)
    if isinstance(node, ast.JoinedStr):
        first = node.values[0] if node.values else None
        return isinstance(first, ast.Constant) and isinstance(first.value, str) and bool(_MACHINE_LOCAL.match(first.value))
    if isinstance(node, ast.Name):
        return any(_may_lead_to_local_path(ctx, value, given, depth + 1) for value in given.get(node.id, ()))
    if isinstance(node, ast.Starred):
        return _may_lead_to_local_path(ctx, node.value, given, depth)
    if isinstance(node, ast.BinOp):
        return _may_lead_to_local_path(ctx, node.left, given, depth)
    if isinstance(node, ast.Attribute):
        return _may_lead_to_local_path(ctx, node.value, given, depth)
    if isinstance(node, ast.Call) and node.args:
        dotted = dotted_name(node.func)
        if dotted is not None and ctx.info.qualify(dotted) in _ENV_CALLS:
            return False
        return _may_lead_to_local_path(ctx, node.args[0], given, depth)
    return False


# -- ML104 ---------------------------------------------------------------------

#: Readers that take a URL as first argument: qualified names and prefixes.
_URL_READERS = frozenset({
    "numpy.loadtxt", "numpy.genfromtxt", "urllib.request.urlretrieve", "urllib.request.urlopen",
    "wget.download", "gdown.download",
})
_URL_READER_PREFIXES = ("pandas.read_", "polars.read_", "polars.scan_")
_HTTP_GETS = frozenset({"requests.get", "httpx.get", "requests.request"})
#: Downloaders with a checksum parameter: (qualified name, url position, checksum keywords, checksum position).
_CHECKSUM_DOWNLOADERS: dict[str, tuple[int, frozenset[str], int | None]] = {
    "tensorflow.keras.utils.get_file": (1, frozenset({"file_hash", "md5_hash"}), 2),
    "keras.utils.get_file": (1, frozenset({"file_hash", "md5_hash"}), 2),
    "torch.hub.download_url_to_file": (0, frozenset({"hash_prefix"}), 2),
    "torchvision.datasets.utils.download_url": (0, frozenset({"md5"}), 3),
    "torchvision.datasets.utils.download_and_extract_archive": (0, frozenset({"md5"}), 4),
    "pooch.retrieve": (0, frozenset({"known_hash"}), 1),
}
_HUB_DATASET_CALLS = frozenset({"datasets.load_dataset"})
_HUB_DOWNLOADS = frozenset({"huggingface_hub.hf_hub_download", "huggingface_hub.snapshot_download"})
#: Every call ML104 judges, by qualified name (and ``_URL_READER_PREFIXES``).
_REMOTE_READERS = _URL_READERS | _HTTP_GETS | frozenset(_CHECKSUM_DOWNLOADERS) | _HUB_DATASET_CALLS | _HUB_DOWNLOADS
#: ``load_dataset`` builders that read local or given files rather than a hub repository.
_LOCAL_BUILDERS = frozenset({"csv", "json", "parquet", "text", "arrow", "pandas", "imagefolder", "audiofolder",
                             "webdataset", "sql", "generator", "xml"})
_DATA_URL = re.compile(r"\.(?:csv|tsv|json|jsonl|parquet|zip|gz|tgz|tar|bz2|xz|npz|npy|h5|hdf5|xlsx?|txt|arff|data|pkl|feather)(?:[?#]|$)", re.I)
_PINNED_URL = re.compile(
    r"/[0-9a-f]{40}/|/[0-9a-f]{7,39}/|/v?\d+\.\d+(?:\.\d+)*/|/releases/download/|zenodo\.org/records?/\d|doi\.org/"
    r"|[?&](?:version|versionId|rev|revision|sha)=",
    re.I,
)
_HASH_WORDS = re.compile(r"md5|sha\d*|checksum|hash|integrity|digest", re.I)
#: One image, sound or video file: what demos and model cards fetch to show a
#: prediction, not a data set a model is trained or evaluated on.
_MEDIA_FILE = re.compile(
    r"\.(?:jpe?g|png|gif|bmp|webp|tiff?|svg|ico|heic|mp3|wav|flac|ogg|m4a|mp4|avi|mov|mkv|webm)(?:[?#]|$)", re.I
)


@dataclass
class _Scope:
    pending: list[tuple[cst.CSTNode, str]] = field(default_factory=list)
    responses: dict[str, tuple[cst.CSTNode, str, str]] = field(default_factory=dict)
    hashed: bool = False


def _names_hub_dataset(repo: str) -> bool:
    """``load_dataset``'s first argument names a hub repository, not a builder of
    local files or a path."""
    return not (repo in _LOCAL_BUILDERS or repo.startswith((".", "/", "~")) or PurePosixPath(repo).suffix)


def _is_url(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str) \
        and node.value[:8].lower().startswith(("http://", "https://"))


class UnpinnedRemoteData(BindingRule):
    """Data read straight from a mutable URL can change under the model without any trace."""

    code = "ML104"
    name = "unpinned-remote-data"
    severity = Severity.INFO
    roles = NOT_TESTS
    triggers = ("http://", "https://", "load_dataset", "hf_hub_download", "snapshot_download")

    def __init__(self, ctx: ModuleContext) -> None:
        super().__init__(ctx)
        self.scopes: list[_Scope] = [_Scope()]

    @classmethod
    def can_fire(cls, ctx: ModuleContext) -> bool:
        """Every finding is at a call of a reader, downloader or HTTP GET named
        through an import, and the index holds every call by that name (licence
        headers put a URL in every file of many projects; few of them download
        anything). The index names a call of a module-level function by the
        module's own name, even where the function shadows an import: that
        import is tried too."""
        own = f"{ctx.info.name}."
        called: set[str] = set()
        for site in ctx.info.call_sites():
            local = site.name[len(own):] if site.name.startswith(own) else None
            for name in (site.name, ctx.info.qualify(local) if local and "." not in local else None):
                if name is not None and (name in _REMOTE_READERS or name.startswith(_URL_READER_PREFIXES)):
                    called.add(name)
        return bool(called) and cls._may_name_remote_data(ctx)

    @staticmethod
    def _may_name_remote_data(ctx: ModuleContext) -> bool:
        """Most modules calling a downloader fetch models, or a data set the user
        names: a finding needs a constant http(s) URL, given to the call or to a
        name (an assignment, ``with ... as name``), a hub download with
        ``repo_type="dataset"`` or ``load_dataset`` of a constant name; the
        ``ast`` shows them (on diffusers, 129 modules call one; 5 have findings)."""
        tree = ctx.index.tree(ctx.path)
        if tree is None:
            return True
        for node in without_leaves(tree):
            if isinstance(node, (ast.Assign, ast.AnnAssign, ast.withitem)):
                if any(_is_url(child) for child in ast.iter_child_nodes(node)):
                    return True
            elif isinstance(node, ast.Call):
                dotted = dotted_name(node.func)
                name = ctx.info.qualify(dotted) if dotted is not None else None
                if name is None or not (name in _REMOTE_READERS or name.startswith(_URL_READER_PREFIXES)):
                    continue
                given = {keyword.arg: keyword.value for keyword in node.keywords}
                if name in _HUB_DATASET_CALLS:
                    first = next((arg for arg in node.args if not isinstance(arg, ast.Starred)), None)
                    if isinstance(first, ast.Constant) and isinstance(first.value, str) and _names_hub_dataset(first.value):
                        return True
                elif name in _HUB_DOWNLOADS:
                    repo_type = given.get("repo_type")
                    if isinstance(repo_type, ast.Constant) and repo_type.value == "dataset":
                        return True
                elif any(_is_url(value) for value in [*node.args, *given.values()]):
                    return True
        return False

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.scopes.append(_Scope())

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self._close(self.scopes.pop())

    def leave_Module(self, original_node: cst.Module) -> None:
        self._close(self.scopes[0])

    def _close(self, scope: _Scope) -> None:
        if scope.hashed:
            return
        reported: set[int] = set()
        for node, message in scope.pending:
            if id(node) not in reported:
                reported.add(id(node))
                self.report(node, message)

    def visit_Attribute(self, node: cst.Attribute) -> None:
        """``response.content`` / ``iter_content``: the downloaded bytes are kept."""
        if node.attr.value in ("content", "iter_content", "raw") and isinstance(node.value, cst.Name):
            saved = self.scopes[-1].responses.pop(node.value.value, None)
            if saved is not None:
                self.scopes[-1].pending.append(saved[:2])

    def visit_Assign(self, node: cst.Assign) -> None:
        super().visit_Assign(node)
        if isinstance(node.value, cst.Call) and len(node.targets) == 1 and isinstance(node.targets[0].target, cst.Name):
            found = self._http_get(node.value)
            if found is not None:
                self.scopes[-1].responses[node.targets[0].target.value] = found

    def visit_Call(self, node: cst.Call) -> None:
        self.note_dynamic_globals(node)
        name = self.ctx.call_name(node)
        scope = self.scopes[-1]
        dotted = self.ctx.dotted(node.func) or ""
        if (name or dotted).startswith("hashlib.") or _HASH_WORDS.search(dotted.rpartition(".")[2]):
            scope.hashed = True
            return
        if name is None:
            return
        finding = self._unpinned(node, name)
        if finding is not None:
            scope.pending.append(finding)

    def _unpinned(self, node: cst.Call, name: str) -> tuple[cst.CSTNode, str] | None:
        args = positional(node)
        if name in _URL_READERS or name.startswith(_URL_READER_PREFIXES):
            url = self._url(args[0].value) if args else None
            if url is not None:
                return node, f"`{name}` reads `{shown(url)}`, which can change without notice; pin a version or verify a checksum"
            return None
        if name in _HTTP_GETS:  # a download of a data file; other responses count once saved
            found = self._http_get(node)
            return found[:2] if found is not None and _DATA_URL.search(found[2]) else None
        if name in _CHECKSUM_DOWNLOADERS:
            return self._downloader(node, name, args)
        if name in _HUB_DATASET_CALLS:
            return self._hub_dataset(node, name, args)
        if name in _HUB_DOWNLOADS:
            repo_type = keyword(node, "repo_type")
            filename = keyword(node, "filename") or (args[1] if len(args) > 1 else None)
            media = filename is not None and _MEDIA_FILE.search(string_value(filename.value) or "") is not None
            if (repo_type is not None and string_value(repo_type.value) == "dataset" and keyword(node, "revision") is None
                    and not media):
                return node, f"`{name}` downloads a dataset repository at its latest revision; pass `revision=` with a commit hash"
        return None

    def _http_get(self, node: cst.Call) -> tuple[cst.CSTNode, str, str] | None:
        """(call, message, url) for an HTTP GET of a constant, unpinned URL."""
        name = self.ctx.call_name(node)
        if name not in _HTTP_GETS:
            return None
        args = positional(node)
        index = 1 if name == "requests.request" else 0
        url = self._url(args[index].value) if len(args) > index else None
        if url is None:
            return None
        return node, f"`{name}` downloads `{shown(url)}`, which can change without notice; pin a version or verify a checksum", url

    def _downloader(self, node: cst.Call, name: str, args: list[cst.Arg]) -> tuple[cst.CSTNode, str] | None:
        url_position, hash_keywords, hash_position = _CHECKSUM_DOWNLOADERS[name]
        origin = keyword(node, "origin") or keyword(node, "url")
        url_node = origin.value if origin is not None else (args[url_position].value if len(args) > url_position else None)
        url = self._url(url_node) if url_node is not None else None
        if url is None:
            return None
        for word in hash_keywords:
            given = keyword(node, word)
            if given is not None and not (isinstance(given.value, cst.Name) and given.value.value == "None"):
                return None
        if hash_position is not None and len(args) > hash_position:
            value = args[hash_position].value
            if not (isinstance(value, cst.Name) and value.value == "None"):
                return None
        return node, f"`{name}` downloads `{shown(url)}` without a checksum; pass `{sorted(hash_keywords)[0]}=`"

    def _hub_dataset(self, node: cst.Call, name: str, args: list[cst.Arg]) -> tuple[cst.CSTNode, str] | None:
        if keyword(node, "revision") is not None or not args:
            return None
        repo = string_value(args[0].value)
        if repo is None or not _names_hub_dataset(repo):
            return None
        return node, f"`{name}(\"{shown(repo)}\")` reads the dataset's latest revision; pass `revision=` with a commit hash or tag"

    def _url(self, node: cst.CSTNode, depth: int = 0) -> str | None:
        """The unpinned http(s) URL of data a constant expression holds, following
        constants, with its credentials masked (``https://****@host``): it is only
        quoted, and messages are cached and printed.

        A URL with a variable part (f-string, concatenation) may well carry a
        version or a commit, so only fully constant URLs are judged; a URL of one
        image or sound file is a demo's input, not data.
        """
        if depth > 3:
            return None
        text = string_value(node)
        if text is None and isinstance(node, cst.Name):
            value = self.bindings.constant(node.value)
            return self._url(value, depth + 1) if value is not None else None
        if text is None or not text.lower().startswith(("http://", "https://")):
            return None
        return None if _PINNED_URL.search(text) or _MEDIA_FILE.search(text) else mask_credentials(text)
