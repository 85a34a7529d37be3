"""The compiler: passes over the IR (prune, specialize, autodiff, ...) and code generation."""

from . import autodiff  # noqa: F401 - registers the "autodiff" pass
from . import cse, dce, fold, fuse, simplify  # noqa: F401 - register the optimizing passes
from . import plan  # noqa: F401 - registers the "plan" pass (run by the cpu backend, not a default stage)
from .passes import PASSES, PassManager, PassResult, get_pass, register_pass
from .pipeline import compile_step, default_pipeline
from .prune import prune
from .specialize import specialize

__all__ = ["PASSES", "PassManager", "PassResult", "compile_step", "default_pipeline", "get_pass", "prune",
           "register_pass", "specialize"]
