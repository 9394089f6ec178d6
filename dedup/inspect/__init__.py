"""Reading results: ``show`` prints a finished run in the terminal, ``explain`` says why two articles are or are not copies."""
