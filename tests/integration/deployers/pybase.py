"""Build the Debian-based Python base image for the Docker tests without any registry (debootstrap + import).

Run it directly (`python tests/integration/deployers/pybase.py`) to build the image ahead of a test run;
the session fixture calls `ensure_pybase` and reuses the image by tag when it exists.
"""

from __future__ import annotations

import glob
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PYBASE_TAG = "vitesse/pybase:bookworm"
FALLBACK_MIRROR = "http://deb.debian.org/debian"
PACKAGES = ["python3", "python3-venv", "python3-pip", "ca-certificates"]


def apt_mirror() -> str:
    """Return the machine's Debian mirror (the first non-security URI in its apt sources)."""
    files = sorted(glob.glob("/etc/apt/sources.list") + glob.glob("/etc/apt/sources.list.d/*"))
    for name in files:
        if name.endswith((".disabled", "-by-farm")):
            continue
        text = Path(name).read_text(errors="replace")
        uris = re.findall(r"^URIs:\s*(\S+)", text, re.M) + re.findall(r"^deb\s+(?:\[[^]]*\]\s+)?(\S+)", text, re.M)
        for uri in uris:
            if "debian" in uri and "security" not in uri:
                return uri
    return FALLBACK_MIRROR


def _run(cmd: list[str], log: Path) -> None:
    with log.open("a") as out:
        out.write(f"$ {' '.join(cmd)}\n")
        out.flush()
        subprocess.run(cmd, check=True, stdout=out, stderr=subprocess.STDOUT, timeout=900)


def image_exists(tag: str = PYBASE_TAG) -> bool:
    return subprocess.run(["docker", "image", "inspect", tag], capture_output=True).returncode == 0


def build_pybase(tag: str = PYBASE_TAG, log: Path = Path("/tmp/vitesse-pybase.log")) -> float:
    """Build the base image and return the seconds it took."""
    if shutil.which("debootstrap") is None:
        raise RuntimeError("debootstrap is missing: run .ci/services/docker.sh first")
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="vitesse-rootfs-") as tmp:
        rootfs = Path(tmp) / "rootfs"
        _run(["debootstrap", "--variant=minbase", "bookworm", str(rootfs), apt_mirror()], log)
        env_apt = ["env", "DEBIAN_FRONTEND=noninteractive"]
        _run(["chroot", str(rootfs), *env_apt, "apt-get", "update", "-qq"], log)
        _run(
            ["chroot", str(rootfs), *env_apt, "apt-get", "install", "-y", "-qq", "--no-install-recommends", *PACKAGES],
            log,
        )
        _run(["chroot", str(rootfs), "apt-get", "clean"], log)
        for junk in ("var/lib/apt/lists", "usr/share/doc", "usr/share/man", "usr/share/locale"):
            shutil.rmtree(rootfs / junk, ignore_errors=True)
        # Leaving the `with` closes our end of tar's pipe and reaps tar (whose output docker import read).
        with subprocess.Popen(["tar", "-C", str(rootfs), "-c", "."], stdout=subprocess.PIPE) as tar:
            with log.open("a") as out:
                subprocess.run(
                    ["docker", "import", "-c", 'CMD ["python3"]', "-", tag],
                    stdin=tar.stdout,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    check=True,
                    timeout=600,
                )
    return time.monotonic() - started


def ensure_pybase(tag: str = PYBASE_TAG) -> str:
    """Return the tag of the base image, building it once when the engine does not have it."""
    if not image_exists(tag):
        build_pybase(tag)
    return tag


if __name__ == "__main__":
    if image_exists() and "--force" not in sys.argv:
        print(f"{PYBASE_TAG} exists")
    else:
        print(f"built {PYBASE_TAG} in {build_pybase():.1f}s")
