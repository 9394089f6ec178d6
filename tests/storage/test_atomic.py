"""Atomic replacement of the cluster pages' folder: every file lands whether or not the OS has syncfs."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from dedup.storage import atomic


@pytest.mark.parametrize("has_syncfs", [True, False])
def test_replace_dir_writes_every_file_and_drops_old_ones(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                          has_syncfs: bool) -> None:
    target = tmp_path / "clusters"
    atomic.replace_dir(target, {"old.md": b"old"})
    synced: list[Path] = []
    fsynced: list[int] = []
    real_fsync = atomic.os.fsync
    monkeypatch.setattr(atomic, "_syncfs", lambda p: synced.append(p) or has_syncfs)
    monkeypatch.setattr(atomic.os, "fsync", lambda fd: fsynced.append(fd) or real_fsync(fd))
    files = {f"c{i}.md": f"page {i}".encode() for i in range(5)}
    paths = atomic.replace_dir(target, files)
    assert sorted(p.name for p in target.iterdir()) == sorted(files)
    assert [p.read_bytes() for p in paths] == list(files.values())
    assert len(synced) == 1
    assert len(fsynced) == (1 if has_syncfs else 6) + 1  # the pages unless syncfs worked, then the two folders


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="syncfs is a Linux call")
def test_syncfs_is_found_on_linux(tmp_path: Path) -> None:
    assert atomic._syncfs(tmp_path) is True
