"""The text pre-filters that decide which files rules analyse are faster forms of
exact regular expressions: they must accept exactly the texts those accept. The
cheaper ``ast`` walks of ``mllint.syntax.ast_walks`` likewise must meet exactly
the nodes ``ast.walk`` meets, in its order."""

from __future__ import annotations

import ast
import re
import unicodedata
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import mllint
from mllint.analysis import secrets, serving, torch_loops
from mllint.analysis.secrets import TOKEN_FORMATS, TOKEN_PREFILTER
from mllint.checks import data, deployment, model, security
from mllint.syntax.ast_walks import LEAVES, children, statements, without_leaves
from mllint.syntax.text_search import (
    LineStartSearch,
    WordSearch,
    finditer_near,
    mentions_any,
    word_starts,
)
from mllint.testkit import lint_tree

#: Pieces of code the patterns care about, glued together at random.
FRAGMENTS = (
    "serve", "preserve", " serve(", "load(", "unload(", "loads (", "import pickle", "from x import loads",
    "model", "MODEL", "key", "Key", "api_key", "PASSWORD", "token", " = ", "=", ":", "'", '"',
    "abcdefgh12", "https://", "http://", "http://localhost", "verify=False", "Verify = false", "CERT_NONE",
    "@", "://", "user:pw@host", "HTTP://", "sk-", "hf_", "ghp_", "AKIA", "AIza", "xoxb-", "\n", " ", "_", "x", "1",
)
texts = st.lists(st.sampled_from(FRAGMENTS), max_size=25).map("".join)


@settings(max_examples=300, deadline=None)
@given(texts)
@example("preserve")
@example("unload(")
@example("from pickle import loads")
def test_word_search_accepts_what_the_exact_pattern_accepts(text):
    for pattern in (
        r"\bserve\b|fastapi", r"\bload\(|(?i:model)", r"\bloads?\s*\(|import[^\n]*\bloads?\b",
        r"(key|x)\b|[|(\]]load|\|serve|^1$", r"(?i)serve|MODEL", r"\bserve\b\.\b|\bx\.\bserve", r"\b1\bx\b|\bloads",
        serving._MARKERS.exact.pattern, serving._LOAD_MARKERS.exact.pattern,
    ):
        assert WordSearch(pattern).search(text) == (re.search(pattern, text) is not None), pattern


@settings(max_examples=300, deadline=None)
@given(texts)
@example("PASSWORD = 'abcdefgh12'")
@example("Secret_Token: str = 'abcdefgh12'")
@example("url = 'http://data.example.org/x.csv'")
@example("# http://www.apache.org/licenses/LICENSE-2.0")
@example('URL = "HTTP://data.example.org/x.csv"')
@example("ctx.verify_mode = ssl.CERT_NONE")
@example("ssl._create_unverified_context()")
def test_secret_and_download_gates_keep_the_exact_answers(text):
    exact_ml602 = bool(TOKEN_PREFILTER.search(text) or security._ML602_NAMES.search(text))
    assert security.HardcodedSecret.applies_to(text) == exact_ml602
    assert security.InsecureDownload.applies_to(text) == (security._ML604_TRIGGER.search(text) is not None)


#: One token of every provider format, so that a format added without its
#: literal hint fails here.
TOKEN_SAMPLES = {
    "private key block": "-----BEGIN RSA PRIVATE KEY-----\n" + "A" * 44,
    "Anthropic API key": "sk-ant-" + "a1" * 12,
    "OpenAI API key": "sk-" + "aB1" * 8,
    "Hugging Face token": "hf_" + "a1" * 16,
    "GitHub token": "ghp_" + "a1" * 18,
    "AWS access key id": "AKIA" + "A1" * 8,
    "Google API key": "AIza" + "a" * 35,
    "Slack token": "xoxb-" + "a1" * 6,
}


def test_every_token_format_has_a_sample():
    assert sorted(TOKEN_SAMPLES) == sorted(f.kind for f in TOKEN_FORMATS)


@pytest.mark.parametrize("kind", sorted(TOKEN_SAMPLES))
def test_the_token_gate_lets_every_format_through(kind):
    text = f"value = '{TOKEN_SAMPLES[kind]}'\n"
    assert TOKEN_PREFILTER.search(text)
    assert security._may_hold_token(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("DB = 'postgres://admin:s3cret@db:5432'", True), ("see https://example.org", False), ("x = 1", False)],
)
def test_the_token_gate_on_url_credentials(text, expected):
    assert security._may_hold_token(text) == expected


#: Pieces of text around credential-like names: prefixes, separators, letter case,
#: annotations, quotes and characters outside ASCII (whose lower case may be longer).
_SECRET_PIECES = st.lists(
    st.sampled_from([
        "api_key", "APIKEY", "Access_Key", "PRIVATE_KEY", "privatekey", "monkey", "keys", "Token", "my_token",
        "SECRET", "passwd", "Password", "pwd", "passphrase", "_", " ", "\n", "=", ":", " = ", ": str = ", '"', "'",
        "]", "[", "rb", "f", "abcdefgh1234", "x" * 8, "é", "İ", "€", "—", "  ", "(", ")", ",",
    ]),
    max_size=14,
)


@settings(max_examples=400, deadline=None)
@given(_SECRET_PIECES)
@example(["é", "api_key", " = ", "'", "abcdefgh1234", "'"])
@example(["İ", "API_KEY", " = ", "'", "abcdefgh1234", "'"])
@example(["private", "_", "KEY", ": str = ", '"', "abcdefgh1234", '"'])
@example(["key", "api_key", " = ", "'", "abcdefgh1234", "'"])  # a name starting inside the last window tried
def test_the_secret_name_search_finds_what_the_pattern_finds(pieces):
    """ML602's gate tries its pattern only near the words every name holds, on
    the lowered text: it must find a credential-like name wherever a search
    ignoring case does."""
    text = "".join(pieces)
    assert security._names_a_secret(text) == (security._ML602_NAMES.search(text) is not None)


def test_mentions_any_ignores_letter_case():
    assert mentions_any("API_KEY = 1", ("key",))
    assert not mentions_any("nothing here", ("key", "token"))


#: Pieces of free text around credential names and personal data.
NAMED_FRAGMENTS = (
    "api_key", "API-KEY", "apikey", "private_key", "Secret", "token", "TOKEN", "passwd", "password", "pwd", "x" * 30,
    "my_", ".", "-", "=", ": ", "'", '"', "abcdefgh12", "sk-abc", " ", "\n", "ſ", "é", "K", "@", "+1", " 555 ",
    "4111", "1111 ", "(212) ", "mail.com", "ann", "Author: ",
)
named_texts = st.lists(st.sampled_from(NAMED_FRAGMENTS), max_size=30).map("".join)


def _spans(matches):
    return [(match.span(), match.groups()) for match in matches]


@settings(max_examples=500, deadline=None)
@given(named_texts)
@example("x" * 60 + "private_key = abcdefgh12345")
@example("ann_token=abc secret: 'abcdefgh12'")
@example("paſsword=abcdefgh12")
def test_named_secrets_are_searched_near_their_words_with_the_same_matches(text):
    near = finditer_near(secrets._NAME_VALUE, text, secrets._NAME_VALUE_WORDS, secrets._NAME_VALUE_REACH)
    assert _spans(near) == _spans(secrets._NAME_VALUE.finditer(text))


@settings(max_examples=500, deadline=None)
@given(named_texts)
@example("+1 234 567 890")
@example("4111 1111 1111 1111")
def test_personal_data_patterns_match_only_where_their_gates_do(text):
    """``find_pii`` searches each pattern only in text holding what it needs."""
    if secrets._US_PHONE.search(text) or secrets._CARD.search(text):
        assert secrets._FOUR_DIGITS.search(text)
    if secrets._INTL_PHONE.search(text):
        assert "+" in text
    if secrets._EMAIL.search(text):
        assert "@" in text


#: Pieces of code around ``forward`` and ``backward``, in several scripts.
WORD_FRAGMENTS = ("forward", "backward", "backwards", "_", ".", " ", "x", "9", "é", "ｂａｃｋｗａｒｄ", "٣", "\n", "manual_")


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(WORD_FRAGMENTS), max_size=12).map("".join))
@example("éforward_")
@example("ｂａｃｋｗａｒｄ")
def test_word_searches_find_what_their_patterns_find(text):
    assert list(word_starts(text, "forward")) == [match.start() for match in re.finditer(r"\bforward\b", text)]
    normal = unicodedata.normalize("NFKC", text)
    exact = bool(re.search(r"(?:\b|_)backward\b", text) or re.search(r"(?:\b|_)backward\b", normal))
    assert torch_loops.mentions_backward(text) == exact


#: Pieces of serving code: framework markers, plain and other decorators, model loads.
SERVING_FRAGMENTS = (
    "@", "@property", "@app.get(", "@router.post(", "@torch.no_grad()", "@pytest.mark.skip", "\n", "    ", " ",
    "fastapi", "serve", "preserve", "def run(", "def handler(event", "features_names", "Servicer", "x.",
    "serve.deployment", "ray.serve", "bottle", "bottleneck", "async ", "def predict_fn(",
    "model", "MODEL", "Model", "load(", "unload(", "pipeline(", "from_pretrained", "mode", "l",
)
serving_texts = st.lists(st.sampled_from(SERVING_FRAGMENTS), max_size=20).map("".join)


@settings(max_examples=300, deadline=None)
@given(serving_texts)
@example("@property\ndef x(): pass\nimport fastapi")
@example("@app.get('/x')")
@example("MoDeL")
@example("unload(x); preload(y)")
def test_serving_gates_keep_the_exact_answers(text):
    decorators = any(
        name.rsplit(".", 1)[-1] not in serving._PLAIN_DECORATORS for name in serving._DECORATOR.findall(text)
    )
    assert serving.may_define_handlers(text) == (serving._MARKERS.exact.search(text) is not None or decorators)
    assert serving.may_load_models(text) == (serving._LOAD_MARKERS.exact.search(text) is not None)


#: Pieces of code around line starts: indentation, class statements, decorators.
LINE_FRAGMENTS = ("\n", "\r", " ", "\t", "x", "class", "class ", "Base", "(", ")", ",", "@", "@a.b", ".", "def f():", "my")


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(LINE_FRAGMENTS), max_size=30).map("".join))
@example("class A(B):\n  class C(D, E)")
@example(")  class A(B)\n\t@x.y\nz@w")
@example("class A(\nclass B(C)")
def test_line_start_search_finds_what_the_multiline_pattern_finds(text):
    for pattern in (r"class[ \t]+\w+[ \t]*\(([^)]*)", r"@([\w.]+)", r"class\b", r"@", r"class[ \t]+\w*(Base|A)\b"):
        assert LineStartSearch(pattern).findall(text) == re.findall(r"^[ \t]*" + pattern, text, re.MULTILINE), pattern
        assert LineStartSearch(pattern).search(text) == bool(re.search(r"^[ \t]*" + pattern, text, re.MULTILINE)), pattern


def _package_trees() -> list[ast.Module]:
    """mllint's own modules: real code with every kind of statement block."""
    return [ast.parse(path.read_text(encoding="utf-8")) for path in sorted(Path(mllint.__file__).parent.rglob("*.py"))]


MATCH_AND_TRY = """
try:
    import a
except ImportError as error:
    import b
else:
    import c
finally:
    import d
match x:
    case [y] if y:
        import e
    case _:
        import f
async def g():
    async with h:
        async for i in j:
            import k
"""


def test_statements_meet_the_statements_ast_walk_meets_in_its_order():
    for tree in [ast.parse(MATCH_AND_TRY), *_package_trees()]:
        assert list(statements(tree.body)) == [n for n in ast.walk(tree) if isinstance(n, ast.stmt)]
        for statement in tree.body:
            assert list(statements([statement])) == [n for n in ast.walk(statement) if isinstance(n, ast.stmt)]


def test_without_leaves_meets_every_other_node_in_ast_walk_order():
    for tree in [ast.parse(MATCH_AND_TRY), *_package_trees()]:
        assert list(without_leaves(tree)) == [n for n in ast.walk(tree) if type(n) not in LEAVES]


def test_rules_sharing_a_gate_evaluate_it_once_per_file(tmp_path, monkeypatch):
    """ML501-ML503 share the serving gate, ML504-ML505 the model-loading one: each
    runs once per file, and the rules still run where it lets them."""
    calls: list[str] = []
    for name in ("may_define_handlers", "may_load_models"):
        real = getattr(deployment, name)
        monkeypatch.setattr(deployment, name, lambda text, _real=real, _name=name: calls.append(_name) or _real(text))
    api = (
        "import joblib\nfrom fastapi import FastAPI\n\napp = FastAPI()\n\n\n@app.post('/predict')\n"
        "def predict(payload: dict):\n    model = joblib.load(payload['path'])\n    return {'y': model.predict([payload['x']])[0]}\n"
    )
    findings = lint_tree(tmp_path, {"api.py": api}, select=["ML501", "ML502", "ML503", "ML504", "ML505"])
    assert sorted(calls) == ["may_define_handlers", "may_load_models"]
    assert {f.code for f in findings} == {"ML501", "ML504"}


#: Credential-like and ordinary names, and literals shaped like secrets or not.
SECRET_NAMES = ("password", "api_key", "hf_token", "pad_token", "key", "secret_key", "x", "DB_PASSWD")
SECRET_TARGETS = (*SECRET_NAMES, "env['API_KEY']", "self.password", "cfg['x']", "a, b")
SECRET_VALUES = (
    "'A1b2C3d4E5f6G7h8'", "'hunter2'", "'<your-key-here>'", "f'A1b2{x}C3d4E5f6'", "'A1b2C3d4' 'E5f6G7h8'",
    "b'A1b2C3d4E5f6G7h8'", "'hf_" + "a1" * 16 + "'", "'sk-" + "aB1" * 8 + "'", "None", "'postgres://u:Pa55w0rd@db/x'",
)
SECRET_FORMS = (
    "{target} = {value}", "{target}: str = {value}", "d = {{'{name}': {value}}}", "f({name}={value})",
    "def g({name}={value}): pass", "def g(*, {name}={value}): pass", "lambda {name}={value}: 0",
    "wandb.login(key={value})", "print({value})", "x = 1  # {value}", "class C(B, {name}={value}): pass",
)
def modules(lines: st.SearchStrategy[str], header: str = "") -> st.SearchStrategy[str]:
    """Modules of one to six generated lines under *header*."""
    return st.lists(lines, min_size=1, max_size=6).map(lambda chosen: header + "\n".join(chosen) + "\n")


secret_modules = modules(
    st.builds(
        lambda form, target, name, value: form.format(target=target, name=name, value=value),
        st.sampled_from(SECRET_FORMS), st.sampled_from(SECRET_TARGETS), st.sampled_from(SECRET_NAMES),
        st.sampled_from(SECRET_VALUES),
    ),
    "import wandb\n",
)


@settings(max_examples=150, deadline=None)
@given(secret_modules)
@example("password = 'A1b2C3d4E5f6G7h8'\n")
@example("def connect(*, secret_key='A1b2C3d4E5f6G7h8'): pass\n")
@example("import wandb\nwandb.login(key='A1b2C3d4E5f6G7h8')\n")
def test_the_secret_rules_ast_prefilter_never_hides_a_finding(tmp_path_factory, text):
    """ML602 skips libcst where the ``ast`` shows no credential binding and the
    text no token: wherever the rule reports, the pre-filter lets it run."""
    assert_prefilter_hides_nothing(tmp_path_factory.mktemp("secrets"), security.HardcodedSecret, {"app.py": text})


#: Fits, predictions and scores on data written alike and not.
EVALUATIONS = (
    "from sklearn.linear_model import LogisticRegression", "from sklearn.metrics import accuracy_score",
    "model = LogisticRegression()", "model.fit(X_train, y_train)", "model.fit((X), y)", "model.fit(X [ 0 ], y)",
    "model.fit(*data)", "model.fit(*extra, data, y)", "model.fit('a  b', y)", "m = LogisticRegression().fit(X, y)", "model.predict(X)",
    "model.predict(data)", "model.predict(X[0])", "model.predict('a b')", "print(model.score(X_test, y_test))",
    "print(accuracy_score(y, model.predict( X )))", "pred = m.predict(X_train)\nprint(accuracy_score(y_train, pred))",
    "def evaluate():\n    model.fit(X, y)\n    return model.score(X, y)", "X = load()",
    "(model).fit(X, y)", "other.predict(X)", "model . score( X , y)", "model.fit(X, y=labels)", "model.fit(X)",
    "m = LogisticRegression().fit(X_train, y=y)", "m.score(X_train, y)", "scaler.fit(X, y)", "scaler.predict(X)",
    "print(accuracy_score(y_true=y, y_pred=model.predict(X)))", "pred = model.predict(X)", "mean_squared_error(y, pred)",
    "show(model.predict(X))", "metrics.f1_score(y, *[model.predict(X)])", "loss = m.predict(X_train)", "print(loss(y, loss))",
)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(EVALUATIONS), min_size=1, max_size=6))
@example(["model.fit(X_train, y_train)", "print(model.score(X_train, y_train))"])
@example(["model.fit(*extra, data, y)", "print(model.score(data, y))"])
@example(["model.fit('a  b', y)", "print(model.score('a b', y))"])
@example(["model.fit(X, y=labels)", "print(accuracy_score(y_true=y, y_pred=model.predict(X)))"])
@example(["m = LogisticRegression().fit(X_train, y=y)", "loss = m.predict(X_train)", "print(loss(y, loss))"])
def test_the_training_data_evaluation_prefilter_never_hides_a_finding(tmp_path_factory, statements):
    """ML304 skips libcst where no model is both fitted on labelled data and
    predicted or scored on the same data, compared without whitespace and
    parentheses."""
    text = "\n".join(statements) + "\n"
    assert_prefilter_hides_nothing(tmp_path_factory.mktemp("evaluations"), model.EvaluatedOnTrainingData, {"train.py": text})


def assert_prefilter_hides_nothing(root: Path, rule: type, files: dict[str, str]) -> None:
    """*rule* reports the same with its ``can_fire`` pre-filter as without it."""
    filtered = [(f.path, f.line, f.column, f.message) for f in lint_tree(root, files, select=[rule.code])]
    with pytest.MonkeyPatch.context() as patched:
        patched.setattr(rule, "can_fire", classmethod(lambda cls, ctx: True))
        unfiltered = [(f.path, f.line, f.column, f.message) for f in lint_tree(root, select=[rule.code])]
    assert filtered == unfiltered


#: Imports and calls of what ML104 and ML303 judge, and of look-alikes.
CALL_IMPORTS = (
    "import pandas as pd", "from pandas import read_csv", "import requests", "from urllib.request import urlopen",
    "import datasets", "from datasets import load_dataset", "from huggingface_hub import hf_hub_download",
    "import torch", "from sklearn.linear_model import LogisticRegression", "import mytools as pd", "import joblib",
    "import mlflow", "import requests", "import urllib.request", "import ssl",
)
CALL_STATEMENTS = (
    "df = pd.read_csv('https://example.org/data.csv')", "df = read_csv('https://example.org/data.csv')",
    "r = requests.get('https://example.org/data.zip')", "open('d.csv', 'wb').write(r.content)",
    "urlopen('https://example.org/x.json')", "ds = load_dataset('imdb')", "ds = datasets.load_dataset('glue')",
    "hf_hub_download('org/data', 'train.csv', repo_type='dataset')", "x = {}.get('https://example.org/a.csv')",
    "opt = torch.optim.SGD(params, lr=0.1, momentum=0.9)", "model = LogisticRegression(C=0.5)", "model.fit(X, y)",
    "import hashlib", "def f():\n    return pd.read_csv('https://example.org/b.csv')",
    "def read_csv(path):\n    return path", "class Loader:\n    def run(self):\n        return self.get('https://example.org/c.csv')",
    "joblib.dump(model, 'model.pkl')", "torch.save(model.state_dict(), 'model.pt')", "mlflow.sklearn.log_model(model, 'm')",
    "requests.get('http://example.org/data.csv')", "requests.get(f'http://example.org/{name}.csv')",
    "URL = 'http://example.org/m.bin'", "urllib.request.urlretrieve(URL, 'm.bin')", "requests.get(url, verify=False)",
    "session.verify = False", "ctx = ssl._create_unverified_context()",
    "def f():\n    \"Fetch it with requests.get('http://example.org/x')\"", "x = 1  # requests.get('http://example.org')",
    "requests.get('http://localhost:8000/x')", "snapshot_download('org/model')", "from huggingface_hub import snapshot_download",
    "hf_hub_download('org/data', 'x.csv', repo_type='data' 'set')", "hf_hub_download(repo, f, repo_type=kind)",
    "with 'https://example.org/d.csv' as u:\n    pd.read_csv(u)", "SOURCE: str = 'HTTPS://example.org/e.csv'",
    "pd.read_csv(SOURCE)", "r = requests.get(URL)\nopen('x', 'wb').write(r.content)",
    "load_dataset('imagefolder', data_dir=d)", "load_dataset(args.dataset_name)", "load_dataset('org/pokemon', revision='v1')",
)
call_modules = st.builds(
    lambda imports, statements, main: "\n".join([*imports, *statements, *(["if __name__ == '__main__':\n    pass"] if main else [])]) + "\n",
    st.lists(st.sampled_from(CALL_IMPORTS), max_size=4), st.lists(st.sampled_from(CALL_STATEMENTS), min_size=1, max_size=5),
    st.booleans(),
)


@settings(max_examples=100, deadline=None)
@given(call_modules, st.sampled_from(["train.py", "pkg/data.py", "tests/test_data.py"]))
@example("import pandas as pd\ndf = pd.read_csv('https://example.org/data.csv')\n", "pkg/data.py")
@example("from pandas import read_csv\ndef read_csv(path):\n    return path\ndf = read_csv('https://example.org/data.csv')\n", "pkg/data.py")
@example("import torch\nopt = torch.optim.SGD(params, lr=0.1)\nif __name__ == '__main__':\n    pass\n", "train.py")
@example("import joblib\njoblib.dump(model, 'model.pkl')\n", "train.py")
@example("import urllib.request\nURL = 'http://example.org/m.bin'\nurllib.request.urlretrieve(URL, 'm.bin')\n", "train.py")
@example("import pandas as pd\nwith 'https://example.org/d.csv' as u:\n    pd.read_csv(u)\n", "train.py")
@example("import pandas as pd\nSOURCE: str = 'HTTPS://example.org/e.csv'\npd.read_csv(SOURCE)\n", "train.py")
@example("from huggingface_hub import hf_hub_download\nhf_hub_download('org/data', 'x.csv', repo_type='data' 'set')\n", "train.py")
def test_the_data_model_hyperparameter_and_download_prefilters_never_hide_a_finding(tmp_path_factory, text, path):
    """ML104, ML301, ML303 and ML604 skip libcst where the index, the project's
    answers or the ``ast`` show that nothing they judge is there."""
    for rule in (data.UnpinnedRemoteData, model.UnversionedModelArtifact, model.HardcodedHyperparameters,
                 security.InsecureDownload):
        assert_prefilter_hides_nothing(tmp_path_factory.mktemp("calls"), rule, {path: text})


def test_children_are_the_nodes_iter_child_nodes_gives_in_its_order():
    for tree in [ast.parse(MATCH_AND_TRY), *_package_trees()]:
        for node in ast.walk(tree):
            assert children(node) == list(ast.iter_child_nodes(node))


#: Machine-local paths and look-alikes, and the ways ML103 follows them to a data call.
PATH_LITERALS = (
    "'/home/me/data.csv'", "'~/.cache/x'", "'~/data/x.csv'", "r'\\\\n'", "'C:\\\\data\\\\x.npy'", "f'/mnt/{name}/x'",
    "f'{root}/home/x'", "'/tmp/x.csv'", "'/Users/' 'a/b.csv'", "b'/home/me/x'", "'data/x.csv'", "'/root/.cache/m'",
)
PATH_FORMS = (
    "pd.read_csv({value})", "DATA = {value}", "pd.read_csv(DATA)", "open(os.path.join({value}, 'x'))",
    "x = re.sub({value}, '', t)", "np.save(Path({value}) / 'x.npy', a)", "cfg = os.getenv('D', {value})",
    "pd.read_csv(cfg)", "with open({value}) as f:\n    pd.read_csv(f)", "a, b = {value}, 'y'", "pd.read_csv(a)",
    "DATA = {value}.strip()", "df.to_csv({value})", "def f(p={value}):\n    return np.load(p)",
    "\"\"\"Read {value}.\"\"\"", "paths = [{value}]", "torch.load(*paths)", "torch.load(*DATA)", "exec(code)", "DATA: str = {value}",
    "model.save_pretrained(out)", "out = f'{{base}}/x'", "base = {value}",
)
path_modules = modules(
    st.builds(lambda form, value: form.format(value=value), st.sampled_from(PATH_FORMS), st.sampled_from(PATH_LITERALS)),
    "import os, re\nimport numpy as np\nimport pandas as pd\nimport torch\nfrom pathlib import Path\n",
)


@settings(max_examples=150, deadline=None)
@given(path_modules)
@example("import pandas as pd\nDATA = '/home/me/data.csv'\npd.read_csv(DATA)\n")
@example("import pandas as pd\nwith open('/Users/a/b.txt') as f:\n    pd.read_csv(f)\n")
@example("import numpy as np\nfrom pathlib import Path\nnp.save(Path(f'/mnt/{x}/d') / 'x.npy', a)\n")
@example("base = '/home/me'\nout = f'{base}/x'\nmodel.save_pretrained(out)\n")
@example("import torch\nDATA = '/home/me/m.pt'\ntorch.load(*DATA)\n")
def test_the_absolute_path_prefilter_never_hides_a_finding(tmp_path_factory, text):
    """ML103 skips libcst where the ``ast`` shows no machine-local literal that a
    data call's argument leads to."""
    assert_prefilter_hides_nothing(tmp_path_factory.mktemp("paths"), data.AbsoluteDataPath, {"train.py": text})


TRUST_FORMS = (
    "AutoModel.from_pretrained(name, trust_remote_code=True)", "AutoModel.from_pretrained(name, trust_remote_code=flag)",
    "pipeline('x', trust_remote_code=True, revision='" + "a" * 40 + "')", "kwargs = {'trust_remote_code': True}",
    "kwargs = {'trust_' 'remote_code': True}", "kwargs = dict(trust_remote_code=True)", "load(trust_remote_code=False)",
    "x = {'trust_remote_code': args.trust}", "# trust_remote_code=True", "f(**{'trust_remote_code': True})",
    "'''Pass trust_remote_code=True.'''", "run(trust_remote_code=True, **options)",
)


@settings(max_examples=100, deadline=None)
@given(modules(st.sampled_from(TRUST_FORMS)))
@example("kwargs = {'trust_' 'remote_code': True}\n")
@example("AutoModel.from_pretrained(name, trust_remote_code=flag)\n")
def test_the_remote_code_prefilter_never_hides_a_finding(tmp_path_factory, text):
    """ML603 skips libcst where the ``ast`` shows ``trust_remote_code`` set to
    nothing but a caller's choice."""
    assert_prefilter_hides_nothing(tmp_path_factory.mktemp("trust"), security.TrustRemoteCode, {"load.py": text})


@pytest.mark.parametrize(
    ("rule", "text"),
    [
        (data.AbsoluteDataPath, "import re\nx = re.sub(r'\\\\n', ' ', caption)\n"),
        (data.AbsoluteDataPath, "from pathlib import Path\nCACHE = Path('~/.cache/models')\n"),
        (data.AbsoluteDataPath, "import pandas as pd\n\"\"\"Data lives in /home/me/data.\"\"\"\npd.read_csv('data.csv')\n"),
        (security.TrustRemoteCode, "def load(name, trust_remote_code=False):\n    return get(name, trust_remote_code=trust_remote_code)\n"),
        (data.UnpinnedRemoteData, "from huggingface_hub import hf_hub_download\n\"\"\"See https://hf.co/docs.\"\"\"\n"
                                  "path = hf_hub_download('org/model', 'weights.bin')\n"),
        (model.EvaluatedOnTrainingData, "model.fit(X_train, y_train)\nprint(model.score(X_test, y_test))\n"),
        (model.EvaluatedOnTrainingData, "model.fit(X_train, y_train)\nprint(baseline.score(X_train, y_train))\n"),
        (model.EvaluatedOnTrainingData, "kmeans.fit(X_train)\nprint(kmeans.score(X_train))\n"),
        (model.EvaluatedOnTrainingData, "model.fit(X, y)\nplot(X, model.predict(X))\nfitted = model.predict(X)\n"),
    ],
)
def test_the_ast_prefilters_skip_what_cannot_be_reported(tmp_path, rule, text):
    """Without this, the pre-filters above could say yes to everything and pass."""
    (tmp_path / "m.py").write_text(text)
    parsed = []
    with pytest.MonkeyPatch.context() as patched:
        patched.setattr(rule, "applies_to", classmethod(lambda cls, text: True))
        real = rule.can_fire.__func__
        patched.setattr(rule, "can_fire", classmethod(lambda cls, ctx: parsed.append(real(cls, ctx)) or parsed[-1]))
        assert lint_tree(tmp_path, select=[rule.code]) == []
    assert parsed == [False]


#: Loads in functions, methods, class bodies and at module level, with what
#: ML601 reads around them: bindings, writes, state dicts, shadowing names.
LOAD_FORMS = (
    "def restore(path):\n    state = torch.load(path)\n    model.load_state_dict(state)",
    "def load_all(p):\n    return torch.load(p)", "MODEL = 'model.pkl'", "PATH = 'weights/model.pt'",
    "class Runner:\n    def restore(self, p):\n        return pickle.load(open(p, 'rb'))\n    def other(self):\n        return 1",
    "@cache\ndef cached():\n    return joblib.load(MODEL)", "torch.load('m.pt')", "sd = torch.load(PATH)",
    "model.load_state_dict(sd)", "def round_trip(x):\n    torch.save(x, 'm.pt')\n    return torch.load('m.pt')",
    "def config():\n    with open('c.yaml') as f:\n        return yaml.load(f)", "yaml = YAML()",
    "def shadowed(yaml):\n    return yaml.load(s)", "if DEBUG:\n    def debug_load(p):\n        return pickle.loads(p)",
    "def helper():\n    pass", "class Holder:\n    x = torch.load('a.pt')",
    "def outer():\n    def inner(p):\n        return np.load(p, allow_pickle=True)\n    return inner",
    "async def fetch(p):\n    return torch.load(p, weights_only=False)", "def remote():\n    return torch.load(URL)",
    "URL = 'https://example.org/m.pt'", "def stream():\n    return yaml.load('a: 1')",
    "from pickle import load", "def load(p):\n    return p", "load(blob)", "json.load(f)", "import json",
)


@settings(max_examples=100, deadline=None)
@given(modules(st.sampled_from(LOAD_FORMS), "import pickle, joblib, yaml, torch\nimport numpy as np\n"))
@example("import torch\nPATH = 'm.pt'\ndef helper():\n    pass\ndef load():\n    return torch.load(PATH)\n")
@example("from pickle import load\ndef load(p):\n    return p\nload(blob)\n")
def test_the_unsafe_load_prefilter_and_partial_parse_never_change_a_finding(tmp_path_factory, text):
    """ML601 skips libcst where the ``ast`` shows no load it judges, and has it
    parse only the functions holding a load: its findings and fixes are those
    of a parse of the whole module."""
    root = tmp_path_factory.mktemp("loads")

    def findings(**files: str) -> list[tuple]:
        return [(f.line, f.column, f.end_line, f.end_column, f.message, f.severity, f.fix)
                for f in lint_tree(root, files or None, select=["ML601"])]

    filtered = findings(**{"load.py": text})
    with pytest.MonkeyPatch.context() as patched:
        patched.setattr(security.UnsafeDeserialization, "can_fire", classmethod(lambda cls, ctx: True))
        patched.setattr(security.UnsafeDeserialization, "lines_read", classmethod(lambda cls, ctx: None))
        assert findings() == filtered


def test_libcst_parses_only_the_functions_holding_a_load(tmp_path, monkeypatch):
    import libcst

    parsed: list[str] = []
    real = libcst.parse_module
    monkeypatch.setattr(libcst, "parse_module", lambda text: parsed.append(text) or real(text))
    found = lint_tree(tmp_path, {"load.py": "import torch\n\n\ndef report(x):\n    print('accuracy', x)\n\n\n"
                                            "def load(p):\n    return torch.load(p)\n"}, select=["ML601"])
    assert [(f.line, f.column) for f in found] == [(9, 12)]
    assert len(parsed) == 1 and "accuracy" not in parsed[0] and parsed[0].count("\n") == 9
