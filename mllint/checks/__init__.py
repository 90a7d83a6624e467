"""The built-in rules, one module per lifecycle category.

Every module here holds rules only; the facts and analyses they share live in
``mllint.project`` and ``mllint.analysis``. Adding a rule family is adding a
module here: ``mllint.plugins.builtin_rules`` collects whatever rule classes
the modules define.
"""
