/* Symbolic links and the sandbox: path_symlink, path_readlink, following and not following
 * (lookup flags), dangling links, loops, and every way out of the preopen. */
#include "check.h"

#define BAD 99
#define FOLLOW __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW

static __wasi_errno_t open_(const char *path, __wasi_lookupflags_t flags, __wasi_oflags_t oflags) {
    __wasi_fd_t fd;
    __wasi_errno_t e = __wasi_path_open(DIR, flags, path, oflags, __WASI_RIGHTS_FD_READ, 0, 0, &fd);
    if (!e) (void)!__wasi_fd_close(fd);
    return e;
}

static long readlink_(const char *path, char *buf, size_t len) {
    __wasi_size_t n = 0;
    __wasi_errno_t e = __wasi_path_readlink(DIR, path, (uint8_t *)buf, len, &n);
    if (e) return -(long)e;
    buf[n < len ? n : len - 1] = 0;
    return (long)n;
}

int main(void) {
    __wasi_filestat_t st;
    __wasi_fd_t fd;
    char buf[64];

    OK(__wasi_path_create_directory(DIR, "dir"));
    OK(__wasi_path_open(DIR, 0, "dir/file", __WASI_OFLAGS_CREAT, __WASI_RIGHTS_FD_WRITE, 0, 0, &fd));
    EQ(put(fd, "data"), 4);
    OK(__wasi_fd_close(fd));

    /* Making links. */
    OK(__wasi_path_symlink("dir/file", DIR, "lfile"));
    OK(__wasi_path_symlink("dir", DIR, "ldir"));
    OK(__wasi_path_symlink("nowhere", DIR, "dangling"));
    OK(__wasi_path_symlink("loop2", DIR, "loop1"));
    OK(__wasi_path_symlink("loop1", DIR, "loop2"));
    OK(__wasi_path_symlink("../file", DIR, "dir/up")); /* dir/up -> file at the top: none yet */
    ERR(__wasi_path_symlink("x", DIR, "lfile"), __WASI_ERRNO_EXIST);
    ERR(__wasi_path_symlink("x", DIR, "dir"), __WASI_ERRNO_EXIST);
    ERR(__wasi_path_symlink("x", DIR, "nope/l"), __WASI_ERRNO_NOENT);
    ERR(__wasi_path_symlink("x", BAD, "l"), __WASI_ERRNO_BADF);
    ERR(__wasi_path_symlink("x", DIR, "l/"), __WASI_ERRNO_NOENT);

    /* Reading them. */
    EQ(readlink_("lfile", buf, sizeof buf), 8);
    EQ(strcmp(buf, "dir/file"), 0);
    EQ(readlink_("dangling", buf, sizeof buf), 7);
    EQ(readlink_("lfile", buf, 4), 4); /* cut to the buffer */
    EQ(memcmp(buf, "dir", 3), 0);
    EQ(readlink_("dir/file", buf, sizeof buf), -__WASI_ERRNO_INVAL);
    EQ(readlink_("dir", buf, sizeof buf), -__WASI_ERRNO_INVAL);
    EQ(readlink_("nope", buf, sizeof buf), -__WASI_ERRNO_NOENT);
    EQ(readlink_("ldir/file", buf, sizeof buf), -__WASI_ERRNO_INVAL); /* through a link */
    {
        __wasi_size_t n;
        ERR(__wasi_path_readlink(BAD, "lfile", (uint8_t *)buf, sizeof buf, &n), __WASI_ERRNO_BADF);
    }

    /* Following and not following. */
    OK(__wasi_path_filestat_get(DIR, 0, "lfile", &st));
    EQ(st.filetype, __WASI_FILETYPE_SYMBOLIC_LINK);
    OK(__wasi_path_filestat_get(DIR, FOLLOW, "lfile", &st));
    EQ(st.filetype, __WASI_FILETYPE_REGULAR_FILE);
    EQ(st.size, 4);
    OK(__wasi_path_filestat_get(DIR, FOLLOW, "ldir", &st));
    EQ(st.filetype, __WASI_FILETYPE_DIRECTORY);
    OK(__wasi_path_filestat_get(DIR, 0, "ldir/file", &st)); /* links before the last always followed */
    EQ(st.filetype, __WASI_FILETYPE_REGULAR_FILE);
    OK(__wasi_path_filestat_get(DIR, 0, "ldir/", &st)); /* a trailing slash follows */
    EQ(st.filetype, __WASI_FILETYPE_DIRECTORY);
    OK(__wasi_path_filestat_get(DIR, 0, "dangling", &st));
    EQ(st.filetype, __WASI_FILETYPE_SYMBOLIC_LINK);
    ERR(__wasi_path_filestat_get(DIR, FOLLOW, "dangling", &st), __WASI_ERRNO_NOENT);
    ERR(__wasi_path_filestat_get(DIR, FOLLOW, "loop1", &st), __WASI_ERRNO_LOOP);
    ERR(__wasi_path_filestat_get(DIR, 0, "loop1/x", &st), __WASI_ERRNO_LOOP);
    OK(__wasi_path_filestat_get(DIR, 0, "loop1", &st));
    OK(open_("lfile", FOLLOW, 0));
    ERR(open_("lfile", 0, 0), __WASI_ERRNO_LOOP);
    ERR(open_("ldir", 0, __WASI_OFLAGS_DIRECTORY), __WASI_ERRNO_LOOP);
    OK(open_("ldir", FOLLOW, __WASI_OFLAGS_DIRECTORY));
    ERR(open_("loop1", FOLLOW, 0), __WASI_ERRNO_LOOP);
    ERR(open_("dangling", FOLLOW, 0), __WASI_ERRNO_NOENT);
    ERR(open_("dir/up", FOLLOW, 0), __WASI_ERRNO_NOENT);
    /* Creating through a dangling link creates its target. */
    OK(open_("dangling", FOLLOW, __WASI_OFLAGS_CREAT));
    OK(__wasi_path_filestat_get(DIR, 0, "nowhere", &st));
    EQ(st.filetype, __WASI_FILETYPE_REGULAR_FILE);
    ERR(open_("lfile", FOLLOW, __WASI_OFLAGS_CREAT | __WASI_OFLAGS_EXCL), __WASI_ERRNO_EXIST);
    ERR(open_("lfile", 0, __WASI_OFLAGS_CREAT | __WASI_OFLAGS_EXCL), __WASI_ERRNO_EXIST);
    /* Times through a link. */
    OK(__wasi_path_filestat_set_times(DIR, FOLLOW, "lfile", 1000000000ull * 7, 0,
                                      __WASI_FSTFLAGS_ATIM));
    OK(__wasi_path_filestat_get(DIR, 0, "dir/file", &st));
    EQ(st.atim, 1000000000ull * 7);
    /* Hard link to the link itself or to its target. */
    OK(__wasi_path_link(DIR, 0, "lfile", DIR, "hl"));
    OK(__wasi_path_filestat_get(DIR, 0, "hl", &st));
    EQ(st.filetype, __WASI_FILETYPE_SYMBOLIC_LINK);
    OK(__wasi_path_unlink_file(DIR, "hl"));

    /* Removing links removes the link, never the target. */
    ERR(__wasi_path_remove_directory(DIR, "ldir"), __WASI_ERRNO_NOTDIR);
    ERR(__wasi_path_unlink_file(DIR, "ldir/"), __WASI_ERRNO_ISDIR);
    OK(__wasi_path_unlink_file(DIR, "ldir"));
    OK(__wasi_path_filestat_get(DIR, 0, "dir", &st));
    OK(__wasi_path_rename(DIR, "lfile", DIR, "lfile2"));
    EQ(readlink_("lfile2", buf, sizeof buf), 8);
    OK(__wasi_path_unlink_file(DIR, "lfile2"));
    OK(__wasi_path_filestat_get(DIR, 0, "dir/file", &st));
    OK(__wasi_path_unlink_file(DIR, "loop1"));

    /* The sandbox: no way out by "..", an absolute path or a link. */
    ESCAPE(open_("..", 0, 0));
    ESCAPE(open_("../x", 0, __WASI_OFLAGS_CREAT));
    ESCAPE(open_("dir/../..", 0, 0));
    ESCAPE(open_("/etc/passwd", 0, 0));
    ESCAPE(open_("/", 0, 0));
    ESCAPE(__wasi_path_filestat_get(DIR, 0, "..", &st));
    ESCAPE(__wasi_path_create_directory(DIR, "../x"));
    ESCAPE(__wasi_path_unlink_file(DIR, "../x"));
    ESCAPE(__wasi_path_remove_directory(DIR, "dir/../../x"));
    ESCAPE(__wasi_path_rename(DIR, "dir/file", DIR, "../file"));
    ESCAPE(__wasi_path_link(DIR, 0, "dir/file", DIR, "../file"));
    ESCAPE(__wasi_path_symlink("x", DIR, "../l"));
    OK(__wasi_path_open(DIR, 0, "dir", __WASI_OFLAGS_DIRECTORY, 0, 0, 0, &fd));
    {
        /* A descriptor is a sandbox of its own: ".." may not leave it even to its preopen. */
        __wasi_fd_t f2;
        OK(__wasi_path_open(fd, 0, "./file", 0, __WASI_RIGHTS_FD_READ, 0, 0, &f2));
        OK(__wasi_fd_close(f2));
        ESCAPE(__wasi_path_open(fd, 0, "../dir/file", 0, __WASI_RIGHTS_FD_READ, 0, 0, &f2));
        ESCAPE(__wasi_path_open(fd, 0, "../..", 0, 0, 0, 0, &f2));
        ESCAPE(__wasi_path_open(fd, FOLLOW, "up", 0, 0, 0, 0, &f2)); /* dir/up -> ../file */
    }
    OK(__wasi_fd_close(fd));
    /* Links that lead out may exist, but are never followed out. */
    OK(__wasi_path_symlink("..", DIR, "up"));
    OK(__wasi_path_symlink("dir/../..", DIR, "up2"));
    ESCAPE(open_("up", FOLLOW, 0));
    ESCAPE(open_("up/x", 0, __WASI_OFLAGS_CREAT));
    ESCAPE(open_("up2", FOLLOW, 0));
    ESCAPE(__wasi_path_filestat_get(DIR, FOLLOW, "up", &st));
    ESCAPE(__wasi_path_create_directory(DIR, "up/x"));
    OK(__wasi_path_filestat_get(DIR, 0, "up", &st));
    EQ(st.filetype, __WASI_FILETYPE_SYMBOLIC_LINK);
    OK(__wasi_path_unlink_file(DIR, "up"));
    /* Absolute targets are refused when made, or when followed. */
    {
        __wasi_errno_t e = __wasi_path_symlink("/etc/passwd", DIR, "abs");
        if (e == 0) {
            ESCAPE(open_("abs", FOLLOW, 0));
            OK(__wasi_path_unlink_file(DIR, "abs"));
        } else {
            ESCAPE(e);
        }
    }
    return finish("wasi_symlinks");
}
