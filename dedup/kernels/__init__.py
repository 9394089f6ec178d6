"""Compiled code (numba) only: arrays in, arrays out; no I/O, no configuration, no dedup imports but
the text tables (``dedup.text``).  Each kernel has a Python reference it is tested against, named in its docstring."""
