"""Errors of request scoring that are the server's fault, not the request's.

A client error (a bad label, a missing image, a response over the length cap) is an
:class:`~rewards.errors.InvalidInputError` and the server answers it with a 4xx status.
What fails once a request was found valid is a :class:`ServerFault`, which carries the
HTTP status to answer: a reward or model that raised (500), a judge that raised or broke
its contract (502, the judge being the server's upstream), scoring that ran past the
server's timeout (504).

Example:
    >>> from agents.common.faults import ScoringError
    >>> err = ScoringError.wrap(RuntimeError("CUDA out of memory"))
    >>> err.status, str(err)
    (500, 'Scoring failed (a server fault, not your request): RuntimeError: CUDA out of memory')
"""

from __future__ import annotations

from rewards.errors import EmoError

__all__ = ["ScoringError", "ScoringTimeout", "ServerFault"]


class ServerFault(EmoError):
    """Scoring a valid request failed on the server's side; ``status`` is the HTTP answer."""

    status = 500


class ScoringTimeout(ServerFault):
    """Scoring ran past the server's timeout (a hanging judge or model)."""

    status = 504


class ScoringError(ServerFault):
    """The rubric raised while scoring valid samples (a reward, a model or a judge)."""

    def __init__(self, message: str, status: int = 500):
        super().__init__(message)
        self.status = status

    @classmethod
    def wrap(cls, err: BaseException) -> ScoringError:
        """The fault that ``err``, raised by the rubric, means (502 when a judge failed)."""
        cause = f"{type(err).__name__}: {err}"
        if _from_judge(err):
            return cls(f"The judge failed (a server fault, not your request): {cause}", 502)
        return cls(f"Scoring failed (a server fault, not your request): {cause}")


def _from_judge(err: BaseException) -> bool:
    """Whether ``err`` is a judge's contract error or was raised inside a judge call."""
    from rewards.errors import JudgeError
    from rewards.judges import call_judge

    if isinstance(err, JudgeError):
        return True
    tb = err.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code is call_judge.__code__:
            return True
        tb = tb.tb_next
    return False
