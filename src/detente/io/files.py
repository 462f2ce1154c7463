"""Reading and writing files safely: a size cap on what is read, and writes that are all or nothing."""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path
from typing import Iterator

from detente.errors import UsageError


def read_capped(path: Path, limit: int) -> bytes | None:
    """The file's bytes, or None when it holds more than ``limit`` bytes.

    The cap applies to what is read, not to the size the file system reports: devices, pipes and
    ``/proc`` files report 0 and would otherwise be read without bound.
    """
    with open(path, "rb") as handle:
        data = handle.read(limit + 1)
    return None if len(data) > limit else data


@contextlib.contextmanager
def replacing(path: str | Path) -> Iterator[Path]:
    """A temporary file in the target's folder to write to; it replaces ``path`` (a rename, atomic
    on one file system) only when the ``with`` block completes, so that a failed write (a full
    disk, a file-size limit, an error while rendering) leaves any existing file as it was.

    An :class:`OSError` becomes a one-line :class:`~detente.errors.UsageError` naming the file.
    The new file gets the old one's permissions, or the usual ones for a new file.
    """
    target = Path(os.path.realpath(path))  # write through a symbolic link, not over it
    temp_name = None
    try:
        temp_name = str(target.parent / f".{target.name}.{secrets.token_hex(4)}.tmp{target.suffix}")
        os.close(os.open(temp_name, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666))  # the umask applies, as for any new file
        temp = Path(temp_name)
        yield temp
        if target.exists():
            os.chmod(temp, target.stat().st_mode & 0o7777)
        os.replace(temp, target)
        temp_name = None
    except OSError as error:
        reason = error.strerror or str(error)
        kept = "it is unchanged" if target.exists() else "nothing was written"
        raise UsageError(f"cannot write {path}: {reason} ({kept})") from None
    finally:
        if temp_name is not None:
            with contextlib.suppress(OSError):
                os.unlink(temp_name)


def write_atomic(path: str | Path, data: str | bytes) -> Path:
    """Write text (UTF-8) or bytes to ``path`` all or nothing (see :func:`replacing`)."""
    with replacing(path) as temp:
        if isinstance(data, str):
            temp.write_text(data, encoding="utf-8", newline="")
        else:
            temp.write_bytes(data)
    return Path(path)

