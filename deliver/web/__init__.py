"""The web app (`deliver serve`): the whole tool in a browser, a thin face over `pipeline` like the CLI.

Starlette and uvicorn (the `web` extra) are imported only here and below, so other commands never load
them. `serve` binds, prints the address (with the access token on an office server) and runs until
stopped; `create_app` is the ASGI app itself (tests drive it directly).
"""

from __future__ import annotations

import secrets
import socket
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from deliver.errors import MissingTool, OptionError

if TYPE_CHECKING:
    from starlette.applications import Starlette

    from deliver.web.app import Settings

__all__ = ["LOCAL", "bind", "check_host", "create_app", "office_url", "serve", "url_of"]

LOCAL = ("127.0.0.1", "localhost", "::1")


def create_app(settings: Settings) -> Starlette:
    from deliver.web.app import create_app as make

    return make(settings)


def check_host(host: str, token: str | None) -> str | None:
    """The token to require: none on this machine unless given; on any other address one is required,
    and one is made when none is given. Raises OptionError for an empty token."""
    if token is not None and len(token.strip()) < 8:
        raise OptionError("--token: give at least 8 characters, or leave it out to have one made")
    if host in LOCAL:
        return token
    return token or secrets.token_urlsafe(18)


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on host:port (0 = a free port), bound here so a taken port or a wrong address
    is one line of ours. Raises OptionError."""
    listener = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    try:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((host, port))
    except (OSError, OverflowError) as exc:
        listener.close()
        raise OptionError(
            f"--host {host} --port {port}: cannot listen there ({getattr(exc, 'strerror', None) or exc})"
        ) from None
    listener.listen(128)
    listener.set_inheritable(True)
    return listener


def url_of(host: str, port: int, token: str | None) -> str:
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else (f"[{host}]" if ":" in host else host)
    return f"http://{shown}:{port}/" + (f"?token={token}" if token else "")


def office_url(url: str) -> str:
    """The printed link with this machine's address on the office network in place of 127.0.0.1 (what
    colleagues open): the address of the interface a packet out would leave by (none is sent)."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("10.255.255.255", 1))  # UDP connect only picks a route
            address: str = probe.getsockname()[0]
    except OSError:
        address = socket.gethostname()
    return url.replace("127.0.0.1", address, 1)


def serve(settings: Settings, host: str, port: int, ready: Callable[[str], None]) -> None:
    """Run the app on host:port (0 = a free port) until stopped; `ready(url)` is called once it accepts
    connections. Raises OptionError when it cannot listen there, MissingTool without the web extra."""
    try:
        import uvicorn
    except ImportError:
        raise MissingTool("deliver serve needs the web extra: pip install 'deliver[web]'") from None

    listener = bind(host, port)
    app = create_app(settings)
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on")
    server = uvicorn.Server(config)
    url = url_of(host, listener.getsockname()[1], settings.token)
    original = server.startup

    async def startup(sockets: list[socket.socket] | None = None) -> None:
        # uvicorn has no "now listening" hook: the URL is printed once its own start-up has finished
        await original(sockets)
        if server.started:
            ready(url)

    server.startup = startup  # type: ignore[method-assign]
    with listener:
        server.run(sockets=[listener])


def data_dir() -> Path:
    from deliver.paths import user_data_dir

    return user_data_dir() / "web"
