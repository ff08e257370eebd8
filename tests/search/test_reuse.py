"""What repeated searches share: relaxations and evaluators kept by the value of their inputs,
in a bounded cache."""

from griffin_jax.cost import load_tech
from griffin_jax.search import Space, _reuse
from griffin_jax.search._tiles import check_workloads
from tests.conftest import SEARCH_CORE, search_mix_of, search_space

SPACE = search_space()


def _copy(mix):
    # equal values in new arrays and a new name: still the same mix
    return [
        (f"{n}-copy", [(ln, a.copy(), w.copy(), m) for ln, a, w, m in layers], c, wt)
        for n, layers, c, wt in mix
    ]


def test_equal_inputs_share_one_evaluator_and_relaxation():
    mix = check_workloads(search_mix_of(21))
    copy = check_workloads(_copy(search_mix_of(21)))
    tech = load_tech("horowitz45")
    ev = _reuse.evaluator_for(mix, SPACE, tech)
    assert _reuse.evaluator_for(copy, SPACE, load_tech("horowitz45")) is ev
    rel = _reuse.relaxation_for(mix, SPACE, tech, 4)
    assert _reuse.relaxation_for(copy, SPACE, tech, 4) is rel
    assert _reuse.relaxation_for(mix, SPACE, tech, 2) is not rel  # another max_tiles
    # one flipped mask bit, another weight, another space: another mix
    flipped = _copy(search_mix_of(21))
    a = flipped[0][1][0][1]
    a[0, 0] = not a[0, 0]
    heavier = [(n, ls, c, 2 * wt) for n, ls, c, wt in search_mix_of(21)]
    other_space = Space(core=SEARCH_CORE, exploits=("none", "AW"), time=(1, 3), lane=(0, 1))
    for wl, space in ((flipped, SPACE), (heavier, SPACE), (search_mix_of(21), other_space)):
        assert _reuse.evaluator_for(check_workloads(wl), space, tech) is not ev


def test_the_cache_is_bounded():
    tech = load_tech("horowitz45")
    _reuse.clear()
    first = _reuse.evaluator_for(check_workloads(search_mix_of(30)), SPACE, tech)
    for seed in range(31, 31 + _reuse.KEEP):
        _reuse.evaluator_for(check_workloads(search_mix_of(seed)), SPACE, tech)
    assert len(_reuse._EVALUATORS.items) == _reuse.KEEP
    again = _reuse.evaluator_for(check_workloads(search_mix_of(30)), SPACE, tech)
    assert again is not first  # the oldest was dropped


def test_mix_key_reads_every_mask_bit():
    mix = check_workloads(search_mix_of(40))
    key = _reuse.mix_key(mix)
    w = mix[1].layers[0].w_mask.copy()
    w[-1, -1] = not w[-1, -1]
    other = [mix[0], mix[1].replace(layers=(mix[1].layers[0].replace(w_mask=w),))]
    assert _reuse.mix_key(other) != key
    assert _reuse.mix_key(check_workloads(search_mix_of(40))) == key
