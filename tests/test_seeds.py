"""Unit tests for mllint.analysis.seeding: classification of calls, entry points, robustness."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mllint.analysis.seeding import (
    CLASS_BODY,
    DRAW,
    GENERATOR,
    INIT,
    LATER,
    NOW,
    RETURNED,
    UNUSED,
    ModuleSeeding,
    SeedAnalysis,
    _Extractor,
    _held_definitions,
    draws_when_used,
    function_events,
    known_seeder,
    outline_facts,
    random_use,
)
from mllint.project.index import ProjectIndex, index_module
from mllint.testkit import write_files

ROOT = Path(__file__).resolve().parent.parent


def extract_facts(info, source: str, extra_seeders: tuple[str, ...] = ()) -> ModuleSeeding:
    """A module's facts with every function's events drawn, as walks draw them."""
    facts = outline_facts(info, source, extra_seeders)
    for owner in facts.definitions:
        function_events(facts, owner, source, extra_seeders)
    return facts


def use_of(source: str) -> tuple[str, str] | None:
    """random_use() of the call that is *source*'s last statement (imports resolved like the linter does)."""
    info = index_module("m.py", source)
    call = ast.parse(source).body[-1].value
    dotted = ast.unparse(call.func)
    return random_use(info.qualify(dotted) or dotted, call, info)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("import random\nrandom.choice(x)", ("random", DRAW)),
        ("import random\nrandom.Random(0)", None),
        ("import numpy as np\nnp.random.default_rng()", ("numpy", GENERATOR)),
        ("import numpy as np\nnp.random.default_rng(None)", ("numpy", GENERATOR)),
        ("import numpy as np\nnp.random.default_rng(7)", None),
        ("import numpy as np\nnp.random.RandomState(seed=1)", None),
        ("import numpy as np\nnp.random.get_state()", None),
        ("import torch\ntorch.nn.Linear(2, 2)", ("torch", INIT)),
        ("import torch\ntorch.nn.LayerNorm(2)", None),
        ("import torch\ntorch.nn.init.zeros_(w)", None),
        ("import torch\ntorch.nn.init.kaiming_normal_(w)", ("torch", INIT)),
        ("import torch\ntorch.randint(0, 5, (2,))", ("torch", DRAW)),
        ("import torch\ntorch.randint(0, 5, (2,), generator=g)", None),
        ("import torch\ntorch.zeros(3)", None),
        ("from torch.utils.data import random_split\nrandom_split(ds, [8, 2])", ("torch", DRAW)),
        ("from torchvision.transforms import v2\nv2.RandomResizedCrop(224)", ("torch", DRAW)),
        ("from torchvision import transforms\ntransforms.Normalize(m, s)", None),
        ("import tensorflow as tf\ntf.random.uniform([2])", ("tensorflow", DRAW)),
        ("import tensorflow as tf\ntf.random.stateless_uniform([2], seed=(1, 2))", None),
        ("import tensorflow as tf\ntf.keras.initializers.GlorotUniform(seed=1)", None),
        ("import keras\nkeras.random.normal((2,))", ("keras", DRAW)),
        ("import keras\nkeras.layers.LSTM(4)", ("keras", INIT)),
        ("import jax, time\njax.random.PRNGKey(time.time_ns())", ("jax", GENERATOR)),
        ("import jax\njax.random.PRNGKey(seed)", None),
    ],
)
def test_random_use_classification(source, expected):
    assert use_of(source) == expected


@pytest.mark.parametrize(
    ("name", "libraries"),
    [
        ("numpy.random.seed", {"numpy"}),
        ("torch.manual_seed", {"torch"}),
        ("tensorflow.random.set_seed", {"tensorflow", "keras"}),
        ("transformers.set_seed", {"random", "numpy", "torch", "tensorflow"}),
        ("lightning.pytorch.seed_everything", {"random", "numpy", "torch"}),
        ("fabric.seed_everything", {"random", "numpy", "torch"}),
        ("torch.cuda.manual_seed_all", None),
        ("torch.seed", None),
        ("numpy.random.default_rng", None),
    ],
)
def test_known_seeders(name, libraries):
    found = known_seeder(name)
    assert (set(found) if found is not None else None) == libraries


def test_events_are_per_owner_and_in_source_order():
    source = (
        "import numpy as np\n"
        "class Net:\n"
        "    def fit(self):\n"
        "        np.random.seed(0)\n"
        "        return np.random.rand(2)\n"
        "def main():\n"
        "    Net().fit()\n"
        "if __name__ == '__main__':\n"
        "    main()\n"
    )
    facts = extract_facts(index_module("m.py", source), source)
    assert [(e.kind, e.line) for e in facts.functions["Net.fit"]] == [("seed", 4), ("use", 5)]
    # `Net().fit()`: both calls start at the same place; the method is resolved through the constructor
    assert sorted((e.kind, e.target) for e in facts.functions["main"]) == [("call", "Net"), ("call", "Net.fit")]
    assert [(e.kind, e.name, e.in_main) for e in facts.toplevel if e.kind == "call"] == [("call", "main", True)]


@pytest.mark.parametrize(
    ("name", "use", "expected"),
    [
        ("torch.utils.data.DataLoader", ("torch", DRAW), True),
        ("torch.utils.data.RandomSampler", ("torch", DRAW), True),
        ("torch.utils.data.random_split", ("torch", DRAW), False),
        ("torchvision.transforms.RandomCrop", ("torch", DRAW), True),
        ("numpy.random.default_rng", ("numpy", GENERATOR), True),
        ("random.Random", ("random", GENERATOR), True),
        ("keras.layers.Dense", ("keras", INIT), True),
        ("torch.nn.Linear", ("torch", INIT), False),
        ("torch.randn", ("torch", DRAW), False),
        ("numpy.random.rand", ("numpy", DRAW), False),
    ],
)
def test_draws_when_used(name, use, expected):
    assert draws_when_used(name, use) is expected


def _events(source: str, owner: str | None = None):
    facts = extract_facts(index_module("m.py", source), source)
    return facts, (facts.toplevel if owner is None else facts.functions[owner])


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("loader = DataLoader(ds, shuffle=True)\n    for b in loader:\n        pass", [("use", LATER, (5, 13))]),
        ("loader = DataLoader(ds, shuffle=True)\n    n = len(loader)", []),
        ("return DataLoader(ds, shuffle=True)", [("use", RETURNED, None)]),
        ("loader = DataLoader(ds, shuffle=True)\n    return loader, 3", [("use", RETURNED, None)]),
        ("for b in DataLoader(ds, shuffle=True):\n        pass", [("use", NOW, None)]),
        ("x = make()", [("call", UNUSED, None)]),
        ("make()", [("call", UNUSED, None)]),
        ("a, b = make()\n    use(b)", [("call", LATER, (5, 8))]),
        ("use(make())", [("call", NOW, None)]),
        ("return make()", [("call", RETURNED, None)]),
    ],
)
def test_results_are_placed_where_the_value_is_used(body, expected):
    source = f"from torch.utils.data import DataLoader\nfrom helpers import make\ndef f():\n    {body}\n"
    _, events = _events(source, "f")
    assert [(e.kind, e.result, e.result_at) for e in events if e.kind in ("use", "call")] == expected


def test_module_level_objects_that_draw_when_used_are_read_by_functions():
    source = (
        "import numpy as np\n"
        "RNG = np.random.default_rng()\n"
        "def draw():\n"
        "    return RNG.normal()\n"
        "def local():\n"
        "    RNG = 3\n"
        "    return RNG\n"
        "def declared():\n"
        "    global RNG\n"
        "    x = RNG.normal()\n"
        "    RNG = None\n"
    )
    facts, toplevel = _events(source)
    assert [e.kind for e in toplevel if e.kind == "use"] == []  # never used at import time
    assert facts.globals["RNG"].line == 2
    assert [(e.kind, e.target, e.line) for e in facts.functions["draw"] if e.kind == "ref"] == [("ref", "RNG", 4)]
    assert not any(e.kind == "ref" for e in facts.functions["local"])
    assert [(e.kind, e.line) for e in facts.functions["declared"] if e.kind == "ref"] == [("ref", 10)]


def test_owner_at():
    source = "X = 1\nclass A:\n    y = 2\n    def m(self):\n        return 3\ndef f():\n    return 4\nZ = 5\n"
    facts, _ = _events(source)
    owners = [None, CLASS_BODY, CLASS_BODY, "A.m", "A.m", "f", "f", None]
    assert [facts.owner_at(line) for line in range(1, 9)] == owners


def _analysis(tmp_path: Path, files: dict[str, str]):
    infos = []
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
        infos.append(index_module(name, text))
    index = ProjectIndex(infos)
    return SeedAnalysis(index, tmp_path), {info.path: info for info in infos}


def test_entry_points(tmp_path):
    analysis, infos = _analysis(tmp_path, {
        "train.py": "import numpy as np\nimport lib\nnp.random.rand(2)\n",
        "lib.py": "import numpy as np\nX = np.random.rand(2)\n",
        "cli.py": "def main():\n    pass\n\nif __name__ == '__main__':\n    main()\n",
        "defs.py": "def f():\n    return 1\n",
        "pkg/__init__.py": "print('x')\n",
        "pkg/__main__.py": "import pkg\n",
        "tests/test_x.py": "import random\nrandom.random()\n",
        "setup.py": "from setuptools import setup\nsetup()\n",
    })
    entries = sorted(path for path, info in infos.items() if analysis.is_entry_point(info))
    assert entries == ["cli.py", "pkg/__main__.py", "train.py"]


def test_unreadable_reached_module_is_skipped(tmp_path):
    analysis, infos = _analysis(tmp_path, {
        "run.py": "import helper\nhelper.go()\n",
        "helper.py": "import random\ndef go():\n    random.random()\n",
    })
    (tmp_path / "helper.py").write_bytes(b"\xff\xfe\x00 not python")
    report = analysis.entry_report(infos["run.py"], "import helper\nhelper.go()\n")
    assert report.unseeded == []


@pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::SyntaxWarning")  # ``"\."``: the runner silences them
@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("import numpy as np\n()[]:=.,'\"#\\ ifdefclassrandomseedtorch_")),
               max_size=200))
def test_arbitrary_source_never_raises(source):  # mllint: ignore[ML403] raising is the failure
    info = index_module("m.py", source)
    extract_facts(info, source)


def test_deeply_nested_source_does_not_raise():
    source = "import random\nx = " + "(" * 150 + "random.random()" + ")" * 150 + "\n"
    facts = extract_facts(index_module("m.py", source), source)
    assert [e.kind for e in facts.toplevel] == ["import", "use"]


def test_seeded_before_follows_every_path(tmp_path):
    files = {
        "lib.py": "import numpy as np\ndef seed():\n    np.random.seed(0)\ndef split():\n    return 1\n"
                  "def alone():\n    return 2\nclass K:\n    x = 1\n",
        "a.py": "import lib\nlib.split()\nlib.seed()\nlib.split()\n",
        "b.py": "import lib\nlib.seed()\nlib.split()\n",
    }
    analysis, infos = _analysis(tmp_path, files)
    lib, a = infos["lib.py"], infos["a.py"]
    assert analysis.seeded_before(a, "numpy", 2, 0) is False
    assert analysis.seeded_before(a, "numpy", 4, 0) is True
    assert analysis.seeded_before(a, "torch", 4, 0) is False
    assert analysis.seeded_before(lib, "numpy", 5, 4) is False  # a.py reaches split() unseeded once
    assert analysis.seeded_before(lib, "numpy", 7, 4) is False  # no entry point reaches alone()
    assert analysis.seeded_before(lib, "numpy", 9, 4) is False  # a class body
    del files["a.py"]
    analysis, infos = _analysis(tmp_path / "b_only", files)
    assert analysis.seeded_before(infos["lib.py"], "numpy", 5, 4) is True


#: Modules whose seeding facts exercise every field: classes and bases, globals
#: that draw when used, results placed later, super calls, the ``__main__`` block.
ROUND_TRIPS = {
    "script": (
        "import random\nimport numpy as np\nimport torch\nfrom torch.utils.data import DataLoader\n"
        "RNG = np.random.default_rng()\n\n\nclass Base(torch.nn.Module):\n    def setup(self):\n        torch.manual_seed(0)\n\n\n"
        "class Net(Base):\n    def setup(self):\n        super().setup()\n        self.fc = torch.nn.Linear(2, 2)\n\n\n"
        "def batches(data):\n    loader = DataLoader(data, shuffle=True)\n    for batch in loader:\n        yield batch\n\n\n"
        "def draw():\n    return RNG.normal()\n\n\nif __name__ == '__main__':\n    random.seed(1)\n    Net().setup()\n    print(draw())\n"
    ),
    "empty": "",
    "broken": "def f(:\n",
}


@pytest.mark.parametrize("source", ROUND_TRIPS.values(), ids=ROUND_TRIPS.keys())
def test_facts_read_back_from_json_are_the_facts_drawn(source):
    """What the result cache keeps of a module (``FactsStore``) is read back whole."""
    info = index_module("m.py", source)
    facts = extract_facts(info, source)
    assert ModuleSeeding.from_json(info, json.loads(json.dumps(facts.to_json()))) == facts


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data["toplevel"].append(["seed", "1", 0, "random.seed", "", [], "draw", None, False, False, None, "now", None]),
        lambda data: data["toplevel"].append(["seed", 1, 0]),
        lambda data: data["toplevel"].append(["seed", 1, 0, "random.seed", "", [1], "draw", None, False, False, None, "now", None]),
        lambda data: data["toplevel"].append(["use", 1, 0, "x", "", [], "draw", None, False, False, None, "later", [1]]),
        lambda data: data["spans"].append([1, "2", "f"]),
        lambda data: data["classes"].update({"A": [3]}),
        lambda data: data.pop("globals"),
        lambda data: data.update({"functions": []}),
    ],
    ids=["text-for-a-line", "short-event", "library-not-named", "one-number-position", "text-in-a-span",
         "base-not-named", "missing-part", "wrong-shape"],
)
def test_damaged_facts_are_refused(damage):
    info = index_module("m.py", ROUND_TRIPS["script"])
    data = extract_facts(info, ROUND_TRIPS["script"]).to_json()
    damage(data)
    with pytest.raises((TypeError, ValueError, KeyError, AttributeError)):
        ModuleSeeding.from_json(info, data)


# --- a function's events, drawn from its own lines


def _drawn_from_the_whole_tree(source: str) -> dict[str, list]:
    """Every function's events drawn from its definitions' nodes in the module's
    whole tree, found as a walk finds them in a tree the index holds: what
    ``function_events`` must give from their lines alone."""
    info = index_module("m.py", source)
    facts = outline_facts(info, source)
    tree = ast.parse(source)
    drawn = {}
    for owner, found in facts.definitions.items():
        definitions = _held_definitions(tree, found)
        assert definitions is not None, f"{owner}'s definitions are not all in the tree"
        drawn[owner] = _Extractor.function(facts, owner, definitions, ())
    return drawn


def _drawn_from_their_lines(source: str) -> dict[str, list]:
    return dict(extract_facts(index_module("m.py", source), source).functions)


#: Statements whose values cross between the top level, functions, class bodies
#: and the ``__main__`` block, with definitions at every depth a walk enters:
#: generated modules are made of them.
STATEMENTS = [
    "import random", "import numpy as np", "import torch", "from torch.utils.data import DataLoader",
    "rng = np.random.default_rng()", "x = random.random()", "loader = DataLoader(ds, shuffle=True)",
    "for batch in loader:\n    print(batch)", "def f():\n    return rng.normal()",
    "def g(a=random.random()):\n    global x\n    x = torch.randn(2)\n    return x",
    "class K(torch.nn.Module):\n    w = torch.nn.Linear(2, 2)\n    def m(self):\n        return random.choice([1])",
    "@register(random.random())\ndef h():\n    return loader", "if __name__ == '__main__':\n    random.seed(0)\n    print(f(), x)",
    "if __name__ == '__main__':\n    def f():\n        return random.random()\n    f()",
    "try:\n    import torch\nexcept ImportError:\n    def f():\n        return np.random.rand()",
    "class Outer:\n    class Inner(K):\n        @staticmethod\n        @cache(\n            size=2,\n        )\n"
    "        async def m():\n            super().m()\n            return DataLoader(ds, shuffle=True)",
    "def outer():\n    def inner():\n        return random.random()\n    class Local:\n        def m(self):\n"
    "            return torch.rand(1)\n    return inner()",
    "def one(): return random.random(); x = torch.randn(1)",
    "print(rng)", "seed = random.randint(0, 9)\ntorch.manual_seed(seed)", "model = K()\nmodel.m()",
    "draw = lambda: random.random()", "t = torch.nn.Linear(2, 2)\ndef use():\n    return t", "train, test = split(x)",
    "s = '''\ndef not_code():\n    pass\n'''", "z = (1 +\n     2)\ndef after():\n    return z",
]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(STATEMENTS), max_size=10), st.sampled_from(["\n", "\r\n", "\r"]))
def test_a_functions_events_drawn_from_its_lines_are_those_drawn_from_the_module(statements, newline):
    """Lines before a definition become blank lines, an indented definition goes
    under ``if 1:``: every event keeps its line and column, with any line ending."""
    source = newline.join("\n".join(statements).split("\n")) + newline
    assert _drawn_from_their_lines(source) == _drawn_from_the_whole_tree(source)


@pytest.mark.parametrize("path", sorted(str(p.relative_to(ROOT)) for p in [*ROOT.glob("examples/**/*.py"), *ROOT.glob("mllint/analysis/*.py")]))
def test_the_functions_of_real_modules_are_drawn_from_their_lines_as_from_the_module(path):
    source = (ROOT / path).read_text()
    assert _drawn_from_their_lines(source) == _drawn_from_the_whole_tree(source)


def test_the_facts_drawn_as_a_module_is_indexed_are_its_outline():
    source = ROUND_TRIPS["script"]
    info = index_module("m.py", source)
    drawn = json.loads(json.dumps(SeedAnalysis.summarise_tree(info, ast.parse(source))))
    assert ModuleSeeding.from_json(info, drawn) == outline_facts(info, source)
    assert sorted(drawn["definitions"]) == ["Base.setup", "Net.setup", "batches", "draw"]
    assert drawn["functions"] == {}


#: A script whose imports run a package: one module is called into, the others only imported.
PACKAGE = {
    "train.py": "import random\n\nimport shop.models\nfrom shop.seeding import seed_all\n\nseed_all(0)\nprint(random.random())\n",
    "shop/__init__.py": "from shop import models, seeding\n",
    "shop/models.py": "import torch\n\nW = torch.randn(2)\n\n\nclass Net(torch.nn.Module):\n    def __init__(self):\n"
                      "        super().__init__()\n        self.fc = torch.nn.Linear(2, 2)\n",
    "shop/seeding.py": "import random\n\nimport torch\n\n\ndef seed_all(seed):\n    random.seed(seed)\n    torch.manual_seed(seed)\n",
}


def _ml201(root: Path) -> list[tuple[str, int, str]]:
    from mllint.engine.config import CliOverrides
    from mllint.engine.runner import Linter
    from mllint.plugins import builtin_rules

    findings = Linter(builtin_rules(), CliOverrides(select=["ML201"]), cwd=root, jobs=1, cache=False).lint([root]).findings
    return [(f.path, f.line, f.message) for f in findings]


def test_a_walk_draws_only_the_functions_it_calls_and_parses_no_module_again(tmp_path, monkeypatch):
    """The walk reads the import-time code and outline of every module from its
    index entry, and draws the events of the one function it calls; the findings
    are the same when the modules are outlined from a parse of their own."""
    write_files(tmp_path, PACKAGE)
    drawn: list[tuple[str, str]] = []
    real = _Extractor.function
    monkeypatch.setattr(_Extractor, "function", lambda facts, owner, *rest: drawn.append((facts.info.path, owner)) or real(facts, owner, *rest))
    outlined: list[str] = []
    parse = SeedAnalysis._outlined
    monkeypatch.setattr(SeedAnalysis, "_outlined", lambda self, info, source: outlined.append(info.path) or parse(self, info, source))
    found = _ml201(tmp_path)
    assert (drawn, outlined) == ([("shop/seeding.py", "seed_all")], [])
    assert [(path, line) for path, line, _ in found] == [("train.py", 3)]  # ``W = torch.randn(2)`` runs before the seed
    monkeypatch.setattr(SeedAnalysis, "summarise_tree", classmethod(lambda cls, info, tree: None))
    assert _ml201(tmp_path) == found
    assert sorted(outlined) == ["shop/models.py", "shop/seeding.py", "train.py"]


def test_with_extra_seeders_the_facts_drawn_as_modules_were_indexed_are_not_used(tmp_path):
    """Those facts are drawn without options: a configured seeder the package's
    import runs would be missed."""
    write_files(tmp_path, {
        "pyproject.toml": "[project]\nname = 'shop'\n\n[tool.mllint.analysis.seeding]\nseeders = ['shop.fix_seeds']\n",
        "train.py": "import random\n\nimport shop\n\nprint(random.random())\n",
        "shop/__init__.py": "from shop.tools import fix_seeds\n\nfix_seeds()\n",
        "shop/tools.py": "def fix_seeds():\n    pass\n",
    })
    assert _ml201(tmp_path) == []
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'shop'\n")
    assert [path for path, _, _ in _ml201(tmp_path)] == ["train.py"]


def test_the_import_time_code_calling_its_own_functions_is_followed_into_them(tmp_path):
    """A module reached by an import whose top level calls one of its functions:
    the walk draws its complete facts to follow the call."""
    files = {
        "train.py": "import lib\n\nprint(lib.VALUE)\n",
        "lib.py": "import random\n\n\ndef _draw():\n    return random.random()\n\n\nclass Box:\n    def __init__(self):\n"
                  "        self.v = random.random()\n\n\nVALUE = _draw()\nBOX = Box()\n",
    }
    analysis, infos = _analysis(tmp_path, files)
    for path, info in infos.items():
        SeedAnalysis.keep_tree_facts(info, SeedAnalysis.summarise_tree(info, ast.parse(files[path])))
    report = analysis.entry_report(infos["train.py"], files["train.py"])
    assert [[(hop.path, hop.event.line) for hop in use.trail] for use in report.unseeded] == [
        [("train.py", 1), ("lib.py", 13), ("lib.py", 5)]]
