// Sieve of Eratosthenes: run(n) counts the primes <= n (n capped at 2^23) and returns
// count * 31 + (sum of the primes), wrapping. One byte per number; clears the table each call.
#include <stdint.h>
#include <string.h>

#define MAXN (1u << 23)
static uint8_t composite[MAXN + 1];

int32_t run(int32_t n_in) {
    uint32_t n = (uint32_t)n_in;
    if (n > MAXN) n = MAXN;
    memset(composite, 0, n + 1);
    uint32_t count = 0, sum = 0;
    for (uint32_t i = 2; i <= n; i++) {
        if (composite[i]) continue;
        count++;
        sum += i;
        if (i <= n / i) {
            for (uint32_t j = i * i; j <= n; j += i) composite[j] = 1;
        }
    }
    return (int32_t)(count * 31u + sum);
}
