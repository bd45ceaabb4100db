"""Every family of the registry, by the same checks (as scikit-learn runs its common checks
over every estimator): it samples only its own keys, describes itself in one line, writes
network code that compiles and passes ruff, builds, trains a step, and exports a model that
gives the trial's validation probabilities from raw strings."""

from __future__ import annotations

import inspect
import subprocess
import sys
from pathlib import Path

import numpy as np
import optuna
import pytest

import spaces.model
from search.data import encode_labels, label_sets, sample_frame
from search.metrics import Metric
from search.training import FitSettings, tensorflow_trainer
from spaces import REGISTRY, Task, describe_params, family_of, parse_space, suggest_params
from spaces.families import Dims, helpers_called, network_code
from spaces.features import StudyData, fit_vocabulary

FAMILIES = sorted(REGISTRY)


def sampled(name: str, seed: int = 0) -> dict:
    """Params of family ``name`` drawn from the built-in space."""
    space = parse_space({"params": {"family": [name]}})
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=seed))
    return suggest_params(study.ask(), space, Task.MULTICLASS)


@pytest.mark.parametrize("name", FAMILIES)
def test_a_family_samples_its_own_keys_and_describes_itself(name: str) -> None:
    family = REGISTRY[name]
    for seed in range(5):
        params = sampled(name, seed)
        assert params["family"] == name and family_of(params) is family
        own = set(params) - {"family", "dropout", "dense_layers", "dense_units",
                             "learning_rate", "batch_size", "class_weight",
                             "class_weight_power", "loss", "focal_gamma", "top_k"}
        assert own <= set(family.keys), own - set(family.keys)
        line = family.describe(params)
        assert line and "\n" not in line and line in describe_params(params)
        assert ("learning_rate" in params) is not family.solver


@pytest.mark.parametrize("name", FAMILIES)
def test_a_familys_network_code_compiles_and_passes_ruff(name: str, tmp_path: Path) -> None:
    params = sampled(name)
    code = network_code(params, Dims(n_outputs=3, word_vocab=50, bag_width=70))
    helpers = "\n\n".join(inspect.getsource(getattr(spaces.model, h))
                          for h in helpers_called(code))
    source = f"import keras\nfrom keras import layers, ops\n\n\n{helpers}\n\n{code}\n"
    compile(source, f"{name}.py", "exec")
    path = tmp_path / f"{name}.py"
    path.write_text(source.replace("from keras import layers, ops", "from keras import "
                                   + ("layers, ops" if "ops." in source else "layers")))
    ruff = subprocess.run([str(Path(sys.executable).with_name("ruff")), "check", "--select",
                           "E,F,W", "--line-length", "100", str(path)],
                          capture_output=True, text=True)
    assert ruff.returncode == 0, ruff.stdout


@pytest.fixture(scope="module")
def study_data() -> StudyData:
    frame = sample_frame(Task.MULTICLASS, rows=240, classes=3, seed=2)
    texts = frame["text"].tolist()
    y = encode_labels(label_sets(frame["label"].tolist(), "|"), "multiclass",
                      ["class_0", "class_1", "class_2"])
    vocabulary = fit_vocabulary(texts[:180], max_tokens=500).vocabulary
    return StudyData(vocabulary, texts[:180], y[:180], texts[180:], y[180:])


@pytest.mark.slow
@pytest.mark.parametrize("name", FAMILIES)
def test_a_family_trains_a_step_and_exports_what_it_scored(name: str, study_data: StudyData,
                                                            tmp_path: Path) -> None:
    import keras

    trainer = tensorflow_trainer()
    trainer.configure_devices()
    params = sampled(name)
    if not REGISTRY[name].solver:  # one recurrent layer: a CPU traces each for seconds
        params |= {"batch_size": 64} | ({"rnn_layers": 1} if "rnn_layers" in params else {})
    prepared = trainer.prepare(study_data)
    settings = FitSettings(Task.MULTICLASS, ["class_0", "class_1", "class_2"],
                           Metric.MACRO_F1, max_epochs=1, patience=1)
    result = trainer.fit(params, prepared, settings, report=lambda epoch, metrics: False)
    assert result.epochs_run == 1
    # What it recorded is what its kept probabilities score (and they are the saved model's).
    from search.metrics import evaluate

    rescored = evaluate("multiclass", study_data.y_val, result.val_probs, settings.classes)
    assert result.metrics["macro_f1"] == pytest.approx(rescored["macro_f1"], abs=1e-9)
    saved = trainer.saved_model(params, prepared, result, Task.MULTICLASS)
    path = tmp_path / "model.keras"
    path.write_bytes(saved)
    model = keras.models.load_model(path, safe_mode=True)
    probs = model.predict(np.array(study_data.val_texts, dtype=object), verbose=0)
    np.testing.assert_allclose(probs, result.val_probs, atol=1e-4)
    trainer.release()


@pytest.mark.parametrize("task", list(Task))
def test_every_starting_point_lies_in_the_built_in_space(task: Task) -> None:
    """Queued as written: no value moved into the space (a batch size it lacks would become
    its first choice)."""
    from spaces import default_space, starting_points
    from spaces.space import all_starting_points

    queued = [params for _, params in starting_points(default_space(), task)]
    written = [point.params for point in all_starting_points()]
    assert queued == written and len(queued) == sum(len(f.starting_points)
                                                    for f in REGISTRY.values())
