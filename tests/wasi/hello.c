// Prints a greeting: the smallest WASI program (fd_write, proc_exit).
#include <stdio.h>

int main(void) {
    printf("Hello, world!\n");
    return 0;
}
