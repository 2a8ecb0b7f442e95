// Native driver for checking a workload's checksum without Wasm: see check_native.sh.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int32_t run(int32_t n);

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s N\n", argv[0]);
        return 2;
    }
    printf("%d\n", (int)run((int32_t)atoi(argv[1])));
    return 0;
}
