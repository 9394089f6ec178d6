"""``python -m dedup``: the same command line as ``dedup``."""

from dedup.cli.app import main

if __name__ == "__main__":
    main(prog_name="dedup")
