class StorageError(RuntimeError):
    """The study storage could not be reached or used.

    The message names the URL (password masked) and what went wrong."""
