"""Package data: the generated seed table (``random_state.json``)."""
