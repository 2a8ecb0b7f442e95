// A guest that "panics": it reports the failure on stderr (through fd_write), then aborts,
// which wasi-libc turns into Wasm's `unreachable` — a trap the host sees.
#include <stdio.h>
#include <stdlib.h>

static void check_positive(int x) {
    if (x <= 0) {
        fprintf(stderr, "panicked at 'expected a positive number, got %d'\n", x);
        abort();
    }
}

int main(int argc, char **argv) {
    printf("Hello from the guest!\n");
    fflush(stdout);
    check_positive(argc - 2);
    return 0;
}
