"""Soak: workers on PostgreSQL for half an hour through kill -9, a frozen worker and database
restarts; then the study must be whole.

    python -m tests.benchmarks.bench_soak [--minutes 30] [--workers 8] [--real]
    python -m tests.benchmarks.bench_soak --minutes 2 --workers 3 --stop-for 20 --pg-restarts 1

``--workers`` real ``python -m search worker`` processes share one study of a generated set
(400 rows, 3 classes) on PostgreSQL (``--url``, default: the one ``bash .ci/postgres.sh``
starts). Their trials are quick: by default the scripted trainer's (tests/scripted_trainer.py,
epochs of ``--epoch-s`` seconds, no TensorFlow); with ``--real``, TensorFlow's on the same set.
For ``--minutes`` the soak

- SIGKILLs a random worker every ``--kill-every`` seconds and starts another in its place,
- freezes one with SIGSTOP for ``--stop-for`` seconds (a quarter into the run), longer than
  the grace period, so its trial is failed and queued again under it, then SIGCONTs it,
- restarts PostgreSQL ``--pg-restarts`` times, evenly spread (``pg_ctlcluster``: needs root
  and the server on this host).

The study's budget is open while that goes on (1,000,000 trials, checked at every start); when
the time is up the soak lowers it (``update_budget``, as ``hpsearch update`` does) to the
trials finished then plus two per worker, and waits for the workers to reach it and exit.
``--n-trials`` fixes the budget at creation instead. Then it checks, one PASS/FAIL line each
(exit 1 if any fails): finished trials (COMPLETE + PRUNED) exactly the budget; none RUNNING;
every FAIL with its reason; every worker exit, those the soak killed aside, one of README's
"Exit codes" and no traceback in any worker's log; ``hpsearch ensemble`` runs on the soaked
study; with ``--real``, every kept model and the exported best model (the ensemble when one
was kept) load and label texts. The scripted trainer keeps no model, so without ``--real``
those checks say SKIP. Figures: trials by state, kills, freezes, restarts and their seconds,
worker exits by code, the failure reasons, seconds and finished trials per minute.

The study (``soak-XXXXXXXX``) stays in the database for a look (``hpsearch status``); the
workers' logs are in ``--out`` (default: a temporary folder, named at the end).
"""

from __future__ import annotations

import argparse
import csv
import logging
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import optuna
from optuna.trial import FrozenTrial, TrialState

import storage
from search import ExitCode
from search.metrics import TrialAttr
from search.options import SamplerName
from search.study import config_of
from search.worker._trainer_env import ENV_TRAINER
from tests.scripted_trainer import ENV_EPOCH_S
from tests.worker_procs import (
    REPO,
    killed_at_exit,
    reader,
    scripted_env,
    start_worker,
    trials,
    wait_for,
)

OPEN_BUDGET = 1_000_000  # more trials than any soak finishes: the cap is checked, never hit
PROGRESS_EVERY_S = 60.0
TICK_S = 0.2
DOCUMENTED = {int(code) for code in ExitCode}
PG_VERSION = os.environ.get("PGVER", "15")


class Action(StrEnum):
    KILL = "kill"  # SIGKILL a worker, start another
    FREEZE = "freeze"  # SIGSTOP a worker
    THAW = "thaw"  # SIGCONT it
    RESTART = "restart"  # restart PostgreSQL


@dataclass(frozen=True)
class Event:
    """What the soak does ``at_s`` seconds into the run."""

    at_s: float
    action: Action


def plan(span_s: float, kill_every: float, stop_for: float, pg_restarts: int) -> list[Event]:
    """The run's events in order: a kill every ``kill_every`` seconds, one freeze a quarter
    in (thawed ``stop_for`` later) and the restarts spread evenly."""
    kills = [Event(k * kill_every, Action.KILL)
             for k in range(1, int(span_s // kill_every) + 1) if k * kill_every < span_s]
    freeze = ([Event(span_s / 4, Action.FREEZE), Event(span_s / 4 + stop_for, Action.THAW)]
              if stop_for else [])
    restarts = [Event(span_s * (i + 1) / (pg_restarts + 1), Action.RESTART)
                for i in range(pg_restarts)]
    return sorted(kills + freeze + restarts, key=lambda e: e.at_s)


@dataclass
class Fleet:
    """The soak's worker processes: started, killed and replaced, frozen and thawed, and how
    each one ended (``exits`` by exit status; those the soak killed in ``killed``)."""

    url: str
    study_name: str
    study: optuna.Study  # read to find the workers that are mid-trial
    logs: Path
    env: dict[str, str]
    worker_args: tuple[str, ...]
    rng: random.Random
    every: list[subprocess.Popen[bytes]] = field(default_factory=list)
    live: list[subprocess.Popen[bytes]] = field(default_factory=list)
    frozen: subprocess.Popen[bytes] | None = None
    frozen_pid: int | None = None
    killed_pids: set[int] = field(default_factory=set)
    killed: int = 0
    killed_mid_trial: int = 0
    exits: Counter[int] = field(default_factory=Counter)
    status_of: dict[int, int] = field(default_factory=dict)  # by pid

    def start(self) -> None:
        number = len(self.every) + 1
        proc = start_worker(self.url, self.study_name, self.logs / f"worker-{number:03d}.log",
                            *self.worker_args, "--seed", str(number), env=self.env)
        self.every.append(proc)
        self.live.append(proc)

    def pick(self, candidates: list[subprocess.Popen[bytes]],
             ) -> tuple[subprocess.Popen[bytes], bool] | None:
        """A random one of ``candidates`` still running, one with a RUNNING trial if any
        has; and whether it has."""
        running = [p for p in candidates if p.poll() is None]
        if not running:
            return None
        busy = {worker_pid(t) for t in trials(self.study, TrialState.RUNNING)}
        mid_trial = [p for p in running if p.pid in busy]
        return self.rng.choice(mid_trial or running), bool(mid_trial)

    def kill_one(self) -> bool:
        """SIGKILL a worker other than the frozen one, and start another; False when
        there was none to kill."""
        picked = self.pick([p for p in self.live if p is not self.frozen])
        if picked is None:
            return False
        victim, mid_trial = picked
        self.killed_pids.add(victim.pid)
        victim.send_signal(signal.SIGKILL)
        victim.wait(timeout=30)
        self.killed_mid_trial += mid_trial
        self.start()
        return True

    def freeze_one(self) -> bool:
        picked = self.pick(self.live)
        if picked is None:
            return False
        self.frozen = picked[0]
        self.frozen_pid = self.frozen.pid
        self.frozen.send_signal(signal.SIGSTOP)
        return True

    def thaw(self) -> None:
        if self.frozen is not None:
            self.frozen.send_signal(signal.SIGCONT)
            self.frozen = None

    def reap(self) -> list[int]:
        """Record the exits of the workers that ended; the statuses of those that ended on
        their own."""
        own = []
        for proc in [p for p in self.live if p.poll() is not None]:
            self.live.remove(proc)
            self.status_of[proc.pid] = proc.returncode
            if proc.pid in self.killed_pids and proc.returncode == -signal.SIGKILL:
                self.killed += 1
            else:
                self.exits[proc.returncode] += 1
                own.append(proc.returncode)
        return own

    def drain(self, timeout_s: float) -> int:
        """Wait up to ``timeout_s`` for every worker to end on its own; SIGTERM (then SIGKILL)
        those that do not, and return how many."""
        deadline = time.monotonic() + timeout_s
        while self.live and time.monotonic() < deadline:
            self.reap()
            time.sleep(TICK_S)
        stuck = [p for p in self.live if p.poll() is None]
        for proc in stuck:
            proc.send_signal(signal.SIGTERM)
        for proc in stuck:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.send_signal(signal.SIGKILL)
                proc.wait(timeout=30)
        self.reap()
        return len(stuck)


@dataclass
class Chaos:
    """What the soak did to the workers and the database, in order, and when."""

    fleet: Fleet
    pg_version: str
    pg_host: str
    kills: int = 0
    freezes: int = 0
    restart_s: list[float] = field(default_factory=list)
    replaced: int = 0  # workers that exited on their own non-zero mid-run, started again
    ended_early_s: float | None = None  # every worker ended: a --n-trials budget was spent

    def act(self, event: Event) -> None:
        if event.action is Action.KILL:
            self.kills += self.fleet.kill_one()
        elif event.action is Action.FREEZE:
            self.freezes += self.fleet.freeze_one()
        elif event.action is Action.THAW:
            self.fleet.thaw()
        elif event.action is Action.RESTART:
            self.restart_s.append(restart_postgres(self.pg_version, self.pg_host))
            print(f"  PostgreSQL restarted in {self.restart_s[-1]:.1f}s", flush=True)

    def run(self, events: list[Event], span_s: float, progress: Callable[[float], None]) -> None:
        """The events, at their times, until ``span_s``; workers that end on their own with
        a non-zero status are replaced, so the load stays."""
        began = time.monotonic()
        pending = list(events)
        next_progress = PROGRESS_EVERY_S
        try:
            while (elapsed := time.monotonic() - began) < span_s:
                while pending and pending[0].at_s <= elapsed:
                    self.act(pending.pop(0))
                for status in self.fleet.reap():
                    if status != 0:
                        self.fleet.start()
                        self.replaced += 1
                if not self.fleet.live:
                    self.ended_early_s = elapsed
                    return
                if elapsed >= next_progress:
                    progress(elapsed)
                    next_progress += PROGRESS_EVERY_S
                time.sleep(TICK_S)
        finally:
            self.fleet.thaw()

    def as_planned(self, events: list[Event]) -> Check:
        """Whether every planned kill, freeze and restart happened, the run lasting."""
        want = Counter(e.action for e in events)
        done = self.ended_early_s is None and (self.kills, self.freezes, len(
            self.restart_s)) == (want[Action.KILL], want[Action.FREEZE], want[Action.RESTART])
        early = ("" if self.ended_early_s is None else
                 f"; every worker ended at {self.ended_early_s / 60:.1f} min: raise --n-trials")
        return Check("the soak did what it planned", done,
                     f"{self.kills}/{want[Action.KILL]} kills, {self.freezes}/"
                     f"{want[Action.FREEZE]} freezes, {len(self.restart_s)}/"
                     f"{want[Action.RESTART]} restarts{early}")


def worker_pid(trial: FrozenTrial) -> int | None:
    """The pid of the worker that ran ``trial`` (its ``worker`` attribute is host:pid)."""
    pid = str(trial.user_attrs.get(TrialAttr.WORKER, "")).rpartition(":")[2]
    return int(pid) if pid.isdigit() else None


def postgres_url() -> str:
    """The URL ``bash .ci/postgres.sh`` prints once its PostgreSQL 15 runs."""
    out = subprocess.run(["bash", str(REPO / ".ci" / "postgres.sh")], cwd=REPO, check=True,
                         capture_output=True, text=True, timeout=600)
    return out.stdout.strip().splitlines()[-1]


def restart_refused(url: str, pg_version: str) -> str | None:
    """Why this process cannot restart the server of ``url``, or None."""
    host = urlsplit(url).hostname or ""
    if not url.startswith("postgresql"):
        return f"--url must be a PostgreSQL URL, but got {storage.mask_url(url)}"
    if not shutil.which("pg_ctlcluster") or os.geteuid() != 0:
        return "restarting PostgreSQL needs root and pg_ctlcluster"
    if host not in ("127.0.0.1", "localhost"):
        return f"restarting PostgreSQL needs its server on this host, but --url names {host!r}"
    if not Path(f"/etc/postgresql/{pg_version}/main").is_dir():
        return f"no PostgreSQL {pg_version} cluster 'main' here ($PGVER names the version)"
    return None


def restart_postgres(version: str, host: str) -> float:
    """``pg_ctlcluster VERSION main restart`` (a fast shutdown: every connection is cut);
    seconds until the server accepts connections again."""
    began = time.monotonic()
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"],
                   check=True, capture_output=True, timeout=120)
    wait_for(lambda: subprocess.run(["pg_isready", "-q", "-h", host],
                                    timeout=10).returncode == 0,
             60, "PostgreSQL to accept connections again", interval=0.5)
    return time.monotonic() - began


def worker_env(url: str, real: bool, epoch_s: float) -> dict[str, str]:
    """The scripted trainer's environment; with ``real``, TensorFlow's trainer instead."""
    env = scripted_env(url, epoch_s)
    if real:
        for name in (ENV_TRAINER, ENV_EPOCH_S):
            env.pop(name, None)
        env["TF_CPP_MIN_LOG_LEVEL"] = "2"
    return env


def create_soak_study(name: str, data: Path, url: str, args: argparse.Namespace) -> None:
    from search import create_study

    create_study(name, data, storage_url=url, max_epochs=args.max_epochs,
                 sampler=SamplerName(args.sampler), n_trials=args.n_trials or OPEN_BUDGET)


def state_counts(study: optuna.Study) -> Counter[str]:
    return Counter(t.state.name for t in trials(study))


def settle_budget(study: optuna.Study, url: str, workers: int) -> tuple[int, int]:
    """Lower the open budget to the trials finished now plus two per worker; (finished, the
    budget)."""
    from search import update_budget

    counts = state_counts(study)
    finished = counts["COMPLETE"] + counts["PRUNED"]
    budget = finished + 2 * workers
    update_budget(study.study_name, url, n_trials=budget)
    return finished, budget


def failure_reasons(found: list[FrozenTrial]) -> Counter[str]:
    """The FAIL trials' reasons, their numbers blanked so that alike ones count together."""
    return Counter(re.sub(r"\d+(\.\d+)?", "N", str(t.user_attrs.get(TrialAttr.FAIL_REASON)))
                   for t in found if t.state is TrialState.FAIL)


def failed_alive(found: list[FrozenTrial], dead: set[int]) -> list[int]:
    """The trials failed for want of a heartbeat whose worker was neither killed nor frozen
    (its pid known and not in ``dead``): live trials taken for dead ones."""
    return [t.number for t in found if t.state is TrialState.FAIL
            and str(t.user_attrs.get(TrialAttr.FAIL_REASON, "")).startswith("no heartbeat")
            and (pid := worker_pid(t)) is not None and pid not in dead]


def logs_saying(logs: Path, text: str) -> list[str]:
    """The workers' logs that hold ``text``, by name."""
    return sorted(log.name for log in logs.glob("worker-*.log")
                  if text in log.read_text(errors="replace"))


def hpsearch(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "search", *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=900)


def some_texts(data: Path, n: int = 16) -> list[str]:
    with open(data, newline="") as rows:
        return [row["text"] for _, row in zip(range(n), csv.DictReader(rows), strict=False)]


def unreadable_kept_models(url: str, name: str, folder: Path, texts: list[str]) -> tuple[
        int, list[str]]:
    """(how many models the study keeps, those that do not load or label ``texts``)."""
    import numpy as np

    from search.study import ENSEMBLE_KEY, MODEL_FILE, kept_model, open_study
    from spaces.model import load_text_model

    logging.getLogger("tensorflow").setLevel(logging.ERROR)  # a retrace per model: expected
    study, _ = open_study(name, url)
    models = {f"trial {n}": kept_model(study, n)
              for n in storage.trials_with_file(study, MODEL_FILE)}
    ensemble = storage.get_blob(storage.storage_of(study), name, ENSEMBLE_KEY)
    if ensemble is not None:
        models["ensemble"] = ensemble[0]
    bad = []
    for which, data in models.items():
        path = folder / f"{which.replace(' ', '-')}.keras"
        path.write_bytes(data or b"")
        try:
            labelled = load_text_model(path).predict(np.array(texts, dtype=object), verbose=0)
        except Exception as exc:  # what a reader of the study would meet: report it
            bad.append(f"{which}: {type(exc).__name__}: {str(exc)[:200]}")
            continue
        if len(labelled) != len(texts):
            bad.append(f"{which}: {len(labelled)} rows of probabilities for {len(texts)} texts")
    return len(models), bad


def exported_model_problem(env: dict[str, str], name: str, folder: Path,
                           texts: list[str]) -> str | None:
    """``hpsearch export --model`` of the study's best, loaded as a user loads it; what went
    wrong, or None."""
    from search import load_model

    done = hpsearch(env, "export", "--study", name, "--model", str(folder), "--force")
    if done.returncode != 0:
        return f"export --model exited {done.returncode}: {(done.stdout + done.stderr)[-400:]}"
    try:
        probs = load_model(folder).outputs(texts)
    except Exception as exc:  # what a user of the export would meet: report it
        return f"{type(exc).__name__}: {str(exc)[:300]}"
    return None if len(probs) == len(texts) else f"{len(probs)} rows for {len(texts)} texts"


@dataclass(frozen=True)
class Check:
    name: str
    passed: bool | None  # None: skipped
    detail: str


def study_checks(found: list[FrozenTrial], budget: int | None, fleet: Fleet,
                 stuck: int) -> list[Check]:
    """The study's and the workers' checks once every worker ended (``stuck``: how many had to
    be stopped)."""
    counts = Counter(t.state.name for t in found)
    finished = counts["COMPLETE"] + counts["PRUNED"]
    no_reason = [t.number for t in found if t.state is TrialState.FAIL
                 and not str(t.user_attrs.get(TrialAttr.FAIL_REASON) or "").strip()]
    alive = failed_alive(found, fleet.killed_pids | {fleet.frozen_pid or 0})
    odd = {code: n for code, n in fleet.exits.items() if code not in DOCUMENTED}
    crashed = logs_saying(fleet.logs, "Traceback (most recent call last)")
    return [
        Check("finished trials exactly the budget", finished == budget,
              f"{finished} COMPLETE + PRUNED, budget {budget}"),
        Check("no trial left RUNNING", counts["RUNNING"] == 0, f"{counts['RUNNING']} RUNNING"),
        Check("every FAIL has its reason", not no_reason,
              f"{counts['FAIL']} FAIL" + (f", without a reason: {no_reason[:20]}"
                                          if no_reason else "")),
        Check("no live worker's trial failed as dead", not alive,
              f"{len(alive)} failed for want of a heartbeat with their worker neither killed "
              f"nor frozen" + (f": {alive[:20]}" if alive else "")),
        Check("worker exits are documented codes", not odd and not stuck,
              f"undocumented: {odd or 'none'}; stopped by the soak at the end: {stuck}"),
        Check("no worker traceback", not crashed, ", ".join(crashed[:10]) or "none"),
    ]


def study_figures(found: list[FrozenTrial], budget: int | None) -> dict[str, Any]:
    counts = Counter(t.state.name for t in found)
    starts = [t.datetime_start for t in found if t.datetime_start]
    ends = [t.datetime_complete for t in found if t.datetime_complete]
    return {"counts": counts, "finished": counts["COMPLETE"] + counts["PRUNED"],
            "budget": budget, "reasons": failure_reasons(found),
            "retries": sum(storage.FAILED_TRIAL_ATTR in t.system_attrs for t in found),
            "minutes": (max(ends) - min(starts)).total_seconds() / 60 if ends else None}


def model_checks(url: str, name: str, env: dict[str, str], folder: Path, data: Path,
                 real: bool) -> list[Check]:
    done = hpsearch(env, "ensemble", "--study", name)
    said = (done.stdout + done.stderr).strip().splitlines()
    checks = [Check("hpsearch ensemble runs", done.returncode == 0,
                    f"exit {done.returncode}: {said[-1] if said else ''}")]
    if not real:
        why = "the scripted trainer keeps no model (--real trains and keeps them)"
        return checks + [Check("kept models and ensemble readable", None, why),
                         Check("exported best model readable", None, why)]
    texts = some_texts(data)
    kept, bad = unreadable_kept_models(url, name, folder, texts)
    problem = exported_model_problem(env, name, folder / "exported", texts)
    return checks + [
        Check("kept models and ensemble readable", kept > 0 and not bad,
              f"{kept} kept" + (f"; unreadable: {'; '.join(bad)}" if bad else "")),
        Check("exported best model readable", problem is None, problem or "labels the texts"),
    ]


def print_figures(chaos: Chaos, figures: dict[str, Any], seconds: dict[str, float]) -> None:
    fleet = chaos.fleet
    rows: list[tuple[str, object]] = [
        *((f"trials {state}", n) for state, n in sorted(figures["counts"].items())),
        ("finished (COMPLETE + PRUNED)", figures["finished"]),
        ("budget", figures["budget"]),
        ("queued retries of failed trials", figures["retries"]),
        ("workers started", len(fleet.every)),
        ("killed by the soak (SIGKILL)", f"{fleet.killed} ({fleet.killed_mid_trial} "
         "mid-trial)"),
        ("frozen (SIGSTOP)", f"{chaos.freezes} (pid {fleet.frozen_pid}, exit "
         f"{fleet.status_of.get(fleet.frozen_pid or 0, 'killed or none')})"),
        ("replaced after their own non-zero exit", chaos.replaced),
        ("PostgreSQL restarts", f"{len(chaos.restart_s)} ("
         + ", ".join(f"{s:.1f}s" for s in chaos.restart_s) + ")"),
        ("workers that logged the database lost, then back",
         f"{len(logs_saying(fleet.logs, 'database unreachable'))}, "
         f"{len(logs_saying(fleet.logs, 'database reachable again'))}"),
        ("workers that found their trial failed under them",
         len(logs_saying(fleet.logs, "stale-trial check while this worker could not"))),
        *((f"worker exit {code} ({_code_name(code)})", n)
          for code, n in sorted(fleet.exits.items())),
        *((f"seconds {phase}", f"{s:.0f}") for phase, s in seconds.items()),
    ]
    if figures["minutes"]:
        rows.append(("finished trials per minute, first start to last end",
                     f"{figures['finished'] / figures['minutes']:.1f}"))
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    print("FAIL reasons:")
    for reason, n in figures["reasons"].most_common():
        print(f"  {n:>5}  {reason[:150]}")


def _code_name(code: int) -> str:
    return ExitCode(code).name if code in DOCUMENTED else "undocumented"


def print_checks(checks: list[Check]) -> bool:
    for check in checks:
        word = "SKIP" if check.passed is None else "PASS" if check.passed else "FAIL"
        print(f"{word}  {check.name}: {check.detail}")
    return all(check.passed is not False for check in checks)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--kill-every", type=float, default=20.0, help="seconds")
    parser.add_argument("--stop-for", type=float, default=60.0,
                        help="seconds one worker stays frozen (0: none)")
    parser.add_argument("--pg-restarts", type=int, default=2)
    parser.add_argument("--url", help="PostgreSQL URL (default: bash .ci/postgres.sh's)")
    parser.add_argument("--n-trials", type=int,
                        help="the study's budget from the start (default: open, lowered to "
                             "the trials finished plus two per worker when the time is up)")
    parser.add_argument("--real", action="store_true",
                        help="train with TensorFlow (keeps models) instead of the scripted "
                             "trainer")
    parser.add_argument("--epoch-s", type=float, default=2.0,
                        help="seconds per scripted epoch")
    parser.add_argument("--max-epochs", type=int, default=5)
    parser.add_argument("--sampler", choices=[s.value for s in SamplerName],
                        default=SamplerName.TPE.value)
    parser.add_argument("--heartbeat-interval", type=int, default=3, help="seconds")
    parser.add_argument("--grace-period", type=int, default=10, help="seconds")
    parser.add_argument("--drain-timeout", type=float, default=600.0,
                        help="seconds the workers have to reach the budget once time is up")
    parser.add_argument("--seed", type=int, default=0, help="of the victims' choice")
    parser.add_argument("--out", help="folder for the data and the workers' logs")
    args = parser.parse_args()
    span_s = args.minutes * 60
    if args.workers < 2:
        parser.error(f"--workers must be at least 2 (one frozen, one going on), but got "
                     f"{args.workers}.")
    if args.kill_every <= 0 or args.minutes <= 0:
        parser.error(f"--kill-every and --minutes must be above 0, but got "
                     f"{args.kill_every} and {args.minutes}.")
    if args.stop_for and not args.grace_period < args.stop_for < 0.75 * span_s:
        parser.error(f"--stop-for must be longer than --grace-period ({args.grace_period}) "
                     f"and end before the run does (under {0.75 * span_s:.0f}s, the freeze "
                     f"starting a quarter in), but got {args.stop_for}. Lower it or raise "
                     "--minutes.")
    return args


def prepare(args: argparse.Namespace) -> tuple[str, str, Path, Path]:
    """(the storage URL, the study's name, the folder, the data): PostgreSQL running, the
    data generated and the study created on it."""
    from search.data._sample import write_sample
    from spaces import Task

    url = args.url or postgres_url()
    refused = restart_refused(url, PG_VERSION) if args.pg_restarts else None
    if refused:
        sys.exit(f"{refused}. Run as root on the server's host, or pass --pg-restarts 0.")
    folder = Path(args.out or tempfile.mkdtemp(prefix="bench_soak_"))
    for sub in ("logs", "models"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    data = write_sample(folder / "data.csv", task=Task.MULTICLASS, rows=400, classes=3)
    name = f"soak-{uuid.uuid4().hex[:8]}"
    create_soak_study(name, data, url, args)
    return url, name, folder, data


def soak(args: argparse.Namespace, chaos: Chaos, events: list[Event]) -> tuple[
        dict[str, float], int]:
    """Start the workers, run ``events``, settle the budget and wait for the workers to end;
    (seconds of each phase, how many workers had to be stopped at the end)."""
    fleet = chaos.fleet
    began = time.monotonic()

    def progress(elapsed: float) -> None:
        counts = state_counts(fleet.study)
        print(f"  {elapsed / 60:5.1f} min  " + "  ".join(
            f"{state} {n}" for state, n in sorted(counts.items()))
            + f"  kills {chaos.kills}  restarts {len(chaos.restart_s)}", flush=True)

    with killed_at_exit(fleet.every):
        for _ in range(args.workers):
            fleet.start()
        chaos.run(events, args.minutes * 60, progress)
        run_s = time.monotonic() - began
        if args.n_trials is None:
            finished, budget = settle_budget(fleet.study, fleet.url, args.workers)
            print(f"time is up: budget lowered to {budget} ({finished} finished + 2 per "
                  "worker)", flush=True)
        stuck = fleet.drain(args.drain_timeout)
    return {"run": run_s, "drain": time.monotonic() - began - run_s}, stuck


def main() -> None:
    args = parse_args()
    url, name, folder, data = prepare(args)
    env = worker_env(url, args.real, args.epoch_s)
    fleet = Fleet(url, name, reader(url, name), folder / "logs", env,
                  ("--heartbeat-interval", str(args.heartbeat_interval),
                   "--grace-period", str(args.grace_period)), random.Random(args.seed))
    chaos = Chaos(fleet, PG_VERSION, urlsplit(url).hostname or "127.0.0.1")
    trainer = "TensorFlow" if args.real else f"scripted ({args.epoch_s:g}s epochs)"
    print(f"soak {args.minutes:g} min, {args.workers} workers, {trainer} trainer, at most "
          f"{args.max_epochs} epochs, {args.sampler} sampler, heartbeat every "
          f"{args.heartbeat_interval}s (grace {args.grace_period}s), study {name} on "
          f"{storage.mask_url(url)}; {os.cpu_count()} CPU cores", flush=True)
    events = plan(args.minutes * 60, args.kill_every, args.stop_for, args.pg_restarts)
    seconds, stuck = soak(args, chaos, events)
    found = trials(fleet.study)
    budget = config_of(fleet.study).budget.n_trials
    checks = [*study_checks(found, budget, fleet, stuck), chaos.as_planned(events)]
    figures = study_figures(found, budget)
    checks += model_checks(url, name, env, folder / "models", data, args.real)
    print_figures(chaos, figures, seconds)
    passed = print_checks(checks)
    print(f"study {name} kept on {storage.mask_url(url)}; logs in {fleet.logs}")
    sys.exit(0 if passed else 1)


if __name__ == "__main__":
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # --real loads the kept models here
    main()
