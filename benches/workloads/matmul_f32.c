// f32 matrix multiply, written so that clang's loop vectorizer turns the inner loop into
// f32x4 operations under -msimd128 (built twice: matmul_f32_simd.wasm and matmul_f32_scalar.wasm).
// run(n) multiplies two n x n matrices (n <= 256) a few times, in i-k-j order (the inner loop
// runs along a row of B and C, contiguous), and returns a checksum of C's bits. Each element is
// the same sum in the same order whether vectorized or not, so both builds give the same result.
#include <stdint.h>
#include <string.h>

#define MAX 256
static float a[MAX * MAX], b[MAX * MAX], c[MAX * MAX];

static void matmul(int n, const float *restrict x, const float *restrict y, float *restrict z) {
    for (int i = 0; i < n; i++) {
        float *restrict row = z + i * n;
        for (int j = 0; j < n; j++) row[j] = 0.0f;
        for (int k = 0; k < n; k++) {
            float s = x[i * n + k];
            const float *restrict yr = y + k * n;
            for (int j = 0; j < n; j++) row[j] += s * yr[j];
        }
    }
}

int32_t run(int32_t n) {
    if (n > MAX) n = MAX;
    if (n < 1) n = 1;
    uint32_t seed = 7;
    for (int i = 0; i < n * n; i++) {
        seed = seed * 1664525u + 1013904223u;
        a[i] = (float)(int32_t)(seed >> 20) / 512.0f - 4.0f;
        seed = seed * 1664525u + 1013904223u;
        b[i] = (float)(int32_t)(seed >> 20) / 1024.0f - 2.0f;
    }
    uint32_t sum = 0;
    for (int round = 0; round < 4; round++) {
        matmul(n, a, b, c);
        for (int i = 0; i < n * n; i++) {
            uint32_t bits;
            memcpy(&bits, &c[i], 4);
            sum = sum * 31u + bits;
        }
        // Feed the result back (scaled down) so that rounds differ.
        for (int i = 0; i < n * n; i++) a[i] = c[i] * 0.001f + a[i];
    }
    return (int32_t)sum;
}
