// Image blending and an i16 dot product written with explicit <wasm_simd128.h> intrinsics, so
// that shuffles, extending multiplies (extmul), narrowing, i32x4.dot_i16x8_s, saturating and
// rounding-average u8 arithmetic and bitmask are exercised. Built with -msimd128 it uses the
// intrinsics (blend_simd.wasm); without, the scalar code below it, which computes exactly the
// same values (blend_scalar.wasm).
// run(n) blends n frames of 64 x 64 RGBA pixels and returns a checksum.
#include <stdint.h>
#ifdef __wasm_simd128__
#include <wasm_simd128.h>
#endif

#define PIX (64 * 64)
#define BYTES (PIX * 4)
static uint8_t fg[BYTES], bg[BYTES], out[BYTES];
static int16_t wa[BYTES / 2], wb[BYTES / 2];

// out = (fg * alpha + bg * (255 - alpha) + 128) / 255 per channel, alpha being fg's 4th byte;
// x / 255 is computed as (x + (x >> 8)) >> 8, exact for these x.
static void blend(void) {
#ifdef __wasm_simd128__
    const v128_t ones = wasm_u8x16_splat(255);
    const v128_t round = wasm_u16x8_splat(128);
    for (int i = 0; i < BYTES; i += 16) {
        v128_t s = wasm_v128_load(fg + i), d = wasm_v128_load(bg + i);
        v128_t a = wasm_i8x16_shuffle(s, s, 3, 3, 3, 3, 7, 7, 7, 7, 11, 11, 11, 11, 15, 15, 15, 15);
        v128_t na = wasm_i8x16_sub(ones, a);
        v128_t lo = wasm_i16x8_add(wasm_u16x8_extmul_low_u8x16(s, a),
                                   wasm_u16x8_extmul_low_u8x16(d, na));
        v128_t hi = wasm_i16x8_add(wasm_u16x8_extmul_high_u8x16(s, a),
                                   wasm_u16x8_extmul_high_u8x16(d, na));
        lo = wasm_i16x8_add(lo, round);
        hi = wasm_i16x8_add(hi, round);
        lo = wasm_u16x8_shr(wasm_i16x8_add(lo, wasm_u16x8_shr(lo, 8)), 8);
        hi = wasm_u16x8_shr(wasm_i16x8_add(hi, wasm_u16x8_shr(hi, 8)), 8);
        wasm_v128_store(out + i, wasm_u8x16_narrow_i16x8(lo, hi));
    }
#else
    for (int i = 0; i < BYTES; i++) {
        uint32_t a = fg[(i & ~3) + 3];
        uint32_t x = fg[i] * a + bg[i] * (255u - a) + 128u;
        out[i] = (uint8_t)((x + (x >> 8)) >> 8);
    }
#endif
}

// Brighten by k with unsigned saturation, average with bg (rounding up), and count the bytes
// above 200.
static uint32_t brighten(uint8_t k) {
    uint32_t bright = 0;
#ifdef __wasm_simd128__
    const v128_t kk = wasm_u8x16_splat(k), limit = wasm_u8x16_splat(200);
    for (int i = 0; i < BYTES; i += 16) {
        v128_t v = wasm_u8x16_add_sat(wasm_v128_load(out + i), kk);
        v = wasm_u8x16_avgr(v, wasm_v128_load(bg + i));
        wasm_v128_store(out + i, v);
        bright += (uint32_t)__builtin_popcount(wasm_i8x16_bitmask(wasm_u8x16_gt(v, limit)));
    }
#else
    for (int i = 0; i < BYTES; i++) {
        uint32_t v = out[i] + (uint32_t)k;
        v = v > 255 ? 255 : v;
        v = (v + bg[i] + 1) >> 1;
        out[i] = (uint8_t)v;
        bright += v > 200;
    }
#endif
    return bright;
}

// Sum of wa[i] * wb[i] in wrapping 32-bit arithmetic.
static uint32_t dot(void) {
#ifdef __wasm_simd128__
    v128_t acc = wasm_i32x4_splat(0);
    for (int i = 0; i < BYTES / 2; i += 8)
        acc = wasm_i32x4_add(acc, wasm_i32x4_dot_i16x8(wasm_v128_load(wa + i),
                                                       wasm_v128_load(wb + i)));
    return (uint32_t)wasm_i32x4_extract_lane(acc, 0) + (uint32_t)wasm_i32x4_extract_lane(acc, 1) +
           (uint32_t)wasm_i32x4_extract_lane(acc, 2) + (uint32_t)wasm_i32x4_extract_lane(acc, 3);
#else
    uint32_t acc = 0;
    for (int i = 0; i < BYTES / 2; i++) acc += (uint32_t)((int32_t)wa[i] * (int32_t)wb[i]);
    return acc;
#endif
}

int32_t run(int32_t n) {
    uint32_t seed = 31337;
    for (int i = 0; i < BYTES; i++) {
        seed = seed * 1103515245u + 12345u;
        fg[i] = (uint8_t)(seed >> 16);
        bg[i] = (uint8_t)(seed >> 24);
    }
    for (int i = 0; i < BYTES / 2; i++) {
        seed = seed * 1103515245u + 12345u;
        wa[i] = (int16_t)(seed >> 8);
        wb[i] = (int16_t)(seed >> 15);
    }
    uint32_t sum = 0;
    for (int f = 0; f < n; f++) {
        fg[(f * 4 + 3) % BYTES] = (uint8_t)(f * 13);  // change an alpha each frame
        blend();
        sum = sum * 31u + brighten((uint8_t)(f & 63));
        for (int i = 0; i < BYTES; i += 509) sum = sum * 33u + out[i];
        // Feed the picture back into the weights.
        for (int i = 0; i < BYTES / 2; i += 97) wa[i] = (int16_t)(wa[i] + out[i]);
        sum = sum * 31u + dot();
        for (int i = 0; i < BYTES; i += 4) bg[i] ^= out[i];
    }
    return (int32_t)sum;
}
