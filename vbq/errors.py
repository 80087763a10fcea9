"""Domain errors. Both subclass `ValueError`, so ``except ValueError`` catches them too."""

from __future__ import annotations

__all__ = ["InputError", "DegenerateInputError"]


class InputError(ValueError):
    """Input that cannot be analysed: a bad file, a missing column, an invalid parameter.

    Attributes
    ----------
    problems : list
        The individual problems (`vbq.io.Problem` records when raised by `vbq.io`), so a caller
        can show them as a table; the message lists them too.
    """

    def __init__(self, message: str, problems: list | None = None):
        super().__init__(message)
        self.problems = list(problems or [])


class DegenerateInputError(ValueError):
    """Valid input on which a statistic is undefined (one class only, constant scores, n too small)."""
