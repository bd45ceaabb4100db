"""What can go wrong, by what it means for the search."""


class HpsearchError(Exception):
    """A problem the user can fix; the CLI prints the message and exits non-zero."""


class DataError(HpsearchError):
    """The data cannot be used as given (missing file, column, labels...)."""


class StudyError(HpsearchError):
    """The study is missing, or exists with different data or settings."""


class TrialFailed(Exception):
    """One trial could not finish (NaN loss, out of memory, framework error).

    The trial is recorded as FAIL with ``reason`` and the worker moves on.
    """

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason
