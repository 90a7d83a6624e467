"""Allow ``python -m mllint``.

``python -m`` puts the current folder first on ``sys.path``: run inside the
linted repository, its ``yaml.py`` or ``libcst.py`` would be imported in place
of the library mllint needs, and so run. That entry goes before anything else
is imported; mllint's own modules are found through its package, not the path.
"""

import os
import sys

if sys.path and os.path.abspath(sys.path[0] or os.curdir) == os.getcwd():
    del sys.path[0]

from mllint.cli import main  # noqa: E402 - only once the linted folder is off the path

if __name__ == "__main__":
    main()
