// Integer image kernels that clang vectorizes to i8x16/i16x8/i32x4 code under -msimd128 (built
// twice: pixels_simd.wasm and pixels_scalar.wasm): RGBA to grey (de-interleaving shuffles,
// widening multiplies, narrowing), a sum of absolute differences between two grey frames
// (extends, abs, reductions), and a brightness/contrast map with saturation.
// run(n) processes n frames of 128 x 128 pixels and returns a checksum.
#include <stdint.h>

#define W 128
#define H 128
#define PIX (W * H)
static uint8_t rgba[PIX * 4], grey[PIX], prev[PIX], out[PIX];

static void to_grey(const uint8_t *restrict src, uint8_t *restrict dst) {
    for (int i = 0; i < PIX; i++) {
        uint32_t r = src[4 * i], g = src[4 * i + 1], b = src[4 * i + 2];
        dst[i] = (uint8_t)((77u * r + 150u * g + 29u * b) >> 8);
    }
}

static uint32_t sad(const uint8_t *restrict x, const uint8_t *restrict y) {
    uint32_t s = 0;
    for (int i = 0; i < PIX; i++) {
        int d = (int)x[i] - (int)y[i];
        s += (uint32_t)(d < 0 ? -d : d);
    }
    return s;
}

static void contrast(const uint8_t *restrict src, uint8_t *restrict dst, int gain, int bias) {
    for (int i = 0; i < PIX; i++) {
        int v = (((int)src[i] - 128) * gain >> 4) + 128 + bias;
        dst[i] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
    }
}

int32_t run(int32_t n) {
    uint32_t seed = 99;
    for (int i = 0; i < PIX * 4; i++) {
        seed = seed * 1103515245u + 12345u;
        rgba[i] = (uint8_t)(seed >> 16);
    }
    for (int i = 0; i < PIX; i++) prev[i] = (uint8_t)i;
    uint32_t sum = 0;
    for (int f = 0; f < n; f++) {
        // Move the picture a little each frame.
        for (int i = f & 63; i < PIX * 4; i += 64) rgba[i] += (uint8_t)(f * 7 + 1);
        to_grey(rgba, grey);
        sum = sum * 31u + sad(grey, prev);
        contrast(grey, out, 12 + (f & 15), (f & 31) - 16);
        sum = sum * 31u + sad(out, grey);
        for (int i = 0; i < PIX; i++) prev[i] = out[i];
    }
    return (int32_t)sum;
}
