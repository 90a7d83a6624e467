"""Reading Python source: libcst helpers, name bindings, and notebooks as
Python modules (IPython syntax neutralised, cells mapped back to lines).

The lowest layer: it knows Python and Jupyter, not projects, rules or findings.
"""
