"""The machinery behind every exercise: ``check(answer)``, ``hint()``, ``solution()``.

An exercise's own module (``nb01`` ... ``nb06``) only says *what* to verify: a ``checker`` function that
receives the student's answer, calls it through :func:`call` (so a student's exception is explained, not
dumped as a traceback), raises :class:`Mistake` with a specific diagnosis, or returns a sentence saying what
was verified. Everything a student sees is printed here, in one format:

* ``✓ <title>: <what was verified>``
* ``✗ <title>: <diagnosis>``
* ``… <title>: not done yet`` for the untouched placeholder (``...`` or ``raise NotImplementedError``),
  which is *not* a failure, so the committed student notebooks run top to bottom.
"""

from __future__ import annotations

import ast
import contextlib
import functools
import inspect
import numbers
import sys
import textwrap
import traceback
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parents[1]
CORRECT, WRONG, NOT_DONE = "correct", "wrong", "not done"


class Mistake(Exception):
    """A wrong answer; the message is the diagnosis shown to the student."""


class NotDone(Exception):
    """The answer is still the placeholder."""


# ----- placeholders -------------------------------------------------------------------------------------
def _is_stub(stmt) -> bool:
    if isinstance(stmt, ast.Pass):
        return True
    if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
        return True  # `...` or a docstring
    if isinstance(stmt, ast.Raise) and stmt.exc is not None:
        exc = stmt.exc.func if isinstance(stmt.exc, ast.Call) else stmt.exc
        return isinstance(exc, ast.Name) and exc.id == "NotImplementedError"
    return False


def _blank_left(fn) -> bool:
    """A scaffold with a blank still to fill: some ``name = ...`` in the function."""
    return any(isinstance(n, ast.Assign) and isinstance(n.value, ast.Constant) and n.value.value is Ellipsis
               for n in ast.walk(fn))


def is_placeholder(answer) -> bool:
    """``...``, or a function whose body is only ``...`` / ``pass`` / ``raise NotImplementedError``, or a scaffold
    that still has a blank (``z = ...``)."""
    if answer is Ellipsis:
        return True
    if inspect.isfunction(answer):
        try:
            tree = ast.parse(textwrap.dedent(inspect.getsource(answer)))
        except (OSError, TypeError, SyntaxError):
            return False
        fn = next((n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.Lambda)), None)
        if isinstance(fn, ast.FunctionDef):
            return all(_is_stub(s) for s in fn.body) or _blank_left(fn)
    return False


# ----- a student's exception, explained --------------------------------------------------------------------
_LIBRARY_DIRS = tuple(str(Path(p).resolve()) for p in {sys.prefix, sys.base_prefix, sys.exec_prefix})

FRIENDLY = {  # part of an error message -> what it usually means in this course
    "mat1 and mat2 shapes cannot be multiplied": "a Linear layer got rows of the wrong length: images must be "
    "flattened to 784 numbers first (nn.Flatten()), and each layer's input size must be the previous output size",
    "does not require grad": "backward() found no gradient to follow: was the forward pass run inside "
    "torch.no_grad(), or did you call .item() / .detach() before backward()?",
    "must match the size of tensor": "two tensors of different shapes met: print the .shape of each",
    "not callable": "something you call with ( ) is not a function or a model",
    "has no attribute": "a name is misspelled, or an object is not what you think it is (print its type)",
}


def _student_frame(exc: BaseException):
    """The last traceback frame in the student's own code (not in ae_helpers, torch or Python)."""
    frames = traceback.extract_tb(exc.__traceback__)
    mine = [f for f in frames if not str(Path(f.filename).resolve()).startswith((str(PACKAGE_DIR), *_LIBRARY_DIRS))
            and not f.filename.startswith("<frozen")]
    return mine[-1] if mine else None


def explain_exception(exc: BaseException, expects: str = "") -> str:
    """A short, student-facing explanation of ``exc``: what, where in their code, what was expected."""
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    lines = [f"your code raised {type(exc).__name__}: {first}"]
    frame = _student_frame(exc)
    if frame is not None:
        lines.append(f"  at line {frame.lineno} of your code: {(frame.line or '').strip()}")
    for key, meaning in FRIENDLY.items():
        if key in str(exc):
            lines.append(f"  This usually means: {meaning}.")
            break
    if expects:
        lines.append(f"  The check called it with {expects}.")
    return "\n".join(lines)


def call(fn, *args, expects: str = "", **kwargs):
    """Call the student's ``fn``; their exception becomes a :class:`Mistake` (or :class:`NotDone`)."""
    if not callable(fn):
        raise Mistake(f"expected a function (written with def), got {type(fn).__name__}: {_short(fn)}")
    try:
        return fn(*args, **kwargs)
    except NotImplementedError:
        raise NotDone from None
    except Exception as exc:  # noqa: BLE001 (any student error is explained, never re-raised)
        raise Mistake(explain_exception(exc, expects)) from None


def _short(value, n: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= n else text[:n] + "..."


def shape_of(value) -> tuple | None:
    return tuple(value.shape) if hasattr(value, "shape") else None


# ----- output --------------------------------------------------------------------------------------------
def show_markdown(text: str) -> None:
    """Rendered Markdown in a notebook, plain text elsewhere (tests, a terminal)."""
    try:
        from IPython import get_ipython
        from IPython.display import Markdown, display
    except ImportError:
        get_ipython = None
    if get_ipython is not None and get_ipython() is not None:
        display(Markdown(text))
    else:
        print(text)


@contextlib.contextmanager
def one_thread():
    """Checks are many small tensor operations: on one thread they do not wait for a second thread that a
    busy machine (a class sharing a server, a training in another notebook) has not scheduled yet."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


class Exercise:
    """One checked exercise. ``answer_name`` is the name of the variable the student writes (``my_mse``); the
    notebook passes its value to ``check``, and ``checker(value)`` returns a sentence saying what was verified, or
    raises :class:`Mistake` with the diagnosis. ``goal()``, if given, is the bar the answer must reach, said again
    with "not done yet" (a function, as the bar may need data)."""

    def __init__(self, name: str, title: str, answer_name: str, checker, hints: list[str], solution: str,
                 expects: str = "", goal=None):
        self.name, self.title, self.answer_name, self._checker, self._goal = name, title, answer_name, checker, goal
        self.hints, self.solution_code, self.expects = list(hints), textwrap.dedent(solution).strip(), expects
        self.call_name = f"ex.{name}"          # how the notebooks reach it: from ... import nb04 as ex
        self.status: str | None = None        # after check(): "correct", "wrong" or "not done"
        self.message = ""
        self._hints_shown = 0

    def check(self, *answer) -> None:
        """Check the answer; print ✓ with what was verified, ✗ with a diagnosis, or "not done yet"."""
        try:
            if not answer or is_placeholder(answer[0]):
                raise NotDone
            with one_thread():
                verified = self._checker(*answer)
        except NotDone:
            self._report(NOT_DONE, "…", "not done yet. Replace the `...` (or the `raise NotImplementedError`) "
                         f"with your code, run that cell, then this one. Stuck? {self.call_name}.hint()"
                         + (f"\n  {self._goal()}" if self._goal else ""))
        except Mistake as mistake:
            self._report(WRONG, "✗", f"{mistake}\n  (A nudge: {self.call_name}.hint().  "
                                     f"The answer: {self.call_name}.solution().)")
        except Exception as exc:  # noqa: BLE001 (an odd answer must never show a traceback from inside the package)
            self._report(WRONG, "✗", f"could not check this answer ({type(exc).__name__}: {exc}). "
                         f"Expected {self.expects or 'the object the exercise asks for'}.")
        else:
            self._report(CORRECT, "✓", verified)

    def _report(self, status: str, mark: str, text: str) -> None:
        self.status, self.message = status, f"{mark} {self.title}: {text}"
        print(self.message)

    def hint(self) -> None:
        """The first call gives a nudge; each further call a bigger one."""
        if self._hints_shown >= len(self.hints):
            show_markdown(f"*No more hints for {self.title}.* The full answer: `{self.call_name}.solution()`.")
            return
        self._hints_shown += 1
        show_markdown(f"**Hint {self._hints_shown} of {len(self.hints)}:** {self.hints[self._hints_shown - 1]}")

    def solution(self) -> None:
        """Show the reference solution as Markdown code."""
        show_markdown(f"**Solution: {self.title}**\n\n```python\n{self.solution_code}\n```")

    def __repr__(self) -> str:
        return f"<exercise {self.name}: {self.title} (check, hint, solution)>"


# ----- real course data for the checks ----------------------------------------------------------------------
@functools.lru_cache(maxsize=8)
def _load(split: str, n: int | None, root: str):
    from ..data import load

    return load(split, n)


def real_images(n: int | None, split: str = "test"):
    """The first ``n`` real Fashion-MNIST images and labels (what the checks run the student's code on).
    Loaded once per session; each call gets its own copy, so an answer that writes into it harms nothing."""
    from ..settings import data_dir

    x, y = _load(split, n, str(data_dir()))
    return x.clone(), y.clone()


def shared_model(latent_dim: int = 2):
    """The course's shared trained autoencoder (the ``pretrained(d)`` of the notebooks), quietly."""
    from ..course_models import pretrained

    return pretrained(latent_dim, progress=False)


def number(value, what: str) -> float:
    """``value`` as a Python float (a 0-d tensor, a float, an int), else a :class:`Mistake` naming it."""
    import torch

    if isinstance(value, torch.Tensor):
        if value.numel() != 1:
            raise Mistake(f"{what} should be one number, but it is a tensor of shape {tuple(value.shape)}: "
                          "average (or sum) over every element, e.g. with .mean()")
        return float(value.detach())
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise Mistake(f"{what} should be a number, got {type(value).__name__}: {_short(value)}")
    return float(value)
