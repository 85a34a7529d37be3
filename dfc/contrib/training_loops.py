"""tf.contrib.training's and tf.contrib.slim's training and evaluation loops, as TF1 slim scripts call them.

contrib.training: create_train_op, train (over MonitoredTrainingSession), evaluate_once, evaluate_repeatedly,
StopAfterNEvalsHook, SummaryAtEndHook and the gradient helpers. slim.learning: create_train_op (gradient
multipliers, norm clipping) and train (over a Supervisor: init, restore, checkpoints, summaries, number_of_steps).
slim.evaluation: evaluate_once and evaluation_loop.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from types import SimpleNamespace
from typing import Any

from ..array_ops import identity
from ..basic_session_run_hooks import FinalOpsHook
from ..checkpoint_utils import checkpoints_iterator
from ..debugging import check_numerics as _check_numerics
from ..framework import Tensor, control_dependencies, get_default_graph, name_scope
from ..graph import GraphKeys, get_collection, get_collection_ref
from ..indexed_slices import IndexedSlices
from ..session_run_hook import SessionRunHook
from ..training_util import get_or_create_global_step
from ..variables import no_op, trainable_variables

_log = logging.getLogger("dfc")
_USE_GLOBAL_STEP = 0  # TF's sentinel: create_train_op's default global_step means "the graph's global step"
_USE_DEFAULT = 0


def _with_dependencies(dependencies: Sequence[Any], tensor: Tensor, name: str | None = None) -> Tensor:
    with control_dependencies(list(dependencies)):
        return identity(tensor, name=name)


def add_gradients_summaries(grads_and_vars: Sequence[tuple]) -> list:
    """A histogram of each gradient and a scalar of its norm, as contrib.training adds them."""
    from ..clip_ops import global_norm
    from ..summary import histogram, scalar
    summaries = []
    for grad, var in grads_and_vars:
        if grad is None:
            _log.info("Var %s has no gradient", var.op.name)
            continue
        values = grad.values if isinstance(grad, IndexedSlices) else grad
        summaries.append(histogram(var.op.name + "_gradient", values))
        summaries.append(scalar(var.op.name + "_gradient_norm", global_norm([values])))
    return summaries


def clip_gradient_norms(gradients_to_variables: Sequence[tuple], max_norm: float) -> list[tuple]:
    """Each gradient clipped to max_norm by its own norm."""
    from ..clip_ops import clip_by_norm
    clipped = []
    for grad, var in gradients_to_variables:
        if grad is not None:
            if isinstance(grad, IndexedSlices):
                grad = IndexedSlices(clip_by_norm(grad.values, max_norm), grad.indices, grad.dense_shape)
            else:
                grad = clip_by_norm(grad, max_norm)
        clipped.append((grad, var))
    return clipped


def clip_gradient_norms_fn(max_norm: float) -> Callable:
    return lambda gradients_to_variables: clip_gradient_norms(gradients_to_variables, max_norm)


def multiply_gradients(grads_and_vars: Sequence[tuple], gradient_multipliers: dict) -> list[tuple]:
    """Gradients scaled by their variable's multiplier (keys: variables or their op names)."""
    if not isinstance(grads_and_vars, list):
        raise ValueError("`grads_and_vars` must be a list.")
    if not gradient_multipliers:
        raise ValueError("`gradient_multipliers` is empty.")
    scaled = []
    for grad, var in grads_and_vars:
        key = var if var in gradient_multipliers else var.op.name
        if grad is not None and key in gradient_multipliers:
            factor = gradient_multipliers[key]
            if isinstance(grad, IndexedSlices):
                grad = IndexedSlices(grad.values * factor, grad.indices, grad.dense_shape)
            else:
                grad = grad * factor
        scaled.append((grad, var))
    return scaled


def create_train_op(total_loss: Tensor, optimizer: Any, global_step: Any = _USE_GLOBAL_STEP, update_ops: Any = None,
                    variables_to_train: Any = None, transform_grads_fn: Callable | None = None,
                    summarize_gradients: bool = False, gate_gradients: int = 1, aggregation_method: Any = None,
                    colocate_gradients_with_ops: bool = False, check_numerics: bool = True) -> Tensor:
    """The loss after one update of the variables (runs the graph's UPDATE_OPS first, as batch norm needs)."""
    if global_step is _USE_GLOBAL_STEP:
        global_step = get_or_create_global_step()
    standing = set(get_collection(GraphKeys.UPDATE_OPS))
    update_ops = standing if update_ops is None else set(update_ops)
    if not standing.issubset(update_ops):
        _log.warning("update_ops in create_train_op does not contain all the update_ops in GraphKeys.UPDATE_OPS")
    if update_ops:
        with name_scope("update_ops"):
            with control_dependencies(list(update_ops)):
                barrier = no_op(name="update_barrier")
        total_loss = _with_dependencies([barrier], total_loss)
    if variables_to_train is None:
        variables_to_train = trainable_variables()
    else:
        trainable = set(trainable_variables())
        for v in variables_to_train:
            if v not in trainable:
                raise ValueError(f"variables_to_train contains {v.name}, which is not a trainable variable")
    grads = optimizer.compute_gradients(total_loss, variables_to_train, gate_gradients=gate_gradients,
                                        aggregation_method=aggregation_method,
                                        colocate_gradients_with_ops=colocate_gradients_with_ops)
    if transform_grads_fn is not None:
        grads = transform_grads_fn(grads)
    if summarize_gradients:
        with name_scope("summarize_grads"):
            add_gradients_summaries(grads)
    grad_updates = optimizer.apply_gradients(grads, global_step=global_step)
    with name_scope("train_op"):
        if check_numerics:
            total_loss = _check_numerics(total_loss, "LossTensor is inf or nan")
        train_op = _with_dependencies([grad_updates], total_loss)
    ops = get_collection_ref(GraphKeys.TRAIN_OP)
    if train_op not in ops:
        ops.append(train_op)
    return train_op



def train(train_op: Tensor, logdir: str | None, master: str = "", is_chief: bool = True, scaffold: Any = None,
          hooks: Sequence[SessionRunHook] | None = None, chief_only_hooks: Sequence[SessionRunHook] | None = None,
          save_checkpoint_secs: float | None = 600, save_summaries_steps: int | None = 100, config: Any = None,
          max_wait_secs: float = 7200, run_metadata: Any = None) -> Any:
    """Run train_op until a hook asks to stop (StopAtStepHook); the last loss."""
    if logdir is None and is_chief:
        if save_summaries_steps:
            raise ValueError("logdir cannot be None when save_summaries_steps is not None")
        if save_checkpoint_secs:
            raise ValueError("logdir cannot be None when save_checkpoint_secs is not None")
    from ..train_cluster import MonitoredTrainingSession
    loss = None
    with MonitoredTrainingSession(master=master, is_chief=is_chief, checkpoint_dir=logdir, scaffold=scaffold,
                                  hooks=hooks, chief_only_hooks=chief_only_hooks,
                                  save_checkpoint_secs=save_checkpoint_secs,
                                  save_summaries_steps=save_summaries_steps, config=config,
                                  max_wait_secs=max_wait_secs) as session:
        while not session.should_stop():
            loss = session.run(train_op, run_metadata=run_metadata)
    return loss


# ---- evaluation -----------------------------------------------------------------------------------------
class StopAfterNEvalsHook(SessionRunHook):
    """Stops the evaluation after num_evals runs (a tensor or a number)."""

    def __init__(self, num_evals: Any, log_progress: bool = True):
        self._num_evals, self._log_progress = num_evals, log_progress
        self._evals_completed = 0

    def _set_evals_completed_tensor(self, updated_eval_step: Any) -> None:
        self._evals_completed = updated_eval_step

    def after_run(self, run_context: Any, run_values: Any) -> None:
        self._evals_completed += 1
        total = self._num_evals
        if isinstance(total, Tensor):
            total = run_context.session.run(total)
        if self._log_progress:
            _log.info("Evaluation [%d/%d]", self._evals_completed, total)
        if self._evals_completed >= total:
            run_context.request_stop()


class SummaryAtEndHook(SessionRunHook):
    """Writes the summaries of the finished evaluation to log_dir (or summary_writer) at the global step."""

    def __init__(self, log_dir: str | None = None, summary_writer: Any = None, summary_op: Any = None,
                 feed_dict: dict | None = None):
        self._log_dir, self._writer, self._summary_op, self._feed_dict = log_dir, summary_writer, summary_op, \
            feed_dict

    def begin(self) -> None:
        from ..summary import merge_all
        from ..training_util import get_global_step
        if self._summary_op is None:
            self._summary_op = merge_all()
        self._global_step = get_global_step()

    def end(self, session: Any) -> None:
        from ..summary import FileWriterCache
        if self._summary_op is None:
            return
        step = session.run(self._global_step) if self._global_step is not None else 0
        summary = session.run(self._summary_op, self._feed_dict)
        writer = self._writer or FileWriterCache.get(self._log_dir)
        writer.add_summary(summary, step)
        writer.flush()


def _evaluation_session(checkpoint_path: str, master: str, scaffold: Any, hooks: list, config: Any) -> Any:
    from ..train_cluster import ChiefSessionCreator, MonitoredSession
    creator = ChiefSessionCreator(scaffold=scaffold, master=master, config=config,
                                  checkpoint_filename_with_path=checkpoint_path)
    return MonitoredSession(session_creator=creator, hooks=hooks)


def evaluate_once(checkpoint_path: str, master: str = "", scaffold: Any = None, eval_ops: Any = None,
                  feed_dict: dict | None = None, final_ops: Any = None, final_ops_feed_dict: dict | None = None,
                  hooks: Sequence[SessionRunHook] | None = None, config: Any = None) -> Any:
    """Restore checkpoint_path, run eval_ops until a hook stops (StopAfterNEvalsHook) or the input ends, and
    return final_ops' values."""
    from dfc.ir.errors import OutOfRangeError
    hooks = list(hooks or [])
    final = FinalOpsHook(final_ops, final_ops_feed_dict) if final_ops is not None else None
    if final is not None:
        hooks.append(final)
    _log.info("Starting evaluation at %s", time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
    with _evaluation_session(checkpoint_path, master, scaffold, hooks, config) as session:
        if eval_ops is not None:
            try:
                while not session.should_stop():
                    session.run(eval_ops, feed_dict)
            except OutOfRangeError:
                pass
    _log.info("Finished evaluation at %s", time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
    return final.final_ops_values if final is not None else None


def evaluate_repeatedly(checkpoint_dir: str, master: str = "", scaffold: Any = None, eval_ops: Any = None,
                        feed_dict: dict | None = None, final_ops: Any = None, final_ops_feed_dict: dict | None = None,
                        eval_interval_secs: float = 60, hooks: Sequence[SessionRunHook] | None = None,
                        config: Any = None, max_number_of_evaluations: int | None = None, timeout: float | None = None,
                        timeout_fn: Callable | None = None) -> Any:
    """evaluate_once on each new checkpoint of checkpoint_dir; the last final_ops values."""
    result, count = None, 0
    for path in checkpoints_iterator(checkpoint_dir, eval_interval_secs, timeout, timeout_fn):
        result = evaluate_once(path, master, scaffold, eval_ops, feed_dict, final_ops, final_ops_feed_dict, hooks,
                               config)
        count += 1
        if max_number_of_evaluations is not None and count >= max_number_of_evaluations:
            break
    return result


def get_or_create_eval_step() -> Any:
    """The graph's eval_step counter (a local int64 variable in the EVAL_STEP collection)."""
    from dfc.ir.dtypes import i64

    from ..variables import get_variable, zeros_initializer
    found = get_collection(GraphKeys.EVAL_STEP)
    if found:
        return found[0]
    return get_variable("eval_step", [], dtype=i64, initializer=zeros_initializer(), trainable=False,
                        collections=[GraphKeys.LOCAL_VARIABLES, GraphKeys.EVAL_STEP])


# ---- slim.learning and slim.evaluation ---------------------------------------------------------------------
def slim_create_train_op(total_loss: Tensor, optimizer: Any, global_step: Any = _USE_GLOBAL_STEP,
                         update_ops: Any = None, variables_to_train: Any = None, clip_gradient_norm: float = 0,
                         summarize_gradients: bool = False, gate_gradients: int = 1, aggregation_method: Any = None,
                         colocate_gradients_with_ops: bool = False, gradient_multipliers: dict | None = None,
                         check_numerics: bool = True) -> Tensor:
    """slim.learning.create_train_op: contrib.training's with gradient multipliers, then norm clipping."""
    def transform(grads: list) -> list:
        if gradient_multipliers:
            with name_scope("multiply_grads"):
                grads = multiply_gradients(grads, gradient_multipliers)
        if clip_gradient_norm > 0:
            with name_scope("clip_grads"):
                grads = clip_gradient_norms(grads, clip_gradient_norm)
        return grads
    return create_train_op(total_loss, optimizer, global_step, update_ops, variables_to_train, transform,
                           summarize_gradients, gate_gradients, aggregation_method, colocate_gradients_with_ops,
                           check_numerics)


def train_step(sess: Any, train_op: Any, global_step: Any, train_step_kwargs: dict) -> tuple[Any, bool]:
    """One slim training step: the loss, and whether number_of_steps is reached."""
    start = time.time()
    total_loss, step = sess.run([train_op, global_step])
    elapsed = time.time() - start
    if "should_log" in train_step_kwargs and sess.run(train_step_kwargs["should_log"]):
        _log.info("global step %d: loss = %.4f (%.3f sec/step)", step, total_loss, elapsed)
    should_stop = bool(sess.run(train_step_kwargs["should_stop"])) if "should_stop" in train_step_kwargs else False
    return total_loss, should_stop


def slim_train(train_op: Any, logdir: str | None, train_step_fn: Callable = train_step,
               train_step_kwargs: Any = _USE_DEFAULT, log_every_n_steps: int = 1, graph: Any = None,
               master: str = "", is_chief: bool = True, global_step: Any = None, number_of_steps: int | None = None,
               init_op: Any = _USE_DEFAULT, init_feed_dict: dict | None = None, local_init_op: Any = _USE_DEFAULT,
               init_fn: Callable | None = None, ready_op: Any = _USE_DEFAULT, summary_op: Any = _USE_DEFAULT,
               save_summaries_secs: float = 600, summary_writer: Any = _USE_DEFAULT, startup_delay_steps: int = 0,
               saver: Any = None, save_interval_secs: float = 600, sync_optimizer: Any = None,
               session_config: Any = None, session_wrapper: Callable | None = None,
               trace_every_n_steps: int | None = None, ignore_live_threads: bool = False) -> Any:
    """slim.learning.train: a Supervisor session that initializes or restores from logdir, saves checkpoints and
    summaries there, and runs train_step_fn until number_of_steps (or the input ends); the last loss."""
    # long: slim's train takes its many defaults from the graph, as TF's does, before the Supervisor loop
    from dfc.ir.errors import AbortedError, OutOfRangeError

    from ..lookup_ops import tables_initializer
    from ..math_ops import equal, greater_equal, mod
    from ..saver import Saver
    from ..array_ops import constant
    from ..summary import merge_all
    from ..supervisor import Supervisor
    from ..variables import (global_variables_initializer, group, local_variables_initializer,
                             report_uninitialized_variables)
    if train_op is None:
        raise ValueError("train_op cannot be None.")
    if logdir is None:
        if summary_op is not _USE_DEFAULT:
            raise ValueError("Cannot provide summary_op because logdir=None")
        if saver is not None:
            raise ValueError("Cannot provide saver because logdir=None")
        if trace_every_n_steps is not None:
            raise ValueError("Cannot provide trace_every_n_steps because logdir=None")
    if sync_optimizer is not None:
        raise NotImplementedError("slim.learning.train with sync_optimizer: use SyncReplicasOptimizer's hooks with "
                                  "tf.train.MonitoredTrainingSession (contrib.training.train) instead")
    graph = graph or get_default_graph()
    with graph.as_default():
        global_step = global_step if global_step is not None else get_or_create_global_step()
        saver = saver or Saver()
        init_op = global_variables_initializer() if init_op is _USE_DEFAULT else init_op
        ready_op = report_uninitialized_variables() if ready_op is _USE_DEFAULT else ready_op
        if local_init_op is _USE_DEFAULT:
            local_init_op = group(local_variables_initializer(), tables_initializer())
        summary_op = merge_all() if summary_op is _USE_DEFAULT else summary_op
        if train_step_kwargs is _USE_DEFAULT:
            with name_scope("train_step"):
                train_step_kwargs = {"should_stop": greater_equal(global_step, number_of_steps) if number_of_steps
                                     else constant(False)}
                if log_every_n_steps > 0:
                    train_step_kwargs["should_log"] = equal(mod(global_step, log_every_n_steps), 0)
    writer = Supervisor.USE_DEFAULT if summary_writer is _USE_DEFAULT else summary_writer
    supervisor = Supervisor(graph=graph, is_chief=is_chief, logdir=logdir, init_op=init_op,
                            init_feed_dict=init_feed_dict, local_init_op=local_init_op, ready_op=ready_op,
                            summary_op=summary_op, summary_writer=writer, global_step=global_step, saver=saver,
                            save_summaries_secs=save_summaries_secs, save_model_secs=save_interval_secs,
                            init_fn=init_fn)
    total_loss = None
    while True:
        try:
            with supervisor.managed_session(master, start_standard_services=False, config=session_config) as sess:
                if session_wrapper is not None:
                    sess = session_wrapper(sess)
                if is_chief and logdir:
                    supervisor.start_standard_services(sess)
                elif not is_chief and startup_delay_steps > 0:
                    _wait_for_step(sess, global_step, min(startup_delay_steps, number_of_steps or startup_delay_steps))
                threads = supervisor.start_queue_runners(sess)
                try:
                    while not supervisor.should_stop():
                        total_loss, should_stop = train_step_fn(sess, train_op, global_step, train_step_kwargs)
                        if should_stop:
                            supervisor.request_stop()
                            break
                except OutOfRangeError as e:
                    _log.info("Caught OutOfRangeError. Stopping Training. %s", e)
                if logdir and supervisor.is_chief:
                    supervisor.saver.save(sess, supervisor.save_path, global_step=supervisor.global_step)
                    supervisor.stop(threads, close_summary_writer=True, ignore_live_threads=ignore_live_threads)
            return total_loss
        except AbortedError:
            _log.info("Retrying training!")


def _wait_for_step(sess: Any, global_step: Any, step: int) -> None:
    while sess.run(global_step) < step:
        time.sleep(1.0)


def slim_evaluate_once(master: str, checkpoint_path: str, logdir: str, num_evals: int = 1, initial_op: Any = None,
                       initial_op_feed_dict: dict | None = None, eval_op: Any = None,
                       eval_op_feed_dict: dict | None = None, final_op: Any = None,
                       final_op_feed_dict: dict | None = None, summary_op: Any = _USE_DEFAULT,
                       summary_op_feed_dict: dict | None = None, variables_to_restore: Any = None,
                       session_config: Any = None, hooks: Sequence[SessionRunHook] | None = None) -> Any:
    """slim.evaluation.evaluate_once: restore, run eval_op num_evals times, write summaries to logdir, return
    final_op's value."""
    from ..saver import Saver
    from ..summary import merge_all
    from ..train_cluster import Scaffold
    if summary_op is _USE_DEFAULT:
        summary_op = merge_all()
    all_hooks = [StopAfterNEvalsHook(num_evals)]
    if summary_op is not None:
        all_hooks.append(SummaryAtEndHook(log_dir=logdir, summary_op=summary_op, feed_dict=summary_op_feed_dict))
    all_hooks += list(hooks or [])
    saver = Saver(variables_to_restore) if variables_to_restore is not None else None
    scaffold = Scaffold(init_op=initial_op, init_feed_dict=initial_op_feed_dict, saver=saver)
    return evaluate_once(checkpoint_path, master=master, scaffold=scaffold, eval_ops=eval_op,
                         feed_dict=eval_op_feed_dict, final_ops=final_op, final_ops_feed_dict=final_op_feed_dict,
                         hooks=all_hooks, config=session_config)


def evaluation_loop(master: str, checkpoint_dir: str, logdir: str, num_evals: int = 1, initial_op: Any = None,
                    initial_op_feed_dict: dict | None = None, init_fn: Callable | None = None, eval_op: Any = None,
                    eval_op_feed_dict: dict | None = None, final_op: Any = None,
                    final_op_feed_dict: dict | None = None, summary_op: Any = _USE_DEFAULT,
                    summary_op_feed_dict: dict | None = None, variables_to_restore: Any = None,
                    eval_interval_secs: float = 60, max_number_of_evaluations: int | None = None,
                    session_config: Any = None, timeout: float | None = None, timeout_fn: Callable | None = None,
                    hooks: Sequence[SessionRunHook] | None = None) -> Any:
    """slim.evaluation.evaluation_loop: slim_evaluate_once on each new checkpoint; the last final_op value."""
    result, count = None, 0
    for path in checkpoints_iterator(checkpoint_dir, eval_interval_secs, timeout, timeout_fn):
        result = slim_evaluate_once(master, path, logdir, num_evals, initial_op, initial_op_feed_dict, eval_op,
                                    eval_op_feed_dict, final_op, final_op_feed_dict, summary_op, summary_op_feed_dict,
                                    variables_to_restore, session_config, hooks)
        count += 1
        if max_number_of_evaluations is not None and count >= max_number_of_evaluations:
            break
    return result


learning = SimpleNamespace(create_train_op=slim_create_train_op, train=slim_train, train_step=train_step,
                           add_gradients_summaries=add_gradients_summaries, clip_gradient_norms=clip_gradient_norms,
                           clip_gradient_norms_fn=clip_gradient_norms_fn, multiply_gradients=multiply_gradients)
evaluation = SimpleNamespace(evaluate_once=slim_evaluate_once, evaluation_loop=evaluation_loop,
                             get_or_create_eval_step=get_or_create_eval_step)

__all__ = ["StopAfterNEvalsHook", "SummaryAtEndHook", "add_gradients_summaries", "clip_gradient_norms",
           "clip_gradient_norms_fn", "create_train_op", "evaluate_once", "evaluate_repeatedly",
           "get_or_create_eval_step", "multiply_gradients", "train"]
