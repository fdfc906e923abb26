"""The package as a user gets it: a wheel built from the checkout, installed into a fresh virtual
environment outside the checkout. Built and installed once per test session."""

from __future__ import annotations

import os
import pathlib
import re
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator, Mapping

import pytest

from tests.conftest import ROOT

PIP_TIMEOUT = 900


def checkout_files() -> list[str]:
    """The files of the checkout, tracked or new, without what git ignores."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                            check=True, capture_output=True).stdout.decode()
    return [name for name in listed.split("\0") if name and os.path.lexists(ROOT / name)]


@pytest.fixture(scope="session")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    """settlecal's wheel, built from a copy of the checkout (a build in place would leave build/ behind)."""
    source = tmp_path_factory.mktemp("source")
    for name in checkout_files():
        target = source / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target, follow_symlinks=False)
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(out), str(source)],
                   check=True, timeout=PIP_TIMEOUT)
    (built,) = out.glob("settlecal-*.whl")
    return built


@pytest.fixture(scope="session")
def venv(wheel: pathlib.Path, tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    """A fresh virtual environment with the wheel and its production extra installed; its bin/."""
    home = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", str(home)], check=True, timeout=120)
    subprocess.run([str(home / "bin" / "pip"), "install", "--quiet", f"{wheel}[production]"], check=True,
                   timeout=PIP_TIMEOUT)
    return home / "bin"


def user_env(home: pathlib.Path, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """An environment like a new user's: their own home, nothing of the checkout on the path."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("SETTLECAL_", "RADICALE_", "PYTHON", "XDG_", "VIRTUAL_ENV"))}
    env.update(HOME=str(home), **(extra or {}))
    return env


class Process:
    """A server process started from the installed package, with its stderr kept."""

    def __init__(self, command: list[str], cwd: pathlib.Path, env: dict[str, str], pattern: str) -> None:
        self.process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.PIPE, text=True)
        self.lines: list[str] = []
        self.url = ""
        found = threading.Event()

        def read() -> None:
            assert self.process.stderr is not None
            for line in self.process.stderr:
                self.lines.append(line)
                match = re.search(pattern, line)
                if match and not found.is_set():
                    self.url = match.group(1)
                    found.set()
            found.set()

        self._reader = threading.Thread(target=read, daemon=True)
        self._reader.start()
        found.wait(120)

    @property
    def log(self) -> str:
        return "".join(self.lines)

    def stop(self, sig: int = signal.SIGTERM) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            code = self.process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            self.process.kill()
            code = self.process.wait()
        self._reader.join(timeout=5)
        return code


@pytest.fixture
def started() -> Iterator[list[Process]]:
    """Processes a test starts, stopped after it whatever happens."""
    processes: list[Process] = []
    yield processes
    for process in processes:
        process.stop()
