"""Atomic file and directory replacement.

A reader of the output directory sees either the old file or the new one,
never a half-written file: every file is written to a temporary name in the
same directory, flushed to disk, then renamed over the target
(``os.replace`` is atomic on POSIX and Windows when both names are on the
same file system, which a sibling temporary file guarantees).

A whole directory of files (the per-cluster Markdown) is built in a fresh
sibling temporary directory and then swapped in for the old one, so files
left from an earlier run never survive into the new one.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import secrets
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import BinaryIO

__all__ = ["atomic_file", "replace_dir", "write_atomic"]


def _umask() -> int:
    """The process umask, read without changing it where the OS allows."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)  # fallback: read by setting, then restore at once
    os.umask(mask)
    return mask


def _fsync_dir(path: Path) -> None:
    """Make a rename inside ``path`` durable (best effort; not possible on every OS)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)


def _syncfs(path: Path) -> bool:
    """Flush the file system holding ``path`` (Linux ``syncfs``): one call instead of an fsync per file
    when a report writes thousands of cluster pages.  False where the call is not available."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        call = libc.syncfs
    except (OSError, AttributeError):
        return False
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return False
    try:
        return call(fd) == 0
    finally:
        os.close(fd)


def write_atomic(path: Path, data: bytes | Iterable[bytes]) -> None:
    """Write ``data`` (bytes, or pieces of bytes written as they come) to ``path`` so that readers
    see the old or the new file, never a mix (see ``atomic_file``)."""
    pieces = [data] if isinstance(data, bytes | bytearray) else data
    with atomic_file(path) as fh:
        for piece in pieces:
            fh.write(piece)


@contextlib.contextmanager
def atomic_file(path: Path) -> Iterator[BinaryIO]:
    """A binary file to write, which replaces ``path`` when the block ends without an error.

    The bytes go to a temporary file next to ``path``, are flushed and fsynced,
    and the temporary file is then renamed over ``path``.  On any error in the
    block the temporary file is removed and the error is raised; ``path`` is untouched.
    """
    path = Path(path)
    directory = path.parent
    tmp = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed explicitly below
        delete=False, dir=directory, prefix=f".{path.name}.", suffix=".tmp"
    )
    tmp_path = Path(tmp.name)
    try:
        with tmp:
            yield tmp  # type: ignore[misc]
            tmp.flush()
            os.fsync(tmp.fileno())
        # NamedTemporaryFile creates files as 0600; give the result the usual mode.
        os.chmod(tmp_path, 0o666 & ~_umask())
        os.replace(tmp_path, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp_path.unlink()
        raise
    _fsync_dir(directory)


def _check_name(name: str) -> None:
    if not name or name in (".", "..") or "/" in name or os.sep in name or (os.altsep and os.altsep in name):
        raise ValueError(f"not a plain file name: {name!r}")


def replace_dir(target: Path, files: Mapping[str, bytes] | Iterable[tuple[str, bytes]]) -> list[Path]:
    """Replace the directory ``target`` with one holding exactly ``files``.

    ``files`` maps plain file names (no separators) to their contents, or
    yields (name, contents) pairs, written as they come.  They are written into
    a fresh temporary directory ``.<name>.tmp-XXXX`` next to ``target``; the
    old ``target`` (if any) is renamed aside, the new one renamed into place,
    and the old one removed.  On any error (a bad name, one raised while the
    files are made) the temporary directory is removed and ``target`` is
    untouched.  Returns the final paths, in the order of ``files``.
    """
    target = Path(target)
    parent = target.parent
    if isinstance(files, Mapping):
        for name in files:
            _check_name(name)
        files = files.items()
    names: list[str] = []
    tmp_dir = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=parent))
    try:
        os.chmod(tmp_dir, 0o777 & ~_umask())  # mkdtemp creates 0700
        for name, data in files:
            _check_name(name)
            with open(tmp_dir / name, "xb") as fh:
                fh.write(data)
            names.append(name)
        if not _syncfs(tmp_dir):  # every file's data on disk before the rename: one call, or an fsync each
            for name in names:
                with open(tmp_dir / name, "rb") as fh:
                    os.fsync(fh.fileno())
        _fsync_dir(tmp_dir)

        old: Path | None = None
        if target.exists() or target.is_symlink():
            old = parent / f".{target.name}.old-{secrets.token_hex(4)}"
            os.replace(target, old)
        try:
            os.replace(tmp_dir, target)
        except BaseException:
            if old is not None:  # put the previous output back
                with contextlib.suppress(OSError):
                    os.replace(old, target)
            raise
        _fsync_dir(parent)
    except BaseException:
        shutil.rmtree(tmp_dir, ignore_errors=True)
        raise

    if old is not None:
        if old.is_dir() and not old.is_symlink():
            shutil.rmtree(old, ignore_errors=True)
        else:
            with contextlib.suppress(OSError):
                old.unlink()
    return [target / name for name in names]
