"""The compiled parts of snnlab: the step loop, the Poisson sampler and the connectivity samplers.

Everything here is a numba ``@njit(cache=True)`` function over flat numpy arrays of fixed
dtypes (float64 values, int64 indices, uint16 or int32 synapse targets), so each
function is compiled once per machine (per target type) and then loaded from numba's
cache (``__pycache__`` next to this file, or ``NUMBA_CACHE_DIR``). :mod:`snnlab.engine`
builds the arrays and calls :func:`run_steps` once per slice of a chunk of steps;
:mod:`snnlab.connectivity` calls the samplers. This module is imported
lazily (on the first build that needs it), so ``import snnlab`` does not import numba.

There is one engine: no numpy fallback that could drift apart from it. The step order
is documented in :mod:`snnlab.engine`; :func:`run_steps` follows it line by line, and
its floating-point operations are the ones the former numpy loop did, in the same order
(``tests/test_speed_equivalence.py`` checks spikes and potentials against that loop).
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def unit_interval(raw):
    """The double in [0, 1) that ``Generator.random()`` makes of a raw 64-bit draw (PCG64 and
    others): the top 53 bits times 2**-53."""
    return (raw >> np.uint64(11)) * (1.0 / 9007199254740992.0)


@njit(cache=True)
def sfc64_next(a, b, c, counter):
    """One step of SFC64 (Chris Doty-Humphrey's Small Fast Chaotic generator, as numpy's
    ``numpy.random.SFC64``): returns the 64-bit output and the new state. The state is
    numpy's ``SFC64(...).state["state"]["state"]``, so a stream here is bit for bit the
    stream ``numpy.random.SFC64`` makes from the same seed (the tests check it)."""
    out = a + b + counter
    counter += np.uint64(1)
    a = b ^ (b >> np.uint64(11))
    b = c + (c << np.uint64(3))
    c = ((c << np.uint64(24)) | (c >> np.uint64(40))) + out
    return out, a, b, c, counter


@njit(cache=True)
def poisson_count(raw, cdf, guide, guide_shift):
    """Poisson count by inversion of one raw 64-bit draw, as an index into the tables.

    The draw stands for the uniform ``v / 2**53`` with ``v = raw >> 11`` (the double
    ``Generator.random()`` would make of it). ``cdf[x]`` is ``ceil(P(X <= xmin + x) * 2**53)``,
    so ``v >= cdf[x]`` is exactly ``v / 2**53 >= P(X <= xmin + x)``, in integers;
    ``guide[g]`` is the first ``x`` with ``cdf[x] > g * 2**guide_shift``: the search starts
    in the right bucket (the indexed search of Chen & Asau) and, with a guide table 16
    times longer than the CDF's, almost always ends at its first comparison.
    """
    v = np.int64(raw >> np.uint64(11))
    x = guide[v >> guide_shift]
    while v >= cdf[x]:
        x += 1
    return x


@njit(cache=True)
def add_poisson_input(arriving, state, cdf, guide, guide_shift, weight, xmin):
    """Add ``weight`` times a Poisson count to each entry of ``arriving``, drawing from the
    SFC64 stream ``state`` (4 uint64, advanced in place). Adding a zero count adds 0.0,
    which changes nothing; a branch on it would cost more than the addition."""
    a, b, c, d = state[0], state[1], state[2], state[3]
    for i in range(arriving.size):
        raw, a, b, c, d = sfc64_next(a, b, c, d)
        arriving[i] += weight * (poisson_count(raw, cdf, guide, guide_shift) + xmin)
    state[0], state[1], state[2], state[3] = a, b, c, d


@njit(cache=True)
def run_steps(
    k_first, j_begin, j_end, rows,
    u, refractory, buffer, coupling_totals,
    decay, threshold, u_reset, floor, refractory_steps,
    current, u_inf, current_stride,
    indptr, post, w_scalar, w_per, w_shift, syn_weight, d_scalar, d_per, d_shift, syn_delay,
    c_lo, c_hi, c_every, c_delay, c_effect, c_ptr, c_post,
    p_lo, p_hi, p_weight, p_xmin, p_cdf, p_cdf_off, p_guide, p_guide_off, p_guide_shift, p_state,
    recorded, potentials, recorded_currents,
    spike_step, spike_id, n_spikes, fired,
):
    """Advance the network over steps ``k_first + j`` for ``j = j_begin .. j_end - 1`` of one chunk.

    State (``u``, ``refractory``, the ring ``buffer`` of pending input, the coupling
    counters) is updated in place. ``current`` holds the chunk's external currents and
    ``u_inf = u_rest + R * current`` (row ``j * current_stride``: 0 when they are constant
    in time); ``p_state[p]`` is the random generator of Poisson input ``p`` (SFC64, see
    :func:`sfc64_next`), one draw per neuron and step; ``floor`` is ``-inf`` where there is none.
    Spikes are appended to ``spike_step``/``spike_id`` from position ``n_spikes``. The loop
    stops early, before a step, when fewer than ``n`` free places are left there; the
    caller enlarges them and calls again from the returned ``j``.

    Returns
    -------
    (j, n_spikes) : the first step (within the chunk) not simulated, and the spike count.
    """
    n = u.size
    capacity = spike_step.size
    n_blocks = w_scalar.size
    n_couplings = c_lo.size
    n_poisson = p_lo.size
    n_recorded = recorded.size
    for j in range(j_begin, j_end):
        if n_spikes + n > capacity:
            return j, n_spikes
        k = k_first + j
        arriving = buffer[k % rows]
        jc = j * current_stride
        u_inf_now = u_inf[jc]
        # Poisson counts join the synaptic input arriving now, input after input
        for p in range(n_poisson):
            add_poisson_input(arriving[p_lo[p]:p_hi[p]], p_state[p], p_cdf[p_cdf_off[p]:], p_guide[p_guide_off[p]:],
                              p_guide_shift[p], p_weight[p], p_xmin[p])
        # (2) record u(t_k), the potential after delivery computed exactly as (1) does, and I(t_k)
        for r in range(n_recorded):
            i = recorded[r]
            delivered = u[i] + arriving[i] if refractory[i] == 0 else u[i]
            potentials[k, r] = max(delivered, floor[i])
            recorded_currents[k, r] = current[jc, i]
        # (1) deliver (a refractory neuron discards its input) and (3) integrate over
        # [t_k, t_k + dt] with I(t_k) held; the floor after each; one branch-free pass that
        # the compiler vectorises, the result kept only for neurons that are not refractory
        for i in range(n):
            active = refractory[i] == 0
            delivered = max(u[i] + arriving[i], floor[i])
            integrated = max(u_inf_now[i] + (delivered - u_inf_now[i]) * decay[i], floor[i])
            u[i] = integrated if active else u[i]
            refractory[i] = refractory[i] if active else refractory[i] - 1
            arriving[i] = 0.0
        # (4) threshold, reset, refractory; the spike is stamped t_k. A refractory neuron
        # sits at u_reset < threshold (LIF checks it), so only active ones can cross.
        n_fired = 0
        for i in range(n):
            if u[i] >= threshold[i]:
                fired[n_fired] = i
                n_fired += 1
        for f in range(n_fired):
            i = fired[f]
            u[i] = u_reset[i]
            refractory[i] = refractory_steps[i]
            spike_step[n_spikes] = k
            spike_id[n_spikes] = i
            n_spikes += 1
        if n_fired == 0:
            continue
        # (5) scatter: projection by projection, spiking neuron by neuron, synapse by synapse
        # (the order of the former np.add.at, so that sums into one target are rounded alike)
        for b in range(n_blocks):
            w = w_scalar[b]
            if w_per[b] or d_per[b]:
                for f in range(n_fired):
                    i = fired[f]
                    for s in range(indptr[b, i], indptr[b, i + 1]):
                        if w_per[b]:
                            w = syn_weight[s + w_shift[b]]
                        delay = syn_delay[s + d_shift[b]] if d_per[b] else d_scalar[b]
                        buffer[(k + delay) % rows, post[s]] += w
            else:
                target = buffer[(k + d_scalar[b]) % rows]
                for f in range(n_fired):
                    i = fired[f]
                    for s in range(indptr[b, i], indptr[b, i + 1]):
                        target[post[s]] += w
        # the report's population coupling: an event every c_every spikes of the source
        for c in range(n_couplings):
            emitted = 0
            for f in range(n_fired):
                if c_lo[c] <= fired[f] < c_hi[c]:
                    emitted += 1
            if emitted == 0:
                continue
            before = coupling_totals[c]
            coupling_totals[c] = before + emitted
            events = (before + emitted) // c_every[c] - before // c_every[c]
            if events:
                target = buffer[(k + c_delay[c]) % rows]
                amount = events * c_effect[c]
                for t in range(c_ptr[c], c_ptr[c + 1]):
                    target[c_post[t]] += amount
    return j_end, n_spikes


# -- connectivity --------------------------------------------------------------------------------------


@njit(cache=True)
def k_smallest_rows(raw, k, excluded, out):
    """For each row of uniform keys (``raw``, uint64 draws, see :func:`unit_interval`), write
    the columns of its ``k`` smallest keys, ascending, to the row of ``out`` (int32, (rows, k)).
    Column ``excluded[row]`` (>= 0) is never chosen (an autapse).

    The same set as ``np.argpartition(keys, k - 1, axis=1)[:, :k]`` (the k smallest of
    distinct uniform keys, a uniformly random k-subset), found in one pass: only keys
    below a cut-off five standard deviations above the k-th smallest's expected value are
    candidates, and the k-th smallest is selected among them (among all keys in the rare
    row, about one in 10**6, where too few fall below it). Keys are compared as the
    integers ``raw >> 11`` (the uniform times 2**53, an order-preserving map). Equal keys
    at the k-th place, a chance of about 1e-12 per row, are taken in column order.
    """
    n_rows, n = raw.shape
    cut = np.int64(np.ceil(min(1.0, (k + 5.0 * np.sqrt(k) + 10.0) / n) * 9007199254740992.0))
    columns = np.empty(n, dtype=np.int64)
    values = np.empty(n, dtype=np.int64)
    for row in range(n_rows):
        skip = excluded[row]
        m = 0
        for col in range(n):  # branch-free: about one key in ten is a candidate, unpredictably
            key = np.int64(raw[row, col] >> np.uint64(11))
            columns[m] = col
            values[m] = key
            m += (key < cut) & (col != skip)
        if m < k:
            m = 0
            for col in range(n):
                if col != skip:
                    columns[m] = col
                    values[m] = np.int64(raw[row, col] >> np.uint64(11))
                    m += 1
        kth = np.partition(values[:m], k - 1)[k - 1]  # a partitioned copy; values keeps column order
        ties = k
        for t in range(m):
            if values[t] < kth:
                ties -= 1
        w = 0
        for t in range(m):
            if values[t] < kth or (values[t] == kth and ties > 0):
                if values[t] == kth:
                    ties -= 1
                out[row, w] = columns[t]
                w += 1


@njit(cache=True)
def sample_k_rows(state, n, k, excluded, out):
    """For each row of ``out`` (int32, (rows, k)), ``k`` distinct columns among ``n`` drawn
    uniformly at random (never ``excluded[row]``), ascending: a uniformly random k-subset,
    by rejecting repeats. Work and memory grow with k, not n (for ``k`` well below ``n``).

    ``state`` is an SFC64 stream (4 uint64, see :func:`sfc64_next`), advanced in place. A
    column is ``floor(u * n)`` of a 53-bit uniform ``u``: uniform up to a relative bias
    below ``n / 2**53``.
    """
    marked = np.zeros(n, dtype=np.bool_)
    chosen = np.empty(k, dtype=np.int64)
    a, b, c, d = state[0], state[1], state[2], state[3]
    for row in range(out.shape[0]):
        skip = excluded[row]
        m = 0
        while m < k:
            raw, a, b, c, d = sfc64_next(a, b, c, d)
            col = np.int64(unit_interval(raw) * n)
            if col >= n or col == skip or marked[col]:
                continue
            marked[col] = True
            chosen[m] = col
            m += 1
        if n <= 16 * k:  # in ascending order: a scan of the marks is cheaper than a sort
            m = 0
            for col in range(n):
                if marked[col]:
                    out[row, m] = col
                    m += 1
                    marked[col] = False
        else:
            chosen.sort()
            for t in range(k):
                out[row, t] = chosen[t]
                marked[chosen[t]] = False
    state[0], state[1], state[2], state[3] = a, b, c, d


@njit(cache=True)
def bernoulli_rows(raw, p, excluded, counts):
    """Columns whose uniform key (``raw``, see :func:`unit_interval`) is below ``p``, row by
    row, except column ``excluded[row]``; ``counts[row]`` receives each row's number.
    Returns the columns (int32), ascending within each row."""
    n_rows, n = raw.shape
    total = 0
    for row in range(n_rows):
        c = 0
        for col in range(n):
            if unit_interval(raw[row, col]) < p and col != excluded[row]:
                c += 1
        counts[row] = c
        total += c
    post = np.empty(total, dtype=np.int32)
    w = 0
    for row in range(n_rows):
        for col in range(n):
            if unit_interval(raw[row, col]) < p and col != excluded[row]:
                post[w] = col
                w += 1
    return post


@njit(cache=True)
def transpose_rows(sources, n_pre, indptr):
    """CSR by source of the synapses given per target: ``sources[t]`` lists the sources of
    target ``t`` (int32, shape (n_post, k)); ``indptr`` (int64, n_pre + 1) receives the
    row pointers. Returns the targets (int32), ascending within each source's row
    (targets are visited in order), a counting sort with no temporary of synapse size
    beyond the result."""
    n_post, k = sources.shape
    indptr[:] = 0
    for t in range(n_post):
        for j in range(k):
            indptr[sources[t, j] + 1] += 1
    for i in range(n_pre):
        indptr[i + 1] += indptr[i]
    fill = indptr[:-1].copy()
    post = np.empty(n_post * k, dtype=np.int32)
    for t in range(n_post):
        for j in range(k):
            s = sources[t, j]
            post[fill[s]] = t
            fill[s] += 1
    return post
