"""The project index: names, imports, calls and cross-module resolution."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mllint.project.index import (
    ModuleInfo,
    ProjectIndex,
    import_components,
    import_names_for,
    index_module,
    module_name_for,
)


def test_module_names_honour_src_layout_and_packages():
    assert module_name_for("src/churn/train.py") == ("churn.train", False)
    assert module_name_for("churn/__init__.py") == ("churn", True)
    assert module_name_for("train.py") == ("train", False)


def test_imports_aliases_and_relative_imports():
    source = (
        "import numpy as np\nimport os.path\nfrom numpy import random as npr\n"
        "from . import utils\nfrom ..core import Model as M\n"
        "def f():\n    import torch.nn as nn\n"
    )
    info = index_module("src/pkg/sub/mod.py", source)
    assert info.aliases["np"] == "numpy"
    assert info.aliases["os"] == "os"
    assert info.aliases["npr"] == "numpy.random"
    assert info.aliases["utils"] == "pkg.sub.utils"
    assert info.aliases["M"] == "pkg.core.Model"
    assert info.aliases["nn"] == "torch.nn"
    assert info.qualify("np.random.seed") == "numpy.random.seed"
    assert info.qualify("unknown.thing") is None
    assert info.uses_ml


def test_calls_are_attributed_to_their_function_and_main_block():
    source = (
        "import numpy as np\n"
        "def helper():\n    np.random.seed(0)\n"
        "class Trainer:\n    def fit(self):\n        self.step()\n    def step(self):\n        pass\n"
        "def main():\n    helper()\n    def inner():\n        np.random.rand()\n"
        "if __name__ == '__main__':\n    main()\n"
    )
    info = index_module("train.py", source)
    assert info.has_main_block
    assert [c.name for c in info.functions["helper"].calls] == ["numpy.random.seed"]
    assert [c.name for c in info.functions["Trainer.fit"].calls] == ["train.Trainer.step"]
    assert {c.name for c in info.functions["main"].calls} == {"train.helper", "numpy.random.rand"}
    assert [(c.name, c.line) for c in info.toplevel_calls] == [("train.main", 14)]


def test_reachable_follows_calls_across_modules():
    utils = index_module("scripts/utils.py", "import random\ndef set_seed():\n    random.seed(0)\n")
    train = index_module("scripts/train.py", "from utils import set_seed\nset_seed()\n")
    index = ProjectIndex([utils, train])
    assert index.find_module("utils", train) is utils
    reached = [(m.path, f.qualname) for m, f in index.reachable(train, train.toplevel_calls)]
    assert reached == [("scripts/utils.py", "set_seed")]
    assert index.resolve_function("random.seed", train) is None


def test_unparsable_and_deep_modules_are_marked():
    assert index_module("bad.py", "def f(:\n").parse_failed
    deep = index_module("deep.py", "x = " + "(" * 50 + "1" + ")" * 50 + "\n")
    assert not deep.parse_failed and deep.max_depth >= 2
    nested = index_module("nested.py", "x = " + " + ".join(["1"] * 300) + "\n")
    assert nested.max_depth > 250


def _three_modules(monkeypatch) -> ProjectIndex:
    """a.py, b.py and c.py, of which the index keeps two modules' trees."""
    import mllint.project.index as index_module_

    monkeypatch.setattr(index_module_, "MAX_TREE_TEXT", 2 * len("import numpy\na = 1\n"))
    index = ProjectIndex()
    for name in ("a", "b", "c"):
        source = f"import numpy\n{name} = 1\n"
        index.add(index_module(f"{name}.py", source), source)
    return index


def test_index_keeps_sources_and_parses_each_tree_once(monkeypatch):
    index = _three_modules(monkeypatch)
    index.add(index_module("bad.py", "def f(:\n"), "def f(:\n")
    first = index.tree("a.py")
    assert first is index.tree("a.py")  # cached
    assert index.source("b.py") == "import numpy\nb = 1\n"
    index.tree("b.py")
    index.tree("c.py")  # evicts a.py, the least recently used
    assert index.tree("a.py") is not first
    assert index.tree("bad.py") is None and index.source("missing.py") is None


def test_the_tree_asked_last_is_kept_whatever_its_size(monkeypatch):
    import mllint.project.index as index_module_

    monkeypatch.setattr(index_module_, "MAX_TREE_TEXT", 10)
    index = ProjectIndex()
    for name in ("big", "other"):
        source = f"import numpy\n{name} = [{', '.join(['1'] * 50)}]\n"
        index.add(index_module(f"{name}.py", source), source)
    big = index.tree("big.py")
    assert index.tree("big.py") is big
    index.tree("other.py")
    assert index.tree("big.py") is not big


def test_a_tree_parsed_for_a_walk_is_set_aside_and_evicts_nothing(monkeypatch):
    index = _three_modules(monkeypatch)
    a, b = index.tree("a.py"), index.tree("b.py")
    walked = index.tree("c.py", keep=False)
    assert walked is not None and index.tree("c.py", keep=False) is walked  # set aside
    assert index.tree("a.py", keep=False) is a  # a kept tree is given, and stays the oldest
    assert index.tree("c.py") is walked  # kept now, in place of a.py
    assert index.tree("b.py") is b
    assert index.tree("a.py") is not a


def test_the_trees_set_aside_are_few(monkeypatch):
    import mllint.project.index as index_module_

    index = _three_modules(monkeypatch)
    monkeypatch.setattr(index_module_, "SPARE_TREE_TEXT", len("import numpy\na = 1\n"))
    a = index.tree("a.py", keep=False)
    index.tree("b.py", keep=False)
    assert index.tree("a.py", keep=False) is not a


def test_a_linted_files_tree_is_set_aside_and_frees_its_place(monkeypatch):
    index = _three_modules(monkeypatch)
    a, b = index.tree("a.py"), index.tree("b.py")
    index.forget_tree("a.py")
    index.forget_tree("missing.py")  # never parsed: nothing to do
    c = index.tree("c.py")
    assert index.tree("b.py") is b and index.tree("c.py") is c  # both fit
    assert index.tree("a.py", keep=False) is a  # set aside, for a walk soon after


@pytest.mark.parametrize(
    ("path", "names"),
    [
        ("src/utils.py", ["utils", "src.utils"]),
        ("src/churn/train.py", ["churn.train", "src.churn.train"]),
        ("src/__init__.py", ["__init__", "src"]),
        ("app/utils.py", ["app.utils"]),
        ("src.py", ["src"]),
    ],
)
def test_modules_under_src_are_importable_with_and_without_the_src_prefix(path, names):
    assert import_names_for(path) == names


def test_imports_from_src_as_a_package_resolve():
    utils = index_module("src/utils.py", "import joblib\ndef load_model(path):\n    return joblib.load(path)\n")
    api = index_module("src/api.py", "from src.utils import load_model\nmodel = load_model('m.pkl')\n")
    script = index_module("train.py", "from src import utils\nutils.load_model('m.pkl')\n")
    index = ProjectIndex([utils, api, script])
    assert index.find_module("src.utils", api) is utils
    assert index.find_module("utils", api) is utils
    assert index.resolve_function("src.utils.load_model", script) == (utils, utils.functions["load_model"])
    assert {"src.utils", "utils"} <= set(index.import_names())


def test_a_real_module_keeps_its_name_over_a_src_alias():
    real = index_module("src/src/utils.py", "x = 1\n")  # imported as src.utils in an src layout
    aliased = index_module("src/utils.py", "y = 1\n")
    assert ProjectIndex([real, aliased]).find_module("src.utils") is real


@pytest.mark.parametrize("order", [("pkg/a.py", "src/pkg/a.py"), ("src/pkg/a.py", "pkg/a.py")])
def test_a_name_two_modules_share_resolves_the_same_whatever_the_order(order):
    """A cached run indexes modules in another order than an uncached one: the
    answer must not depend on it (the smaller path wins)."""
    index = ProjectIndex([index_module(path, "def f():\n    pass\n") for path in order])
    assert index.find_module("pkg.a").path == "pkg/a.py"
    assert index.find_module("src.pkg.a").path == "src/pkg/a.py"


def _graph_index(edges: dict[int, set[int]], size: int) -> ProjectIndex:
    """Modules ``m0`` ... importing one another as *edges* says."""
    return ProjectIndex([
        index_module(f"m{number}.py", "".join(f"import m{other}\n" for other in sorted(edges.get(number, ()))))
        for number in range(size)
    ])


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 12).flatmap(lambda size: st.tuples(
    st.just(size), st.dictionaries(st.integers(0, size - 1), st.sets(st.integers(0, size - 1), max_size=3)))))
def test_import_components_compose_every_import_closure(graph):
    """Each module's closure is its component's modules and the closures of the
    components it imports, which come before it: cycles included."""
    size, edges = graph
    index = _graph_index(edges, size)
    closures: list[set[str]] = []
    for position, (members, imported) in enumerate(import_components(index.import_graph())):
        assert all(earlier < position for earlier in imported)
        closures.append(set(members).union(*(closures[earlier] for earlier in imported)))
        for path in members:
            assert closures[-1] == index.import_closure(path)
    assert sorted(path for members, _ in import_components(index.import_graph()) for path in members) == sorted(index.modules)


def test_import_components_of_a_deep_chain_need_no_recursion():
    size = 5_000
    index = _graph_index({number: {number + 1} for number in range(size - 1)}, size)
    components = import_components(index.import_graph())
    assert len(components) == size and components[0] == (["m4999.py"], set())


def test_an_index_entry_survives_its_round_trip_through_json():
    info = index_module("pkg/train.py", "import torch\n\ndef fit(m):\n    torch.save(m, 'x')\n\nfit(1)\n")
    assert ModuleInfo.from_json(info.to_json()) == info


@pytest.mark.parametrize(
    "sites",
    [[["torch.save", "4"]], [["torch.save", True]], [[7, 4]], [["torch.save"]], [["torch.save", 4, 5]], 5, [None]],
    ids=["line-as-text", "line-as-flag", "name-as-number", "no-line", "extra-field", "not-a-list", "not-a-site"],
)
def test_a_damaged_index_entry_is_refused(sites):
    data = index_module("pkg/train.py", "import torch\n\ndef fit(m):\n    torch.save(m, 'x')\n").to_json()
    data["functions"][0][2] = sites
    with pytest.raises((TypeError, ValueError)):
        ModuleInfo.from_json(data)


def test_a_function_a_package_reexports_resolves_to_its_definition():
    index = ProjectIndex([
        index_module("pkg/__init__.py", "from .io import save_model\nfrom pkg.nets import Net\n"),
        index_module("pkg/io.py", "import torch\n\ndef save_model(m, path):\n    torch.save(m, path)\n"),
        index_module("pkg/nets.py", "class Net:\n    def __init__(self):\n        pass\n"),
        index_module("train.py", "import pkg\n"),
    ])
    importer = index.module("train.py")
    module, function = index.resolve_function("pkg.save_model", importer)
    assert (module.path, function.qualname) == ("pkg/io.py", "save_model")
    module, function = index.resolve_function("pkg.Net", importer)
    assert (module.path, function.qualname) == ("pkg/nets.py", "Net.__init__")
    assert index.resolve_function("pkg.missing", importer) is None


def test_a_cycle_of_reexports_ends():
    index = ProjectIndex([
        index_module("a/__init__.py", "from b import f\n"),
        index_module("b/__init__.py", "from a import f\n"),
    ])
    assert index.resolve_function("a.f", None) is None
