"""`deliver serve`: the web app's options checked, its settings made, and the server run until stopped."""

from __future__ import annotations

import os
from pathlib import Path

import typer

from deliver.cli.common import app, console
from deliver.errors import OptionError


@app.command()
def serve(
    host: str = typer.Option(
        "127.0.0.1", "--host", help="Address to listen on; 0.0.0.0 serves the office (needs a token)."
    ),
    port: int = typer.Option(0, "--port", help="Port to listen on; 0 = a free one."),
    token: str | None = typer.Option(
        None, "--token", help="Access token; on a non-local --host one is made if not given."
    ),
    max_upload: float = typer.Option(5.0, "--max-upload", help="Largest upload, in MB."),
    jobs: int = typer.Option(0, "--jobs", help="Builds run at once, the rest queued; 0 = one per two cores."),
    keep_days: float = typer.Option(7.0, "--keep-days", help="Days a finished build is kept, then removed."),
    data_dir: str | None = typer.Option(None, "--data-dir", help="Where builds are kept (default: per-user)."),
    no_browser: bool = typer.Option(False, "--no-browser", help="Do not open the page in a browser."),
) -> None:
    """Run the app in a browser: paste a speech, edit the outline, build, download (see README: the web app)."""
    from deliver import web

    if not (0 <= port <= 65535) or jobs < 0 or max_upload <= 0 or keep_days <= 0:
        raise OptionError("--port 0…65535, --jobs ≥ 0, --max-upload and --keep-days > 0")
    jobs = jobs or max(1, (os.cpu_count() or 2) // 2)  # one offline-voice build per core pair
    token = web.check_host(host, token)
    from deliver.web.app import Settings

    settings = Settings(
        Path(data_dir) if data_dir else web.data_dir(), token, int(max_upload * 2**20), jobs, keep_days=keep_days
    )

    def ready(url: str) -> None:
        console.print(f"deliver serve: {url}", soft_wrap=True)
        if host not in web.LOCAL:
            console.print(f"for colleagues: {web.office_url(url)}", soft_wrap=True)
        console.print("Ctrl-C stops it.", style="dim")
        if not no_browser:
            import webbrowser

            webbrowser.open(url)

    web.serve(settings, host, port, ready)
