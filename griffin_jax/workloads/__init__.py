"""Workloads: network layer tables as GEMMs, sparsity generators, real masks and real weights."""

# --- networks, lowering, sparsity, categories (section owned by the networks/sparsity work) ---

# --- real masks (digits CNN) and real-weight loaders (section owned by the real-masks work) ---
