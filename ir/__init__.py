"""The typed tensor IR: dtypes, types, Value/Op/Graph, the op registry, text form and interpreter."""

from . import dtypes, ops
from .builder import capture_location, create_op, graph_of
from .errors import (DfcError, FailedPreconditionError, InvalidArgumentError, NotFoundError, OpError, ParseError,
                     ShapeError, VerificationError)
from .graph import Block, Graph, Location, Op, Value
from .interpreter import interpret
from .parser import parse_graph
from .printer import print_graph
from .types import CONTROL, ControlType, TensorType
from .verifier import verify

__all__ = ["CONTROL", "Block", "ControlType", "DfcError", "FailedPreconditionError", "Graph", "InvalidArgumentError",
           "Location", "NotFoundError", "Op", "OpError", "ParseError", "ShapeError", "TensorType", "Value",
           "VerificationError", "capture_location", "create_op", "dtypes", "graph_of", "interpret", "ops",
           "parse_graph", "print_graph", "verify"]
