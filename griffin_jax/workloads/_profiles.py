"""Per-layer density profiles, each from a cited measurement.

A ``Profile`` gives one density per layer of a network: for activations (``operand="A"``) the
density of the layer's *input* activations, for weights (``operand="W"``) the fraction of
weights kept after pruning.

Sources
-------
Han, Pool, Tran & Dally, "Learning both Weights and Connections for Efficient Neural Networks",
NIPS 2015 (arXiv:1506.02626), Section 4, the per-layer tables for AlexNet ("pruning reduces the
number of weights by 9x and computation by 3x") and VGG-16 ("... by 12x and computation by 5x").
Columns used: ``Act%`` (percentage of nonzero activations a layer *outputs*, after its ReLU) and
``Weights%`` (percentage of weights kept). The table's ``FLOP%`` column equals ``Weights%`` times
the previous layer's ``Act%`` to within rounding (checked in the tests), which is how we know
``Act%`` is the output density; the input density of layer i is ``Act%`` of layer i-1, and the
first layer's input (the image) is dense. The tables print whole percentages; we transcribed
them from a public copy of the paper's text (not from the PDF itself), and the FLOP% check above
corroborates every row. The activation densities were measured on the pruned networks.

Interpolation to other networks
-------------------------------
A profile applied to the network it was measured on (``measured_on``, when that network is in
``NETWORKS`` with the same layer count) is used entry by entry. For any other network:

* Weights: the network's first layer gets the measured first-layer density (the first layer is
  the most sensitive to pruning, Han et al. Section 5); a final classifier (an fc layer that runs
  once and comes last) gets the measured last-layer density; every other layer gets the
  *interior conv curve* at its relative depth.
* Activations: layers whose input is not a ReLU output (``Layer.relu_input`` False: the image,
  linear bottlenecks, GELU/SiLU inputs, globally pooled features) are dense (1.0); the others get
  the interior conv curve at their relative depth.

The interior conv curve holds the measured conv layers after the first, spread evenly over
relative depth [0, 1] and linearly interpolated. The measured networks' interior fc layers
(VGG fc6/fc7, AlexNet fc1/fc2: 25088x4096-sized matrices holding most of their weights, pruned to
4-9%) have no counterpart in the other networks and are left out of the curve. A layer with
``count > 1`` gets the mean of the curve over its instances, evenly spaced across
``Layer.depth``. Applying CNN measurements to transformers is an extrapolation: say so when you
do it.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from griffin_jax.workloads._layers import Layer
from griffin_jax.workloads._sparsity import check_density

OPERANDS = ("A", "W")


@dataclasses.dataclass(frozen=True)
class Profile:
    """A per-layer density profile.

    Fields:
      name, operand ("A" or "W"), source (citation), note (how the numbers were obtained).
      first: density of the network's first layer (W), or None (A: decided by relu_input).
      last: density of a final classifier (W), or None.
      curve: interior densities, evenly spaced over relative depth [0, 1].
      measured_on: network name whose full layer list ``exact`` matches, or None.
      exact: per-layer densities for ``measured_on``, in its layer order.
    """

    name: str
    operand: str
    curve: tuple[float, ...]
    source: str
    note: str = ""
    first: float | None = None
    last: float | None = None
    measured_on: str | None = None
    exact: tuple[float, ...] | None = None

    def __post_init__(self):
        if self.operand not in OPERANDS:
            raise ValueError(f"Profile.operand must be one of {OPERANDS}, got {self.operand!r}")
        if not self.curve:
            raise ValueError("Profile.curve must hold at least one density")
        object.__setattr__(
            self, "curve", tuple(check_density("Profile.curve", d) for d in self.curve)
        )
        for f in ("first", "last"):
            if getattr(self, f) is not None:
                object.__setattr__(self, f, check_density(f"Profile.{f}", getattr(self, f)))
        if self.exact is not None:
            object.__setattr__(
                self, "exact", tuple(check_density("Profile.exact", d) for d in self.exact)
            )

    def at(self, depth) -> np.ndarray:
        """The interior curve at relative depth(s) in [0, 1]."""
        d = np.asarray(depth, np.float64)
        xs = np.linspace(0.0, 1.0, len(self.curve)) if len(self.curve) > 1 else np.zeros(1)
        return np.interp(d, xs, np.asarray(self.curve))

    def densities(self, layers, network: str | None = None) -> tuple[float, ...]:
        """One density per layer of ``layers`` (see the module docstring for the rules).

        ``network``: the name the layers came from; enables exact use on ``measured_on``.
        """
        layers = tuple(layers)
        if not all(isinstance(l, Layer) for l in layers):
            raise ValueError("layers must be a sequence of Layer")
        if (
            self.exact is not None
            and network is not None
            and network == self.measured_on
            and len(layers) == len(self.exact)
        ):
            return self.exact
        spans = _depth_spans(layers)
        out = []
        for i, (layer, (d0, d1)) in enumerate(zip(layers, spans)):
            if self.operand == "A" and not layer.relu_input:
                out.append(1.0)
            elif self.operand == "W" and self.first is not None and i == 0 and layer.count == 1:
                out.append(self.first)
            elif (
                self.operand == "W"
                and self.last is not None
                and i == len(layers) - 1
                and layer.kind == "fc"
                and layer.count == 1
            ):
                out.append(self.last)
            else:
                out.append(float(np.mean(self.at(np.linspace(d0, d1, layer.count)))))
        return tuple(out)


def _depth_spans(layers: tuple[Layer, ...]) -> list[tuple[float, float]]:
    """``Layer.depth`` where set; otherwise the instances are taken as laid out in list order."""
    total = sum(l.count for l in layers)
    span = max(total - 1, 1)
    out, pos = [], 0
    for l in layers:
        out.append(l.depth if l.depth is not None else (pos / span, (pos + l.count - 1) / span))
        pos += l.count
    return out


def uniform_profile(
    density: float, operand: str = "W", *, first: float | None = None, last: float | None = None
) -> Profile:
    """Every layer at ``density`` (first/last layer optionally different).

    This is what a per-layer magnitude pruner driven by one target sparsity produces, e.g. the
    gradual pruning schedule of Zhu & Gupta, "To prune, or not to prune", arXiv:1710.01878 (2017).
    """
    return Profile(
        name=f"uniform({density})",
        operand=operand,
        curve=(density,),
        first=first,
        last=last,
        source="uniform target density (cf. Zhu & Gupta 2017, arXiv:1710.01878)",
    )


# -- Han et al. 2015 tables (whole percentages, transcribed) -----------------------------------
_HAN = "Han, Pool, Tran & Dally, NIPS 2015 (arXiv:1506.02626), Section 4 per-layer tables"

# (layer, kind, Act% (output density after ReLU), Weights% kept, FLOP%)
HAN2015_VGG16 = (
    ("conv1_1", "conv", 53, 58, 58),
    ("conv1_2", "conv", 89, 22, 12),
    ("conv2_1", "conv", 80, 34, 30),
    ("conv2_2", "conv", 81, 36, 29),
    ("conv3_1", "conv", 68, 53, 43),
    ("conv3_2", "conv", 70, 24, 16),
    ("conv3_3", "conv", 64, 42, 29),
    ("conv4_1", "conv", 51, 32, 21),
    ("conv4_2", "conv", 45, 27, 14),
    ("conv4_3", "conv", 34, 34, 15),
    ("conv5_1", "conv", 32, 35, 12),
    ("conv5_2", "conv", 29, 29, 9),
    ("conv5_3", "conv", 19, 36, 11),
    ("fc6", "fc", 38, 4, 1),
    ("fc7", "fc", 42, 4, 2),
    ("fc8", "fc", 100, 23, 9),
)
HAN2015_ALEXNET = (
    ("conv1", "conv", 88, 84, 84),
    ("conv2", "conv", 52, 38, 33),
    ("conv3", "conv", 37, 35, 18),
    ("conv4", "conv", 40, 37, 14),
    ("conv5", "conv", 34, 37, 14),
    ("fc1", "fc", 36, 9, 3),
    ("fc2", "fc", 40, 9, 3),
    ("fc3", "fc", 100, 25, 10),
)


def _han_profiles(table, net: str, measured_on: str | None) -> tuple[Profile, Profile]:
    act = [row[2] / 100 for row in table]
    wts = [row[3] / 100 for row in table]
    inputs = [1.0] + act[:-1]  # input density of layer i = output density of layer i-1
    convs = [i for i, row in enumerate(table) if row[1] == "conv"][1:]
    a = Profile(
        name=f"han2015_{net}_act",
        operand="A",
        curve=tuple(inputs[i] for i in convs),
        source=f"{_HAN} ({net}, Act% column, shifted to input densities)",
        note="activation density falls with depth after ReLU; measured on the pruned network",
        measured_on=measured_on,
        exact=tuple(inputs),
    )
    w = Profile(
        name=f"han2015_{net}_w",
        operand="W",
        curve=tuple(wts[i] for i in convs),
        first=wts[0],
        last=wts[-1],
        source=f"{_HAN} ({net}, Weights% column)",
        note="magnitude pruning with per-layer thresholds set by sensitivity analysis",
        measured_on=measured_on,
        exact=tuple(wts),
    )
    return a, w


PROFILES: dict[str, Profile] = {
    p.name: p
    for p in (
        *_han_profiles(HAN2015_VGG16, "vgg16", "vgg16"),
        *_han_profiles(HAN2015_ALEXNET, "alexnet", None),
    )
}


def get_profile(profile) -> Profile:
    """A ``Profile`` by name (one of ``PROFILES``), or the profile itself."""
    if isinstance(profile, Profile):
        return profile
    if profile not in PROFILES:
        raise ValueError(f"profile must be a Profile or one of {tuple(PROFILES)}, got {profile!r}")
    return PROFILES[profile]
