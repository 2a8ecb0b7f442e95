/* Rights where regwasm follows the witx docs and the conformance suite rather than wasmtime 51:
 * fd_fdstat_set_rights takes rights away, never gives them back; a descriptor without a right
 * cannot do what it stands for, and what a directory opens inherits what it lost (the suite's
 * fd_fdstat_set_rights and path_open_read_without_rights; wasmtime answers NOTSUP to every
 * call); and a file has no path_* rights (the suite's path_filestat; wasmtime gives files all
 * rights); and creating or truncating a file does not make it writable (the suite's path_link
 * compares the fdstat of a file opened with O_CREAT with that of a link to it opened without;
 * wasmtime makes the first writable). This program states regwasm's answers only. */
#include "check.h"

static __wasi_fdstat_t st;

int main(void) {
    __wasi_fd_t sub, fd, fd2;
    __wasi_filesize_t pos;
    __wasi_size_t n;
    char buf[16];
    const __wasi_rights_t rw = __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE;

    /* A file has no path_* rights, even when asked for. */
    fd = OPEN(DIR, "f", __WASI_OFLAGS_CREAT, rw | __WASI_RIGHTS_PATH_FILESTAT_GET, 0);
    OK(__wasi_fd_fdstat_get(fd, &st));
    EQ(st.fs_rights_base & 0x71fbe00ull, 0);
    EQ(st.fs_rights_inheriting & 0x71fbe00ull, 0);
    EQ(st.fs_rights_base & rw, rw);

    /* Creating or truncating without fd_write gives a descriptor that cannot write. */
    fd2 = OPEN(DIR, "c", __WASI_OFLAGS_CREAT, __WASI_RIGHTS_FD_READ, 0);
    OK(__wasi_fd_fdstat_get(fd2, &st));
    EQ(st.fs_rights_base & __WASI_RIGHTS_FD_WRITE, 0);
    EQ(put(fd2, "x"), -1);
    OK(__wasi_fd_close(fd2));
    fd2 = OPEN(DIR, "f", __WASI_OFLAGS_TRUNC, 0, 0);
    OK(__wasi_fd_fdstat_get(fd2, &st));
    EQ(st.fs_rights_base & __WASI_RIGHTS_FD_WRITE, 0);
    EQ(st.fs_rights_base & __WASI_RIGHTS_FD_READ, __WASI_RIGHTS_FD_READ);
    EQ(put(fd2, "x"), -1);
    OK(__wasi_fd_close(fd2));
    {
        /* A hard link opened with the same rights reports the same (the suite's path_link). */
        __wasi_fdstat_t st2;
        OK(__wasi_path_link(DIR, 0, "c", DIR, "c2"));
        fd2 = OPEN(DIR, "c", 0, __WASI_RIGHTS_FD_READ, 0);
        OK(__wasi_fd_fdstat_get(fd2, &st));
        OK(__wasi_fd_close(fd2));
        fd2 = OPEN(DIR, "c2", __WASI_OFLAGS_CREAT, __WASI_RIGHTS_FD_READ, 0);
        OK(__wasi_fd_fdstat_get(fd2, &st2));
        OK(__wasi_fd_close(fd2));
        EQ(st.fs_rights_base, st2.fs_rights_base);
        EQ(st.fs_rights_inheriting, st2.fs_rights_inheriting);
        ERR(__wasi_path_link(DIR, 0, "c", DIR, "c3/"), __WASI_ERRNO_NOENT);
    }

    /* A file: drop read and write, keep seek. */
    EQ(put(fd, "data"), 4);
    OK(__wasi_fd_fdstat_get(fd, &st));
    OK(__wasi_fd_fdstat_set_rights(fd, st.fs_rights_base & ~rw, st.fs_rights_inheriting));
    OK(__wasi_fd_fdstat_get(fd, &st));
    EQ(st.fs_rights_base & rw, 0);
    EQ(st.fs_rights_base & __WASI_RIGHTS_FD_SEEK, __WASI_RIGHTS_FD_SEEK);
    OK(__wasi_fd_seek(fd, 0, __WASI_WHENCE_SET, &pos));
    EQ(get(fd, buf, sizeof buf), -1);
    EQ(put(fd, "x"), -1);
    {
        __wasi_iovec_t iov = {(uint8_t *)buf, 4};
        ERR(__wasi_fd_read(fd, &iov, 1, &n), __WASI_ERRNO_BADF);
        ERR(__wasi_fd_pread(fd, &iov, 1, 0, &n), __WASI_ERRNO_BADF);
        ERR(__wasi_fd_write(fd, (const __wasi_ciovec_t *)&iov, 1, &n), __WASI_ERRNO_BADF);
        ERR(__wasi_fd_pwrite(fd, (const __wasi_ciovec_t *)&iov, 1, 0, &n), __WASI_ERRNO_BADF);
    }
    /* Never given back; asking for the same or fewer is fine. */
    ERR(__wasi_fd_fdstat_set_rights(fd, st.fs_rights_base | rw, st.fs_rights_inheriting),
        __WASI_ERRNO_NOTCAPABLE);
    OK(__wasi_fd_fdstat_set_rights(fd, st.fs_rights_base, st.fs_rights_inheriting));
    /* Other rights: the call that needs one fails with NOTCAPABLE. */
    OK(__wasi_fd_fdstat_set_rights(fd, __WASI_RIGHTS_FD_FILESTAT_GET, 0));
    OK(__wasi_fd_fdstat_get(fd, &st));
    EQ(st.fs_rights_base, __WASI_RIGHTS_FD_FILESTAT_GET);
    EQ(st.fs_rights_inheriting, 0);
    ERR(__wasi_fd_seek(fd, 0, __WASI_WHENCE_SET, &pos), __WASI_ERRNO_NOTCAPABLE);
    ERR(__wasi_fd_tell(fd, &pos), __WASI_ERRNO_NOTCAPABLE);
    ERR(__wasi_fd_filestat_set_size(fd, 0), __WASI_ERRNO_NOTCAPABLE);
    ERR(__wasi_fd_filestat_set_times(fd, 0, 0, __WASI_FSTFLAGS_MTIM_NOW), __WASI_ERRNO_NOTCAPABLE);
    ERR(__wasi_fd_advise(fd, 0, 0, __WASI_ADVICE_NORMAL), __WASI_ERRNO_NOTCAPABLE);
    ERR(__wasi_fd_sync(fd), __WASI_ERRNO_NOTCAPABLE);
    ERR(__wasi_fd_datasync(fd), __WASI_ERRNO_NOTCAPABLE);
    ERR(__wasi_fd_fdstat_set_flags(fd, 0), __WASI_ERRNO_NOTCAPABLE);
    {
        __wasi_filestat_t fst;
        OK(__wasi_fd_filestat_get(fd, &fst));
        EQ(fst.size, 4);
    }
    /* Renumbering keeps what was taken away. */
    fd2 = OPEN(DIR, "f", 0, __WASI_RIGHTS_FD_READ, 0);
    OK(__wasi_fd_renumber(fd, fd2));
    OK(__wasi_fd_fdstat_get(fd2, &st));
    EQ(st.fs_rights_base, __WASI_RIGHTS_FD_FILESTAT_GET);
    OK(__wasi_fd_close(fd2));
    ERR(__wasi_fd_fdstat_set_rights(fd, 0, 0), __WASI_ERRNO_BADF);

    /* A directory that lost read from its inheriting rights opens files without it. */
    OK(__wasi_path_create_directory(DIR, "sub"));
    OK(__wasi_fd_fdstat_get(DIR, &st));
    OK(__wasi_path_open(DIR, 0, "sub", __WASI_OFLAGS_DIRECTORY, st.fs_rights_base,
                        st.fs_rights_inheriting, 0, &sub));
    OK(__wasi_fd_fdstat_get(sub, &st));
    OK(__wasi_fd_fdstat_set_rights(sub, st.fs_rights_base & ~__WASI_RIGHTS_FD_READ,
                                   st.fs_rights_inheriting & ~__WASI_RIGHTS_FD_READ));
    OK(__wasi_fd_fdstat_get(sub, &st));
    EQ(st.fs_rights_base & __WASI_RIGHTS_FD_READ, 0);
    EQ(st.fs_rights_inheriting & __WASI_RIGHTS_FD_READ, 0);
    OK(__wasi_path_open(sub, 0, "g", __WASI_OFLAGS_CREAT, __WASI_RIGHTS_FD_WRITE, 0, 0, &fd));
    OK(__wasi_fd_fdstat_get(fd, &st));
    EQ(st.fs_rights_base & __WASI_RIGHTS_FD_READ, 0);
    EQ(st.fs_rights_inheriting & __WASI_RIGHTS_FD_READ, 0);
    EQ(get(fd, buf, sizeof buf), -1);
    EQ(put(fd, "ok"), 2);
    OK(__wasi_fd_close(fd));
    /* Asking for the lost right is refused. */
    ERR(__wasi_path_open(sub, 0, "g", 0, __WASI_RIGHTS_FD_READ, 0, 0, &fd), __WASI_ERRNO_NOTCAPABLE);
    /* Path rights: creating, removing, listing. */
    OK(__wasi_fd_fdstat_get(sub, &st));
    OK(__wasi_fd_fdstat_set_rights(sub, st.fs_rights_base & ~(__WASI_RIGHTS_PATH_CREATE_DIRECTORY |
                                                              __WASI_RIGHTS_PATH_CREATE_FILE |
                                                              __WASI_RIGHTS_PATH_UNLINK_FILE |
                                                              __WASI_RIGHTS_FD_READDIR),
                                   st.fs_rights_inheriting));
    ERR(__wasi_path_create_directory(sub, "d"), __WASI_ERRNO_NOTCAPABLE);
    ERR(__wasi_path_open(sub, 0, "h", __WASI_OFLAGS_CREAT, 0, 0, 0, &fd), __WASI_ERRNO_NOTCAPABLE);
    ERR(__wasi_path_unlink_file(sub, "g"), __WASI_ERRNO_NOTCAPABLE);
    ERR(__wasi_fd_readdir(sub, (uint8_t *)buf, sizeof buf, 0, &n), __WASI_ERRNO_NOTCAPABLE);
    OK(__wasi_path_open(sub, 0, "g", 0, 0, 0, 0, &fd)); /* opening what exists still works */
    OK(__wasi_fd_close(fd));
    OK(__wasi_path_unlink_file(DIR, "sub/g"));
    OK(__wasi_fd_close(sub));
    return finish("wasi_rights_strict");
}
