"""Helpers shared by the CLI test files: run `dedup` in-process and check it failed cleanly."""

from __future__ import annotations

from click.testing import CliRunner, Result

from dedup.cli.app import main


def invoke(*args: object) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], prog_name="dedup")


def no_traceback(result: Result) -> None:
    assert isinstance(result.exception, (SystemExit, type(None))), (
        f"uncaught {type(result.exception).__name__}: {result.exception}\n{result.output}")
    assert "Traceback" not in result.output
