"""Unchanged TF1 scripts on dfc: `import tensorflow as tf` served by dfc (dfc.tensorflow_alias, `dfc exec`)."""

from __future__ import annotations

import sys
import textwrap
import types

import numpy as np
import pytest
from typer.testing import CliRunner

import dfc
from dfc import tensorflow_alias
from dfc.tools import cli

TRAIN = textwrap.dedent("""\
    import sys
    import numpy as np
    import tensorflow as tf
    from tensorflow.contrib import rnn
    from tensorflow.python.ops import array_ops
    from tensorflow.keras.layers import Dense

    x = tf.placeholder(tf.float32, [None, 2], name="x")
    w = tf.Variable(tf.zeros([2, 1]), name="w")
    loss = tf.reduce_mean(tf.square(tf.matmul(x, w) - 1.0))
    train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        losses = [sess.run([train, loss], {x: np.ones((4, 2), np.float32)})[1] for _ in range(3)]
    print("losses", " ".join(f"{v:.4f}" for v in losses), "argv", sys.argv[1:],
          "same", array_ops.reshape is tf.reshape, rnn.BasicLSTMCell is tf.nn.rnn_cell.BasicLSTMCell)
""")


@pytest.fixture(autouse=True)
def no_alias_left():
    dfc.reset_default_graph()
    yield
    tensorflow_alias.uninstall()
    assert "tensorflow" not in sys.modules


def test_tensorflow_paths_are_dfc_modules():
    with tensorflow_alias.installed():
        import tensorflow as tf
        import tensorflow.compat.v1 as v1
        import tensorflow.nn.rnn_cell as rnn_cell
        from tensorflow.python.framework import ops
        assert tf is dfc and v1 is dfc
        assert rnn_cell is dfc.nn.rnn_cell
        assert ops.Graph is dfc.Graph
        assert tf.keras.layers.Dense is __import__("tensorflow.keras.layers", fromlist=["Dense"]).Dense
        assert dfc.__spec__.name == "dfc"  # serving tensorflow leaves dfc's own identity alone
    assert "tensorflow" not in sys.modules


def test_a_path_dfc_lacks_names_the_tensorflow_module():
    with tensorflow_alias.installed():
        with pytest.raises(ModuleNotFoundError, match=r"No module named 'tensorflow.no_such_module'.*dfc"):
            import tensorflow.no_such_module  # noqa: F401
        with pytest.raises(ModuleNotFoundError, match=r"tensorflow.compat.v2.*TF2"):
            import tensorflow.compat.v2  # noqa: F401


def test_install_refuses_when_tensorflow_is_already_imported(monkeypatch):
    monkeypatch.setitem(sys.modules, "tensorflow", types.ModuleType("tensorflow"))
    with pytest.raises(RuntimeError, match="already imported"):
        tensorflow_alias.install()
    monkeypatch.delitem(sys.modules, "tensorflow")


def test_dfc_compat_v1_is_dfc():
    import dfc.compat.v1 as tf
    assert tf is dfc and dfc.compat.v1 is dfc


def _run(*args, code: int = 0):
    result = CliRunner().invoke(cli.app, [str(a) for a in args])
    assert result.exit_code == code, f"exit {result.exit_code}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    return result


def test_dfc_exec_trains_an_unchanged_tf1_script(tmp_path):
    script = tmp_path / "train.py"
    script.write_text(TRAIN)
    out = _run("exec", script, "--epochs", "2").stdout
    losses = [float(v) for v in out.split("losses ")[1].split(" argv")[0].split()]
    w, expected = np.zeros(2), []
    for _ in range(3):  # numpy's gradient descent on the same loss
        err = np.ones((4, 2)) @ w - 1.0
        expected.append(np.mean(err ** 2))
        w -= 0.1 * 2 * np.ones((4, 2)).T @ err / 4
    np.testing.assert_allclose(losses, expected, atol=1e-4)
    assert "argv ['--epochs', '2'] same True True" in out


def test_dfc_exec_gives_the_scripts_exit_status_and_traceback(tmp_path):
    failing = tmp_path / "failing.py"
    failing.write_text("import tensorflow as tf\n\nx = tf.placeholder(tf.float32, [2])\n"
                       "tf.Session().run(x)\n")
    result = _run("exec", failing, code=1)
    assert "failing.py\", line 4" in result.stderr
    assert "You must feed a value for placeholder 'Placeholder'" in result.stderr
    exiting = tmp_path / "exiting.py"
    exiting.write_text("import sys\nsys.exit(3)\n")
    _run("exec", exiting, code=3)
    assert "no such script" in _run("exec", tmp_path / "missing.py", code=2).stderr


def test_dfc_compile_takes_an_unchanged_tf1_script(tmp_path):
    script = tmp_path / "train.py"
    script.write_text(TRAIN)
    out = _run("compile", script, "--run", "2", "--stage", "prune").stdout
    assert "dfc.matmul" in out and '"dfc.fetch"' in out
    assert f'loc("{script}":9:' in out  # the script's own file, though an identical one ran before
