"""Command line: ``mllint check | init | rules | explain | report``, one module each.

Exit status: 0 nothing at or above ``--fail-on``; 1 findings; 2 usage error,
bad configuration or internal error (one line on stderr, a traceback only
with ``--verbose``).

Start-up imports only what every command needs: ``mllint --version`` must not
pay for libcst and the rules. The commands import the engine when they run.
"""

from __future__ import annotations

import click

from mllint import __version__
from mllint.cli.catalogue import explain, rules
from mllint.cli.check import check
from mllint.cli.init import init
from mllint.cli.report import report

__all__ = ["check", "main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="mllint")
def main() -> None:
    """mllint: a linter for the machine-learning lifecycle."""


main.add_command(check)
main.add_command(init)
main.add_command(rules)
main.add_command(explain)
main.add_command(report)
