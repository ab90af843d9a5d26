"""Helpers every CLI command shares: the store, error printing, exit codes."""

from __future__ import annotations

import functools
import getpass
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from flscreen.errors import FlscreenError, InvalidInput, NotFound, StoreError
from flscreen.settings import load_settings
from flscreen.store import Store, open_store

P = ParamSpec("P")
R = TypeVar("R")
T = TypeVar("T")

err_console = Console(stderr=True)
out_console = Console()

EXIT_BAD_INPUT = 2
EXIT_STORE = 3


def get_store() -> Store:
    """The store named by FLSCREEN_DB_URL, else the SQLite file under FLSCREEN_HOME."""
    return open_store(load_settings().db_url)


def handle_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Turn flscreen errors into a one-paragraph message and exit code, never a traceback."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except InvalidInput as exc:
            err_console.print(f"[bold red]error:[/] {exc.render()}", markup=True, highlight=False)
            raise typer.Exit(EXIT_BAD_INPUT) from None
        except NotFound as exc:
            err_console.print(f"[bold red]not found:[/] {exc}", highlight=False)
            raise typer.Exit(EXIT_BAD_INPUT) from None
        except StoreError as exc:
            err_console.print(f"[bold red]store error:[/] {exc}", highlight=False)
            raise typer.Exit(EXIT_STORE) from None
        except FlscreenError as exc:
            err_console.print(f"[bold red]error:[/] {exc}", highlight=False)
            raise typer.Exit(EXIT_BAD_INPUT) from None
        except BrokenPipeError:
            sys.stderr.close()
            raise typer.Exit(0) from None

    return wrapper


def with_progress(items: Sequence[T], label: str, show_from: int, every: int = 200) -> Iterator[T]:
    """Yield ``items``, with a progress bar on stderr when there are at least ``show_from``.

    Short inputs stay quiet so filters compose cleanly; stdout is never touched.
    """
    if len(items) < show_from:
        yield from items
        return
    with Progress(
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err_console,
        transient=True,
    ) as progress:
        task = progress.add_task(label, total=len(items))
        for done, item in enumerate(items, start=1):
            yield item
            if done % every == 0 or done == len(items):
                progress.update(task, completed=done)


def cli_actor(given: str | None = None) -> str:
    """Who acts, for the audit log: the given name, else the logged-in user."""
    if given:
        return given
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "flscreen"
