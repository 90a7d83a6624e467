"""ML201-ML206: seeds across modules, random_state, deterministic torch, pinned environments."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from mllint.testkit import codes, lint_source, lint_tree, notebook_json

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
COMMIT = "0123456789abcdef0123456789abcdef01234567"


def d(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def ml201(tmp_path: Path, files: dict[str, str]) -> list:
    return lint_tree(tmp_path, {name: d(text) for name, text in files.items()}, select=["ML201"])


SEED_ALL = """
import random
import numpy as np
import torch

def set_seed(seed):
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
"""

SEED_NUMPY = """
import numpy as np

def set_seed(seed):
    np.random.seed(seed)
"""

TRAIN_USES_ALL = """
import random
import numpy as np
import torch
from utils import set_seed

def main():
    set_seed(0)
    random.shuffle(ITEMS)
    noise = np.random.rand(3)
    weights = torch.randn(3)

if __name__ == "__main__":
    main()
"""


# -- ML201: cross-module seeding ---------------------------------------------------


def test_seeding_in_a_helper_of_another_module_is_silent(tmp_path):
    assert ml201(tmp_path, {"utils.py": SEED_ALL, "train.py": TRAIN_USES_ALL}) == []


def test_helper_seeding_only_numpy_reports_the_other_libraries(tmp_path):
    findings = ml201(tmp_path, {"utils.py": SEED_NUMPY, "train.py": TRAIN_USES_ALL})
    assert [(f.path, f.line) for f in findings] == [("train.py", 8), ("train.py", 10)]
    assert "`random` random generator" in findings[0].message and "`random.seed(seed)`" in findings[0].message
    assert "`torch` random generator" in findings[1].message and "`torch.manual_seed(seed)`" in findings[1].message
    assert not any("`numpy`" in f.message for f in findings)


def test_unseeded_entry_point_names_library_and_fix(tmp_path):
    findings = ml201(tmp_path, {"train.py": """
        import torch

        if __name__ == "__main__":
            x = torch.randn(3)
    """})
    assert codes(findings) == ["ML201"]
    assert (findings[0].line, findings[0].column) == (4, 9)
    assert findings[0].message.startswith("`torch.randn` draws from the `torch` random generator")
    assert "torch.manual_seed(seed)" in findings[0].message


def test_seeding_after_the_first_random_use_reports(tmp_path):
    findings = ml201(tmp_path, {"train.py": """
        import numpy as np

        def main():
            data = np.random.permutation(10)
            np.random.seed(0)
            more = np.random.rand(3)

        if __name__ == "__main__":
            main()
    """})
    assert codes(findings) == ["ML201"]
    assert findings[0].line == 4
    assert "before it is seeded (line 5)" in findings[0].message


def test_seed_after_use_in_a_called_helper_reports_at_the_call(tmp_path):
    findings = ml201(tmp_path, {
        "model.py": """
            import torch.nn as nn

            class Net(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.fc = nn.Linear(4, 2)
        """,
        "train.py": """
            import torch
            from model import Net

            def main():
                net = Net()
                torch.manual_seed(0)
                optimizer = torch.optim.SGD(net.parameters(), lr=0.1)

            if __name__ == "__main__":
                main()
        """,
    })
    assert [(f.line, f.column) for f in findings] == [(5, 11)]
    assert "`Net()` (via `torch.nn.Linear` at model.py:6)" in findings[0].message


def test_one_finding_per_entry_point_and_library(tmp_path):
    findings = ml201(tmp_path, {"train.py": """
        import torch
        import torch.nn as nn

        def main():
            a = nn.Linear(2, 2)
            b = torch.rand(2)
            c = nn.Conv2d(1, 1, 3)
            optimizer = torch.optim.Adam(a.parameters())

        if __name__ == "__main__":
            main()
    """})
    assert [f.line for f in findings] == [5]


def test_weight_initialisation_without_training_is_silent(tmp_path):
    files = {
        "model.py": """
            import torch.nn as nn

            class Net(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.fc = nn.Linear(4, 2)

            if __name__ == "__main__":
                _ = Net()  # smoke test
        """,
        "predict.py": """
            import torch
            from model import Net

            if __name__ == "__main__":
                net = Net()
                net.load_state_dict(torch.load("net.pt", weights_only=True))
                print(net(torch.ones(4)))
        """,
    }
    assert ml201(tmp_path, files) == []


TIMED = """
    import time
    import torch
    from torch import nn

    if __name__ == "__main__":
        batch = torch.rand(64, 3, 224, 224)
        start = time.perf_counter()
        {work}
        print(time.perf_counter() - start)
"""


@pytest.mark.parametrize(
    ("path", "work", "reported"),
    [
        # a benchmark timing operations: its random inputs decide no result
        ("benchmarks/resize.py", "torch.nn.functional.interpolate(batch, size=112)", False),
        # a benchmark that trains: its result depends on the seed
        ("benchmarks/train_speed.py", "nn.Linear(224, 2)(batch).sum().backward(); optimizer.step()", True),
        # the same timing code outside a benchmark folder is an ordinary script
        ("scripts/resize.py", "torch.nn.functional.interpolate(batch, size=112)", True),
    ],
)
def test_benchmarks_that_train_nothing_are_silent(tmp_path, path, work, reported):
    assert bool(ml201(tmp_path, {path: TIMED.format(work=work)})) is reported


EXPORT = """
    import torch
    from model import Net


    def export(path):
        net = Net()
        net.load_state_dict(torch.load("net.pt", weights_only=True))
        dummy = torch.randn(1, 3, 224, 224)
        {call}


    if __name__ == "__main__":
        export("net.onnx")
"""


@pytest.mark.parametrize(
    ("call", "reported"),
    [
        # example inputs of an export or a trace fix shapes, not results
        ("torch.onnx.export(net, dummy, path, dynamic_axes={'x': {0: 'batch'}})", False),
        ("torch.jit.trace(net, dummy).save(path)", False),
        # the same draw feeding a prediction is a result
        ("print(net(dummy))", True),
    ],
)
def test_example_inputs_of_an_export_are_silent(tmp_path, call, reported):
    files = {"model.py": "import torch.nn as nn\n\nclass Net(nn.Linear):\n    pass\n", "export.py": EXPORT.format(call=call)}
    assert bool(ml201(tmp_path, files)) is reported


PICTURES = """
    import numpy as np


    def jitter(color):
        return np.clip(color + np.random.rand(3) * 0.5, 0, 1)
"""
SHOWS_THEN_SHUFFLES = """
    import numpy as np
    from {module} import jitter


    if __name__ == "__main__":
        print(jitter(np.zeros(3)))
        order = np.random.permutation(100)
"""


@pytest.mark.parametrize(
    ("module", "line"),
    [
        # a draw in a module that draws pictures picks a colour: the shuffle is the first draw that counts
        ("utils/visualizer", 7),
        ("colormap", 7),
        ("vis_utils", 7),
        # or in a package that does (shap's plots/_beeswarm.py)
        ("plots/_beeswarm", 7),
        ("visualization/scatter", 7),
        # a module named for more than pictures may draw anything
        ("train_and_plot", 6),
        ("utils/colorize_labels", 6),
        ("models/beeswarm", 6),
    ],
)
def test_draws_in_a_module_that_draws_pictures_pick_colours(tmp_path, module, line):
    files = {f"{module}.py": PICTURES, "show.py": SHOWS_THEN_SHUFFLES.format(module=module.replace("/", "."))}
    assert [f.line for f in ml201(tmp_path, files)] == [line]


PARAMETER_INIT = """
    import torch
    from torch import nn


    class Fourier(nn.Module):
        def __init__(self, dim):
            super().__init__()
            {init}

        def forward(self, x):
            return x * self.weights


    if __name__ == "__main__":
        model = Fourier(16)
        {then}
"""


@pytest.mark.parametrize(
    ("init", "then", "reported"),
    [
        # weights drawn into a parameter are initial weights: they matter once trained
        ("self.weights = nn.Parameter(torch.randn(dim))", "print(model)", False),
        ("weights = torch.randn(dim)\n            self.weights = nn.Parameter(weights)", "print(model)", False),
        ("self.weights = nn.Parameter(torch.randn(dim))", "model(torch.ones(16)).sum().backward()", True),
        # scaled on the way, as diffusers' attention blocks do
        ("self.weights = nn.Parameter(torch.randn(6, dim) / dim**0.5)", "print(model)", False),
        ("self.weights = nn.Parameter(-torch.randn(dim) * 0.02)", "print(model)", False),
        ("self.weights = nn.Parameter(torch.randn(dim) * 0.02)", "model(torch.ones(16)).sum().backward()", True),
        # a draw kept as a plain tensor is not a weight
        ("self.weights = torch.randn(dim)", "print(model)", True),
        ("self.weights = torch.randn(dim) * 0.02", "print(model)", True),
    ],
)
def test_draws_into_parameters_are_initial_weights(tmp_path, init, then, reported):
    assert bool(ml201(tmp_path, {"fourier.py": PARAMETER_INIT.format(init=init, then=then)})) is reported


def test_library_module_without_entry_point_is_silent(tmp_path):
    findings = ml201(tmp_path, {
        "pkg/__init__.py": "",
        "pkg/data.py": """
            import numpy as np

            NOISE = np.random.rand(3)

            def augment(x):
                return x + np.random.normal(size=x.shape)
        """,
        "pkg/train.py": """
            from pkg.data import augment

            def fit(x):
                return augment(x)
        """,
    })
    assert findings == []


def test_module_of_definitions_only_is_silent(tmp_path):
    findings = ml201(tmp_path, {"helpers.py": """
        import random

        def pick(items):
            return random.choice(items)
    """})
    assert findings == []


def test_top_level_script_is_an_entry_point_unless_imported(tmp_path):
    script = """
        import numpy as np

        X = np.random.randn(100, 3)
    """
    assert codes(ml201(tmp_path / "a", {"make_data.py": script})) == ["ML201"]
    imported = ml201(tmp_path / "b", {"make_data.py": script, "train.py": "import make_data\n"})
    assert imported == []


def test_test_modules_are_not_entry_points(tmp_path):
    findings = ml201(tmp_path, {"tests/test_model.py": """
        import numpy as np

        X = np.random.rand(5)

        def test_shape():
            assert X.shape == (5,)
    """})
    assert findings == []


def test_import_time_seeding_of_a_project_module_counts(tmp_path):
    findings = ml201(tmp_path, {
        "seeding.py": """
            import random
            random.seed(0)
        """,
        "run.py": """
            import random
            import seeding

            print(random.random())
        """,
    })
    assert findings == []


def test_import_time_random_use_of_a_project_module_is_followed(tmp_path):
    findings = ml201(tmp_path, {
        "consts.py": """
            import random
            JITTER = random.random()
        """,
        "run.py": """
            import consts

            print(consts.JITTER)
        """,
    })
    assert [(f.path, f.line) for f in findings] == [("run.py", 1)]
    assert "`import consts` (via `random.random` at consts.py:2)" in findings[0].message


@pytest.mark.parametrize(
    ("imports", "call"),
    [
        ("from numpy import random as npr", "npr.rand(3)"),
        ("import numpy.random as nr", "nr.normal(size=3)"),
        ("from numpy.random import shuffle", "shuffle(items)"),
        ("import random as rnd", "rnd.randint(0, 9)"),
        ("import torch.nn as tnn", "tnn.LSTM(4, 4)"),
        ("from torch import nn", "nn.Embedding(10, 4)"),
        ("from torch.nn import init", "init.xavier_uniform_(w)"),
        ("import torch as T", "T.randperm(5)"),
        ("from torch.utils.data import DataLoader", "DataLoader(ds, batch_size=4, shuffle=True)"),
        ("from torch.utils.data import RandomSampler", "RandomSampler(ds)"),
        ("import torchvision.transforms as T", "T.RandomHorizontalFlip()"),
        ("import tensorflow as tf", "tf.random.normal([2])"),
        ("import tensorflow as tf", "tf.keras.layers.Dense(4)"),
        ("from keras import layers", "layers.Conv2D(8, 3)"),
        ("import random", "random.Random()"),
    ],
)
def test_random_use_through_aliases_is_recognised(tmp_path, imports, call):
    # The object is used, and trained after: initial weights only matter for weights that get trained.
    source = f"{imports}\n\nif __name__ == '__main__':\n    x = {call}\n    use(x)\n    model.fit(x)\n"
    source += "    loss.backward()\n"
    findings = ml201(tmp_path, {"run.py": source})
    assert codes(findings) == ["ML201"], call
    assert findings[0].line == 4


@pytest.mark.parametrize(
    "source",
    [
        "from torch.utils.data import DataLoader\nDataLoader(ds, batch_size=4)\n",
        "from torch.utils.data import DataLoader\nDataLoader(ds, shuffle=False)\n",
        "from torch.utils.data import DataLoader\nDataLoader(ds, shuffle=args.shuffle)\n",
        "import torch\nfrom torch.utils.data import DataLoader\ng = torch.Generator()\ng.manual_seed(0)\n"
        "DataLoader(ds, shuffle=True, generator=g)\n",
        "import torch\ng = torch.Generator().manual_seed(0)\ntorch.randn(3, generator=g)\n",
        "import tensorflow as tf\ntf.random.normal([2], seed=1)\n",
        "import torch.nn as nn\nnn.LayerNorm(4)\nnn.ReLU()\nnn.BatchNorm1d(4)\n",
        "import numpy as np\nnp.random.seed(0)\nnp.random.rand(3)\n",
        "import numpy as np\nrng = np.random.default_rng(42)\nrng.normal()\n",
        "import numpy as np\nrng = np.random.default_rng(seed=cfg.seed)\n",
        "from numpy.random import Generator, PCG64\nrng = Generator(PCG64(12345))\n",
        "import jax\nkey = jax.random.PRNGKey(0)\njax.random.normal(key, (3,))\n",
        "def randn():\n    return 4\n\nrandn()\n",
        "import numpy as np\nclass Bag:\n    def shuffle(self):\n        pass\nBag().shuffle()\n",
        "import numpy as np\n# np.random.rand(3) is commented out\ns = 'np.random.rand(3)'\n",
        "import random\nrandom.seed(1)\nrandom.shuffle(items)\n",
    ],
)
def test_explicit_seeds_and_look_alikes_are_silent(tmp_path, source):
    assert ml201(tmp_path, {"run.py": source}) == []


def test_default_rng_without_seed_is_reported_even_after_a_global_seed(tmp_path):
    findings = ml201(tmp_path, {"run.py": """
        import numpy as np

        np.random.seed(0)
        rng = np.random.default_rng()
        noise = rng.normal(size=3)
    """})
    assert [f.line for f in findings] == [4]
    assert "creates a `numpy` generator without a seed" in findings[0].message


def test_unseeded_bit_generator_is_reported(tmp_path):
    findings = ml201(tmp_path, {"run.py": """
        from numpy.random import Generator, PCG64

        rng = Generator(PCG64())
    """})
    assert [(f.line, f.column) for f in findings] == [(3, 17)]


def test_jax_key_from_the_clock_is_reported(tmp_path):
    findings = ml201(tmp_path, {"run.py": """
        import time
        import jax

        key = jax.random.PRNGKey(int(time.time()))
        noise = jax.random.normal(key, (3,))
    """})
    assert codes(findings) == ["ML201"]
    assert "JAX key from the clock" in findings[0].message


@pytest.mark.parametrize(
    ("imports", "seed"),
    [
        ("import lightning as L", "L.seed_everything(42)"),
        ("import pytorch_lightning as pl", "pl.seed_everything(42)"),
        ("from transformers import set_seed", "set_seed(42)"),
        ("from accelerate.utils import set_seed", "set_seed(42)"),
        ("import tensorflow as tf", "tf.keras.utils.set_random_seed(42)"),
        ("import keras", "keras.utils.set_random_seed(42)"),
        ("from lightning.fabric import Fabric", "fabric = Fabric()\nfabric.seed_everything(42)"),
        ("from composer.utils import reproducibility", "reproducibility.seed_all(42)"),
        ("from stable_baselines3.common.utils import set_random_seed", "set_random_seed(42)"),
        ("from ignite.utils import manual_seed", "manual_seed(42)"),
        ("import pyro", "pyro.set_rng_seed(42)"),
        ("import zero", "zero.improve_reproducibility(42)"),
        ("import delu", "delu.random.seed(42)"),
    ],
)
def test_known_all_in_one_seeders(tmp_path, imports, seed):
    source = f"import random\nimport numpy as np\n{imports}\n\n{seed}\nrandom.random()\nnp.random.rand(2)\n"
    assert ml201(tmp_path, {"run.py": source}) == []


def test_tensorflow_seed_covers_keras_layers(tmp_path):
    assert ml201(tmp_path, {"run.py": """
        import tensorflow as tf

        tf.random.set_seed(1)
        model = tf.keras.Sequential([tf.keras.layers.Dense(4)])
    """}) == []


def test_transformers_trainer_and_its_subclasses_seed(tmp_path):
    findings = ml201(tmp_path, {
        "trainer.py": """
            from transformers import Trainer

            class MyTrainer(Trainer):
                pass
        """,
        "run.py": """
            from torch.utils.data import DataLoader
            from trainer import MyTrainer

            if __name__ == "__main__":
                trainer = MyTrainer(model=model, args=args)
                DataLoader(ds, shuffle=True)
        """,
    })
    assert findings == []


def test_super_init_into_a_project_base_class_is_followed(tmp_path):
    findings = ml201(tmp_path, {
        "base.py": """
            import torch.nn as nn

            class Backbone(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.conv = nn.Conv2d(3, 8, 3)
        """,
        "model.py": """
            from base import Backbone

            class Classifier(Backbone):
                def __init__(self):
                    super().__init__()

            class Tiny(Backbone):
                pass
        """,
        "run.py": """
            import torch
            from model import Classifier, Tiny

            if __name__ == "__main__":
                net = Tiny()
                optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
        """,
    })
    assert [f.line for f in findings] == [5]
    assert "`Tiny()` (via `torch.nn.Conv2d` at base.py:6)" in findings[0].message


def test_src_layout_relative_imports_and_aliases(tmp_path):
    files = {
        "src/proj/__init__.py": "",
        "src/proj/utils/__init__.py": "",
        "src/proj/utils/seeding.py": SEED_ALL,
        "src/proj/cli.py": """
            import torch
            from .utils.seeding import set_seed as fix_seeds

            def main():
                fix_seeds(1)
                torch.randn(2)

            if __name__ == "__main__":
                main()
        """,
    }
    assert ml201(tmp_path, files) == []


#: A package publishing its seeding helper from its ``__init__`` (pyro's ``pyro.set_rng_seed``).
REEXPORTING_PACKAGE = {
    "pkg/__init__.py": "from pkg.utils import set_seed\nfrom .models import Net\n",
    "pkg/utils.py": SEED_ALL,
    "pkg/models.py": """
        import torch.nn as nn

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(4, 1)
    """,
}


@pytest.mark.parametrize(
    "imports, seed",
    [
        ("import pkg", "pkg.set_seed(0)"),
        ("from pkg import set_seed", "set_seed(0)"),
        ("import pkg as p", "p.set_seed(0)"),
    ],
    ids=["package-attribute", "from-package", "package-alias"],
)
def test_a_seeder_a_package_reexports_seeds(tmp_path, imports, seed):
    script = f"""
        import torch
        {imports}

        def main():
            torch.randn(3)

        if __name__ == "__main__":
            {seed}
            main()
    """
    assert ml201(tmp_path, {**REEXPORTING_PACKAGE, "examples/run.py": script}) == []


def test_a_class_a_package_reexports_is_followed_to_its_draws(tmp_path):
    findings = ml201(tmp_path, {**REEXPORTING_PACKAGE, "examples/run.py": """
        import torch
        import pkg

        if __name__ == "__main__":
            net = pkg.Net()
            optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
    """})
    assert [f.line for f in findings] == [5]
    assert "via `torch.nn.Linear` at pkg/models.py:6" in findings[0].message


def test_a_name_a_package_defines_itself_is_not_taken_for_its_import(tmp_path):
    files = {
        "pkg/__init__.py": "from pkg.utils import set_seed\n\ndef set_seed(seed):\n    print(seed)\n",
        "pkg/utils.py": SEED_ALL,
        "run.py": "import torch\nimport pkg\n\nif __name__ == '__main__':\n    pkg.set_seed(0)\n    torch.randn(3)\n",
    }
    assert [f.line for f in ml201(tmp_path, files)] == [6]


def test_self_method_seeding_is_followed(tmp_path):
    assert ml201(tmp_path, {"run.py": """
        import torch

        class Experiment:
            def setup(self):
                torch.manual_seed(0)

            def run(self):
                self.setup()
                return torch.rand(2)

        if __name__ == "__main__":
            Experiment().run()
    """}) == []


def test_method_call_on_an_instance_of_a_project_class_is_followed(tmp_path):
    files = {
        "trainer.py": """
            from torch.utils.data import DataLoader

            class Base:
                def loader(self, ds):
                    return DataLoader(ds, shuffle=True)

            class Trainer(Base):
                def run(self, ds):
                    return self.loader(ds)
        """,
        "run.py": """
            from trainer import Trainer

            if __name__ == "__main__":
                trainer = Trainer()
                for batch in trainer.run(ds):
                    pass
        """,
    }
    findings = ml201(tmp_path, files)
    assert [(f.line, f.column) for f in findings] == [(5, 18)]
    assert "`trainer.run()` (via `torch.utils.data.DataLoader` at trainer.py:5)" in findings[0].message


def test_method_chained_on_a_constructor_is_followed(tmp_path):
    files = {
        "experiment.py": """
            import random

            class Experiment:
                def run(self):
                    return random.random()
        """,
        "run.py": "from experiment import Experiment\n\nExperiment().run()\n",
    }
    findings = ml201(tmp_path, files)
    assert [(f.line, f.column) for f in findings] == [(3, 1)]
    assert "(via `random.random` at experiment.py:5)" in findings[0].message


@pytest.mark.parametrize(
    ("imports", "runner"),
    [
        ("import fire", "fire.Fire(main)"),
        ("import torch.multiprocessing as mp", "mp.spawn(main, nprocs=2)"),
        ("from jsonargparse import CLI", "CLI(main)"),
    ],
)
def test_functions_handed_to_a_runner_count_as_called(tmp_path, imports, runner):
    source = f"import random\n{imports}\n\ndef main():\n    return random.random()\n\nif __name__ == '__main__':\n    {runner}\n"
    assert [f.line for f in ml201(tmp_path, {"run.py": source})] == [5]


@pytest.mark.parametrize(
    "guard, drawn",
    [
        ("'PYTEST_CURRENT_TEST' in os.environ", False),
        ("HAS_KERNEL and 'PYTEST_CURRENT_TEST' in os.environ and torch.cuda.is_available()", False),
        ("os.getenv('PYTEST_CURRENT_TEST')", False),
        ("os.environ.get('PYTEST_VERSION')", False),
        ("'pytest' in sys.modules", False),
        ("HAS_KERNEL or 'PYTEST_CURRENT_TEST' in os.environ", True),
        ("'PYTEST_CURRENT_TEST' not in os.environ", True),
        ("os.getenv('CI')", True),
    ],
)
def test_a_draw_only_a_pytest_run_makes_is_not_made_on_import(tmp_path, guard, drawn):
    library = f"""
        import os
        import sys

        import torch

        HAS_KERNEL = True
        if {guard}:
            try:
                probe = torch.randn(3, 4)
            except RuntimeError:
                HAS_KERNEL = False
    """
    script = "import torch\nimport lib\n\nif __name__ == '__main__':\n    torch.manual_seed(0)\n    print(torch.randn(2))\n"
    findings = ml201(tmp_path, {"lib/__init__.py": library, "run.py": script})
    assert [f.line for f in findings] == ([2] if drawn else [])


def test_what_a_package_hands_over_at_import_time_is_registered_not_run(tmp_path):
    """A package registering its model classes as it is imported
    (``register_method(model_cls=Encoder)``, as peft does) builds none, and one
    registering functions (evidently's ``register_stattest(empirical_mmd,
    _mmd_stattest)``) runs none: importing it draws nothing."""
    files = {
        "pkg/__init__.py": "from pkg.encoder import Encoder, warm_up\nfrom pkg.registry import register\n\n"
                           "register(name='encoder', model_cls=Encoder)\nregister(name='warm', hook=warm_up)\n",
        "pkg/registry.py": "TABLE = {}\n\n\ndef register(name, **entries):\n    TABLE[name] = entries\n",
        "pkg/encoder.py": """
            import torch

            class Encoder(torch.nn.Module):
                def __init__(self):
                    super().__init__()
                    self.weight = torch.nn.Parameter(torch.empty(4))
                    torch.nn.init.normal_(self.weight)

            def warm_up():
                return torch.randn(1)
        """,
        "train.py": """
            import torch

            import pkg

            torch.manual_seed(0)
            model = torch.nn.Linear(4, 1)
            optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
            model(torch.rand(2, 4)).sum().backward()
            optimizer.step()
        """,
    }
    assert ml201(tmp_path, files) == []


def test_a_function_an_entry_script_hands_over_on_its_top_level_runs(tmp_path):
    source = "import random\nimport fire\n\ndef main():\n    return random.random()\n\nfire.Fire(main)\n"
    assert [f.line for f in ml201(tmp_path, {"run.py": source})] == [5]


CLOSURE_FACTORY = """
    import torch

    def build(size):
        return torch.randn(size)

    def make_entrypoint(size):
        def entrypoint(**options):
            return build(size, **options)
        {use}
        return entrypoint

    ENTRYPOINTS = {{name: make_entrypoint(size) for name, size in [("small", 2), ("large", 8)]}}
"""


@pytest.mark.parametrize(("use", "drawn"), [
    ("", False),  # made to be returned: runs when torch.hub calls it
    ("entrypoint.__doc__ = f'Loads the {{size}} model'", False),
    ("entrypoint(warm=True)", True),  # called inside: runs with the factory
    ("REGISTRY.append(entrypoint)", True),  # handed on: may run there
])
def test_a_closure_runs_with_its_factory_only_when_the_factory_uses_it(tmp_path, use, drawn):
    """hubconf.py builds torch.hub entry points at import time: the closures a
    factory returns draw nothing until they are called."""
    findings = ml201(tmp_path, {"hubconf.py": CLOSURE_FACTORY.format(use=use)})
    assert bool(findings) is drawn


def test_variable_of_ambiguous_type_is_not_followed(tmp_path):
    files = {
        "shapes.py": """
            import random

            class Noisy:
                def draw(self):
                    return random.random()

            class Quiet:
                def draw(self):
                    return 0
        """,
        "run.py": """
            from shapes import Noisy, Quiet

            if __name__ == "__main__":
                shape = Noisy() if flag else None
                shape = Quiet()
                shape.draw()
        """,
    }
    assert ml201(tmp_path, files) == []


def test_cyclic_class_hierarchy_terminates(tmp_path):
    findings = ml201(tmp_path, {"run.py": """
        import torch

        class A(B):
            pass

        class B(A):
            pass

        if __name__ == "__main__":
            a = A()
            a.fit()
            torch.rand(1)
    """})
    assert [f.line for f in findings] == [12]


def test_recursive_helpers_terminate(tmp_path):
    findings = ml201(tmp_path, {"run.py": """
        import random

        def a(n):
            return b(n - 1) if n else random.random()

        def b(n):
            return a(n)

        if __name__ == "__main__":
            a(3)
    """})
    # The deepest place in the entry file on the path to the use is reported.
    assert [(f.line, f.column) for f in findings] == [(4, 31)]


def test_configured_extra_seeders(tmp_path):
    files = {
        "pyproject.toml": '[tool.mllint.rules.ML201]\nseeders = ["common.fix_all_seeds"]\n',
        "run.py": """
            import torch
            from common import fix_all_seeds

            fix_all_seeds()
            torch.rand(2)
        """,
    }
    assert ml201(tmp_path, files) == []
    (tmp_path / "pyproject.toml").write_text("")
    assert codes(lint_tree(tmp_path, select=["ML201"])) == ["ML201"]


def test_suppression_comment(tmp_path):
    findings = ml201(tmp_path, {"run.py": "import torch\ntorch.rand(2)  # mllint: ignore[unseeded-randomness]\n"})
    assert findings == []


# -- ML201: objects that draw when they are used ----------------------------------------

RNG_UTILS = """
import random
import numpy as np

RNG = np.random.default_rng()
PY_RNG = random.Random()

def jitter(x):
    return x + RNG.normal()

def pick(items):
    return PY_RNG.choice(items)

def scale(x):
    return 2 * x
"""


@pytest.mark.parametrize(
    ("call", "via"),
    [
        ("utils.jitter(1.0)", "`utils.jitter()` (via `numpy.random.default_rng` at utils.py:4)"),
        ("utils.pick([1, 2])", "`utils.pick()` (via `random.Random` at utils.py:5)"),
        ("utils.RNG.integers(5)", "`utils.RNG.integers()` (via `numpy.random.default_rng` at utils.py:4)"),
    ],
)
def test_module_level_generator_of_a_library_module_is_reported_where_the_path_draws(tmp_path, call, via):
    run = f"import utils\n\nif __name__ == '__main__':\n    utils.scale(1)\n    {call}\n"
    files = {"utils.py": RNG_UTILS, "run.py": run}
    findings = ml201(tmp_path, files)
    assert [(f.path, f.line) for f in findings] == [("run.py", 5)]
    assert via in findings[0].message and "without a seed" in findings[0].message


@pytest.mark.parametrize(
    "run",
    [
        "import utils\n\nif __name__ == '__main__':\n    utils.scale(1)\n",
        "from utils import scale\n\nprint(scale(2))\n",
        "import utils\n\ndef main():\n    RNG = object()\n    return RNG\n\nmain()\n",
    ],
)
def test_module_level_generator_the_path_never_draws_from_is_silent(tmp_path, run):
    assert ml201(tmp_path, {"utils.py": RNG_UTILS, "run.py": run}) == []


def test_function_shadowing_a_module_generator_does_not_draw_from_it(tmp_path):
    utils = RNG_UTILS + "\ndef own(seed):\n    RNG = np.random.default_rng(seed)\n    return RNG.normal()\n"
    assert ml201(tmp_path, {"utils.py": utils, "run.py": "import utils\n\nutils.own(3)\n"}) == []


def test_generator_of_an_entry_point_is_reported_at_its_creation_once_used(tmp_path):
    findings = ml201(tmp_path, {"run.py": """
        import numpy as np

        rng = np.random.default_rng()

        def main():
            return rng.normal()

        if __name__ == "__main__":
            main()
    """})
    assert [(f.line, f.column) for f in findings] == [(3, 7)]


LOADER_SCRIPT = """
import torch
from torch.utils.data import DataLoader, RandomSampler
from torchvision import datasets, transforms

def main(args):
    {body}

if __name__ == "__main__":
    main(parse())
"""


@pytest.mark.parametrize(
    "body",
    [
        # built before the seed, iterated after it
        "loader = DataLoader(ds, batch_size=8, shuffle=True)\n    torch.manual_seed(0)\n"
        "    for batch in loader:\n        step(batch)",
        "loader = DataLoader(ds, shuffle=True)\n    print(len(loader), loader.batch_size)\n    torch.manual_seed(0)\n"
        "    first = next(iter(loader))",
        "loader = DataLoader(ds, shuffle=True)\n    if loader is None:\n        return\n    torch.manual_seed(0)\n"
        "    trainer.fit(model, loader)",
        "sampler = RandomSampler(ds)\n    loader = DataLoader(ds, sampler=sampler)\n    torch.manual_seed(0)\n"
        "    for batch in loader:\n        step(batch)",
        "augment = transforms.Compose([transforms.RandomCrop(32), transforms.ToTensor()])\n"
        "    train_set = datasets.CIFAR10('data', transform=augment)\n"
        "    loader = DataLoader(train_set, batch_size=8)\n"
        "    torch.manual_seed(0)\n    for batch in loader:\n        step(batch)",
        # built and never used, or no longer held when the loop runs
        "DataLoader(ds, shuffle=True)\n    unused = RandomSampler(ds)",
        "loader = DataLoader(ds, shuffle=True)\n    loader = DataLoader(ds)\n    for batch in loader:\n"
        "        step(batch)\n    torch.manual_seed(0)",
    ],
)
def test_loader_built_before_the_seed_and_used_after_it_is_silent(tmp_path, body):
    assert ml201(tmp_path, {"train.py": LOADER_SCRIPT.format(body=body)}) == []


@pytest.mark.parametrize(
    ("body", "line"),
    [
        ("loader = DataLoader(ds, shuffle=True)\n    for batch in loader:\n        step(batch)\n"
         "    torch.manual_seed(0)", 6),
        ("loader = DataLoader(ds, shuffle=True)\n    trainer.fit(model, loader)", 6),
        ("sampler = RandomSampler(ds)\n    loader = DataLoader(ds, sampler=sampler)\n    batch = next(iter(loader))\n"
         "    torch.manual_seed(0)", 6),
        ("loader = DataLoader(ds)\n    loader = DataLoader(ds, shuffle=True)\n    for batch in loader:\n"
         "        step(batch)\n    torch.manual_seed(0)", 7),
    ],
)
def test_loader_used_before_any_seed_is_reported_at_its_creation(tmp_path, body, line):
    findings = ml201(tmp_path, {"train.py": LOADER_SCRIPT.format(body=body)})
    assert [f.line for f in findings] == [line]
    assert "`DataLoader`" in findings[0].message or "`RandomSampler`" in findings[0].message


LOADERS_HELPER = """
from torch.utils.data import DataLoader

def make_loaders(train, valid):
    train_loader = DataLoader(train, shuffle=True)
    valid_loader = DataLoader(valid)
    return train_loader, valid_loader
"""


@pytest.mark.parametrize(
    ("main", "lines"),
    [
        ("train_loader, valid_loader = make_loaders(a, b)\n    torch.manual_seed(0)\n"
         "    for batch in train_loader:\n        step(batch)", []),
        ("train_loader, valid_loader = make_loaders(a, b)\n    for batch in train_loader:\n        step(batch)\n"
         "    torch.manual_seed(0)", [5]),
        ("for batch in make_loaders(a, b)[0]:\n        step(batch)", [5]),
        ("make_loaders(a, b)", []),
    ],
)
def test_loaders_returned_by_a_helper_draw_where_the_caller_uses_them(tmp_path, main, lines):
    run = f"import torch\nfrom data import make_loaders\n\ndef main():\n    {main}\n\nmain()\n"
    findings = ml201(tmp_path, {"data.py": LOADERS_HELPER, "run.py": run})
    assert [f.line for f in findings] == lines
    assert all("(via `torch.utils.data.DataLoader` at data.py:4)" in f.message for f in findings)


def test_module_level_loader_of_a_script_iterated_after_the_seed_is_silent(tmp_path):
    source = """
        import torch
        from torch.utils.data import DataLoader

        loader = DataLoader(dataset, shuffle=True)

        def main():
            torch.manual_seed(0)
            for batch in loader:
                step(batch)

        if __name__ == "__main__":
            main()
    """
    assert ml201(tmp_path, {"train.py": source}) == []
    early = source.replace("torch.manual_seed(0)\n            for", "for")
    early = early.replace("step(batch)", "step(batch)\n            torch.manual_seed(0)")
    assert [f.line for f in ml201(tmp_path / "early", {"train.py": early})] == [4]


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        (["import tensorflow as tf\ndense = tf.keras.layers.Dense(50, kernel_initializer='he_normal')\n",
          "init = tf.keras.initializers.HeNormal()\nlayer = tf.keras.layers.Dense(10, kernel_initializer=init)\n",
          "tf.random.set_seed(42)\nmodel = tf.keras.Sequential([tf.keras.layers.Dense(1)])\nmodel.fit(X, y)\n"], []),
        (["import tensorflow as tf\nmodel = tf.keras.Sequential()\nmodel.add(tf.keras.layers.Dense(3))\n",
          "tf.random.set_seed(42)\nmodel.fit(X, y)\n"], [(1, 3)]),
    ],
)
def test_keras_layers_draw_their_weights_when_built_into_a_model(tmp_path, cells, expected):
    findings = lint_tree(tmp_path, {"nb.ipynb": notebook_json(cells)}, select=["ML201"])
    assert [(f.cell, f.line) for f in findings] == expected


@pytest.mark.parametrize(
    ("source", "lines"),
    [
        ("import random\nimport torch\n\nseed = random.randint(1, 10000)\nprint('seed', seed)\n"
         "random.seed(seed)\ntorch.manual_seed(seed)\nx = torch.rand(2)\n", []),
        ("import random\n\nclass Opt:\n    seed = None\n\nopt = Opt()\nif opt.seed is None:\n"
         "    opt.seed = random.randint(1, 10000)\nrandom.seed(opt.seed)\nrandom.random()\n", []),
        ("import random\nimport numpy as np\n\nseed = args.seed if args.seed else int(random.random() * 1e6)\n"
         "np.random.seed(seed)\nrandom.seed(seed)\n", []),
        ("import random\n\nvalue = random.randint(1, 10000)\nprint(value)\nrandom.seed(0)\n", [3]),
        ("import random\n\nseed = random.randint(1, 10000)\nrandom.shuffle(items)\n", [3]),
    ],
)
def test_a_seed_drawn_at_random_to_seed_with_is_not_an_unseeded_use(tmp_path, source, lines):
    assert [f.line for f in ml201(tmp_path, {"run.py": source})] == lines


# -- ML201: notebooks ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("assignment", "reported"),
    [
        ("port = random.randint(10000, 60000)", False),
        ("cfg.distributed_port = random.randint(10000, 60000)", False),
        ("os.environ['MASTER_PORT'] = str(random.randint(10000, 20000))", False),
        ("master_port = 29500 + random.randint(0, 100)", False),
        ("report = random.randint(10000, 60000)", True),
        ("ports = random.sample(range(10000, 60000), 2)", True),
    ],
)
def test_a_port_drawn_at_random_decides_no_result(tmp_path, assignment, reported):
    source = f"import os\nimport random\n\nclass Cfg:\n    pass\n\ncfg = Cfg()\n{assignment}\nprint('ready')\n"
    findings = lint_source(tmp_path, source, select=["ML201"])
    assert [f.line for f in findings] == ([8] if reported else [])


@pytest.mark.parametrize(
    ("body", "reported"),
    [
        ("name = ''.join(random.choices(string.ascii_letters + string.digits, k=6))", False),
        ("name = ''.join(random.choice(string.ascii_lowercase) for _ in range(8))", False),
        ("rng = random.Random()\nname = ''.join(rng.choices(string.hexdigits, k=6))", False),
        ("from string import ascii_letters\nname = random.sample(ascii_letters, 4)", False),
        ("name = random.choice(['a', 'b'])", True),
        ("rng = random.Random()\nname = ''.join(rng.choices(string.digits, k=6))\nx = rng.random()", True),
        ("name = ''.join(random.choices(string.ascii_letters + extra, k=6))", True),
    ],
    ids=["choices", "choice", "generator", "imported-alphabet", "a-list", "generator-then-draws", "mixed"],
)
def test_characters_picked_for_a_name_decide_no_result(tmp_path, body, reported):
    source = f"import random\nimport string\n\nextra = '-'\n{body}\nprint(name)\n"
    assert bool(lint_source(tmp_path, source, select=["ML201"])) is reported


@pytest.mark.parametrize(
    ("source", "reported"),
    [
        ("rnd = random.Random()\nrnd.seed(args.seed)\nprint(rnd.random())\n", False),
        ("rs = np.random.RandomState()\nrs.seed(seed=7)\nprint(rs.rand())\n", False),
        ("g = torch.Generator()\ng.manual_seed(0)\nprint(torch.rand(2, generator=g))\n", False),
        ("rnd = random.Random()\nrnd.seed()\nprint(rnd.random())\n", True),
        ("rnd = random.Random()\nrnd.seed(None)\nprint(rnd.random())\n", True),
        ("rnd = random.Random()\nprint(rnd.random())\nrnd.seed(args.seed)\n", True),
    ],
    ids=["random", "numpy-keyword", "torch-generator", "no-seed", "seed-none", "seeded-after-a-draw"],
)
def test_a_generator_seeded_before_its_first_draw_is_seeded(tmp_path, source, reported):
    header = "import random\nimport sys\n\nimport numpy as np\nimport torch\n\nargs = sys.argv\nseed = 1\n"
    findings = lint_source(tmp_path, header + source, select=["ML201"])
    assert bool(findings) is reported


_KEPT_LOADER = """
import torch
from torch.utils.data import DataLoader


class Trainer:
    def __init__(self, data, seed):
        {body}

    def train(self):
        for batch in self.loader:
            print(batch)


if __name__ == "__main__":
    Trainer([1, 2], 0).train()
"""


@pytest.mark.parametrize(
    ("body", "reported"),
    [
        # trl's PPO trainer: the loader kept on the object, then the seed, then the object used
        ("self.loader = DataLoader(data, shuffle=True)\n        torch.manual_seed(seed)\n        self.ready = True", False),
        ("self.loader = DataLoader(data, shuffle=True)\n        self.ready = True\n        torch.manual_seed(seed)", True),
        ("self.loader = DataLoader(data, shuffle=True)\n        print(next(iter(self.loader)))\n        torch.manual_seed(seed)", True),
        # nothing in the function touches the object again: it counts as used where built
        ("self.loader = DataLoader(data, shuffle=True)", True),
    ],
    ids=["seeded-before-the-object-is-touched", "touched-then-seeded", "iterated-then-seeded", "never-touched"],
)
def test_an_object_kept_in_an_attribute_is_used_where_its_holder_is_next_touched(tmp_path, body, reported):
    source = _KEPT_LOADER.format(body=body)
    assert bool(lint_source(tmp_path, source, select=["ML201"])) is reported


@pytest.mark.parametrize(
    ("body", "reported"),
    [
        ("self.noise = lambda x: torch.randn_like(x)", False),
        ("noise: object = lambda x: torch.randn_like(x)", False),
        ("print(sorted([3, 1], key=lambda x: torch.rand(1).item()))", True),
        ("self.noise = torch.randn(3)", True),
        ("noise = lambda x: torch.randn_like(x)\n        print(noise(torch.ones(2)))", True),
    ],
    ids=["kept-in-an-attribute", "annotated", "handed-to-a-call", "a-draw", "called-by-its-name"],
)
def test_a_lambda_kept_for_later_draws_when_called_not_when_made(tmp_path, body, reported):
    source = (
        "import torch\n\n\nclass Sampler:\n    def __init__(self):\n        " + body + "\n\n\n"
        "if __name__ == '__main__':\n    Sampler()\n"
    )
    assert bool(lint_source(tmp_path, source, select=["ML201"])) is reported


def test_a_method_called_on_a_call_is_shown_with_it(tmp_path):
    findings = ml201(tmp_path, {
        "base.py": "import torch\n\n\nclass Base:\n    def __init__(self):\n        self.w = torch.randn(3)\n",
        "run.py": (
            "from base import Base\n\n\nclass Sampler(Base):\n    def __init__(self):\n        super().__init__()\n\n\n"
            "if __name__ == '__main__':\n    Sampler()\n"
        ),
    })
    assert [f.line for f in findings] == [6]
    assert findings[0].message.startswith("`super().__init__()` (via `torch.randn` at base.py:6)")


@pytest.mark.parametrize(
    ("seeding", "reported"),
    [
        ("np.random.seed(0)", False),
        ("np.random.seed(seed=0)", False),
        ("np.random.seed()", True),
        ("np.random.seed(None)", True),
        ("random.seed()", True),
        ("random.seed(7)", False),
    ],
)
def test_a_seeding_call_given_no_seed_seeds_from_the_clock(tmp_path, seeding, reported):
    draw = "random.random()" if seeding.startswith("random") else "np.random.rand()"
    source = f"import random\n\nimport numpy as np\n\n{seeding}\nprint({draw})\n"
    assert bool(lint_source(tmp_path, source, select=["ML201"])) is reported


def test_a_call_that_draws_and_then_seeds_says_so(tmp_path):
    findings = ml201(tmp_path, {
        "lib.py": "import numpy as np\n\n\ndef explain(x):\n    noise = np.random.randn(3)\n    np.random.seed(0)\n    return x + noise\n",
        "run.py": "from lib import explain\n\nif __name__ == '__main__':\n    print(explain(1))\n",
    })
    assert [f.line for f in findings] == [4]
    assert "before the code it runs seeds it; call `np.random.seed(seed)` before it" in findings[0].message


@pytest.mark.parametrize(
    ("expression", "reported"),
    [
        ("x + np.random.randn(3) * 1e-8", False),
        ("x + 1e-10 * np.random.rand(3)", False),
        ("x + np.random.randn(3) / 1e6", False),
        ("x - np.random.randn(3) * -1e-7", False),
        ("x + np.random.randn(3) * 0.01", True),
        ("x + np.random.randn(3) * eps", True),
        ("x + 1e6 / np.random.rand(3)", True),
    ],
)
def test_a_draw_scaled_to_nothing_breaks_ties_and_decides_no_result(tmp_path, expression, reported):
    source = f"import numpy as np\n\nx = np.zeros(3)\neps = 1e-8\nprint({expression})\n"
    assert bool(lint_source(tmp_path, source, select=["ML201"])) is reported


def test_notebook_seeded_in_its_first_cell_is_silent(tmp_path):
    nb = notebook_json([
        "import numpy as np\nimport torch\nnp.random.seed(0)\ntorch.manual_seed(0)\n",
        ("markdown", "# Training"),
        "x = np.random.rand(3)\nmodel = torch.nn.Linear(3, 1)\n",
    ])
    assert lint_tree(tmp_path, {"analysis.ipynb": nb}, select=["ML201"]) == []


def test_unseeded_notebook_finding_lands_on_the_right_cell(tmp_path):
    nb = notebook_json([
        "import numpy as np\n%matplotlib inline\n",
        ("markdown", "# Data"),
        "df = load()\n",
        "sample = df.iloc[np.random.permutation(10)]\n",
    ])
    findings = lint_tree(tmp_path, {"analysis.ipynb": nb}, select=["ML201"])
    assert [(f.cell, f.line, f.column) for f in findings] == [(4, 1, 18)]


def test_notebook_seeded_in_a_later_cell_names_that_cell(tmp_path):
    nb = notebook_json([
        "import numpy as np\nidx = np.random.permutation(5)\n",
        ("markdown", "Now seed"),
        "np.random.seed(42)\n",
    ])
    findings = lint_tree(tmp_path, {"nb.ipynb": nb}, select=["ML201"])
    assert [(f.cell, f.line) for f in findings] == [(1, 2)]
    assert "before it is seeded (cell 3)" in findings[0].message


def test_notebook_seeding_helper_from_the_project(tmp_path):
    nb = notebook_json(["from utils import set_seed\nimport torch\nset_seed(1)\n", "torch.randn(2)\n"])
    findings = lint_tree(tmp_path, {"explore.ipynb": nb, "utils.py": d(SEED_ALL)}, select=["ML201"])
    assert findings == []


def test_notebook_importing_a_script_makes_it_a_library(tmp_path):
    nb = notebook_json(["import numpy as np\nnp.random.seed(0)\nimport features\n"])
    files = {"nb.ipynb": nb, "features.py": "import numpy as np\nNOISE = np.random.rand(3)\n"}
    findings = lint_tree(tmp_path, files, select=["ML201"])
    assert findings == []


# -- ML202 -------------------------------------------------------------------------


def ml202(tmp_path: Path, source: str) -> list:
    return lint_source(tmp_path, d(source), select=["ML202"])


@pytest.mark.parametrize(
    "source",
    [
        "from sklearn.model_selection import train_test_split\ntrain_test_split(X, y, test_size=0.2)\n",
        "from sklearn.ensemble import RandomForestClassifier\nRandomForestClassifier(n_estimators=10)\n",
        "from sklearn import ensemble as ens\nens.ExtraTreesRegressor()\n",
        "import sklearn.cluster\nsklearn.cluster.KMeans(n_clusters=3)\n",
        "from sklearn.model_selection import KFold\nKFold(n_splits=5, shuffle=True)\n",
        "from sklearn.model_selection import StratifiedKFold\nStratifiedKFold(5, shuffle=True)\n",
        "from sklearn.decomposition import PCA\nPCA(n_components=2, svd_solver='randomized')\n",
        "from sklearn.decomposition import PCA\nPCA(svd_solver='arpack')\n",
        "from sklearn.linear_model import LogisticRegression\nLogisticRegression(solver='saga')\n",
        "from sklearn.linear_model import LogisticRegression\nLogisticRegression(solver='liblinear')\n",
        "from sklearn.linear_model import SGDClassifier\nSGDClassifier()\n",
        "from sklearn.neural_network import MLPClassifier\nMLPClassifier()\n",
        "from sklearn.model_selection import RandomizedSearchCV\nRandomizedSearchCV(est, dist)\n",
        "from sklearn.datasets import make_classification\nmake_classification(n_samples=100)\n",
        "from sklearn.utils import shuffle\nshuffle(X, y)\n",
        "from sklearn.manifold import TSNE\nTSNE(n_components=2)\n",
    ],
)
def test_random_state_missing_is_reported(tmp_path, source):
    findings = ml202(tmp_path, source)
    assert codes(findings) == ["ML202"]
    assert findings[0].line == 2


@pytest.mark.parametrize(
    "source",
    [
        "from sklearn.model_selection import train_test_split\ntrain_test_split(X, y, random_state=0)\n",
        "from sklearn.model_selection import train_test_split\ntrain_test_split(X, y, shuffle=False)\n",
        "from sklearn.ensemble import RandomForestClassifier\nRandomForestClassifier(random_state=SEED)\n",
        "from sklearn.ensemble import RandomForestClassifier\nRandomForestClassifier(**params)\n",
        "from sklearn.model_selection import KFold\nKFold(n_splits=5)\n",
        "from sklearn.model_selection import KFold\nKFold(5, shuffle=False)\n",
        "from sklearn.model_selection import KFold\nKFold(5, shuffle=True, random_state=cfg.seed)\n",
        "from sklearn.decomposition import PCA\nPCA(n_components=2)\n",
        "from sklearn.decomposition import PCA\nPCA(svd_solver='full')\n",
        "from sklearn.decomposition import PCA\nPCA(svd_solver=solver)\n",
        "from sklearn.linear_model import LogisticRegression\nLogisticRegression()\n",
        "from sklearn.linear_model import LogisticRegression\nLogisticRegression(solver='lbfgs')\n",
        "from xgboost import XGBClassifier\nXGBClassifier(seed=7)\n",
        # the gradient-boosting libraries seed their native code with a fixed number when left unset
        "from xgboost import XGBClassifier\nXGBClassifier(n_estimators=100, subsample=0.8)\n",
        "import lightgbm as lgb\nlgb.LGBMRegressor(bagging_fraction=0.8, bagging_freq=1)\n",
        "from catboost import CatBoostClassifier\nCatBoostClassifier(iterations=10)\n",
        "from catboost import CatBoost\nCatBoost()\n",
        "from catboost import CatBoostClassifier\nCatBoostClassifier(random_seed=7)\n",
        "import lightgbm as lgb\nlgb.LGBMClassifier(seed=3)\n",
        "from sklearn.linear_model import LinearRegression\nLinearRegression()\n",
        "class RandomForestClassifier:\n    pass\nRandomForestClassifier()\n",
        "import sklearn\nmodel.fit(X)  # RandomForestClassifier() in a comment\n",
        "import sklearn\nfrom mylib import train_test_split\ntrain_test_split(X, y)\n",
        "from sklearn.ensemble import BaggingClassifier\nfrom sklearn.tree import DecisionTreeClassifier\n"
        "BaggingClassifier(DecisionTreeClassifier(), random_state=42)\n",
        "from sklearn.ensemble import AdaBoostClassifier\nfrom sklearn.tree import DecisionTreeClassifier\n"
        "AdaBoostClassifier(estimator=DecisionTreeClassifier(max_depth=1), random_state=42)\n",
    ],
)
def test_random_state_set_or_not_needed_is_silent(tmp_path, source):
    assert ml202(tmp_path, source) == []


def test_estimators_inside_non_seeding_wrappers_are_still_reported(tmp_path):
    findings = ml202(tmp_path, """
        from sklearn.decomposition import PCA
        from sklearn.linear_model import SGDClassifier
        from sklearn.pipeline import make_pipeline

        clf = make_pipeline(PCA(random_state=42), SGDClassifier())
    """)
    assert [(f.line, f.column) for f in findings] == [(5, 43)]


SEEDED_AFTER = {
    "cloned with the owner's seed": """
        from sklearn.ensemble import RandomForestClassifier
        from sktime.base._base import _clone_estimator

        class Catch22Classifier:
            def _fit(self, X, y):
                estimator = self.estimator
                if estimator is None:
                    estimator = RandomForestClassifier(n_estimators=200)
                estimator = _clone_estimator(estimator, self.random_state)
    """,
    "set_params on the name": """
        from sklearn.ensemble import RandomForestClassifier

        def build(seed):
            model = RandomForestClassifier()
            model.set_params(random_state=seed)
            return model
    """,
    "set_params on a clone": """
        from sklearn.base import clone
        from sklearn.tree import DecisionTreeClassifier

        def build(rs):
            tree = DecisionTreeClassifier()
            return [clone(tree).set_params(random_state=rs) for _ in range(3)]
    """,
    "an attribute seeded in another method": """
        from sklearn.tree import DecisionTreeClassifier
        from sklearn.utils._testing import set_random_state

        class Forest:
            def __init__(self):
                self._base_estimator = DecisionTreeClassifier(criterion="entropy")

            def _fit_one(self, rng):
                tree = clone(self._base_estimator)
                set_random_state(self._base_estimator, rng)
    """,
    "set_params on the top level": """
        from sklearn.ensemble import RandomForestClassifier

        clf = RandomForestClassifier(n_estimators=100)
        clf.set_params(random_state=42)
    """,
    "parameter sets for the test harness": """
        from sklearn.ensemble import RandomForestClassifier

        class TSFreshClassifier:
            @classmethod
            def get_test_params(cls, parameter_set="default"):
                return [{"estimator": RandomForestClassifier(n_estimators=2)}, {}]
    """,
    "an attribute assigned": """
        from sklearn.cluster import KMeans

        def build(seed):
            km = KMeans(n_clusters=3)
            km.random_state = seed
            return km
    """,
    "the project's estimator taking a seed": """
        from sklearn.ensemble import RandomForestClassifier
        from sktime.classification.feature_based import SummaryClassifier

        clf = SummaryClassifier(estimator=RandomForestClassifier(n_estimators=10), random_state=0)
    """,
}


@pytest.mark.parametrize("source", SEEDED_AFTER.values(), ids=SEEDED_AFTER)
def test_an_estimator_seeded_once_it_is_made_is_silent(tmp_path, source):
    assert ml202(tmp_path, source) == []


SEEDED_NOTHING = {
    "a search seeds its own sampling": """
        from sklearn.ensemble import RandomForestClassifier
        from sklearn.model_selection import RandomizedSearchCV

        def tune(grid):
            model = RandomForestClassifier()
            return RandomizedSearchCV(model, grid, random_state=0)
    """,
    "a method of another name": """
        from sklearn.ensemble import RandomForestClassifier

        class TSFreshClassifier:
            @classmethod
            def default_params(cls):
                return {"estimator": RandomForestClassifier(n_estimators=2)}
    """,
    "a seed given as None": """
        from sklearn.ensemble import RandomForestClassifier

        clf = MyWrapper(estimator=RandomForestClassifier(), random_state=None)
    """,
    "another estimator seeded": """
        from sklearn.ensemble import RandomForestClassifier

        def build(seed):
            model = RandomForestClassifier()
            other = RandomForestClassifier(random_state=seed)
            other.set_params(random_state=seed)
            return model, other
    """,
    "a name seeded before it is bound again": """
        from sklearn.ensemble import RandomForestClassifier
        from sktime.base._base import _clone_estimator

        def build(estimator, seed):
            estimator = _clone_estimator(estimator, seed)
            estimator = RandomForestClassifier()
            return estimator
    """,
}


@pytest.mark.parametrize("source", SEEDED_NOTHING.values(), ids=SEEDED_NOTHING)
def test_an_estimator_no_seed_reaches_is_reported(tmp_path, source):
    assert codes(ml202(tmp_path, source)) == ["ML202"]


def test_random_state_message_names_condition_and_parameter(tmp_path):
    findings = ml202(tmp_path, "from sklearn.model_selection import KFold\nKFold(5, shuffle=True)\n")
    assert "`KFold`" in findings[0].message
    assert "`shuffle` is truthy" in findings[0].message
    assert "`random_state=<seed>`" in findings[0].message


def test_random_state_in_a_notebook_cell(tmp_path):
    nb = notebook_json(["import sklearn.model_selection as ms\n", "a, b = ms.train_test_split(df)\n"])
    findings = lint_tree(tmp_path, {"nb.ipynb": nb}, select=["ML202"])
    assert [(f.cell, f.line) for f in findings] == [(2, 1)]


# -- ML202: NumPy's global generator seeded on the path ------------------------------


def ml202_tree(tmp_path: Path, files: dict[str, str]) -> list:
    return lint_tree(tmp_path, {name: d(text) for name, text in files.items()}, select=["ML202"])


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        (["import numpy as np\nnp.random.seed(42)\n", "from sklearn.model_selection import train_test_split\n"
          "a, b = train_test_split(df)\n"], []),
        (["from utils import set_seed\nset_seed(42)\n", "from sklearn.cluster import KMeans\nKMeans(3).fit(X)\n"], []),
        (["from sklearn.model_selection import train_test_split\na, b = train_test_split(df)\n",
          "import numpy as np\nnp.random.seed(42)\n"], [(1, 2)]),
        (["from utils import set_torch_seed\nset_torch_seed(42)\n", "from sklearn.cluster import KMeans\nKMeans(3)\n"],
         [(2, 2)]),
    ],
)
def test_numpy_seeded_earlier_in_a_notebook_silences_ml202(tmp_path, cells, expected):
    utils = "import numpy as np\nimport torch\n\ndef set_seed(s):\n    np.random.seed(s)\n\n" \
            "def set_torch_seed(s):\n    torch.manual_seed(s)\n"
    findings = lint_tree(tmp_path, {"nb.ipynb": notebook_json(cells), "utils.py": utils}, select=["ML202"])
    assert [(f.cell, f.line) for f in findings] == expected


SPLIT_HELPER = """
from sklearn.model_selection import train_test_split

def split(df):
    return train_test_split(df, test_size=0.2)
"""


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        # seeded in the entry point, before the call, in the same function or a caller
        ({"train.py": "import numpy as np\nfrom sklearn.ensemble import RandomForestClassifier\n\ndef main():\n"
                      "    np.random.seed(0)\n    return RandomForestClassifier()\n\nif __name__ == '__main__':\n"
                      "    main()\n"}, []),
        ({"train.py": "import numpy as np\nfrom sklearn.svm import SVC\n\ndef main():\n    return SVC(probability=True)\n\n"
                      "if __name__ == '__main__':\n    np.random.seed(0)\n    main()\n"}, []),
        ({"data.py": SPLIT_HELPER, "train.py": "import numpy as np\nfrom data import split\n\nnp.random.seed(0)\n"
                                               "split(df)\n"}, []),
        ({"data.py": SPLIT_HELPER, "train.py": "import numpy as np\nfrom data import split\n\nnp.random.seed(0)\n"
                                               "split(df)\n", "evaluate.py": "from data import split\n\n"
                                               "import numpy as np\nnp.random.seed(1)\nsplit(df)\n"}, []),
        # not seeded on every entry point that reaches the helper
        ({"data.py": SPLIT_HELPER, "train.py": "import numpy as np\nfrom data import split\n\nnp.random.seed(0)\n"
                                               "split(df)\n", "evaluate.py": "from data import split\n\nsplit(df)\n"},
         [("data.py", 4)]),
        # seeded after the call, or only torch
        ({"train.py": "import numpy as np\nfrom sklearn.svm import SVC\n\ndef main():\n    return SVC(probability=True)\n\n"
                      "if __name__ == '__main__':\n    main()\n    np.random.seed(0)\n"}, [("train.py", 5)]),
        ({"data.py": SPLIT_HELPER, "train.py": "import numpy as np\nfrom data import split\n\nsplit(df)\n"
                                               "np.random.seed(0)\n"}, [("data.py", 4)]),
        ({"data.py": SPLIT_HELPER, "train.py": "import torch\nfrom data import split\n\ntorch.manual_seed(0)\n"
                                               "split(df)\n"}, [("data.py", 4)]),
        # no entry point reaches the helper
        ({"data.py": SPLIT_HELPER}, [("data.py", 4)]),
    ],
)
def test_numpy_seeded_on_every_path_silences_ml202(tmp_path, files, expected):
    assert [(f.path, f.line) for f in ml202_tree(tmp_path, files)] == expected


def test_numpy_seeding_of_callers_does_not_vouch_for_a_library_package(tmp_path):
    seeded_inside = SPLIT_HELPER + "\ndef seeded_split(df):\n    np.random.seed(0)\n    return train_test_split(df)\n"
    files = {
        "pyproject.toml": "[project]\nname = 'lib'\n\n[build-system]\nbuild-backend = 'hatchling.build'\n",
        "src/lib/__init__.py": "",
        "src/lib/data.py": "import numpy as np\n" + d(seeded_inside),
        "examples/demo.py": "import numpy as np\nfrom lib.data import split\n\nnp.random.seed(0)\nsplit(df)\n",
    }
    assert [(f.path, f.line) for f in ml202_tree(tmp_path, files)] == [("src/lib/data.py", 5)]


def test_numpy_seeded_in_a_test_function_before_the_call(tmp_path):
    source = """
        import numpy as np
        from sklearn.datasets import make_classification

        def test_fit():
            np.random.seed(0)
            X, y = make_classification()

        def test_other():
            X, y = make_classification()
    """
    assert [f.line for f in ml202_tree(tmp_path, {"tests/test_model.py": source})] == [9]


# -- ML203 -------------------------------------------------------------------------


TORCH_TRAIN = """
import torch
{setup}

def main():
    torch.manual_seed(0)
    model = torch.nn.Linear(2, 1)
    opt = torch.optim.Adam(model.parameters())
    loss = model(torch.ones(2)).sum()
    loss.backward()
    opt.step()

if __name__ == "__main__":
    main()
"""


def ml203(tmp_path: Path, files: dict[str, str]) -> list:
    return lint_tree(tmp_path, {name: d(text) for name, text in files.items()}, select=["ML203"])


def test_torch_training_without_determinism_is_reported(tmp_path):
    findings = ml203(tmp_path, {"train.py": TORCH_TRAIN.format(setup="")})
    assert [f.line for f in findings] == [7]
    assert "torch.use_deterministic_algorithms(True)" in findings[0].message
    assert "`torch.optim.Adam`" in findings[0].message


@pytest.mark.parametrize(
    "setup",
    [
        "torch.use_deterministic_algorithms(True)",
        "torch.use_deterministic_algorithms(True, warn_only=True)",
        "torch.backends.cudnn.deterministic = True\ntorch.backends.cudnn.benchmark = False",
        "from torch.backends import cudnn\ncudnn.deterministic = True",
        "from transformers import enable_full_determinism\nenable_full_determinism(0)",
    ],
)
def test_deterministic_settings_silence_ml203(tmp_path, setup):
    assert ml203(tmp_path, {"train.py": TORCH_TRAIN.format(setup=setup)}) == []


@pytest.mark.parametrize(
    "setup",
    [
        "torch.use_deterministic_algorithms(False)",
        "torch.backends.cudnn.deterministic = True\ntorch.backends.cudnn.benchmark = True",
        "torch.backends.cudnn.deterministic = False",
    ],
)
def test_disabled_or_benchmarking_determinism_still_reports(tmp_path, setup):
    assert codes(ml203(tmp_path, {"train.py": TORCH_TRAIN.format(setup=setup)})) == ["ML203"]


def test_ml203_follows_helpers_and_ignores_libraries(tmp_path):
    files = {
        "engine.py": """
            import torch

            def fit(model, data):
                opt = torch.optim.SGD(model.parameters(), lr=0.1)
                for x in data:
                    model(x).sum().backward()
        """,
        "run.py": """
            from engine import fit

            if __name__ == "__main__":
                fit(model, data)
        """,
    }
    findings = ml203(tmp_path, files)
    assert [(f.path, f.line) for f in findings] == [("run.py", 4)]
    assert "`fit()` (via `torch.optim.SGD` at engine.py:4)" in findings[0].message


def test_trl_trainers_train_torch(tmp_path):
    source = "from trl import SFTTrainer\n\nif __name__ == '__main__':\n    SFTTrainer(model=m).train()\n"
    assert codes(ml203(tmp_path, {"run.py": source})) == ["ML203"]


def test_lightning_trainer_deterministic_flag(tmp_path):
    source = "import lightning as L\n\nif __name__ == '__main__':\n    L.Trainer({})\n"
    assert codes(ml203(tmp_path / "a", {"run.py": source.format("max_epochs=1")})) == ["ML203"]
    assert ml203(tmp_path / "b", {"run.py": source.format("deterministic=True")}) == []


def test_ml203_is_silent_without_torch_training(tmp_path):
    assert ml203(tmp_path, {"run.py": "import torch\n\nif __name__ == '__main__':\n    print(torch.ones(2))\n"}) == []


# -- ML204 / ML205 / ML206 -----------------------------------------------------------

ML_CODE = {"train.py": "import sklearn\n"}


def project_findings(tmp_path: Path, files: dict[str, str], code: str) -> list:
    return lint_tree(tmp_path, {**ML_CODE, **{n: d(t) for n, t in files.items()}}, select=[code])


def test_unpinned_requirement_syntaxes_are_located(tmp_path):
    requirements = f"""
        # training stack
        numpy==1.26.4
        pandas>=2.0  # at least 2
        torch[cuda] ; python_version >= "3.10"
        scipy==1.13.1 --hash=sha256:0123
        requests \\
            >=2.31
        git+https://github.com/org/lib@v1.0#egg=lib
        git+https://github.com/org/other@{COMMIT}#egg=other
        https://example.com/pkgs/tool.tar.gz
        https://example.com/latest
        -r requirements-dev.txt
        -c constraints.txt
        -e .
        matplotlib
    """
    files = {
        "requirements.txt": requirements,
        "requirements-dev.txt": "pytest\nblack==24.3.0\n",
        "constraints.txt": "matplotlib==3.9.0\n",
    }
    findings = project_findings(tmp_path, files, "ML204")
    located = [(f.path, f.line) for f in findings]
    assert located == [
        ("requirements-dev.txt", 1),
        ("requirements.txt", 3),
        ("requirements.txt", 4),
        ("requirements.txt", 6),
        ("requirements.txt", 8),
        ("requirements.txt", 11),
    ]
    by_line = {(f.path, f.line): f.message for f in findings}
    assert "full commit" in by_line[("requirements.txt", 8)]
    assert "`pandas==<version>`" in by_line[("requirements.txt", 3)]
    assert "`#sha256=` hash" in by_line[("requirements.txt", 11)]


@pytest.mark.parametrize(
    ("name", "content", "line"),
    [
        ("pyproject.toml", '[project]\nname = "x"\ndependencies = [\n  "torch>=2",\n]\n', 4),
        ("pyproject.toml", '[project]\nname = "x"\n[project.optional-dependencies]\nviz = ["matplotlib"]\n', 4),
        ("pyproject.toml", '[tool.poetry.dependencies]\npython = "^3.10"\nnumpy = "^1.26"\n', 3),
        ("pyproject.toml", '[tool.pdm.dev-dependencies]\ntest = [\n  "pytest>=8",\n]\n', 3),
        ("pyproject.toml", '[dependency-groups]\ntest = ["pytest"]\n', 2),
        ("Pipfile", '[packages]\nnumpy = "*"\n', 2),
        ("setup.cfg", "[options]\ninstall_requires =\n    numpy>=1.0\n", 3),
        ("setup.py", 'from setuptools import setup\nsetup(\n    name="x",\n    install_requires=["numpy>=1"],\n)\n', 4),
        ("environment.yml", "name: x\ndependencies:\n  - python=3.11\n  - numpy\n", 4),
    ],
)
def test_unpinned_declarations_of_every_format(tmp_path, name, content, line):
    findings = project_findings(tmp_path, {name: content}, "ML204")
    assert [(f.path, f.line) for f in findings] == [(name, line)]


@pytest.mark.parametrize("lock", ["poetry.lock", "uv.lock", "pdm.lock", "Pipfile.lock", "conda-lock.yml"])
def test_lock_file_silences_ml204(tmp_path, lock):
    files = {"requirements.txt": "numpy\npandas>=2\n", lock: "# lock\n"}
    assert project_findings(tmp_path, files, "ML204") == []


def test_lock_file_of_a_sub_project_does_not_silence_its_neighbours(tmp_path):
    files = {
        "service/Pipfile": '[packages]\nflask = "*"\n',
        "service/Pipfile.lock": "{}\n",
        "training/requirements.txt": "scikit-learn\n",
    }
    findings = project_findings(tmp_path, files, "ML204")
    assert [(f.path, f.line) for f in findings] == [("training/requirements.txt", 1)]


def test_fully_pinned_requirements_are_silent(tmp_path):
    assert project_findings(tmp_path, {"requirements.txt": "numpy==1.26.4\n"}, "ML204") == []


def test_dependency_rules_only_fire_in_ml_projects(tmp_path):
    files = {"app.py": "import flask\n", "requirements.txt": "flask\n"}
    assert lint_tree(tmp_path, files, select=["ML204", "ML205", "ML206"]) == []


def test_ml205_without_any_declaration(tmp_path):
    findings = project_findings(tmp_path, {}, "ML205")
    assert [(f.code, f.path) for f in findings] == [("ML205", ".")]
    assert project_findings(tmp_path / "x", {"requirements.txt": "numpy==1.26.4\n"}, "ML205") == []


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("pyproject.toml", '[project]\nname = "x"\nrequires-python = ">=3.10"\n'),
        (".python-version", "3.11\n"),
        ("runtime.txt", "python-3.11.4\n"),
        ("environment.yml", "dependencies:\n  - python=3.11\n"),
    ],
)
def test_ml206_silent_with_a_python_version(tmp_path, name, content):
    assert project_findings(tmp_path, {name: content}, "ML206") == []


def test_ml206_reports_without_python_version(tmp_path):
    findings = project_findings(tmp_path, {"requirements.txt": "numpy==1.26.4\n"}, "ML206")
    assert [(f.code, f.path) for f in findings] == [("ML206", ".")]


# -- examples ----------------------------------------------------------------------


ML2 = ["ML201", "ML202", "ML203", "ML204", "ML205", "ML206"]


def test_churn_leaky_shows_the_reproducibility_rules():
    found = {f.code for f in lint_tree(EXAMPLES / "churn-leaky", select=ML2)}
    assert found == {"ML201", "ML202", "ML203", "ML204", "ML206"}


def test_churn_tidy_passes_the_reproducibility_rules():
    assert lint_tree(EXAMPLES / "churn-tidy", select=ML2) == []
