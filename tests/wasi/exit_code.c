// Exits with status 7 through exit(), after printing (stdio is flushed first).
#include <stdio.h>
#include <stdlib.h>

int main(void) {
    printf("exiting with 7\n");
    exit(7);
}
