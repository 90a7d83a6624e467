"""Reasoning that rules share, returned as facts (never as messages).

Project-wide analyses subclass ``mllint.engine.context.Analysis`` and are built
at most once per project and run by ``ProjectContext.analysis``: seeding along
entry points (``seeding``), request handlers and what they predict, log and
load (``serving``, with the value flow in ``serving_flow``), model practices
(``model_facts``), the test suite and its assertions (``test_suite``,
``assertions``), the seed table of library callables (``random_state``), data
lineage from loads through fits to splits (``leakage``), which values are pandas
objects (``dataframes``) and PyTorch training and evaluation loops (``torch_loops``).
Per-module reasoning that several rules use lives beside them: what a value
stands for (``values``), where loaded data comes from (``provenance``), which
calls deserialise unsafely (``deserialization``) or fetch from the network
(``network``), secrets and personal data in text (``secrets``), and the text a
notebook shows besides its code (``notebook_text``). Rules in
``mllint.checks`` decide what to report and write the messages.
"""
