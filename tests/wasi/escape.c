// Tries to read outside the preopened directory /sandbox: through "..", an absolute path, and
// symbolic links that point outside. Each attempt must fail; a link inside must work.
// Expects the host to have made: /sandbox/inside.txt, /sandbox/link_in -> inside.txt,
// /sandbox/link_out -> ../outside/secret, /sandbox/link_abs -> <absolute host path of secret>.
// Exits 0 when every escape failed and the controls worked.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <wasi/api.h>

static int failures = 0;

// Opens with libc's preopen lookup.
static void try_libc(const char *path, int should_work) {
    FILE *f = fopen(path, "r");
    if (f) {
        char buf[64] = {0};
        fgets(buf, sizeof buf, f);
        fclose(f);
        printf("%s: opened (%s)\n", path, should_work ? "ok" : "ESCAPED");
        failures += !should_work;
    } else {
        printf("%s: %s (%s)\n", path, should_work ? "FAILED" : "blocked", strerror(errno));
        failures += should_work;
    }
}

// Calls path_open on the preopen's descriptor (3) directly, bypassing libc's path handling.
static void try_raw(const char *path) {
    __wasi_fd_t fd;
    __wasi_errno_t err = __wasi_path_open(3, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, path, 0,
                                          __WASI_RIGHTS_FD_READ, 0, 0, &fd);
    if (err == 0) {
        printf("raw %s: opened (ESCAPED)\n", path);
        failures++;
    } else {
        printf("raw %s: blocked (%s)\n", path, strerror(err));
    }
}

int main(void) {
    try_libc("/sandbox/inside.txt", 1);
    try_libc("/sandbox/link_in", 1);
    try_libc("/sandbox/../outside/secret", 0);
    try_libc("/sandbox/link_out", 0);
    try_libc("/sandbox/link_abs", 0);
    try_libc("/etc/passwd", 0);
    try_raw("../outside/secret");
    try_raw("/etc/passwd");
    try_raw("link_out");
    try_raw("link_abs");

    // A link made by the guest is checked when followed, and absolute targets are refused.
    if (symlink("/etc/passwd", "/sandbox/made_abs") == 0) {
        printf("symlink to /etc/passwd: created (ESCAPED)\n");
        failures++;
    } else {
        printf("symlink to /etc/passwd: blocked (%s)\n", strerror(errno));
    }
    if (symlink("../outside/secret", "/sandbox/made_rel") == 0)
        try_libc("/sandbox/made_rel", 0);
    else
        printf("symlink to ../outside/secret: not created (%s)\n", strerror(errno));

    printf("%s\n", failures ? "SANDBOX BROKEN" : "all escapes blocked");
    return failures ? 1 : 0;
}
