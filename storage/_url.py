"""Where a study lives: the storage URL, its precedence, its checks and its masking.

A SQLAlchemy URL can carry a secret in two places: the password of ``user:password@host``, and
query parameters (``?password=...``, ``?sslpassword=...``, a token or key). ``mask_url`` hides
both, and ``mask_secrets`` hides them in any text (a driver's error message, a log line). No
SQLAlchemy here: ``hpsearch --help`` imports this module.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from storage._storage_error import StorageError

DEFAULT_URL = "sqlite:///hpsearch.db"
ENV_URL = "HPSEARCH_STORAGE"
ENV_URL_FILE = "HPSEARCH_STORAGE_FILE"
ENV_OPTUNA_URL = "OPTUNA_STORAGE"
# Where the storage URL comes from without --storage, the first one set wins: hpsearch's own
# variables before Optuna's, so that a URL exported for other Optuna tools never overrides
# one meant for hpsearch. (variable, whether it names a file holding the URL)
URL_SOURCES = ((ENV_URL, False), (ENV_URL_FILE, True), (ENV_OPTUNA_URL, False))
MASK = "***"
# Secrets shorter than this are too short to mask wherever they occur: such a password is
# masked where it stands alone ("x" not in "index"), such a piece of one holding '@' not alone.
SHORT_SECRET = 4
SUPPORTED = "sqlite:///FILE or postgresql+psycopg://USER@HOST[:PORT]/DB"

_SCHEME = re.compile(r"(?P<scheme>[a-z][a-z0-9+.\-]*)://", re.I)
# A query parameter or key=value pair named like one of these holds a secret.
_SECRET_WORDS = r"pass|pwd|secret|token|key|auth|cred"
_SECRET_NAME = re.compile(_SECRET_WORDS, re.I)
_SECRET_PAIR = re.compile(
    rf"(?P<name>\b[\w.\-]*(?:{_SECRET_WORDS})[\w.\-]*\s*=\s*)"
    r"(?P<value>'[^']*'|\"[^\"]*\"|[^\s&;,)'\"]+)", re.I)
_URL_IN_TEXT = re.compile(r"\b[a-z][a-z0-9+.\-]*://[^\s'\"<>]+", re.I)
# ``user:password@`` anywhere in a text, for text that is not a well-formed URL.
_USERINFO_IN_TEXT = re.compile(r"(?P<head>[\w.\-~%]+:)(?P<secret>[^\s/@]+)(?P<tail>@)")


@dataclass(frozen=True)
class _Parts:
    """Where the pieces of a URL lie in it (start, end) and what they hold."""

    scheme: str
    password: tuple[int, int] | None  # span of the password in user:password@
    userinfo: str  # user[:password], as written
    host: str  # host[:port]
    query: list[tuple[str, tuple[int, int]]]  # parameter name, span of its value


def _parse(url: str) -> _Parts | None:
    """The pieces of ``scheme://[user[:password]@]host[:port][/db][?query]``.

    The password ends at the last ``@`` before the query (the first ``?`` after the first
    ``@``), so a password holding ``@``, ``/`` or ``?`` is found whole."""
    match = _SCHEME.match(url)
    if not match:
        return None
    start = match.end()
    if url.startswith("/", start):  # sqlite:///path: no host, so no user or password
        return _Parts(match.group("scheme").lower(), None, "", "", _query(url, url.find("?")))
    first_at = url.find("@", start)
    query_at = url.find("?", first_at + 1 if first_at >= 0 else start)
    end = query_at if query_at >= 0 else len(url)
    at = url.rfind("@", start, end)
    password, userinfo = None, ""
    if at >= 0:
        userinfo = url[start:at]
        colon = url.find(":", start, at)
        if colon >= 0:
            password = (colon + 1, at)
    after = at + 1 if at >= 0 else start
    host = re.split(r"[/?]", url[after:end], maxsplit=1)[0]
    return _Parts(match.group("scheme").lower(), password, userinfo, host,
                  _query(url, query_at))


def _query(url: str, query_at: int) -> list[tuple[str, tuple[int, int]]]:
    """Each query parameter's name and the span of its value (none if ``query_at`` < 0)."""
    found: list[tuple[str, tuple[int, int]]] = []
    if query_at < 0:
        return found
    pos = query_at + 1
    for pair in url[query_at + 1:].split("&"):
        name, eq, _ = pair.partition("=")
        if eq:
            found.append((unquote(name), (pos + len(name) + 1, pos + len(pair))))
        pos += len(pair) + 1
    return found


def _secret_spans(parts: _Parts) -> list[tuple[int, int]]:
    spans = [span for name, span in parts.query if _SECRET_NAME.search(name)]
    if parts.password is not None:
        spans.append(parts.password)
    return sorted(spans)


def mask_url(url: str) -> str:
    """The URL with every credential it carries replaced by ``***``: the password of
    ``user:password@`` and any query parameter named like a secret (password, sslpassword,
    token, key...), for anything a person or a log may see."""
    parts = _parse(url)
    if parts is None:  # not a URL: mask what looks like user:password@ or password=...
        return _mask_free_text(url)
    masked, last = [], 0
    for start, end in _secret_spans(parts):
        masked += [url[last:start], MASK]
        last = end
    return "".join([*masked, url[last:]])


def _secrets_of(url: str) -> list[str]:
    """The credentials ``url`` carries, as written and percent-decoded, longest first."""
    parts = _parse(url)
    if parts is None:
        return []
    found: set[str] = set()
    for start, end in _secret_spans(parts):
        value = url[start:end]
        found |= {value, unquote(value), unquote(value.replace("+", " "))}
        found |= {piece for piece in value.split("@") if len(piece) >= SHORT_SECRET}
    return sorted((s for s in found if s), key=len, reverse=True)


def _mask_free_text(text: str) -> str:
    text = _URL_IN_TEXT.sub(lambda m: mask_url(m.group(0)), text)
    text = _USERINFO_IN_TEXT.sub(rf"\g<head>{MASK}\g<tail>", text)
    return _SECRET_PAIR.sub(rf"\g<name>{MASK}", text)


def mask_secrets(text: str, url: str) -> str:
    """``text`` (an error message, a log line) with the credentials of ``url`` masked, and
    any URL, ``user:password@`` or ``password=...`` in it."""
    for secret in _secrets_of(url):
        if len(secret) >= SHORT_SECRET:
            text = text.replace(secret, MASK)
        else:  # a short one only where it stands alone, not in every word holding it
            text = re.sub(rf"(?<!\w){re.escape(secret)}(?!\w)", MASK, text)
    return _mask_free_text(text)


def check_storage_url(url: str, source: str | None = None) -> str:
    """``url`` if hpsearch can open it; otherwise a ``StorageError`` with the rule, the URL
    (masked) and the fix. ``source`` says where it came from (``--storage``...)."""
    parts = _parse(url)
    shown = repr(mask_url(url)) + (f" (from {source})" if source else "")
    if parts is None:
        raise StorageError(f"The storage URL {shown} is not a URL. Write {SUPPORTED}.")
    if not (parts.scheme == "sqlite" or parts.scheme.startswith("postgresql")):
        hint = (" (SQLAlchemy spells it postgresql, not postgres)"
                if parts.scheme.startswith("postgres") else "")
        raise StorageError(f"The storage URL {shown} names the database "
                           f"{parts.scheme!r}{hint}; hpsearch keeps studies in SQLite or "
                           f"PostgreSQL. Write {SUPPORTED}.")
    if "@" in parts.userinfo:
        raise StorageError(
            f"The user:password part of the storage URL {shown} contains '@', so the "
            "database driver would take part of it for the host name. Percent-encode it: '@' "
            "as %40 (python3 -c 'import urllib.parse,sys; print(urllib.parse.quote(sys.argv[1],"
            " safe=\"\"))' PASSWORD).")
    port = parts.host.rsplit("]", 1)[-1].partition(":")[2]
    if port and not port.isdigit():
        raise StorageError(f"The storage URL {shown} has the port {port!r}, which is not a "
                           "number. Write host:5432, or leave the port out for the default.")
    if _in_memory(url, parts):
        raise StorageError(f"The storage URL {shown} is an in-memory SQLite database: a study "
                           "kept there is gone when the command ends, and no other command or "
                           "worker can see it. Name a file, like sqlite:///study.db (or "
                           "sqlite:////absolute/path/study.db).")
    return url


def _in_memory(url: str, parts: _Parts) -> bool:
    """Whether ``url`` is a SQLite database that lives in memory: no path (``sqlite://``),
    ``:memory:``, or SQLite's ``file::memory:`` and ``mode=memory`` URIs."""
    if not parts.scheme.startswith("sqlite"):
        return False
    path = url.partition("://")[2].removeprefix("/").split("?", 1)[0]
    modes = {url[start:end].lower() for name, (start, end) in parts.query if name == "mode"}
    return path in ("", ":memory:") or path.startswith("file::memory:") or "memory" in modes


def url_precedence() -> str:
    """Where the storage URL comes from, in order, in words (for help texts and README)."""
    sources = [f"the file named by ${var}" if is_file else f"${var}"
               for var, is_file in URL_SOURCES]
    return ", then ".join(["--storage", *sources, f"{DEFAULT_URL} in the working directory"])


class StorageUrl(str):
    """A storage URL as ``resolve_storage_url`` found and checked it, with where it came from
    (``source``: --storage, a variable, the file a variable names, the default) and the file
    it was read from, if any, so that a message about it can say where to fix it
    (``how_to_give``). Resolved once where a command or a library call starts and passed
    down: resolving it again returns it as it is."""

    source: str | None = None
    file: Path | None = None

    def __new__(cls, url: str, source: str | None = None,
                file: Path | None = None) -> StorageUrl:
        made = super().__new__(cls, url)
        made.source = source
        made.file = file
        return made


def how_to_give(url: str, what: str) -> str:
    """How to give hpsearch ``what`` (another storage URL, a database file's path) instead of
    ``url``, as the end of a sentence: in the file ``url`` was read from, if it came from
    one, else with --storage or $HPSEARCH_STORAGE."""
    file = url.file if isinstance(url, StorageUrl) else None
    if file is None:
        return f"pass --storage (or set ${ENV_URL}) with {what}"
    return f"write {what} in {str(file)!r} (the file ${ENV_URL_FILE} names), or pass --storage"


def resolve_storage_url(url: str | None = None) -> StorageUrl:
    """Return the storage URL: the flag, else the first of ``URL_SOURCES`` that is set, else
    ``sqlite:///hpsearch.db`` in the working directory (``url_precedence`` says it in words).
    It is checked (``check_storage_url``) before any database driver sees it. A URL already
    resolved (a ``StorageUrl``) is returned as it is: the environment is read once.

    Reading the URL from the environment or a file keeps a password out of process arguments.
    """
    if isinstance(url, StorageUrl):
        return url
    found = StorageUrl(url, "--storage") if url else _from_environment()
    check_storage_url(found, found.source)
    return found


def _from_environment() -> StorageUrl:
    """The first of ``URL_SOURCES`` that is set, else the default."""
    for var, is_file in URL_SOURCES:
        value = os.environ.get(var)
        if value and is_file:
            path = Path(value)
            return StorageUrl(_read_url_file(path), f"the file {value!r} that ${var} names",
                              path)
        if value:
            return StorageUrl(value, f"${var}")
    return StorageUrl(DEFAULT_URL, "the default")


def _read_url_file(path: Path) -> str:
    """The one URL the file holds, without the whitespace and blank lines around it."""
    fix = "Point it at a file holding one storage URL, or unset it."
    if path.is_dir():
        raise StorageError(f"${ENV_URL_FILE} names {str(path)!r}, which is a directory, not "
                           f"a file. {fix}")
    try:
        text = path.read_text()
    except FileNotFoundError:
        raise StorageError(f"${ENV_URL_FILE} names {str(path)!r}, which does not exist. "
                           f"{fix}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise StorageError(f"${ENV_URL_FILE} names {str(path)!r}, which cannot be read "
                           f"({getattr(exc, 'strerror', None) or exc}). {fix}") from None
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        raise StorageError(f"${ENV_URL_FILE} names {str(path)!r}, which is empty. {fix}")
    if len(lines) > 1:
        raise StorageError(f"${ENV_URL_FILE} names {str(path)!r}, which holds {len(lines)} "
                           "lines that are not blank; it must hold one storage URL on one "
                           "line. Keep the one URL hpsearch should use and remove the others.")
    return lines[0]


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")
