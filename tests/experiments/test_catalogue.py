"""The registry catalogue: docs/architecture.md lists exactly what is registered."""

import pathlib
import re

from griffin_jax.experiments import catalogue_markdown

DOC = pathlib.Path(__file__).resolve().parents[2] / "docs" / "architecture.md"


def test_architecture_doc_lists_what_is_registered():
    text = DOC.read_text()
    block = re.search(
        r"<!-- generated:catalogue:start -->\n(.*?)\n<!-- generated:catalogue:end -->", text, re.S
    )
    assert block is not None
    assert block.group(1) == catalogue_markdown(), "run python scripts/make_docs.py --skip-main"


def test_every_registered_name_appears_in_the_catalogue():
    from griffin_jax.design import PRESET_REGISTRY, SHAPE_REGISTRY
    from griffin_jax.experiments import EXPERIMENT_REGISTRY
    from griffin_jax.workloads import NETWORK_REGISTRY

    text = catalogue_markdown()
    for reg in (PRESET_REGISTRY, NETWORK_REGISTRY, SHAPE_REGISTRY, EXPERIMENT_REGISTRY):
        for name in reg:
            assert f"| `{name}` |" in text, name
