// memcpy/memset-heavy loop (build with -mbulk-memory so these become memory.copy/memory.fill):
// run(n) performs n rounds of fills and copies of LCG-chosen sizes (16 B to 64 KiB) and offsets
// within two 1 MiB buffers, sampling a few bytes after each, and returns a checksum.
#include <stdint.h>
#include <string.h>

#define BUF (1u << 20)
static uint8_t src[BUF], dst[BUF];

int32_t run(int32_t n) {
    uint32_t seed = 2024;
    for (uint32_t i = 0; i < BUF; i++) src[i] = (uint8_t)(i * 131u + (i >> 8));
    memset(dst, 0, BUF);
    uint32_t sum = 0;
    for (int32_t r = 0; r < n; r++) {
        seed = seed * 1664525u + 1013904223u;
        // Mostly small and medium sizes, one round in eight large.
        uint32_t size = (r & 7) == 0 ? 4096u + (seed >> 16) % 61440u : 16u + (seed >> 20) % 1008u;
        seed = seed * 1664525u + 1013904223u;
        uint32_t from = (seed >> 8) % (BUF - size);
        seed = seed * 1664525u + 1013904223u;
        uint32_t to = (seed >> 8) % (BUF - size);
        if (r & 1) {
            memset(dst + to, (int)(seed & 0xff), size);
        } else {
            memcpy(dst + to, src + from, size);
        }
        // Also move data inside one buffer (overlapping ranges are allowed for memmove).
        memmove(src + (to ^ 0x40u) % (BUF - size), src + from, size);
        sum = sum * 31u + dst[to] + dst[to + size - 1] + src[from + size / 2];
    }
    for (uint32_t i = 0; i < BUF; i += 4096) sum = sum * 33u + dst[i] + src[i];
    return (int32_t)sum;
}
