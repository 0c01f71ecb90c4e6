"""Problems with the computer rather than the sources or the code: a folder that cannot be written, a
full disk, a missing output folder.  The command reports them in plain words, naming the path (exit 2),
instead of as an internal error."""

from __future__ import annotations

import errno

ADVICE = {
    errno.EACCES: "check the folder's permissions",
    errno.EPERM: "check the folder's permissions",
    errno.EROFS: "the disk is read-only; build somewhere writable",
    errno.ENOSPC: "the disk is full; free some space and build again",
    errno.EDQUOT: "the disk quota is used up; free some space and build again",
    errno.ENOENT: "the folder does not exist; create it first or choose another path",
    errno.ENOTDIR: "a file stands where a folder is needed; move it away",
    errno.EISDIR: "a folder stands where a file is needed; choose another path",
}


def environment_error(exc: BaseException) -> OSError | None:
    """The OSError behind ``exc`` (Sphinx wraps errors of event handlers), if it is one we can explain."""
    seen = 0
    current: BaseException | None = exc
    while current is not None and seen < 10:
        if isinstance(current, OSError) and current.errno in ADVICE:
            return current
        current = getattr(current, "orig_exc", None) or current.__cause__ or current.__context__
        seen += 1
    return None


def describe(error: OSError) -> str:
    """One line: what failed, on which path, and what to do."""
    where = f" {error.filename}" if error.filename else ""
    return f"cannot use{where}: {error.strerror or 'operating system error'} ({ADVICE[error.errno]})"
