// f64 matrix multiply: run(n) fills two n x n double matrices (n capped at 512) from an LCG,
// computes C = A * B (i-k-j order) and returns a 32-bit fold of the bits of a weighted sum of C.
// IEEE-754 arithmetic without fused multiply-add is deterministic, so every engine agrees.
#include <stdint.h>
#include <string.h>

#define MAXN 512
static double A[MAXN * MAXN], B[MAXN * MAXN], C[MAXN * MAXN];

static uint32_t lcg(uint32_t *s) {
    *s = *s * 1664525u + 1013904223u;
    return *s >> 8;
}

int32_t run(int32_t n_in) {
    uint32_t n = (uint32_t)n_in;
    if (n > MAXN) n = MAXN;
    uint32_t seed = 777;
    for (uint32_t i = 0; i < n * n; i++) {
        A[i] = (double)(lcg(&seed) % 20001u) / 1000.0 - 10.0;
        B[i] = (double)(lcg(&seed) % 20001u) / 1000.0 - 10.0;
        C[i] = 0.0;
    }
    for (uint32_t i = 0; i < n; i++) {
        double *c = &C[i * n];
        for (uint32_t k = 0; k < n; k++) {
            double a = A[i * n + k];
            const double *b = &B[k * n];
            for (uint32_t j = 0; j < n; j++) c[j] += a * b[j];
        }
    }
    double sum = 0.0;
    for (uint32_t i = 0; i < n * n; i++) sum += C[i] * (double)((i % 7u) + 1u);
    uint64_t bits;
    memcpy(&bits, &sum, sizeof bits);
    return (int32_t)(uint32_t)(bits ^ (bits >> 32));
}
