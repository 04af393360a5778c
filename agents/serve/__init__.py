"""The reward server for OpenRLHF's ``--reward.remote_url`` (``emo-r3 serve``).

* :mod:`~agents.serve.config`: :class:`ServerConfig`, the settings;
* :mod:`~agents.serve.app`: :func:`create_app`, the FastAPI app and its two routes;
* :mod:`~agents.serve.request`: reading and checking one HTTP request (token, size, JSON);
* :mod:`~agents.serve.batching`: :class:`MicroBatcher`, concurrent requests into batches;
* :mod:`~agents.serve.runner`: :func:`serve` (uvicorn) and :class:`ServerThread`.

What the server shares with the other adapters (label fields, responses, images, the
request scorer) lives in :mod:`agents.common`; the command line in :mod:`agents.cli.serve`.
Importing this package loads neither fastapi nor uvicorn.

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
