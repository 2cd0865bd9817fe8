"""The `deliver` command, a thin face of the library: `app` (the Typer app) and `main` (the entry point).

Each command lives in its own module and registers itself on `app` when imported; the imports below are
in the order `deliver --help` lists the commands (groups such as `voices` come after the commands)."""

from __future__ import annotations

from deliver.cli.common import app
from deliver.cli.run import main

# isort: off
from deliver.cli import outline as outline
from deliver.cli import said as said
from deliver.cli import timing as timing
from deliver.cli import build as build
from deliver.cli import voices as voices
from deliver.cli import themes as themes
from deliver.cli import fonts as fonts
from deliver.cli import serve as serve
# isort: on

__all__ = ["app", "main"]
