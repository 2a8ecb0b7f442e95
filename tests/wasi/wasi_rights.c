/* Rights as fd_fdstat_get reports them, how path_open derives a new descriptor's rights and
 * access mode, fd_fdstat_set_flags, and path_open's flags. */
#include "check.h"

/* What wasmtime reports for a preopened directory. */
#define PREOPEN_BASE 0x7b7fe00
#define PREOPEN_INHERITING 0xff7ffff
/* An opened directory: everything but seek, write and the two set-size rights. */
#define DIR_RIGHTS (RIGHTS_ALL & ~(__WASI_RIGHTS_FD_SEEK | __WASI_RIGHTS_FD_WRITE | \
                                   __WASI_RIGHTS_PATH_FILESTAT_SET_SIZE |           \
                                   __WASI_RIGHTS_FD_FILESTAT_SET_SIZE))
#define NOT_READ (__WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_READDIR)
/* The path_* rights: a file's other rights are compared without them (wasmtime gives files all
 * of them, regwasm none, as the suite's path_filestat asks: see wasi_set_rights.c). */
#define PATH_RIGHTS 0x71fbe00ull
#define FILE_RIGHTS(st) ((st).fs_rights_base & ~PATH_RIGHTS)

static __wasi_fdstat_t st;

static __wasi_fd_t open_raw(const char *path, __wasi_oflags_t oflags, __wasi_rights_t base,
                            __wasi_rights_t inheriting, __wasi_fdflags_t fdflags, int want) {
    __wasi_fd_t fd = 0;
    int e = __wasi_path_open(DIR, 0, path, oflags, base, inheriting, fdflags, &fd);
    expect_errno(__LINE__, path, e, want);
    return e ? 0 : fd;
}

int main(void) {
    __wasi_fd_t fd, sub;
    char buf[16];

    /* Stdio: a stream with read (stdin) or write (stdout, stderr) only; not a terminal here. */
    OK(__wasi_fd_fdstat_get(0, &st));
    EQ(st.fs_filetype, __WASI_FILETYPE_UNKNOWN);
    EQ(st.fs_rights_base, __WASI_RIGHTS_FD_READ);
    EQ(st.fs_rights_inheriting, __WASI_RIGHTS_FD_READ);
    OK(__wasi_fd_fdstat_get(1, &st));
    EQ(st.fs_filetype, __WASI_FILETYPE_UNKNOWN);
    EQ(st.fs_rights_base, __WASI_RIGHTS_FD_WRITE);
    OK(__wasi_fd_fdstat_get(2, &st));
    EQ(st.fs_rights_base, __WASI_RIGHTS_FD_WRITE);
    EQ(st.fs_flags, 0);

    /* The preopen: directory rights only, never read or write. */
    OK(__wasi_fd_fdstat_get(DIR, &st));
    EQ(st.fs_filetype, __WASI_FILETYPE_DIRECTORY);
    EQ(st.fs_rights_base, PREOPEN_BASE);
    EQ(st.fs_rights_inheriting, PREOPEN_INHERITING);
    EQ(st.fs_rights_base & (__WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE), 0);
    ERR(__wasi_fd_fdstat_get(99, &st), __WASI_ERRNO_BADF);

    /* A subdirectory opened with the preopen's own rights (as Rust's std does) works, and
     * reports directory rights whatever was asked for. */
    OK(__wasi_path_create_directory(DIR, "sub"));
    OK(__wasi_fd_fdstat_get(DIR, &st));
    sub = open_raw("sub", __WASI_OFLAGS_DIRECTORY, st.fs_rights_base, st.fs_rights_inheriting, 0, 0);
    OK(__wasi_fd_fdstat_get(sub, &st));
    EQ(st.fs_filetype, __WASI_FILETYPE_DIRECTORY);
    EQ(st.fs_rights_base, DIR_RIGHTS);
    EQ(st.fs_rights_inheriting, DIR_RIGHTS);
    fd = open_raw("sub", 0, __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_SEEK, 0, 0, 0);
    OK(__wasi_fd_fdstat_get(fd, &st));
    EQ(st.fs_rights_base & __WASI_RIGHTS_FD_SEEK, 0);
    OK(__wasi_fd_close(fd));
    /* …but not for writing, truncating or creating. */
    open_raw("sub", 0, RIGHTS_ALL, RIGHTS_ALL, 0, __WASI_ERRNO_ISDIR);
    open_raw("sub", 0, __WASI_RIGHTS_FD_WRITE, 0, 0, __WASI_ERRNO_ISDIR);
    open_raw("sub", __WASI_OFLAGS_TRUNC, 0, 0, 0, __WASI_ERRNO_ISDIR);
    open_raw("sub", __WASI_OFLAGS_CREAT, 0, 0, 0, __WASI_ERRNO_ISDIR);
    open_raw(".", 0, __WASI_RIGHTS_FD_WRITE, 0, 0, __WASI_ERRNO_ISDIR);
    fd = open_raw("sub", 0, 0, 0, __WASI_FDFLAGS_APPEND, 0);
    OK(__wasi_fd_close(fd));

    /* Files: every right but those of the access mode not granted. */
    fd = open_raw("f", __WASI_OFLAGS_CREAT, RIGHTS_ALL, RIGHTS_ALL, 0, 0);
    OK(__wasi_fd_fdstat_get(fd, &st));
    EQ(st.fs_filetype, __WASI_FILETYPE_REGULAR_FILE);
    EQ(FILE_RIGHTS(st), RIGHTS_ALL & ~PATH_RIGHTS);
    EQ(st.fs_rights_inheriting & ~PATH_RIGHTS, RIGHTS_ALL & ~PATH_RIGHTS);
    EQ(put(fd, "hello"), 5);
    OK(__wasi_fd_close(fd));
    fd = open_raw("f", 0, __WASI_RIGHTS_FD_READ, 0, 0, 0);
    OK(__wasi_fd_fdstat_get(fd, &st));
    EQ(FILE_RIGHTS(st), RIGHTS_ALL & ~PATH_RIGHTS & ~__WASI_RIGHTS_FD_WRITE);
    EQ(put(fd, "x"), -1);
    EQ(get(fd, buf, sizeof buf), 5);
    OK(__wasi_fd_close(fd));
    fd = open_raw("f", 0, 0, 0, 0, 0); /* no rights at all: read-only */
    OK(__wasi_fd_fdstat_get(fd, &st));
    EQ(FILE_RIGHTS(st), RIGHTS_ALL & ~PATH_RIGHTS & ~__WASI_RIGHTS_FD_WRITE);
    OK(__wasi_fd_close(fd));
    fd = open_raw("f", 0, __WASI_RIGHTS_FD_WRITE, 0, 0, 0);
    OK(__wasi_fd_fdstat_get(fd, &st));
    EQ(FILE_RIGHTS(st), RIGHTS_ALL & ~PATH_RIGHTS & ~NOT_READ);
    EQ(get(fd, buf, sizeof buf), -1);
    {
        __wasi_iovec_t iov = {(uint8_t *)buf, 4};
        __wasi_size_t n;
        ERR(__wasi_fd_read(fd, &iov, 1, &n), __WASI_ERRNO_BADF);
    }
    OK(__wasi_fd_close(fd));
    {
        __wasi_fd_t r = open_raw("f", 0, __WASI_RIGHTS_FD_READ, 0, 0, 0);
        __wasi_ciovec_t iov = {(const uint8_t *)"x", 1};
        __wasi_size_t n;
        ERR(__wasi_fd_write(r, &iov, 1, &n), __WASI_ERRNO_BADF);
        OK(__wasi_fd_close(r));
    }

    /* Create, truncate and append together (issue 18). */
    fd = open_raw("f", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC, __WASI_RIGHTS_FD_WRITE, 0,
                  __WASI_FDFLAGS_APPEND, 0);
    OK(__wasi_fd_fdstat_get(fd, &st));
    EQ(st.fs_flags, __WASI_FDFLAGS_APPEND);
    EQ(put(fd, "ab"), 2);
    EQ(put(fd, "cd"), 2);
    OK(__wasi_fd_close(fd));
    /* Append alone gives no write access. (Whether creating or truncating without fd_write
     * does is in wasi_rights_strict.c: wasmtime says yes, the suite's path_link no.) */
    fd = open_raw("f", 0, 0, 0, __WASI_FDFLAGS_APPEND, 0);
    OK(__wasi_fd_fdstat_get(fd, &st));
    EQ(FILE_RIGHTS(st), RIGHTS_ALL & ~PATH_RIGHTS & ~__WASI_RIGHTS_FD_WRITE);
    EQ(put(fd, "e"), -1);
    OK(__wasi_fd_close(fd));
    fd = open_raw("f", __WASI_OFLAGS_CREAT, __WASI_RIGHTS_FD_WRITE, 0, __WASI_FDFLAGS_APPEND, 0);
    EQ(put(fd, "e"), 1);
    OK(__wasi_fd_close(fd));
    fd = open_raw("f", 0, __WASI_RIGHTS_FD_READ, 0, 0, 0);
    EQ(get(fd, buf, sizeof buf), 5);
    EQ(strcmp(buf, "abcde"), 0);
    OK(__wasi_fd_close(fd));
    /* Truncate without write rights still truncates. */
    fd = open_raw("f", __WASI_OFLAGS_TRUNC, __WASI_RIGHTS_FD_READ, 0, 0, 0);
    EQ(get(fd, buf, sizeof buf), 0);
    OK(__wasi_fd_close(fd));

    /* Other open flags. */
    open_raw("f", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_EXCL, 0, 0, 0, __WASI_ERRNO_EXIST);
    open_raw("sub", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_EXCL, 0, 0, 0, __WASI_ERRNO_EXIST);
    open_raw("nd", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_DIRECTORY, 0, 0, 0, __WASI_ERRNO_INVAL);
    open_raw("f", __WASI_OFLAGS_DIRECTORY, 0, 0, 0, __WASI_ERRNO_NOTDIR);
    open_raw("missing", 0, 0, 0, 0, __WASI_ERRNO_NOENT);
    open_raw("", 0, 0, 0, 0, __WASI_ERRNO_NOENT);
    fd = open_raw("f", 0, 0, 0, __WASI_FDFLAGS_NONBLOCK, 0);
    OK(__wasi_fd_fdstat_get(fd, &st));
    EQ(st.fs_flags, __WASI_FDFLAGS_NONBLOCK);
    OK(__wasi_fd_close(fd));
    /* Synchronized I/O is not offered. */
    open_raw("f", 0, 0, 0, __WASI_FDFLAGS_DSYNC, __WASI_ERRNO_NOTSUP);
    open_raw("f", 0, 0, 0, __WASI_FDFLAGS_SYNC, __WASI_ERRNO_NOTSUP);
    open_raw("f", 0, 0, 0, __WASI_FDFLAGS_RSYNC, __WASI_ERRNO_NOTSUP);
    {
        __wasi_fd_t out;
        ERR(__wasi_path_open(1, 0, "f", 0, 0, 0, 0, &out), __WASI_ERRNO_BADF);
        ERR(__wasi_path_open(99, 0, "f", 0, 0, 0, 0, &out), __WASI_ERRNO_BADF);
        fd = open_raw("f", 0, 0, 0, 0, 0);
        ERR(__wasi_path_open(fd, 0, "x", 0, 0, 0, 0, &out), __WASI_ERRNO_NOTDIR);
        OK(__wasi_fd_close(fd));
    }

    /* fd_fdstat_set_flags: append and nonblock on files; not on directories or streams. */
    fd = open_raw("f", 0, __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE, 0, 0, 0);
    OK(__wasi_fd_fdstat_set_flags(fd, __WASI_FDFLAGS_APPEND));
    OK(__wasi_fd_fdstat_get(fd, &st));
    EQ(st.fs_flags, __WASI_FDFLAGS_APPEND);
    EQ(put(fd, "fg"), 2);
    OK(__wasi_fd_fdstat_set_flags(fd, 0));
    EQ(put(fd, "X"), 1); /* at the position after the append: the end */
    OK(__wasi_fd_fdstat_set_flags(fd, __WASI_FDFLAGS_NONBLOCK));
    OK(__wasi_fd_fdstat_get(fd, &st));
    EQ(st.fs_flags, __WASI_FDFLAGS_NONBLOCK);
    ERR(__wasi_fd_fdstat_set_flags(fd, __WASI_FDFLAGS_SYNC), __WASI_ERRNO_INVAL);
    OK(__wasi_fd_close(fd));
    ERR(__wasi_fd_fdstat_set_flags(DIR, 0), __WASI_ERRNO_BADF);
    ERR(__wasi_fd_fdstat_set_flags(1, __WASI_FDFLAGS_APPEND), __WASI_ERRNO_BADF);
    ERR(__wasi_fd_fdstat_set_flags(99, 0), __WASI_ERRNO_BADF);

    /* fd_fdstat_set_rights on a bad fd (dropping rights is in wasi_set_rights.c: wasmtime
     * does not support it). */
    ERR(__wasi_fd_fdstat_set_rights(99, 0, 0), __WASI_ERRNO_BADF);
    OK(__wasi_fd_close(sub));
    return finish("wasi_rights");
}
