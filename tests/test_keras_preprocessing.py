"""tf.keras.preprocessing (sequence, text, image) against TF 2.21 tf_keras's answers on the same inputs
(keras_preprocessing_cases.py, recorded by record_keras_preprocessing.py), and its errors."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from keras_preprocessing_cases import CASES
from recordings import load_recording

import dfc as tf

RECORDED = load_recording("keras_preprocessing")


@pytest.mark.parametrize("case", sorted(CASES))
def test_matches_tf_keras(case, tmp_path):
    np.random.seed(0)
    got = {f"{case}/{k}": np.asarray(v) for k, v in CASES[case](tf.keras.preprocessing, str(tmp_path)).items()}
    want = {k: v for k, v in RECORDED.items() if k.startswith(case + "/")}
    assert sorted(got) == sorted(want)
    for key, expected in want.items():
        actual = got[key]
        if expected.dtype.kind in "USO":
            assert actual.tolist() == expected.tolist(), key
        else:
            assert actual.dtype == expected.dtype, key
            np.testing.assert_allclose(actual, expected, rtol=1e-5, atol=1e-4, err_msg=key)


def test_errors_as_keras():
    seq, text, image = tf.keras.preprocessing.sequence, tf.keras.preprocessing.text, tf.keras.preprocessing.image
    with pytest.raises(ValueError, match="must be a list of iterables"):
        seq.pad_sequences([[1], 5])
    with pytest.raises(ValueError, match='Padding type "middle" not understood'):
        seq.pad_sequences([[1, 2]], padding="middle")
    with pytest.raises(ValueError, match="is not compatible with `value`"):
        seq.pad_sequences([[1, 2]], value="x")
    with pytest.raises(ValueError, match="Data and targets have to be of same length"):
        seq.TimeseriesGenerator(np.zeros(5), np.zeros(4), length=2)
    with pytest.raises(TypeError, match="Unrecognized keyword arguments"):
        text.Tokenizer(bogus=1)
    with pytest.raises(ValueError, match="Specify a dimension"):
        text.Tokenizer().texts_to_matrix(["a"])
    with pytest.raises(ValueError, match="Unknown vectorization mode"):
        tok = text.Tokenizer()
        tok.fit_on_texts(["a b"])
        tok.texts_to_matrix(["a"], mode="bogus")
    with pytest.raises(ValueError, match="validation_split"):
        image.ImageDataGenerator(validation_split=1.5)
    with pytest.raises(ValueError, match="should have rank 4"):
        image.ImageDataGenerator().flow(np.zeros((2, 3, 3)))
    with pytest.raises(ValueError, match="Invalid color mode"):
        image.ImageDataGenerator().flow_from_directory(".", color_mode="cmyk")


def test_models_train_on_the_generators():
    """As in TF1, fit/evaluate/predict take a TimeseriesGenerator or ImageDataGenerator.flow (keras Sequences)
    as fit_generator does; `y` with them is TF's ValueError."""
    P, L = tf.keras.preprocessing, tf.keras.layers
    tf.reset_default_graph()
    tf.keras.backend.clear_session()
    rng = np.random.default_rng(0)
    series = P.sequence.TimeseriesGenerator(rng.random((30, 2), np.float32), rng.random((30, 1), np.float32),
                                            length=4, batch_size=6)
    assert isinstance(series, tf.keras.utils.Sequence)
    model = tf.keras.Sequential([L.Flatten(input_shape=(4, 2)), L.Dense(1)])
    model.compile(tf.keras.optimizers.SGD(0.1), "mse")
    start = model.get_weights()
    by_fit = model.fit(series, epochs=2, shuffle=False, verbose=0).history["loss"]
    model.set_weights(start)
    assert model.fit_generator(series, epochs=2, shuffle=False, verbose=0).history["loss"] == by_fit
    assert model.evaluate(series, verbose=0) == model.evaluate_generator(series)
    assert model.predict(series).shape == (26, 1)
    flow = P.image.ImageDataGenerator(horizontal_flip=True).flow(rng.random((6, 4, 2, 1)), np.zeros((6, 1)),
                                                                 batch_size=3)
    with pytest.raises(ValueError, match="`y` argument is not supported when data is a generator"):
        model.fit(flow, np.zeros((6, 1)))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.integers(1, 99), max_size=6), min_size=1, max_size=5), st.integers(1, 7),
       st.sampled_from(["pre", "post"]), st.sampled_from(["pre", "post"]), st.integers(-3, 0))
def test_pad_sequences_keeps_each_sequences_part(sequences, maxlen, padding, truncating, value):
    """Each row holds the sequence's last (truncating='pre') or first maxlen items, at the end (padding='pre')
    or start, the rest `value`."""
    out = tf.keras.preprocessing.sequence.pad_sequences(sequences, maxlen=maxlen, padding=padding,
                                                        truncating=truncating, value=value)
    assert out.shape == (len(sequences), maxlen) and out.dtype == np.int32
    for row, s in zip(out, sequences):
        kept = (s[-maxlen:] if truncating == "pre" else s[:maxlen]) if s else []
        fill = [value] * (maxlen - len(kept))
        assert row.tolist() == (fill + kept if padding == "pre" else kept + fill)
