"""Seeding analysis for ML201 (unseeded-randomness), ML203 (nondeterministic-torch)
and ML202 (random-state-unset: whether NumPy is seeded on every path before a call).

The question is a path question: starting at an entry point (a notebook, a
module with a ``__main__`` block, or a script whose top level runs), which
libraries' random generators are used before that library is seeded? Checking
a single file cannot answer it: projects seed in ``utils.set_seed()`` and build
their models in ``model.py``. So every reached module is summarised once per
project with :mod:`ast` (the index's cheap parser), calls are followed into
project functions, constructors (``Net()`` runs ``Net.__init__``, including
``super().__init__()`` into project base classes) and the import-time code of
imported project modules, and the summaries are composed in source order.
Objects that draw when they are used rather than built (a shuffling
``DataLoader``, a random transform, a Keras layer, an unseeded generator) draw
where their value is first used, which :class:`_ValueFlow` finds in the module.

Precision choices, made because a seeding rule that cries wolf gets switched
off: control flow is ignored (a seed set under ``if args.seed:`` counts), calls
on objects whose type is unknown (``model.fit()``) are not followed, only
constructions and calls that are random by themselves count as random use, and
anything the analysis cannot resolve leans towards "seeded".

Cost: what a walk reads of a module (the events of its import-time code,
where its classes and functions are) is drawn as the project is indexed
(``summarise_tree``: one walk over the module's nodes outside its functions,
no parse of its own). The events of a function are drawn when a walk first
calls into it, from a parse of its definition's lines alone (a library's
walks call one in three of the functions of the modules they call into): one
walk over its nodes but the leaves (literals, contexts, operators:
``mllint.syntax.ast_walks.LEAVES``), O(nodes) time and memory (the parents
and the reads and writes, kept while it is walked). A function's summary is
computed once and shared by every path that calls it; project module lookups
are memoised per (name, importing folder). Whether code is seeded when its
callers reach it walks only the entry points that import its module
(directly or through others), each once per library.
"""

from __future__ import annotations

import ast
import heapq
import itertools
import posixpath
import re
import sys
from collections import defaultdict
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping

from mllint.engine.context import Analysis, FactsStore, ProjectContext
from mllint.engine.findings import Reach
from mllint.engine.options import Option
from mllint.engine.sources import SourceError, decode_python, read_bytes
from mllint.project.index import MAX_REEXPORTS, ModuleInfo, ProjectIndex, dotted_name
from mllint.project.layout import is_test_path
from mllint.syntax.ast_walks import BLOCKS, LEAVES, children, without_leaves

#: How to seed each library's global generator, for messages.
SEED_CALL: dict[str, str] = {
    "random": "random.seed(seed)",
    "numpy": "np.random.seed(seed)",
    "torch": "torch.manual_seed(seed)",
    "tensorflow": "tf.random.set_seed(seed)",
    "keras": "keras.utils.set_random_seed(seed)",
}
LIBRARIES = frozenset(SEED_CALL)
#: Shared sets of libraries: an event is made for every call of every module
#: reached, and a new set each time would cost 200 bytes (``frozenset()`` too).
_NO_LIBRARY: frozenset[str] = frozenset()
_ONLY = {library: frozenset({library}) for library in (*LIBRARIES, "jax")}

_PY_NP_TORCH = frozenset({"random", "numpy", "torch"})
_TF = frozenset({"tensorflow", "keras"})
_KERAS_ALL = frozenset({"random", "numpy", "tensorflow", "keras"})
_HF = frozenset({"random", "numpy", "torch", "tensorflow"})

#: Functions that seed global generators, by qualified name.
KNOWN_SEEDERS: dict[str, frozenset[str]] = {
    "random.seed": frozenset({"random"}),
    "numpy.random.seed": frozenset({"numpy"}),
    "torch.manual_seed": frozenset({"torch"}),
    "torch.random.manual_seed": frozenset({"torch"}),
    "tensorflow.random.set_seed": _TF,
    "tensorflow.set_random_seed": _TF,
    "tensorflow.compat.v1.set_random_seed": _TF,
    "tensorflow.compat.v1.random.set_random_seed": _TF,
    "keras.utils.set_random_seed": _KERAS_ALL,
    "keras.src.utils.set_random_seed": _KERAS_ALL,
    "tensorflow.keras.utils.set_random_seed": _KERAS_ALL,
    "transformers.set_seed": _HF,
    "transformers.trainer_utils.set_seed": _HF,
    "transformers.enable_full_determinism": _HF,
    "transformers.trainer_utils.enable_full_determinism": _HF,
    "accelerate.utils.set_seed": _PY_NP_TORCH,
    "accelerate.utils.random.set_seed": _PY_NP_TORCH,
    "timm.utils.random_seed": _PY_NP_TORCH,
    "detectron2.utils.env.seed_all_rng": _PY_NP_TORCH,
    "mmengine.runner.set_random_seed": _PY_NP_TORCH,
    "mmcv.runner.set_random_seed": _PY_NP_TORCH,
    "monai.utils.set_determinism": _PY_NP_TORCH,
    "composer.utils.reproducibility.seed_all": _PY_NP_TORCH,
    "stable_baselines3.common.utils.set_random_seed": _PY_NP_TORCH,
    "ignite.utils.manual_seed": _PY_NP_TORCH,
    "pyro.set_rng_seed": _PY_NP_TORCH,
    "pyro.util.set_rng_seed": _PY_NP_TORCH,
    "zero.improve_reproducibility": _PY_NP_TORCH,
    "delu.improve_reproducibility": _PY_NP_TORCH,
    "delu.random.seed": _PY_NP_TORCH,
}
#: Classes whose construction seeds (``transformers.Trainer.__init__`` calls
#: ``set_seed(args.seed)``); subclasses in the project count too.
SEEDING_CLASSES: dict[str, frozenset[str]] = {
    "transformers.Trainer": _PY_NP_TORCH,
    "transformers.Seq2SeqTrainer": _PY_NP_TORCH,
    "transformers.trainer.Trainer": _PY_NP_TORCH,
}
_SEEDING_PACKAGES_WITH_TRAINERS = ("trl.",)  # trl.SFTTrainer, trl.DPOTrainer, ... subclass Trainer

_PY_RANDOM = frozenset(
    "random uniform randint randrange choice choices shuffle sample gauss normalvariate lognormvariate "
    "expovariate vonmisesvariate gammavariate triangular betavariate paretovariate weibullvariate "
    "getrandbits randbytes binomialvariate".split()
)
_NUMPY_LEGACY = frozenset(
    "rand randn randint random_integers random_sample random ranf sample choice bytes shuffle permutation "
    "beta binomial chisquare dirichlet exponential f gamma geometric gumbel hypergeometric laplace logistic "
    "lognormal logseries multinomial multivariate_normal negative_binomial noncentral_chisquare noncentral_f "
    "normal pareto poisson power rayleigh standard_cauchy standard_exponential standard_gamma standard_normal "
    "standard_t triangular uniform vonmises wald weibull zipf".split()
)
#: numpy generator constructors: seeded by their first argument, else fresh OS entropy.
_NUMPY_GENERATORS = frozenset("default_rng RandomState PCG64 PCG64DXSM MT19937 Philox SFC64 SeedSequence".split())
_TORCH_RANDOM = frozenset(
    "rand randn randint randperm rand_like randn_like randint_like normal bernoulli multinomial poisson".split()
)
_TORCH_INIT = frozenset(
    "uniform normal trunc_normal xavier_uniform xavier_normal kaiming_uniform kaiming_normal orthogonal sparse".split()
)
#: torch.nn modules whose construction draws initial weights.
_TORCH_LAYERS = frozenset(
    "Linear Bilinear LazyLinear Conv1d Conv2d Conv3d ConvTranspose1d ConvTranspose2d ConvTranspose3d "
    "LazyConv1d LazyConv2d LazyConv3d LazyConvTranspose1d LazyConvTranspose2d LazyConvTranspose3d "
    "Embedding EmbeddingBag RNN LSTM GRU RNNCell LSTMCell GRUCell MultiheadAttention Transformer "
    "TransformerEncoderLayer TransformerDecoderLayer".split()
)
_TORCH_SAMPLERS = frozenset("RandomSampler SubsetRandomSampler WeightedRandomSampler random_split".split())
_TORCHVISION_RANDOM = frozenset("ColorJitter RandAugment AutoAugment TrivialAugmentWide AugMix".split())
_TF_RANDOM = frozenset("normal uniform truncated_normal shuffle categorical gamma poisson".split())
_TF1_RANDOM = frozenset("random_normal random_uniform truncated_normal random_shuffle multinomial random_crop".split())
#: keras layers whose construction (build) draws initial weights.
_KERAS_LAYERS = frozenset(
    "Dense Conv1D Conv2D Conv3D Conv1DTranspose Conv2DTranspose Conv3DTranspose SeparableConv1D "
    "SeparableConv2D DepthwiseConv2D Embedding LSTM GRU SimpleRNN LSTMCell GRUCell SimpleRNNCell "
    "MultiHeadAttention EinsumDense".split()
)
_KERAS_INITIALIZERS = frozenset(
    "RandomNormal RandomUniform TruncatedNormal GlorotNormal GlorotUniform HeNormal HeUniform LecunNormal "
    "LecunUniform Orthogonal VarianceScaling".split()
)
_KERAS_RANDOM = frozenset(
    "normal uniform randint shuffle categorical dropout truncated_normal gamma binomial beta".split()
)
#: Calls whose value differs on every run: a jax key built from them is unseeded.
_CLOCK_PREFIXES = ("time.", "datetime.", "os.urandom", "secrets.", "uuid.")
_JAX_KEYS = frozenset({"jax.random.PRNGKey", "jax.random.key"})

_TORCH_TRAINERS = frozenset(
    {"lightning.Trainer", "lightning.pytorch.Trainer", "pytorch_lightning.Trainer", "transformers.Trainer",
     "transformers.Seq2SeqTrainer"}
)
_TRAINING_ROOTS = frozenset({"torch", "lightning", "pytorch_lightning", "transformers", "accelerate"})
_TORCH = frozenset({"torch"})


#: How a random use draws: from the library's global generator ("draw"), to
#: initialise weights ("init": only matters when the weights are then trained),
#: or from a private generator built without a seed ("generator": no global
#: seed fixes it).
DRAW, INIT, GENERATOR = "draw", "init", "generator"
#: What makes a tensor a module's weights: a draw given to it initialises them.
_PARAMETER_CLASSES = frozenset({"torch.nn.Parameter", "torch.nn.parameter.Parameter"})

#: What happens to the value of a call (see SeedEvent.result): used where it is
#: made, used later at ``result_at``, returned to the caller, or never used.
NOW, LATER, RETURNED, UNUSED = "now", "later", "returned", "unused"

#: Keywords under which datasets and loaders keep an object to use while they are iterated.
_HOLDING_KEYWORDS = frozenset({"transform", "target_transform", "transforms", "sampler", "batch_sampler"})
#: Packages whose calls keep their arguments for later (``Compose([...])``, ``DataLoader(ds, sampler=s)``,
#: ``Dense(4, kernel_initializer=init)``).
_HOLDING_PACKAGES = ("torchvision.transforms.", "torch.utils.data.", "keras.layers.", "tensorflow.keras.layers.")
#: Builtins that look at an object without drawing from it.
_INSPECTING = frozenset({"len", "isinstance", "hasattr", "getattr", "type", "id", "print", "repr", "str"})
#: Marks a position in a class body outside its methods (see ModuleSeeding.owner_at).
CLASS_BODY = "<class body>"


@dataclass(frozen=True, slots=True)
class SeedEvent:
    """One thing a function or module does that matters for seeding, in source order.

    ``kind`` is "seed" (``libraries`` are seeded), "use" (the library in
    ``libraries`` draws random numbers, ``draw`` says how), "call" (maybe a project
    function: ``target`` is a same-module qualname, ``super`` a method of the
    base classes, else ``name`` is resolved through imports; ``libraries`` are
    seeded when it resolves to nothing in the project; a method call on a
    variable assigned from a project class, ``x = Trainer(); x.run()``, is
    resolved to that class's method), "import" (a project
    module's import-time code runs), "train" (``libraries`` train weights:
    "torch" for PyTorch training, "tensorflow"/"keras" for ``.fit()``),
    "determinism" (``name`` is "algorithms", "cudnn" or "benchmark") or "ref"
    (code reads the module-level variable ``target`` holding an object that draws
    when used, such as ``RNG = np.random.default_rng()``).

    ``result`` says when the value of a "use" (an object that draws when it is
    used, such as ``DataLoader(shuffle=True)``) or of a "call" (the objects of that
    kind the callee returns) is first used: where it is made (NOW), at
    ``result_at`` (LATER: ``loader = ...`` then ``for batch in loader``), by the
    caller (RETURNED) or never (UNUSED).
    """

    kind: str
    line: int
    column: int  # 0-based byte offset, as ast gives it
    name: str
    text: str = ""  # the callee as written (``nn.Linear``), for messages
    libraries: frozenset[str] = _NO_LIBRARY
    draw: str = DRAW
    target: str | None = None
    super_call: bool = False
    in_main: bool = False
    #: ``x`` of ``x.method()`` while the type of ``x`` is not yet known
    receiver: str | None = None
    result: str = NOW
    result_at: tuple[int, int] | None = None
    #: a "call" of a name handed to another call (``fire.Fire(main)``): it runs
    #: there if it names a function (a class handed over is registered, not built)
    handed: bool = False

    def to_json(self) -> list[Any]:
        """Its fields in order, as JSON data (``_EVENT_JSON``)."""
        return [
            self.kind, self.line, self.column, self.name, self.text, sorted(self.libraries), self.draw, self.target,
            self.super_call, self.in_main, self.receiver, self.result,
            None if self.result_at is None else list(self.result_at), self.handed,
        ]

    @classmethod
    def from_json(cls, data: Any) -> SeedEvent:
        """The event ``to_json`` made; TypeError for anything else (a cache is read
        from disk and may be damaged)."""
        if not isinstance(data, list) or len(data) != len(_EVENT_JSON) or not all(map(isinstance, data, _EVENT_JSON)):
            raise TypeError("not a seeding event")
        kind, line, column, name, text, libraries, draw, target, super_call, in_main, receiver, result, at, handed = data
        if not all(isinstance(library, str) for library in libraries) or (
            at is not None and (len(at) != 2 or not all(type(number) is int for number in at))
        ):
            raise TypeError("not a seeding event")
        return cls(
            sys.intern(kind), line, column, sys.intern(name), sys.intern(text), _library_set(libraries),
            sys.intern(draw), _interned(target), super_call, in_main, _interned(receiver), sys.intern(result),
            None if at is None else (at[0], at[1]), handed,
        )


#: The type of each field of a ``SeedEvent`` in its JSON form, in order.
_EVENT_JSON: tuple[type | tuple[type, ...], ...] = (
    str, int, int, str, str, list, str, (str, type(None)), bool, bool, (str, type(None)), str, (list, type(None)), bool,
)


def _library_set(names: list[str]) -> frozenset[str]:
    """A set of libraries read back, shared when it is one of the usual ones."""
    if not names:
        return _NO_LIBRARY
    if len(names) == 1 and names[0] in _ONLY:
        return _ONLY[names[0]]
    return frozenset(names)


@dataclass(frozen=True, slots=True)
class Hop:
    """One step on a call path: an event in the module at *path*."""

    path: str
    event: SeedEvent


#: The steps from an event of the walked code down to the random use (or
#: training call) itself, which is the last hop.
Trail = tuple[Hop, ...]


@dataclass
class ModuleSeeding:
    """The seeding-relevant events of one module: those of its import-time code,
    where its classes and functions are, and the events of the functions drawn
    so far (``functions``: most of a library's are never called from a script).

    Where its classes and functions are is held in the JSON shapes its index
    entry holds (lists, not tuples), which ``from_json`` checks and keeps: a
    walk reads the outline of every module it reaches (1,500 on a 2,000-file
    library), and copies made as it went, among the trees parsed meanwhile,
    left 80 MB of the allocator's memory pinned by them after the trees went."""

    info: ModuleInfo
    toplevel: list[SeedEvent] = field(default_factory=list)
    functions: dict[str, list[SeedEvent]] = field(default_factory=dict)
    #: class qualname -> qualified names (or dotted text) of its bases
    classes: dict[str, list[str]] = field(default_factory=dict)
    local_defs: set[str] = field(default_factory=set)
    #: module-level variables holding an object that draws when used -> the "use" that made it
    globals: dict[str, SeedEvent] = field(default_factory=dict)
    #: [first line, last line, owner] of each function and method; CLASS_BODY for a class
    spans: list[list[Any]] = field(default_factory=list)
    #: per function or method: where each of its definitions is [first line (its
    #: decorators'), last line, whether in the ``__main__`` block]; its events are
    #: drawn from there when a walk first enters it
    definitions: dict[str, list[list[Any]]] = field(default_factory=dict)
    #: the classes defined by the module's own statements (not in an ``if``)
    local_classes: set[str] = field(default_factory=set)

    def to_json(self) -> dict[str, Any]:
        """Plain JSON data, for the result cache (``FactsStore``); the index entry is not part of it."""
        return {
            "toplevel": [event.to_json() for event in self.toplevel],
            "functions": {owner: [event.to_json() for event in events] for owner, events in self.functions.items()},
            "classes": {name: list(bases) for name, bases in self.classes.items()},
            "local_defs": sorted(self.local_defs),
            "globals": {name: event.to_json() for name, event in self.globals.items()},
            "spans": [list(span) for span in self.spans],
            "definitions": {owner: [list(where) for where in found] for owner, found in self.definitions.items()},
            "local_classes": sorted(self.local_classes),
        }

    @classmethod
    def from_json(cls, info: ModuleInfo, data: Any) -> ModuleSeeding:
        """The facts ``to_json`` made, of the module *info* indexes; TypeError,
        ValueError or AttributeError for anything else."""
        def events(items: Any) -> list[SeedEvent]:
            return [SeedEvent.from_json(item) for item in items]

        def names(items: Any) -> list[str]:
            if not all(isinstance(item, str) for item in items):
                raise TypeError("expected names")
            return [sys.intern(item) for item in items]

        spans, definitions, classes = data["spans"], data["definitions"], data["classes"]
        if not all(_is_place(span, str) for span in spans):
            raise TypeError("expected spans")
        if not all(type(found) is list and all(_is_place(where, bool) for where in found) for found in definitions.values()):
            raise TypeError("expected definitions")
        if not all(type(bases) is list and all(isinstance(base, str) for base in bases) for bases in classes.values()):
            raise TypeError("expected bases")
        return cls(
            info,
            toplevel=events(data["toplevel"]),
            functions={owner: events(items) for owner, items in data["functions"].items()},
            classes=classes,
            local_defs=set(names(data["local_defs"])),
            globals={name: SeedEvent.from_json(item) for name, item in data["globals"].items()},
            spans=spans,
            definitions=definitions,
            local_classes=set(names(data["local_classes"])),
        )

    def owner_at(self, line: int) -> str | None:
        """The owner whose code is at *line*: a function, CLASS_BODY, or None for the top level."""
        found: str | None = None
        for first, last, owner in self.spans:
            if first <= line <= last and (found is None or found == CLASS_BODY):
                found = owner
        return found


def _is_place(item: Any, kind: type) -> bool:
    """Whether *item* is [first line, last line, a *kind*] (JSON data)."""
    return type(item) is list and len(item) == 3 and type(item[0]) is int and type(item[1]) is int and type(item[2]) is kind


@dataclass
class Summary:
    """What running a function (or a module's import-time code) does to seeding.

    ``unseeded`` maps (library, draw kind) to the trail to the first random use
    not covered by the function's own earlier seeding. ``returns`` does the same
    for the objects that draw when used (a shuffling ``DataLoader``, an unseeded
    generator) the function returns: they draw where the caller uses them.
    ``seeds`` maps each library the function seeds to the trail to its first
    seeding. ``training`` is the trail to the first PyTorch training call,
    ``trained`` the libraries that train weights anywhere on the way.
    """

    unseeded: dict[tuple[str, str], Trail] = field(default_factory=dict)
    returns: dict[tuple[str, str], Trail] = field(default_factory=dict)
    seeds: dict[str, Trail] = field(default_factory=dict)
    training: Trail | None = None
    trained: set[str] = field(default_factory=set)
    determinism: set[str] = field(default_factory=set)

    @property
    def deterministic(self) -> bool:
        return "algorithms" in self.determinism or ("cudnn" in self.determinism and "benchmark" not in self.determinism)


#: What a call or import runs: a module and an owner in it ("<import>" for its
#: import-time code), or a summary made up for what is known without code.
_Target = tuple[ModuleSeeding, str] | Summary
#: A heap of draws waiting for the use of the object that makes them: (where, tie-breaker, key, trail).
_Later = list[tuple[tuple[int, int], int, tuple[str, str], Trail]]


@dataclass(frozen=True)
class UnseededUse:
    """One ML201 finding: the trail from the entry point to the first unseeded use."""

    library: str
    draw: str
    trail: Trail
    seeded_later: Trail | None


@dataclass
class EntryReport:
    unseeded: list[UnseededUse]
    training: Trail | None
    deterministic: bool


# --------------------------------------------------------------------------- classifying calls


def known_seeder(name: str) -> frozenset[str] | None:
    """Libraries a known third-party seeding call seeds, or None."""
    if name in KNOWN_SEEDERS:
        return KNOWN_SEEDERS[name]
    if name.rsplit(".", 1)[-1] == "seed_everything":  # lightning, Fabric, torch_geometric
        return _PY_NP_TORCH
    return None


def seeding_class(name: str) -> frozenset[str] | None:
    if name in SEEDING_CLASSES:
        return SEEDING_CLASSES[name]
    if name.startswith(_SEEDING_PACKAGES_WITH_TRAINERS) and name.endswith("Trainer"):
        return _PY_NP_TORCH
    return None


def _keywords(call: ast.Call) -> dict[str, ast.expr]:
    return {k.arg: k.value for k in call.keywords if k.arg is not None}


def _has_star_kwargs(call: ast.Call) -> bool:
    return any(k.arg is None for k in call.keywords)


def _is_const(node: ast.expr | None, value: object) -> bool:
    return isinstance(node, ast.Constant) and node.value is value


def _unseeded_generator(call: ast.Call, seed_keyword: str) -> bool:
    """A generator constructor given no seed (or a literal None)."""
    if _has_star_kwargs(call) or any(isinstance(a, ast.Starred) for a in call.args):
        return False
    seed = call.args[0] if call.args else _keywords(call).get(seed_keyword)
    return seed is None or _is_const(seed, None)


def random_use(name: str, call: ast.Call, info: ModuleInfo) -> tuple[str, str] | None:
    """(library, draw kind) when the call uses randomness, else None.

    A call given its own ``seed=``/``generator=`` is explicit and not a use.
    """
    head, _, rest = name.partition(".")
    keywords = _keywords(call)
    if head == "random":
        if rest in _PY_RANDOM:
            return None if picks_characters(call, info) else ("random", DRAW)
        if rest == "Random" and _unseeded_generator(call, "x"):
            return "random", GENERATOR
        return None
    if head == "numpy" and rest.startswith("random."):
        function = rest[len("random."):]
        if function in _NUMPY_LEGACY:
            return "numpy", DRAW
        if function in _NUMPY_GENERATORS and _unseeded_generator(call, "seed"):
            return "numpy", GENERATOR
        return None
    if head in ("torch", "torchvision"):
        draw = _torch_random(name, call, keywords)
        return ("torch", draw) if draw else None
    if head in ("tensorflow", "keras"):
        draw = _tf_random(name) if "seed" not in keywords else None
        return ("keras" if head == "keras" else "tensorflow", draw) if draw else None
    if name in _JAX_KEYS and any(_clock_call(a, info) for a in call.args):
        return "jax", GENERATOR
    return None


#: Picking from these makes a name: ``"".join(random.choices(string.ascii_letters, k=6))``.
_PICKS = frozenset({"choice", "choices", "sample"})


def picks_characters(call: ast.Call, info: ModuleInfo) -> bool:
    """Whether *call* picks characters of an alphabet of the ``string`` module
    (``random.choices(string.ascii_letters + string.digits, k=6)``, also on a
    ``random.Random()``): it makes a name (a temporary file's, a run's), which
    decides where results go, not what they are."""
    if not isinstance(call.func, ast.Attribute) or call.func.attr not in _PICKS or not call.args:
        return False
    population = call.args[0]
    parts = []
    while isinstance(population, ast.BinOp) and isinstance(population.op, ast.Add):
        parts.append(population.right)
        population = population.left
    parts.append(population)
    return all((dotted := dotted_name(part)) is not None and (info.qualify(dotted) or "").startswith("string.")
               for part in parts)


def draws_when_used(name: str, use: tuple[str, str]) -> bool:
    """Whether the object a random call builds draws later, when it is used, rather
    than when it is built: a ``DataLoader(shuffle=True)`` or sampler shuffles when
    iterated, a torchvision random transform draws when applied, a Keras layer or
    initialiser draws its weights when the layer is built, and an unseeded
    generator matters only once something draws from it."""
    library, draw = use
    if draw == GENERATOR:
        return True
    if draw == INIT:
        return library in _TF
    return name.startswith("torchvision.transforms.") or (
        name.startswith("torch.utils.data.") and not name.endswith(".random_split")
    )


def _torch_random(name: str, call: ast.Call, keywords: dict[str, ast.expr]) -> str | None:
    if "generator" in keywords or _has_star_kwargs(call):
        return None
    last = name.rsplit(".", 1)[-1]
    if name.startswith("torchvision.transforms."):
        random = last.startswith("Random") or last in _TORCHVISION_RANDOM
    elif name in (f"torch.{last}", f"torch.random.{last}"):
        random = last in _TORCH_RANDOM
    elif name.startswith("torch.nn.init."):
        return INIT if last.rstrip("_") in _TORCH_INIT else None
    elif name == f"torch.nn.{last}":
        return INIT if last in _TORCH_LAYERS else None
    elif name.startswith("torch.utils.data.") and last == "DataLoader":
        shuffle = keywords.get("shuffle")
        random = shuffle is not None and _is_const(shuffle, True) and "sampler" not in keywords
    else:
        random = name.startswith("torch.utils.data.") and last in _TORCH_SAMPLERS
    return DRAW if random else None


def _tf_random(name: str) -> str | None:
    parts = name.split(".")
    if parts[0] == "tensorflow" and len(parts) > 1 and parts[1] == "keras":
        parts = ["keras", *parts[2:]]
    last = parts[-1]
    if parts[0] == "tensorflow":
        if parts[1:] == ["random", last]:
            random = last in _TF_RANDOM
        elif parts[1:] == ["image", last]:
            random = last.startswith("random_")
        else:
            random = parts[1:] in (["nn", "dropout"], [last]) and (last in _TF1_RANDOM or last == "dropout")
        return DRAW if random else None
    if parts[1:] == ["layers", last]:
        return INIT if last in _KERAS_LAYERS else None
    if parts[1:] == ["initializers", last]:
        return INIT if last in _KERAS_INITIALIZERS else None
    return DRAW if parts[1:] == ["random", last] and last in _KERAS_RANDOM else None


def _clock_call(node: ast.expr, info: ModuleInfo) -> bool:
    for sub in ast.walk(node):
        if isinstance(sub, ast.Call):
            dotted = dotted_name(sub.func)
            qualified = info.qualify(dotted) if dotted else None
            if qualified and qualified.startswith(_CLOCK_PREFIXES):
                return True
    return False


def _determinism(name: str, call: ast.Call) -> str | None:
    keywords = _keywords(call)
    if name == "torch.use_deterministic_algorithms":
        mode = call.args[0] if call.args else keywords.get("mode")
        return None if mode is None or _is_const(mode, False) else "algorithms"
    if name in ("transformers.enable_full_determinism", "transformers.trainer_utils.enable_full_determinism",
                "monai.utils.set_determinism"):
        return "algorithms"
    if name.endswith("Trainer") and name in _TORCH_TRAINERS and "deterministic" in keywords:
        return None if _is_const(keywords["deterministic"], False) else "algorithms"
    if name.endswith("TrainingArguments") and "full_determinism" in keywords:
        return None if _is_const(keywords["full_determinism"], False) else "algorithms"
    return None


def _interned(text: str | None) -> str | None:
    return sys.intern(text) if text is not None else None


def _trains(name: str | None, call: ast.Call, info: ModuleInfo) -> frozenset[str]:
    """The libraries whose weights this call trains (PyTorch, or Keras ``.fit()``)."""
    if name is not None:
        if name in _TORCH_TRAINERS or seeding_class(name) is not None:
            return _TORCH
        parts = name.split(".")
        if parts[:2] == ["torch", "optim"] and len(parts) == 3 and parts[2][:1].isupper():
            return _TORCH
    func = call.func
    if isinstance(func, ast.Attribute):
        if func.attr == "backward" and info.top_packages & _TRAINING_ROOTS:
            return _TORCH
        if func.attr == "fit" and info.top_packages & _TF:
            return _TF
    return _NO_LIBRARY


# --------------------------------------------------------------------------- extracting module facts


def _literal_number(node: ast.expr) -> float | None:
    """The value of a numeric literal (``1e-8``, ``-1e-6``), else None."""
    sign = 1.0
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        sign = -1.0 if isinstance(node.op, ast.USub) else 1.0
        node = node.operand
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        return sign * node.value
    return None


def _gives_a_seed(call: ast.Call) -> bool:
    """Whether a seeding call is given a seed: ``np.random.seed()`` and ``random.seed(None)``
    seed from the clock or the system's entropy, which is no seed (shap's datasets call
    ``old_seed = np.random.seed()`` meaning to save the state)."""
    given = call.args[0] if call.args else next(iter(call.keywords), None)
    if given is None:
        return False
    value = given.value if isinstance(given, ast.keyword) else given
    return not (isinstance(value, ast.Constant) and value.value is None)


def _chained_text(func: ast.Attribute) -> str:
    """How messages show a method called on what a call returns: ``super().__init__``,
    ``Model().fit``; ``.fit`` when the inner call has no name."""
    inner = dotted_name(func.value.func) if isinstance(func.value, ast.Call) else None
    return f"{inner}().{func.attr}" if inner else f".{func.attr}"


def _defines(facts: ModuleSeeding, name: str) -> bool:
    """Whether *facts*' module binds the first part of *name* itself (a function,
    class or module-level generator), rather than only importing it."""
    head = name.partition(".")[0]
    if head in facts.classes or head in facts.globals or head in facts.definitions:
        return True
    start = head + "."
    return any(owner.startswith(start) for owner in facts.definitions)


def _position(event: SeedEvent) -> tuple[int, int]:
    return event.line, event.column


def _is_main_guard(node: ast.stmt) -> bool:
    if not isinstance(node, ast.If) or not isinstance(node.test, ast.Compare) or len(node.test.comparators) != 1:
        return False
    sides = [node.test.left, node.test.comparators[0]]
    return (
        isinstance(node.test.ops[0], ast.Eq)
        and any(isinstance(s, ast.Name) and s.id == "__name__" for s in sides)
        and any(_is_const_str(s, "__main__") for s in sides)
    )


def _is_const_str(node: ast.expr, value: str) -> bool:
    return isinstance(node, ast.Constant) and node.value == value


#: Environment variables pytest sets while it runs (``PYTEST_VERSION`` from pytest 8.2).
_PYTEST_VARIABLES = frozenset({"PYTEST_CURRENT_TEST", "PYTEST_VERSION"})


def _runs_only_under_pytest(test: ast.expr) -> bool:
    """Whether an ``if`` with this condition runs its body only inside a pytest run:
    it asks for pytest's environment variable (``"PYTEST_CURRENT_TEST" in os.environ``,
    ``os.getenv(...)``) or module (``"pytest" in sys.modules``), alone or as one term
    of an ``and``. A library probing a kernel with random tensors under its own test
    suite (torch_geometric's ``typing.py``) draws nothing when a script imports it."""
    if isinstance(test, ast.BoolOp):
        return isinstance(test.op, ast.And) and any(map(_runs_only_under_pytest, test.values))
    if isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.In):
        holder = dotted_name(test.comparators[0])
        key = test.left.value if isinstance(test.left, ast.Constant) else None
        return (holder in ("os.environ", "environ") and key in _PYTEST_VARIABLES
                or holder == "sys.modules" and key == "pytest")
    if isinstance(test, ast.Call) and test.args and isinstance(test.args[0], ast.Constant):
        return dotted_name(test.func) in ("os.getenv", "getenv", "os.environ.get", "environ.get") and test.args[0].value in _PYTEST_VARIABLES
    return False


_Load = tuple[tuple[int, int], ast.expr, bool]  # (position, node, inside the __main__ block)


@dataclass(frozen=True)
class _Fate:
    """Where a value is first used: at *position*, or by the caller when *returned*;
    *seeded* when that first use seeds it (``rng.seed(args.seed)``)."""

    position: tuple[int, int]
    in_main: bool
    returned: bool = False
    seeded: bool = False


class _ValueFlow:
    """Where the value of an expression is first used, within one module.

    Built during the extractor's walk (parents, and per owner the reads of each
    name and dotted name and the names it binds), queried afterwards. A value
    is used where it is read, except by a look that does not draw (``len(x)``,
    ``x.attribute``, ``x is None``); a value assigned to a name is used where that
    name is first so read; a value handed to something that keeps it for later
    (``Compose([...])``, ``DataLoader(dataset)``, ``Dataset(transform=t)``) is used
    where that holder is; a value returned is used by the caller; a value whose
    statement discards it is never used.
    """

    MAX_HOPS = 12

    def __init__(self, info: ModuleInfo) -> None:
        self.info = info
        self.parents: dict[int, ast.AST] = {}
        #: per owner: dotted name -> where it is read
        self.loads: defaultdict[str | None, defaultdict[str, list[_Load]]] = defaultdict(partial(defaultdict, list))
        #: per owner: variable -> where it is assigned (after the assigned value is computed)
        self.stores: defaultdict[str | None, defaultdict[str, list[tuple[int, int]]]] = defaultdict(
            partial(defaultdict, list)
        )
        self.declared_global: dict[str | None, set[str]] = {}
        self._sorted: set[tuple[str | None, str]] = set()

    def note(self, node: ast.AST, parent: ast.AST, owner: str | None, in_main: bool) -> None:
        """Record *node*'s parent and what it reads or binds (called for every node
        but the leaves: names first, the most common)."""
        self.parents[id(node)] = parent
        kind = type(node)  # exact types: the parser makes no subclasses, and ``is`` is cheaper than isinstance
        if kind is ast.Name:
            if type(node.ctx) is ast.Load:
                self.loads[owner][node.id].append(((node.lineno, node.col_offset), node, in_main))
            else:
                where = parent.value if isinstance(parent, (ast.Assign, ast.AnnAssign, ast.AugAssign)) else None
                position = (where.end_lineno, where.end_col_offset) if where is not None else (node.lineno, node.col_offset)
                self.stores[owner][node.id].append(position)  # type: ignore[arg-type]
        elif kind is ast.Attribute:
            dotted = dotted_name(node) if type(node.ctx) is ast.Load else None
            if dotted is not None:
                self.loads[owner][dotted].append(((node.lineno, node.col_offset), node, in_main))
        elif kind is ast.arg:
            self.stores[owner][node.arg].append((node.lineno, node.col_offset))
        elif kind is ast.Global or kind is ast.Nonlocal:
            self.declared_global.setdefault(owner, set()).update(node.names)

    def reads(self, owner: str | None, dotted: str) -> list[_Load]:
        """The reads of *dotted* in *owner*, in source order."""
        loads = self.loads.get(owner, {}).get(dotted, [])
        if (owner, dotted) not in self._sorted:
            loads.sort(key=lambda load: load[0])
            self._sorted.add((owner, dotted))
        return loads

    def is_local(self, owner: str, name: str) -> bool:
        return name in self.stores.get(owner, {}) and name not in self.declared_global.get(owner, ())

    def fate(
        self, node: ast.expr, owner: str | None, in_main: bool, names: list[str] | None = None, unpacks: bool = False
    ) -> _Fate | None:
        """Where the value of *node* is first used, or None when it never is.

        *names* collects the variables the value passes through; *unpacks*: a
        tuple assignment hands out the parts of the value (a function's results)
        rather than iterating it (a loader)."""
        hops = 0
        while hops < self.MAX_HOPS:
            hops += 1
            holder = self._holder(node)
            if holder is not None:
                node = holder
                continue
            parent = self.parents.get(id(node))
            if isinstance(parent, (ast.Tuple, ast.List)) and isinstance(parent.ctx, ast.Load):
                outer = self.parents.get(id(parent))
                parent = outer if isinstance(outer, ast.Return) else parent  # ``return train, valid``
            if isinstance(parent, ast.Expr):
                return None
            if isinstance(parent, ast.Return):
                return _Fate((parent.lineno, parent.col_offset), in_main, returned=True)
            targets = self._targets(parent, node, unpacks)
            if targets is None:
                return self._kept(parent, node, owner) or _Fate((node.lineno, node.col_offset), in_main)
            assert isinstance(parent, ast.stmt)
            after = (parent.end_lineno or parent.lineno, parent.end_col_offset or 0)
            if names is not None:
                names.extend(targets)
            uses = [use for use in (self._first_use(owner, target, after, names) for target in targets) if use]
            return min(uses, key=lambda use: use.position) if uses else None
        return _Fate((node.lineno, node.col_offset), in_main)

    def _kept(self, parent: ast.AST | None, node: ast.expr, owner: str | None) -> _Fate | None:
        """Where an object kept in an attribute (``self.loader = DataLoader(...)``) may
        first be used: where its function next reads the object holding it (``self``),
        which a method using the attribute needs; None when the function never does
        (then the caller or another method uses it, unseen: it counts as used here).
        trl's PPO trainer builds its loader, then seeds, then hands ``self.dataloader``
        on: the loader shuffles after the seed."""
        if not isinstance(parent, ast.Assign) or parent.value is not node or len(parent.targets) != 1:
            return None
        root = parent.targets[0]
        while isinstance(root, (ast.Attribute, ast.Subscript)):
            root = root.value
        if root is parent.targets[0] or not isinstance(root, ast.Name):
            return None
        after = (parent.end_lineno or parent.lineno, parent.end_col_offset or 0)
        return next((_Fate(position, in_main) for position, _, in_main in self.reads(owner, root.id) if position > after), None)

    def first_use(self, owner: str | None, name: str, names: list[str] | None = None) -> _Fate | None:
        """Where *owner* first uses the variable *name* (read, not just looked at)."""
        return self._first_use(owner, name, (0, 0), names)

    def _first_use(
        self, owner: str | None, name: str, after: tuple[int, int], names: list[str] | None
    ) -> _Fate | None:
        until = min((store for store in self.stores.get(owner, {}).get(name, ()) if store > after), default=None)
        for position, node, in_main in self.reads(owner, name):
            if until is not None and position > until:
                break  # the variable holds something else from here on
            if position < after or self._looks_only(node):
                continue
            if self._seeds(node):
                return _Fate(position, in_main, seeded=True)
            use = self.fate(node, owner, in_main, names)
            if use is not None:
                return use
        return None

    @staticmethod
    def _targets(parent: ast.AST | None, node: ast.expr, unpacks: bool) -> list[str] | None:
        """The variables an assignment of *node* binds, or None if it is not one."""
        if isinstance(parent, ast.Assign) and parent.value is node and len(parent.targets) == 1:
            target = parent.targets[0]
        elif isinstance(parent, ast.AnnAssign) and parent.value is node:
            target = parent.target
        else:
            return None
        if isinstance(target, ast.Name):
            return [target.id]
        if unpacks and isinstance(target, (ast.Tuple, ast.List)) and all(isinstance(e, ast.Name) for e in target.elts):
            return [e.id for e in target.elts]  # type: ignore[attr-defined]
        return None

    def _looks_only(self, node: ast.expr) -> bool:
        """A read that does not use the object: ``len(x)``, ``x.attribute`` (not called),
        ``x is None``; nor does a generator picking characters for a name (``picks_characters``)."""
        parent = self.parents.get(id(node))
        if isinstance(parent, ast.Attribute):
            grand = self.parents.get(id(parent))
            return not (isinstance(grand, ast.Call) and grand.func is parent) or picks_characters(grand, self.info)
        if isinstance(parent, ast.Compare):
            return True
        return isinstance(parent, ast.Call) and isinstance(parent.func, ast.Name) and parent.func.id in _INSPECTING

    def _seeds(self, node: ast.expr) -> bool:
        """Whether the read *node* seeds the generator it names: ``rng.seed(args.seed)``,
        ``g.manual_seed(0)`` (a seed of ``None`` seeds from the clock)."""
        parent = self.parents.get(id(node))
        call = self.parents.get(id(parent)) if isinstance(parent, ast.Attribute) else None
        if not isinstance(call, ast.Call) or call.func is not parent or parent.attr not in ("seed", "manual_seed"):
            return False
        given = call.args[0] if call.args else next((k.value for k in call.keywords if k.arg in ("seed", "a")), None)
        return given is not None and not (isinstance(given, ast.Constant) and given.value is None)

    def _holder(self, node: ast.expr) -> ast.Call | None:
        """The call that keeps *node* for later, if it is an argument (or in a list argument) of one."""
        parent = self.parents.get(id(node))
        if isinstance(parent, (ast.List, ast.Tuple)) and isinstance(parent.ctx, ast.Load):
            node, parent = parent, self.parents.get(id(parent))
        if isinstance(parent, ast.keyword):
            call = self.parents.get(id(parent))
            if isinstance(call, ast.Call) and (parent.arg in _HOLDING_KEYWORDS or self._holds(call)):
                return call
            return None
        if isinstance(parent, ast.Call) and any(arg is node for arg in parent.args) and self._holds(parent):
            return parent
        return None

    def _holds(self, call: ast.Call) -> bool:
        dotted = dotted_name(call.func)
        qualified = self.info.qualify(dotted) if dotted else None
        return qualified is not None and qualified.startswith(_HOLDING_PACKAGES)

    def picks_no_result(self, call: ast.Call, owner: str | None) -> bool:
        """Whether the value of *call* is a seed or a network port: assigned (maybe as a
        fallback, ``args.seed or random.randint(...)``) to a variable that a later call
        named ``*seed*`` is given (``opt.seed = random.randint(1, 10000)``, then
        ``torch.manual_seed(opt.seed)``), or to one named for a port (fairseq's
        ``port = random.randint(10000, 60000)`` for its process group). Drawing a seed
        to log and use is not a use, and a port decides where processes meet, not what
        they compute."""
        node: ast.AST = call
        parent = self.parents.get(id(call))
        while isinstance(parent, (ast.BoolOp, ast.IfExp, ast.BinOp)) or (  # ``seed = args.seed or random.randint(...)``
            isinstance(parent, ast.Call) and isinstance(parent.func, ast.Name) and parent.func.id in ("int", "abs", "str")
        ):
            node, parent = parent, self.parents.get(id(parent))
        if not isinstance(parent, ast.Assign) or parent.value is not node or len(parent.targets) != 1:
            return False
        target = dotted_name(parent.targets[0]) or _subscript_key(parent.targets[0])
        if target is None:
            return False
        if _PORT_NAME.search(target.rpartition(".")[2]):
            return True
        after = (parent.end_lineno or parent.lineno, parent.end_col_offset or 0)
        return any(position >= after and self._in_seeding_call(read) for position, read, _ in self.reads(owner, target))

    def scaled_to_nothing(self, call: ast.Call) -> bool:
        """Whether the draw *call* is scaled far below any result's precision: noise added
        to break ties or keep a value off zero (shap's ``pdist(X + np.random.randn(*shape)
        * 1e-8)``), multiplied by a literal of at most 1e-6 or divided by one of 1e6."""
        parent = self.parents.get(id(call))
        if not isinstance(parent, ast.BinOp) or not isinstance(parent.op, (ast.Mult, ast.Div)):
            return False
        other = parent.right if parent.left is call else parent.left
        scale = _literal_number(other)
        if scale is None:
            return False
        if isinstance(parent.op, ast.Div):
            return parent.left is call and abs(scale) >= 1e6
        return abs(scale) <= 1e-6

    def _in_seeding_call(self, node: ast.AST) -> bool:
        parent = self.parents.get(id(node))
        while parent is not None and not isinstance(parent, ast.stmt):
            if isinstance(parent, ast.Call) and parent.func is not node:
                dotted = dotted_name(parent.func)
                if dotted is not None and "seed" in dotted.rsplit(".", 1)[-1].lower():
                    return True
            node, parent = parent, self.parents.get(id(parent))
        return False


_EVENT_NODES = frozenset({ast.Call, ast.Import, ast.ImportFrom, ast.Assign})
#: A variable (or environment variable) holding a network port: ``port``, ``master_port``, ``MASTER_PORT``.
_PORT_NAME = re.compile(r"(?:^|_)port$", re.IGNORECASE)


def _subscript_key(target: ast.expr) -> str | None:
    """The key of ``os.environ["MASTER_PORT"] = ...``: a constant text subscript."""
    if isinstance(target, ast.Subscript) and isinstance(target.slice, ast.Constant) and isinstance(target.slice.value, str):
        return target.slice.value
    return None
"""The nodes ``_Extractor._events_of`` makes events of."""


#: Words of a module's name that say it draws pictures (``visualizer.py``, ``colormap.py``, ``plots.py``,
#: ``vis_utils.py``), and words such a name may hold besides.
_PICTURE_WORDS = frozenset({"vis", "viz", "visual", "visuals", "visualize", "visualise", "visualizer", "visualiser",
                            "visualization", "visualisation", "visualizations", "visualisations", "plot", "plots",
                            "plotting", "colormap", "colormaps", "colors", "colours", "palette", "palettes", "draw",
                            "drawing"})
_HELPER_WORDS = frozenset({"utils", "util", "helpers", "helper", "tools", "tool", "common", "lib"})


def draws_pictures(path: str) -> bool:
    """Whether a module is one that draws pictures, by its name or its package's:
    every word of it says so (a helper word aside). A random draw there picks a
    colour, a jitter, a layout or the points a plot shows (detectron2's
    ``Visualizer._jitter``, ``colormap.random_color``, shap's ``plots/_beeswarm.py``),
    never a result: it is no unseeded use, and the entry point's next draw is the
    one that counts. A module named for more (``train_and_plot.py``) is not one."""
    if not path.endswith(".py"):
        return False
    folder, _, name = path[:-3].rpartition("/")
    return any(bool(words) and words <= _PICTURE_WORDS
               for words in (set(part.lower().strip("_").split("_")) - _HELPER_WORDS
                             for part in (name, folder.rpartition("/")[2]) if part))


class _Extractor:
    """One iterative walk over a module's ast, or over one of its functions,
    collecting events per owner.

    Owners follow the index's naming: "f", "Class.method", "Outer.Inner.method";
    nested functions belong to the function around them (they run when it does).
    Class bodies outside methods are ignored. Events whose effect depends on
    where a value is used (objects that draw when used, and the results of
    calls) are placed after the walk, by :class:`_ValueFlow`. Each owner's
    values flow in it alone, so a function's events are the same drawn from its
    own definitions as from the module's whole tree.
    """

    def __init__(self, facts: ModuleSeeding, extra_seeders: tuple[str, ...]) -> None:
        self.info = facts.info
        self.extra_seeders = extra_seeders
        self.facts = facts
        #: per owner: variable -> (is a same-module class, class reference); None when ambiguous
        self._types: dict[str | None, dict[str, tuple[bool, str] | None]] = {}
        self._flow = _ValueFlow(facts.info)
        #: events to place once the walk is done: (owner, event, the call it comes from)
        self._pending: list[tuple[str | None, SeedEvent, ast.Call]] = []
        #: per owner: the calls making a torch parameter (``nn.Parameter(...)``), and the names they wrap
        self._parameters: dict[str | None, tuple[set[int], set[str]]] = {}
        self._draws_pictures = draws_pictures(facts.info.path)

    @classmethod
    def module(cls, info: ModuleInfo, tree: ast.Module, extra_seeders: tuple[str, ...]) -> ModuleSeeding:
        """The events of the module's import-time code, and where its classes and functions are."""
        facts = ModuleSeeding(info)
        facts.local_defs = {
            node.name for node in tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
        }
        facts.local_classes = {node.name for node in tree.body if isinstance(node, ast.ClassDef)}
        extractor = cls(facts, extra_seeders)
        extractor._walk(tree, None, None, False)
        extractor._settle()
        facts.toplevel[:] = extractor._typed(None, facts.toplevel)
        return facts

    @classmethod
    def function(
        cls, facts: ModuleSeeding, owner: str, definitions: list[tuple[ast.AST, bool]], extra_seeders: tuple[str, ...]
    ) -> list[SeedEvent]:
        """The events of the function *owner* of *facts*' module, from its definitions
        (each with whether it is in the ``__main__`` block)."""
        extractor = cls(facts, extra_seeders)
        events = facts.functions[owner] = []
        klass = owner.rpartition(".")[0] or None
        for definition, in_main in definitions:
            extractor._walk(definition, owner, klass, in_main)
        extractor._settle()
        events[:] = extractor._typed(owner, events)
        return events

    def _typed(self, owner: str | None, events: list[SeedEvent]) -> list[SeedEvent]:
        """Resolve ``x.method()`` calls through the owner's ``x = Class(...)`` assignments, in source order."""
        types = self._types.get(owner, {})
        out = []
        for event in sorted(events, key=_position):
            kind = types.get(event.receiver) if event.receiver is not None else None
            if kind is not None:
                local, klass = kind
                method = event.name.rpartition(".")[2]
                reference = f"{klass}.{method}"
                event = replace(event, receiver=None, target=reference if local else None, name=reference)
            out.append(event)
        return out

    def _walk(self, root: ast.AST, owner: str | None, klass: str | None, in_main: bool) -> None:
        """Walk a module (*owner* None) for its import-time code, its classes and
        where its functions are; or a function's definition for its events."""
        stack: list[tuple[ast.AST, str | None, str | None, bool]] = [(root, owner, klass, in_main)]
        note, events_of = self._flow.note, self._events_of
        facts = self.facts
        run_names: frozenset[str] | None = None  # drawn when a nested function is met
        while stack:
            node, owner, klass, in_main = stack.pop()
            for child in children(node):
                kind = type(child)
                if kind in LEAVES:  # nothing under them is recorded
                    continue
                if kind is ast.If and not child.orelse and _runs_only_under_pytest(child.test):
                    continue  # the test suite's own code, never run by a script
                if kind is ast.Lambda and isinstance(node, (ast.Assign, ast.AnnAssign, ast.Return)):
                    # kept or returned, it runs when called (``self.noise = lambda x: torch.randn_like(x)``);
                    # one a name holds that this code calls runs here (``target = lambda i: ...``, then ``target(i)``)
                    run_names = _run_names(root) if run_names is None else run_names
                    if not run_names.intersection(_bound_names(node)):
                        continue
                child_class, child_main = klass, in_main
                if owner is None:
                    if kind is ast.FunctionDef or kind is ast.AsyncFunctionDef:
                        defined = f"{klass}.{child.name}" if klass else child.name
                        first = min((d.lineno for d in child.decorator_list), default=child.lineno)
                        end = child.end_lineno or child.lineno
                        facts.definitions.setdefault(defined, []).append([first, end, in_main])
                        facts.spans.append([child.lineno, end, defined])
                        continue  # its events are drawn when a walk enters it
                    if kind is ast.ClassDef:
                        child_class = child.name if klass is None else f"{klass}.{child.name}"
                        facts.classes[child_class] = [self._name_of(b) or "" for b in child.bases]
                        facts.spans.append([child.lineno, child.end_lineno or child.lineno, CLASS_BODY])
                    elif node is root and _is_main_guard(child):  # type: ignore[arg-type]
                        child_main = True
                elif kind is ast.FunctionDef or kind is ast.AsyncFunctionDef:
                    run_names = _run_names(root) if run_names is None else run_names
                    if child.name not in run_names:
                        continue  # a closure made to be returned (a factory's product) runs when its caller calls it
                if owner is not None or klass is None:
                    note(child, node, owner, child_main)
                    if kind in _EVENT_NODES:
                        events_of(child, owner, klass, child_main)
                if kind is not ast.Name:  # a name's only child is its load/store context
                    stack.append((child, owner, child_class, child_main))

    def _events(self, owner: str | None) -> list[SeedEvent]:
        return self.facts.functions[owner] if owner is not None else self.facts.toplevel

    def _settle(self) -> None:
        """Place the events that depend on where a value is used, then the functions'
        reads of module-level variables holding objects that draw when used."""
        for owner, event, call in self._pending:
            if event.draw == DRAW and "torch" in event.libraries and self._makes_a_parameter(owner, call):
                event = replace(event, draw=INIT)  # ``nn.Parameter(torch.randn(n))``: initial weights
            self._events(owner).extend(self._placed(owner, event, call))
        for owner, reads in self._flow.loads.items():
            if owner is None:
                continue
            for name in sorted(reads.keys() & self.facts.globals.keys()):
                use = None if self._flow.is_local(owner, name) else self._flow.first_use(owner, name)
                if use is not None:
                    self._events(owner).append(SeedEvent(
                        "ref", use.position[0], use.position[1], name, text=name, target=name,
                        in_main=use.in_main, result=RETURNED if use.returned else NOW,
                    ))

    def _placed(self, owner: str | None, event: SeedEvent, call: ast.Call) -> list[SeedEvent]:
        """*event* with its result placed: a use of an object that draws when used happens
        where the object is first used (or never); a call's returned objects, likewise."""
        if event.kind == "use" and not draws_when_used(event.name, (next(iter(event.libraries)), event.draw)):
            return [] if self._flow.picks_no_result(call, owner) or self._flow.scaled_to_nothing(call) else [event]
        names: list[str] = []
        use = self._flow.fate(call, owner, event.in_main, names, unpacks=event.kind == "call")
        if use is not None and use.seeded:
            return []  # seeded before anything draws from it
        if event.kind == "use" and owner is None:
            for name in names:
                self.facts.globals.setdefault(name, event)
        here = (call.lineno, call.col_offset)
        if use is None:
            return [] if event.kind == "use" else [replace(event, result=UNUSED)]
        if use.returned:
            return [replace(event, result=RETURNED)]
        if use.position == here:
            return [event]
        # a call runs where it is; the draw of an object that draws when used happens where it is used
        in_main = use.in_main if event.kind == "use" else event.in_main
        return [replace(event, result=LATER, result_at=use.position, in_main=in_main)]

    def _makes_a_parameter(self, owner: str | None, call: ast.Call) -> bool:
        """Whether the draw *call* is the value of a torch parameter: an argument of
        ``nn.Parameter(...)``, or assigned to a name the owner wraps in one; scaled on
        the way or not (``nn.Parameter(torch.randn(6, dim) / dim**0.5)``)."""
        calls, names = self._parameters.get(owner, ((), ()))
        parent = self._flow.parents.get(id(call))
        while isinstance(parent, (ast.BinOp, ast.UnaryOp)):
            parent = self._flow.parents.get(id(parent))
        if isinstance(parent, ast.Call):
            return id(parent) in calls
        return isinstance(parent, ast.Assign) and any(isinstance(t, ast.Name) and t.id in names for t in parent.targets)

    def _events_of(self, node: ast.AST, owner: str | None, klass: str | None, in_main: bool) -> None:
        events = self._events(owner)
        if isinstance(node, ast.Call):
            if self._name_of(node.func) in _PARAMETER_CLASSES:
                calls, names = self._parameters.setdefault(owner, (set(), set()))
                calls.add(id(node))
                names.update(a.id for a in node.args[:1] if isinstance(a, ast.Name))
            for event in self._call_events(node, owner, klass, in_main):
                if event.kind in ("use", "call") and not isinstance(self._flow.parents.get(id(node)), ast.Attribute):
                    self._pending.append((owner, event, node))
                else:
                    events.append(event)
            if owner is None:
                events.extend(self._handed_over(node, in_main))
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            events.extend(self._import_events(node, in_main))
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                event = self._flag_assignment(target, node.value, in_main)
                if event is not None:
                    events.append(event)
            if len(node.targets) == 1 and isinstance(node.targets[0], ast.Name) and isinstance(node.value, ast.Call):
                self._note_type(owner, node.targets[0].id, node.value)

    def _note_type(self, owner: str | None, variable: str, call: ast.Call) -> None:
        kind = self._constructed(call)
        if kind is not None:
            types = self._types.setdefault(owner, {})
            types[variable] = kind if types.get(variable, kind) == kind else None

    def _constructed(self, call: ast.Call) -> tuple[bool, str] | None:
        """What a call may construct: (is a same-module class, class reference)."""
        dotted = dotted_name(call.func)
        if dotted is None:
            return None
        if dotted in self.facts.local_classes:
            return True, dotted
        qualified = self.info.qualify(dotted)
        return (False, qualified) if qualified is not None else None

    def _name_of(self, node: ast.expr) -> str | None:
        dotted = dotted_name(node)
        if dotted is None:
            return None
        return self.info.qualify(dotted) or dotted

    def _call_events(self, call: ast.Call, owner: str | None, klass: str | None, in_main: bool) -> Iterator[SeedEvent]:
        # interned: a library's modules make the same few thousand calls (see ``_NO_LIBRARY``)
        dotted = _interned(dotted_name(call.func))
        qualified = _interned(self.info.qualify(dotted)) if dotted else None
        name = qualified or dotted
        func = call.func
        text = dotted or (_chained_text(func) if isinstance(func, ast.Attribute) else "")
        make = partial(SeedEvent, line=call.lineno, column=call.col_offset, in_main=in_main, text=text)
        trains = _trains(name, call, self.info)
        if trains:
            yield make("train", name=name or text, libraries=trains)
        if name is None:
            if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Call):
                yield from self._chained_call(make, func.value, func.attr, klass)
            return
        if self._extra_seeder(name, dotted):
            yield make("seed", name=name, libraries=LIBRARIES)
            return
        if qualified is None:
            yield from self._local_call(make, name, klass)
            return
        flag = _determinism(qualified, call)
        if flag is not None:
            yield make("determinism", name=flag)
        if qualified in KNOWN_SEEDERS:
            if _gives_a_seed(call):
                yield make("seed", name=name, libraries=KNOWN_SEEDERS[qualified])
            return
        use = random_use(qualified, call, self.info)
        if use is not None:
            if not self._draws_pictures:
                yield make("use", name=name, libraries=_ONLY[use[0]], draw=use[1])
            return
        # Resolved into the project if possible; otherwise a known seeder by shape.
        fallback = known_seeder(qualified) or seeding_class(qualified) or _NO_LIBRARY
        yield make("call", name=name, libraries=fallback)

    def _handed_over(self, call: ast.Call, in_main: bool) -> Iterator[SeedEvent]:
        """Functions a script hands to a runner (``fire.Fire(main)``, ``mp.spawn(worker)``,
        ``jsonargparse.CLI(train)``): they run there, so they count as called. Classes
        handed over at import time are registered far more often than built
        (``register_peft_method(model_cls=Encoder)``, ``AutoModel.register(Config, Model)``):
        a walk does not follow the name when it is a class (``SeedEvent.handed``). Nor
        anything a module hands over in the import-time code another module's import
        runs (``events``): a library registers its functions there
        (``register_stattest(empirical_mmd, _mmd_stattest)``), it does not run them."""
        for arg in [*call.args, *(k.value for k in call.keywords)]:
            dotted = dotted_name(arg) if isinstance(arg, (ast.Name, ast.Attribute)) else None
            if dotted is None or dotted in self.facts.local_classes:
                continue
            make = partial(SeedEvent, line=arg.lineno, column=arg.col_offset, in_main=in_main, text=dotted, handed=True)
            if dotted in self.facts.local_defs:
                yield make("call", name=dotted, target=dotted)
            elif (qualified := self.info.qualify(dotted)) is not None and "." in qualified:
                yield make("call", name=qualified)

    def _chained_call(
        self, make: Callable[..., SeedEvent], inner: ast.Call, method: str, klass: str | None
    ) -> Iterator[SeedEvent]:
        """``super().method()`` or ``Class(...).method()``."""
        if isinstance(inner.func, ast.Name) and inner.func.id == "super":
            if klass:
                yield make("call", name=f"super().{method}", target=f"{klass}.{method}", super_call=True)
            return
        kind = self._constructed(inner)
        if kind is not None:
            local, reference = kind
            name = f"{reference}.{method}"
            yield make("call", name=name, target=name if local else None)

    def _local_call(self, make: Callable[..., SeedEvent], name: str, klass: str | None) -> Iterator[SeedEvent]:
        """A call not through an import: a same-module function or class, a
        ``self.method()``, or an object's method (``fabric.seed_everything()``)."""
        head, _, rest = name.partition(".")
        fallback = known_seeder(name) or _NO_LIBRARY
        if head == "self" and klass and rest and "." not in rest:
            yield make("call", name=name, target=f"{klass}.{rest}", libraries=fallback)
        elif head in self.facts.local_defs and not rest:
            yield make("call", name=name, target=head, libraries=fallback)
        elif rest and "." not in rest:
            yield make("call", name=name, receiver=head, libraries=fallback)
        elif fallback:
            yield make("seed", name=name, libraries=fallback)

    def _extra_seeder(self, name: str, dotted: str | None) -> bool:
        local = f"{self.info.name}.{dotted}" if dotted and not self.info.is_notebook else None
        for seeder in self.extra_seeders:
            for candidate in (name, local):
                if candidate and (candidate == seeder or candidate.endswith("." + seeder)):
                    return True
        return False

    def _import_events(self, node: ast.Import | ast.ImportFrom, in_main: bool) -> Iterator[SeedEvent]:
        for alias in node.names:
            if isinstance(node, ast.Import):
                target = alias.name
            else:
                target = self.info.aliases.get(alias.asname or alias.name)
            if target:
                yield SeedEvent("import", node.lineno, node.col_offset, target, text=alias.name, in_main=in_main)

    def _flag_assignment(self, target: ast.expr, value: ast.expr, in_main: bool) -> SeedEvent | None:
        name = self._name_of(target)
        if name == "torch.backends.cudnn.deterministic" and not _is_const(value, False):
            return SeedEvent("determinism", target.lineno, target.col_offset, "cudnn", in_main=in_main)
        if name == "torch.backends.cudnn.benchmark" and _is_const(value, True):
            return SeedEvent("determinism", target.lineno, target.col_offset, "benchmark", in_main=in_main)
        return None


#: Line breaks as Python's tokenizer counts lines (``str.splitlines`` breaks at more).
_LINE_BREAK = re.compile(r"\r\n?|\n")


def _bound_names(statement: ast.stmt) -> list[str]:
    """The plain names an assignment binds (none for a ``return``)."""
    targets = statement.targets if isinstance(statement, ast.Assign) else [getattr(statement, "target", None)]
    return [target.id for target in targets if isinstance(target, ast.Name)]


def _run_names(function: ast.AST) -> frozenset[str]:
    """The names *function* reads other than to return them or give them an attribute
    (calls, hands on, stores): a function defined inside it under one of them may run
    when it does, and its body counts as the outer function's code, as before; a
    closure only returned (``def make(m): def entry(**kw): return load(m, **kw);
    return entry``) runs only when the caller calls it. One walk per function."""
    nodes = list(without_leaves(function))
    inert = {id(node.value) for node in nodes
             if (isinstance(node, (ast.Return, ast.Yield)) and isinstance(node.value, ast.Name))
             or (isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store))}  # ``entry.__doc__ = ...``
    return frozenset(node.id for node in nodes
                     if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and id(node) not in inert)


def outline_facts(info: ModuleInfo, source: str, extra_seeders: tuple[str, ...] = ()) -> ModuleSeeding:
    """The events of a module's import-time code and where its classes and
    functions are (``function_events`` draws a function's); an unparsable
    module has none."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return ModuleSeeding(info)
    return _Extractor.module(info, tree, extra_seeders)


def function_events(
    facts: ModuleSeeding, owner: str, source: str, extra_seeders: tuple[str, ...] = ()
) -> list[SeedEvent]:
    """The events of the function or method *owner* of the module *facts* outline,
    whose text is *source*; kept in ``facts.functions``. They are drawn from the
    lines of its definitions alone: by the time a walk calls into a module its
    tree is rarely at hand, and parsing the function costs a fraction of parsing
    the module (a library's walks call one in three of the functions of the
    modules they call into)."""
    lines = _LINE_BREAK.split(source) if "\r" in source else source.split("\n")
    definitions: list[tuple[ast.AST, bool]] = []
    for first, last, in_main in facts.definitions.get(owner, ()):
        node = _definition(lines, first, last)
        if node is not None:
            definitions.append((node, in_main))
    return _Extractor.function(facts, owner, definitions, extra_seeders)


def _definition(lines: list[str], first: int, last: int) -> ast.AST | None:
    """The function defined on lines *first* to *last* (1-based), parsed with
    the line and column numbers it has in the module: blank lines stand for the
    lines before it, and an indented definition (a method, a function under an
    ``if``) goes under an ``if 1:``. None when the lines do not parse alone."""
    text = "\n".join(lines[first - 1:last])
    indented = text.lstrip("\x0c")[:1] in (" ", "\t")
    head = "\n" * (first - 2) + "if 1:\n" if indented else "\n" * (first - 1)
    try:
        body = ast.parse(head + text).body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    node = body[0] if body else None
    if indented and isinstance(node, ast.If):
        node = node.body[0]
    return node if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) else None


def _held_definitions(tree: ast.Module, places: Iterable[list[Any]]) -> list[tuple[ast.AST, bool]] | None:
    """The definitions at *places* (``ModuleSeeding.definitions``) taken from the
    module's whole *tree*, when one is at hand: finding them visits the
    statements outside functions only, a fraction of parsing the function again
    (half the functions a library's walks enter are in a module a rule has just
    parsed). None when one is missing: the tree is not the text outlined."""
    wanted = {(first, last): in_main for first, last, in_main in places}
    found: dict[tuple[int, int], ast.AST] = {}
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        for name in BLOCKS:
            for child in getattr(node, name, ()):
                if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    first = min((d.lineno for d in child.decorator_list), default=child.lineno)
                    place = (first, child.end_lineno or child.lineno)
                    if place in wanted:
                        found[place] = child
                elif isinstance(child, (ast.stmt, ast.excepthandler, ast.match_case)):
                    stack.append(child)
    if len(found) != len(wanted):
        return None
    return [(found[place], in_main) for place, in_main in wanted.items()]


def _read_back(info: ModuleInfo, data: Any) -> ModuleSeeding | None:
    """The facts ``to_json`` made (kept in an index entry or the result cache), or None."""
    try:
        return None if data is None else ModuleSeeding.from_json(info, data)
    except (TypeError, ValueError, KeyError, AttributeError):
        return None


# --------------------------------------------------------------------------- the project analysis


class SeedAnalysis(Analysis):
    """Seeding facts of one project, computed lazily and cached per module/function.

    Every entry point's walk reuses the summaries of the modules it reaches,
    so a project is summarised once per run however many entry points it has.

    An entry point's report reads its import closure and whether another module
    imports it (``Reach.GRAPH``). ``seeded_before`` with *callers* walks every
    entry point of the project: a rule asking it reads ``Reach.PROJECT``.
    """

    name = "seeding"
    options = {
        "seeders": Option(
            [],
            "str-list",
            "Extra functions that seed every library (qualified names such as \"mypkg.utils.fix_seeds\"; "
            "a trailing part such as \"utils.fix_seeds\" matches too)",
        ),
    }
    legacy_options = {"seeders": "ML201.seeders"}
    reads = Reach.IMPORTS | Reach.SETTINGS | Reach.GRAPH
    MAX_DEPTH = 40

    @classmethod
    def for_project(cls, project: ProjectContext, options: Mapping[str, Any]) -> "SeedAnalysis":
        return cls(project.index, project.root, options.get("seeders", ()), project.facts_store)

    def __init__(
        self, index: ProjectIndex, root: Path, extra_seeders: Iterable[str] = (), store: FactsStore | None = None
    ) -> None:
        self.index = index
        self.root = root
        self.extra_seeders = tuple(extra_seeders)
        self.store = store
        self._facts: dict[str, ModuleSeeding] = {}
        #: modules whose functions' events the result cache was asked for
        self._consulted: set[str] = set()
        #: modules whose facts hold more than the result cache does
        self._unsaved: set[str] = set()
        self._summaries: dict[tuple[str, str], Summary] = {}
        self._in_progress: set[tuple[str, str]] = set()
        self._entries: dict[str, EntryReport] = {}
        #: per (library, entry point): (module path, owner) -> whether the library
        #: was seeded, per path from the entry point reaching it
        self._reached: dict[tuple[str, str], dict[tuple[str, str], set[bool]]] = {}
        self._found: dict[tuple[str, str], ModuleInfo | None] = {}

    # -- entry points

    def is_entry_point(self, info: ModuleInfo) -> bool:
        """A notebook, a module with a ``__main__`` block or named ``__main__``, or a
        script: a module whose top level calls something and that no project
        module imports (so its top level runs only when it is executed).
        Packages, pytest modules and ``setup.py`` are never scripts."""
        if info.parse_failed:
            return False
        if info.is_notebook or info.has_main_block or info.name.rsplit(".", 1)[-1] == "__main__":
            return True
        if info.is_package or is_test_path(info.path) or posixpath.basename(info.path) == "setup.py":
            return False
        return bool(info.toplevel_calls) and not self.index.is_imported(info.path)

    def find_module(self, name: str, importer: ModuleInfo) -> ModuleInfo | None:
        """``index.find_module`` behind a cheap filter (most imports are third-party),
        memoised per importing folder, the only part of the importer it reads: walks
        resolve the same names from every module of a package."""
        if not self.index.may_resolve(name):
            return None
        key = (name, importer.path.rpartition("/")[0])
        if key not in self._found:
            self._found[key] = self.index.find_module(name, importer)
        return self._found[key]

    # -- facts

    @classmethod
    def summarise_tree(cls, info: ModuleInfo, tree: ast.Module) -> dict[str, Any]:
        """The facts of the module's import-time code and where its classes and
        functions are, drawn as it is indexed: all that the walks need of most
        modules they reach, those a script's imports run but whose functions
        nothing calls (three in four on a 2,000-file library), which would
        otherwise be parsed again. The extra seeders are an option: configured,
        they are not used."""
        return _Extractor.module(info, tree, ()).to_json()

    def facts(self, info: ModuleInfo, source: str | None = None) -> ModuleSeeding:
        """The module's import-time events and outline, once per run: drawn as it was
        indexed, or else read back from the result cache (``FactsStore``) for its
        present bytes, or else drawn now from its *source*."""
        found = self._facts.get(info.path)
        if found is None:
            found = self._indexed(info) or self._stored(info) or self._outlined(info, source)
            self._facts[info.path] = found
        return found

    def events(self, facts: ModuleSeeding, owner: str) -> list[SeedEvent]:
        """The events of a function of *facts*' module, or of its import-time code
        ("<import>": its top level without the ``__main__`` block). A function's are
        drawn when a walk first enters it, or read back from the result cache: after
        an edit, a walk through the hundreds of modules a package's import runs draws
        only the edited module's again (a 2,000-file library: 11 s of a 15 s run before)."""
        if owner == "<import>":  # what an imported module hands over at import time, it registers
            return [event for event in facts.toplevel if not event.in_main and not event.handed]
        found = facts.functions.get(owner)
        if found is None and facts.info.path not in self._consulted:
            stored = self._stored(facts.info)
            for name, events in stored.functions.items() if stored is not None else ():
                facts.functions.setdefault(name, events)
            found = facts.functions.get(owner)
        if found is None:
            held = self.index.held_tree(facts.info.path)
            definitions = _held_definitions(held, facts.definitions.get(owner, ())) if held is not None else None
            if definitions is not None:
                found = _Extractor.function(facts, owner, definitions, self.extra_seeders)
            else:
                source = self.index.source(facts.info.path) or self._read(facts.info.path) or ""
                found = function_events(facts, owner, source, self.extra_seeders)
            self._unsaved.add(facts.info.path)
        return found

    def close(self) -> None:
        """Keep the functions' events drawn in this run for the next (``events``)."""
        if self.store is not None:
            for path in sorted(self._unsaved):
                self.store.save_facts(self.name, path, self.extra_seeders, self._facts[path].to_json())
        self._unsaved.clear()

    def _indexed(self, info: ModuleInfo) -> ModuleSeeding | None:
        return _read_back(info, self.tree_facts(info) if not self.extra_seeders else None)

    def _stored(self, info: ModuleInfo) -> ModuleSeeding | None:
        self._consulted.add(info.path)
        store = self.store
        return _read_back(info, store.load_facts(self.name, info.path, self.extra_seeders) if store is not None else None)

    def _outlined(self, info: ModuleInfo, source: str | None) -> ModuleSeeding:
        self._unsaved.add(info.path)
        tree = self.index.tree(info.path, keep=False)  # the facts are kept, not the tree
        if tree is not None:
            return _Extractor.module(info, tree, self.extra_seeders)
        return outline_facts(info, (source if source is not None else self._read(info.path)) or "", self.extra_seeders)

    def _read(self, path: str) -> str | None:
        try:
            return decode_python(read_bytes(self.root / path))
        except SourceError:
            return None

    # -- summaries

    def entry_report(self, info: ModuleInfo, source: str) -> EntryReport:
        """Walk an entry point's top level (``__main__`` block included); cached."""
        if info.path not in self._entries:
            facts = self.facts(info, source)
            walk = self._walk(facts, facts.toplevel, depth=0)
            by_library: dict[str, UnseededUse] = {}
            for (library, draw), trail in sorted(walk.unseeded.items(), key=lambda item: _position(item[1][0].event)):
                if library in by_library or (draw == INIT and library not in walk.trained):
                    continue  # initial weights never trained here (a smoke test, inference) do not matter
                # A use is only recorded while its library is unseeded, so any seed is later.
                later = None if draw == GENERATOR else walk.seeds.get(library)
                by_library[library] = UnseededUse(library, draw, trail, later)
            self._entries[info.path] = EntryReport(list(by_library.values()), walk.training, walk.deterministic)
        return self._entries[info.path]

    def seeded_before(self, info: ModuleInfo, library: str, line: int, column: int, callers: bool = True) -> bool:
        """Whether *library*'s global generator is seeded before the code at *line* and
        *column* (a 0-based byte offset, as ast gives it) runs, on every path.

        Seeded when the code around it (its function, or the top level) seeds it
        earlier, directly or through what it calls; else, if *callers* count (not
        when code outside the project calls it too), for a function or the
        import-time code of a module that is not an entry point, when the project's
        entry points reach it and every path that does has seeded the library by
        then. Code no entry point reaches, and class bodies, count as unseeded."""
        facts = self.facts(info)
        owner = facts.owner_at(line)
        if owner == CLASS_BODY:
            return False
        events = facts.toplevel if owner is None else self.events(facts, owner) if owner in facts.definitions else []
        earlier = [event for event in events if _position(event) < (line, column)]
        if library in self._walk(facts, earlier, depth=1).seeds:
            return True
        if not callers or (owner is None and self.is_entry_point(info)):
            return False  # no caller vouches for it, or the path starts here
        key = (info.path, owner or "<import>")
        states: set[bool] = set()
        for path in sorted({info.path, *self.index.importers(info.path)}):  # the entry points that can reach it
            entry = self.index.module(path)
            if entry is not None and self.is_entry_point(entry):
                states |= self._reach(library, entry).get(key, set())
        return bool(states) and all(states)

    def _reach(self, library: str, entry: ModuleInfo) -> dict[tuple[str, str], set[bool]]:
        """For every function and import-time code entry point *entry* reaches:
        whether *library* is seeded when it starts, on each path that reaches it."""
        if (library, entry.path) not in self._reached:
            states: dict[tuple[str, str], set[bool]] = {}
            facts = self.facts(entry)
            self._visit(facts, facts.toplevel, (entry.path, "<entry>"), False, library, states, 0)
            self._reached[(library, entry.path)] = states
        return self._reached[(library, entry.path)]

    def _visit(
        self,
        facts: ModuleSeeding,
        events: list[SeedEvent],
        key: tuple[str, str],
        seeded: bool,
        library: str,
        states: dict[tuple[str, str], set[bool]],
        depth: int,
    ) -> None:
        seen = states.setdefault(key, set())
        if seeded in seen or depth >= self.MAX_DEPTH:
            return
        seen.add(seeded)
        for event in events:
            if event.kind == "seed":
                seeded = seeded or library in event.libraries
            elif event.kind in ("call", "import"):
                target = self._resolve(facts, event, depth)
                if isinstance(target, tuple):
                    callee, owner = target
                    where = (callee.info.path, owner)
                    self._visit(callee, self.events(callee, owner), where, seeded, library, states, depth + 1)
                    target = self._summary(callee, owner, depth)
                seeds = target.seeds if target is not None else event.libraries
                seeded = seeded or library in seeds

    def _walk(self, facts: ModuleSeeding, events: list[SeedEvent], depth: int) -> Summary:
        out = Summary()
        later: _Later = []  # draws waiting for the use of the object that makes them
        order = itertools.count()
        for event in events:
            while later and later[0][0] <= _position(event):
                _, _, key, trail = heapq.heappop(later)
                self._note_use(out, key, trail)
            hop = Hop(facts.info.path, event)
            if event.kind == "seed":
                for library in event.libraries:
                    out.seeds.setdefault(library, (hop,))
            elif event.kind in ("use", "ref"):
                self._note_result(out, later, order, event, self._drawn(facts, event, hop))
            elif event.kind == "train":
                out.trained |= event.libraries
                if out.training is None and "torch" in event.libraries:
                    out.training = (hop,)
            elif event.kind == "determinism":
                out.determinism.add(event.name)
            else:
                callee = self._callee(facts, event, depth)
                if callee is None:
                    for library in event.libraries:
                        out.seeds.setdefault(library, (hop,))
                    continue
                for key, trail in callee.unseeded.items():
                    self._note_use(out, key, (hop, *trail))
                for library, trail in callee.seeds.items():
                    out.seeds.setdefault(library, (hop, *trail))
                returns = {key: (hop, *trail) for key, trail in callee.returns.items()}
                self._note_result(out, later, order, event, returns)
                if out.training is None and callee.training is not None:
                    out.training = (hop, *callee.training)
                out.trained |= callee.trained
                out.determinism |= callee.determinism
        for _, _, key, trail in sorted(later):
            self._note_use(out, key, trail)
        return out

    @staticmethod
    def _drawn(facts: ModuleSeeding, event: SeedEvent, hop: Hop) -> dict[tuple[str, str], Trail]:
        """What a "use" draws, or a "ref" to a module-level variable holding an object that draws when used."""
        if event.kind == "use":
            return {(next(iter(event.libraries)), event.draw): (hop,)}
        made = facts.globals.get(event.target or "")
        if made is None:
            return {}
        return {(next(iter(made.libraries)), made.draw): (hop, Hop(facts.info.path, made))}

    def _note_result(
        self,
        out: Summary,
        later: _Later,
        order: Iterator[int],
        event: SeedEvent,
        draws: dict[tuple[str, str], Trail],
    ) -> None:
        """Note the draws of the objects an event's value holds, where that value is used."""
        for key, trail in draws.items():
            if event.result == NOW:
                self._note_use(out, key, trail)
            elif event.result == RETURNED:
                out.returns.setdefault(key, trail)
            elif event.result == LATER and event.result_at is not None:
                heapq.heappush(later, (event.result_at, next(order), key, trail))

    @staticmethod
    def _note_use(out: Summary, key: tuple[str, str], trail: Trail) -> None:
        library, draw = key
        if key not in out.unseeded and (draw == GENERATOR or library not in out.seeds):
            out.unseeded[key] = trail

    def _callee(self, facts: ModuleSeeding, event: SeedEvent, depth: int) -> Summary | None:
        """The summary of what a call or import runs in the project, or None."""
        target = self._resolve(facts, event, depth)
        return self._summary(*target, depth) if isinstance(target, tuple) else target

    def _resolve(self, facts: ModuleSeeding, event: SeedEvent, depth: int) -> _Target | None:
        """What a call or import runs in the project: a module's function (or import-time
        code, "<import>"), a summary made up for what is known without code, or None."""
        if depth >= self.MAX_DEPTH:
            return None
        if event.kind == "import":
            module = (self.find_module(event.name, facts.info)
                      or self.find_module(event.name.rpartition(".")[0], facts.info))
            if module is None or module.path == facts.info.path or module.is_notebook:
                return None
            return self.facts(module), "<import>"
        if event.receiver is not None:
            return None
        if event.super_call:
            klass, _, method = (event.target or "").rpartition(".")
            return self._inherited(facts, klass, method, depth)
        if event.target is not None:
            return self._local_target(facts, event.target, depth, event.handed)
        return self._qualified_target(facts.info, event.name, depth, event.handed)

    def _qualified_target(
        self, importer: ModuleInfo, qualified: str, depth: int, functions_only: bool = False
    ) -> _Target | None:
        """What a qualified name runs in the project, followed through the modules
        that only import it (``pkg.set_seed`` of a package whose ``__init__`` imports
        it from ``pkg.util``)."""
        for _ in range(MAX_REEXPORTS):
            found = self._split_module(importer, qualified)
            if found is None:
                return None
            module, name = found
            facts = self.facts(module)
            target = self._local_target(facts, name, depth, functions_only)
            reexported = module.imported_as(name) if target is None else None
            if reexported is None or _defines(facts, name):
                return target
            importer, qualified = module, reexported
        return None

    def _split_module(self, importer: ModuleInfo, qualified: str) -> tuple[ModuleInfo, str] | None:
        """The project module the longest prefix of *qualified* names and the name inside it."""
        parts = qualified.split(".")
        for split in range(len(parts) - 1, 0, -1):
            module = self.find_module(".".join(parts[:split]), importer)
            if module is not None:
                return module, ".".join(parts[split:])
        return None

    def _local_target(
        self, facts: ModuleSeeding, qualname: str, depth: int, functions_only: bool = False
    ) -> _Target | None:
        """A function, constructor or (possibly inherited) method of a module, or a method
        called on one of its module-level generators (``utils.RNG.integers()``); with
        *functions_only*, a function or method it defines."""
        if qualname in facts.definitions:
            return facts, qualname
        if functions_only:
            return None
        if qualname in facts.classes:
            return self._class_member(facts, qualname, "__init__", depth)
        klass, _, method = qualname.rpartition(".")
        if klass in facts.classes:
            return self._inherited(facts, klass, method, depth)
        made = facts.globals.get(qualname.partition(".")[0])
        if made is not None and "." in qualname:
            key = (next(iter(made.libraries)), made.draw)
            return Summary(unseeded={key: (Hop(facts.info.path, made),)})
        return None

    def _class_member(self, facts: ModuleSeeding, klass: str, member: str, depth: int) -> _Target | None:
        """What calling a project class's member runs: its own definition, else an inherited one
        (constructing a class runs ``__init__``)."""
        own = f"{klass}.{member}"
        if own in facts.definitions:
            return facts, own
        return self._inherited(facts, klass, member, depth)

    def _inherited(self, facts: ModuleSeeding, klass: str, member: str, depth: int) -> _Target | None:
        """*member* as the base classes define it; ``super().__init__()`` of a seeding trainer seeds."""
        if depth >= self.MAX_DEPTH:  # also ends cyclic class hierarchies
            return None
        for base in facts.classes.get(klass, ()):
            seeds = seeding_class(base)
            if seeds is not None and member == "__init__":
                seeding = (Hop(facts.info.path, SeedEvent("seed", 0, 0, base, libraries=seeds)),)
                return Summary(seeds={library: seeding for library in seeds})
            resolved = self._project_class(facts, base)
            found = self._class_member(*resolved, member, depth + 1) if resolved is not None else None
            if found is not None:
                return found
        return None

    def _project_class(self, facts: ModuleSeeding, name: str) -> tuple[ModuleSeeding, str] | None:
        """The module and qualname of a class named in *facts*' module, if it is a project
        class (followed, like a function, through the modules that only import it)."""
        if name in facts.classes:
            return facts, name
        for _ in range(MAX_REEXPORTS):
            module_name, _, klass = name.rpartition(".")
            module = self.find_module(module_name, facts.info) if module_name else None
            if module is None or module.is_notebook:
                return None
            facts = self.facts(module)
            if klass in facts.classes:
                return facts, klass
            reexported = module.imported_as(klass)
            if reexported is None or _defines(facts, klass):
                return None
            name = reexported
        return None

    def _summary(self, facts: ModuleSeeding, owner: str, depth: int) -> Summary:
        key = (facts.info.path, owner)
        if key in self._summaries:
            return self._summaries[key]
        if key in self._in_progress:  # recursion: the cycle adds nothing new
            return Summary()
        self._in_progress.add(key)
        try:
            summary = self._walk(facts, self.events(facts, owner), depth + 1)
        finally:
            self._in_progress.discard(key)
        self._summaries[key] = summary
        return summary
