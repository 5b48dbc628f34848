"""The `debtcore` command line: version, argument checks and help texts."""

from __future__ import annotations

import argparse
import importlib.util
import json
from pathlib import Path

import pytest

from alleviate_debtcore import AsyncDebtCore, ConfigurationError, __version__
from alleviate_debtcore.cli import build_parser, main
from alleviate_debtcore.cli._argparse_helpers import port

CREDENTIALS = {"ALLEVIATE_CLIENT_ID": "id", "ALLEVIATE_CLIENT_SECRET": "secret"}


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.strip() == f"debtcore {__version__}"


@pytest.mark.parametrize("text", ["99999", "65536", "-1", "http", ""])
def test_a_port_out_of_range_is_a_usage_error(
    text: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        build_parser().parse_args(["sandbox", "--port", text])
    assert exit_info.value.code == 2
    assert "argument --port" in capsys.readouterr().err


@pytest.mark.parametrize(("text", "value"), [("0", 0), ("1", 1), ("8765", 8765), ("65535", 65535)])
def test_ports_in_range_and_zero_for_any(text: str, value: int) -> None:
    assert port(text) == value
    assert build_parser().parse_args(["sandbox", "--port", text]).port == value


def test_port_type_explains_the_range() -> None:
    with pytest.raises(argparse.ArgumentTypeError, match="use 1-65535, or 0 for any"):
        port("70000")


def _help(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    with pytest.raises(SystemExit):
        main([*argv, "--help"])
    return capsys.readouterr().out


@pytest.mark.parametrize(
    "argv",
    [(), ("demo",), ("sandbox",), ("schema",), ("schema", "diff"), ("schema", "pull")],
    ids=lambda argv: " ".join(argv) or "debtcore",
)
def test_help_texts_are_clean(argv: tuple[str, ...], capsys: pytest.CaptureFixture[str]) -> None:
    text = _help(capsys, *argv)
    assert "``" not in text and ":func:" not in text  # no raw reStructuredText
    assert "(default: None)" not in text and "(default: False)" not in text
    for line in text.splitlines():
        assert line.count("default") <= 1, line


def test_demo_help_states_its_default_once(capsys: pytest.CaptureFixture[str]) -> None:
    text = _help(capsys, "demo")
    assert " ".join(text.split()).count("default: $ALLEVIATE_ENVIRONMENT, else sandbox") == 1


def test_schema_diff_help_lists_the_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    text = " ".join(_help(capsys, "schema", "diff").split())
    assert "1 breaks our operations" in text and "3 usage or input error" in text
    assert "default: the operations this package was generated from" in text


def test_an_unknown_environment_names_the_variable() -> None:
    with pytest.raises(ConfigurationError) as caught:
        AsyncDebtCore.from_env(environ={**CREDENTIALS, "ALLEVIATE_ENVIRONMENT": "staging"})
    message = str(caught.value)
    assert message.startswith("ALLEVIATE_ENVIRONMENT: unknown environment 'staging'")
    assert "secret" not in message


def test_cli_reports_the_environment_variable(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    for name, value in {**CREDENTIALS, "ALLEVIATE_ENVIRONMENT": "staging"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("ALLEVIATE_BASE_URL", raising=False)
    assert main(["schema", "pull", "--service", "credit", "--out", str(tmp_path / "out")]) == 3
    assert "ALLEVIATE_ENVIRONMENT: unknown environment 'staging'" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


ROOT = Path(__file__).resolve().parent.parent


def test_schema_diff_without_old_compares_with_the_packages_sdl(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # An application folder: no schemas/, no queries/; NEW holds one service.
    monkeypatch.chdir(tmp_path)
    sdl = (ROOT / "schemas" / "offers.graphql").read_text(encoding="utf-8")
    (tmp_path / "new").mkdir()
    (tmp_path / "new" / "offers.graphql").write_text(sdl + "\ntype AddedLater { id: ID }\n")
    assert main(["schema", "diff", "new", "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert [s["service"] for s in report["services"]] == ["offers"]
    assert report["operations"] == "the operations alleviate_debtcore was generated from"


def test_schema_diff_names_a_missing_old_folder_and_the_way_out(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "new").mkdir()
    (tmp_path / "new" / "credit.graphql").write_text("type Query { a: Int }")
    assert main(["schema", "diff", "schemas", "new"]) == 3
    err = capsys.readouterr().err
    assert f"OLD schemas does not exist (looked in {tmp_path})" in err
    assert "leave OLD out to compare with the SDL alleviate_debtcore was generated from" in err
    assert main(["schema", "diff", "new", "elsewhere"]) == 3
    err = capsys.readouterr().err
    assert "NEW elsewhere does not exist" in err and "leave OLD out" not in err


def test_schema_check_without_ariadne_codegen_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    real_find_spec = importlib.util.find_spec

    def find_spec(name: str, package: str | None = None) -> object:
        return None if name == "ariadne_codegen" else real_find_spec(name, package)

    monkeypatch.setattr(importlib.util, "find_spec", find_spec)
    monkeypatch.chdir(ROOT)
    assert main(["schema", "check"]) == 3
    err = capsys.readouterr().err
    assert "ariadne-codegen, which is not installed" in err
    assert "pip install 'alleviate-debtcore[codegen]'" in err
