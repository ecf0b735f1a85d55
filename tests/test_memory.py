"""ae_helpers.memory: what importing the package does to a kernel's memory, checked in fresh interpreters."""

import subprocess
import sys
import textwrap


def _run(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip() + "\n" + done.stderr.strip()


def test_a_training_step_does_not_load_triton_on_a_machine_without_gpu():
    out = _run("""
        import sys, torch
        import ae_helpers
        model = torch.nn.Linear(4, 1)
        optimizer = torch.optim.Adam(model.parameters())
        model(torch.ones(2, 4)).sum().backward()
        optimizer.step()                      # imports torch._dynamo, which imports triton when it can
        import torch.utils.flop_counter       # warns about triton when it is missing and not silenced
        from torch.utils._triton import has_triton_package
        print("dynamo", "torch._dynamo" in sys.modules, "gpu", torch.cuda.is_available(),
              "triton", sys.modules.get("triton", "absent"), "has_triton", has_triton_package())
    """)
    assert "dynamo True" in out
    if "gpu False" in out:
        assert "triton None" in out and "has_triton False" in out, out
        assert "triton not found" not in out, out
    else:
        assert "triton None" not in out, out


def test_triton_loaded_before_the_package_is_left_alone():
    out = _run("""
        import sys
        sys.modules["triton"] = sentinel = type(sys)("triton")
        from ae_helpers import memory
        print("kept out:", memory.keep_triton_out(), "same:", sys.modules["triton"] is sentinel)
    """)
    assert "kept out: False same: True" in out
