"""Kokoro's graph variants: the int8 model with its integer convolutions (and matmuls) turned to float.

Most of an int8 model call is its ConvInteger nodes: 56 % on an AVX2-only CPU (issue 18), still 59 % on
a Xeon with AVX-512 VNNI and AMX (the convolutions' uint8 weights do not reach the VNNI kernels). The
rewrite replaces each `DynamicQuantizeLinear → ConvInteger (→ Add quantized bias) → Cast → Mul scale` chain by one float
`Conv` (weights dequantized once: (W − zero point) × scale; the float bias restored), and likewise
MatMulInteger by MatMul, then drops what no output needs. Each float 1-D convolution is written as the
same convolution over a height of one (Unsqueeze → 2-D Conv → Squeeze): onnxruntime runs 2-D float
convolutions in its blocked NCHWc layout, direct kernels instead of im2col + GEMM, and `Pow(x, 2)` becomes
`Mul(x, x)`. Measured interleaved in one process, rewrite 1 (im2col) against 2: model RTF 0.465 → 0.404 with
AVX2 only, 0.374 → 0.315 with AVX-512. It works on protobuf wire format by hand (ONNX's ModelProto/GraphProto/NodeProto/TensorProto
field numbers), so no `onnx` package is needed.
"""

from __future__ import annotations

import hashlib
import importlib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Final, Literal

from deliver.voices.kokoro_proto import (
    Node,
    attribute_ints,
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
"""Bumped when the rewrite changes, so a cached variant is rebuilt (2: convolutions over a height of one)."""
HEIGHT_AXIS: Final = "deliver_height_axis"
"""The initializer naming the axis a 1-D convolution's input gains and its output loses."""


def choose(flags: frozenset[str], machine: str) -> Graph:
    """The graph for a CPU: float convolutions on x86 with AVX2, the int8 model elsewhere (not measured there).

    Measured interleaved (bench/kokoro_graph.py; AVX2-only through bench/cpu_class.py, which hides AVX-512,
    VNNI and AMX from onnxruntime): model RTF on 2 cores, int8 against conv-f32 r2, 0.415 → 0.395 with AVX2
    only and 0.369 → 0.290 with AVX-512 VNNI + AMX; with one busy core 0.692 → 0.675 and 0.616 → 0.480.
    (Rewrite r1's float convolutions through im2col were slower than int8 with AVX2 only: 0.465 against
    0.426.) Float matmuls add nothing and 37 MB."""
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
    replaced: dict[int, list[Node]] = {}  # id of a chain's last node → its float replacement
    for n in nodes:
        if n.op in ops:
            last, replacement = _to_float(n, producer, consumers, tensors, weights)
            replaced[id(last)] = replacement
        elif n.op == "Pow" and _is_two(tensors.get(n.inputs[1])):
            replaced[id(n)] = [node(memoryview(new_node("Mul", [n.inputs[0]] * 2, n.outputs, f"{n.name}_square", [])))]
    nodes = [r for n in nodes for r in replaced.get(id(n), [n])]
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
) -> tuple[Node, list[Node]]:
    """For one ConvInteger / MatMulInteger: the chain's last node (Mul by the scales) and the float nodes that
    replace it; its float weight goes into `weights`. Raises ValueError when the chain is not the expected one."""
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
        weight = _dequantized(n.op, tensors[w_name], tensors[w_zero_name], tensors[w_scale])
        if n.op == "ConvInteger" and weight.ndim != 3:
            raise ValueError(f"{n.name}: only 1-D convolutions are expected")
        weights[name] = float_tensor(name, weight[:, :, None, :] if n.op == "ConvInteger" else weight)
    x, y = quantize.inputs[0], last.outputs[0]
    if n.op == "MatMulInteger":
        return last, [node(memoryview(new_node("MatMul", [x, name], [y], f"{n.name}_float", n.attributes)))]
    weights[HEIGHT_AXIS] = int64_tensor(HEIGHT_AXIS, [2])
    raws = [new_node("Unsqueeze", [x, HEIGHT_AXIS], [f"{y}_2d_in"], f"{n.name}_2d_in", []),
            new_node("Conv", [f"{y}_2d_in", name] + ([bias] if bias else []), [f"{y}_2d"], f"{n.name}_float",
                     _over_height_one(n.attributes)),
            new_node("Squeeze", [f"{y}_2d", HEIGHT_AXIS], [y], f"{n.name}_2d_out", [])]  # fmt: skip
    return last, [node(memoryview(raw)) for raw in raws]


def _over_height_one(attributes: list[bytes]) -> list[bytes]:
    """A 1-D convolution's attributes for the same convolution over a height of one."""
    out = []
    for whole in attributes:
        name, ints = attribute_ints(whole)
        if name in ("dilations", "kernel_shape", "strides"):
            whole = ints_attribute(name, [1, *ints])
        elif name == "pads":
            whole = ints_attribute(name, [0, ints[0], 0, ints[1]])
        out.append(whole)
    return out


def _is_two(exponent: memoryview | None) -> bool:
    """Whether a Pow's exponent is the constant 2 (then x · x says the same, cheaper)."""
    if exponent is None:
        return False
    values = tensor_array(exponent)
    return bool(values.size == 1 and float(values.reshape(-1)[0]) == 2.0)


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
    folder.mkdir(parents=True, exist_ok=True)
    data = rewrite(model(), graph, keep) + patch
    write_bytes(path, data)
    write_bytes(stamp, hashlib.sha256(data).hexdigest().encode("ascii"))
    for older in folder.glob(f"kokoro-v1.0.{graph}.r*.timed.onnx*"):  # an earlier rewrite's 250 MB
        if older not in (path, stamp):
            older.unlink(missing_ok=True)
    return path
