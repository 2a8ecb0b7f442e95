// memcpy/memset-style loops written out in C and built with -fno-builtin, so clang keeps them as
// loops (no calls to memcpy/memset) and vectorizes them to v128.load/v128.store under
// -msimd128 (built twice: memloop_simd.wasm and memloop_scalar.wasm).
// run(n) performs n rounds of copies, fills and xor-copies of LCG-chosen sizes (64 B to 16 KiB)
// between two 256 KiB buffers, sampling a few bytes after each, and returns a checksum.
#include <stdint.h>

#define BUF (256u * 1024u)
static uint8_t src[BUF], dst[BUF];

static void copy(uint8_t *restrict d, const uint8_t *restrict s, uint32_t len) {
    for (uint32_t i = 0; i < len; i++) d[i] = s[i];
}

static void fill(uint8_t *restrict d, uint8_t v, uint32_t len) {
    for (uint32_t i = 0; i < len; i++) d[i] = v;
}

static void xor_copy(uint8_t *restrict d, const uint8_t *restrict s, uint8_t key, uint32_t len) {
    for (uint32_t i = 0; i < len; i++) d[i] = s[i] ^ key;
}

int32_t run(int32_t n) {
    uint32_t seed = 4242;
    for (uint32_t i = 0; i < BUF; i++) src[i] = (uint8_t)(i * 131u + (i >> 8));
    fill(dst, 0, BUF);
    uint32_t sum = 0;
    for (int32_t r = 0; r < n; r++) {
        seed = seed * 1664525u + 1013904223u;
        uint32_t size = 64u + (seed >> 18) % 16320u;
        seed = seed * 1664525u + 1013904223u;
        uint32_t from = (seed >> 8) % (BUF - size);
        seed = seed * 1664525u + 1013904223u;
        uint32_t to = (seed >> 8) % (BUF - size);
        switch (r % 3) {
        case 0: copy(dst + to, src + from, size); break;
        case 1: fill(dst + to, (uint8_t)seed, size); break;
        default: xor_copy(src + from, dst + to, (uint8_t)(seed >> 3), size); break;
        }
        sum = sum * 31u + dst[to] + dst[to + size - 1] + src[from + size / 2];
    }
    for (uint32_t i = 0; i < BUF; i += 1024) sum = sum * 33u + dst[i] + src[i];
    return (int32_t)sum;
}
