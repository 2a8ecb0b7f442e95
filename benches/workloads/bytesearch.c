// memchr-like byte search, vectorized by clang under -msimd128 (built twice: bytesearch_simd.wasm
// and bytesearch_scalar.wasm). clang 14 does not vectorize loops with an early exit, so the
// search tests 64-byte blocks with a branch-free "any byte equal?" loop (i8x16.eq and an OR
// reduction when vectorized), and scans a block byte by byte only when it holds a match.
// run(n) performs n searches for rare bytes in a 256 KiB buffer and returns a checksum of the
// positions found; it also counts one byte value over the whole buffer (a compare-and-sum loop).
#include <stdint.h>

#define LEN (256 * 1024)
#define BLOCK 64
static uint8_t buf[LEN];

static int32_t find(const uint8_t *p, int32_t from, int32_t len, uint8_t c) {
    int32_t i = from;
    for (; i + BLOCK <= len; i += BLOCK) {
        uint8_t any = 0;
        for (int j = 0; j < BLOCK; j++) any |= (uint8_t)(p[i + j] == c);
        if (any) break;
    }
    for (; i < len; i++)
        if (p[i] == c) return i;
    return -1;
}

static uint32_t count(const uint8_t *p, int32_t len, uint8_t c) {
    uint32_t k = 0;
    for (int32_t i = 0; i < len; i++) k += p[i] == c;
    return k;
}

int32_t run(int32_t n) {
    uint32_t seed = 12345;
    // Bytes 0..239 only; the needles 240..255 are planted sparsely.
    for (int32_t i = 0; i < LEN; i++) {
        seed = seed * 1664525u + 1013904223u;
        buf[i] = (uint8_t)((seed >> 24) % 240u);
    }
    for (int32_t k = 0; k < 64; k++) {
        seed = seed * 1664525u + 1013904223u;
        buf[(seed >> 8) % LEN] = (uint8_t)(240u + k % 16u);
    }
    uint32_t sum = count(buf, LEN, 17);
    for (int32_t r = 0; r < n; r++) {
        seed = seed * 1664525u + 1013904223u;
        uint8_t needle = (uint8_t)(240u + (seed >> 28));
        int32_t from = (int32_t)((seed >> 4) % (LEN / 2));
        int32_t at = find(buf, from, LEN, needle);
        sum = sum * 31u + (uint32_t)at;
    }
    return (int32_t)sum;
}
