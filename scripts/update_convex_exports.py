"""Rebuild auditor/engine/data/convex_exports.json from the published ``convex`` packages.

Usage: ``python scripts/update_convex_exports.py`` (needs npm and the npm registry). For the last
patch release of every minor version it runs ``npm pack convex@<version>`` in a temporary folder,
reads the names ``convex/server`` and ``convex/values`` export (declarations and ES modules, as the
engine reads an installed package), and writes their union. Nothing of the packages is kept.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from auditor.engine.convexexports import CHECKED_MODULES, DATA_FILE, read_installed

FIRST_MINOR = (0, 9)


def released_versions() -> list[str]:
    output = subprocess.run(["npm", "view", "convex", "versions", "--json"], check=True, capture_output=True,
                            text=True).stdout
    latest_patch: dict[tuple[int, int], tuple[int, str]] = {}
    for version in json.loads(output):
        if "-" in version:
            continue
        major, minor, patch = (int(part) for part in version.split("."))
        if (major, minor) >= FIRST_MINOR and patch >= latest_patch.get((major, minor), (-1, ""))[0]:
            latest_patch[(major, minor)] = (patch, version)
    return [version for _, (_, version) in sorted(latest_patch.items())]


def exports_of(version: str, folder: Path) -> dict[str, frozenset[str]] | None:
    subprocess.run(["npm", "pack", f"convex@{version}", "--silent"], cwd=folder, check=True, capture_output=True)
    archive = folder / f"convex-{version}.tgz"
    target = folder / version
    with tarfile.open(archive) as tar:
        tar.extractall(target, filter="data")
    archive.unlink()
    found = read_installed(target / "package")
    return found.names if found else None


def main() -> int:
    union: dict[str, set[str]] = {module: set() for module in CHECKED_MODULES}
    read: list[str] = []
    with tempfile.TemporaryDirectory() as temp:
        for version in released_versions():
            names = exports_of(version, Path(temp))
            if names is None:
                print(f"convex@{version}: layout not understood, skipped", file=sys.stderr)
                continue
            read.append(version)
            for module, module_names in names.items():
                union[module] |= module_names
    data = {"versions": read, "modules": {module: sorted(names) for module, names in union.items()}}
    DATA_FILE.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    print(f"{len(read)} versions, " + ", ".join(f"{m}: {len(n)} names" for m, n in union.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
