"""Run a command as if on an older CPU class (AVX2 only: no AVX-512, no VNNI, no AMX), natively fast.

Needs: Linux on x86-64 with CPUID faulting (`cpuid_fault` in /proc/cpuinfo: Intel since Ivy Bridge, also
under KVM), gcc (to build the small preload library below), util-linux `unshare` and root (to bind a
masked /proc/cpuinfo in a private mount namespace). No package beyond Debian's `gcc`.

Run:  .venv/bin/python bench/cpu_class.py [--class avx2|avx2-vnni|native] [--first] [--check] -- COMMAND ARGS…
      .venv/bin/python bench/cpu_class.py --check             (what the masked process sees)
      .venv/bin/python bench/cpu_class.py --kvm                (what a KVM guest could be given here)

How: the library, preloaded into every process of COMMAND, turns on CPUID faulting for itself
(arch_prctl ARCH_SET_CPUID 0, inherited by its threads, renewed in each exec'd child by LD_PRELOAD), so
each CPUID instruction traps; its SIGSEGV handler runs the real CPUID and clears the bits the class
lacks. onnxruntime's MLAS, numpy and the rest choose their kernels from CPUID, so they take the same
AVX2 code paths an office PC runs, on this machine's cores (ratios and kernel choice are faithful; the
cores are still this machine's micro-architecture, as they would be in a KVM guest). glibc, which reads
CPUID before any preload, is told the same by GLIBC_TUNABLES, and /proc/cpuinfo (which deliver and
lscpu read) shows the class's flags.

Why not a KVM guest (`qemu-system-x86_64 -enable-kvm -cpu Haswell`): measured on the development
machine, its KVM is the PVM module (kvm_pvm, no VMX): KVM_GET_SUPPORTED_CPUID offers a guest no AVX,
AVX2, FMA, SSE4 or XSAVE at all (`--kvm` prints it; qemu then drops them from any -cpu model), and a stock
kernel crawls (Debian's 6.1 bzImage had not finished decompressing after 3 minutes; its vmlinux booted as
PVH reached its memory setup after 150 s).
"""

from __future__ import annotations

import argparse
import fcntl
import hashlib
import os
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

HIDDEN_FLAGS = {
    "avx2": ("avx512", "amx", "avx_vnni", "gfni", "vaes", "vpclmulqdq"),
    "avx2-vnni": ("avx512", "amx", "gfni", "vaes", "vpclmulqdq"),
}
"""/proc/cpuinfo flags a class lacks (prefixes): Haswell–Skylake clients and AMD Zen 1–3 (`avx2`);
Alder Lake and later clients, with 256-bit AVX-VNNI but no AVX-512 (`avx2-vnni`)."""
GLIBC_TUNABLES = "glibc.cpu.hwcaps=-AVX512F,-AVX512VL,-AVX512BW,-AVX512DQ,-AVX512CD,-AVX_VNNI"

SHIM = r"""
#define _GNU_SOURCE
#include <asm/prctl.h>
#include <cpuid.h>
#include <signal.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

static int keep_avx_vnni;
static volatile long traps;

/* The bits of the class's missing features, per CPUID leaf.subleaf and register. */
static void mask(uint32_t leaf, uint32_t sub, uint32_t *a, uint32_t *b, uint32_t *c, uint32_t *d) {
    if (leaf == 7 && sub == 0) {
        *b &= ~(1u << 16 | 1u << 17 | 1u << 21 | 1u << 26 | 1u << 27 | 1u << 28 | 1u << 30 | 1u << 31);
        *c &= ~(1u << 1 | 1u << 6 | 1u << 8 | 1u << 9 | 1u << 10 | 1u << 11 | 1u << 12 | 1u << 14);
        *d &= ~(1u << 2 | 1u << 3 | 1u << 8 | 1u << 22 | 1u << 23 | 1u << 24 | 1u << 25);
    } else if (leaf == 7 && sub == 1) {
        *a &= ~((keep_avx_vnni ? 0u : 1u << 4) | 1u << 5 | 1u << 21 | 1u << 23);
    } else if (leaf == 0xd && sub == 0) {
        *a &= ~(1u << 5 | 1u << 6 | 1u << 7 | 1u << 17 | 1u << 18);  /* AVX-512 and AMX state */
    } else if (leaf == 0x1d || leaf == 0x1e) {
        *a = *b = *c = *d = 0;  /* AMX tile and TMUL leaves */
    }
}

static void on_segv(int sig, siginfo_t *info, void *context) {
    greg_t *r = ((ucontext_t *)context)->uc_mcontext.gregs;
    const unsigned char *ip = (const unsigned char *)r[REG_RIP];
    if (ip[0] != 0x0f || ip[1] != 0xa2) {  /* a real fault: let it happen again, unhandled */
        signal(SIGSEGV, SIG_DFL);
        return;
    }
    uint32_t leaf = (uint32_t)r[REG_RAX], sub = (uint32_t)r[REG_RCX], a, b, c, d;
    syscall(SYS_arch_prctl, ARCH_SET_CPUID, 1);
    __cpuid_count(leaf, sub, a, b, c, d);
    syscall(SYS_arch_prctl, ARCH_SET_CPUID, 0);
    mask(leaf, sub, &a, &b, &c, &d);
    r[REG_RAX] = a; r[REG_RBX] = b; r[REG_RCX] = c; r[REG_RDX] = d;
    r[REG_RIP] += 2;
    traps++;
}

static void report(void) {
    if (getenv("CPU_CLASS_VERBOSE")) {
        char line[96];
        int n = snprintf(line, sizeof line, "cpu_class: pid %d trapped %ld cpuid\n", getpid(), traps);
        write(2, line, n);
    }
}

__attribute__((constructor)) static void start(void) {
    const char *class = getenv("CPU_CLASS");
    keep_avx_vnni = class && strcmp(class, "avx2-vnni") == 0;
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_sigaction = on_segv;
    action.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigaction(SIGSEGV, &action, NULL);
    if (syscall(SYS_arch_prctl, ARCH_SET_CPUID, 0) != 0) {
        write(2, "cpu_class: this CPU or kernel has no CPUID faulting\n", 52);
        _exit(97);
    }
    atexit(report);
}
"""


def shim() -> Path:
    """The preload library, built once per source text into the temp folder."""
    out = Path(tempfile.gettempdir()) / f"cpu_class-{hashlib.sha256(SHIM.encode()).hexdigest()[:12]}.so"
    if not out.exists():
        source = out.with_suffix(".c")
        source.write_text(SHIM)
        subprocess.run(["gcc", "-O2", "-shared", "-fPIC", "-o", str(out), str(source)], check=True)
    return out


def masked_cpuinfo(cpu_class: str) -> Path:
    """/proc/cpuinfo with the class's missing flags left out of every `flags` line."""
    hidden = HIDDEN_FLAGS[cpu_class]
    lines = []
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("flags") and ":" in line:
            head, flags = line.split(":", 1)
            line = head + ": " + " ".join(f for f in flags.split() if not f.startswith(hidden))
        lines.append(line)
    out = Path(tempfile.gettempdir()) / f"cpuinfo-{cpu_class}"
    out.write_text("\n".join(lines) + "\n")
    return out


def run(cpu_class: str, command: list[str], first: bool = False) -> int:
    """COMMAND in a private mount namespace with the masked /proc/cpuinfo, every process preloaded ("native":
    as it is). `first`: in a session of its own at nice -20 (its autogroup too), so on a machine shared with
    other work it has the cores nearly as if they were quiet."""
    env = {**os.environ}
    wrapper: list[str] = []
    if first:
        wrapper = ["setsid", "--wait", "sh", "-c", 'echo -20 > /proc/self/autogroup && exec nice -n -20 "$@"', "sh"]
    if cpu_class != "native":
        env |= {"CPU_CLASS": cpu_class, "GLIBC_TUNABLES": GLIBC_TUNABLES}
        env["LD_PRELOAD"] = " ".join(filter(None, [str(shim()), os.environ.get("LD_PRELOAD", "")]))
        inner = 'mount --bind "$0" /proc/cpuinfo && exec "$@"'
        wrapper += ["unshare", "--mount", "--propagation", "private", "sh", "-c", inner, str(masked_cpuinfo(cpu_class))]
    return subprocess.run([*wrapper, *command], env=env).returncode


CHECK = """
import os, numpy, onnxruntime
flags = next(l for l in open("/proc/cpuinfo") if l.startswith("flags")).split()
print("cpuinfo avx2:", "avx2" in flags, "| avx512*:", sorted(f for f in flags if f.startswith("avx512")) or "none",
      "| avx_vnni:", "avx_vnni" in flags, "| amx:", any(f.startswith("amx") for f in flags))
features = numpy._core._multiarray_umath.__cpu_features__ if hasattr(numpy, "_core") else numpy.core._multiarray_umath.__cpu_features__
print("numpy cpuid:", {k: features[k] for k in ("AVX2", "FMA3", "AVX512F", "AVX512_SKX", "AVX512_CNL")})
print("cores:", len(os.sched_getaffinity(0)), "| onnxruntime", onnxruntime.__version__)
"""


def kvm_report() -> None:
    """The features /dev/kvm offers a guest (KVM_GET_SUPPORTED_CPUID): why a KVM guest is or is not an option."""
    n = 128
    buf = bytearray(struct.pack("II", n, 0) + bytes(40 * n))
    fd = os.open("/dev/kvm", os.O_RDWR)
    try:
        fcntl.ioctl(fd, 0xC008AE05, buf)  # KVM_GET_SUPPORTED_CPUID = _IOWR(0xAE, 0x05, struct kvm_cpuid2)
    finally:
        os.close(fd)
    leaves = {}
    for i in range(struct.unpack_from("I", buf)[0]):
        leaf, sub, _, *regs = struct.unpack_from("7I", buf, 8 + 40 * i)
        leaves[(leaf, sub)] = regs
    bits = {"sse4_2": (1, 2, 20), "xsave": (1, 2, 26), "avx": (1, 2, 28), "fma": (1, 2, 12), "avx2": (7, 1, 5),
            "avx512f": (7, 1, 16), "avx512_vnni": (7, 2, 11)}  # fmt: skip
    modules = sorted(m for m in os.listdir("/sys/module") if m.startswith("kvm"))
    offered = {name: bool(leaves.get((leaf, 0), [0] * 4)[reg] >> bit & 1) for name, (leaf, reg, bit) in bits.items()}
    print("modules:", modules, "| a KVM guest can be given:", offered)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--class", dest="cpu_class", default="avx2", choices=[*sorted(HIDDEN_FLAGS), "native"])
    parser.add_argument("--first", action="store_true", help="nice -20 in a session of its own: near-quiet cores")
    parser.add_argument("--check", action="store_true", help="print what the masked process sees first")
    parser.add_argument("--kvm", action="store_true", help="print what /dev/kvm offers a guest, and stop")
    parser.add_argument("command", nargs="*")
    args = parser.parse_args()
    if args.kvm:
        kvm_report()
        return
    if args.check:
        run(args.cpu_class, [sys.executable, "-c", CHECK])
    if args.command:
        sys.exit(run(args.cpu_class, args.command, args.first))


if __name__ == "__main__":
    main()
