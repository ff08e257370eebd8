/* Speed-of-light baseline: the griffin_jax scheduler (docs/model.md sections 1-3) as
 * plain, single-threaded C99 over bit-packed lanes.
 *
 * One group's L lanes of one step are the low L bits of a uint64_t (L <= 64, lane l = bit l),
 * so a whole "all free multipliers take at once" step of one offset is, per group:
 *     take = free & rot(pending[src], dl);  free ^= take;  pending[src] &= ~rot^-1(take)
 * plus a lane count for the `taken` statistics.
 *
 * Layout of one tile's pending words (built from the pre-packed operands, no malloc per tile):
 *   sync = core : step-major  pend[t * Gt + q], q = p * G + g, so the per-offset loop over the
 *                 groups of one step is contiguous and the compiler vectorises it (lane counts
 *                 use shift/add popcounts for that reason: AVX2 has no 64-bit vector popcount);
 *   sync = group: group-major pend[q * T + t], every group runs alone on its own column.
 * P is the number of independent rows of groups (AW: the R rows of DPUs; A, W: 1), G the number
 * of groups along which dg moves (AW: C columns; A: C; W: R). Groups never wrap; lanes do.
 *
 * Exactness shortcut (documented, not an approximation): with exploit A a tile's pending work
 * depends only on its column tile (the m block), with exploit W only on its row tile (the n
 * block), so each distinct tile is scheduled once and its counts are multiplied by the number of
 * identical tiles. AW tiles are all scheduled.
 *
 * Exported: gc_pack_rows, gc_pack_cols (operand packing), gc_gemm_cycles_packed (scheduling
 * from packed operands) and gc_gemm_cycles (both, on byte masks).
 *
 * Build: cc -O3 -march=native -std=c99 -shared -fPIC scheduler.c (see scripts/cbaseline.py).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define GC_OK 0
#define GC_ERR_SHAPE (-1)   /* a size is not positive, or lanes > 64 */
#define GC_ERR_EXPLOIT (-2) /* exploit not in 0..3 or sync not in 0..1 */
#define GC_ERR_WINDOW (-3)  /* dt < 1, |dl| >= L, or dg != 0 with sync = group */
#define GC_ERR_NOMEM (-4)

typedef struct {
    int dt;  /* step offset, 0 only for the own slot */
    int sd;  /* rotate-down amount: bit l of rot_down(x) is bit (l + dl) mod L of x */
    int su;  /* inverse rotation, back into the source's lane positions */
    int dg;  /* group offset along G, no wrap */
} offset_t;

static inline int steps_of(int K, int L) { return (K + L - 1) / L; }

static inline uint64_t full_mask(int L) {
    return L == 64 ? ~(uint64_t)0 : (((uint64_t)1 << L) - 1);
}

/* Rotate the low L bits of x down by s (0 <= s < L): result bit l = x bit (l + s) mod L. */
static inline uint64_t rot_down(uint64_t x, int s, int L, uint64_t full) {
    return s ? (((x >> s) | (x << (L - s))) & full) : x;
}

/* ---- packing -------------------------------------------------------------------------------- */

/* a_mask uint8 [M, K] row-major -> out uint64 [M, T]; lane l of step t is k = t * L + l. */
int gc_pack_rows(const uint8_t *mask, int rows, int K, int L, uint64_t *out) {
    if (rows <= 0 || K <= 0 || L <= 0 || L > 64) return GC_ERR_SHAPE;
    const int T = steps_of(K, L);
    for (int r = 0; r < rows; r++) {
        const uint8_t *row = mask + (size_t)r * K;
        uint64_t *dst = out + (size_t)r * T;
        for (int t = 0; t < T; t++) {
            const int k0 = t * L;
            const int n = (K - k0 < L) ? K - k0 : L;
            uint64_t word = 0;
            for (int l = 0; l < n; l++) word |= (uint64_t)(row[k0 + l] != 0) << l;
            dst[t] = word;
        }
    }
    return GC_OK;
}

/* w_mask uint8 [K, N] row-major -> out uint64 [N, T] (one packed row per weight column n).
 * Reads the mask in its storage order; the [N, T] output is small enough to stay in cache. */
int gc_pack_cols(const uint8_t *mask, int K, int cols, int L, uint64_t *out) {
    if (cols <= 0 || K <= 0 || L <= 0 || L > 64) return GC_ERR_SHAPE;
    const int T = steps_of(K, L);
    memset(out, 0, sizeof(uint64_t) * (size_t)cols * T);
    for (int k = 0; k < K; k++) {
        const uint8_t *row = mask + (size_t)k * cols;
        const int t = k / L;
        const uint64_t bit = (uint64_t)1 << (k % L);
        for (int n = 0; n < cols; n++)
            if (row[n]) out[(size_t)n * T + t] |= bit;
    }
    return GC_OK;
}

/* ---- one tile, shared step pointer (sync = core) ------------------------------------------- */

/* Lane counts kept in 16-bit fields (each <= 16) with shifts, adds and masks only, so the loops
 * that use it still vectorise on ISAs without a vector popcount (AVX2); fold16 sums the fields. */
static inline uint64_t pop16(uint64_t x) {
    x = x - ((x >> 1) & 0x5555555555555555ULL);
    x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
    x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0fULL;
    return (x + (x >> 8)) & 0x00ff00ff00ff00ffULL;
}

static inline int64_t fold16(uint64_t acc) {
    return (int64_t)((acc & 0xffff) + ((acc >> 16) & 0xffff) + ((acc >> 32) & 0xffff)
                     + (acc >> 48));
}

/* A 16-bit field gains at most 16 per word: 4095 words cannot overflow it. */
#define POP_BLOCK 4095

/* One offset over groups q in [lo, hi): group q borrows from src[q] (src already shifted by the
 * offset's dg); keep[q] (or NULL for all ones) zeroes the pairs that would cross a row edge.
 * Returns the lanes taken. */
static inline int64_t take_range(uint64_t *restrict freew, uint64_t *restrict src,
                                 const uint64_t *restrict keep, int lo, int hi, int s, int u, int L,
                                 uint64_t full) {
    int64_t cnt = 0;
    for (int q0 = lo; q0 < hi; q0 += POP_BLOCK) {
        const int q1 = hi - q0 < POP_BLOCK ? hi : q0 + POP_BLOCK;
        uint64_t acc = 0;
        if (keep) {
            for (int q = q0; q < q1; q++) {
                const uint64_t tk = freew[q] & rot_down(src[q], s, L, full) & keep[q];
                freew[q] ^= tk;
                src[q] &= ~rot_down(tk, u, L, full);
                acc += pop16(tk);
            }
        } else if (s == 0) {
            for (int q = q0; q < q1; q++) {
                const uint64_t tk = freew[q] & src[q];
                freew[q] ^= tk;
                src[q] ^= tk;
                acc += pop16(tk);
            }
        } else {
            for (int q = q0; q < q1; q++) {
                const uint64_t tk = freew[q] & rot_down(src[q], s, L, full);
                freew[q] ^= tk;
                src[q] &= ~rot_down(tk, u, L, full);
                acc += pop16(tk);
            }
        }
        cnt += fold16(acc);
    }
    return cnt;
}

/* pend: step-major [T, Gt]; keep: per offset either NULL (dg = 0) or [Gt] row-edge masks. */
static int64_t tile_core(uint64_t *pend, uint64_t *freew, int Gt, int T, int L,
                         const offset_t *win, uint64_t *const *keep, int nw, int D,
                         int64_t *taken, int64_t *busy) {
    const uint64_t full = full_mask(L);
    int64_t cycles = 0, busy_sum = 0;
    int t0 = 0;
    while (t0 < T) {
        cycles++;
        /* Own slot first: every multiplier is free, so each group simply takes its whole row t0. */
        {
            uint64_t *row = pend + (size_t)t0 * Gt;
            for (int q0 = 0; q0 < Gt; q0 += POP_BLOCK) {
                const int q1 = Gt - q0 < POP_BLOCK ? Gt : q0 + POP_BLOCK;
                uint64_t acc = 0;
                for (int q = q0; q < q1; q++) {
                    const uint64_t x = row[q];
                    freew[q] = full & ~x;
                    acc += pop16(x);
                    row[q] = 0;
                }
                taken[0] += fold16(acc);
            }
        }
        for (int i = 1; i < nw; i++) {
            const int t = t0 + win[i].dt;
            if (t >= T) continue;
            const int dg = win[i].dg;
            /* Group q reads q + dg: keep both inside [0, Gt); keep[] handles the row edges. */
            const int lo = dg < 0 ? -dg : 0, hi = dg > 0 ? Gt - dg : Gt;
            uint64_t *src = pend + (size_t)t * Gt + dg;
            taken[i] += take_range(freew, src, keep[i], lo, hi, win[i].sd, win[i].su, L, full);
            uint64_t anyfree = 0;
            for (int q = 0; q < Gt; q++) anyfree |= freew[q];
            if (!anyfree) break; /* every multiplier is busy: later offsets cannot take anything */
        }
        for (int q = 0; q < Gt; q++) busy_sum += freew[q] != full;
        /* t0 <- min(next nonempty step, t0 + D + 1): only steps t0+1 .. t0+D need a look. */
        int nxt = t0 + D + 1;
        const int lim = (t0 + D < T - 1) ? t0 + D : T - 1;
        for (int t = t0 + 1; t <= lim; t++) {
            const uint64_t *row = pend + (size_t)t * Gt;
            uint64_t acc = 0;
            for (int q = 0; q < Gt; q++) acc |= row[q];
            if (acc) { nxt = t; break; }
        }
        t0 = nxt;
    }
    *busy += busy_sum;
    return cycles;
}

/* ---- one tile, one pointer per group (sync = group): max over groups ------------------------ */

static int64_t tile_group(uint64_t *pend, int Gt, int T, int L, const offset_t *win, int nw,
                          int D, int64_t *taken, int64_t *busy) {
    const uint64_t full = full_mask(L);
    int64_t worst = 0, busy_sum = 0;
    for (int q = 0; q < Gt; q++) {
        uint64_t *col = pend + (size_t)q * T;
        int64_t cycles = 0;
        int t0 = 0;
        while (t0 < T) {
            cycles++;
            const uint64_t own = col[t0];
            uint64_t fr = full & ~own;
            taken[0] += __builtin_popcountll(own);
            col[t0] = 0;
            for (int i = 1; i < nw && fr; i++) {
                const int t = t0 + win[i].dt;
                if (t >= T) continue;
                const uint64_t tk = fr & rot_down(col[t], win[i].sd, L, full);
                if (tk) {
                    fr ^= tk;
                    col[t] &= ~rot_down(tk, win[i].su, L, full);
                    taken[i] += __builtin_popcountll(tk);
                }
            }
            busy_sum += fr != full;
            int nxt = t0 + D + 1;
            const int lim = (t0 + D < T - 1) ? t0 + D : T - 1;
            for (int t = t0 + 1; t <= lim; t++)
                if (col[t]) { nxt = t; break; }
            t0 = nxt;
        }
        if (cycles > worst) worst = cycles;
    }
    *busy += busy_sum;
    return worst;
}

/* ---- the GEMM -------------------------------------------------------------------------------- */

/* Step-major, zero-padded copy of packed rows: src [n, T] -> dst [T, n_pad] (n_pad >= n). */
static void to_step_major(const uint64_t *src, int n, int n_pad, int T, uint64_t *dst) {
    memset(dst, 0, sizeof(uint64_t) * (size_t)T * n_pad);
    for (int r = 0; r < n; r++)
        for (int t = 0; t < T; t++) dst[(size_t)t * n_pad + r] = src[(size_t)r * T + t];
}

/* Schedule every tile of Out[M, N] = A[M, K] W[K, N] from pre-packed operands.
 *   apack: uint64 [M, T] (gc_pack_rows of a_mask), wpack: uint64 [N, T] (gc_pack_cols of w_mask);
 *   either may be NULL when the exploit does not read it.
 *   exploit: 0 none, 1 A, 2 W, 3 AW; sync: 0 core, 1 group.
 *   offsets: int32 [n_off, 3] rows (dt, dl, dg) in priority order, own slot excluded.
 *   out_taken: int64 [n_off + 1] (own slot, then each offset) or NULL; out_busy: int64 or NULL.
 * Returns total cycles over all tiles (>= 0) or a negative GC_ERR_* code.
 * Allocates its scratch once per call; nothing is allocated per tile. */
int64_t gc_gemm_cycles_packed(int exploit, int sync, int R, int C, int L, int M, int N, int K,
                              const uint64_t *apack, const uint64_t *wpack, int n_off,
                              const int32_t *offsets, int64_t *out_taken, int64_t *out_busy) {
    if (R <= 0 || C <= 0 || L <= 0 || L > 64 || M <= 0 || N <= 0 || K <= 0 || n_off < 0)
        return GC_ERR_SHAPE;
    if (exploit < 0 || exploit > 3 || sync < 0 || sync > 1) return GC_ERR_EXPLOIT;
    for (int i = 0; i < n_off; i++) {
        const int dt = offsets[3 * i], dl = offsets[3 * i + 1], dg = offsets[3 * i + 2];
        if (dt < 1 || dl <= -L || dl >= L || (sync == 1 && dg != 0)) return GC_ERR_WINDOW;
    }
    const int T = steps_of(K, L);
    const int n_mt = (M + C - 1) / C, n_nt = (N + R - 1) / R;
    const int nw = n_off + 1;
    if (exploit == 0) { /* the dense core: T cycles per tile, nothing borrowed */
        if (out_taken) memset(out_taken, 0, sizeof(int64_t) * (size_t)nw);
        if (out_busy) *out_busy = 0;
        return (int64_t)n_mt * n_nt * T;
    }
    int P, G;
    if (exploit == 1) { P = 1; G = C; }
    else if (exploit == 2) { P = 1; G = R; }
    else { P = R; G = C; }
    const int Gt = P * G, Mp = n_mt * C, Np = n_nt * R;

    /* Scratch, all allocated here. */
    offset_t *win = malloc(sizeof(offset_t) * (size_t)nw);
    uint64_t **keep = calloc((size_t)nw, sizeof(uint64_t *));
    int64_t *taken = calloc((size_t)nw, sizeof(int64_t));
    int64_t *tk = calloc((size_t)nw, sizeof(int64_t));
    uint64_t *pend = malloc(sizeof(uint64_t) * (size_t)Gt * T);
    uint64_t *freew = malloc(sizeof(uint64_t) * (size_t)Gt);
    uint64_t *zero = calloc((size_t)T, sizeof(uint64_t));
    uint64_t *keep_all = calloc((size_t)nw * Gt, sizeof(uint64_t));
    uint64_t *aT = NULL, *wT = NULL;
    int ok = win && keep && taken && tk && pend && freew && zero && keep_all;
    if (ok && sync == 0) {
        /* Step-major operands make one tile step a contiguous slice: cheap tile builds. */
        if (exploit != 2) ok = (aT = malloc(sizeof(uint64_t) * (size_t)T * Mp)) != NULL;
        if (ok && exploit != 1) ok = (wT = malloc(sizeof(uint64_t) * (size_t)T * Np)) != NULL;
        if (ok && aT) to_step_major(apack, M, Mp, T, aT);
        if (ok && wT) to_step_major(wpack, N, Np, T, wT);
    }
    int64_t cycles = GC_ERR_NOMEM, busy = 0;
    if (!ok) goto done;

    win[0].dt = 0; win[0].sd = 0; win[0].su = 0; win[0].dg = 0;
    int D = 0;
    for (int i = 1; i < nw; i++) {
        const int dt = offsets[3 * i - 3], dl = offsets[3 * i - 2], dg = offsets[3 * i - 1];
        const int sd = ((dl % L) + L) % L;
        win[i].sd = sd;
        win[i].su = (L - sd) % L;
        /* A neighbour |dg| >= G away is outside the core for every group: never any work. */
        win[i].dt = (dg <= -G || dg >= G) ? T : dt;
        win[i].dg = (dg <= -G || dg >= G) ? 0 : dg;
        if (dt > D) D = dt;
        if (win[i].dg != 0 && P > 1) {
            /* Rows of groups are independent: a pair (q, q + dg) across a row edge is void. */
            keep[i] = keep_all + (size_t)i * Gt;
            for (int q = 0; q < Gt; q++) {
                const int g = q % G + win[i].dg;
                keep[i][q] = (g >= 0 && g < G) ? ~(uint64_t)0 : 0;
            }
        }
    }

    /* A and W: identical tiles along the unused axis are scheduled once (see header). */
    const int outer = exploit == 2 ? n_nt : n_mt;
    const int inner = exploit == 3 ? n_nt : 1;
    const int64_t repeat = exploit == 1 ? n_nt : exploit == 2 ? n_mt : 1;
    cycles = 0;
    for (int i = 0; i < outer; i++) {
        for (int j = 0; j < inner; j++) {
            if (sync == 0) { /* step-major */
                for (int t = 0; t < T; t++) {
                    uint64_t *dst = pend + (size_t)t * Gt;
                    if (exploit == 1) {
                        memcpy(dst, aT + (size_t)t * Mp + (size_t)i * C, sizeof(uint64_t) * C);
                    } else if (exploit == 2) {
                        memcpy(dst, wT + (size_t)t * Np + (size_t)i * R, sizeof(uint64_t) * R);
                    } else {
                        const uint64_t *a = aT + (size_t)t * Mp + (size_t)i * C;
                        const uint64_t *w = wT + (size_t)t * Np + (size_t)j * R;
                        for (int r = 0; r < R; r++)
                            for (int c = 0; c < C; c++) dst[r * C + c] = a[c] & w[r];
                    }
                }
            } else {
                for (int q = 0; q < Gt; q++) {
                    const int r = exploit == 2 ? q : q / C, c = q % C;
                    const int m = i * C + c, n = (exploit == 2 ? i : j) * R + r;
                    const uint64_t *a = (exploit != 2 && m < M) ? apack + (size_t)m * T : zero;
                    const uint64_t *w = (exploit != 1 && n < N) ? wpack + (size_t)n * T : zero;
                    uint64_t *dst = pend + (size_t)q * T; /* group-major */
                    if (exploit == 1) for (int t = 0; t < T; t++) dst[t] = a[t];
                    else if (exploit == 2) for (int t = 0; t < T; t++) dst[t] = w[t];
                    else for (int t = 0; t < T; t++) dst[t] = a[t] & w[t];
                }
            }
            memset(tk, 0, sizeof(int64_t) * (size_t)nw);
            int64_t b = 0, cyc;
            if (sync == 0)
                cyc = tile_core(pend, freew, Gt, T, L, win, keep, nw, D, tk, &b);
            else
                cyc = tile_group(pend, Gt, T, L, win, nw, D, tk, &b);
            cycles += cyc * repeat;
            busy += b * repeat;
            for (int x = 0; x < nw; x++) taken[x] += tk[x] * repeat;
        }
    }
    if (out_taken) memcpy(out_taken, taken, sizeof(int64_t) * (size_t)nw);
    if (out_busy) *out_busy = busy;
done:
    free(win); free(keep); free(taken); free(tk); free(pend); free(freew); free(zero);
    free(keep_all); free(aT); free(wT);
    return cycles;
}

/* Convenience entry point on byte masks: packs, then schedules (packing time included).
 *   a_mask: uint8 [M, K] row-major; w_mask: uint8 [K, N] row-major (nonzero = pending). */
int64_t gc_gemm_cycles(int exploit, int sync, int R, int C, int L, int M, int N, int K,
                       const uint8_t *a_mask, const uint8_t *w_mask, int n_off,
                       const int32_t *offsets, int64_t *out_taken, int64_t *out_busy) {
    if (R <= 0 || C <= 0 || L <= 0 || L > 64 || M <= 0 || N <= 0 || K <= 0) return GC_ERR_SHAPE;
    const int T = steps_of(K, L);
    uint64_t *ap = (uint64_t *)malloc(sizeof(uint64_t) * (size_t)M * T);
    uint64_t *wp = (uint64_t *)malloc(sizeof(uint64_t) * (size_t)N * T);
    if (!ap || !wp) { free(ap); free(wp); return GC_ERR_NOMEM; }
    gc_pack_rows(a_mask, M, K, L, ap);
    gc_pack_cols(w_mask, K, N, L, wp);
    const int64_t out = gc_gemm_cycles_packed(exploit, sync, R, C, L, M, N, K, ap, wp, n_off,
                                              offsets, out_taken, out_busy);
    free(ap); free(wp);
    return out;
}
