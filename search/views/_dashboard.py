"""``hpsearch dashboard``: optuna-dashboard served on the study storage.

The dashboard has no authentication, so it binds to localhost unless told otherwise, and by
default it is read-only: requests that would change a study (delete it, tell a trial, save a
note) are refused, since anyone who can reach the port could send them.

It serves the files trials keep (their models) through the study storage's own artifact store
(``storage.artifact_store``): each trial's page lists them and downloads them.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import re
import socket
import threading
from collections.abc import Callable, Iterable
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import storage
from search._errors import HpsearchError

log = logging.getLogger("hpsearch")

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8080
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# optuna-dashboard's upload routes: a study's artifact, and a trial's (its id after the study's).
_UPLOAD_PATH = re.compile(r"/api/artifacts/(?P<study_id>\d+)(?:/\d+)?/?")

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


def is_loopback(host: str) -> bool:
    """True when ``host`` can only be reached from this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def exposure_warning(host: str) -> str | None:
    """The warning to show when the dashboard is reachable from other machines."""
    if is_loopback(host):
        return None
    return (f"the dashboard is bound to {host}, so anyone who can reach this machine can see "
            "every study in this storage: optuna-dashboard has no authentication. Bind to "
            "127.0.0.1 (the default) and use an SSH tunnel, or put it behind an "
            "authenticating proxy.")


def read_only(app: WsgiApp) -> WsgiApp:
    """``app`` refusing every request that could change the storage (status 403)."""

    def guarded(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET").upper()
        if method in READ_METHODS:
            return app(environ, start_response)
        body = json.dumps({"reason": (
            f"{method} refused: this dashboard is read-only. Restart it with "
            "`hpsearch dashboard --allow-writes` to change studies from the browser.")}
        ).encode()
        start_response("403 Forbidden", [("Content-Type", "application/json"),
                                         ("Content-Length", str(len(body)))])
        return [body]

    return guarded


def filing_uploads(app: WsgiApp, store: storage.DatabaseArtifactStore) -> WsgiApp:
    """``app`` whose artifact uploads (with writes allowed) store their bytes with the study
    named in the request's path: Optuna's store protocol gives ``write`` an id alone."""

    def filed(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        upload = _UPLOAD_PATH.fullmatch(environ.get("PATH_INFO", ""))
        if upload is None or environ.get("REQUEST_METHOD", "").upper() != "POST":
            return app(environ, start_response)
        # Bottle runs the route inside this call, on this thread.
        with store.writing_for(int(upload["study_id"])):
            return app(environ, start_response)

    return filed


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    """One thread per request, so a slow plot does not hold up the page."""

    daemon_threads = True
    allow_reuse_address = True


class _IPv6ThreadingServer(_ThreadingServer):
    address_family = socket.AF_INET6


class _QuietHandler(WSGIRequestHandler):
    """Request lines go to the debug log instead of stderr."""

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("dashboard: " + format, *args)


class DashboardServer:
    """optuna-dashboard on a threaded WSGI server (wsgiref, as ``optuna-dashboard`` itself
    uses), with the trials' kept files as its artifacts. ``serve_forever`` blocks;
    ``shutdown`` from another thread stops it."""

    def __init__(self, rdb: storage.ResilientStorage, host: str = DEFAULT_HOST,
                 port: int = DEFAULT_PORT, *, allow_writes: bool = False):
        import optuna_dashboard

        store = storage.artifact_store(rdb)
        app: WsgiApp = optuna_dashboard.wsgi(rdb, artifact_store=store)
        app = filing_uploads(app, store) if allow_writes else read_only(app)
        server_class = _IPv6ThreadingServer if ":" in host else _ThreadingServer
        try:
            self.httpd = make_server(host.strip("[]"), port, app, server_class=server_class,
                                     handler_class=_QuietHandler)
        except OSError as exc:
            raise HpsearchError(
                f"Cannot serve the dashboard on {host}:{port}: {exc.strerror or exc}. "
                + ("Another program holds that port; choose another with --port."
                   if port and exc.errno in (98, 48) else
                   "Check --host (an address of this machine) and --port.")
            ) from None
        self.host = host
        self.port: int = self.httpd.server_port
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host = f"[{self.host.strip('[]')}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/dashboard"

    def serve_forever(self) -> None:
        try:
            self.httpd.serve_forever(poll_interval=0.2)
        finally:
            self.httpd.server_close()

    def start(self) -> DashboardServer:
        """Serve from a background thread (tests, notebooks); stop with ``shutdown``."""
        self._thread = threading.Thread(target=self.serve_forever, name="hpsearch-dashboard",
                                        daemon=True)
        self._thread.start()
        return self

    def shutdown(self) -> None:
        self.httpd.shutdown()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def __enter__(self) -> DashboardServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.shutdown()


def make_dashboard(storage_url: str | None = None, host: str = DEFAULT_HOST,
                   port: int = DEFAULT_PORT, *, allow_writes: bool = False) -> DashboardServer:
    """A dashboard server on the study storage (not yet serving; call ``serve_forever`` or
    ``start``). The storage is opened without heartbeats: the dashboard only reads."""
    url = storage.resolve_storage_url(storage_url)
    missing = storage.sqlite_file_problem(url, must_exist=True)
    if missing:
        raise HpsearchError(missing)
    rdb = storage.open_storage(url, heartbeat_interval=None)
    return DashboardServer(rdb, host, port, allow_writes=allow_writes)
