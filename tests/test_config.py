"""Config: one frozen object, checked when built, with errors that say how to fix the value."""

from __future__ import annotations

import dataclasses

import pytest

from dedup.config import Config, ConfigError


@pytest.mark.parametrize(("values", "message"), [
    ({"lsh_screen": 1.5}, "lsh-screen=1.5: use a share of min-containment from 0 (no screen) to 1, e.g. 0.5"),
    ({"lsh_rows": 0}, "lsh-rows=0: use a whole number from 1 to num-perm, e.g. 1"),
    ({"lsh_rows": 300}, "lsh-rows=300: use a whole number from 1 to num-perm"),
    ({"lsh_split": -1}, "lsh-split=-1: use a whole number of values from 0 (no splitting) to 8"),
    ({"max_bucket": 1}, "max-bucket=1: use a whole number of 2 or more"),
    ({"max_file_mb": 5000}, "max-file-mb=5000: use a positive number of megabytes, at most 4000"),
])
def test_bad_values_name_the_option_and_the_fix(values: dict, message: str) -> None:
    with pytest.raises(ConfigError) as err:
        Config(**values)
    assert str(err.value).startswith(message)


def test_config_is_frozen_and_round_trips() -> None:
    config = Config(lsh_screen=0.5, lsh_split=0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.lsh_rows = 2  # type: ignore[misc]
    assert Config.from_dict(config.to_dict()) == dataclasses.replace(config, jobs=Config().jobs)
    with pytest.raises(ConfigError, match=r"unknown option.*lsh_threshold"):
        Config.from_dict({**config.to_dict(), "lsh_threshold": 0.1})
