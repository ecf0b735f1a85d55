"""Which arithmetic this computer does, and how to stand in for another computer on this one.

Float results differ slightly between computers: torch picks vector kernels for the CPU (AVX-512, AVX2,
NEON, or plain code), MKL and oneDNN pick their own, and the number of threads decides how sums are split.
A model trained on another laptop is therefore a slightly different model. Every claim the notebooks check
must hold on any of them; :data:`OTHER_CPU` makes this machine compute like a different one, so that the
tests (``make test``) and the margin report (``benchmarks/claims.py``) can prove it.
"""

from __future__ import annotations

import os
import platform

#: Environment settings that change torch's float results on an x86-64 machine, together a cheap stand-in
#: for a student's different laptop: torch's generic (non-vector) kernels, MKL's reproducible "compatible"
#: code path, oneDNN's convolutions limited to SSE4.1, and one thread. They must be set before torch loads.
OTHER_CPU: dict[str, str] = {
    "ATEN_CPU_CAPABILITY": "default",
    "MKL_CBWR": "COMPATIBLE",
    "DNNL_MAX_CPU_ISA": "SSE41",
    "AE_THREADS": "1",
}

_FLAGS = ("avx512f", "avx512_bf16", "avx2", "fma", "avx", "sse4_2", "asimd", "sve")


def _cpuinfo(*keys: str) -> str:
    """The first value of one of ``keys`` in /proc/cpuinfo (Linux), else ''."""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                key, _, value = line.partition(":")
                if key.strip() in keys:
                    return value.strip()
    except OSError:
        pass
    return ""


def vector_extensions() -> list[str]:
    """The CPU's vector instruction sets among those that change float results (from /proc/cpuinfo)."""
    flags = set(_cpuinfo("flags", "Features").split())
    return [name for name in _FLAGS if name in flags]


def describe() -> str:
    """One line for the setup report: the CPU, its vector extensions, and the kernels torch uses."""
    import torch

    capability = torch.backends.cpu.get_cpu_capability()
    extensions = " ".join(vector_extensions()) or "unknown"
    settings = " ".join(f"{k}={os.environ[k]}" for k in OTHER_CPU if k in os.environ)
    name = _cpuinfo("model name", "Model", "Hardware") or platform.processor() or "CPU"
    return (f"{name} ({platform.machine()})"
            + f", vector extensions: {extensions}; torch kernels: {capability}"
            + (f"; set: {settings}" if settings else ""))
