"""Workloads: network layer tables as GEMMs, sparsity generators, real masks and real weights."""

# --- networks, lowering, sparsity, categories (section owned by the networks/sparsity work) ---
from griffin_jax.workloads._categories import (
    A_PATTERNS,
    CATEGORIES,
    CATEGORY_NAMES,
    DEFAULT_A_DENSITY,
    DEFAULT_W_DENSITY,
    W_PATTERNS,
    activation_mask,
    iter_workload,
    layer_masks,
    network_workload,
    weight_mask,
    workload_densities,
)
from griffin_jax.workloads._layers import (
    KINDS,
    Layer,
    conv_gemm,
    im2col_mask,
    linear_gemm,
    total_macs,
    total_weights,
)
from griffin_jax.workloads._networks import NETWORKS, network
from griffin_jax.workloads._profiles import PROFILES, Profile, get_profile, uniform_profile
from griffin_jax.workloads._sparsity import (
    bernoulli_mask,
    block_mask,
    channel_mask,
    clustered_activation_map,
    nm_mask,
    parse_nm,
)

_NETWORK_API = (
    "Layer", "KINDS", "conv_gemm", "linear_gemm", "im2col_mask", "total_macs", "total_weights",
    "NETWORKS", "network",
    "bernoulli_mask", "nm_mask", "parse_nm", "block_mask", "channel_mask",
    "clustered_activation_map",
    "Profile", "PROFILES", "get_profile", "uniform_profile",
    "CATEGORIES", "CATEGORY_NAMES", "A_PATTERNS", "W_PATTERNS", "DEFAULT_A_DENSITY",
    "DEFAULT_W_DENSITY", "activation_mask", "weight_mask", "layer_masks", "workload_densities",
    "iter_workload", "network_workload",
)


# --- real masks (digits CNN) and real-weight loaders (section owned by the real-masks work) ---
from griffin_jax.workloads._digits import digits_metadata, digits_variants, digits_workload
from griffin_jax.workloads._real_networks import (
    easyocr_recognizer_weights,
    easyocr_vgg16bn_weights,
    easyocr_vgg16bn_workload,
    minilm_embed,
    minilm_encode,
    minilm_tokens,
    minilm_weights,
    minilm_workload,
    sample_images,
)
from griffin_jax.workloads._safetensors import (
    SafetensorsError,
    load_safetensors,
    read_safetensors_header,
    save_safetensors,
)
from griffin_jax.workloads._torch_pickle import (
    CheckpointError,
    UnsafePickleError,
    load_torch_checkpoint,
    load_torch_state_dict,
)

_REAL_API = (
    "digits_variants", "digits_workload", "digits_metadata",
    "load_torch_checkpoint", "load_torch_state_dict", "CheckpointError", "UnsafePickleError",
    "load_safetensors", "save_safetensors", "read_safetensors_header", "SafetensorsError",
    "easyocr_vgg16bn_weights", "easyocr_vgg16bn_workload", "easyocr_recognizer_weights",
    "minilm_weights", "minilm_workload", "minilm_tokens", "minilm_encode", "minilm_embed",
    "sample_images",
)

# --- the shared vocabulary: GEMM layers and workloads (one validator for every evaluator) ---
from griffin_jax.workloads._workload import (  # noqa: E402
    GemmLayer,
    Workload,
    as_layer,
    as_layers,
    as_workload,
    as_workloads,
    check_category,
)

_VOCABULARY_API = ("GemmLayer", "Workload", "as_layer", "as_layers", "as_workload",
                   "as_workloads", "check_category")

__all__ = list(_NETWORK_API + _REAL_API + _VOCABULARY_API)
