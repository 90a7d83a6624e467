"""The engine: what a rule is, and how a run turns files into findings.

A run flows through these modules in order:

1. ``discovery`` finds the project roots and their files (git's ignore rules,
   the configured excludes);
2. ``loading`` reads each file once (``sources`` decodes it, notebooks become
   one module of cells) and parses it with ``ast`` into the project index;
3. ``runner`` runs the selected rules (``registry``, ``rules``) with their
   ``context``: source rules read text and ``ast``, module rules share one libcst
   ``traversal`` per file, notebook rules read cells, project rules the whole
   repository; shared analyses are built once per project by the context;
4. ``suppressions``, ``config`` (per-file ignores, severities) and the notebook
   cell mapping turn raw reports into ``findings``; ``positions`` locates libcst
   nodes only in files that have findings;
5. a reporter (``mllint.reporters``) prints the result.

``catalogue`` reads the rule documents in ``rules/``; ``options`` and
``messages`` are small leaves that rules and the configuration share.
"""
