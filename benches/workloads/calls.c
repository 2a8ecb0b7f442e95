// Call-heavy: run(n) makes n rounds of calls to small non-inlined functions, direct and through
// a function-pointer table (call_indirect), with shallow recursion, and returns the accumulator.
#include <stdint.h>

#define NOINLINE __attribute__((noinline))

NOINLINE uint32_t add2(uint32_t a, uint32_t b) { return a + b; }
NOINLINE uint32_t mix(uint32_t a) { return (a ^ (a >> 15)) * 0x2c1b3c6du; }
NOINLINE uint32_t rotl5(uint32_t a, uint32_t b) { return ((a << 5) | (a >> 27)) ^ b; }
NOINLINE uint32_t sub3(uint32_t a, uint32_t b) { return a - b * 3u; }
NOINLINE uint32_t xor7(uint32_t a, uint32_t b) { return a ^ (b * 7u); }
NOINLINE uint32_t pick(uint32_t a, uint32_t b) { return a > b ? a - b : b - a; }
NOINLINE uint64_t widen(uint32_t a, uint32_t b) { return (uint64_t)a * b; }
NOINLINE uint32_t depth(uint32_t a, uint32_t d) { return d == 0 ? mix(a) : depth(a + d, d - 1) + 1u; }

typedef uint32_t (*binop)(uint32_t, uint32_t);
// volatile: keeps the table (and so the indirect calls) from being folded into direct calls.
static binop volatile table[4] = {add2, rotl5, sub3, xor7};

int32_t run(int32_t n) {
    uint32_t acc = 0x12345678u;
    for (uint32_t i = 0; i < (uint32_t)n; i++) {
        acc = add2(acc, i);
        acc = mix(acc);
        acc = table[i & 3](acc, i);
        acc = pick(acc, i * 2654435761u);
        uint64_t w = widen(acc, i | 1u);
        acc ^= (uint32_t)(w >> 32);
        if ((i & 15) == 0) acc = depth(acc, 8);
    }
    return (int32_t)acc;
}
