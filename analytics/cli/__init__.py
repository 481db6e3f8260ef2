"""Command line: one module per command family, found by name.

Each ``analytics/cli/cmd_<name>.py`` defines ``register(subparsers)`` which adds its
sub-command(s) and sets ``func`` (args -> exit code) with ``set_defaults``. Adding a
command is adding a file; no central list to edit.

Exit codes: 0 success, 1 done but with findings (e.g. quarantined rows), 2 unusable
input or bad arguments.
"""

from __future__ import annotations

import argparse
import contextvars
import importlib
import pkgutil
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from analytics.config import CityConfig, ConfigError

if TYPE_CHECKING:  # datasets loads geopandas: only when a command runs
    from analytics.datasets import Dataset

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_UNUSABLE = 2


class CommandError(Exception):
    """A problem the user can fix; printed as one line, exit code 2."""


DATA_FORMATS = "CSV, GeoJSON, GeoPackage or Parquet"


def add_data_options(
    parser: argparse.ArgumentParser, *, wards: str = "--wards"
) -> None:
    """--cameras, --incidents, ward boundaries and --city-limit, for load_data.

    ``wards`` names the boundaries option (the briefing's ``--wards`` picks ward
    ids, so its file option is ``--ward-boundaries``).
    """
    parser.add_argument("--cameras", help=f"camera registry file ({DATA_FORMATS})")
    parser.add_argument("--incidents", help=f"incident file ({DATA_FORMATS})")
    parser.add_argument(
        wards,
        dest="ward_boundaries",
        metavar="FILE",
        help="ward boundaries file (GeoJSON, GeoPackage, ...)",
    )
    parser.add_argument("--city-limit", help="city-limit polygon file")


def data_paths(args: argparse.Namespace) -> dict[str, str | None]:
    """The options of :func:`add_data_options` as load_dataset keywords."""
    return {
        "cameras": args.cameras,
        "incidents": args.incidents,
        "wards": args.ward_boundaries,
        "city_limit": args.city_limit,
    }


def output_path(text: str, suffixes: tuple[str, ...], what: str) -> Path:
    """``--out`` as a Path, refused unless it ends in one of ``suffixes``.

    A briefing written to ``x.pdf`` would be HTML under a PDF name: refuse it
    before any work is done rather than write a file no viewer opens.
    """
    path = Path(text).expanduser()
    if path.suffix.lower() not in suffixes:
        raise CommandError(
            f"--out was {text!r} but this command writes {what}: expected a file "
            f"name ending in {' or '.join(suffixes)}"
        )
    return path


def load_data(city: CityConfig, **paths: Any) -> Dataset:
    """``analytics.datasets.load_dataset`` with an unusable file as a CommandError.

    ``paths`` are load_dataset's keywords (``cameras=``, ``incidents=``, ...);
    None leaves a source to the configuration or the demo.
    """
    from analytics.datasets import load_dataset
    from analytics.safe_output import set_synthetic_exports

    try:
        ds = load_dataset(city, **paths)
    except (ValueError, OSError) as exc:  # LoadError is a ValueError
        raise CommandError(str(exc)) from exc
    set_synthetic_exports(ds.synthetic)  # CSV files the command writes say so
    print_fixes(ds.load_fixes)
    return ds


def print_fixes(fixes: Iterable[str]) -> None:
    """What the loaders fixed in the files, one ``note:`` line each on stderr.

    The fixes are returned by the loaders (``LoadResult.warnings``,
    ``Dataset.load_fixes``); they are news for the user, not errors.
    """
    for fix in fixes:
        print(f"note: {fix}", file=sys.stderr)


PARSER_ATTR = "_command_parser"


class Parser(argparse.ArgumentParser):
    """ArgumentParser whose usage errors are one line, like every other error.

    argparse prints the whole usage block before the message; for a mistyped
    option the message is what matters, and ``--help`` is one command away.
    Sub-command parsers inherit this class through ``add_subparsers``.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # the innermost (sub-)command parser that ran: a stray argument is then
        # reported with that command's help, not the top level's (a
        # sub-command's defaults override its parent's in the namespace)
        self.set_defaults(**{PARSER_ATTR: self})

    def error(self, message: str) -> NoReturn:
        self.exit(
            EXIT_UNUSABLE,
            f"error: {message} (see: {self.prog} --help)\n",
        )


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="python -m analytics",
        description="Camera registry analytics: validate data, manage the registry, "
        "compute coverage, forecast the goal, canvass incidents, export briefings.",
    )
    parser.add_argument(
        "--city",
        default=None,
        help="city configuration: a name in data/cities or a TOML path "
        "(default: $CAMREG_CITY or little_rock)",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    package = importlib.import_module(__name__)
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name):
        if info.name.startswith("cmd_"):
            module = importlib.import_module(f"{__name__}.{info.name}")
            module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args, extras = parser.parse_known_args(argv)
    if extras:
        getattr(args, PARSER_ATTR, parser).error(
            f"unrecognized arguments: {' '.join(extras)}"
        )
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_UNUSABLE
    try:
        # run in a copy of the context: settings such as synthetic exports end
        # with the command (tests run many commands in one thread)
        return int(contextvars.copy_context().run(args.func, args) or 0)
    except (CommandError, ConfigError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_UNUSABLE
