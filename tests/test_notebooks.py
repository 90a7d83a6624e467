"""Notebook reading: IPython neutralisation, the virtual module, position mapping."""

from __future__ import annotations

import json
import logging

import nbformat
import pytest
from hypothesis import given
from hypothesis import strategies as st
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from mllint.syntax.notebooks import (
    CellSpan,
    CellSyntaxError,
    Magic,
    NotebookError,
    neutralise_ipython,
    read_notebook,
)

# --- helpers --------------------------------------------------------------------


def lines_of(source: str) -> list[str]:
    """A source as nbformat stores it on disk: one string per line, ends kept."""
    return source.splitlines(keepends=True)


def code(source: str, cell_id: str | None = "c") -> dict:
    cell = {
        "cell_type": "code",
        "execution_count": None,
        "metadata": {},
        "outputs": [],
        "source": lines_of(source),
    }
    if cell_id is not None:
        cell["id"] = cell_id
    return cell


def markdown(source: str, cell_id: str | None = "m") -> dict:
    cell = {"cell_type": "markdown", "metadata": {}, "source": lines_of(source)}
    if cell_id is not None:
        cell["id"] = cell_id
    return cell


def v4(*cells: dict, indent: int | None = 1) -> str:
    """A v4.5 notebook as JSON text; cell ids made unique."""
    numbered = [dict(cell, id=f"{cell['id']}{i}") if "id" in cell else cell for i, cell in enumerate(cells)]
    document = {"cells": numbered, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    return json.dumps(document, indent=indent)


def source_line_at(text: str, physical: int) -> str:
    """Decode the JSON string element written on one physical line of the file."""
    element = text.splitlines()[physical - 1].strip().rstrip(",")
    return json.loads(element)


# --- neutralise_ipython: each IPython form ---------------------------------------


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("%matplotlib inline\nimport numpy as np\n", "#%matplotlib inline\nimport numpy as np\n"),
        ("!pip install torch==2.1\n", "#!pip install torch==2.1\n"),
        ("np.sum?\n", "#np.sum?\n"),
        ("np.sum??\n", "#np.sum??\n"),
        ("?np.sum\n", "#?np.sum\n"),
        ("??np\n", "#??np\n"),
        ("/print 1 2\n", "#/print 1 2\n"),
        (",f a b\n", "#,f a b\n"),
        (";f a b\n", "#;f a b\n"),
        ("  %ls\n", "  #%ls\n"),
        ("files = !ls -la\n", "files = ...  #!ls -la\n"),
        ("t = %timeit -o f()\n", "t = ...  #%timeit -o f()\n"),
        ("x: list = !ls\n", "x: list = ...  #!ls\n"),
        ("!pip install a \\\n    b \\\n    c\nx = 1\n", "#!pip install a \\\n    #b \\\n    #c\nx = 1\n"),
        ("out = !echo a \\\n  b\n", "out = ...  #!echo a \\\n  #b\n"),
    ],
)
def test_ipython_lines_become_placeholders(source: str, expected: str) -> None:
    assert neutralise_ipython(source) == expected


def test_magic_that_empties_a_block_becomes_pass() -> None:
    source = "if x:\n    %time f()\nelse:\n    # note\n    !ls\n    y = 2\n"
    assert neutralise_ipython(source) == (
        "if x:\n    pass  #%time f()\nelse:\n    # note\n    pass  #!ls\n    y = 2\n"
    )


def test_magic_after_a_statement_in_a_block_stays_a_comment() -> None:
    source = "for i in range(3):\n    y = i\n    %time f()\n"
    assert neutralise_ipython(source) == "for i in range(3):\n    y = i\n    #%time f()\n"


def test_magic_after_a_multiline_block_header_becomes_pass() -> None:
    source = "if (a and\n        b):\n    !ls\n"
    assert neutralise_ipython(source) == "if (a and\n        b):\n    pass  #!ls\n"


def test_module_level_placeholders_are_never_statements() -> None:
    """An expression placeholder before imports would look like code above them."""
    result = neutralise_ipython("%load_ext autoreload\n!nvidia-smi\nimport torch\n")
    assert result == "#%load_ext autoreload\n#!nvidia-smi\nimport torch\n"


@pytest.mark.parametrize("magic", ["%%time", "%%timeit -n 3", "%%capture out", "%%python", "%%prun"])
def test_python_cell_magic_keeps_its_body(magic: str) -> None:
    assert neutralise_ipython(f"{magic}\nx = 1\n!ls\n") == f"#{magic}\nx = 1\n#!ls\n"


@pytest.mark.parametrize(
    "source",
    [
        "%%bash\nls -la\n",
        "%%writefile train.py\nimport torch\n",
        "%%sql\nSELECT 1\n",
        "%%html\n<b>x</b>\n",
        "%%javascript\nalert(1)\n",
        "\n  \n%%bash\nls\n",
    ],
)
def test_other_cell_magics_skip_the_cell(source: str) -> None:
    assert neutralise_ipython(source) is None


def test_double_percent_after_code_is_only_a_line_placeholder() -> None:
    assert neutralise_ipython("x = 1\n%%bash\n") == "x = 1\n#%%bash\n"


@pytest.mark.parametrize(
    "source",
    [
        's = "!ls"\nt = \'%time\'\nu = "what?"\n',
        "s = '''\n!not a command\n%not a magic\nwhy?\n'''\n",
        's = """it\'s\n!still inside\n"""\n',
        "t = f(\n    a,\n    %b\n)\n",
        "d = {\n    'k':\n    !v,\n}\n",
        "x = 1 + \\\n    !ls\n",
        "x = 1  # really?\n",
        "y = '%d' % 3\nz = a != b\nw = a == b\n",
        "d = dict(a=!ls)\n",
        "s = 'abc\\\n!ls'\n",
        "class A:\n    pass\n",
    ],
)
def test_strings_brackets_comments_and_python_are_left_alone(source: str) -> None:
    assert neutralise_ipython(source) == source


def test_line_after_a_closed_triple_quoted_string_is_a_magic_again() -> None:
    source = 's = """\n!inside\n"""\n!outside\n'
    assert neutralise_ipython(source) == 's = """\n!inside\n"""\n#!outside\n'


def test_line_endings_are_kept() -> None:
    assert neutralise_ipython("%ls\r\nx = 1\r\n!pwd") == "#%ls\r\nx = 1\r\n#!pwd"


# --- hypothesis: line count and robustness ---------------------------------------


def line_count(text: str) -> tuple[int, int]:
    return len(text.splitlines()), text.count("\n") + text.count("\r")


@given(st.text())
def test_neutralise_keeps_line_count_on_arbitrary_text(source: str) -> None:
    result = neutralise_ipython(source)
    if result is not None:
        assert line_count(result) == line_count(source)


FRAGMENTS = [
    "x = 1", "%time f()", "!ls \\", "!pip install a", "obj?", "y = !ls", "if x:", "    ", "    %ls",
    's = """', '"""', "'''", "(", ")", "[", "]", "# c?", "\\", "%%time", "%%bash", "/f a", ",g b",
    "'", '"', "a = '!x'", "def f():", "    return 1", "\t!ls", "u = 'x\\", "x == 1",
]  # fmt: skip


@given(st.lists(st.sampled_from(FRAGMENTS), max_size=12), st.sampled_from(["\n", "\r\n"]))
def test_neutralise_keeps_line_count_on_python_like_text(fragments: list[str], newline: str) -> None:
    source = newline.join(fragments)
    result = neutralise_ipython(source)
    if result is not None:
        assert line_count(result) == line_count(source)


@given(st.lists(st.sampled_from(FRAGMENTS), max_size=10))
def test_valid_python_is_never_changed(fragments: list[str]) -> None:
    """Nothing IPython-only can appear in valid Python, so such a cell is left as is."""
    source = "\n".join(fragments) + "\n"
    try:
        compile(source, "<cell>", "exec")
    except (SyntaxError, ValueError):
        return
    assert neutralise_ipython(source) == source


# --- read_notebook: the virtual module -------------------------------------------


def test_code_cells_become_one_module_numbered_among_all_cells() -> None:
    text = v4(
        markdown("# Training\nSome words."),
        code("import numpy as np\n%matplotlib inline\n"),
        markdown("More words."),
        code("x = np.zeros(3)\n!nvidia-smi\nprint(x)"),
    )
    notebook = read_notebook(text)
    assert notebook.python_source == (
        "import numpy as np\n#%matplotlib inline\nx = np.zeros(3)\n#!nvidia-smi\nprint(x)\n"
    )
    assert notebook.spans == [CellSpan(2, 1, 2), CellSpan(4, 3, 3)]
    assert [notebook.locate(line) for line in range(1, 6)] == [(2, 1), (2, 2), (4, 1), (4, 2), (4, 3)]
    assert notebook.syntax_errors == []
    assert notebook.validation_error is None
    assert notebook.cell_source(4) == "x = np.zeros(3)\n!nvidia-smi\nprint(x)"


def test_locate_clamps_the_end_of_file_line_and_rejects_nonsense() -> None:
    notebook = read_notebook(v4(code("a = 1\nb = 2")))
    assert notebook.locate(3) == (1, 2)
    with pytest.raises(ValueError):
        notebook.locate(0)


def test_magics_are_reported_with_cell_positions() -> None:
    text = v4(markdown("# t"), code("import os\n!pip install \\\n   torch\n"), code("r = %pip install x"))
    notebook = read_notebook(text)
    assert notebook.magics == [
        Magic(2, 2, 1, "shell", "!pip install \\\n   torch"),
        Magic(3, 1, 5, "assign", "%pip install x"),
    ]


def test_non_python_cell_magic_cell_is_skipped_and_python_one_kept() -> None:
    text = v4(code("%%bash\nls -la\n"), code("%%time\ntrain()\n"), code("y = 2"))
    notebook = read_notebook(text)
    assert notebook.skipped_cells == [1]
    assert notebook.python_source == "#%%time\ntrain()\ny = 2\n"
    assert notebook.spans == [CellSpan(2, 1, 2), CellSpan(3, 3, 1)]
    assert Magic(1, 1, 1, "cell_magic", "%%bash") in notebook.magics


def test_cell_with_syntax_error_is_reported_and_the_others_linted() -> None:
    text = v4(code("a = 1\n"), markdown("text"), code("b = 2\ndef f(:\n    pass\n"), code("c = 3\n"))
    notebook = read_notebook(text)
    assert notebook.syntax_errors == [CellSyntaxError(3, 2, 7, "invalid syntax")]
    assert notebook.python_source == "a = 1\nc = 3\n"
    assert notebook.locate(2) == (4, 1)


def with_metadata(text: str, metadata: dict) -> str:
    document = json.loads(text)
    document["metadata"] = metadata
    return json.dumps(document)


@pytest.mark.parametrize(("metadata", "language"), [
    ({"kernelspec": {"display_name": "R", "language": "R", "name": "ir"}, "language_info": {"name": "R"}}, "R"),
    ({"kernelspec": {"display_name": "Julia 1.9", "language": "julia", "name": "julia-1.9"}}, "julia"),
    ({"kernelspec": {"name": "spark", "language": ""}, "language_info": {"name": "scala"}}, "scala"),
])
def test_a_notebook_in_another_language_has_no_python_cell(metadata, language) -> None:
    """R, Julia or Scala cells are not Python with syntax errors: every code cell is
    left out of the module (as a ``%%bash`` cell is), and the notebook says its language."""
    text = with_metadata(v4(code("library(ggplot2)\ndf <- read.csv('churn.csv')\n"), markdown("# EDA"), code("x <- 1\n")), metadata)
    notebook = read_notebook(text)
    assert (notebook.language, notebook.syntax_errors, notebook.python_source) == (language, [], "")
    assert notebook.skipped_cells == [1, 3]


@pytest.mark.parametrize("metadata", [
    {},
    {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}},
    {"kernelspec": {"name": "pysparkkernel", "language": ""}, "language_info": {"name": "pyspark"}},
    {"kernelspec": {"name": "xpython", "language": "python"}, "language_info": {"name": "R"}},  # the kernel's word first
])
def test_a_python_notebook_is_read_as_python(metadata) -> None:
    notebook = read_notebook(with_metadata(v4(code("import pandas as pd\n")), metadata))
    assert (notebook.language, notebook.python_source) == (None, "import pandas as pd\n")


def test_a_cell_magic_under_a_python_one_is_read_as_ipython_does() -> None:
    """``%%time`` then ``%%bash``: IPython reads the body as a cell, and runs bash."""
    notebook = read_notebook(v4(code("%%time\n%%bash\npython3 prep.py \\\n    --source corpus.en\n"), code("y = 2\n")))
    assert (notebook.syntax_errors, notebook.skipped_cells, notebook.python_source) == ([], [1], "y = 2\n")


def test_unparseable_ipython_inside_brackets_is_a_syntax_error() -> None:
    notebook = read_notebook(v4(code("f(\n    %b\n)")))
    assert [(error.cell, error.line) for error in notebook.syntax_errors] == [(1, 2)]
    assert notebook.python_source == ""
    assert notebook.spans == []


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("x = 1\ny = '\0'\n", "null"),
        ("(" * 300 + ")" * 300, "nested"),
    ],
)
def test_hostile_cells_become_syntax_errors(source: str, message: str) -> None:
    notebook = read_notebook(v4(code("ok = 1"), code(source)))
    assert len(notebook.syntax_errors) == 1
    assert notebook.syntax_errors[0].cell == 2
    assert message in notebook.syntax_errors[0].message
    assert notebook.python_source == "ok = 1\n"


def test_pathologically_long_expression_is_a_syntax_error_not_a_crash() -> None:
    notebook = read_notebook(v4(code("-" * 200_000 + "1"), code("ok = 1")))
    assert [error.cell for error in notebook.syntax_errors] == [1]
    assert notebook.python_source == "ok = 1\n"


def test_top_level_await_is_allowed() -> None:
    notebook = read_notebook(v4(code("import asyncio\nawait asyncio.sleep(0)")))
    assert notebook.syntax_errors == []


def test_empty_code_cells_contribute_no_lines() -> None:
    notebook = read_notebook(v4(code(""), code("x = 1"), code(""), code("y = 2\n")))
    assert notebook.python_source == "x = 1\ny = 2\n"
    assert notebook.spans == [CellSpan(2, 1, 1), CellSpan(4, 2, 1)]


def test_crlf_sources_are_normalised_with_exact_spans() -> None:
    notebook = read_notebook(v4(code("a = 1\r\n%ls\r\n"), code("b = 2\r\nc = 3")))
    assert notebook.python_source == "a = 1\n#%ls\nb = 2\nc = 3\n"
    assert notebook.spans == [CellSpan(1, 1, 2), CellSpan(2, 3, 2)]


def test_nbformat_v3_is_upgraded_with_all_worksheets() -> None:
    text = json.dumps(
        {
            "metadata": {"name": ""},
            "nbformat": 3,
            "nbformat_minor": 0,
            "worksheets": [
                {"cells": [{"cell_type": "heading", "level": 1, "metadata": {}, "source": ["Title"]}]},
                {
                    "cells": [
                        {
                            "cell_type": "code",
                            "collapsed": False,
                            "input": ["import os\n", "%ls\n", "x = 1"],
                            "language": "python",
                            "metadata": {},
                            "outputs": [],
                            "prompt_number": 1,
                        }
                    ]
                },
            ],
        },
        indent=1,
    )
    notebook = read_notebook(text)
    assert notebook.node.nbformat == 4
    assert notebook.source_format == 3
    assert notebook.python_source == "import os\n#%ls\nx = 1\n"
    assert notebook.spans == [CellSpan(2, 1, 3)]
    physical = notebook.physical_line(2, 3)
    assert physical is not None and source_line_at(text, physical) == "x = 1"


def test_missing_cell_ids_are_not_an_error() -> None:
    text = v4(markdown("# t", cell_id=None), code("x = 1", cell_id=None))
    notebook = read_notebook(text)
    assert notebook.validation_error is None
    assert notebook.python_source == "x = 1\n"


def test_schema_problems_are_reported_but_the_notebook_is_used(caplog: pytest.LogCaptureFixture, recwarn) -> None:
    cell = dict(code("x = 1"), unexpected_field=True)
    with caplog.at_level(logging.DEBUG):
        notebook = read_notebook(v4(cell))
    assert notebook.validation_error is not None
    assert "unexpected_field" in notebook.validation_error
    assert "\n" not in notebook.validation_error
    assert notebook.python_source == "x = 1\n"
    assert caplog.records == []
    assert len(recwarn) == 0


def test_source_that_is_not_text_counts_as_empty_and_is_flagged() -> None:
    bad = dict(code(""), source=42)
    notebook = read_notebook(v4(bad, code("y = 2")))
    assert notebook.validation_error is not None
    assert notebook.python_source == "y = 2\n"
    assert notebook.cell_source(1) == ""


def test_byte_order_mark_is_accepted() -> None:
    notebook = read_notebook("\ufeff" + v4(code("x = 1")))
    assert notebook.python_source == "x = 1\n"
    assert notebook.physical_line(1, 1) is not None


VALID = v4(code("x = 1"))


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        ("  \n", "empty"),
        ("{not json", "invalid JSON"),
        (VALID[: len(VALID) // 2], "truncated"),
        ("[1, 2]", "not an object"),
        ('"notebook"', "not an object"),
        (json.dumps({"nbformat": 5, "nbformat_minor": 0, "metadata": {}, "cells": []}), "version 5"),
        (json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}}), "cells"),
        (json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": 3}), "malformed"),
        (json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [3]}), "malformed"),
        (v4(dict(code(""), source=[1, 2])), "malformed"),
        ('{"cells": ' + "[" * 100_000, "JSON"),
    ],
)
def test_unusable_notebooks_raise_notebook_error(text: str, reason: str) -> None:
    with pytest.raises(NotebookError) as caught:
        read_notebook(text)
    message = str(caught.value)
    assert reason in message
    assert "\n" not in message


# --- physical lines in the .ipynb file ------------------------------------------


def assert_every_line_maps_back(text: str) -> None:
    """Each code line's physical line holds exactly that line as a JSON string."""
    notebook = read_notebook(text)
    checked = 0
    for number, cell in enumerate(notebook.node.cells, start=1):
        for line_number, line in enumerate(lines_of(cell.source), start=1):
            physical = notebook.physical_line(number, line_number)
            assert physical is not None
            assert source_line_at(text, physical) == line
            checked += 1
    assert checked > 0


CELL_SOURCES = [
    "import numpy as np\nx = np.zeros(3)\n",
    "# Title with ünïcode and \"quotes\"\nText \\ with backslash",
    "%matplotlib inline\nfor i in range(3):\n    print(i, '\\t')\n\nend = 1",
]


def test_physical_lines_in_a_notebook_written_by_nbformat() -> None:
    cells = [new_code_cell(CELL_SOURCES[0]), new_markdown_cell(CELL_SOURCES[1]), new_code_cell(CELL_SOURCES[2])]
    cells[0].outputs = [nbformat.v4.new_output("stream", name="stdout", text="a\n[b]\n{c}\n")]
    assert_every_line_maps_back(nbformat.writes(new_notebook(cells=cells)))


def test_physical_lines_in_a_notebook_written_with_indent_2() -> None:
    text = v4(code(CELL_SOURCES[0]), markdown(CELL_SOURCES[1]), code(CELL_SOURCES[2]), indent=2)
    assert_every_line_maps_back(text)


def test_physical_lines_in_a_v3_notebook_written_by_nbformat() -> None:
    cells = [new_markdown_cell(CELL_SOURCES[1]), new_code_cell(CELL_SOURCES[2])]
    assert_every_line_maps_back(nbformat.writes(new_notebook(cells=cells), version=3))


def test_physical_line_of_a_single_string_source() -> None:
    document = json.loads(v4(markdown("# t"), code("")))
    document["cells"][1]["source"] = "a = 1\nb = 2"
    text = json.dumps(document, indent=2)
    notebook = read_notebook(text)
    physical = notebook.physical_line(2, 2)
    assert physical is not None
    assert text.splitlines()[physical - 1].strip().rstrip(",") == '"source": "a = 1\\nb = 2"'
    assert notebook.physical_line(2, 1) == physical


def test_physical_line_of_a_compact_file_is_line_one() -> None:
    notebook = read_notebook(v4(code("a = 1\nb = 2"), indent=None))
    assert notebook.physical_line(1, 2) == 1


def test_physical_line_when_list_elements_hold_several_lines() -> None:
    document = json.loads(v4(code("")))
    document["cells"][0]["source"] = ["a = 1\nb = 2\n", "c = 3"]
    text = json.dumps(document, indent=1)
    notebook = read_notebook(text)
    first, second, third = (notebook.physical_line(1, line) for line in (1, 2, 3))
    assert first == second
    assert third == first + 1
    assert source_line_at(text, third) == "c = 3"


def test_physical_line_out_of_range_is_none() -> None:
    notebook = read_notebook(v4(code("a = 1")))
    assert notebook.physical_line(1, 2) is None
    assert notebook.physical_line(2, 1) is None
    assert notebook.physical_line(0, 1) is None


def test_physical_line_combined_with_locate_for_a_finding() -> None:
    """The CI-format path: virtual line -> cell line -> file line."""
    text = nbformat.writes(new_notebook(cells=[new_markdown_cell("# t"), new_code_cell("import os\n!ls\nbad = 1")]))
    notebook = read_notebook(text)
    cell, line = notebook.locate(3)
    assert (cell, line) == (2, 3)
    physical = notebook.physical_line(cell, line)
    assert physical is not None and source_line_at(text, physical) == "bad = 1"


def test_magic_continued_by_an_open_bracket_masks_its_continuation_lines():
    source = "%timeit np.fromiter((a for a in x),\n                    dtype=x.dtype)\nprint(1)\n"
    assert neutralise_ipython(source) == (
        "#%timeit np.fromiter((a for a in x),\n                    #dtype=x.dtype)\nprint(1)\n"
    )
    assert neutralise_ipython('!echo "("\nx = (1,\n 2)\n') == '#!echo "("\nx = (1,\n 2)\n'


def test_automagic_lines_are_read_as_magics_only_when_the_cell_needs_it():
    from mllint.testkit import notebook_json

    nb = read_notebook(notebook_json(["pip install torch==2.3.0\nimport torch\n", "ls = [1]\nls\n", "cd ..\n"]))
    assert nb.syntax_errors == []
    assert [(m.cell, m.kind, m.text) for m in nb.magics] == [
        (1, "line_magic", "pip install torch==2.3.0"),
        (3, "line_magic", "cd .."),
    ]
    assert "ls = [1]\nls\n" in nb.python_source  # valid Python is left alone


# --- IPython's clean-up of a cell before it runs -----------------------------------


@pytest.mark.parametrize(
    ("source", "module"),
    [
        # every line indented alike: IPython dedents the cell
        ("    x = 1\n    if x:\n        y = 2\n", "x = 1\nif x:\n    y = 2\n"),
        ("\tx = 1\n\t%time f()\n", "x = 1\n#%time f()\n"),
        # blank leading lines are kept as they are, so line numbers do not move
        ("\n  \n  x = 1\n  y = 2\n", "\n  \nx = 1\ny = 2\n"),
        # IPython < 9.1 removed the first line's indentation where a line starts with it
        ("    model.add(layer)\n    \nmodel.summary()\n", "model.add(layer)\n\nmodel.summary()\n"),
        # pasted prompts
        (">>> x = 1\n>>> y = x\n... \n", "x = 1\ny = x\n\n"),
        ("In [3]: x = 1\n   ...: y = 2\n", "x = 1\ny = 2\n"),
        # a prompt is removed from the start of a line only, as IPython does
        (">>> x = 1\n>>> y = f(x, '>>> ')\n", "x = 1\ny = f(x, '>>> ')\n"),
        ("In [3]: x = (1,\n   ...: 2)  # 'wait ...: no'\n", "x = (1,\n2)  # 'wait ...: no'\n"),
    ],
)
def test_cells_ipython_cleans_up_are_not_syntax_errors(source: str, module: str) -> None:
    notebook = read_notebook(v4(code(source)))
    assert notebook.syntax_errors == []
    assert notebook.python_source == module


@pytest.mark.parametrize(
    ("source", "line", "message"),
    [
        ("    x = 1\n  y = 2\n", 1, "unexpected indent"),  # no common indentation, and line 2 breaks the first's
        ("x = 1\n    y = 2\n", 2, "unexpected indent"),  # an indented line after an unindented one
        ("    def f(:\n        pass\n", 1, "invalid syntax"),  # dedented, still wrong: reported as IPython runs it
    ],
)
def test_cells_that_fail_after_the_clean_up_are_syntax_errors(source: str, line: int, message: str) -> None:
    [error] = read_notebook(v4(code(source))).syntax_errors
    assert (error.line, error.message) == (line, message)


def test_clean_up_never_changes_a_cell_that_parses() -> None:
    """IPython < 9.1 would dedent the lines after an indented comment; the cell parses as it is."""
    source = "  # set up\nif ready:\n  run()\n"
    assert read_notebook(v4(code(source))).python_source == source


@pytest.mark.parametrize(
    ("cell", "column"),
    [
        ("    import pickle\n    model = pickle.load(open('m.pkl', 'rb'))\n", 13),  # indentation IPython removes
        (">>> import pickle\n>>> model = pickle.load(open('m.pkl', 'rb'))\n", 13),  # pasted prompts
        ("import pickle\nmodel = pickle.load(open('m.pkl', 'rb'))\n", 9),  # nothing removed
    ],
)
def test_findings_in_cleaned_up_cells_point_at_the_cells_own_columns(tmp_path, cell: str, column: int) -> None:
    from mllint.testkit import lint_tree, notebook_json

    [finding] = lint_tree(tmp_path, {"nb.ipynb": notebook_json([cell])}, select=["ML601"])
    assert (finding.cell, finding.line, finding.column) == (1, 2, column)
    assert cell.splitlines()[1][column - 1:].startswith("pickle.load")


def test_syntax_errors_in_cleaned_up_cells_point_at_the_cells_own_columns() -> None:
    [error] = read_notebook(v4(code("    x = (1,\n    y = 2\n"))).syntax_errors
    assert error.column > 4  # past the indentation that was removed
