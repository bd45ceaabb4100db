"""``hpsearch report``: the page and its PNG figures on finished, in-progress, multi-label,
one-trial and failed-only studies, without TensorFlow; and one rendered in Chromium."""

from __future__ import annotations

import dataclasses
import re
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from optuna.trial import TrialState
from typer.testing import CliRunner

from search._errors import PathError
from search.cli import app
from search.data._sample import write_sample
from search.study._open import open_study
from search.views import _figures as figs
from search.views._report import write_report
from search.views._report_template import GENERATOR
from spaces import Task
from tests import browser
from tests.reference_studies import add_starting_point_trial
from tests.scripted_studies import fail_only, leave_running, make_study

STUDY_FIGURES = {"history.png", "curves.png", "importances.png", "parallel.png", "slices.png",
                 "timeline.png"}


def assert_png(path: Path) -> tuple[int, int]:
    """``path`` is a complete PNG (signature, IHDR, every chunk's CRC, IEND); its size."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    pos, chunks = 8, []
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind = data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])
        assert zlib.crc32(kind + body) == crc, f"{path}: bad CRC in {kind!r}"
        chunks.append(kind)
        pos += 12 + length
    assert chunks[0] == b"IHDR" and chunks[-1] == b"IEND" and b"IDAT" in chunks, path
    width, height = struct.unpack(">II", data[16:24])
    assert width > 200 and height > 150, f"{path} is {width}x{height}"
    return width, height


def img_sources(page: str) -> list[str]:
    return re.findall(r'<img src="([^"]+)"', page)


def test_report_on_a_finished_study(sqlite_url: str, study_name: str,
                                    multiclass_csv: Path, tmp_path: Path) -> None:
    make_study(study_name, multiclass_csv, sqlite_url, n_trials=5, fail_on={2},
               prune_on={3})
    study, config = open_study(study_name, sqlite_url)
    trials = study.get_trials()
    n_pruned = sum(t.state is TrialState.PRUNED for t in trials)
    assert n_pruned == 1 and sum(t.state is TrialState.FAIL for t in trials) == 1
    best = study.best_trial

    report = write_report(study_name, tmp_path / "out", sqlite_url)
    names = {f.file for f in report.figures}
    assert names == STUDY_FIGURES | {"confusion.png"}, report.notes
    for path in report.figure_paths:
        assert_png(path)
    page = report.index.read_text()
    assert sorted(img_sources(page)) == sorted(names)
    assert report.headline == "Finished: 5 trials of the 5-trial budget done."
    curves = next(f for f in report.figures if f.file == "curves.png")
    assert f"{n_pruned} pruned" in curves.caption
    # The best trial's per-class table, row by row, and the failure's reason.
    assert f"<h2>Per-class metrics of trial {best.number}</h2>" in page
    for label, m in best.user_attrs["per_class"].items():
        assert (f'<tr><td class="text">{label}</td><td>{m["precision"]:.4g}</td>'
                f'<td>{m["recall"]:.4g}</td>') in page
    assert "<h2>Failures (1)</h2>" in page and "training loss became nan at epoch 1" in page
    # The scripted curves never reach the TF-IDF baseline, and the page says so, metric by
    # metric.
    assert ("The best trial on validation (the baseline on the held rows: no answer settled yet) "
            "is behind tfidf_logreg on every headline metric (val_loss ") in page
    assert f"objective {config.metric} ({config.direction})" in page


def test_multilabel_report_has_per_label_metrics_not_a_confusion_matrix(
        sqlite_url: str, study_name: str, tmp_path: Path) -> None:
    data = write_sample(tmp_path / "ml.csv", task=Task.MULTILABEL, rows=500, classes=5, seed=2)
    make_study(study_name, data, sqlite_url, n_trials=3, max_epochs=3)
    report = write_report(study_name, tmp_path / "out", sqlite_url)
    names = {f.file for f in report.figures}
    assert "per_label.png" in names and "confusion.png" not in names
    assert_png(tmp_path / "out" / "per_label.png")
    page = report.index.read_text()
    assert "Per-label metrics of trial" in page and "<th class=\"text\">label</th>" in page
    assert page.count('<td class="text">class_') == 5


def test_a_study_with_only_failed_trials_says_so(sqlite_url: str, study_name: str,
                                                 multiclass_csv: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "index.html").write_text(f"<html><head>{GENERATOR}</head></html>")
    (out / "history.png").write_bytes(b"stale")  # from an earlier report: must go
    fail_only(study_name, multiclass_csv, sqlite_url, failures=3)
    report = write_report(study_name, out, sqlite_url)
    assert report.figures == []
    assert report.headline == ("No trial has finished: all 3 trials failed. See the failures "
                               "below.")
    page = report.index.read_text()
    assert img_sources(page) == []
    assert '<p class="headline bad">No trial has finished: all 3 trials failed.' in page
    assert "<h2>Failures (3)</h2>" in page and "training loss became nan at epoch 1" in page
    assert list(out.glob("*.png")) == []


def test_one_trial_report_from_the_cli_without_tensorflow(
        sqlite_url: str, study_name: str, multiclass_csv: Path, tmp_path: Path) -> None:
    """One completed trial: no importances (a note says why); and the command, run in a
    fresh interpreter, never imports TensorFlow."""
    make_study(study_name, multiclass_csv, sqlite_url, n_trials=1,
               max_epochs=2)
    out = tmp_path / "cli"
    code = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from search.cli import app\n"
        f"r = CliRunner().invoke(app, ['report', '--study', {study_name!r}, '--storage', "
        f"{sqlite_url!r}, '--out', {str(out)!r}])\n"
        "print(r.output)\n"
        "assert r.exit_code == 0, r.output\n"
        "assert 'tensorflow' not in sys.modules, 'the report imported TensorFlow'\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    printed = " ".join(done.stdout.split())
    assert "Finished: 1 trials of the 1-trial budget done." in printed
    assert f"wrote {out / 'index.html'} with 4 figure(s); 3 not drawn (see the page)" in printed
    assert {p.name for p in out.glob("*.png")} == {"history.png", "curves.png",
                                                    "timeline.png", "confusion.png"}
    page = (out / "index.html").read_text()
    assert ("Parameter importances: not drawn, parameter importances need at least 2 "
            "completed trials.") in page
    assert "a parallel-coordinates plot needs at least 2 completed trials" in page

    missing = CliRunner().invoke(app, ["report", "--study", "nope", "--storage", sqlite_url])
    assert missing.exit_code == 2
    assert f"No study named 'nope' in {sqlite_url}. Studies there: {study_name}." in (
        " ".join(missing.output.split()))


@pytest.mark.slow
def test_report_on_a_study_in_progress_in_chromium(sqlite_url: str, study_name: str,
                                                   multiclass_csv: Path) -> None:
    """A trial still running: the page shows it and what has finished so far. The page is
    kept in test-artifacts/report/ with a screenshot of it as Chromium renders it."""
    browser.chromium()
    make_study(study_name, multiclass_csv, sqlite_url, n_trials=5, fail_on={2},
               prune_on={3})
    running = leave_running(study_name, sqlite_url, epochs=3)
    out = browser.ARTIFACTS / "report"
    report = write_report(study_name, out, sqlite_url, force=True)  # the tests' own folder
    assert report.headline.startswith("In progress: 1 trial running, 5 finished")
    page = report.index.read_text()
    assert f'<tr><td class="text">{running}</td><td class="text">gpu-box-7:4242</td>' in page
    assert "1 running" in next(f for f in report.figures if f.file == "curves.png").caption

    shot = browser.ARTIFACTS / "report-screenshot.png"
    dom = browser.dump_dom(report.index.resolve().as_uri(), shot, width=1200, height=6000,
                           budget_ms=1000)
    text = browser.visible_text(dom)
    assert text.startswith(f"Study {study_name} multiclass classification, 4 classes")
    for fig in report.figures:
        assert fig.title in text and fig.caption in text
    assert "Per-class metrics of trial" in text and "Running now" in text
    assert assert_png(shot) == (1200, 6000)
    print(f"\nreport: {report.index}\nreport screenshot: {shot}")


def test_names_on_the_page_are_text_never_html(sqlite_url: str, tmp_path: Path) -> None:
    """The page is autoescaped: a study and a class named like markup show as text."""
    name = "<script>alert('study')</script>"
    sample = write_sample(tmp_path / "data.csv", task=Task.MULTICLASS, rows=600, classes=4,
                          seed=1)
    data = tmp_path / "marked.csv"
    data.write_text(sample.read_text().replace(",class_1\n", ",<b>class&1</b>\n"))
    make_study(name, data, sqlite_url, n_trials=2, max_epochs=2)
    page = write_report(name, tmp_path / "out", sqlite_url).index.read_text()

    assert "<script>" not in page and "<b>class&1" not in page
    escaped = "&lt;script&gt;alert(&#39;study&#39;)&lt;/script&gt;"
    assert f"<title>hpsearch report: {escaped}</title>" in page
    assert f"<h1>Study {escaped}</h1>" in page
    assert '<tr><td class="text">&lt;b&gt;class&amp;1&lt;/b&gt;</td><td>' in page


def test_history_and_curves_draw_the_baselines_and_the_expert(
        sqlite_url: str, study_name: str, multiclass_csv: Path, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Each baseline with a value on the objective, and the expert's model, as a labelled
    horizontal line; a baseline without the objective is not drawn."""
    make_study(study_name, multiclass_csv, sqlite_url, n_trials=3, max_epochs=3)
    expert = add_starting_point_trial(study_name, sqlite_url, 0.9)
    study, config = open_study(study_name, sqlite_url)
    config = dataclasses.replace(config, baselines={**config.baselines,
                                                    "partial": {"accuracy": 0.5}})
    majority = config.baselines["majority"]["val_loss"]
    tfidf = config.baselines["tfidf_logreg"]["val_loss"]
    expected = {f"baseline majority: {majority:.4g}": majority,
                f"baseline tfidf_logreg: {tfidf:.4g}": tfidf,
                f"expert's model (trial {expert}): 0.9": 0.9}
    seen: dict[str, tuple[dict[str, float], set[str]]] = {}
    save = figs._save

    def keep(figure: object, path: Path) -> None:
        ax = figure.axes[0]  # type: ignore[attr-defined]
        horizontal = {str(line.get_label()): float(line.get_ydata()[0]) for line in ax.lines
                      if list(line.get_xdata()) == [0, 1]
                      and len(set(line.get_ydata())) == 1}
        seen[path.name] = horizontal, {t.get_text() for t in ax.texts}
        save(figure, path)  # type: ignore[arg-type]

    monkeypatch.setattr(figs, "_save", keep)
    history = figs.draw_history(study, config, tmp_path / "history.png")
    curves = figs.draw_learning_curves(study, config, tmp_path / "curves.png")

    lines = (f"; horizontal lines: baseline majority ({majority:.4g}), baseline tfidf_logreg "
             f"({tfidf:.4g}), expert's model (trial {expert}) (0.9).")
    for name, caption in (("history.png", history), ("curves.png", curves)):
        horizontal, texts = seen[name]
        assert horizontal == expected, name
        assert {"baseline majority", "baseline tfidf_logreg",
                f"expert's model (trial {expert})"} <= texts, name
        assert "baseline partial" not in texts
        assert caption.endswith(lines), caption
        assert_png(tmp_path / name)


@pytest.fixture(autouse=True)
def _no_open_figures() -> object:
    """Every figure is closed after saving (a long-lived process must not leak them)."""
    yield
    import matplotlib.pyplot as plt

    assert plt.get_fignums() == []


def test_a_page_a_report_did_not_write_is_replaced_only_with_force(
        sqlite_url: str, study_name: str, multiclass_csv: Path, tmp_path: Path) -> None:
    fail_only(study_name, multiclass_csv, sqlite_url, failures=1)
    out = tmp_path / "site"
    out.mkdir()
    (out / "index.html").write_text("<html>my own page</html>")
    with pytest.raises(PathError, match=r"would replace 1 file\(s\) that exist: .*index\.html"):
        write_report(study_name, out, sqlite_url)
    assert (out / "index.html").read_text() == "<html>my own page</html>"
    write_report(study_name, out, sqlite_url, force=True)
    assert GENERATOR in (out / "index.html").read_text()
    write_report(study_name, out, sqlite_url)  # its own earlier page: replaced without --force
