"""ONNX protobuf read and written by hand (wire format, ONNX's field numbers): enough to rewrite Kokoro's graph.

ModelProto: graph = 7. GraphProto: node = 1, initializer = 5, output = 12. NodeProto: input = 1, output = 2,
name = 3, op_type = 4, attribute = 5. TensorProto: dims = 1, data_type = 2, float_data = 4, int32_data = 5,
int64_data = 7, name = 8, raw_data = 9. AttributeProto: name = 1, ints = 8, type = 20 (INTS = 7).
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    import numpy as np

FLOAT: Final = 1
INT64: Final = 7
INTS: Final = 7


def _varint(data: memoryview, at: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = data[at]
        at += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, at
        shift += 7


def varint(value: int) -> bytes:
    value &= (1 << 64) - 1  # negative int32/int64 are ten bytes, two's complement
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def fields(data: memoryview) -> Iterator[tuple[int, int, int | memoryview, memoryview]]:
    """(field number, wire type, value, the field's own bytes) of one message."""
    at = 0
    while at < len(data):
        start = at
        key, at = _varint(data, at)
        number, kind = key >> 3, key & 7
        value: int | memoryview
        if kind == 0:
            value, at = _varint(data, at)
        elif kind == 2:
            size, at = _varint(data, at)
            value, at = data[at : at + size], at + size
        elif kind in (1, 5):
            width = 8 if kind == 1 else 4
            value, at = int.from_bytes(data[at : at + width], "little"), at + width
        else:
            raise ValueError(f"protobuf wire type {kind} not supported")
        yield number, kind, value, data[start:at]


def field(number: int, payload: bytes) -> bytes:
    return varint(number << 3 | 2) + varint(len(payload)) + payload


def _ints(kind: int, value: int | memoryview) -> list[int]:
    """A repeated integer field's values, packed or not (signed)."""
    if isinstance(value, int):
        raw = [value]
    else:
        raw, at = [], 0
        while at < len(value):
            item, at = _varint(value, at)
            raw.append(item)
    return [v - (1 << 64) if v >= 1 << 63 else v for v in raw]


@dataclass
class Node:
    raw: bytes
    op: str
    inputs: list[str]
    outputs: list[str]
    name: str
    attributes: list[bytes]


def node(data: memoryview) -> Node:
    parsed = Node(bytes(data), "", [], [], "", [])
    for number, _, value, whole in fields(data):
        if isinstance(value, memoryview):
            if number == 1:
                parsed.inputs.append(bytes(value).decode())
            elif number == 2:
                parsed.outputs.append(bytes(value).decode())
            elif number == 3:
                parsed.name = bytes(value).decode()
            elif number == 4:
                parsed.op = bytes(value).decode()
            elif number == 5:
                parsed.attributes.append(bytes(whole))
    return parsed


def new_node(op: str, inputs: list[str], outputs: list[str], name: str, attributes: list[bytes]) -> bytes:
    body = b"".join(field(1, i.encode()) for i in inputs) + b"".join(field(2, o.encode()) for o in outputs)
    return body + field(3, name.encode()) + field(4, op.encode()) + b"".join(attributes)


def name_of(data: memoryview, number: int) -> str:
    """A message's string field `number` (a TensorProto's name is 8, a ValueInfoProto's 1)."""
    return next((bytes(v).decode() for n, _, v, _ in fields(data) if n == number and isinstance(v, memoryview)), "")


def tensor_array(data: memoryview) -> np.ndarray:
    """An initializer's values (raw_data, or int32_data / float_data / int64_data) as a numpy array."""
    import numpy as np

    dims: list[int] = []
    kind_of, raw, ints, floats = 0, b"", [], []
    for number, kind, value, _ in fields(data):
        if number == 1:
            dims += _ints(kind, value)
        elif number == 2 and isinstance(value, int):
            kind_of = value
        elif number == 9 and isinstance(value, memoryview):
            raw = bytes(value)
        elif number in (5, 7):
            ints += _ints(kind, value)
        elif number == 4:
            floats += list(struct.unpack(f"<{len(value) // 4}f", value)) if isinstance(value, memoryview) else [
                struct.unpack("<f", value.to_bytes(4, "little"))[0]]  # fmt: skip
    dtype = {1: np.float32, 2: np.uint8, 3: np.int8, 6: np.int32, 7: np.int64}[kind_of]
    values = np.frombuffer(raw, dtype=dtype) if raw else np.array(floats if kind_of == FLOAT else ints).astype(dtype)
    return values.reshape(dims)


def float_tensor(name: str, values: np.ndarray) -> bytes:
    dims = b"".join(varint(1 << 3) + varint(d) for d in values.shape)
    return dims + varint(2 << 3) + varint(FLOAT) + field(8, name.encode()) + field(9, values.astype("<f4").tobytes())


def int64_tensor(name: str, values: list[int]) -> bytes:
    """A 1-D int64 initializer (the axes of an Unsqueeze or Squeeze)."""
    data = struct.pack(f"<{len(values)}q", *values)
    return (
        varint(1 << 3) + varint(len(values)) + varint(2 << 3) + varint(INT64) + field(8, name.encode()) + field(9, data)
    )


def attribute_ints(whole: bytes) -> tuple[str, list[int]]:
    """A node's attribute field (as `Node.attributes` keeps it): its name and its integers (none for others)."""
    body = next(v for _, _, v, _ in fields(memoryview(whole)) if isinstance(v, memoryview))
    name, ints = "", []
    for number, kind, value, _ in fields(body):
        if number == 1 and isinstance(value, memoryview):
            name = bytes(value).decode()
        elif number == 8:
            ints += _ints(kind, value)
    return name, ints


def ints_attribute(name: str, values: list[int]) -> bytes:
    """A node's attribute field holding integers (kernel_shape, pads, …)."""
    body = (
        field(1, name.encode()) + b"".join(varint(8 << 3) + varint(v) for v in values) + varint(20 << 3) + varint(INTS)
    )
    return field(5, body)
