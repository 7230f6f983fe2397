"""Atomic writes: a temp file beside the target, then a rename, so nothing is ever half-written."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

from onnxtext.errors import OnnxTextError


def check_writable(target: Path, *, force: bool) -> None:
    """Refuse to replace an existing file unless asked (E501)."""
    if target.exists() and not force:
        raise OnnxTextError(
            "E501", f"{target} already exists", hint="pass --force to overwrite it, or choose another -o path"
        )


@contextlib.contextmanager
def atomic_file(target: Path) -> Iterator[BinaryIO]:
    """Yield a temp file in ``target``'s folder; rename it onto ``target`` only if the block succeeds."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            yield out
        os.chmod(tmp, 0o666 & ~current_umask())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def current_umask() -> int:
    """The process umask (temp files are created private; the result should not be)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomic(target: Path, data: bytes | str | Callable[[BinaryIO], None], *, force: bool) -> None:
    """Write ``data`` (bytes, text as UTF-8, or a writer callback) to ``target`` atomically."""
    check_writable(target, force=force)
    try:
        with atomic_file(target) as out:
            if callable(data):
                data(out)
            else:
                out.write(data.encode("utf-8") if isinstance(data, str) else data)
    except OSError as err:
        raise OnnxTextError(
            "E502",
            f"cannot write {target}: {err.strerror or err}",
            hint="check the folder exists and is writable",
        ) from None
