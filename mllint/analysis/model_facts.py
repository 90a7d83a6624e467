"""What the project does about its models, as the ML3xx rules need it: which
calls train, and whether the project versions models (a registry, DVC
outputs), tracks experiments (a tracker import or call, DVC metrics) and keeps
hyperparameters in configuration.

Cost: one pass over the project index's call lists and imports (no parsing;
a module's text is read only when it imports dataclasses/pydantic/attrs):
linear in the number of modules, computed once per run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterable, Iterator, Mapping

from mllint.engine.context import Analysis, ProjectContext
from mllint.project.index import CallSite, ModuleInfo
from mllint.project.layout import is_test_path

_TRANSFORMER_RECEIVER = re.compile(
    r"scal|encod|imput|vectori[sz]|token|pca|svd|select|normali[sz]|binari[sz]|discreti[sz]|transform|sampler"
    r"|tfidf|count_?vec|poly|kbins|feature",
    re.I,
)
_OPTIMIZER_RECEIVER = re.compile(r"optim|opt$|^opt", re.I)
_TRAINING_FUNCTIONS = frozenset({"xgboost.train", "lightgbm.train", "catboost.train", "xgboost.Booster.train"})


def names_a_transformer(receiver: str) -> bool:
    """A receiver named like a preprocessing step (``scaler``, ``encoder``, ``pca``):
    its ``fit`` learns statistics of the data, it does not train a model."""
    return _TRANSFORMER_RECEIVER.search(receiver) is not None


def _parts(name: str) -> tuple[str, str]:
    """(receiver's last segment, method) of a dotted call name."""
    head, _, last = name.rpartition(".")
    return head.rpartition(".")[2], last


def is_fit_call(name: str) -> bool:
    """``model.fit`` / ``trainer.fit`` / ``Trainer.train`` / ``xgb.train``: training, not preprocessing."""
    if name in _TRAINING_FUNCTIONS:
        return True
    receiver, method = _parts(name)
    if not receiver:
        return False
    if method in ("fit", "fit_generator"):
        return not names_a_transformer(receiver)
    return method == "train" and "trainer" in receiver.lower()


def training_sites(info: ModuleInfo) -> Iterator[CallSite]:
    """Training calls of a module: estimator/trainer fits and backward+optimizer.step loops."""
    bodies: list[list[CallSite]] = [info.toplevel_calls, *(f.calls for f in info.functions.values())]
    for calls in bodies:
        yield from (site for site in calls if is_fit_call(site.name))
        backward = [s for s in calls if s.name.endswith(".backward") or s.name == "backward"]
        steps = [s for s in calls if _parts(s.name)[1] == "step" and _OPTIMIZER_RECEIVER.search(_parts(s.name)[0])]
        if backward and steps:
            yield min(backward, key=lambda s: s.line)


def all_calls(info: ModuleInfo) -> Iterator[CallSite]:
    yield from info.toplevel_calls
    for function in info.functions.values():
        yield from function.calls


#: Import prefixes of experiment trackers (what records params and metrics).
TRACKER_IMPORTS = (
    "mlflow", "wandb", "dvclive", "tensorboard", "tensorboardX", "torch.utils.tensorboard", "tensorflow.summary",
    "aim", "neptune", "comet_ml", "clearml", "sacred", "pytorch_lightning.loggers", "lightning.pytorch.loggers",
    "lightning.fabric.loggers", "keras.callbacks.TensorBoard", "keras.callbacks.CSVLogger",
    "tensorflow.keras.callbacks.TensorBoard", "tensorflow.keras.callbacks.CSVLogger", "guildai", "polyaxon",
)
#: Calls that track by themselves: Lightning's Trainer logs to a default logger,
#: ``tf.summary`` and Keras' logging callbacks write event files.
TRACKER_CALLS = (
    "pytorch_lightning.Trainer", "lightning.Trainer", "lightning.pytorch.Trainer", "tensorflow.summary.",
    "tensorflow.keras.callbacks.TensorBoard", "tensorflow.keras.callbacks.CSVLogger",
    "keras.callbacks.TensorBoard", "keras.callbacks.CSVLogger",
)

#: Calls that put a model under version control or in a registry.
_REGISTRY_PREFIXES = ("wandb.Artifact", "wandb.log_model", "wandb.log_artifact", "clearml.OutputModel",
                      "huggingface_hub.upload_", "huggingface_hub.HfApi", "mlflow.register_model")
_REGISTRY_SUFFIXES = (".log_model", ".log_artifact", ".log_artifacts", ".push_to_hub", ".register_model",
                      ".upload_folder", ".upload_file")


def _has_prefix(name: str, prefixes: Iterable[str]) -> bool:
    return any(name == p or name.startswith(p if p.endswith(".") else p + ".") for p in prefixes)


_CONFIG_IMPORTS = (
    "argparse", "click", "typer", "hydra", "omegaconf", "fire", "absl.flags", "absl.app", "gin", "jsonargparse",
    "simple_parsing", "ml_collections", "pydantic_settings", "configargparse", "tyro", "docopt", "yaml", "ruamel",
    "tomllib", "tomli", "toml", "configparser", "dynaconf", "hyperparameters",
)
_CONFIG_FILE = re.compile(r"(^|/)(params\.ya?ml|[^/]*(config|conf|param|hparam|setting)[^/]*\.(ya?ml|json|toml|ini|cfg))$", re.I)
_CONFIG_CLASS = re.compile(r"^\s*class\s+\w*(Config|Args|Arguments|Params|HParams|Hparams|Hyperparameters|Settings)\b", re.M)


@dataclass(frozen=True)
class ModelPractices(Analysis):
    """Whether the project versions models, tracks experiments and configures
    its hyperparameters, anywhere in the project (each a yes/no fact)."""

    versions_models: bool
    tracks_experiments: bool
    has_config: bool

    name = "model-practices"

    @classmethod
    def for_project(cls, project: ProjectContext, options: Mapping[str, Any]) -> "ModelPractices":
        return _practices(project)


def _practices(project: ProjectContext) -> ModelPractices:
    versions = tracks = configured = False
    dvc = project.dvc
    for info in project.index.modules.values():
        names = [site.name for site in all_calls(info)]
        imports = info.imports
        versions = versions or any(
            _has_prefix(n, _REGISTRY_PREFIXES) or n.endswith(_REGISTRY_SUFFIXES)
            or (n.startswith("bentoml.") and n.endswith(".save_model")) for n in names
        )
        tracks = tracks or any(_has_prefix(i, TRACKER_IMPORTS) for i in imports) or any(
            _has_prefix(n, TRACKER_CALLS) for n in names
        )
        configured = configured or any(_has_prefix(i, _CONFIG_IMPORTS) for i in imports) or _defines_config_class(project, info)
    configured = configured or bool(dvc.params) or any(_CONFIG_FILE.search(f) for f in project.files if not is_test_path(f))
    return ModelPractices(
        versions_models=versions or bool(dvc.artifacts),
        tracks_experiments=tracks or bool(dvc.metrics),
        has_config=configured,
    )


def _defines_config_class(project: ProjectContext, info: ModuleInfo) -> bool:
    """A dataclass/pydantic/attrs class named like a config (``TrainConfig``, ``Args``)."""
    if info.is_notebook or not info.top_packages & {"dataclasses", "pydantic", "attrs", "attr"}:
        return False
    text = project.module_source(info.path)
    return text is not None and _CONFIG_CLASS.search(text) is not None
