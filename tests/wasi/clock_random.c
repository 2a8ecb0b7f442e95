// Checks that the monotonic clock advances across a nanosleep and a poll, that realtime is
// after 2020, and that random bytes are not all zero. Exits 1 if a check fails.
#include <poll.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(clockid_t clock) {
    struct timespec ts;
    clock_gettime(clock, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int failures = 0;

static void check(const char *what, int ok) {
    printf("%s: %s\n", what, ok ? "ok" : "FAILED");
    failures += !ok;
}

int main(void) {
    long long t0 = now_ns(CLOCK_MONOTONIC);
    struct timespec ten_ms = {0, 10 * 1000 * 1000};
    nanosleep(&ten_ms, NULL);
    long long t1 = now_ns(CLOCK_MONOTONIC);
    check("nanosleep waits 10ms", t1 - t0 >= 10 * 1000 * 1000);

    poll(NULL, 0, 5);
    long long t2 = now_ns(CLOCK_MONOTONIC);
    check("poll waits 5ms", t2 - t1 >= 5 * 1000 * 1000);

    check("realtime after 2020", now_ns(CLOCK_REALTIME) > 1577836800LL * 1000000000LL);
    struct timespec res;
    check("monotonic resolution", clock_getres(CLOCK_MONOTONIC, &res) == 0);

    unsigned char bytes[32] = {0};
    int nonzero = 0;
    if (getentropy(bytes, sizeof bytes) == 0)
        for (size_t i = 0; i < sizeof bytes; i++)
            nonzero |= bytes[i];
    check("random bytes", nonzero != 0);
    return failures ? 1 : 0;
}
