/* Directories and names: path_create_directory, path_remove_directory, path_unlink_file,
 * path_rename, path_link, path_filestat_get/set_times, trailing slashes, and fd_readdir with
 * cookies and small buffers. */
#include "check.h"

#define BAD 99
#define S(n) (1000000000ull * (n))

static void touch(const char *path) {
    __wasi_fd_t fd;
    OK(__wasi_path_open(DIR, 0, path, __WASI_OFLAGS_CREAT, __WASI_RIGHTS_FD_WRITE, 0, 0, &fd));
    OK(__wasi_fd_close(fd));
}

/* The names fd_readdir lists from `cookie` on with a `len`-byte buffer, joined by spaces; a
 * cut entry ends the list with '~'. Returns the cookie after the last whole entry. */
static uint64_t list(__wasi_fd_t fd, uint64_t cookie, size_t len, char *out) {
    static uint8_t buf[4096];
    __wasi_size_t used = 0;
    uint64_t next = cookie;
    *out = 0;
    OK(__wasi_fd_readdir(fd, buf, len, cookie, &used));
    for (size_t at = 0; at < used;) {
        __wasi_dirent_t e;
        if (used - at < sizeof e) {
            strcat(out, "~");
            break;
        }
        memcpy(&e, buf + at, sizeof e);
        at += sizeof e;
        if (used - at < e.d_namlen) {
            strcat(out, "~");
            break;
        }
        if (*out) strcat(out, " ");
        strncat(out, (const char *)buf + at, e.d_namlen);
        at += e.d_namlen;
        next = e.d_next;
    }
    return next;
}

/* The names from cookie 0 in buffers of `len` bytes, sorted, "." and ".." left out. */
static void list_all(__wasi_fd_t fd, size_t len, char *out) {
    char names[16][32];
    int count = 0;
    uint64_t cookie = 0;
    static uint8_t buf[4096];
    for (int rounds = 0; rounds < 100; rounds++) {
        __wasi_size_t used = 0;
        int got = 0;
        if (__wasi_fd_readdir(fd, buf, len, cookie, &used)) break;
        for (size_t at = 0; at + sizeof(__wasi_dirent_t) <= used;) {
            __wasi_dirent_t e;
            memcpy(&e, buf + at, sizeof e);
            if (at + sizeof e + e.d_namlen > used) break;
            if (!(e.d_namlen == 1 && buf[at + sizeof e] == '.') &&
                !(e.d_namlen == 2 && !memcmp(buf + at + sizeof e, "..", 2)) && count < 16) {
                memcpy(names[count], buf + at + sizeof e, e.d_namlen);
                names[count++][e.d_namlen] = 0;
            }
            cookie = e.d_next;
            got = 1;
            at += sizeof e + e.d_namlen;
        }
        if (used < len || !got) break;
    }
    for (int i = 0; i < count; i++)
        for (int j = i + 1; j < count; j++)
            if (strcmp(names[i], names[j]) > 0) {
                char t[32];
                strcpy(t, names[i]);
                strcpy(names[i], names[j]);
                strcpy(names[j], t);
            }
    *out = 0;
    for (int i = 0; i < count; i++) {
        if (i) strcat(out, " ");
        strcat(out, names[i]);
    }
}

int main(void) {
    __wasi_filestat_t st, st2;
    __wasi_fd_t d;
    char names[512];

    /* Create and remove directories. */
    OK(__wasi_path_create_directory(DIR, "a"));
    ERR(__wasi_path_create_directory(DIR, "a"), __WASI_ERRNO_EXIST);
    ERR(__wasi_path_create_directory(DIR, "."), __WASI_ERRNO_EXIST);
    OK(__wasi_path_create_directory(DIR, "a/b/"));
    ERR(__wasi_path_create_directory(DIR, "missing/b"), __WASI_ERRNO_NOENT);
    ERR(__wasi_path_create_directory(BAD, "x"), __WASI_ERRNO_BADF);
    ERR(__wasi_path_create_directory(DIR, ""), __WASI_ERRNO_NOENT);
    touch("a/file");
    ERR(__wasi_path_create_directory(DIR, "a/file/x"), __WASI_ERRNO_NOTDIR);
    ERR(__wasi_path_remove_directory(DIR, "a"), __WASI_ERRNO_NOTEMPTY);
    ERR(__wasi_path_remove_directory(DIR, "a/file"), __WASI_ERRNO_NOTDIR);
    ERR(__wasi_path_remove_directory(DIR, "a/nope"), __WASI_ERRNO_NOENT);
    ERR(__wasi_path_remove_directory(DIR, "."), __WASI_ERRNO_INVAL);
    ERR(__wasi_path_remove_directory(BAD, "a"), __WASI_ERRNO_BADF);
    OK(__wasi_path_remove_directory(DIR, "a/b/"));
    ERR(__wasi_path_remove_directory(DIR, "a/b"), __WASI_ERRNO_NOENT);

    /* Unlink. */
    ERR(__wasi_path_unlink_file(DIR, "a"), __WASI_ERRNO_ISDIR);
    ERR(__wasi_path_unlink_file(DIR, "a/"), __WASI_ERRNO_ISDIR);
    ERR(__wasi_path_unlink_file(DIR, "a/file/"), __WASI_ERRNO_NOTDIR);
    ERR(__wasi_path_unlink_file(DIR, "a/nope"), __WASI_ERRNO_NOENT);
    ERR(__wasi_path_unlink_file(BAD, "a/file"), __WASI_ERRNO_BADF);
    OK(__wasi_path_unlink_file(DIR, "a/file"));
    ERR(__wasi_path_unlink_file(DIR, "a/file"), __WASI_ERRNO_NOENT);

    /* Trailing slashes on files. */
    touch("f");
    ERR(__wasi_path_filestat_get(DIR, 0, "f/", &st), __WASI_ERRNO_NOTDIR);
    {
        __wasi_fd_t fd;
        ERR(__wasi_path_open(DIR, 0, "f/", 0, 0, 0, 0, &fd), __WASI_ERRNO_NOTDIR);
        ERR(__wasi_path_open(DIR, 0, "g/", __WASI_OFLAGS_CREAT, 0, 0, 0, &fd),
            __WASI_ERRNO_ISDIR);
    }
    OK(__wasi_path_filestat_get(DIR, 0, "a/", &st));
    EQ(st.filetype, __WASI_FILETYPE_DIRECTORY);

    /* Stat and times. */
    OK(__wasi_path_filestat_get(DIR, 0, "f", &st));
    EQ(st.filetype, __WASI_FILETYPE_REGULAR_FILE);
    EQ(st.size, 0);
    EQ(st.nlink, 1);
    OK(__wasi_path_filestat_get(DIR, 0, ".", &st2));
    EQ(st2.filetype, __WASI_FILETYPE_DIRECTORY);
    ERR(__wasi_path_filestat_get(DIR, 0, "nope", &st), __WASI_ERRNO_NOENT);
    ERR(__wasi_path_filestat_get(BAD, 0, "f", &st), __WASI_ERRNO_BADF);
    ERR(__wasi_path_filestat_get(DIR, 0, "f/x", &st), __WASI_ERRNO_NOTDIR);
    OK(__wasi_path_filestat_set_times(DIR, 0, "f", S(10), S(20),
                                      __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM));
    OK(__wasi_path_filestat_get(DIR, 0, "f", &st));
    EQ(st.atim, S(10));
    EQ(st.mtim, S(20));
    OK(__wasi_path_filestat_set_times(DIR, 0, "f", 0, S(30), __WASI_FSTFLAGS_MTIM));
    OK(__wasi_path_filestat_get(DIR, 0, "f", &st));
    EQ(st.atim, S(10));
    EQ(st.mtim, S(30));
    OK(__wasi_path_filestat_set_times(DIR, 0, "a", S(40), 0, __WASI_FSTFLAGS_ATIM));
    OK(__wasi_path_filestat_get(DIR, 0, "a", &st));
    EQ(st.atim, S(40));
    ERR(__wasi_path_filestat_set_times(DIR, 0, "f", 0, 0,
                                       __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_ATIM_NOW),
        __WASI_ERRNO_INVAL);
    ERR(__wasi_path_filestat_set_times(DIR, 0, "f", 0, 0,
                                       __WASI_FSTFLAGS_MTIM | __WASI_FSTFLAGS_MTIM_NOW),
        __WASI_ERRNO_INVAL);
    ERR(__wasi_path_filestat_set_times(DIR, 0, "nope", 0, 0, __WASI_FSTFLAGS_ATIM_NOW),
        __WASI_ERRNO_NOENT);
    ERR(__wasi_path_filestat_set_times(BAD, 0, "f", 0, 0, 0), __WASI_ERRNO_BADF);

    /* Hard links. */
    OK(__wasi_path_link(DIR, 0, "f", DIR, "a/f2"));
    OK(__wasi_path_filestat_get(DIR, 0, "f", &st));
    OK(__wasi_path_filestat_get(DIR, 0, "a/f2", &st2));
    EQ(st.nlink, 2);
    EQ(st.ino, st2.ino);
    ERR(__wasi_path_link(DIR, 0, "f", DIR, "a/f2"), __WASI_ERRNO_EXIST);
    ERR(__wasi_path_link(DIR, 0, "nope", DIR, "x"), __WASI_ERRNO_NOENT);
    ERR(__wasi_path_link(DIR, 0, "a", DIR, "a2"), __WASI_ERRNO_PERM);
    ERR(__wasi_path_link(DIR, 0, "f", DIR, "f/"), __WASI_ERRNO_NOTDIR);
    ERR(__wasi_path_link(BAD, 0, "f", DIR, "x"), __WASI_ERRNO_BADF);
    ERR(__wasi_path_link(DIR, 0, "f", BAD, "x"), __WASI_ERRNO_BADF);
    OK(__wasi_path_unlink_file(DIR, "a/f2"));

    /* Rename. */
    OK(__wasi_path_rename(DIR, "f", DIR, "g"));
    ERR(__wasi_path_filestat_get(DIR, 0, "f", &st), __WASI_ERRNO_NOENT);
    touch("h");
    OK(__wasi_path_rename(DIR, "g", DIR, "h")); /* replaces a file */
    ERR(__wasi_path_rename(DIR, "g", DIR, "i"), __WASI_ERRNO_NOENT);
    ERR(__wasi_path_rename(DIR, "h", DIR, "a"), __WASI_ERRNO_ISDIR);
    ERR(__wasi_path_rename(DIR, "a", DIR, "h"), __WASI_ERRNO_NOTDIR);
    ERR(__wasi_path_rename(DIR, "h/", DIR, "i"), __WASI_ERRNO_NOTDIR);
    ERR(__wasi_path_rename(DIR, "h", DIR, "i/"), __WASI_ERRNO_NOTDIR);
    OK(__wasi_path_create_directory(DIR, "e"));
    OK(__wasi_path_rename(DIR, "e", DIR, "a/e")); /* directory into another */
    OK(__wasi_path_create_directory(DIR, "e"));
    OK(__wasi_path_rename(DIR, "e/", DIR, "a/e/")); /* onto an empty directory */
    OK(__wasi_path_create_directory(DIR, "e"));
    touch("a/e/x");
    ERR(__wasi_path_rename(DIR, "e", DIR, "a/e"), __WASI_ERRNO_NOTEMPTY);
    ERR(__wasi_path_rename(DIR, "a", DIR, "a/e/sub"), __WASI_ERRNO_INVAL);
    ERR(__wasi_path_rename(BAD, "h", DIR, "i"), __WASI_ERRNO_BADF);
    ERR(__wasi_path_rename(DIR, "h", BAD, "i"), __WASI_ERRNO_BADF);
    OK(__wasi_path_open(DIR, 0, "a", __WASI_OFLAGS_DIRECTORY, 0, 0, 0, &d));
    OK(__wasi_path_rename(DIR, "h", d, "h")); /* across descriptors */
    OK(__wasi_path_filestat_get(DIR, 0, "a/h", &st));

    /* fd_readdir: every entry, with "." and "..", whatever the buffer size. */
    OK(__wasi_path_unlink_file(DIR, "a/e/x"));
    OK(__wasi_path_remove_directory(DIR, "a/e"));
    touch("a/one");
    touch("a/two");
    touch("a/three");
    list_all(d, 4096, names);
    EQ(strcmp(names, "h one three two"), 0);
    if (strcmp(names, "h one three two")) printf("  got: %s\n", names);
    list_all(d, 40, names); /* one entry a call */
    EQ(strcmp(names, "h one three two"), 0);
    {
        /* Seven entries in all (., .., h, one, three, two: six, and nothing else). */
        uint64_t c = list(d, 0, 4096, names);
        int count = 1;
        for (char *p = names; *p; p++) count += *p == ' ';
        EQ(count, 6);
        EQ(strstr(names, ". ") == names || strstr(names, " . ") != 0, 1);
        EQ(strstr(names, "..") != 0, 1);
        /* Starting at the last cookie gives nothing. */
        list(d, c, 4096, names);
        EQ(strlen(names), 0);
        /* A buffer too small for the first entry is filled, and the entry is cut. */
        __wasi_size_t used = 0;
        uint8_t small[10];
        OK(__wasi_fd_readdir(d, small, sizeof small, 0, &used));
        EQ(used, sizeof small);
        OK(__wasi_fd_readdir(d, small, 0, 0, &used));
        EQ(used, 0);
        /* Each cookie resumes after its entry. */
        char first[512];
        uint64_t c1 = list(d, 0, 24 + 1, first); /* exactly one entry: "." */
        EQ(strcmp(first, "."), 0);
        list(d, c1, 4096, names);
        EQ(strncmp(names, "..", 2), 0);
    }
    ERR(__wasi_fd_readdir(BAD, (uint8_t *)names, 100, 0, (__wasi_size_t *)&st), __WASI_ERRNO_BADF);
    {
        __wasi_fd_t fd;
        __wasi_size_t used;
        OK(__wasi_path_open(DIR, 0, "a/one", 0, __WASI_RIGHTS_FD_READ, 0, 0, &fd));
        ERR(__wasi_fd_readdir(fd, (uint8_t *)names, 100, 0, &used), __WASI_ERRNO_BADF);
        OK(__wasi_fd_close(fd));
        ERR(__wasi_fd_readdir(1, (uint8_t *)names, 100, 0, &used), __WASI_ERRNO_BADF);
    }
    /* The preopen lists too. */
    list_all(DIR, 4096, names);
    EQ(strcmp(names, "a e"), 0);
    OK(__wasi_fd_close(d));
    return finish("wasi_dirs");
}
