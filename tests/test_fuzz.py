"""Seeded, time-bounded fuzzing of what a user hands the package (issue 22 item 8): random and
hostile configs, windows, masks and files through the API and the ``griffin-jax`` command.

Every case must end in a result or in the package's own error (``ValueError`` in the API; exit
status 2 with one line and no traceback on the command line); no file outside the run folder is
touched; no NaN or inf is ever part of a result that says it is ok.

The small form (the default, ``GRIFFIN_SLOW=0``) runs a few dozen cases in well under 30 s; the
full form (``GRIFFIN_SLOW=1``) many more. ``GRIFFIN_FUZZ_SEED`` replays another sequence; a
failure names the seed and the case.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import math
import os
import pathlib
import random
import struct
import time

import numpy as np
import pytest
import yaml

import griffin_jax as gj
from griffin_jax.cost import layer_costs, load_tech
from griffin_jax.cost._tech import TECH_DIR
from griffin_jax.design import preset, validate_window
from griffin_jax.sim._reference import reference_gemm
from griffin_jax.workloads import SafetensorsError, load_safetensors, save_safetensors
from tests.conftest import FULL, compose_config, run_cli

pytestmark = pytest.mark.slow
SEED = int(os.environ.get("GRIFFIN_FUZZ_SEED", "22"))
TINY = ["experiment=quick", "workload.M=24", "workload.N=8", "workload.K=40"]
CORE = gj.Core(4, 4, 8)


def _budget(small_cases: int, large_cases: int, seconds: float = 6.0):
    """The case indices to run: ``small_cases`` (``large_cases`` when ``FULL``), stopping once
    ``seconds`` (ten times as many when ``FULL``) have passed."""
    n = large_cases if FULL else small_cases
    deadline = time.perf_counter() + seconds * (10 if FULL else 1)
    for i in range(n):
        if i and time.perf_counter() > deadline:
            return
        yield i


def _rng(name: str) -> random.Random:
    return random.Random(f"{SEED}:{name}")


def _one_line(err: BaseException) -> str:
    msg = str(err)
    assert msg and "\n" not in msg and "Traceback" not in msg, repr(msg[:500])
    assert len(msg) < 2000, msg[:300]
    return msg


# -- hostile scalars --------------------------------------------------------------------------
HOSTILE_INTS = [0, -1, 1, 2, 7, 63, 64, 65, 2**31, 2**63, 10**6, 10**30, True, 1.5, "3", None]


def _hostile(rng: random.Random):
    pick = rng.random()
    if pick < 0.6:
        return rng.choice(HOSTILE_INTS)
    if pick < 0.8:
        return rng.randint(-3, 9)
    return rng.choice([float("nan"), float("inf"), [1, 0, 0], "x", b"\x00", {}, ()])


# -- windows ----------------------------------------------------------------------------------
def test_fuzz_windows():
    rng = _rng("windows")
    for case in _budget(300, 5000):
        kind = rng.random()
        t0 = time.perf_counter()
        try:
            if kind < 0.35:
                window = gj.Window.box(*[_hostile(rng) for _ in range(rng.randint(0, 3))])
            elif kind < 0.7:
                offsets = [
                    tuple(rng.randint(-3, 4) for _ in range(3)) for _ in range(rng.randint(0, 8))
                ]
                if rng.random() < 0.3 and offsets:
                    offsets[rng.randrange(len(offsets))] = _hostile(rng)
                window = gj.Window.from_offsets(offsets)
            else:
                window = gj.Window([[_hostile(rng) for _ in range(3)]])
            lanes = rng.choice([1, 2, 8, 64])
            validate_window(window, lanes, rng.choice(["core", "group"]))
            assert window.label()  # a valid window always has a label
        except ValueError as err:
            _one_line(err)
        # a box of time 10**6 and friends are refused, never built
        assert time.perf_counter() - t0 < 5, (SEED, case)


# -- masks --------------------------------------------------------------------------------------
def _mask(rng: np.random.Generator, shape, dtype):
    m = rng.random(shape) < rng.uniform(0.1, 0.9)
    return m.astype(dtype) if dtype is not bool else m


def test_fuzz_masks_fast_path_reference_and_costs():
    rng = np.random.default_rng(SEED)
    design = gj.Design(CORE, "AW", gj.Window.box(2, 1))
    accel = preset("dense", CORE)
    for case in _budget(4, 60, 20.0):
        m, k, n = (int(x) for x in rng.integers(0, 14, 3))
        dtype = [bool, bool, bool, np.int8, np.float32, object][int(rng.integers(6))]
        a = _mask(rng, (m, k), dtype)
        w = _mask(rng, (max(0, k + int(rng.integers(-1, 2)) * (rng.random() < 0.2)), n), bool)
        if rng.random() < 0.1:
            a = a[0] if a.ndim and a.shape[0] else a
        got = []
        for call in (
            lambda: int(gj.simulate_gemm(design, a, w).cycles),
            lambda: int(reference_gemm(design, a, w)["cycles"]),
        ):
            try:
                got.append(call())
            except ValueError as err:
                got.append(type(err))
                _one_line(err)
        assert got[0] == got[1], (SEED, case, a.shape, a.dtype, w.shape, got)
        if isinstance(got[0], int):  # a valid GEMM is priced with finite figures
            (rep,) = layer_costs([accel], "AW", a, w)
            assert all(math.isfinite(v) for v in (rep.area_mm2, rep.energy_pj, rep.tops_per_w))


# -- technology constants -----------------------------------------------------------------------
def _tech_text(rng: random.Random) -> str:
    cfg = yaml.safe_load((TECH_DIR / "horowitz45.yaml").read_text())
    cfg["name"] = "fuzzed"
    scalars = [k for k, v in cfg.items() if isinstance(v, dict) and "value" in v]
    for field in rng.sample(scalars, rng.randint(1, 3)):
        cfg[field]["value"] = rng.choice(
            [
                cfg[field]["value"] * 10.0 ** rng.uniform(-300, 300),
                cfg[field]["value"] * 10 ** rng.uniform(-3, 3),
                float("nan"),
                float("inf"),
                0,
                -1.0,
                "1e3",
                True,
                [1.0],
            ]
        )
    text = yaml.safe_dump(cfg)
    if rng.random() < 0.15:  # an alias bomb where a value should be
        bomb = "".join(f"b{i}: &b{i} [{', '.join([f'*b{i - 1}'] * 9)}]\n" for i in range(1, 9))
        text = "b0: &b0 [x]\n" + bomb + text
    return text


def test_fuzz_tech_constants_never_give_a_nan_result(tmp_path):
    rng = _rng("tech")
    nrng = np.random.default_rng(SEED)
    a, w = nrng.random((8, 16)) < 0.5, nrng.random((16, 4)) < 0.5
    accel = preset("dense", CORE)
    path = tmp_path / "fuzzed.yaml"
    for case in _budget(25, 400):
        path.write_text(_tech_text(rng))
        try:
            tech = load_tech(path)
        except ValueError as err:
            _one_line(err)
            continue
        try:
            (rep,) = layer_costs([accel], "dense", a, w, tech)
        except ValueError as err:  # a figure that is not finite names its cause
            assert "tech" in _one_line(err), (SEED, case)
            continue
        for v in (rep.area_mm2, rep.energy_pj, rep.tops_per_w, rep.tops_per_mm2):
            assert math.isfinite(v) and v > 0, (SEED, case, path.read_text()[:2000])


# -- files ----------------------------------------------------------------------------------------
def _flip(rng: random.Random, raw: bytes) -> bytes:
    out = bytearray(raw)
    for _ in range(rng.randint(1, 4)):
        choice = rng.random()
        pos = rng.randrange(len(out)) if out else 0
        if choice < 0.6 and out:
            out[pos] = rng.randrange(256)
        elif choice < 0.8:
            out[pos:pos] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 16)))
        else:
            del out[pos : pos + rng.randint(1, 64)]
    return bytes(out)


def test_fuzz_safetensors_and_yaml_files(tmp_path):
    from griffin_jax import _yaml

    rng = _rng("files")
    good = tmp_path / "good.safetensors"
    save_safetensors(good, {"a": np.arange(6, dtype=np.float32).reshape(2, 3), "b": np.ones(3)})
    raw = good.read_bytes()
    header = {"x": {"dtype": "U8", "shape": [4], "data_offsets": [0, 4]}}
    path = tmp_path / "fuzzed.safetensors"
    texts = ["a: [1, 2]\n", "{a: &x [1], b: *x}\n", "- - - [1]\n", "a: !!python/object {}\n"]
    for case in _budget(60, 2000):
        if rng.random() < 0.5:
            data = _flip(rng, raw)
        else:
            h = json.loads(json.dumps(header))
            h["x"][rng.choice(["dtype", "shape", "data_offsets"])] = _hostile(rng)
            body = json.dumps(h, default=str).encode()
            data = struct.pack("<Q", len(body)) + body + b"abcd"
        path.write_bytes(data)
        try:
            load_safetensors(path)
        except SafetensorsError as err:
            assert _one_line(err).startswith(str(path)), (SEED, case)
        text = _flip(rng, rng.choice(texts).encode())
        try:
            _yaml.safe_load(text, "f.yaml")
        except ValueError as err:
            assert _one_line(err).startswith("f.yaml: "), (SEED, case)


def test_fuzz_digits_data_dir(tmp_path):
    import shutil

    from griffin_jax.workloads import digits_workload

    rng = _rng("digits")
    src = pathlib.Path(gj.__file__).parent / "workloads" / "data"
    meta = json.loads((src / "digits_masks.json").read_text())
    npz = (src / "digits_masks.npz").read_bytes()
    for case in _budget(4, 60, 10.0):
        folder = tmp_path / f"d{case}"
        folder.mkdir()
        m = json.loads(json.dumps(meta))
        if rng.random() < 0.5:
            layer = rng.choice(m["layers"])
            layer[rng.choice(["K", "N", "input_map", "name", "pad"])] = _hostile(rng)
            (folder / "digits_masks.npz").write_bytes(npz)
        else:
            shutil.copy(src / "digits_masks.npz", folder / "digits_masks.npz")
            (folder / "digits_masks.npz").write_bytes(_flip(rng, npz))
        (folder / "digits_masks.json").write_text(json.dumps(m, default=str))
        try:
            digits_workload("p50", n_images=1, data_dir=folder)
        except ValueError as err:
            _one_line(err)


def test_fuzz_collect_status_files(tmp_path, capsys):
    from griffin_jax.cli import collect_main

    rng = _rng("collect")
    (tmp_path / "ok").mkdir()
    (tmp_path / "ok" / "status.json").write_text('{"status": "ok"}')
    (tmp_path / "ok" / "cycles.csv").write_text("x\n1\n")
    job = tmp_path / "job"
    job.mkdir()
    valid = json.dumps({"status": "ok", "config": {"core": {"lanes": 8}}, "overrides": ["a=1"]})
    for case in _budget(30, 500):
        if rng.random() < 0.5:
            text = _flip(rng, valid.encode())
        else:
            text = json.dumps(
                {rng.choice(["status", "error", "overrides", "config"]): _hostile(rng)},
                default=str,
            ).encode()
        (job / "status.json").write_bytes(text)
        code = collect_main([str(tmp_path), "--out", str(tmp_path / "out")])
        out, err = capsys.readouterr()
        assert code in (0, 1, 2), (SEED, case)
        assert "Traceback" not in out + err and len(err.strip().splitlines()) <= 1, (SEED, case)


# -- configs --------------------------------------------------------------------------------------
def _config_pool(outside: pathlib.Path, run: pathlib.Path) -> dict:
    """key -> values a user might type (valid, mistyped, hostile, pointing at files)."""
    return {
        "core.lanes": [
            "8",
            "16",
            "0",
            "-1",
            "65",
            "1e9",
            "x",
            "null",
            "[1]",
            "2.5",
            "${core.rows}",
        ],
        "core.rows": ["4", "8", "0", "99999999999", "nan"],
        "core.act_kb": ["64", "0.5", "1e30", "nan", "inf", "-4"],
        "workload.M": ["24", "0", "-5", "1e12", "abc"],
        "workload.K": ["40", "17", "0"],
        "workload.a_density": ["0.5", "0", "1", "nan", "2"],
        "design.box_time": ["[1,2]", "[1000000]", "[0]", "[]"],
        "design.box_lane": ["[0,1]", "[70]", "[-1]"],
        "design.windows": ["[[[1,0,0]]]", "[[[1,16,0]]]", "[[[1,0,0],[1,0,0]]]", "[[[]]]"],
        "design.sync": ["core", "group", "lane"],
        "runtime.chunk": ["null", "0", "-1", "64", "1e20"],
        "runtime.sample": ["null", "nan", "-1", "2", "0.5"],
        "experiment.tags": ["{}", "5", "{a: 1}", "[1,2]", "{a: {b: 1}}"],
        "tech.name": [
            "horowitz45",
            "nope",
            f"{outside}/hostile.yaml",
            f"{outside}/not_yaml.yaml",
            f"{outside}/secret.txt",
        ],
        "experiment": ["quick", "quik"],
        "workload": ["synthetic", "resnt"],
        "+core.extra": ["1"],
        "core.lanez": ["8"],
    }


CLI_ONLY = {
    "runtime.platform": ["cpu", "gpu", "tpu", "quantum"],
    "runtime.cpu_devices": ["null", "0", "100000", "x"],
    "runtime.compilation_cache": ["null", "{outside}/secret.txt/c", "{run}/cache"],
    "hydra.run.dir": ["{outside}/secret.txt", "{outside}/secret.txt/sub"],
}


def _outside(tmp_path) -> pathlib.Path:
    outside = tmp_path / "outside"
    outside.mkdir(exist_ok=True)
    (outside / "secret.txt").write_text("the user's")
    cfg = yaml.safe_load((TECH_DIR / "horowitz45.yaml").read_text())
    cfg.update(name="hostile", mult8_energy={"value": 1e300, "unit": "pJ", "source": "x"})
    (outside / "hostile.yaml").write_text(yaml.safe_dump(cfg))
    (outside / "not_yaml.yaml").write_text("a: [1, 2\n")
    return outside


def _tree(folder) -> dict:
    out = {}
    for root, _, files in os.walk(folder):
        for f in files:
            p = pathlib.Path(root) / f
            st = p.stat()
            out[str(p.relative_to(folder))] = (st.st_size, st.st_mtime_ns, p.read_bytes()[:4096])
    return out


def _draw(rng: random.Random, pool: dict, n: int) -> list:
    keys = rng.sample(sorted(pool), n)
    return [f"{k}={rng.choice(pool[k])}" for k in keys]


def _finite_tables(run: pathlib.Path) -> None:
    """A run that says ok has only finite numbers in its tables."""
    status = json.loads((run / "status.json").read_text())
    assert status["status"] == "ok"
    for table in run.glob("*.csv"):
        for row in csv.DictReader(io.StringIO(table.read_text())):
            for key, cell in row.items():
                with contextlib.suppress(ValueError, TypeError):
                    assert math.isfinite(float(cell)), (table.name, key, cell)


def test_fuzz_configs_in_process(tmp_path, monkeypatch):
    from griffin_jax.cli import _app, _build, _overrides, _schema

    _schema.register()  # the registry-derived choices, as the console script does first
    rng = _rng("configs")
    outside = _outside(tmp_path)
    monkeypatch.chdir(outside)
    before = _tree(tmp_path)
    ran = 0
    for case in _budget(6, 200, 20.0):
        run = tmp_path / "runs" / f"r{case}"
        overrides = [*TINY, *_draw(rng, _config_pool(outside, run), rng.randint(1, 3))]
        try:
            _schema.check_override_keys(overrides)
            _overrides.check(overrides, multirun=False)
            cfg = compose_config(
                [*overrides, "runtime.progress=false", "runtime.compilation_cache=null"]
            )
            _build.check(cfg)
        except _schema.ConfigError as err:
            _one_line(err)
            continue
        if ran >= (6 if FULL else 1):
            continue  # checked; running every passing config is the CLI test's job
        ran += 1
        try:
            _app.run(cfg, str(run))
        except ValueError as err:  # a value only the run itself can refuse
            _one_line(err)
            continue
        _finite_tables(run)
    after = _tree(tmp_path)
    assert {k: v for k, v in after.items() if not k.startswith("runs/")} == before


def test_fuzz_the_command_line(tmp_path):
    rng = _rng("cli")
    outside = _outside(tmp_path)
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    for case in _budget(1, 10, 25.0):
        run = tmp_path / "runs" / f"r{case}"
        pool = {**_config_pool(outside, run), **CLI_ONLY}
        drawn = [
            d.replace("{outside}", str(outside)).replace("{run}", str(run))
            for d in _draw(rng, pool, rng.randint(1, 3))
        ]
        args = [*TINY, "runtime.progress=false", "runtime.compilation_cache=null"]
        args += [f"hydra.run.dir={run}", *drawn]
        before = {k: v for k, v in _tree(tmp_path).items() if not k.startswith("runs/")}
        res = run_cli(args, cwd)
        where = (SEED, case, drawn, res.stderr[-3000:])
        assert res.returncode in (0, 2), where
        assert "Traceback" not in res.stderr, where
        if res.returncode == 2:
            lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
            assert len(lines) == 1 and lines[0].startswith("griffin-jax: error: "), where
        else:
            _finite_tables(run)
        after = {k: v for k, v in _tree(tmp_path).items() if not k.startswith("runs/")}
        assert after == before, where  # nothing outside the run folder touched
