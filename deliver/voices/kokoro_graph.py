"""Kokoro's graph variants: the int8 model with its integer convolutions (and matmuls) turned to float.

Most of an int8 model call is its ConvInteger nodes: 56 % on an AVX2-only CPU (issue 18), still 59 % on
a Xeon with AVX-512 VNNI and AMX (the convolutions' uint8 weights do not reach the VNNI kernels). The
rewrite replaces each `DynamicQuantizeLinear → ConvInteger (→ Add quantized bias) → Cast → Mul scale` chain by one float
`Conv` (weights dequantized once: (W − zero point) × scale; the float bias restored), and likewise
MatMulInteger by MatMul, then drops what no output needs. It works on protobuf wire format by hand
(ONNX's ModelProto/GraphProto/NodeProto/TensorProto field numbers), so no `onnx` package is needed.
"""

from __future__ import annotations

import hashlib
import importlib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Final, Literal

from deliver.voices.kokoro_proto import (
    Node,
    attribute,
    field,
    fields,
    float_tensor,
    int64_tensor,
    ints_attribute,
    name_of,
    new_node,
    node,
    tensor_array,
)

if TYPE_CHECKING:
    import numpy as np

Graph = Literal["int8", "conv-f32", "f32"]
GRAPHS: Final[tuple[Graph, ...]] = ("int8", "conv-f32", "f32")
"""int8: the model as shipped; conv-f32: float convolutions; f32: float convolutions and matmuls."""
REWRITE_VERSION: Final = 2
"""Bumped when the rewrite changes, so a cached variant is rebuilt."""


def choose(flags: frozenset[str], machine: str) -> Graph:
    """The graph for a CPU: float convolutions on x86 with AVX2, the int8 model elsewhere (not measured there).

    Measured (bench/kokoro_graph.py, README Performance): the int8 ConvInteger takes ≈ 56–60 % of a call
    with AVX2 only and still ≈ 59 % with AVX-512 VNNI and AMX (its uint8 weights miss the VNNI kernels);
    float convolutions make the model faster on both; float matmuls add nothing and 37 MB."""
    if machine.lower() not in ("x86_64", "amd64"):
        return "int8"
    return "conv-f32" if "avx2" in flags else "int8"


def cpu_flags(cpuinfo: Path = Path("/proc/cpuinfo")) -> frozenset[str]:
    """The CPU's feature flags: /proc/cpuinfo where there is one, else what numpy's cpuid probe saw."""
    try:
        for line in cpuinfo.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("flags") and ":" in line:
                return frozenset(line.split(":", 1)[1].split())
    except OSError:
        pass
    try:  # numpy probes cpuid itself, as onnxruntime does (Windows and macOS have no /proc/cpuinfo)
        features: dict[str, bool] = importlib.import_module("numpy._core._multiarray_umath").__cpu_features__
    except (ImportError, AttributeError):
        return frozenset()
    return frozenset(name.lower() for name, present in features.items() if present)


def rewrite(model: bytes, graph: Graph, keep: frozenset[str] = frozenset()) -> bytes:
    """The model with its integer convolutions (graph "conv-f32") or also its matmuls ("f32") in float;
    `keep` names tensors that must stay computed (an output appended later). "int8" returns it as is."""
    if graph == "int8":
        return model
    ops = {"ConvInteger"} if graph == "conv-f32" else {"ConvInteger", "MatMulInteger"}
    top = [(number, whole, value) for number, _, value, whole in fields(memoryview(model))]
    body = next(value for number, _, value in top if number == 7)
    assert isinstance(body, memoryview)
    graph_bytes = _rewrite_graph(body, ops, keep)
    return b"".join(field(7, graph_bytes) if number == 7 else bytes(whole) for number, whole, _ in top)


def _rewrite_graph(body: memoryview, ops: set[str], keep: frozenset[str]) -> bytes:
    """GraphProto bytes with each chain rewritten at its last node, then only what the outputs need kept."""
    nodes: list[Node] = []
    tensors: dict[str, memoryview] = {}
    rest: list[tuple[int, memoryview, bytes]] = []  # graph fields other than nodes and initializers
    for number, _, value, whole in fields(body):
        if number == 1 and isinstance(value, memoryview):
            nodes.append(node(value))
        elif number == 5 and isinstance(value, memoryview):
            tensors[name_of(value, 8)] = value
        elif isinstance(value, memoryview):
            rest.append((number, value, bytes(whole)))
    producer = {o: n for n in nodes for o in n.outputs}
    consumers: dict[str, list[Node]] = {}
    for n in nodes:
        for i in n.inputs:
            consumers.setdefault(i, []).append(n)
    weights: dict[str, bytes] = {}  # a weight shared by several nodes is dequantized once
    replaced: dict[int, Node] = {}  # id of a chain's last node → its float replacement
    for n in nodes:
        if n.op in ops:
            last, replacement = _to_float(n, producer, consumers, tensors, weights)
            replaced[id(last)] = replacement
    nodes = [replaced.get(id(n), n) for n in nodes]
    if "ConvInteger" in ops:
        nodes = _two_d(nodes, tensors, weights)
    needed = {name_of(v, 1) for number, v, _ in rest if number == 12} | keep
    live: list[Node] = []
    for n in reversed(nodes):
        if any(o in needed for o in n.outputs):
            live.append(n)
            needed.update(n.inputs)
    live.reverse()
    produced = {o for n in live for o in n.outputs}
    out = [field(1, n.raw) for n in live]
    out += [field(5, bytes(t)) for name, t in tensors.items() if name in needed]
    out += [field(5, w) for w in weights.values()]
    out += [whole for number, v, whole in rest if number != 13 or name_of(v, 1) in produced]
    return b"".join(out)


def _to_float(
    n: Node,
    producer: dict[str, Node],
    consumers: dict[str, list[Node]],
    tensors: dict[str, memoryview],
    weights: dict[str, bytes],
) -> tuple[Node, Node]:
    """For one ConvInteger / MatMulInteger: the chain's last node (Mul by the scales) and the float node that
    replaces it; its float weight goes into `weights`. Raises ValueError when the chain is not the expected one."""
    x_quantized, w_name, _, w_zero_name = n.inputs[:4]
    quantize = producer[x_quantized]
    chain, bias = [n], ""
    while chain[-1].op != "Mul":
        following = consumers.get(chain[-1].outputs[0], [])
        if len(following) != 1 or following[0].op not in ("Add", "Cast", "Mul") or len(chain) > 3:
            raise ValueError(f"{n.name}: unexpected chain after {chain[-1].op}")
        chain.append(following[0])
        if following[0].op == "Add":
            bias = _float_bias(following[0], chain[-2].outputs[0], producer)
    last = chain[-1]
    scales = producer[last.inputs[1]]  # Mul(input scale, weight scale)
    w_scale = next(i for i in scales.inputs if i in tensors)
    if quantize.op != "DynamicQuantizeLinear" or quantize.outputs[1] not in scales.inputs:
        raise ValueError(f"{n.name}: its input is not dynamically quantized as expected")
    name = f"{w_name}_dequantized"
    if name not in weights:
        weights[name] = float_tensor(name, _dequantized(n.op, tensors[w_name], tensors[w_zero_name], tensors[w_scale]))
    op = "Conv" if n.op == "ConvInteger" else "MatMul"
    inputs = [quantize.inputs[0], name] + ([bias] if bias else [])
    raw = new_node(op, inputs, [last.outputs[0]], f"{n.name}_float", n.attributes)
    return last, node(memoryview(raw))


AXIS: Final = "deliver_conv_height_axis"
"""The int64 initializer [2]: the height axis a 1-D convolution's input gains and its output loses."""


def _two_d(nodes: list[Node], tensors: dict[str, memoryview], weights: dict[str, bytes]) -> list[Node]:
    """Each float 1-D Conv as Unsqueeze → 2-D Conv with a 1×K kernel → Squeeze: the same sums, but onnxruntime
    runs 2-D convolutions in its blocked NCHWc kernels, ≈ 15 % less CPU per Kokoro call (bench/kokoro_graph.py).
    The weight keeps its values with a height of 1; pads, strides, dilations and the kernel gain that axis."""
    import numpy as np

    out: list[Node] = []
    for n in nodes:
        weight = n.inputs[1] if n.op == "Conv" and len(n.inputs) > 1 else ""
        flat = f"{weight}_2d"
        if flat not in weights:  # a weight shared by several convolutions is reshaped once
            raw = weights.get(weight) or (bytes(tensors[weight]) if weight in tensors else None)
            values = tensor_array(memoryview(raw)) if raw is not None else None
            if values is None or values.ndim != 3:
                out.append(n)
                continue
            weights[flat] = float_tensor(flat, values.reshape(values.shape[0], values.shape[1], 1, values.shape[2]))
            weights.pop(weight, None)  # a dequantized 3-D weight is not wanted any more; an original one is dropped
        wide, tall = f"{n.outputs[0]}_2d_in", f"{n.outputs[0]}_2d_out"
        out.append(node(memoryview(new_node("Unsqueeze", [n.inputs[0], AXIS], [wide], f"{n.name}_2d_in", []))))
        conv = new_node("Conv", [wide, flat, *n.inputs[2:]], [tall], f"{n.name}_2d", _attributes_2d(n.attributes))
        out.append(node(memoryview(conv)))
        out.append(node(memoryview(new_node("Squeeze", [tall, AXIS], list(n.outputs), f"{n.name}_2d_out", []))))
    if len(out) != len(nodes):
        weights[AXIS] = int64_tensor(AXIS, np.array([2]))
    return out


def _attributes_2d(attributes: list[bytes]) -> list[bytes]:
    """A 1-D convolution's attributes for a 1×K kernel: pads [a, b] → [0, a, 0, b], the others [1, v]."""
    out = []
    for raw in attributes:
        name, ints = attribute(_payload(raw))
        if name == "pads" and len(ints) == 2:
            out.append(field(5, ints_attribute(name, [0, ints[0], 0, ints[1]])))
        elif name in ("dilations", "strides", "kernel_shape") and len(ints) == 1:
            out.append(field(5, ints_attribute(name, [1, ints[0]])))
        else:
            out.append(raw)
    return out


def _payload(whole: bytes) -> bytes:
    """A length-delimited field's bytes without its key and length."""
    value = next(v for _, _, v, _ in fields(memoryview(whole)))
    assert isinstance(value, memoryview)
    return bytes(value)


def _float_bias(add: Node, came_from: str, producer: dict[str, Node]) -> str:
    """The float bias initializer behind Add(conv, Reshape(Cast(Floor(Div(bias, scales)))))."""
    at = producer[next(i for i in add.inputs if i != came_from)]
    while at.op != "Div":
        at = producer[at.inputs[0]]
    return at.inputs[0]


def _dequantized(op: str, weight: memoryview, zero: memoryview, scale: memoryview) -> np.ndarray:
    """(W − zero point) × scale, per tensor or per output channel (conv axis 0, matmul axis 1)."""
    import numpy as np

    w, z, s = (tensor_array(t).astype(np.float32) for t in (weight, zero, scale))
    if op == "ConvInteger" and z.ndim == 1:
        z = z.reshape(-1, *([1] * (w.ndim - 1)))
    if op == "ConvInteger" and s.ndim == 1:
        s = s.reshape(-1, *([1] * (w.ndim - 1)))
    return np.asarray((w - z) * s, dtype=np.float32)


def cached(folder: Path, graph: Graph, model: Callable[[], bytes], patch: bytes, keep: frozenset[str]) -> Path:
    """The rewritten, patched model under `folder`, written once (with its sha256 beside it, checked each load)."""
    from deliver.files import sha256_file, write_bytes

    path = folder / f"kokoro-v1.0.{graph}.r{REWRITE_VERSION}.timed.onnx"
    stamp = path.with_name(path.name + ".sha256")
    if path.is_file() and stamp.is_file() and stamp.read_text(encoding="ascii").strip() == sha256_file(path):
        return path
    for stale in folder.glob(f"kokoro-v1.0.{graph}.r*.timed.onnx*"):  # an older rewrite: 250+ MB nobody reads
        if not stale.name.startswith(path.name):
            stale.unlink(missing_ok=True)
    folder.mkdir(parents=True, exist_ok=True)
    data = rewrite(model(), graph, keep) + patch
    write_bytes(path, data)
    write_bytes(stamp, hashlib.sha256(data).hexdigest().encode("ascii"))
    return path
