"""The package as a user gets it: a wheel built from the checkout, installed into a fresh virtual
environment outside the checkout. Built and installed once per test session."""

from __future__ import annotations

import dataclasses
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


GUIDE = ROOT / "docs" / "deployment.md"
SKIPPED = re.compile(r"^\s*(useradd|chown|systemctl)\b")


def guide_blocks() -> dict[str, str]:
    """The fenced blocks of docs/deployment.md that follow a `<!-- test: NAME -->` marker, by name."""
    found = re.findall(r"<!-- test: (\w+) -->\n```\w*\n(.*?)```", GUIDE.read_text(encoding="utf-8"), re.DOTALL)
    return dict(found)


class Machine:
    """A fresh machine's folders under `root`, and the guide's commands rewritten to use them."""

    def __init__(self, root: pathlib.Path) -> None:
        self.root = root
        for folder in ("/etc/systemd/system", "/etc/logrotate.d"):  # there on any systemd machine
            pathlib.Path(self.path(folder)).mkdir(parents=True)

    def path(self, absolute: str) -> str:
        return str(self.root) + absolute

    def rewrite(self, text: str) -> str:
        for folder in ("/opt/settlecal", "/etc/settlecal", "/var/lib/settlecal", "/var/log/settlecal",
                       "/etc/systemd/system", "/etc/logrotate.d"):
            text = re.sub(rf"(?<![\w.]){re.escape(folder)}", self.path(folder), text)
        lines = [line for line in text.splitlines() if not SKIPPED.match(line)]
        return "\n".join(re.sub(r" -o \S+ -g \S+", "", line) for line in lines) + "\n"


@dataclasses.dataclass(frozen=True)
class Installed:
    """A machine after the guide's install block: the clone it was run in, and the environment."""

    machine: Machine
    clone: pathlib.Path
    env: dict[str, str]

    @property
    def bin(self) -> pathlib.Path:
        return pathlib.Path(self.machine.path("/opt/settlecal/venv/bin"))

    @property
    def wheel(self) -> pathlib.Path:
        (built,) = (self.clone / "dist").glob("settlecal-*.whl")
        return built

    def run(self, script: str) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=self.clone, env=self.env, text=True,
                              capture_output=True, timeout=PIP_TIMEOUT)
        assert done.returncode == 0, f"{script}\n{done.stdout}\n{done.stderr}"
        return done


@pytest.fixture(scope="session")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    """docs/deployment.md's install block, run once per session in a fresh clone: the wheel is built
    from the clone and installed with its production extra into a fresh virtual environment."""
    top = tmp_path_factory.mktemp("deployment")
    clone, tools = top / "clone", top / "tools"
    for name in checkout_files():
        (clone / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, clone / name, follow_symlinks=False)
    tools.mkdir()
    (tools / "python3").symlink_to(sys.executable)  # the guide's python3: the one running the tests
    machine = Machine(top / "machine")
    env = user_env(top, {"PATH": f"{tools}:{os.environ['PATH']}",
                         "SETTLECAL_CONFIG": machine.path("/etc/settlecal/settlecal.conf")})
    done = Installed(machine, clone, env)
    done.run(machine.rewrite(guide_blocks()["install"]))
    return done


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
