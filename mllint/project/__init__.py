"""Facts about the repository, read without running anything: the index of
its Python modules (``index``), which files play which role (``layout``),
git (``git``), DVC (``dvc``), declared dependencies (``dependencies/``),
CI configurations (``ci/``) and pytest's configuration (``pytest_config``).

Each fact is computed from files and git plumbing only; the engine's project
context collects them lazily, once per project and run.
"""
