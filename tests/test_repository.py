"""Repository-wide guard rails: what a clone holds must stand on its own."""

import pathlib
import subprocess

ROOT = pathlib.Path(__file__).resolve().parents[1]
# Built from parts so this file does not name the path it looks for.
OUTSIDE_SPEC = "shared" + "/spec"


def _tracked_files():
    try:
        out = subprocess.run(
            ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.split()
        return [ROOT / f for f in out]
    except (OSError, subprocess.CalledProcessError):  # an sdist without git
        return [
            p
            for p in ROOT.rglob("*")
            if p.is_file() and ".git" not in p.parts and ".venv" not in p.parts
        ]


def test_no_file_cites_the_spec_outside_the_repository():
    # Users cloning the repository never see that folder: the model is docs/model.md.
    bad = []
    for path in _tracked_files():
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        if OUTSIDE_SPEC in text:
            bad.append(str(path.relative_to(ROOT)))
    assert not bad, f"files naming {OUTSIDE_SPEC}: {bad}"
    assert (ROOT / "docs" / "model.md").is_file()


def test_package_is_typed():
    assert (ROOT / "griffin_jax" / "py.typed").is_file()
