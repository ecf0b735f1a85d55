"""The setup report shown by notebook 00 and ``python -m ae_helpers check``."""

from __future__ import annotations

import os
import platform
import sys
from importlib.metadata import version


def report() -> str:
    import ipywidgets
    import matplotlib
    import torch

    from . import data, numerics, threads
    from .cache import user_checkpoints
    from .settings import cache_dir, is_quick, writable

    lines = [
        f"Python       {sys.version.split()[0]} on {platform.system()} {platform.machine()}",
        f"torch        {torch.__version__}   torchvision {version('torchvision')}",
        f"ipywidgets   {ipywidgets.__version__}   matplotlib {matplotlib.__version__}",
        f"CPU cores    {os.cpu_count()}   (torch uses {torch.get_num_threads()} threads)",
        f"arithmetic   {numerics.describe()}",
        "GPU          " + (torch.cuda.get_device_name(0) if torch.cuda.is_available()
                           else "none (not needed: everything in this course runs on a CPU)"),
        f"mode         {'QUICK (AE_QUICK=1: less data, fewer epochs)' if is_quick() else 'full'}",
        f"threads      {threads.describe()}",
        f"checkpoints  {cache_dir()}" + ("" if writable(cache_dir()) else
                                         f"  (read-only: models missing there are trained into {user_checkpoints()})"),
    ]
    try:
        lines.append(f"data         OK, from {data.ensure_data()}")
    except (data.DataNotFoundError, data.CorruptDataError) as exc:
        lines.append(f"data         NOT FOUND\n\n{exc}")
    return "\n".join(lines)
