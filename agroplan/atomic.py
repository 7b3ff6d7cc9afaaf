"""Write files and folders in one step, so that readers see the old one or the new one.

:func:`atomic_write` writes one file through a temporary sibling and ``os.replace``.

:func:`replace_folder` writes the new content into a sibling temporary folder
``.<name>.<pid>.<token>.writing`` and then swaps it with the target. On Linux the swap is a
single ``renameat2(RENAME_EXCHANGE)``: at every instant the target is the complete old
folder or the complete new one, and the old one is deleted only once the new one is in
place. Where that call is missing (another system, a file system without it) the old folder
is first renamed aside to ``.<name>.<pid>.<token>.previous``, the new one renamed into place,
and only then the old one deleted.

A writer killed at any point (SIGKILL runs no clean-up) leaves at most its temporary
folders. The next write of the same target removes those of writers that are gone, and
puts a set-aside old folder back when the target itself is missing.
"""

from __future__ import annotations

import ctypes
import errno
import os
import secrets
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from agroplan.errors import OutputError

__all__ = ["atomic_write", "check_folder", "is_temporary", "replace_folder"]

T = TypeVar("T")
WRITING, PREVIOUS = "writing", "previous"
_AT_FDCWD, _RENAME_EXCHANGE = -100, 2


def replace_folder(
    target: str | Path,
    fill: Callable[[Path], T],
    *,
    replaceable: Callable[[Path], str | None],
) -> T:
    """Fill a new folder with ``fill(folder)`` and make it ``target`` in one step.

    Parameters
    ----------
    target
        The folder to create or replace; its parent folders are created when missing.
        When it is a symbolic link to a folder, the folder it points to is replaced.
    fill
        Writes the content into the folder it is given (a temporary sibling of
        ``target``); its result is returned. When it raises, ``target`` is left as it was.
    replaceable
        Called with an existing, non-empty ``target``: ``None`` when it may be replaced
        as a whole, otherwise a reason why not (named in the error).

    Returns
    -------
    The result of ``fill``.

    Raises
    ------
    OutputError
        Naming the folder when it cannot be created, is read-only, is not a folder, holds
        what must not be replaced, or when the swap fails.
    """
    shown = Path(target)
    folder = _real(shown)
    check_folder(shown, replaceable=replaceable)
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{shown}: the output folder cannot be created ({_reason(exc)}); "
                          "choose another folder with --out") from None
    _remove_stale(folder)
    _check_replaceable(shown, folder, replaceable)
    staging = _make_sibling(shown, folder)
    try:
        result = fill(staging)
        _swap(shown, staging, folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return result


def check_folder(target: str | Path, *, replaceable: Callable[[Path], str | None]) -> None:
    """Raise the error :func:`replace_folder` would raise before writing, without writing.

    Commands call it before long work (a solve), so that a folder that cannot be written
    is reported at once.

    Raises
    ------
    OutputError
        As :func:`replace_folder`, for the folder, its parent and its content.
    """
    shown = Path(target)
    folder = _real(shown)
    if folder.parent == folder or _current().is_relative_to(folder):
        raise OutputError(f"{shown}: would replace the root or the current folder; choose "
                          "another folder with --out")
    # the nearest existing parent, named as the user wrote it when possible
    existing = next(p for p in (*shown.parents, *folder.parents)
                    if p.exists() or p.is_symlink())
    if not existing.is_dir():
        raise OutputError(f"{shown}: the output folder cannot be created ({existing} is a "
                          "file, not a folder); choose another folder with --out")
    _check_replaceable(shown, folder, replaceable)
    if not os.access(existing, os.W_OK | os.X_OK):
        raise OutputError(
            f"{shown}: cannot write the new folder beside it in {existing} (Permission denied); "
            f"the new folder is written there and then swapped in, so make {existing} "
            "writable or choose another folder with --out")


def is_temporary(name: str) -> bool:
    """Whether ``name`` is a temporary file or folder of an agroplan writer."""
    return name.startswith(".") and (".tmp" in name or name.endswith((f".{WRITING}",
                                                                      f".{PREVIOUS}")))


def _real(path: Path) -> Path:
    absolute = Path(os.path.abspath(path))
    return Path(os.path.realpath(absolute)) if absolute.is_symlink() else absolute


def _current() -> Path:
    try:
        return Path.cwd()
    except OSError:  # the current folder was deleted
        return Path("/nonexistent-current-folder")


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


def _check_replaceable(shown: Path, folder: Path,
                       replaceable: Callable[[Path], str | None]) -> None:
    if not (folder.exists() or folder.is_symlink()):
        return
    if not folder.is_dir():
        raise OutputError(f"{shown}: exists and is not a folder; choose another folder "
                          "with --out")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputError(f"{shown}: the folder is read-only; make it writable or choose "
                          "another folder with --out")
    try:
        entries = [name for name in os.listdir(folder) if not is_temporary(name)]
    except OSError as exc:
        raise OutputError(f"{shown}: cannot be read ({_reason(exc)}); choose another folder "
                          "with --out") from None
    reason = replaceable(folder) if entries else None
    if reason is not None:
        raise OutputError(f"{shown}: {reason}")


def _make_sibling(shown: Path, folder: Path) -> Path:
    for _ in range(100):
        staging = _sibling(folder, WRITING)
        try:
            staging.mkdir()
        except FileExistsError:
            continue
        except OSError as exc:
            raise OutputError(
                f"{shown}: cannot write the new folder beside it in {folder.parent} "
                f"({_reason(exc)}); the new folder is written there and then swapped in, so "
                f"make {folder.parent} writable or choose another folder with --out") from None
        return staging
    raise OutputError(f"{shown}: cannot find a free temporary name in {folder.parent}")


def _sibling(folder: Path, kind: str) -> Path:
    return folder.with_name(f".{folder.name}.{os.getpid()}.{secrets.token_hex(4)}.{kind}")


def _swap(shown: Path, staging: Path, folder: Path) -> None:
    """Put ``staging`` in the place of ``folder``; delete the old folder afterwards."""
    try:
        if not (folder.exists() or folder.is_symlink()):
            os.rename(staging, folder)
            return
        if _exchange(staging, folder):
            shutil.rmtree(staging, ignore_errors=True)  # it holds the old folder now
            return
        previous = _sibling(folder, PREVIOUS)
        os.rename(folder, previous)
        try:
            os.rename(staging, folder)
        except OSError:
            os.rename(previous, folder)
            raise
        shutil.rmtree(previous, ignore_errors=True)
    except OSError as exc:
        raise OutputError(f"{shown}: the new folder cannot be moved into place "
                          f"({_reason(exc)}); the old one is unchanged; check the folder's "
                          "permissions or choose another folder with --out") from None


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux); False when this system cannot."""
    libc = _libc()
    if libc is None:
        return False
    if libc.renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b),
                      _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(b))


_LIBC: list[ctypes.CDLL | None] = []


def _libc() -> ctypes.CDLL | None:
    if not _LIBC:
        try:
            libc: ctypes.CDLL | None = ctypes.CDLL(None, use_errno=True)
        except OSError:
            libc = None
        _LIBC.append(libc if libc is not None and hasattr(libc, "renameat2") else None)
    return _LIBC[0]


def _remove_stale(folder: Path) -> None:
    """Remove the temporary folders of ``folder``'s earlier writers that are gone.

    A set-aside old folder is put back when the target is missing (the writer died
    between its two renames); otherwise it is deleted like the others.
    """
    try:
        names = os.listdir(folder.parent)
    except OSError:
        return
    for name in names:
        parts = name[1:].rsplit(".", 3)
        if not (name.startswith(".") and len(parts) == 4 and parts[0] == folder.name
                and parts[3] in (WRITING, PREVIOUS) and parts[1].isdigit()):
            continue
        pid = int(parts[1])
        if pid == os.getpid() or _alive(pid):
            continue
        path = folder.parent / name
        try:
            if parts[3] == PREVIOUS and not (folder.exists() or folder.is_symlink()):
                os.rename(path, folder)
            else:
                shutil.rmtree(path)
        except OSError:
            continue  # left for a later writer; it is not in the way


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def atomic_write(path: Path, write: Callable[[Path], object]) -> Path:
    """Call ``write(temporary path)`` in ``path``'s folder, then rename it to ``path``."""
    tmp = path.with_name(f".{path.stem}.{os.getpid()}.tmp{path.suffix}")
    try:
        write(tmp)
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise OutputError(f"{path}: cannot be written ({exc.strerror or exc}); check that the "
                          "folder is writable and the disk has space") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path
