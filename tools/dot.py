"""Graphviz DOT text of a graph: one node per op, one edge per use, fused regions as clusters.

`dfc compile --emit dot` writes it; `dot -Tsvg` renders it. Data edges are solid and
labeled with their type, control edges dashed; block arguments (the step's feeds) are
ellipses and constants small boxes showing their value when it is short.
"""

from __future__ import annotations

import numpy as np

from dfc.ir.graph import Block, Graph, Op, Value
from dfc.ir.printer import format_dense

#: constants whose text is longer than this show their type only
MAX_VALUE_TEXT = 24


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


class _Dot:
    def __init__(self) -> None:
        self.ids: dict[object, str] = {}
        self.lines: list[str] = []

    def node_id(self, item: object) -> str:
        if item not in self.ids:
            self.ids[item] = f"n{len(self.ids)}"
        return self.ids[item]

    def source(self, value: Value) -> str:
        """The node a value comes from: its op, or the block argument itself."""
        return self.node_id(value.op if value.op is not None else value)

    def block(self, block: Block, indent: str) -> None:
        for arg in block.arguments:
            label = f"{arg.arg_name or f'arg{arg.index}'}\n{arg.type}"
            self.lines.append(f"{indent}{self.node_id(arg)} [shape=ellipse, label={_quote(label)}];")
        for op in block.ops:
            targets: list[object] = [op] * len(op.operands)
            if op.regions:
                self.cluster(op, indent)
                # an operand flows into the region argument that stands for it
                args = op.regions[0].arguments
                targets[:len(args)] = args[:len(op.operands)]
            else:
                self.lines.append(f"{indent}{self.node_id(op)} [{self.node_attrs(op)}];")
            for v, target in zip(op.operands, targets):
                self.edge(v, target, indent)

    def cluster(self, op: Op, indent: str) -> None:
        label = f"{op.name} = {op.short_type} ({op.attrs.get('kind', '')})"
        self.lines.append(f"{indent}subgraph cluster_{self.node_id(op)} {{")
        self.lines.append(f"{indent}  label={_quote(label)}; style=rounded; color=gray40;")
        for region in op.regions:
            self.block(region, indent + "  ")
        # the fused op itself is the region's exit: its node stands for the results
        self.lines.append(f"{indent}  {self.node_id(op)} [shape=point];")
        term = op.regions[0].terminator if op.regions else None
        self.lines.append(f"{indent}}}")
        if term is not None:
            self.lines.append(f"{indent}{self.node_id(term)} -> {self.node_id(op)} [style=dotted];")

    def node_attrs(self, op: Op) -> str:
        if op.type == "dfc.constant":
            value = np.asarray(op.attrs["value"])
            text = format_dense(value).split(" : ")[0]
            label = f"{op.name}\n{text if len(text) <= MAX_VALUE_TEXT else op.results[0].type}"
            return f"shape=box, style=filled, fillcolor=gray92, fontsize=10, label={_quote(label)}"
        if op.type in ("dfc.fetch", "dfc.yield"):
            return f"shape=invhouse, label={_quote(op.short_type)}"
        types = ", ".join(str(r.type) for r in op.results)
        label = f"{op.name}\n{op.short_type}" + (f"\n{types}" if types else "")
        if op.device:
            label += f"\n{op.device}"
        return f"shape=box, style=rounded, label={_quote(label)}"

    def edge(self, value: Value, target: object, indent: str) -> None:
        src, dst = self.source(value), self.node_id(target)
        if value.is_control:
            self.lines.append(f"{indent}{src} -> {dst} [style=dashed];")
        else:
            index = f"#{value.index}" if value.op is not None and len(value.op.results) > 1 else ""
            label = f"{index} {value.type}".strip()
            self.lines.append(f"{indent}{src} -> {dst} [label={_quote(label)}, fontsize=9];")


def graph_to_dot(graph: Graph, name: str = "main") -> str:
    """The DOT text of `graph` (newline-terminated)."""
    dot = _Dot()
    dot.lines += [f"digraph {_quote(name)} {{", '  rankdir=TB; node [fontname="monospace"];',
                  '  edge [fontname="monospace"];']
    dot.block(graph.body, "  ")
    dot.lines.append("}")
    return "\n".join(dot.lines) + "\n"
