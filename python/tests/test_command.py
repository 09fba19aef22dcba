"""The wheel installs the `blindmatch` command: the Rust binary, no Rust toolchain needed."""

import subprocess
import sys

import blindmatch
from conftest import command, no_cargo_on_path, run


def test_installed_without_rust():
    assert no_cargo_on_path(), "these tests must run from a PATH without cargo"


def test_the_command_runs_the_demo(tmp_path):
    out = run("demo", "--members", "2000", "--voters", "6000", "-q", cwd=tmp_path)
    assert (tmp_path / "blindmatch-demo").is_dir(), out.stdout
    summaries = list((tmp_path / "blindmatch-demo").rglob("summary.json"))
    assert summaries, "the demo's merge wrote a summary"
    summary = blindmatch.read_summary(summaries[0].parent)
    assert summary["people"] > 0


def test_the_command_is_the_same_version_as_the_module():
    out = run("--version")
    assert blindmatch.__version__ in out.stdout


def test_python_dash_m_runs_the_command():
    out = subprocess.run([sys.executable, "-m", "blindmatch", "--version"],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert blindmatch.__version__ in out.stdout
    assert command()
