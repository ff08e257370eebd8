"""Generate the SRAM table of a technology config with CACTI 7 (optional extra ``cacti``).

Install the generator with ``pip install -e '.[cacti]'``: the ``zigzag-dse`` package ships CACTI 7's
C++ source and a small Python runner (``zigzag/cacti/cacti_master``). This script copies that
source into ``scripts/_build/`` (git-ignored), builds it with ``make``, runs it once per
(capacity, port width) point of a grid at the config's CACTI node, and writes the results, with
the command, the CACTI and zigzag-dse versions, the date and the exact CACTI input text, into the
``sram`` block of ``griffin_jax/cost/tech/<tech>.yaml``. The library only reads that stored block
(``griffin_jax/cost/_sram.py``), so the default install never needs CACTI.

    python scripts/cacti_tech.py                    # both shipped configs
    python scripts/cacti_tech.py --tech horowitz45 --dry-run

Why this grid (see docs/cacti.md):

* port widths 64..1024 bits: one DPU row's weight vector (or one column's activation vector) is
  ``lanes x 8`` bits, i.e. 64 (small core, 8 lanes), 128 (paper core, 16 lanes) and 512 bits
  (wide core, 64 lanes); 64 bits is also the width of Horowitz's SRAM points. A bank holds at
  most 512 value bits per access and its metadata widens the port beyond (up to 832 bits for
  the widest selector, docs/model.md 4.1), so the grid reaches 1024 bits; the library
  interpolates between grid points (e.g. 16 x (8 + 1) = 144 bits).
* capacities 4 KB .. 1 MB in powers of two: CACTI finds no array organisation for 2 KB at more
  than 512 bits (fewer than 32 rows), and the table must be rectangular for interpolation.

CACTI settings are the runner's baseline (``CactiConfig.baseline_config`` of zigzag-dse: itrs-hp
cells and periphery, 360 K, ED^2 optimisation, UCA) with four changes, each an ASSUMPTION stated
in the stored table: no ECC (an accelerator scratchpad, and Horowitz's points, carry none), one
read/write port and no dedicated read or write ports (a single-ported bank; concurrency comes from
banking), one bank per array, and the ``ram`` array type (a scratchpad: no tags).
"""

from __future__ import annotations

import argparse
import datetime
import importlib.metadata
import pathlib
import re
import shlex
import shutil
import subprocess
import sys

import yaml

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent
if str(ROOT) not in sys.path:  # the table format is the library's, from this checkout
    sys.path.insert(0, str(ROOT))
from griffin_jax.cost import _sram as sram  # noqa: E402

BUILD_DIR = HERE / "_build"
TECH_DIR = ROOT / "griffin_jax" / "cost" / "tech"

# tech config -> CACTI node (nm). CACTI 7 models 180/90/65/45/32/22 nm (its 16 nm file is
# commented out of the node lookup), so the 16 nm config uses CACTI's nearest real node, 22 nm.
NODES = {"horowitz45": 45, "scaled16": 22}
NODE_NOTES = {"scaled16": " (CACTI's nearest real node to 16 nm: CACTI 7 has no 16 nm model)"}
CAPACITIES_KB = tuple(2**i for i in range(1, 11))  # 2 KB .. 1 MB
PORT_BITS = (64, 128, 256, 512, 1024)
KB = 1024  # bytes

# Lines of the runner's baseline that we replace (prefix -> replacement), and the per-point lines.
BASELINE_CHANGES = {"-Add ECC": '-Add ECC - "false"'}
CELL_TYPES = ("itrs-hp", "itrs-lstp", "itrs-lop")  # CACTI's SRAM cell transistor types
POINT_LINES = (
    "-size (bytes) {capacity_bytes}",
    "-block size (bytes) {port_bytes}",
    "-output/input bus width {port_bits}",
    "-associativity 1",
    "-read-write port 1",
    "-exclusive read port 0",
    "-exclusive write port 0",
    "-single ended read ports 0",
    "-UCA bank count 1",
    "-technology (u) {node_um}",
    '-cache type "ram"',
)
SETTINGS = (
    "zigzag-dse runner baseline (itrs-hp data cells and periphery, 360 K, ED^2 objective, UCA, "
    "semi-global wires); ASSUMPTION changes: no ECC, one read/write port and no exclusive ports, "
    "one bank, 'ram' (scratchpad, no tags), block = port width"
)
MARKER = "# --- SRAM table: written by scripts/cacti_tech.py (rerun it; do not edit by hand) ---"
# CSV columns of CACTI's '<cfg>.out' file that we keep -> (our key, factor to our unit)
COLUMNS = {
    "Capacity (bytes)": ("capacity_bytes", 1.0),
    "Output width (bits)": ("port_bits", 1.0),
    "Number of banks": ("banks", 1.0),
    "Area (mm2)": ("area_mm2", 1.0),
    "Dynamic read energy (nJ)": ("read_energy_pj", 1e3),
    "Dynamic write energy (nJ)": ("write_energy_pj", 1e3),
    "Standby leakage per bank(mW)": ("leakage_mw", 1.0),
    "Random cycle time (ns)": ("cycle_time_ns", 1.0),
}
TABLE_KEYS = sram.TABLE_KEYS
UNITS = sram.UNITS


# -- locating and building CACTI ------------------------------------------------------------------
def cacti_source() -> pathlib.Path:
    """The CACTI source folder shipped by zigzag-dse. Raises ``RuntimeError`` without the extra."""
    try:
        import zigzag  # noqa: F401  (only its files are used)
    except ImportError as exc:
        raise RuntimeError("zigzag-dse is not installed: pip install -e '.[cacti]'") from exc
    src = pathlib.Path(zigzag.__path__[0]) / "cacti" / "cacti_master"
    if not (src / "makefile").is_file():
        raise RuntimeError(f"no CACTI source in the zigzag-dse package (looked in {src})")
    return src


def versions(src: pathlib.Path | None = None) -> dict:
    """``{"cacti": ..., "zigzag_dse": ...}`` read from the installed source and package metadata."""
    src = src or cacti_source()
    text = (src / "version_cacti.h").read_text()
    fields = dict(re.findall(r"#define\s+(VER_\w+_CACTI)\s+(.+?)\s*(?:/\*.*)?$", text, re.M))
    cacti = "{}.{} ({}, {})".format(
        fields["VER_MAJOR_CACTI"],
        fields["VER_MINOR_CACTI"],
        fields["VER_COMMENT_CACTI"].strip('"'),
        fields["VER_UPDATE_CACTI"].strip('"'),
    )
    return {"cacti": cacti, "zigzag_dse": importlib.metadata.version("zigzag-dse")}


def build(build_dir: pathlib.Path | None = None) -> pathlib.Path:
    """Copy CACTI's source into ``build_dir`` and ``make`` it unless already built.

    Returns the folder holding the ``cacti`` binary (CACTI must run from there: it reads its
    technology files relative to the working directory). Raises ``RuntimeError`` on failure.
    """
    src = cacti_source()
    out = pathlib.Path(build_dir or BUILD_DIR) / f"cacti-zigzag-{versions(src)['zigzag_dse']}"
    binary = out / "cacti"
    if binary.is_file():
        return out
    if shutil.which("make") is None or shutil.which("g++") is None:
        raise RuntimeError("building CACTI needs make and g++")
    if out.exists():
        shutil.rmtree(out)
    # The shipped tree holds a prebuilt binary and object folder; build ours from the sources.
    shutil.copytree(
        src, out, ignore=shutil.ignore_patterns("cacti", "obj_*", "__pycache__", "self_gen")
    )
    proc = subprocess.run(["make", "opt"], cwd=out, capture_output=True, text=True)
    if proc.returncode != 0 or not binary.is_file():
        raise RuntimeError(f"building CACTI failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    return out


# -- one CACTI run --------------------------------------------------------------------------------
def config_template(cell_type: str | None = None) -> str:
    """The CACTI input text with ``{capacity_bytes}``, ``{port_bytes}``, ``{port_bits}`` and
    ``{node_um}`` placeholders: the runner's baseline without comments, our changes, our lines.

    ``cell_type`` (e.g. ``"itrs-lstp"``) replaces the data array's cell type, for sensitivity runs;
    ``None`` keeps the baseline's.
    """
    from zigzag.cacti.cacti_master.cacti_config_creator import CactiConfig

    changes = dict(BASELINE_CHANGES)
    if cell_type is not None:
        if cell_type not in CELL_TYPES:
            raise ValueError(f"cell_type must be one of {CELL_TYPES}, got {cell_type!r}")
        changes["-Data array cell type"] = f'-Data array cell type - "{cell_type}"'
    lines = []
    for raw in CactiConfig().baseline_config:
        line = raw.split("//")[0].strip()  # CACTI reads a value up to the blank; drop notes
        if not line or line.startswith(("#", "=")):
            continue
        for prefix, new in changes.items():
            if line.startswith(prefix):
                line = new
        lines.append(line.replace("{", "{{").replace("}", "}}"))
    return "\n".join(lines + list(POINT_LINES)) + "\n"


def point_config(template: str, capacity_kb: int, port_bits: int, node_nm: int) -> str:
    return template.format(
        capacity_bytes=capacity_kb * KB,
        port_bytes=port_bits // 8,
        port_bits=port_bits,
        node_um=f"{node_nm / 1000:g}",
    )


def run_point(cacti_dir: pathlib.Path, config: str, tag: str = "point") -> dict:
    """Run CACTI on one input text; returns the ``COLUMNS`` values in our units."""
    cfg = pathlib.Path(cacti_dir) / f"griffin_{tag}.cfg"
    out = cfg.with_name(cfg.name + ".out")  # CACTI appends one CSV row per run to this file
    cfg.write_text(config)
    out.unlink(missing_ok=True)
    proc = subprocess.run(
        ["./cacti", "-infile", cfg.name], cwd=cacti_dir, capture_output=True, text=True
    )
    if proc.returncode != 0 or not out.is_file():
        tail = (proc.stdout + proc.stderr).strip().splitlines()[-3:]
        raise RuntimeError(f"CACTI failed on {cfg.name}: {' | '.join(tail)}")
    header, row = out.read_text().splitlines()[:2]
    values = dict(zip((h.strip() for h in header.split(",")), (v.strip() for v in row.split(","))))
    result = {}
    for column, (key, factor) in COLUMNS.items():
        # CACTI prints 6 significant digits; keep that many after the change of unit.
        result[key] = float(f"{float(values[column]) * factor:.6g}")
    for key in ("capacity_bytes", "port_bits", "banks"):
        result[key] = int(float(values[next(c for c, (k, _) in COLUMNS.items() if k == key)]))
    return result


def generate(
    tech: str,
    *,
    capacities=CAPACITIES_KB,
    widths=PORT_BITS,
    build_dir: pathlib.Path | None = None,
    command: str | None = None,
    cell_type: str | None = None,
    log=print,
) -> dict:
    """Run the grid for one tech config; returns the ``sram`` block (a YAML-ready dict)."""
    if tech not in NODES:
        raise ValueError(f"tech {tech!r} has no CACTI node (known: {sorted(NODES)})")
    node = NODES[tech]
    cacti_dir = build(build_dir)
    template = config_template(cell_type)
    rows = {key: [] for key in TABLE_KEYS}
    for bits in widths:
        row = {key: [] for key in TABLE_KEYS}
        for kb in capacities:
            try:
                r = run_point(cacti_dir, point_config(template, kb, bits, node), tag=tech)
            except RuntimeError as err:
                # CACTI finds no organisation for small, wide arrays (2 KB at 1024 bits): an
                # empty entry keeps the grid rectangular (cost._sram refuses to use it)
                log(f"{tech} {node} nm {kb:5d} KB x {bits:3d} b: empty ({err})")
                for key in TABLE_KEYS:
                    row[key].append(float("nan"))
                continue
            if (r["capacity_bytes"], r["port_bits"], r["banks"]) != (kb * KB, bits, 1):
                raise RuntimeError(f"CACTI answered for another point than {kb} KB x {bits} b: {r}")
            for key in TABLE_KEYS:
                row[key].append(r[key])
            log(
                f"{tech} {node} nm {kb:5d} KB x {bits:3d} b: area {r['area_mm2']} mm^2, "
                f"read {r['read_energy_pj']} pJ, write {r['write_energy_pj']} pJ, "
                f"leak {r['leakage_mw']} mW"
            )
        for key in TABLE_KEYS:
            rows[key].append(row[key])
    v = versions()
    note = NODE_NOTES.get(tech, "")
    return {
        "source": (
            f"CACTI {v['cacti'].split(' ')[0]} (source shipped in zigzag-dse "
            f"{v['zigzag_dse']}), run by scripts/cacti_tech.py at {node} nm{note}; "
            f"settings: {SETTINGS}" + (f"; data cells {cell_type}" if cell_type else "")
        ),
        "command": command or f"python scripts/cacti_tech.py --tech {tech}",
        "cacti_version": v["cacti"],
        "zigzag_dse_version": v["zigzag_dse"],
        "date": datetime.date.today().isoformat(),
        "cacti_node_nm": node,
        "units": dict(UNITS),
        "capacity_kb": list(capacities),
        "port_bits": list(widths),
        **{key: rows[key] for key in TABLE_KEYS},
        "config_template": template,
    }


# -- writing the config ---------------------------------------------------------------------------
class _Dumper(yaml.SafeDumper):
    pass


def _str(dumper, data):
    style = "|" if "\n" in data else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


def _list(dumper, data):  # numbers inline, one grid row per line
    flow = all(not isinstance(x, (list, dict)) for x in data)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


_Dumper.add_representer(str, _str)
_Dumper.add_representer(list, _list)


def render(block: dict) -> str:
    """The ``sram`` block as YAML text, preceded by ``MARKER``."""
    body = yaml.dump(
        {"sram": block}, Dumper=_Dumper, sort_keys=False, width=100, allow_unicode=False
    )
    return f"{MARKER}\n# Rows of each table follow port_bits, columns follow capacity_kb.\n{body}"


def write_block(path: pathlib.Path, block: dict) -> None:
    """Replace (or append) the generated block at the end of a tech YAML, keeping the rest."""
    sram.sram_table_from_dict(pathlib.Path(path).stem, block)  # the library must accept it
    text = pathlib.Path(path).read_text()
    if MARKER in text:
        text = text[: text.index(MARKER)]
    elif re.search(r"^sram:", text, re.M):
        raise ValueError(f"{path} has an 'sram' block without the generator's marker line")
    new = text.rstrip("\n") + "\n\n" + render(block)
    if yaml.safe_load(new)["sram"] != yaml.safe_load(render(block))["sram"]:
        raise RuntimeError("the written sram block does not read back equal")
    pathlib.Path(path).write_text(new)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--tech",
        action="append",
        choices=sorted(NODES),
        help="tech config(s) to regenerate (default: all)",
    )
    parser.add_argument("--build-dir", type=pathlib.Path, default=BUILD_DIR)
    parser.add_argument("--dry-run", action="store_true", help="print the block, write nothing")
    parser.add_argument(
        "--cell-type",
        choices=CELL_TYPES,
        help="data array cell type (default: the runner's, itrs-hp); a "
        "sensitivity option, recorded in the block",
    )
    parser.add_argument(
        "--into",
        help="write the block into this config instead of the --tech one (e.g. horowitz45_hp, "
        "the same node with another cell type)",
    )
    args = parser.parse_args(argv)
    argv = sys.argv[1:] if argv is None else list(argv)
    command = " ".join(["python scripts/cacti_tech.py"] + [shlex.quote(a) for a in argv])
    for tech in args.tech or sorted(NODES):
        block = generate(tech, build_dir=args.build_dir, command=command, cell_type=args.cell_type)
        if args.dry_run:
            print(render(block))
        else:
            target = TECH_DIR / f"{args.into or tech}.yaml"
            write_block(target, block)
            print(f"wrote {target}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
