"""What is registered, as Markdown tables (docs/architecture.md's catalogue is this text;
``scripts/make_docs.py`` writes it and a test keeps the two equal)."""

from __future__ import annotations

import dataclasses
import re


def _cell(text) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ").strip()


def _first_sentence(text: str) -> str:
    text = " ".join(str(text).split())
    m = re.search(r"\.\s+(?=[A-Z])", text)
    return text if m is None else text[: m.start() + 1]


def catalogue_markdown() -> str:
    """One table per registry: presets, networks, window shapes, experiments."""
    from griffin_jax.design import PRESET_REGISTRY, SHAPE_REGISTRY
    from griffin_jax.experiments._registry import EXPERIMENT_REGISTRY
    from griffin_jax.workloads import NETWORK_REGISTRY

    out = [
        "| preset | kind | in the default list | source | what it models |",
        "|---|---|---|---|---|",
    ]
    for e in PRESET_REGISTRY.entries():
        out.append(
            f"| `{e.name}` | {e.kind} | {'yes' if e.meta.get('default') else 'no'} | "
            f"{_cell(e.meta.get('source', ''))} | {_cell(_first_sentence(e.summary))} |"
        )
    out += ["", "| network | kind | paper study | what it is |", "|---|---|---|---|"]
    for e in NETWORK_REGISTRY.entries():
        what = _first_sentence(e.summary) or "layer table"
        paper = "yes" if e.meta.get("paper") else "no"
        out.append(f"| `{e.name}` | {e.meta['kind']} | {paper} | {_cell(what)} |")
    out += ["", "| window shape | parameters | what it is |", "|---|---|---|"]
    for e in SHAPE_REGISTRY.entries():
        params = ", ".join(e.value.__code__.co_varnames[: e.value.__code__.co_argcount])
        out.append(f"| `{e.name}` | {params or '-'} | {_cell(_first_sentence(e.summary))} |")
    out += ["", "| experiment | options (`experiment.<name>.*`) | what it does |", "|---|---|---|"]
    for e in EXPERIMENT_REGISTRY.entries():
        opts = e.meta.get("options")
        fields = ", ".join(f.name for f in dataclasses.fields(opts)) if opts else "-"
        out.append(f"| `{e.name}` | {fields} | {_cell(_first_sentence(e.summary))} |")
    return "\n".join(out)
