"""Marks for text a user reads, so that it can be shown in another language.

Code below the renderers cannot translate (it knows no language), so it marks text
instead: :func:`N_` marks a constant English message id, :class:`Message` is an English
message that keeps its id and values. ``pybabel extract`` (see ``docs/languages.md``)
collects both into the gettext catalogues of ``agroplan/locale``; the renderers and the
command line translate them with :mod:`agroplan.render.i18n`. Imports nothing of agroplan.
"""

from __future__ import annotations

from typing import Any


def N_(message: str) -> str:  # noqa: N802 - the gettext convention Babel extracts
    """Mark ``message`` for the catalogues and return it unchanged (English)."""
    return message


class Message(str):
    """An English message that remembers its gettext id and values.

    It *is* the English text (a ``str``), so logs, tests and ``str(error)`` read as before;
    a command that prints in another language translates :attr:`msgid` and fills in
    :attr:`values` again.

    Parameters
    ----------
    msgid
        The English text with ``%(name)s`` placeholders (Python's ``%`` formatting, as
        gettext catalogues expect).
    **values
        The placeholders' values (file names, ids, counts), never translated.

    Examples
    --------
    >>> m = Message("%(folder)s: no such plan folder", folder="runs/x")
    >>> str(m), m.msgid
    ('runs/x: no such plan folder', '%(folder)s: no such plan folder')
    """

    msgid: str
    values: dict[str, Any]

    def __new__(cls, msgid: str, **values: Any) -> Message:
        text = super().__new__(cls, msgid % values)
        text.msgid = msgid
        text.values = values
        return text

    def __reduce__(self) -> tuple[Any, ...]:
        # errors cross process boundaries (sweeps run on dask workers)
        return (_rebuild, (self.msgid, self.values))


def _rebuild(msgid: str, values: dict[str, Any]) -> Message:
    return Message(msgid, **values)
