// Quicksort: run(n) fills an array of n uint32 (n capped at 4 Mi) from an LCG, sorts it with a
// median-of-three quicksort that finishes small ranges with insertion sort, checks the order and
// returns a position-weighted checksum (or -1 if the result is not sorted).
#include <stdint.h>

#define MAXN (4u << 20)
static uint32_t a[MAXN];

static void insertion_sort(uint32_t *v, int32_t lo, int32_t hi) {
    for (int32_t i = lo + 1; i <= hi; i++) {
        uint32_t x = v[i];
        int32_t j = i - 1;
        while (j >= lo && v[j] > x) {
            v[j + 1] = v[j];
            j--;
        }
        v[j + 1] = x;
    }
}

static void swap(uint32_t *v, int32_t i, int32_t j) {
    uint32_t t = v[i];
    v[i] = v[j];
    v[j] = t;
}

static void quicksort(uint32_t *v, int32_t lo, int32_t hi) {
    while (hi - lo > 16) {
        int32_t mid = lo + (hi - lo) / 2;
        if (v[mid] < v[lo]) swap(v, mid, lo);
        if (v[hi] < v[lo]) swap(v, hi, lo);
        if (v[hi] < v[mid]) swap(v, hi, mid);
        uint32_t pivot = v[mid];
        int32_t i = lo, j = hi;
        while (i <= j) {
            while (v[i] < pivot) i++;
            while (v[j] > pivot) j--;
            if (i <= j) {
                swap(v, i, j);
                i++;
                j--;
            }
        }
        // Recurse into the smaller part, loop on the larger: stack depth stays O(log n).
        if (j - lo < hi - i) {
            quicksort(v, lo, j);
            lo = i;
        } else {
            quicksort(v, i, hi);
            hi = j;
        }
    }
    insertion_sort(v, lo, hi);
}

int32_t run(int32_t n_in) {
    uint32_t n = (uint32_t)n_in;
    if (n > MAXN) n = MAXN;
    uint32_t seed = 42;
    for (uint32_t i = 0; i < n; i++) {
        seed = seed * 1664525u + 1013904223u;
        a[i] = seed ^ (seed >> 13);
    }
    if (n > 1) quicksort(a, 0, (int32_t)n - 1);
    uint32_t sum = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (i > 0 && a[i - 1] > a[i]) return -1;
        sum += a[i] * (i + 1u);
    }
    return (int32_t)sum;
}
