"""Kokoro on the machine it runs on: the graph variant follows the CPU's flags, threads follow the cores
this process may use, and a rewritten graph says the same speech as the int8 one."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from deliver.paths import user_cache_dir
from deliver.voices import kokoro, kokoro_graph
from deliver.voices.kokoro_proto import (
    attribute_ints,
    field,
    fields,
    float_tensor,
    int64_tensor,
    ints_attribute,
    name_of,
    node,
    tensor_array,
    varint,
)

pytestmark = pytest.mark.slow  # real Kokoro synthesis

HASWELL = "fpu vme sse sse2 ssse3 fma cx16 sse4_1 sse4_2 popcnt avx f16c avx2 bmi1 bmi2"
SAPPHIRE = HASWELL + " avx512f avx512bw avx512vl avx512_vnni avx_vnni amx_int8"


def _cpuinfo(tmp_path: Path, flags: str) -> Path:
    path = tmp_path / "cpuinfo"
    path.write_text(f"processor\t: 0\nmodel name\t: test\nflags\t\t: {flags}\n\nprocessor\t: 1\nflags\t\t: {flags}\n")
    return path


@pytest.mark.parametrize(
    ("flags", "machine", "graph"),
    [
        (HASWELL, "x86_64", "conv-f32"),
        (SAPPHIRE, "x86_64", "conv-f32"),
        ("fpu sse sse2 sse4_2 avx", "x86_64", "int8"),
        ("fp asimd asimddp", "aarch64", "int8"),
    ],
)
def test_the_graph_follows_the_cpu_flags_in_cpuinfo(tmp_path: Path, flags: str, machine: str, graph: str) -> None:
    assert kokoro_graph.choose(kokoro_graph.cpu_flags(_cpuinfo(tmp_path, flags)), machine) == graph


def test_without_cpuinfo_the_flags_come_from_the_cpuid_probe(tmp_path: Path) -> None:
    flags = kokoro_graph.cpu_flags(tmp_path / "no-such-cpuinfo")
    assert "sse2" in flags  # every x86-64 CPU; numpy reports it as SSE2


def test_the_engine_version_names_a_rewritten_graph_and_keeps_int8_as_it_was() -> None:
    def engine(graph: kokoro_graph.Graph) -> kokoro.KokoroEngine:
        return kokoro.KokoroEngine(voice_folder=Path("voices"), model_folder=Path("models"), graph=graph)

    assert "graph" not in engine("int8").version
    assert f"graph conv-f32 r{kokoro_graph.REWRITE_VERSION}" in engine("conv-f32").version


def _cgroup(tmp_path: Path, cpu_max: str | None) -> Path:
    folder = tmp_path / "cgroup"
    folder.mkdir()
    if cpu_max is not None:
        (folder / "cpu.max").write_text(cpu_max + "\n")
    return folder


@pytest.mark.parametrize(
    ("affinity", "cpu_max", "cores"),
    [({0, 1, 2, 3, 4, 5, 6, 7}, None, 8), ({0, 1, 2, 3, 4, 5, 6, 7}, "max 100000", 8),
     ({0, 1, 2, 3, 4, 5, 6, 7}, "200000 100000", 2), ({3}, "400000 100000", 1), ({0, 1, 2, 3}, "50000 100000", 1),
     ({0, 1, 2, 3}, "150000 100000", 2)],
)  # fmt: skip
def test_threads_follow_the_affinity_and_the_cgroup_quota(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, affinity: set[int], cpu_max: str | None, cores: int
) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: affinity)
    assert kokoro.available_cores(_cgroup(tmp_path, cpu_max)) == cores


def test_the_session_gets_the_available_cores_shared_by_the_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[int] = []
    monkeypatch.setattr(kokoro, "available_cores", lambda: 8)
    monkeypatch.setattr(kokoro, "_runtime_missing", lambda: None)
    monkeypatch.setattr(kokoro, "model_path", lambda cache, graph: Path("model.onnx"))
    monkeypatch.setattr(kokoro, "_Runtime", lambda path, workers, threads: seen.append(threads))
    for workers in (1, 2, 16):
        kokoro.KokoroEngine(voice_folder=Path("voices"), model_folder=Path("models"), workers=workers)._ready()
    assert seen == [8, 4, 1]


def test_tensors_round_trip_through_the_wire_format() -> None:
    import numpy as np

    values = np.arange(24, dtype=np.float32).reshape(2, 3, 4) / 7
    parsed = tensor_array(memoryview(float_tensor("w", values)))
    assert parsed.shape == (2, 3, 4) and np.array_equal(parsed, values)
    zero = (
        varint(1 << 3) + varint(256) + varint(2 << 3) + varint(3) + field(5, b"".join(varint(v) for v in [-3, 5] * 128))
    )
    assert tensor_array(memoryview(zero)).tolist() == [-3, 5] * 128  # int8 zero points in packed int32_data
    assert [n for n, *_ in fields(memoryview(field(7, b"x") + varint(1 << 3) + varint(9)))] == [7, 1]


def test_integer_attributes_and_tensors_are_written_as_onnx_reads_them() -> None:
    assert attribute_ints(ints_attribute("pads", [0, 2, 0, 2])) == ("pads", [0, 2, 0, 2])
    assert attribute_ints(ints_attribute("strides", [-1])) == ("strides", [-1])
    assert tensor_array(memoryview(int64_tensor("axes", [2]))).tolist() == [2]


MODELS = user_cache_dir() / "kokoro"
"""Where the engine keeps its prepared models (the per-user cache, so a second run reuses them)."""


def test_the_float_convolution_graph_says_the_same_speech(kokoro_voice_folder: Path) -> None:
    """The same short sentence through both graphs: audio length within 1 %, each token within a frame."""
    if (reason := kokoro._runtime_missing()) is not None:
        pytest.skip(reason)
    import numpy as np

    from deliver.voices.kokoro_g2p import segments, token_ids
    from deliver.voices.kokoro_voices import read_voice

    ids = token_ids(segments("同志们，今天我们开会。", "zh"))
    style = np.frombuffer(read_voice("zf_xiaoxiao", kokoro_voice_folder), dtype="<f4").reshape(510, 256)[len(ids) - 1][
        None, :
    ]
    said = {}
    for graph in ("int8", "conv-f32"):
        runtime = kokoro._Runtime(kokoro.model_path(MODELS, graph), 1, 2)
        said[graph] = runtime.run(ids, style, 0.8)
    (audio, durations), (float_audio, float_durations) = said["int8"], said["conv-f32"]
    assert abs(len(float_audio) - len(audio)) <= 0.01 * len(audio)
    assert len(float_durations) == len(durations)
    assert np.abs(float_durations.astype(int) - durations.astype(int)).max() <= 1


def test_the_float_graph_convolves_over_a_height_of_one_and_squares_by_multiplying() -> None:
    """Every rewritten convolution is 2-D (its weight [out, in, 1, k], between an Unsqueeze and a Squeeze),
    which onnxruntime runs in its blocked layout; no Pow(x, 2) is left."""
    if (reason := kokoro._runtime_missing()) is not None:
        pytest.skip(reason)
    model = memoryview(kokoro.model_path(MODELS, "conv-f32").read_bytes())
    graph = next(v for n, _, v, _ in fields(model) if n == 7 and isinstance(v, memoryview))
    nodes = [node(v) for n, _, v, _ in fields(graph) if n == 1 and isinstance(v, memoryview)]
    ranks = {name_of(v, 8): len(_dims(v)) for n, _, v, _ in fields(graph) if n == 5 and isinstance(v, memoryview)}
    convs = [n for n in nodes if n.op == "Conv" and n.name.endswith("_float")]
    assert len(convs) == 87 and {ranks[c.inputs[1]] for c in convs} == {4}
    made_by = {o: n.op for n in nodes for o in n.outputs}
    assert {made_by[c.inputs[0]] for c in convs} == {"Unsqueeze"}
    assert not [n for n in nodes if n.op in ("ConvInteger", "Pow")]


def _dims(tensor: memoryview) -> list[int]:
    return [v for n, _, v, _ in fields(tensor) if n == 1 and isinstance(v, int)]
