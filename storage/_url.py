"""Where a study lives: the storage URL, its precedence and its masking."""

from __future__ import annotations

import os
import re
from pathlib import Path

from storage._errors import StorageError

DEFAULT_URL = "sqlite:///hpsearch.db"
ENV_URL = "HPSEARCH_STORAGE"
ENV_URL_FILE = "HPSEARCH_STORAGE_FILE"
ENV_OPTUNA_URL = "OPTUNA_STORAGE"
# Where the storage URL comes from without --storage, the first one set wins: hpsearch's own
# variables before Optuna's, so that a URL exported for other Optuna tools never overrides
# one meant for hpsearch. (variable, whether it names a file holding the URL)
URL_SOURCES = ((ENV_URL, False), (ENV_URL_FILE, True), (ENV_OPTUNA_URL, False))

_PASSWORD = re.compile(r"(?P<head>[a-z0-9+]+://[^:/@]*:)(?P<secret>[^@]*)(?P<tail>@)", re.I)


def url_precedence() -> str:
    """Where the storage URL comes from, in order, in words (for help texts and errors)."""
    sources = [f"the file named by ${var}" if is_file else f"${var}"
               for var, is_file in URL_SOURCES]
    return ", then ".join(["--storage", *sources, f"{DEFAULT_URL} in the working directory"])


def resolve_storage_url(url: str | None = None) -> str:
    """The storage URL: the flag, else the first of ``URL_SOURCES`` that is set, else
    ``sqlite:///hpsearch.db`` in the working directory (see ``url_precedence``).

    Reading the URL from the environment or a file keeps a password out of process arguments.
    """
    if url:
        return url
    for var, is_file in URL_SOURCES:
        value = os.environ.get(var)
        if value:
            return _read_url_file(var, value) if is_file else value
    return DEFAULT_URL


def _read_url_file(var: str, name: str) -> str:
    path = Path(name)
    if not path.is_file():
        raise StorageError(f"${var} names {name!r}, which is not a file. Point it at a file "
                           "holding one storage URL, or unset it.")
    return path.read_text().strip()


def mask_url(url: str) -> str:
    """The URL with its password replaced by ``***``, for anything a person or a log may see."""
    return _PASSWORD.sub(r"\g<head>***\g<tail>", url)


def mask_secrets(text: str, url: str) -> str:
    """``text`` with the password of ``url`` (and any URL-shaped password) masked."""
    match = _PASSWORD.search(url)
    if match and match.group("secret"):
        text = text.replace(match.group("secret"), "***")
    return _PASSWORD.sub(r"\g<head>***\g<tail>", text)


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")
