"""Defaults for the command line from `provpack.yaml`, or `[tool.provpack]` in `pyproject.toml`.

Only the command line reads configuration; the library API takes every option as
an argument, so a library call never depends on the folder it runs in.
"""

from __future__ import annotations

import json
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from .arguments import path_flaw
from .errors import EMPTY_PATH, InputError

# yaml and tomllib are imported when there is a file to read: every command loads the
# settings, and most runs have none.

CONFIG_NAME = "provpack.yaml"
_TYPES: dict[str, type] = {"operator": str, "description": str, "level": int, "output_dir": str, "jobs": int,
                           "deflate": str}
_DEFLATE = ("isal", "zlib")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")   # as records' header check: C0, C1, U+2028/9


@dataclass(frozen=True, slots=True)
class Config:
    """Defaults a user set once; the command line's own flags win over them."""

    operator: str | None = None
    description: str | None = None
    level: int | None = None
    output_dir: Path | None = None
    jobs: int | None = None
    deflate: str | None = None
    source: Path | None = None


def load_config(path: Path | None = None, *, folder: Path | None = None) -> Config:
    """The config at `path`; else provpack.yaml, else pyproject's [tool.provpack] in `folder`; else none."""
    if path is not None:
        return _parse(_read(path), path)
    folder = folder or Path.cwd()
    own = folder / CONFIG_NAME
    if own.is_file():
        return _parse(_read(own), own)
    pyproject = folder / "pyproject.toml"
    if pyproject.is_file():
        tomllib = _toml()
        try:
            table = tomllib.loads(pyproject.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise InputError(pyproject, f"cannot read: {exc}", fix="fix the TOML, or use provpack.yaml") from exc
        tool = table.get("tool", {})
        if not isinstance(tool, dict):
            raise InputError(pyproject, f"'tool' must be a table ([tool.NAME] sections), not {tool!r:.80}",
                             fix="fix the TOML, or run provpack from another folder")
        section = tool.get("provpack")
        if section is not None:
            return _parse(section, pyproject)
    return Config()


def _folder_of(path: Path) -> Path:
    """The folder of the settings file at `path`, that a relative output_dir is taken from: as given, but resolved
    when it is reached through '..' (`--config ../provpack.yaml`), which would else stand in the output's path as
    though output_dir were written with it, and the folder it names never be made."""
    folder = path.parent
    return folder.resolve() if ".." in folder.parts else folder


def _toml() -> ModuleType:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    return tomllib


def _read(path: Path) -> Any:
    if path.suffix == ".toml":
        tomllib = _toml()
        try:
            document = tomllib.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise InputError.unreadable(path, exc) from exc
        except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise InputError(path, f"cannot read: {exc}", fix="fix the TOML") from exc
        return _provpack_table(document, path)
    import yaml

    from .metadata import load_unique_keys   # (which imports yaml too)

    try:   # a key given twice is refused, as in sidecars: PyYAML would keep the last, silently
        return load_unique_keys(path.read_text(encoding="utf-8"), path) or {}
    except OSError as exc:
        raise InputError.unreadable(path, exc) from exc
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = f"malformed configuration: {exc.problem or exc.context or 'not YAML'}"
        if mark is None:
            raise InputError(path, problem, fix="fix the YAML") from exc
        raise InputError(path, problem, line=mark.line + 1, column=mark.column + 1, fix="fix the YAML") from exc
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        raise InputError(path, f"malformed configuration: {exc}", fix="fix the YAML") from exc


def _provpack_table(document: dict[str, Any], path: Path) -> Any:
    """The [tool.provpack] table of a TOML file given with --config; anything outside it is a mistake.

    A pyproject.toml holds other tools' tables too: there only a missing [tool.provpack] is refused.
    """
    fix = "put provpack's settings under a [tool.provpack] table, or use a YAML file (see 'Configuration' in README)"
    tool = document.get("tool")
    if path.name != "pyproject.toml":
        stray = [f"{key!r}" for key in document if key != "tool"]
        stray += [f"'tool.{key}'" for key in (tool if isinstance(tool, dict) else {}) if key != "provpack"]
        if stray or (tool is not None and not isinstance(tool, dict)):
            what = stray[0] if stray else "'tool'"
            raise InputError(path, f"{what} is outside [tool.provpack], where provpack reads its settings", fix=fix)
    if not isinstance(tool, dict) or "provpack" not in tool:
        raise InputError(path, "no [tool.provpack] table: provpack found no settings in it", fix=fix)
    return tool["provpack"]


def spelled(value: Any, limit: int = 80) -> str:
    """`value` as a YAML or TOML file spells it: true, false, null, "text" in double quotes, [1, 2]."""
    try:
        text = value.isoformat() if hasattr(value, "isoformat") else json.dumps(value, ensure_ascii=False, default=_iso)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _iso(value: Any) -> str:
    """A date or time (YAML and TOML read them) as the file writes it."""
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    raise TypeError(type(value).__name__)


def _parse(values: Any, path: Path) -> Config:
    if not isinstance(values, dict):
        raise InputError(path, "configuration must be a mapping of keys to values")
    unknown = sorted(set(values) - set(_TYPES))
    if unknown:
        raise InputError(path, f"unknown setting {unknown[0]!r}", fix=f"use only {', '.join(sorted(_TYPES))}")
    for key, value in values.items():
        wanted = _TYPES[key]
        if not isinstance(value, wanted) or isinstance(value, bool):
            raise InputError(path, f"{key!r} must be {'a number' if wanted is int else 'text'}, not {spelled(value)}")
    for key in ("operator", "description"):   # they go into the warcinfo record's header-like lines
        if key in values and _CONTROL.search(values[key]):
            raise InputError(path, f"{key!r} must not hold line breaks or control characters: {values[key][:80]!r}")
    level = values.get("level")
    if level is not None and not 0 <= level <= 9:
        raise InputError(path, f"'level' must be 0 to 9, not {level}")
    jobs = values.get("jobs")
    if jobs is not None and jobs < 1:
        raise InputError(path, f"'jobs' must be 1 or more, not {jobs}")
    deflate = values.get("deflate")
    if deflate is not None and deflate not in _DEFLATE:
        raise InputError(path, f"'deflate' must be {' or '.join(_DEFLATE)}, not {spelled(deflate)}")
    output_dir = values.get("output_dir")
    if output_dir == "":   # (pathlib reads it as '.': the file's own folder, which an empty value does not mean)
        raise InputError(path, f"'output_dir': {EMPTY_PATH[0]}", fix="give a folder ('.' for this file's own folder), "
                                                                     "or leave the setting out")
    flaw = None if output_dir is None else path_flaw(output_dir)
    if flaw is not None:   # (else a bare ValueError where the folder is first looked at)
        raise InputError(path, f"'output_dir': {flaw}")
    if output_dir is not None and output_dir.startswith("~"):   # ~/x, ~user/x: a home folder, as a shell reads it
        if output_dir.split("/")[0] == "~" and os.environ.get("HOME") == "":   # (expanduser: '/', the root)
            raise InputError(path, f"'output_dir': cannot expand '~' in {output_dir!r}: HOME is set but empty",
                             fix="set HOME, or give the folder's full path (./~name for a folder called ~name)")
        home = os.path.expanduser(output_dir)   # (~ with HOME unset: the home the password database gives)
        if home == output_dir:
            raise InputError(path, f"'output_dir': cannot expand {output_dir.split('/')[0]!r} in {output_dir!r} "
                                   "(no such user)",
                             fix="give the folder's full path (./~name for a folder called ~name)")
        output_dir = home
    return Config(
        operator=values.get("operator"),
        description=values.get("description"),
        level=level,
        output_dir=(_folder_of(path) / output_dir) if output_dir is not None else None,   # (relative: to its folder)
        jobs=jobs,
        deflate=deflate,
        source=path,
    )
