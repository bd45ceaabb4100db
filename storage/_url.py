"""Where a study lives: the storage URL, its precedence and its masking."""

from __future__ import annotations

import os
import re
from pathlib import Path

DEFAULT_URL = "sqlite:///hpsearch.db"
ENV_URL = "HPSEARCH_STORAGE"
ENV_URL_FILE = "HPSEARCH_STORAGE_FILE"

_PASSWORD = re.compile(r"(?P<head>[a-z0-9+]+://[^:/@]*:)(?P<secret>[^@]*)(?P<tail>@)", re.I)


def resolve_storage_url(url: str | None = None) -> str:
    """Return the storage URL: the flag, else $HPSEARCH_STORAGE, else the file named by
    $HPSEARCH_STORAGE_FILE, else ``sqlite:///hpsearch.db`` in the working directory.

    Reading the URL from the environment or a file keeps a password out of process arguments.
    """
    if url:
        return url
    if os.environ.get(ENV_URL):
        return os.environ[ENV_URL]
    url_file = os.environ.get(ENV_URL_FILE)
    if url_file:
        path = Path(url_file)
        if not path.is_file():
            raise FileNotFoundError(
                f"${ENV_URL_FILE} names {url_file!r}, which is not a file. "
                "Point it at a file holding one storage URL, or unset it."
            )
        return path.read_text().strip()
    return DEFAULT_URL


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
