"""The reward server for OpenRLHF's ``--reward.remote_url`` (``emo-r3 serve``).

* :mod:`~agents.serve.config`: :class:`ServerConfig`, the settings, checked at once;
* :mod:`~agents.serve.app`: :func:`create_app`, the lean ASGI app and its two routes;
* :mod:`~agents.serve.request`: reading and checking one HTTP request (token, size, JSON);
* :mod:`~agents.serve.inline`: rule-only requests scored on the event loop, coalesced;
* :mod:`~agents.serve.batching`: :class:`MicroBatcher`, concurrent requests into batches
  on a worker thread, with a timeout per call;
* :mod:`~agents.serve.runner`: :func:`serve` (uvicorn) and :class:`ServerThread`.

What the server shares with the other adapters (label fields, responses, images, dataset
names, the request scorer, server faults) lives in :mod:`agents.common`; the command
line in :mod:`agents.cli.serve`. Importing this package loads no web framework.

Example:
    >>> from agents.serve import ServerConfig
    >>> ServerConfig().preset
    'emo_r3_paper'
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rewards._lazy import lazy_exports

__all__ = ["MicroBatcher", "ServerConfig", "ServerThread", "create_app", "serve"]

_LAZY = {
    "MicroBatcher": "agents.serve.batching",
    "ServerConfig": "agents.serve.config",
    "create_app": "agents.serve.app",
    "ServerThread": "agents.serve.runner",
    "serve": "agents.serve.runner",
}

__getattr__, __dir__ = lazy_exports("agents.serve", _LAZY, __all__)


if TYPE_CHECKING:  # pragma: no cover
    from agents.serve.app import create_app
    from agents.serve.batching import MicroBatcher
    from agents.serve.config import ServerConfig
    from agents.serve.runner import ServerThread, serve
