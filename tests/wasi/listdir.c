// listdir DIR: prints the entries of a directory sorted by name, directories with a '/'.
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int by_name(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: listdir DIR\n");
        return 2;
    }
    DIR *dir = opendir(argv[1]);
    if (!dir) {
        perror(argv[1]);
        return 1;
    }
    char **names = NULL;
    size_t count = 0;
    struct dirent *e;
    while ((e = readdir(dir)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        names = realloc(names, (count + 1) * sizeof *names);
        size_t len = strlen(e->d_name);
        names[count] = malloc(len + 2);
        memcpy(names[count], e->d_name, len + 1);
        if (e->d_type == DT_DIR)
            strcat(names[count], "/");
        count++;
    }
    closedir(dir);
    qsort(names, count, sizeof *names, by_name);
    for (size_t i = 0; i < count; i++)
        printf("%s\n", names[i]);
    printf("%zu entries\n", count);
    return 0;
}
