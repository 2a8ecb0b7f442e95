/* Shared by the wasi_*.c conformance programs: each check compares what a raw preview-1 call
 * returned with what a conforming runtime returns (wasmtime breaks ties), prints a line for
 * each failure, and finish() prints the totals and gives the exit status. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <wasi/api.h>

/* The preopened scratch directory: the only preopen the tests are run with. */
#define DIR 3
/* Every right that preview 1 defines (bits 0 to 29). */
#define RIGHTS_ALL ((__wasi_rights_t)0x3fffffff)

static int checks, failures;

static void expect_errno(int line, const char *what, int got, int want) {
    checks++;
    if (got != want) {
        failures++;
        printf("FAIL line %d: %s: errno %d, want %d\n", line, what, got, want);
    }
}

static void expect_u64(int line, const char *what, uint64_t got, uint64_t want) {
    checks++;
    if (got != want) {
        failures++;
        printf("FAIL line %d: %s: %llu (0x%llx), want %llu (0x%llx)\n", line, what,
               (unsigned long long)got, (unsigned long long)got, (unsigned long long)want,
               (unsigned long long)want);
    }
}

/* The errno a call returns. */
#define ERR(call, want) expect_errno(__LINE__, #call, (call), (want))
/* The call succeeds. */
#define OK(call) expect_errno(__LINE__, #call, (call), 0)
/* Two integers are equal. */
#define EQ(got, want) expect_u64(__LINE__, #got, (uint64_t)(got), (uint64_t)(want))

static int finish(const char *name) {
    printf("%s: %d checks, %d failed\n", name, checks, failures);
    return failures ? 1 : 0;
}

/* Opens `path` under the preopen (following links) and returns the fd, or -1 with a failure. */
static int open_at(int line, int dir, const char *path, __wasi_oflags_t oflags,
                   __wasi_rights_t base, __wasi_fdflags_t fdflags) {
    __wasi_fd_t fd = 0;
    int e = __wasi_path_open(dir, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, path, oflags, base, base,
                             fdflags, &fd);
    expect_errno(line, path, e, 0);
    return e ? -1 : (int)fd;
}
#define OPEN(dir, path, oflags, base, fdflags) open_at(__LINE__, dir, path, oflags, base, fdflags)

/* Writes `s` to `fd` and returns the count written (or -1). */
static long put(int fd, const char *s) {
    __wasi_ciovec_t iov = {(const uint8_t *)s, strlen(s)};
    __wasi_size_t n = 0;
    return __wasi_fd_write(fd, &iov, 1, &n) ? -1 : (long)n;
}

/* Reads up to `len` bytes of `fd` into `buf` (NUL-terminated) and returns the count (or -1). */
static long get(int fd, char *buf, size_t len) {
    __wasi_iovec_t iov = {(uint8_t *)buf, len - 1};
    __wasi_size_t n = 0;
    if (__wasi_fd_read(fd, &iov, 1, &n)) return -1;
    buf[n] = 0;
    return (long)n;
}

/* A path that would leave its directory: PERM, as the conformance suite and wasmtime say. */
#define ESCAPE(call) expect_errno(__LINE__, #call, (call), __WASI_ERRNO_PERM)
