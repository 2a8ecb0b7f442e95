// Integer matrix multiply: run(n) fills two n x n int32 matrices (n capped at 512) from an LCG,
// computes C = A * B (i-k-j loop order, wrapping arithmetic) and returns a weighted sum of C.
#include <stdint.h>

#define MAXN 512
static int32_t A[MAXN * MAXN], B[MAXN * MAXN], C[MAXN * MAXN];

static uint32_t lcg(uint32_t *s) {
    *s = *s * 1664525u + 1013904223u;
    return *s >> 8;
}

int32_t run(int32_t n_in) {
    uint32_t n = (uint32_t)n_in;
    if (n > MAXN) n = MAXN;
    uint32_t seed = 12345;
    for (uint32_t i = 0; i < n * n; i++) {
        A[i] = (int32_t)(lcg(&seed) % 2001u) - 1000;
        B[i] = (int32_t)(lcg(&seed) % 2001u) - 1000;
        C[i] = 0;
    }
    for (uint32_t i = 0; i < n; i++) {
        int32_t *c = &C[i * n];
        for (uint32_t k = 0; k < n; k++) {
            int32_t a = A[i * n + k];
            const int32_t *b = &B[k * n];
            for (uint32_t j = 0; j < n; j++) c[j] += a * b[j];
        }
    }
    uint32_t sum = 0;
    for (uint32_t i = 0; i < n * n; i++) sum = sum * 31u + (uint32_t)C[i];
    return (int32_t)sum;
}
