"""``hpsearch launch``: one worker process per GPU slot (or per CPU slot) on this machine.

Each worker sees only its GPU (``CUDA_VISIBLE_DEVICES``, ids in PCI bus order, with its memory
cap when it shares the GPU: see ``_slots.py``) and gets the storage URL through its
environment (``HPSEARCH_STORAGE``), never its arguments, so no password shows in ``ps``. A
worker that exits is reported, never restarted. The first SIGINT/SIGTERM is forwarded to every
worker (each fails its running trial as "interrupted", queues it again and exits 0); a second
one kills them.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from types import FrameType
from typing import IO

from optuna.trial import TrialState

import storage
from search._errors import ExitCode
from search.options import WorkerOptions
from search.study import open_study, refuse_shared_sqlite
from search.training import ENV_DEVICE_ORDER
from search.worker._signals import STOP_SIGNALS
from search.worker._slots import (
    GpuRequest,
    Inventory,
    LaunchError,
    WorkerSlot,
    parse_gpus,
    plan_launch,
    plan_slots,
    query_gpus,
)

__all__ = ["LaunchError", "WorkerExit", "WorkerSlot", "launch_workers", "parse_gpus",
           "plan_slots", "worker_args", "worker_command", "worker_env"]

log = logging.getLogger("hpsearch")
POLL_S = 0.1
KILL_AFTER_S = 30.0  # workers still alive this long after the launcher itself fails


@dataclass(frozen=True)
class WorkerExit:
    slot: WorkerSlot
    pid: int
    returncode: int
    seconds: float

    @property
    def how(self) -> str:
        if self.returncode < 0:
            return f"killed by {signal.Signals(-self.returncode).name}"
        if self.returncode == ExitCode.TRIALS_FAILING:
            return f"stopped as its trials kept failing (status {self.returncode})"
        return f"exited with status {self.returncode}"


def worker_args(options: WorkerOptions, slot: WorkerSlot) -> list[str]:
    """The options after ``hpsearch worker``: the flags of those that differ from their
    default, each as the worker parses it (a boolean as its flag alone), the seed offset by the
    slot index so that workers do not sample the same trials."""
    if options.seed is not None:
        options = dataclasses.replace(options, seed=options.seed + slot.index)
    return options.to_args()


def worker_command(study_name: str, slot: WorkerSlot, options: WorkerOptions) -> list[str]:
    """The worker's argv: no storage URL in it (that travels in the environment); the options
    of ``hpsearch`` itself (``--verbose``) before the command, the worker's after it."""
    return [sys.executable, "-m", "search", *options.to_args(root=True), "worker", "--study",
            study_name, *worker_args(options, slot)]


def worker_env(url: str, slot: WorkerSlot, base: dict[str, str] | None = None) -> dict[str, str]:
    """The worker's environment: the storage URL, its GPU and memory cap, and none of the
    variables that would override the options the launcher resolved for it (an inherited
    ``CUDA_DEVICE_ORDER`` is kept: the ids were given in its order)."""
    env = dict(os.environ if base is None else base)
    env.pop(storage.ENV_URL_FILE, None)
    for spec in WorkerOptions.specs():
        if spec.envvar:
            env.pop(spec.envvar, None)
    env[storage.ENV_URL] = url
    for name, value in slot.device_env().items():
        if value is None:
            env.pop(name, None)
        elif name != ENV_DEVICE_ORDER or name not in env:
            env[name] = value
    env["PYTHONUNBUFFERED"] = "1"
    return env


class _Relay:
    """Copies a worker's output to ``out``, each line prefixed with its slot, secrets masked."""

    def __init__(self, proc: subprocess.Popen[str], slot: WorkerSlot, url: str, out: IO[str],
                 lock: threading.Lock):
        self.thread = threading.Thread(target=self._run, args=(proc, slot, url, out, lock),
                                       daemon=True)
        self.thread.start()

    @staticmethod
    def _run(proc: subprocess.Popen[str], slot: WorkerSlot, url: str, out: IO[str],
             lock: threading.Lock) -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            with lock:
                out.write(f"[{slot.label}] {storage.mask_secrets(line.rstrip(), url)}\n")
                out.flush()


class _Forwarder:
    """Forwards the first SIGINT/SIGTERM to the live workers; a second one kills them."""

    def __init__(self, procs: dict[int, subprocess.Popen[str]]):
        self.procs = procs
        self.received = 0
        self._previous: dict[int, object] = {}

    def install(self) -> None:
        if threading.current_thread() is threading.main_thread():
            for sig in STOP_SIGNALS:
                self._previous[sig] = signal.signal(sig, self._handle)

    def restore(self) -> None:
        for sig, previous in self._previous.items():
            signal.signal(sig, previous)  # type: ignore[arg-type]

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        self.received += 1
        live = [p for p in self.procs.values() if p.poll() is None]
        if self.received == 1:
            log.warning("%s: forwarding it to %d worker(s); each fails its running trial as "
                        "interrupted and exits. Send it again to kill them.",
                        signal.Signals(signum).name, len(live))
            forwarded = signum
        else:
            log.warning("second stop signal: killing %d worker(s)", len(live))
            forwarded = signal.SIGKILL
        for proc in live:
            proc.send_signal(forwarded)


def _stop_all(procs: dict[int, subprocess.Popen[str]]) -> None:
    """Terminate the workers still running (the launcher is failing), then kill stragglers."""
    live = [p for p in procs.values() if p.poll() is None]
    for proc in live:
        proc.terminate()
    deadline = time.monotonic() + KILL_AFTER_S
    for proc in live:
        try:
            proc.wait(timeout=max(deadline - time.monotonic(), 0.1))
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def launch_workers(study_name: str, storage_url: str | None = None, *,
                   gpus: GpuRequest | None = None, per_gpu: int = 1, cpus: int | None = None,
                   gpu_memory: int | None = None, options: WorkerOptions | None = None,
                   out: IO[str] | None = None, env: dict[str, str] | None = None,
                   on_started: Callable[[WorkerSlot, subprocess.Popen[str]], None] | None = None,
                   inventory: Inventory = query_gpus) -> list[WorkerExit]:
    """Start a worker per slot, relay their output, wait for all; return their exits by slot.

    ``gpus``: ids (checked against an inherited ``CUDA_VISIBLE_DEVICES``) or ``"all"``;
    ``gpu_memory``: each GPU worker's memory cap in MB (default: the GPU's memory / per_gpu,
    less a margin, when per_gpu > 1). ``env`` is the environment the workers start from
    (default: this process's). ``on_started`` is called with each worker right after it
    starts (tests inspect it). ``inventory`` lists the GPUs (default: nvidia-smi).
    """
    slots, warning = plan_launch(gpus, per_gpu, cpus, env=os.environ if env is None else env,
                                 gpu_memory_mb=gpu_memory, inventory=inventory)
    if warning:
        log.warning(warning)
    options = options or WorkerOptions()
    out = out or sys.stderr
    url = storage.resolve_storage_url(storage_url)
    refuse_shared_sqlite(url)
    study, _ = open_study(study_name, url)  # fail here, not in every worker
    queued = len(study.get_trials(deepcopy=False, states=(TrialState.WAITING,)))
    storage.sqlite_parallel_warnings(url, workers=len(slots), queued=queued)

    procs: dict[int, subprocess.Popen[str]] = {}
    started: dict[int, float] = {}
    relays: dict[int, _Relay] = {}
    exits: list[WorkerExit] = []
    lock = threading.Lock()
    forwarder = _Forwarder(procs)
    forwarder.install()
    try:
        for slot in slots:
            proc = subprocess.Popen(
                worker_command(study_name, slot, options), env=worker_env(url, slot, env),
                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                text=True, bufsize=1, start_new_session=True)
            procs[slot.index], started[slot.index] = proc, time.monotonic()
            relays[slot.index] = _Relay(proc, slot, url, out, lock)
            log.info("started worker %s (pid %d)%s", slot.label, proc.pid,
                     "" if slot.memory_mb is None else
                     f", its GPU memory capped at {slot.memory_mb} MB")
            if on_started:
                on_started(slot, proc)
        waiting = {slot.index: slot for slot in slots}
        while waiting:
            for index, slot in list(waiting.items()):
                code = procs[index].poll()
                if code is None:
                    continue
                relays[index].thread.join(timeout=5)
                done = WorkerExit(slot, procs[index].pid, code, time.monotonic() - started[index])
                exits.append(done)
                del waiting[index]
                with lock:
                    log.log(logging.INFO if code == 0 else logging.WARNING,
                            "worker %s (pid %d) %s after %.1fs (not restarted)", slot.label,
                            done.pid, done.how, done.seconds)
            time.sleep(POLL_S)
    finally:
        forwarder.restore()
        _stop_all(procs)
    return sorted(exits, key=lambda e: e.slot.index)
