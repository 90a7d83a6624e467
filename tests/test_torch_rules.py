"""ML702 missing-eval-mode, ML703 missing-zero-grad, ML704 forward-called-directly,
ML708 loss-accumulates-graph and ML709 no-grad-missing (``mllint.checks.torch`` on the
facts of ``mllint.analysis.torch_loops``).

Each case is a module whose expected findings are the lines marked ``# <-``; a case
without a mark must stay silent. Notebook cases mark lines inside cells.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from mllint.testkit import lint_tree, notebook_json, write_files

MARK = "# <-"

HEAD = """\
import torch
import torch.nn as nn
import torch.nn.functional as F


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.drop = nn.Dropout(0.5)
        self.fc = nn.Linear(8, 2)

    def forward(self, x):
        return self.fc(self.drop(x))
"""


def marked(source: str) -> list[int]:
    return [number for number, line in enumerate(source.splitlines(), start=1) if MARK in line]


def run(tmp_path: Path, code: str, files: dict[str, str]) -> list:
    findings = lint_tree(tmp_path, files, select=[code])
    assert [f for f in findings if f.code == "ML000"] == [], findings
    return [f for f in findings if f.code == code]


def check(tmp_path: Path, code: str, source: str, filename: str = "train.py",
          extra: dict[str, str] | None = None) -> list:
    """Lint *source* (dedented, after HEAD when it does not import torch itself) and compare
    the reported lines of *code* with its marks."""
    source = textwrap.dedent(source).lstrip("\n")
    if not re.search(r"^import torch$", source, re.MULTILINE):
        source = HEAD + "\n\n" + source
    found = run(tmp_path, code, {filename: source, **(extra or {})})
    assert sorted(f.line for f in found if f.path.endswith(filename)) == marked(source), [
        (f.line, f.message) for f in found
    ]
    return found


def check_notebook(tmp_path: Path, code: str, cells: list[str]) -> list:
    cells = [textwrap.dedent(cell).lstrip("\n") for cell in cells]
    found = run(tmp_path, code, {"analysis.ipynb": notebook_json(cells)})
    expected = [(number, line) for number, cell in enumerate(cells, start=1) for line in marked(cell)]
    assert sorted((f.cell, f.line) for f in found) == expected, [(f.cell, f.line, f.message) for f in found]
    return found


# --- ML703 missing-zero-grad ------------------------------------------------------------

ZERO_GRAD_REPORTED = {
    "cleared once before the loop": """
        def train(model, loader):
            optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
            optimizer.zero_grad()
            for x, y in loader:
                loss = F.cross_entropy(model(x), y)
                loss.backward()
                optimizer.step()  # <-
        """,
    "cleared per epoch, stepped per batch": """
        def train(model, loader, optimizer, epochs):
            for epoch in range(epochs):
                optimizer.zero_grad()
                for x, y in loader:
                    F.mse_loss(model(x), y).backward()
                    optimizer.step()  # <-
        """,
    "amp scaler": """
        def train(model, loader, optimizer, scaler):
            for x, y in loader:
                with torch.autocast("cuda"):
                    loss = F.cross_entropy(model(x), y)
                scaler.scale(loss).backward()
                scaler.step(optimizer)  # <-
                scaler.update()
        """,
    "accelerate backward": """
        def train(accelerator, model, loader, optimizer, lr_scheduler):
            model, optimizer, loader = accelerator.prepare(model, optimizer, loader)
            for batch in loader:
                outputs = model(**batch)
                accelerator.backward(outputs.loss)
                optimizer.step()  # <-
                lr_scheduler.step()
        """,
    "while loop, optimizer known by origin only": """
        model = Net()
        o = torch.optim.Adam(model.parameters())
        step = 0
        while step < 100:
            loss = model(torch.randn(4, 8)).sum()
            loss.backward()
            o.step()  # <-
            step += 1
        """,
    "a training step helper that does not clear": """
        def train_step(model, batch, optimizer):
            loss = F.cross_entropy(model(batch[0]), batch[1])
            loss.backward()
            optimizer.step()
            return loss.item()


        def fit(model, loader, optimizer):
            for batch in loader:
                train_step(model, batch, optimizer)  # <-
        """,
    "a loss module built in the loop is no new model": """
        def train(model, loader, optimizer):
            for x, y in loader:
                criterion = nn.CrossEntropyLoss()
                criterion(model(x), y).backward()
                optimizer.step()  # <-
        """,
    "GAN: the generator's gradients are never cleared": """
        def train(netD, netG, loader, noise):
            optimD = torch.optim.Adam(netD.parameters())
            optimG = torch.optim.Adam(netG.parameters())
            for real in loader:
                netD.zero_grad()
                netD(real).mean().backward()
                optimD.step()
                netG(noise).mean().backward()
                optimG.step()  # <-
        """,
}

ZERO_GRAD_SILENT = {
    "cleared at the start": """
        def train(model, loader, optimizer):
            for x, y in loader:
                optimizer.zero_grad(set_to_none=True)
                F.cross_entropy(model(x), y).backward()
                optimizer.step()
        """,
    "cleared at the end": """
        def train(model, loader, optimizer):
            for x, y in loader:
                F.cross_entropy(model(x), y).backward()
                optimizer.step()
                optimizer.zero_grad()
        """,
    "a library function clearing the parameters it is given": """
        import pyro


        def train(loss_fn, optimizer, steps):
            params = None
            for step in range(steps):
                if params is not None:
                    pyro.infer.util.zero_grads(params)
                loss, params = loss_fn()
                loss.backward()
                optimizer.step()
        """,
    "cleared on an optimizer held in a dict": """
        def train(model, loader, optimizers):
            for x, y in loader:
                optimizers["critic"].zero_grad()
                F.cross_entropy(model(x), y).backward()
                optimizers["critic"].step()
        """,
    "an imported clearing function": """
        from pyro.infer.util import zero_grads


        def train(loss_fn, params, optimizer, steps):
            for step in range(steps):
                zero_grads(params)
                loss_fn().backward()
                optimizer.step()
        """,
    "model.zero_grad": """
        def train(model, loader, optimizer):
            for x, y in loader:
                model.zero_grad()
                F.cross_entropy(model(x), y).backward()
                optimizer.step()
        """,
    "grad set to None": """
        def train(model, loader, optimizer):
            for x, y in loader:
                for p in model.parameters():
                    p.grad = None
                F.cross_entropy(model(x), y).backward()
                optimizer.step()
        """,
    "grad zeroed in place": """
        def train(model, loader, optimizer):
            for x, y in loader:
                F.cross_entropy(model(x), y).backward()
                optimizer.step()
                for p in model.parameters():
                    p.grad.data.zero_()
        """,
    "gradient accumulation clearing every k steps": """
        def train(model, loader, optimizer, k=4):
            for i, (x, y) in enumerate(loader):
                (F.cross_entropy(model(x), y) / k).backward()
                if (i + 1) % k == 0:
                    optimizer.step()
                    optimizer.zero_grad()
        """,
    "accumulation over micro-batches in an inner loop": """
        def train(model, batches, optimizer):
            for step in range(100):
                optimizer.zero_grad()
                for micro in batches:
                    model(micro).sum().backward()
                optimizer.step()
        """,
    "a helper of the module clears": """
        def reset(optimizer):
            optimizer.zero_grad()


        def train(model, loader, optimizer):
            for x, y in loader:
                reset(optimizer)
                F.cross_entropy(model(x), y).backward()
                optimizer.step()
        """,
    "the optimizer handed to unknown code": """
        def train(model, loader, optimizer, callbacks):
            for x, y in loader:
                F.cross_entropy(model(x), y).backward()
                optimizer.step()
                callbacks.on_step_end(optimizer)
        """,
    "GAN: both cleared through their models": """
        def train(netD, netG, loader, noise):
            optimizerD = torch.optim.Adam(netD.parameters())
            optimizerG = torch.optim.Adam(params=netG.parameters())
            for real in loader:
                netD.zero_grad()
                netD(real).mean().backward()
                optimizerD.step()
                netG.zero_grad()
                netG(noise).mean().backward()
                optimizerG.step()
        """,
    "the optimizer built on a wrapped model, the model cleared": """
        from torch.nn.parallel import DistributedDataParallel as DDP


        def train(model, loader):
            ddp_model = DDP(model)
            optimizer = torch.optim.SGD(ddp_model.parameters(), lr=0.1)
            for x, y in loader:
                model.zero_grad()
                F.cross_entropy(ddp_model(x), y).backward()
                optimizer.step()
        """,
    "an optimizer of unknown origin, some model cleared": """
        def train(model, loader, optimizer):
            for x, y in loader:
                model.zero_grad()
                F.cross_entropy(model(x), y).backward()
                optimizer.step()
        """,
    "only a scheduler steps": """
        def train(model, loader, scheduler):
            for x, y in loader:
                F.cross_entropy(model(x), y).backward()
                scheduler.step()
        """,
    "DeepSpeed engine": """
        def train(model_engine, loader):
            for batch in loader:
                loss = model_engine(batch)
                model_engine.backward(loss)
                model_engine.step()
        """,
    "distributed autograd": """
        import torch
        import torch.distributed.autograd as dist_autograd


        def train(model, loader, opt):
            for x, y in loader:
                with dist_autograd.context() as context_id:
                    loss = model(x).sum()
                    dist_autograd.backward(context_id, [loss])
                    opt.step(context_id)
        """,
    "LBFGS closure": """
        def train(model, x, y, optimizer):
            for i in range(10):
                def closure():
                    optimizer.zero_grad()
                    loss = F.mse_loss(model(x), y)
                    loss.backward()
                    return loss
                optimizer.step(closure)
        """,
    "a new model every iteration": """
        def search(loader, rates):
            for lr in rates:
                model = Net()
                optimizer = torch.optim.SGD(model.parameters(), lr=lr)
                x, y = next(iter(loader))
                F.cross_entropy(model(x), y).backward()
                optimizer.step()
        """,
}


@pytest.mark.parametrize("source", ZERO_GRAD_REPORTED.values(), ids=ZERO_GRAD_REPORTED.keys())
def test_ml703_reports_training_loops_that_never_clear(tmp_path, source):
    check(tmp_path, "ML703", source)


@pytest.mark.parametrize("source", ZERO_GRAD_SILENT.values(), ids=ZERO_GRAD_SILENT.keys())
def test_ml703_is_silent_when_gradients_are_cleared_or_unsure(tmp_path, source):
    check(tmp_path, "ML703", source)


def test_ml703_follows_a_clearing_helper_into_another_module(tmp_path):
    helper = "def clear(optimizer):\n    optimizer.zero_grad(set_to_none=True)\n"
    check(tmp_path, "ML703", """
        from utils import clear


        def train(model, loader, optimizer):
            for x, y in loader:
                clear(optimizer)
                F.cross_entropy(model(x), y).backward()
                optimizer.step()
        """, extra={"utils.py": helper})


def test_ml703_message_names_the_calls(tmp_path):
    [finding] = check(tmp_path, "ML703", ZERO_GRAD_REPORTED["cleared once before the loop"])
    assert "`loss.backward()`" in finding.message and "`optimizer.zero_grad()`" in finding.message


def test_ml703_message_names_the_optimizer_a_scaler_steps(tmp_path):
    [finding] = check(tmp_path, "ML703", ZERO_GRAD_REPORTED["amp scaler"])
    assert "`scaler.step()`" in finding.message and "call `optimizer.zero_grad()`" in finding.message


def test_ml703_names_the_helper_that_steps(tmp_path):
    [finding] = check(tmp_path, "ML703", ZERO_GRAD_REPORTED["a training step helper that does not clear"])
    assert "`train_step()`" in finding.message


def test_ml703_in_a_notebook_cell(tmp_path):
    check_notebook(tmp_path, "ML703", [
        HEAD + "model = Net()\nopt = torch.optim.SGD(model.parameters(), lr=0.1)\n",
        """
        for x, y in train_loader:
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            opt.step()  # <-
        """,
    ])


def test_ml703_leaves_tests_alone(tmp_path):
    source = HEAD + textwrap.dedent(ZERO_GRAD_REPORTED["cleared once before the loop"])
    assert run(tmp_path, "ML703", {"tests/test_train.py": source}) == []


# --- ML704 forward-called-directly ------------------------------------------------------

FORWARD_REPORTED = {
    "torchvision model": """
        import torch
        import torchvision

        backbone = torchvision.models.resnet18(weights=None).eval()
        features = backbone.forward(torch.randn(1, 3, 224, 224))  # <-
        """,
    "self.forward in another method of a module": """
        class Classifier(Net):
            def predict(self, x):
                return self.forward(x).argmax(1)  # <-
        """,
    "HF model forward with keyword arguments in a library class": """
        import torch
        from transformers import AutoModel


        class Embedder:
            def __init__(self, name):
                self.model = AutoModel.from_pretrained(name)

            def embed(self, **inputs):
                return self.model.forward(**inputs).last_hidden_state  # <-
        """,
    "transitive subclass": """
        class Deeper(Net):
            pass


        net = Deeper()
        out = net.forward(torch.ones(8))  # <-
        """,
    "annotated parameter": """
        def run(model: nn.Module, x):
            return model.forward(x)  # <-
        """,
    "parameter every caller passes a module": """
        def run(model, x):
            return model.forward(x)  # <-


        run(Net(), torch.ones(8))
        run(nn.Linear(8, 2), torch.ones(8))
        """,
    "wrapped in DDP and moved": """
        from torch.nn.parallel import DistributedDataParallel as DDP

        model = DDP(Net().to("cuda"))
        y = model.forward(torch.ones(8))  # <-
        """,
    "Lightning training_step": """
        import torch
        import pytorch_lightning as pl


        class Lit(pl.LightningModule):
            def training_step(self, batch, batch_idx):
                x, y = batch
                return torch.nn.functional.cross_entropy(self.forward(x), y)  # <-
        """,
    "a loaded model": """
        model = torch.load("model.pt", weights_only=False)
        y = model.forward(torch.ones(8))  # <-
        """,
}

FORWARD_SILENT = {
    "super().forward": """
        class Wider(Net):
            def forward(self, x):
                return super().forward(x) * 2
        """,
    "base class forward called unbound": """
        class Wider(Net):
            def predict(self, x):
                return Net.forward(self, x)
        """,
    "delegation inside forward": """
        class Wrapper(nn.Module):
            def __init__(self, inner):
                super().__init__()
                self.inner = inner

            def forward(self, x):
                return self.inner.forward(x)
        """,
    "a class that is not a module": """
        class Layer:
            def forward(self, x):
                return x * 2

            def predict(self, x):
                return self.forward(x)


        y = Layer().forward(3)
        """,
    "skorch net": """
        from skorch import NeuralNetClassifier

        net = NeuralNetClassifier(Net)
        proba = net.forward([[0.0] * 8])
        """,
    "unannotated parameter without callers": """
        def run(model, x):
            return model.forward(x)
        """,
    "a caller passes something else": """
        class Layer:
            def forward(self, x):
                return x


        def run(model, x):
            return model.forward(x)


        run(Net(), torch.ones(8))
        run(Layer(), 3)
        """,
    "class with its own __call__": """
        class Traced(Net):
            def __call__(self, x):
                return super().__call__(x.float())


        y = Traced().forward(torch.ones(8))
        """,
    "a network with a hand-written backward pass": """
        class Scratch(nn.Module):
            def __init__(self):
                super().__init__()
                self.W = torch.randn(2, 3)

            def forward(self, x):
                return torch.sigmoid(x @ self.W)

            def backward(self, x, y, out):
                self.W += x.T @ ((y - out) * out * (1 - out))

            def train_step(self, x, y):
                self.backward(x, y, self.forward(x))


        model = Scratch()
        model.backward(x, y, model.forward(x))
        """,
    "forwarding shim": """
        class Patcher:
            def __init__(self):
                self.model = Net()

            def patch(self):
                def shim(*args, **kwargs):
                    return self.model.forward(*args, **kwargs)
                return shim
        """,
    "an object of unknown origin": """
        def build():
            return make_anything()


        thing = build()
        y = thing.forward(1)
        """,
}


@pytest.mark.parametrize("source", FORWARD_REPORTED.values(), ids=FORWARD_REPORTED.keys())
def test_ml704_reports_forward_on_torch_modules(tmp_path, source):
    check(tmp_path, "ML704", source)


@pytest.mark.parametrize("source", FORWARD_SILENT.values(), ids=FORWARD_SILENT.keys())
def test_ml704_is_silent_on_look_alikes(tmp_path, source):
    check(tmp_path, "ML704", source)


def test_ml704_resolves_a_module_class_through_project_imports(tmp_path):
    models = "import torch.nn as nn\n\n\nclass Base(nn.Module):\n    pass\n\n\nclass Encoder(Base):\n    pass\n"
    check(tmp_path, "ML704", """
        import torch
        from models import Encoder

        encoder = Encoder()
        z = encoder.forward(torch.ones(3))  # <-
        """, extra={"models.py": models})


def test_ml704_project_class_not_a_module_is_silent(tmp_path):
    models = "class Encoder:\n    def forward(self, x):\n        return x\n"
    check(tmp_path, "ML704", """
        import torch
        from models import Encoder

        z = Encoder().forward(torch.ones(3))
        """, extra={"models.py": models})


def test_ml704_in_a_notebook(tmp_path):
    check_notebook(tmp_path, "ML704", [
        "import torch\nimport torchvision\nmodel = torchvision.models.resnet18()\n",
        "logits = model.forward(torch.randn(1, 3, 224, 224))  # <-\n",
    ])


def test_ml704_offers_a_safe_fix(tmp_path):
    [finding] = check(tmp_path, "ML704", FORWARD_REPORTED["torchvision model"])
    assert finding.fix is not None and finding.fix.safe
    assert [edit.content for edit in finding.fix.edits] == [""]


def mllint(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    entry = str(Path(sys.executable).with_name("mllint"))
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "CLICOLOR_FORCE")}
    return subprocess.run([entry, *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=300, check=False)


FIXED = [
    ("features = backbone.forward(images)\n", "features = backbone(images)\n"),
    ("features = backbone .forward( images )\n", "features = backbone( images )\n"),
    ("features = (backbone\n            .forward(images))\n", "features = (backbone(images))\n"),
    ("out = torch.relu(backbone.forward(images)).sum()  # résumé\n",
     "out = torch.relu(backbone(images)).sum()  # résumé\n"),
]
FIX_HEAD = "import torch\nimport torchvision\n\nbackbone = torchvision.models.resnet18()\nimages = torch.randn(1, 3, 224, 224)\n"


@pytest.mark.parametrize(("line", "fixed"), FIXED)
def test_ml704_fix_through_the_cli(tmp_path, line, fixed):
    write_files(tmp_path, {"pyproject.toml": "[tool.mllint]\nselect = ['ML704']\n", "infer.py": FIX_HEAD + line})
    done = mllint("check", "--fix", cwd=tmp_path)
    assert (tmp_path / "infer.py").read_text() == FIX_HEAD + fixed, done.stdout + done.stderr
    assert done.returncode == 0 and done.stdout.splitlines()[-1] == "Fixed 1 finding in 1 file.", done.stdout
    again = mllint("check", "--fix", cwd=tmp_path)
    assert again.returncode == 0 and (tmp_path / "infer.py").read_text() == FIX_HEAD + fixed


def test_ml704_fix_in_a_notebook_cell(tmp_path):
    cells = [FIX_HEAD, "class Head(torch.nn.Module):\n    def run(self, x):\n        return self.forward(x)\n"]
    write_files(tmp_path, {"pyproject.toml": "[tool.mllint]\nselect = ['ML704']\n", "eda.ipynb": notebook_json(cells)})
    done = mllint("check", "--fix", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    sources = ["".join(c["source"]) for c in json.loads((tmp_path / "eda.ipynb").read_text())["cells"]]
    assert sources == [FIX_HEAD, "class Head(torch.nn.Module):\n    def run(self, x):\n        return self(x)\n"]


# --- ML708 loss-accumulates-graph -------------------------------------------------------

ACCUMULATION_REPORTED = {
    "running total of a criterion's loss": """
        def train(model, loader, optimizer):
            criterion = nn.CrossEntropyLoss()
            total = 0
            for x, y in loader:
                optimizer.zero_grad()
                loss = criterion(model(x), y)
                loss.backward()
                optimizer.step()
                total += loss  # <-
        """,
    "list of losses": """
        def train(model, loader, optimizer, losses):
            for x, y in loader:
                optimizer.zero_grad()
                loss = F.mse_loss(model(x), y)
                loss.backward()
                optimizer.step()
                losses.append(loss)  # <-
        """,
    "total = total + loss, weighted": """
        def train(model, loader, optimizer):
            epoch_loss = 0.0
            for x, y in loader:
                optimizer.zero_grad()
                loss = F.cross_entropy(model(x), y)
                loss.backward()
                optimizer.step()
                epoch_loss = epoch_loss + loss * x.size(0)  # <-
            return epoch_loss
        """,
    "HF outputs.loss into a dict": """
        def train(model, loader, optimizer, stats):
            for batch in loader:
                optimizer.zero_grad()
                outputs = model(**batch)
                loss = outputs.loss
                loss.backward()
                optimizer.step()
                stats["loss"] += loss  # <-
        """,
    "an auxiliary loss added inline": """
        def train(model, loader, optimizer):
            aux_total = 0
            for x, y in loader:
                optimizer.zero_grad()
                out = model(x)
                out.sum().backward()
                optimizer.step()
                aux_total += F.l1_loss(out, y)  # <-
        """,
    "a loss kept on an attribute list": """
        class Trainer:
            def fit(self, model, loader, optimizer, loss_fn):
                for x, y in loader:
                    optimizer.zero_grad()
                    loss = loss_fn(model(x), y)
                    loss.backward()
                    optimizer.step()
                    self.history.append(loss.mean())  # <-
        """,
}

ACCUMULATION_SILENT = {
    "item": """
        def train(model, loader, optimizer):
            total = 0
            for x, y in loader:
                loss = F.cross_entropy(model(x), y)
                loss.backward()
                optimizer.step()
                optimizer.zero_grad()
                total += loss.item()
        """,
    "detach and data and float": """
        def train(model, loader, optimizer, losses):
            total = 0
            for x, y in loader:
                loss = F.cross_entropy(model(x), y)
                loss.backward()
                optimizer.step()
                total += loss.detach()
                total += loss.data
                losses.append(float(loss))
        """,
    "accumulated losses are back-propagated": """
        def train(model, loader, optimizer, k=4):
            total = 0
            for i, (x, y) in enumerate(loader):
                total = total + F.cross_entropy(model(x), y)
                if (i + 1) % k == 0:
                    total.backward()
                    optimizer.step()
                    optimizer.zero_grad()
                    total = 0
        """,
    "a stacked list is back-propagated": """
        def train(model, tasks, optimizer):
            for batch in tasks:
                losses = []
                for x, y in batch:
                    losses.append(F.mse_loss(model(x), y))
                torch.stack(losses).mean().backward()
                optimizer.step()
                optimizer.zero_grad()
        """,
    "a regulariser added to the loss": """
        def train(model, loader, optimizer, reg):
            for x, y in loader:
                loss = F.cross_entropy(model(x), y)
                loss += reg * sum(p.pow(2).sum() for p in model.parameters())
                loss.backward()
                optimizer.step()
                optimizer.zero_grad()
        """,
    "validation loss computed without grad inside the training loop": """
        def train(model, loader, val_batch, optimizer):
            val_total = 0
            for x, y in loader:
                F.cross_entropy(model(x), y).backward()
                optimizer.step()
                optimizer.zero_grad()
                with torch.no_grad():
                    val_loss = F.cross_entropy(model(val_batch[0]), val_batch[1])
                val_total += val_loss
        """,
    "an evaluation loop (no backward)": """
        def evaluate(model, loader):
            total = 0
            for x, y in loader:
                total += F.cross_entropy(model(x), y)
            return total
        """,
    "loss turned into a number before": """
        def train(model, loader, optimizer):
            total = 0
            for x, y in loader:
                loss = F.cross_entropy(model(x), y)
                loss.backward()
                optimizer.step()
                optimizer.zero_grad()
                loss = loss.item()
                total += loss
        """,
}


@pytest.mark.parametrize("source", ACCUMULATION_REPORTED.values(), ids=ACCUMULATION_REPORTED.keys())
def test_ml708_reports_loss_tensors_accumulated(tmp_path, source):
    check(tmp_path, "ML708", source)


@pytest.mark.parametrize("source", ACCUMULATION_SILENT.values(), ids=ACCUMULATION_SILENT.keys())
def test_ml708_is_silent_on_numbers_and_intended_graphs(tmp_path, source):
    check(tmp_path, "ML708", source)


def test_ml708_in_a_notebook(tmp_path):
    found = check_notebook(tmp_path, "ML708", [
        HEAD + "model = Net()\noptimizer = torch.optim.SGD(model.parameters(), lr=0.1)\nlosses = []\n",
        """
        for x, y in train_loader:
            optimizer.zero_grad()
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            optimizer.step()
            losses.append(loss)  # <-
        """,
    ])
    assert "`loss.item()`" in found[0].message


# --- ML702 missing-eval-mode ------------------------------------------------------------

TRAIN_EPOCH = """
def train_epoch(model, loader, optimizer):
    model.train()
    for x, y in loader:
        optimizer.zero_grad()
        F.cross_entropy(model(x), y).backward()
        optimizer.step()
"""

EVAL_MODE_REPORTED = {
    "evaluate called right after training": TRAIN_EPOCH + """

        def evaluate(model, loader):
            with torch.no_grad():
                return [model(x) for x, _ in loader]  # <-


        def main(train_loader, val_loader):
            model = Net()
            optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
            for epoch in range(5):
                train_epoch(model, train_loader, optimizer)
                evaluate(model, val_loader)
        """,
    "inline training then a no_grad block": """
        def main(loader, x_val):
            model = Net()
            optimizer = torch.optim.Adam(model.parameters())
            for epoch in range(3):
                model.train()
                for x, y in loader:
                    optimizer.zero_grad()
                    F.cross_entropy(model(x), y).backward()
                    optimizer.step()
                with torch.no_grad():
                    print(model(x_val).argmax(1))  # <-
        """,
    "a predict function named like evaluation": TRAIN_EPOCH + """

        def predict(model, x):
            return model(x).argmax(1)  # <-


        def main(loader, x_test):
            model = Net()
            optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
            train_epoch(model, loader, optimizer)
            return predict(model, x_test)
        """,
    "a trainer class validating after fitting": """
        class Trainer:
            def __init__(self, model, optimizer):
                self.model = model
                self.optimizer = optimizer

            def fit(self, loader, val_x):
                self.model.train()
                for x, y in loader:
                    self.optimizer.zero_grad()
                    F.cross_entropy(self.model(x), y).backward()
                    self.optimizer.step()
                return self.validate(val_x)

            @torch.no_grad()
            def validate(self, val_x):
                return self.model(val_x)  # <-
        """,
    "a DDP wrapper keeps the mode": """
        from torch.nn.parallel import DistributedDataParallel as DDP


        def main(loader, x_val):
            model = DDP(Net())
            optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
            for x, y in loader:
                optimizer.zero_grad()
                F.cross_entropy(model(x), y).backward()
                optimizer.step()
            with torch.inference_mode():
                return model(x_val)  # <-
        """,
    "a module method called after training": """
        class Classifier(Net):
            def predict(self, x):
                with torch.no_grad():
                    return self(x).argmax(1)  # <-


        clf = Classifier()
        opt = torch.optim.SGD(clf.parameters(), lr=0.1)
        for x, y in batches:
            opt.zero_grad()
            F.cross_entropy(clf(x), y).backward()
            opt.step()
        labels = clf.predict(x_test)
        """,
    "test data evaluated inside the training loop, after the step": """
        def main(x, y, test_input, steps=10):
            model = Net()
            optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
            for i in range(steps):
                optimizer.zero_grad()
                F.mse_loss(model(x), y).backward()
                optimizer.step()
                with torch.no_grad():
                    print(model(test_input).sum())  # <-
        """,
    "a module's own train(data) method is a method, not a mode switch": """
        class Layer(nn.Linear):
            def train(self, x, y, steps=10):
                opt = torch.optim.Adam(self.parameters())
                for _ in range(steps):
                    opt.zero_grad()
                    F.mse_loss(self(x), y).backward()
                    opt.step()


        layer = Layer(8, 2)
        layer.train(torch.ones(4, 8), torch.zeros(4, 2))
        with torch.no_grad():
            out = layer(torch.ones(1, 8))  # <-
        """,
    "set_grad_enabled(False) after training": """
        model = Net()
        opt = torch.optim.SGD(model.parameters(), lr=0.1)
        for x, y in batches:
            opt.zero_grad()
            F.cross_entropy(model(x), y).backward()
            opt.step()
        torch.set_grad_enabled(False)
        out = model(x_test)  # <-
        """,
}

EVAL_MODE_SILENT = {
    "evaluate calls eval itself": TRAIN_EPOCH + """

        def evaluate(model, loader):
            model.eval()
            with torch.no_grad():
                return [model(x) for x, _ in loader]


        def main(train_loader, val_loader):
            model = Net()
            optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
            for epoch in range(5):
                train_epoch(model, train_loader, optimizer)
                evaluate(model, val_loader)
        """,
    "the caller calls eval first, with train(False)": TRAIN_EPOCH + """

        def evaluate(model, loader):
            with torch.no_grad():
                return [model(x) for x, _ in loader]


        def main(train_loader, val_loader):
            model = Net()
            optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
            for epoch in range(5):
                train_epoch(model, train_loader, optimizer)
                model.train(False)
                evaluate(model, val_loader)
        """,
    "an inference-only script": """
        model = Net()
        model.load_state_dict(torch.load("weights.pt", weights_only=True))
        with torch.no_grad():
            print(model(torch.ones(8)))
        """,
    "from_pretrained is in evaluation mode": """
        import torch
        from transformers import AutoModelForSequenceClassification

        model = AutoModelForSequenceClassification.from_pretrained("bert-base-uncased")
        with torch.no_grad():
            logits = model(**inputs).logits
        """,
    "Monte-Carlo dropout: train() on purpose": """
        def mc_predict(model, x, n=20):
            model.train()
            with torch.no_grad():
                return torch.stack([model(x) for _ in range(n)]).mean(0)
        """,
    "training accuracy inside the training loop": """
        def train(model, loader, optimizer):
            model.train()
            for x, y in loader:
                optimizer.zero_grad()
                F.cross_entropy(model(x), y).backward()
                optimizer.step()
                with torch.no_grad():
                    acc = (model(x).argmax(1) == y).float().mean()
        """,
    "Lightning validation_step": """
        import torch
        import pytorch_lightning as pl


        class Lit(pl.LightningModule):
            def validation_step(self, batch, batch_idx):
                x, y = batch
                with torch.no_grad():
                    return self(x)
        """,
    "handed to a trainer that cannot be read": """
        def main(trainer, loader, x_val):
            model = Net()
            optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
            for x, y in loader:
                optimizer.zero_grad()
                F.cross_entropy(model(x), y).backward()
                optimizer.step()
            trainer.validate(model)
            with torch.no_grad():
                return model(x_val)
        """,
    "a loss module under no_grad": TRAIN_EPOCH + """

        def evaluate(model, criterion, x, y):
            model.eval()
            with torch.no_grad():
                return criterion(model(x), y)


        def main(loader, x, y):
            model, criterion = Net(), nn.CrossEntropyLoss()
            optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
            train_epoch(model, loader, optimizer)
            evaluate(model, criterion, x, y)
        """,
    "eval only on one branch": """
        def main(loader, x_val, quick):
            model = Net()
            optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
            for x, y in loader:
                optimizer.zero_grad()
                F.cross_entropy(model(x), y).backward()
                optimizer.step()
            if not quick:
                model.eval()
            with torch.no_grad():
                return model(x_val)
        """,
    "train(flag) with an unknown flag": """
        def run_epoch(model, loader, optimizer, training):
            model.train(training)
            for x, y in loader:
                loss = F.cross_entropy(model(x), y)
                if training:
                    optimizer.zero_grad()
                    loss.backward()
                    optimizer.step()
            with torch.no_grad():
                return model(x)
        """,
    "no caller in the module: the mode cannot be told": """
        def evaluate(model, loader):
            with torch.no_grad():
                return [model(x) for x, _ in loader]
        """,
    "batch-norm layers frozen one by one": """
        def main(loader, x_val):
            model = Net()
            optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
            for x, y in loader:
                optimizer.zero_grad()
                F.cross_entropy(model(x), y).backward()
                optimizer.step()
            for m in model.modules():
                if isinstance(m, nn.BatchNorm1d):
                    m.eval()
            with torch.no_grad():
                return model(x_val)
        """,
    "a context manager that switches the mode": """
        from monai.networks import eval_mode


        def main(loader, x_val):
            model = Net()
            optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
            for x, y in loader:
                optimizer.zero_grad()
                F.cross_entropy(model(x), y).backward()
                optimizer.step()
            with eval_mode(model):
                return model(x_val)
        """,
    "a metric module moved to the device": """
        import torch
        from torchmetrics import Accuracy


        def main(model, loader, optimizer, x, y, device):
            acc_fn = Accuracy(task="multiclass", num_classes=10).to(device)
            model.train()
            for xb, yb in loader:
                optimizer.zero_grad()
                torch.nn.functional.cross_entropy(model(xb), yb).backward()
                optimizer.step()
                acc_fn(model(xb), yb)
            model.eval()
            with torch.inference_mode():
                return acc_fn(model(x), y)
        """,
    "a metric handed to an evaluation helper": """
        import torch
        import torch.nn.functional as F
        from torchmetrics import Accuracy


        def training_step(batch, acc, model):
            y_hat = model(batch[0])
            acc(y_hat, batch[1])
            return F.cross_entropy(y_hat, batch[1])


        def validation_step(batch, acc, model):
            acc(model(batch[0]), batch[1])


        def run(rank, loader, val_loader):
            model = torch.nn.Sequential(torch.nn.Linear(4, 4), torch.nn.Dropout(0.5))
            acc = Accuracy(task="multiclass", num_classes=4)
            if rank > 0:
                acc = acc.to(rank)
            optimizer = torch.optim.Adam(model.parameters(), lr=0.1)
            for batch in loader:
                optimizer.zero_grad()
                training_step(batch, acc, model).backward()
                optimizer.step()
            model.eval()
            with torch.no_grad():
                for batch in val_loader:
                    validation_step(batch, acc, model)
        """,
    "a metric module under no_grad": """
        import torch
        import torchmetrics


        def main(model, loader, optimizer, x, y):
            accuracy = torchmetrics.Accuracy(task="binary")
            for xb, yb in loader:
                optimizer.zero_grad()
                torch.nn.functional.binary_cross_entropy(accuracy(model(xb), yb), yb).backward()
                optimizer.step()
            with torch.no_grad():
                return accuracy(x, y)
        """,
    "a transformers Trainer subclass": """
        import torch
        from transformers import Trainer


        class MyTrainer(Trainer):
            def loop(self, loader, x_val):
                for batch in loader:
                    self.optimizer.zero_grad()
                    self.model(**batch).loss.backward()
                    self.optimizer.step()
                return self.evaluate_batch(x_val)

            @torch.no_grad()
            def evaluate_batch(self, x_val):
                return self.model(x_val)
        """,
    "a tokenizer called while evaluating": """
        import torch
        from transformers import AutoTokenizer

        tokenizer = AutoTokenizer.from_pretrained("bert-base-uncased")


        def predict(model, text):
            return tokenizer(text)
        """,
}


@pytest.mark.parametrize("source", EVAL_MODE_REPORTED.values(), ids=EVAL_MODE_REPORTED.keys())
def test_ml702_reports_evaluation_in_training_mode_after_training(tmp_path, source):
    check(tmp_path, "ML702", source)


@pytest.mark.parametrize("source", EVAL_MODE_SILENT.values(), ids=EVAL_MODE_SILENT.keys())
def test_ml702_is_silent_when_the_mode_is_right_intended_or_unknown(tmp_path, source):
    check(tmp_path, "ML702", source)


TRAINED_THEN_EVALUATED = """
{definition}

def main(loader, x_val):
    model = {construction}
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    for x, y in loader:
        optimizer.zero_grad()
        F.mse_loss(model(x), y).backward()
        optimizer.step()
    with torch.no_grad():
        return model(x_val){mark}
"""

MODE_FREE = {
    "linear layers in a Sequential": ("", "nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 2))"),
    "an LSTM without dropout": ("""
class Seq(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(8, 16, 2, batch_first=True)
        self.head = nn.Linear(16, 1)

    def forward(self, x):
        out, _ = self.lstm(x)
        return self.head(out)
""", "Seq()"),
    "a convolutional net of this module": ("""
class Upscale(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.ModuleList([nn.Conv2d(1, 4, 3), nn.Conv2d(4, 4, 3)])
        self.shuffle = nn.PixelShuffle(2)

    def forward(self, x):
        for layer in self.layers:
            x = torch.relu(layer(x))
        return self.shuffle(x)
""", "Upscale()"),
}

_LAYER_LIST = """
layers = []
for width in (16, 8):
    layer = nn.Linear(4, width)
    layers.append(layer)
    layers.append({activation})
layers += [nn.Linear(8, 1)]
"""
MODE_FREE["layers collected in a list"] = (_LAYER_LIST.format(activation="nn.ReLU()"), "nn.Sequential(*layers)")
# moving a module returns the module: it is still the one built before (wandb's CIFAR-10 example)
MODE_FREE["moved to the device"] = ("", "nn.Sequential(nn.Conv2d(3, 6, 5), nn.Flatten(), nn.Linear(6, 2))\n"
                                        "    model = model.to(device).float()")

MODE_DEPENDENT = {
    "an LSTM with dropout": ("", "nn.LSTM(8, 16, 2, dropout=0.3)"),
    "dropout collected in a list": (_LAYER_LIST.format(activation="nn.Dropout(0.2)"), "nn.Sequential(*layers)"),
    "a list filled elsewhere": ("layers = make_layers()\nlayers.append(nn.ReLU())", "nn.Sequential(*layers)"),
    "functional dropout by the mode": ("""
class Head(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(8, 2)

    def forward(self, x):
        return self.fc(F.dropout(x, 0.5, training=self.training))
""", "Head()"),
    "a torchvision model": ("import torchvision", "torchvision.models.resnet18(num_classes=2)"),
    "dropout moved to the device": ("", "nn.Sequential(nn.Linear(8, 16), nn.Dropout(0.2))\n    model = model.cuda()"),
    "a submodule of unknown origin": ("""
class Wrapper(nn.Module):
    def __init__(self, backbone):
        super().__init__()
        self.backbone = backbone

    def forward(self, x):
        return self.backbone(x)
""", "Wrapper(make_backbone())"),
}


@pytest.mark.parametrize(("definition", "construction"), MODE_FREE.values(), ids=MODE_FREE.keys())
def test_ml702_is_silent_for_models_without_mode_dependent_layers(tmp_path, definition, construction):
    check(tmp_path, "ML702", TRAINED_THEN_EVALUATED.format(definition=definition, construction=construction, mark=""))


@pytest.mark.parametrize(("definition", "construction"), MODE_DEPENDENT.values(), ids=MODE_DEPENDENT.keys())
def test_ml702_reports_models_that_may_depend_on_the_mode(tmp_path, definition, construction):
    check(tmp_path, "ML702", TRAINED_THEN_EVALUATED.format(definition=definition, construction=construction,
                                                           mark="  " + MARK))


def test_ml702_names_the_call_that_reaches_the_evaluation(tmp_path):
    [finding] = check(tmp_path, "ML702", EVAL_MODE_REPORTED["evaluate called right after training"])
    assert "reached from the call at line" in finding.message
    assert "call `model.eval()` at the start of `evaluate()`" in finding.message


def test_ml702_names_the_callers_expression_when_it_differs(tmp_path):
    [finding] = check(tmp_path, "ML702", EVAL_MODE_REPORTED["a module method called after training"])
    assert "call `self.eval()` at the start of `predict()` (or `clf.eval()` before that call)" in finding.message


def test_ml702_follows_a_training_function_of_another_module(tmp_path):
    engine = textwrap.dedent(TRAIN_EPOCH).replace("def train_epoch", "import torch.nn.functional as F\n\n\ndef train_epoch")
    check(tmp_path, "ML702", """
        from engine import train_epoch

        model = Net()
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        train_epoch(model, train_loader, optimizer)
        with torch.no_grad():
            preds = model(x_test)  # <-
        """, extra={"engine.py": engine})


def test_ml702_notebook_training_in_one_cell_evaluation_in_a_later_one(tmp_path):
    check_notebook(tmp_path, "ML702", [
        HEAD + "model = Net()\noptimizer = torch.optim.Adam(model.parameters())\n",
        """
        for epoch in range(5):
            for x, y in train_loader:
                optimizer.zero_grad()
                F.cross_entropy(model(x), y).backward()
                optimizer.step()
        """,
        "print('trained')\n",
        """
        with torch.no_grad():
            test_logits = model(x_test)  # <-
        """,
    ])


def test_ml702_notebook_training_function_defined_in_one_cell_called_in_another(tmp_path):
    check_notebook(tmp_path, "ML702", [
        HEAD + textwrap.dedent(TRAIN_EPOCH),
        "model = Net()\noptimizer = torch.optim.Adam(model.parameters())\n",
        "for epoch in range(3):\n    train_epoch(model, train_loader, optimizer)\n",
        "with torch.no_grad():\n    probs = model(x_test).softmax(1)  # <-\n",
    ])


def test_ml702_notebook_with_eval_in_between_is_silent(tmp_path):
    check_notebook(tmp_path, "ML702", [
        HEAD + "model = Net()\noptimizer = torch.optim.Adam(model.parameters())\n",
        """
        for x, y in train_loader:
            optimizer.zero_grad()
            F.cross_entropy(model(x), y).backward()
            optimizer.step()
        """,
        "model.eval()\n",
        "with torch.no_grad():\n    test_logits = model(x_test)\n",
    ])


# --- ML709 no-grad-missing --------------------------------------------------------------

NO_GRAD_REPORTED = {
    "eval() called, no_grad forgotten": """
        def evaluate(model, val_loader):
            model.eval()
            correct = 0
            for x, y in val_loader:  # <-
                correct += (model(x).argmax(1) == y).sum().item()
            return correct
        """,
    "a test loader at the module level": """
        model = Net()
        preds = []
        for x, _ in test_loader:  # <-
            preds.append(model(x).argmax(1))
        """,
    "after eval() over a loader of any name": """
        model = Net()
        model.eval()
        for batch in tqdm(loader):  # <-
            out = model(batch)
        """,
    "a validate function with the model from its caller": """
        def validate(net, dataloader):
            for step, (x, y) in enumerate(dataloader):  # <-
                out = net(x)


        validate(Net(), make_loader())
        """,
    "no_grad around the metric only": """
        def test(model, test_loader):
            model.eval()
            for x, y in test_loader:  # <-
                out = model(x)
                with torch.no_grad():
                    acc = (out.argmax(1) == y).float().mean()
        """,
    "the tutorial's testloader": """
        net = Net()
        for images, labels in testloader:  # <-
            outputs = net(images)
        """,
    "a dev loader": """
        model = Net()
        for batch in dev_loader:  # <-
            logits = model(batch)
        """,
    "a self.model in a method named evaluate": """
        class Runner:
            def __init__(self):
                self.model = Net()

            def evaluate(self, loader):
                for x, y in loader:  # <-
                    self.model(x)
        """,
}

NO_GRAD_SILENT = {
    "with no_grad around the loop": """
        def evaluate(model, val_loader):
            model.eval()
            with torch.no_grad():
                for x, y in val_loader:
                    model(x)
        """,
    "decorated with no_grad": """
        @torch.no_grad()
        def evaluate(model, val_loader):
            model.eval()
            for x, y in val_loader:
                model(x)
        """,
    "decorated with inference_mode": """
        @torch.inference_mode()
        def evaluate(model, val_loader):
            for x, y in val_loader:
                model(x)
        """,
    "no_grad inside the loop around the model call": """
        def evaluate(model, val_loader):
            model.eval()
            for x, y in val_loader:
                with torch.no_grad():
                    out = model(x)
        """,
    "the caller turns grad off": """
        def evaluate(model, val_loader):
            model.eval()
            for x, y in val_loader:
                model(x)


        with torch.no_grad():
            evaluate(Net(), make_loader())
        """,
    "saliency needs gradients": """
        def test_saliency(model, test_loader):
            model.eval()
            for x, y in test_loader:
                x.requires_grad_(True)
                model(x).max().backward()
        """,
    "a training loop": """
        def train(model, train_loader, optimizer):
            model.train()
            for x, y in train_loader:
                optimizer.zero_grad()
                F.cross_entropy(model(x), y).backward()
                optimizer.step()
        """,
    "grad turned off for the whole script": """
        torch.set_grad_enabled(False)
        model = Net()
        for x, _ in test_loader:
            model(x)
        """,
    "set_grad_enabled with a flag": """
        def run(model, val_loader, training):
            for x, y in val_loader:
                with torch.set_grad_enabled(training):
                    model(x)
        """,
    "a transformers Trainer subclass": """
        import torch
        from transformers import Trainer


        class MyTrainer(Trainer):
            def evaluate(self, eval_dataloader):
                self.model.eval()
                for batch in eval_dataloader:
                    self.model(**batch)
        """,
    "generate runs under no_grad itself": """
        import torch
        from transformers import AutoModelForCausalLM

        model = AutoModelForCausalLM.from_pretrained("gpt2")
        model.eval()
        for batch in test_loader:
            model.generate(**batch)
        """,
    "a tokenizer, not a model": """
        import torch
        from transformers import AutoTokenizer

        tokenizer = AutoTokenizer.from_pretrained("gpt2")
        for text in test_loader:
            tokenizer(text)
        """,
    "an unknown callable": """
        def predict(fn, test_loader):
            for x in test_loader:
                fn(x)
        """,
}


@pytest.mark.parametrize("source", NO_GRAD_REPORTED.values(), ids=NO_GRAD_REPORTED.keys())
def test_ml709_reports_evaluation_loops_with_autograd_on(tmp_path, source):
    check(tmp_path, "ML709", source)


@pytest.mark.parametrize("source", NO_GRAD_SILENT.values(), ids=NO_GRAD_SILENT.keys())
def test_ml709_is_silent_without_grad_or_when_grad_is_needed(tmp_path, source):
    check(tmp_path, "ML709", source)


def test_ml709_in_a_later_notebook_cell(tmp_path):
    found = check_notebook(tmp_path, "ML709", [
        HEAD + "model = Net()\n",
        "model.eval()\n",
        """
        predictions = []
        for images, _ in test_loader:  # <-
            predictions.append(model(images))
        """,
    ])
    assert "`test_loader`" in found[0].message and "torch.no_grad()" in found[0].message


def test_the_rules_leave_tests_alone(tmp_path):
    source = HEAD + textwrap.dedent(NO_GRAD_REPORTED["eval() called, no_grad forgotten"]) + textwrap.dedent(
        FORWARD_REPORTED["annotated parameter"]) + textwrap.dedent(ACCUMULATION_REPORTED["list of losses"])
    findings = lint_tree(tmp_path, {"tests/test_model.py": source}, select=["ML702", "ML703", "ML704", "ML708",
                                                                           "ML709"])
    assert findings == []


# --- cost: what is read before any walk ---------------------------------------------------

ALL_TORCH_RULES = ["ML702", "ML703", "ML704", "ML708", "ML709"]

#: a module of a torch library: torch everywhere, loops, a ``forward`` method, the word
#: "backwards" and a ``forward`` mention in prose, but nothing that trains or evaluates
LIBRARY_MODULE = '''\
"""Metrics; kept backwards compatible with the old API (``metric.forward(...)``)."""
import torch
import torch.nn as nn


class Mean(nn.Module):
    def forward(self, values):
        total = torch.zeros(())
        for value in values:
            total = total + value
        return total / len(values)


def update(state, batches):
    for batch in batches:
        state = state + torch.as_tensor(batch).sum()
    return state
'''


@pytest.fixture
def analysed(monkeypatch) -> list[tuple[str, str]]:
    """Record (what, path) each time the analysis reads a module's tree or walks a scope."""
    from mllint.analysis import torch_loops

    seen: list[tuple[str, str]] = []
    facts, walk = torch_loops.TorchLoops.facts, torch_loops.ModuleFacts.walk

    def recording_facts(self, path):
        seen.append(("facts", path))
        return facts(self, path)

    def recording_walk(self, scope):
        seen.append(("walk", self.info.path))
        return walk(self, scope)

    monkeypatch.setattr(torch_loops.TorchLoops, "facts", recording_facts)
    monkeypatch.setattr(torch_loops.ModuleFacts, "walk", recording_walk)
    return seen


def test_a_library_module_without_training_evaluation_or_forward_calls_is_never_parsed(tmp_path, analysed):
    findings = lint_tree(tmp_path, {"metrics/mean.py": LIBRARY_MODULE}, select=ALL_TORCH_RULES)
    assert findings == [] and analysed == []


def test_a_training_script_is_walked(tmp_path, analysed):
    source = HEAD + textwrap.dedent("""
        def train(model, loader, optimizer):
            model.train()
            for x, y in loader:
                optimizer.zero_grad()
                F.cross_entropy(model(x), y).backward()
                optimizer.step()


        def test(model, loader):
            with torch.no_grad():
                return [model(x) for x, _ in loader]


        model = Net()
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        train(model, train_loader, optimizer)
        test(model, test_loader)
        """)
    findings = lint_tree(tmp_path, {"train.py": source}, select=ALL_TORCH_RULES)
    assert [(f.code, f.line) for f in findings] == [("ML702", source.splitlines().index(
        "        return [model(x) for x, _ in loader]") + 1)]
    assert ("facts", "train.py") in analysed and ("walk", "train.py") in analysed


def test_evaluation_code_is_not_walked_when_nothing_it_reaches_trains(tmp_path, analysed):
    """A project helper whose module says "backwards" in prose does not train; a model
    evaluated after calling it needs no walk (and is not reported)."""
    helper = '"""Helpers, backwards compatible."""\n\n\ndef prepare(model):\n    return model.float()\n'
    source = HEAD + textwrap.dedent("""
        from helpers import prepare

        model = prepare(Net())
        with torch.no_grad():
            preds = model(x_test)
        """)
    findings = lint_tree(tmp_path, {"predict.py": source, "helpers.py": helper}, select=ALL_TORCH_RULES)
    assert findings == [] and [what for what, _ in analysed] == []


def test_ml702_follows_training_through_a_function_of_the_other_module(tmp_path):
    """The project function called trains through another function of its own module."""
    engine = textwrap.dedent("""
        import torch.nn.functional as F


        def step(model, x, y, optimizer):
            optimizer.zero_grad()
            F.cross_entropy(model(x), y).backward()
            optimizer.step()


        def fit(model, loader, optimizer):
            for x, y in loader:
                step(model, x, y, optimizer)
        """)
    check(tmp_path, "ML702", """
        from engine import fit

        model = Net()
        fit(model, train_loader, torch.optim.SGD(model.parameters(), lr=0.1))
        with torch.no_grad():
            preds = model(x_test)  # <-
        """, extra={"engine.py": engine})


FORWARD_MENTIONS = {
    "a called module's forward, mentioned in prose too": """
        '''Calls `.forward(...)` on purpose.'''
        print(nn.Linear(2, 2).forward(torch.ones(1, 2)))  # <-
        """,
    "forward on a constructed module, a comment between the dot and the name": """
        # the rule runs on files that say ".forward(": this one does only here
        out = (Net().  # <- the comment hides the dot from a look back over blanks
               forward(torch.ones(1, 8)))
        """,
    "forward of super() and defined forward methods": """
        class Wrapped(Net):
            def forward(self, x):
                return super().forward(x)

            def features(self, x):
                return super(Wrapped, self).forward(x)
        """,
}


@pytest.mark.parametrize("source", FORWARD_MENTIONS.values(), ids=FORWARD_MENTIONS.keys())
def test_ml704_reads_the_tree_where_its_text_may_hold_a_call(tmp_path, source):
    check(tmp_path, "ML704", source)


def test_ml703_nested_loops_clearing_only_in_the_outer_one(tmp_path):
    check(tmp_path, "ML703", """
        def train(model, loader, optimizer, epochs):
            for epoch in range(epochs):
                optimizer.zero_grad()
                for x, y in loader:
                    F.cross_entropy(model(x), y).backward()
                    optimizer.step()  # <-
        """)


def test_the_analysis_does_not_keep_the_project_alive(tmp_path):
    """The analysis holds its project weakly: a cycle through the project would keep every
    syntax tree of a run alive until a full garbage collection (seconds on a large repository)."""
    import gc
    import weakref

    from mllint.analysis.torch_loops import TorchLoops
    from mllint.engine.context import ProjectContext
    from mllint.project.index import ProjectIndex

    project = ProjectContext(tmp_path, [], ProjectIndex(), {}, {})
    assert project.analysis(TorchLoops).project is project
    alive = weakref.ref(project)
    enabled = gc.isenabled()
    gc.disable()
    try:
        del project
        assert alive() is None
    finally:
        if enabled:
            gc.enable()


def test_a_run_leaves_no_reference_cycles(tmp_path):
    """Scopes, units and walks refer to each other; once the run is over nothing of the
    analysis may be left for the garbage collector (which would walk every syntax tree
    they hold: a quarter of a second on a 200-file repository)."""
    import gc

    from mllint.analysis import torch_loops

    kinds = (torch_loops.ModuleFacts, torch_loops.Scope, torch_loops._Collected, torch_loops._Unit,
             torch_loops._ModeWalk, torch_loops._UnitCollector, torch_loops.TorchLoops)
    engine = textwrap.dedent(TRAIN_EPOCH).replace("def train_epoch", "import torch.nn.functional as F\n\n\ndef train_epoch")
    source = HEAD + textwrap.dedent("""
        from engine import train_epoch

        model = Net()
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        train_epoch(model, train_loader, optimizer)
        with torch.no_grad():
            preds = model(x_test)
        """)
    gc.collect()
    enabled = gc.isenabled()
    gc.disable()
    try:
        findings = lint_tree(tmp_path, {"train.py": source, "engine.py": engine}, select=ALL_TORCH_RULES)
        assert [f.code for f in findings] == ["ML702"]
        del findings
        assert [type(o).__name__ for o in gc.get_objects() if isinstance(o, kinds)] == []
    finally:
        if enabled:
            gc.enable()
