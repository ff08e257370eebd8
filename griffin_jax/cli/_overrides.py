"""Command-line overrides checked before Hydra runs anything, so every mistake Hydra would report
in a multi-line message (and exit status 1) is one line that names the override, exit status 2.

In order: the override syntax, then config group choices (``experiment=quik``: the nearest
valid choice; the options come from Hydra's own search path, so the registry-derived options
of ``_schema.register`` and the installed launcher plugins count), then a composition of the
config (each value of a sweep once), which catches whatever else Hydra would refuse.
"""

from __future__ import annotations

import difflib

from griffin_jax.cli._schema import ConfigError

# compositions tried for a sweep's values (each value of each swept key once, up to this many)
MAX_COMPOSES = 64


def _one_line(msg: str) -> str:
    line = " ".join(str(msg).split())
    return line if len(line) <= 500 else line[:497] + "..."


def _parse(overrides) -> list:
    from hydra.core.override_parser.overrides_parser import OverridesParser

    parser = OverridesParser.create()
    out = []
    for text in overrides:
        try:
            out.append(parser.parse_override(text))
        except Exception as err:  # Hydra's OverrideParseException, in its own words
            first = str(err).splitlines()[0] if str(err) else type(err).__name__
            raise ConfigError(
                f"{_one_line(text)}: not a valid override: {_one_line(first)}"
            ) from None
    return out


def _all_groups(loader, parent: str = "") -> set:
    out = set()
    for name in loader.list_groups(parent):
        path = f"{parent}/{name}" if parent else name
        out.add(path)
        out |= _all_groups(loader, path)
    return out


def _nearest(word: str, choices) -> str:
    near = difflib.get_close_matches(str(word), list(choices), n=1, cutoff=0.4)
    if near:
        return f"did you mean {near[0]}?"
    return f"choose one of {', '.join(sorted(choices))}"


def _values(ov) -> list:
    """The option names an override selects (several for a sweep; none when not plain)."""
    try:
        if ov.is_sweep_override():
            return list(ov.sweep_string_iterator()) if ov.is_discrete_sweep() else []
        value = ov.value()
    except Exception:
        return []
    return [value] if isinstance(value, str) else []


def _check_groups(loader, parsed) -> None:
    groups = _all_groups(loader)
    for ov in parsed:
        key = ov.key_or_group
        if "." in key or ov.is_delete():
            continue
        if key not in groups:
            if ov.is_add() or key == "hydra" or ov.package is not None:
                continue  # appending a new key: the schema names it after composition
            top = {g for g in groups if "/" not in g and g != "hydra"}
            raise ConfigError(f"{key}: unknown config group; {_nearest(key, top)}")
        options = loader.get_group_options(key)
        for value in _values(ov):
            if value not in options:
                raise ConfigError(f"{key}: unknown choice {value!r}; {_nearest(value, options)}")


def _combinations(parsed) -> list:
    """Override lists to compose: each value of each swept key once (others at their first)."""
    first, sweeps = [], []
    for ov in parsed:
        key = ov.get_key_element()
        if ov.is_sweep_override():
            if not ov.is_discrete_sweep():
                return []  # ranges, globs: the sweeper expands them
            values = [f"{key}={v}" for v in ov.sweep_string_iterator()]
            if not values:
                raise ConfigError(f"{ov.input_line}: a sweep with no values")
            first.append(values[0])
            sweeps.append((len(first) - 1, values[1:]))
        else:
            first.append(ov.input_line)
    out = [first]
    for i, rest in sweeps:
        for v in rest:
            out.append(first[:i] + [v] + first[i + 1 :])
    return out[:MAX_COMPOSES]


def _compose(config_name: str, overrides) -> None:
    from hydra import compose

    try:
        compose(config_name=config_name, overrides=list(overrides), return_hydra_config=True)
    except Exception as err:
        msg = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise ConfigError(_one_line(msg)) from None


def check(overrides, multirun: bool, config_module: str = "griffin_jax.conf") -> None:
    """``ConfigError`` (one line, naming the override) for the first override that Hydra
    would refuse; ``overrides`` as given on the command line."""
    from hydra import initialize_config_module
    from hydra.core.global_hydra import GlobalHydra

    parsed = _parse(overrides)
    with initialize_config_module(config_module=config_module, version_base="1.3"):
        _check_groups(GlobalHydra.instance().config_loader(), parsed)
        for combo in _combinations(parsed) if multirun else [list(overrides)]:
            _compose("config", combo)
