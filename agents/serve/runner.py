"""Run the reward server with uvicorn: in the foreground, or on a background thread.

uvicorn picks uvloop and httptools when they are installed (the ``serve`` extra
installs them; without them it falls back to asyncio and h11, about half as fast).

Example::

    from agents.serve import ServerConfig, ServerThread
    with ServerThread(ServerConfig(port=0)) as server:
        print(server.url)  # http://127.0.0.1:<port>/get_reward
"""

from __future__ import annotations

from agents.common.scorer import RewardScorer
from agents.serve.app import create_app
from agents.serve.config import ServerConfig
from rewards.errors import MissingDependencyError

__all__ = ["ServerThread", "serve", "uvicorn_config"]


def _uvicorn():
    try:
        import uvicorn
    except ImportError as err:
        raise MissingDependencyError("uvicorn", "serve", "the reward server") from err
    return uvicorn


def uvicorn_config(app, config: ServerConfig, log_level: str = "warning"):
    """The ``uvicorn.Config`` the server runs with."""
    return _uvicorn().Config(
        app,
        host=config.host,
        port=config.port,
        log_level=log_level,
        access_log=False,  # the token may travel in the query string
        lifespan="on",
        proxy_headers=False,  # the server reads no client address
        server_header=False,
        limit_concurrency=4096,
        backlog=4096,
        timeout_keep_alive=30,
    )


def serve(config: ServerConfig, log_level: str = "warning") -> None:
    """Run the server with uvicorn until interrupted."""
    uvicorn = _uvicorn()
    uvicorn.Server(uvicorn_config(create_app(config), config, log_level)).run()


class ServerThread:
    """Run the server on a background thread (tests, benchmarks, notebooks).

    ``port=0`` picks a free port; :attr:`url` is the ``/get_reward`` address once
    started. Use as a context manager.
    """

    def __init__(self, config: ServerConfig | None = None, scorer: RewardScorer | None = None):
        import threading

        uvicorn = _uvicorn()
        self.config = config or ServerConfig(port=0)
        self.app = create_app(self.config, scorer)
        self._server = uvicorn.Server(uvicorn_config(self.app, self.config))
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self.url = ""

    def __enter__(self) -> ServerThread:
        import time

        self._thread.start()
        deadline = time.monotonic() + 30
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("The reward server did not start.")
            time.sleep(0.01)
        port = self._server.servers[0].sockets[0].getsockname()[1]
        self.base_url = f"http://{self.config.host}:{port}"
        self.url = f"{self.base_url}/get_reward"
        return self

    def __exit__(self, *exc) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=30)
