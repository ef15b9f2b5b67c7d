"""Tests for provpack.config: provpack.yaml and [tool.provpack] defaults."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from provpack.config import Config, load_config
from provpack.errors import InputError


def test_no_config_is_empty(tmp_path: Path) -> None:
    """Without a settings file every default is unset."""
    assert load_config(folder=tmp_path) == Config()


def test_yaml_config(tmp_path: Path) -> None:
    """provpack.yaml sets operator, description, level, output folder and jobs."""
    (tmp_path / "provpack.yaml").write_text(
        "operator: Jane Archivist\ndescription: Reposts\nlevel: 9\noutput_dir: out\njobs: 2\n")
    config = load_config(folder=tmp_path)
    assert (config.operator, config.description, config.level, config.jobs) == ("Jane Archivist", "Reposts", 9, 2)
    assert config.output_dir == tmp_path / "out"


def test_output_dir_expands_a_home_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """output_dir: ~/x is x in the home folder, as a shell reads it, not a folder called ~ beside the settings;
    a relative one is resolved against the settings file's folder; a ~name that names no user is refused."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    settings = tmp_path / "conf" / "provpack.yaml"
    settings.parent.mkdir()
    settings.write_text("output_dir: ~/x\n")
    assert load_config(settings).output_dir == tmp_path / "home" / "x"
    settings.write_text("output_dir: ./~/x\n")
    assert load_config(settings).output_dir == tmp_path / "conf" / "~" / "x"
    settings.write_text("output_dir: built\n")
    assert load_config(settings).output_dir == tmp_path / "conf" / "built"
    settings.write_text("output_dir: ~no-such-user-here/x\n")
    with pytest.raises(InputError) as caught:
        load_config(settings)
    assert str(caught.value) == (f"{settings}: 'output_dir': cannot expand '~no-such-user-here' in "
                                 "'~no-such-user-here/x' (no such user); give the folder's "
                                 "full path (./~name for a folder called ~name)")


def test_a_tilde_with_home_empty_is_refused_and_with_home_unset_is_the_password_databases(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """HOME='' would make `~/warcs` the root's `/warcs` (os.path.expanduser): refused. With HOME unset, `~` is the
    home the password database gives, as a shell reads it."""
    settings = tmp_path / "provpack.yaml"
    settings.write_text("output_dir: ~/warcs\n")
    monkeypatch.setenv("HOME", "")
    with pytest.raises(InputError) as caught:
        load_config(settings)
    assert str(caught.value) == (f"{settings}: 'output_dir': cannot expand '~' in '~/warcs': HOME is set but empty; "
                                 "set HOME, or give the folder's full path (./~name for a folder called ~name)")
    monkeypatch.delenv("HOME")
    import pwd
    assert load_config(settings).output_dir == Path(pwd.getpwuid(os.getuid()).pw_dir) / "warcs"


def test_pyproject_table(tmp_path: Path) -> None:
    """[tool.provpack] in pyproject.toml is read when there is no provpack.yaml."""
    (tmp_path / "pyproject.toml").write_text('[tool.provpack]\noperator = "Lab"\nlevel = 1\n')
    assert load_config(folder=tmp_path).operator == "Lab"
    assert load_config(tmp_path / "pyproject.toml").level == 1


@pytest.mark.parametrize("text, words", [
    ("operater: typo\n", "unknown setting 'operater'"),
    ("level: high\n", "'level' must be a number"),
    ("level: 12\n", "0 to 9"),
    ("jobs: 0\n", "1 or more"),
    ("deflate: brotli\n", "'deflate' must be isal or zlib"),
    ("- a list\n", "must be a mapping"),
    ("a: [unclosed\n", "malformed configuration"),
])
def test_bad_config_is_refused(tmp_path: Path, text: str, words: str) -> None:
    """Typos and wrong types name the file and the setting."""
    (tmp_path / "provpack.yaml").write_text(text)
    with pytest.raises(InputError, match=words):
        load_config(folder=tmp_path)


def test_cli_uses_config(tmp_path: Path, seed_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The command line takes operator and output folder from the settings file."""
    from provpack.cli import main
    from provpack.reader import read_archive  # noqa: F401

    (tmp_path / "provpack.yaml").write_text("operator: Jane Archivist\noutput_dir: built\n")
    monkeypatch.chdir(tmp_path)
    assert main(["-q", "package", str(seed_dir)]) == 0
    archive = tmp_path / "built" / "seeds.warc.gz"
    import gzip
    assert b"operator: Jane Archivist\r\n" in gzip.decompress(archive.read_bytes())


def test_deflate_setting(tmp_path: Path) -> None:
    """`deflate: zlib` pins the portable backend for every run in the folder."""
    (tmp_path / "provpack.yaml").write_text("deflate: zlib\nlevel: 6\n")
    config = load_config(folder=tmp_path)
    assert (config.deflate, config.level) == ("zlib", 6)


def test_malformed_yaml_names_line_and_column(tmp_path: Path) -> None:
    """A YAML syntax error names the file, line and column, on one line."""
    path = tmp_path / "provpack.yaml"
    path.write_text("operator: Lab\nlevel: [1\n")
    with pytest.raises(InputError) as caught:
        load_config(folder=tmp_path)
    assert str(caught.value).startswith(f"{path}: line 3, column 1: malformed configuration")
    assert "\n" not in str(caught.value) and "<unicode string>" not in str(caught.value)


@pytest.mark.parametrize("key", ["operator", "description"])
@pytest.mark.parametrize("bad", ["\\r\\nWARC-Type: response", "\\u0085X", "\\u2028X", "\\x9b2J"])
def test_control_characters_name_the_config_file(tmp_path: Path, key: str, bad: str) -> None:
    """A line break or control character (C0, C1, U+2028/9: what WARC headers refuse) in a setting that goes
    into a WARC header is refused naming the file and the setting."""
    path = tmp_path / "provpack.yaml"
    path.write_text(f'{key}: "Lab{bad}"\n')
    with pytest.raises(InputError, match=rf"^{path}: '{key}' must not hold line breaks or control characters"):
        load_config(folder=tmp_path)


def test_a_level_set_for_the_settings_backend_is_left_with_it(tmp_path: Path, seed_dir: Path,
                                                               monkeypatch: pytest.MonkeyPatch,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    """`deflate: zlib` and `level: 9` in the settings with --deflate isal: the level is zlib's, and was blamed on
    the file ("isal levels are 0 to 3, not 9"), though the command line's flag overrides the file. isal's default
    level is taken, as with no settings; a --level given is taken; a level set with no deflate in the file is the
    file's for any backend, and blamed there when it does not fit."""
    from provpack.cli import main

    pytest.importorskip("isal")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1510444800")
    (tmp_path / "plain").mkdir()
    monkeypatch.chdir(tmp_path / "plain")
    assert main(["-q", "package", str(seed_dir), "-o", "a.warc.gz", "--deflate", "isal"]) == 0
    assert main(["-q", "package", str(seed_dir), "-o", "b.warc.gz", "--deflate", "isal", "--level", "3"]) == 0
    assert main(["-q", "package", str(seed_dir), "-o", "z.warc.gz", "--deflate", "zlib", "--level", "9"]) == 0
    (tmp_path / "set").mkdir()
    (tmp_path / "set" / "provpack.yaml").write_text("deflate: zlib\nlevel: 9\n")
    monkeypatch.chdir(tmp_path / "set")
    assert main(["-q", "package", str(seed_dir), "-o", "a.warc.gz", "--deflate", "isal"]) == 0
    assert main(["-q", "package", str(seed_dir), "-o", "b.warc.gz", "--deflate", "isal", "--level", "3"]) == 0
    assert main(["-q", "package", str(seed_dir), "-o", "z.warc.gz"]) == 0   # (the file's zlib at 9)
    for name in ("a.warc.gz", "b.warc.gz", "z.warc.gz"):
        assert (tmp_path / "set" / name).read_bytes() == (tmp_path / "plain" / name).read_bytes()
    assert (tmp_path / "set" / "a.warc.gz").read_bytes() != (tmp_path / "set" / "b.warc.gz").read_bytes()
    (tmp_path / "set" / "provpack.yaml").write_text("level: 9\n")
    capsys.readouterr()
    assert main(["-q", "package", str(seed_dir), "-o", "c.warc.gz", "--deflate", "isal"]) == 2
    assert capsys.readouterr().err == (f"provpack: error: {tmp_path / 'set' / 'provpack.yaml'}: 'level': isal levels "
                                       "are 0 to 3, not 9; change it there, or give --level on the command line\n")


ARCHIVE = Path(__file__).resolve().parents[1] / "archive" / "seeds.warc.gz"
COMMANDS = [
    ["verify", str(ARCHIVE)],
    ["show", str(ARCHIVE)],
    ["extract", str(ARCHIVE), "000_8dbb4f68ea601904", "-o", "back.txt"],
    ["index", str(ARCHIVE), "-o", "out.cdxj"],
    ["wacz", str(ARCHIVE), "-o", "out.wacz"],
    ["bag", str(ARCHIVE), "-o", "bag"],
    ["keygen", "-o", "key"],
    ["sign", str(ARCHIVE), "--key", "key", "-o", "a.sig"],
    ["package", "nowhere"],
]


@pytest.mark.parametrize("argv", COMMANDS, ids=lambda argv: argv[0])
@pytest.mark.parametrize("where", ["before", "after"])
def test_every_command_refuses_a_missing_config(argv: list[str], where: str, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    """--config FILE that is not there is an error (exit 2) for every command, before it writes anything."""
    from provpack.cli import main

    monkeypatch.chdir(tmp_path)
    option = ["--config", "nothere.yaml"]
    assert main([*option, *argv] if where == "before" else [*argv, *option]) == 2
    assert "nothere.yaml: no such file; check the path\n" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("argv", COMMANDS, ids=lambda argv: argv[0])
def test_every_command_refuses_a_typo_in_the_settings(argv: list[str], tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    """./provpack.yaml with an unknown key is refused by every command, as by package: a typo is never ignored."""
    from provpack.cli import main

    monkeypatch.chdir(tmp_path)
    (tmp_path / "provpack.yaml").write_text("operater: Jane\n")
    assert main(argv) == 2
    assert "provpack.yaml: unknown setting 'operater'" in capsys.readouterr().err
    assert [p.name for p in tmp_path.iterdir()] == ["provpack.yaml"]


def test_commands_without_settings_import_no_parser(tmp_path: Path) -> None:
    """With no settings file, verify imports neither yaml nor tomllib for them, and --version loads no settings."""
    import subprocess
    import sys

    code = ("import sys; from provpack import cli; code = cli.main(sys.argv[1:]); "
            "print(code, 'yaml' in sys.modules, 'tomllib' in sys.modules, 'provpack.config' in sys.modules)")
    verifying = subprocess.run([sys.executable, "-c", code, "-q", "verify", str(ARCHIVE)], capture_output=True,
                               text=True, check=True, cwd=tmp_path)
    assert verifying.stdout.split() == ["0", "False", "False", "True"]
    version = subprocess.run([sys.executable, "-c", code, "--version"], capture_output=True, text=True,
                             check=True, cwd=tmp_path)
    assert version.stdout.split()[-4:] == ["0", "False", "False", "False"]


@pytest.mark.parametrize("name, text, words", [
    ("y.toml", "levl = 2\n", "'levl' is outside [tool.provpack]"),
    ("l.toml", "level = 2\n", "'level' is outside [tool.provpack]"),
    ("o.toml", "[tool.provpack]\nlevel = 2\n[tool.other]\nx = 1\n", "'tool.other' is outside [tool.provpack]"),
    ("t.toml", 'tool = "provpack"\n', "'tool' is outside [tool.provpack]"),
    ("e.toml", "", "no [tool.provpack] table"),
    ("z.toml", "[tool.other]\nx = 1\n", "'tool.other' is outside"),
    ("pyproject.toml", "[project]\nname = 'x'\n[tool.black]\nx = 1\n", "no [tool.provpack] table"),
])
def test_a_toml_config_file_with_settings_outside_tool_provpack_is_refused(
    tmp_path: Path, name: str, text: str, words: str
) -> None:
    """--config FILE.toml: a key outside [tool.provpack], or no such table, is refused, never ignored."""
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(InputError) as caught:
        load_config(path)
    assert words in str(caught.value) and str(path) in str(caught.value)
    assert "put provpack's settings under a [tool.provpack] table" in str(caught.value)


def test_other_tools_tables_in_pyproject_are_fine(tmp_path: Path) -> None:
    """pyproject.toml, found or given, holds other tools' tables beside [tool.provpack]; without the table, found
    in the folder, it sets nothing."""
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n[tool.black]\nx = 1\n")
    assert load_config(folder=tmp_path) == Config()
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n[tool.black]\nx = 1\n[tool.provpack]\nlevel = 3\n")
    assert load_config(folder=tmp_path).level == 3 and load_config(tmp_path / "pyproject.toml").level == 3


@pytest.mark.parametrize("text, words", [
    ("tool = 1\n", "'tool' must be a table ([tool.NAME] sections), not 1"),
    ("tool = [1, 2]\n", "'tool' must be a table"),
    ('tool = "provpack"\n', "'tool' must be a table"),
    ("[tool]\nprovpack = 1\n", "configuration must be a mapping"),
    ("[tool]\nprovpack = [1]\n", "configuration must be a mapping"),
    ("[tool]\nprovpack = 'x'\n", "configuration must be a mapping"),
])
def test_a_found_pyproject_of_the_wrong_shape_is_exit_2_naming_it(text: str, words: str, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    """A pyproject.toml in the working folder whose 'tool' or 'tool.provpack' is not a table: exit 2 naming it."""
    from provpack.cli import main

    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_text(text)
    with pytest.raises(InputError, match=r"pyproject\.toml: .*" + re.escape(words)):
        load_config(folder=tmp_path)
    assert main(["-q", "verify", str(ARCHIVE)]) == 2
    err = capsys.readouterr().err
    assert str(tmp_path / "pyproject.toml") in err and words in err and "Traceback" not in err


@pytest.mark.parametrize("text, shown", [
    ("jobs: true\n", "'jobs' must be a number, not true"),
    ("jobs: null\n", "'jobs' must be a number, not null"),
    ("jobs: '4'\n", "'jobs' must be a number, not \"4\""),
    ("operator: [a, 1]\n", "'operator' must be text, not [\"a\", 1]"),
    ("operator: 2020-01-02\n", "'operator' must be text, not 2020-01-02"),
    ("deflate: brotli\n", "'deflate' must be isal or zlib, not \"brotli\""),
])
def test_wrong_values_are_shown_as_the_file_spells_them(text: str, shown: str, tmp_path: Path) -> None:
    """A value in the wrong type is quoted in YAML's spelling (true, null, "text"), not Python's (True, None, 'text')."""
    path = tmp_path / "provpack.yaml"
    path.write_text(text)
    with pytest.raises(InputError) as caught:
        load_config(path)
    assert str(caught.value) == f"{path}: {shown}"


def test_toml_values_are_shown_as_toml_spells_them(tmp_path: Path) -> None:
    """TOML's booleans are lower case too."""
    path = tmp_path / "p.toml"
    path.write_text("[tool.provpack]\njobs = false\n")
    with pytest.raises(InputError, match="'jobs' must be a number, not false$"):
        load_config(path)


@pytest.mark.parametrize("text", ["level: 0\n", "level: 9\n", "jobs: 1\n"])
def test_the_ends_of_each_range_are_accepted(tmp_path: Path, text: str) -> None:
    """level 0 and 9 and jobs 1 are settings, not errors."""
    (tmp_path / "provpack.yaml").write_text(text)
    key, value = text.rstrip().split(": ")
    assert getattr(load_config(folder=tmp_path), key) == int(value)


@pytest.mark.parametrize("text, shown", [
    ("level: -1\n", "'level' must be 0 to 9, not -1"),
    ("level: 10\n", "'level' must be 0 to 9, not 10"),
    ("jobs: 0\n", "'jobs' must be 1 or more, not 0"),
    ("operator: [2020-01-02]\n", "'operator' must be text, not [\"2020-01-02\"]"),
    (f"operator: [{'a' * 76}]\n", f"'operator' must be text, not [\"{'a' * 76}\"]"),
    (f"operator: [{'a' * 77}]\n", f"'operator' must be text, not [\"{'a' * 75}..."),
    (f'operator: "\\e{"a" * 100}"\n', f"'operator' must not hold line breaks or control characters: "
                                      f"{chr(27) + 'a' * 79!r}"),
])
def test_refusals_are_worded_whole(tmp_path: Path, text: str, shown: str) -> None:
    """Each refusal is the file, then the setting, what it must be and the value as the file spells it
    (a date in a list too), cut to 80 characters."""
    path = tmp_path / "provpack.yaml"
    path.write_text(text)
    with pytest.raises(InputError) as caught:
        load_config(folder=tmp_path)
    assert str(caught.value) == f"{path}: {shown}"


def test_an_output_dir_no_file_name_can_hold_names_the_file(tmp_path: Path) -> None:
    """output_dir with a NUL (YAML spells it "\\0") is refused naming the settings file, as other settings are (was
    a traceback of the os's ValueError, and exit 1, where package first looked at the folder)."""
    path = tmp_path / "provpack.yaml"
    path.write_text('output_dir: "out\\0put"\n')
    with pytest.raises(InputError) as caught:
        load_config(folder=tmp_path)
    assert str(caught.value) == (f"{path}: 'output_dir': 'out\\x00put' holds a NUL character, which no file name can "
                                 "hold; check the path")


def test_a_settings_file_that_is_not_utf8_names_the_file(tmp_path: Path) -> None:
    """Bytes that are not UTF-8 are a malformed configuration of that file, with what to do."""
    path = tmp_path / "provpack.yaml"
    path.write_bytes(b"operator: \xff\n")
    with pytest.raises(InputError) as caught:
        load_config(folder=tmp_path)
    assert str(caught.value).startswith(f"{path}: malformed configuration: ")
    assert str(caught.value).endswith("; fix the YAML")


def test_a_yaml_error_without_a_position_names_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A YAML error that carries no line (no mark) still names the file, with no line number."""
    import yaml

    def unplaced(text: str, Loader: object) -> None:  # noqa: N803 - yaml.load's own name
        raise yaml.MarkedYAMLError(problem="found something odd")

    monkeypatch.setattr(yaml, "load", unplaced)
    path = tmp_path / "provpack.yaml"
    path.write_text("operator: Lab\n")
    with pytest.raises(InputError) as caught:
        load_config(folder=tmp_path)
    assert str(caught.value) == f"{path}: malformed configuration: found something odd; fix the YAML"


@pytest.mark.parametrize("text, what", [
    ("a = 1\nb = 2\n", "'a'"),
    ('tool = "provpack"\n', "'tool'"),
])
def test_a_toml_config_file_names_the_first_key_outside_the_table(tmp_path: Path, text: str, what: str) -> None:
    """The first key outside [tool.provpack], or 'tool' itself when it is not a table, is the one named."""
    path = tmp_path / "c.toml"
    path.write_text(text)
    with pytest.raises(InputError) as caught:
        load_config(path)
    assert str(caught.value).startswith(f"{path}: {what} is outside [tool.provpack], where provpack reads")


@pytest.mark.parametrize("name", ["provpack.yaml", "settings.yml"])
def test_a_key_given_twice_is_refused_naming_the_line(tmp_path: Path, name: str) -> None:
    """`level: 1` then `level: 2` is refused, as in sidecars, naming the file, the line and the key; PyYAML
    alone keeps the last, so one of the two was silently ignored."""
    path = tmp_path / name
    path.write_text("operator: Lab\nlevel: 1\njobs: 2\nlevel: 2\n")
    with pytest.raises(InputError) as caught:
        load_config(path) if name != "provpack.yaml" else load_config(folder=tmp_path)
    assert str(caught.value) == (f"{path}: line 4, column 1: duplicate key 'level' (first given on line 2): "
                                 "YAML keys must be unique; keep one of them")


@pytest.mark.parametrize("name", ["settings.toml", "pyproject.toml"])
def test_a_toml_key_given_twice_is_refused(tmp_path: Path, name: str) -> None:
    """TOML refuses a key given twice itself (tomllib): the error names the file and the line."""
    path = tmp_path / name
    path.write_text("[tool.provpack]\nlevel = 1\nlevel = 2\n")
    with pytest.raises(InputError) as caught:
        load_config(path) if name != "pyproject.toml" else load_config(folder=tmp_path)
    fix = "fix the TOML" if name != "pyproject.toml" else "fix the TOML, or use provpack.yaml"
    assert str(caught.value) == f"{path}: cannot read: Cannot overwrite a value (at line 3, column 10); {fix}"


def test_a_duplicate_setting_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """On the command line: exit 2 and the one-line message, before any work."""
    from provpack.cli import main

    path = tmp_path / "s.yaml"
    path.write_text("jobs: 1\njobs: 4\n")
    assert main(["--config", str(path), "package", str(tmp_path / "nothing"), "-o", str(tmp_path / "o.warc.gz")]) == 2
    assert capsys.readouterr().err == (f"provpack: error: {path}: line 2, column 1: duplicate key 'jobs' (first "
                                       "given on line 1): YAML keys must be unique; keep one of them\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.yaml"]


def test_an_empty_output_dir_is_refused(tmp_path: Path) -> None:
    """output_dir: "" is not the settings file's own folder, as pathlib would read it."""
    settings = tmp_path / "provpack.yaml"
    settings.write_text('output_dir: ""\n')
    with pytest.raises(InputError) as caught:
        load_config(settings)
    assert str(caught.value) == (f"{settings}: 'output_dir': empty path; give a folder ('.' for this file's own "
                                 "folder), or leave the setting out")


def test_an_output_dir_of_a_settings_file_named_through_dotdot_is_made(tmp_path: Path, seed_dir: Path,
                                                                        monkeypatch: pytest.MonkeyPatch,
                                                                        capsys: pytest.CaptureFixture[str]) -> None:
    """`--config ../provpack.yaml` with `output_dir: archive` stopped with "the folder ../archive does not exist;
    create it first, or set output_dir to a path without '..'": the '..' of the settings file's own path was taken
    as written in output_dir, and the rule that no folder is made behind a '..' refused it. The folder is made as it
    is run from the settings file's own folder; a '..' written in output_dir itself is still refused so."""
    from provpack.cli import main

    project = tmp_path / "p"
    (project / "sub").mkdir(parents=True)
    (project / "provpack.yaml").write_text("output_dir: archive\n")
    monkeypatch.chdir(project / "sub")
    assert main(["-q", "--config", "../provpack.yaml", "package", str(seed_dir)]) == 0
    assert sorted(path.name for path in (project / "archive").iterdir()) == [f"{seed_dir.name}.warc.gz",
                                                                              f"{seed_dir.name}.warc.gz.sha256"]
    assert sorted(path.name for path in project.iterdir()) == ["archive", "provpack.yaml", "sub"]
    capsys.readouterr()
    (project / "provpack.yaml").write_text("output_dir: ../ghost\n")
    (project / "sub" / "provpack.yaml").write_text("output_dir: ../ghost\n")
    for config in ("../provpack.yaml", "provpack.yaml"):
        assert main(["--config", config, "package", str(seed_dir)]) == 2
        ghost = (project / ".." / "ghost") if config.startswith("..") else Path("../ghost")
        assert capsys.readouterr().err == (f"provpack: error: {config}: 'output_dir': the folder {ghost} does not "
                                           "exist; create it first, or set output_dir to a path without '..', or "
                                           "give -o\n")
    assert not (project / "ghost").exists() and not (tmp_path / "ghost").exists()
