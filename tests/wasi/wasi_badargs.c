/* Arguments outside the ABI's ranges: unknown enum values and flag bits, and pointers outside
 * memory. wasmtime traps on most of these (its bindings reject the value before the call), so
 * this program states regwasm's answers, which follow the witx docs: INVAL for a bad value,
 * FAULT for a bad pointer. Also the CPU-time clocks, which wasmtime does not offer (BADF). */
#include "check.h"

#define FAR ((void *)0xfffffff0) /* beyond any memory this program has */

int main(void) {
    __wasi_timestamp_t t;
    __wasi_filesize_t pos;
    __wasi_fd_t fd;
    __wasi_size_t n;

    /* Clocks: the CPU-time clocks work; unknown ids are INVAL. */
    for (__wasi_clockid_t id = 2; id < 4; id++) {
        OK(__wasi_clock_res_get(id, &t));
        OK(__wasi_clock_time_get(id, 0, &t));
    }
    ERR(__wasi_clock_res_get(4, &t), __WASI_ERRNO_INVAL);
    ERR(__wasi_clock_res_get(0xffffffff, &t), __WASI_ERRNO_INVAL);
    ERR(__wasi_clock_time_get(4, 0, &t), __WASI_ERRNO_INVAL);
    ERR(__wasi_clock_time_get(0x7fffffff, 0, &t), __WASI_ERRNO_INVAL);
    ERR(__wasi_clock_time_get(0, 0, FAR), __WASI_ERRNO_FAULT);
    ERR(__wasi_clock_res_get(0, FAR), __WASI_ERRNO_FAULT);

    fd = OPEN(DIR, "f", __WASI_OFLAGS_CREAT, __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE, 0);
    /* Unknown whence and advice. */
    ERR(__wasi_fd_seek(fd, 0, 3, &pos), __WASI_ERRNO_INVAL);
    ERR(__wasi_fd_seek(fd, 0, 255, &pos), __WASI_ERRNO_INVAL);
    ERR(__wasi_fd_advise(fd, 0, 0, 6), __WASI_ERRNO_INVAL);
    ERR(__wasi_fd_seek(fd, 0, 0, FAR), __WASI_ERRNO_FAULT);
    ERR(__wasi_fd_tell(fd, FAR), __WASI_ERRNO_FAULT);
    /* Unknown flag bits. */
    ERR(__wasi_fd_filestat_set_times(fd, 0, 0, 0x10), __WASI_ERRNO_INVAL);
    ERR(__wasi_path_filestat_set_times(DIR, 0, "f", 0, 0, 0x10), __WASI_ERRNO_INVAL);
    ERR(__wasi_fd_fdstat_set_flags(fd, 0x20), __WASI_ERRNO_INVAL);
    {
        __wasi_fd_t out;
        ERR(__wasi_path_open(DIR, 0, "f", 0x10, 0, 0, 0, &out), __WASI_ERRNO_INVAL);
        ERR(__wasi_path_open(DIR, 0, "f", 0, 0, 0, 0x20, &out), __WASI_ERRNO_INVAL);
        ERR(__wasi_path_open(DIR, 2, "f", 0, 0, 0, 0, &out), __WASI_ERRNO_INVAL);
        /* Rights beyond bit 29 are ignored like the rest. */
        OK(__wasi_path_open(DIR, 0, "f", 0, ~(__wasi_rights_t)0, ~(__wasi_rights_t)0, 0, &out));
        OK(__wasi_fd_close(out));
        ERR(__wasi_path_open(DIR, 0, "f", 0, 0, 0, 0, FAR), __WASI_ERRNO_FAULT);
    }
    /* Pointers outside memory. */
    {
        __wasi_ciovec_t iov = {FAR, 8};
        ERR(__wasi_fd_write(fd, &iov, 1, &n), __WASI_ERRNO_FAULT);
        ERR(__wasi_fd_write(fd, FAR, 1, &n), __WASI_ERRNO_FAULT);
        ERR(__wasi_fd_read(fd, (const __wasi_iovec_t *)&iov, 1, &n), __WASI_ERRNO_FAULT);
        ERR(__wasi_fd_pwrite(fd, &iov, 1, 0, &n), __WASI_ERRNO_FAULT);
        ERR(__wasi_fd_pread(fd, (const __wasi_iovec_t *)&iov, 1, 0, &n), __WASI_ERRNO_FAULT);
        ERR(__wasi_fd_fdstat_get(fd, FAR), __WASI_ERRNO_FAULT);
        ERR(__wasi_fd_filestat_get(fd, FAR), __WASI_ERRNO_FAULT);
        ERR(__wasi_path_filestat_get(DIR, 0, "f", FAR), __WASI_ERRNO_FAULT);
        ERR(__wasi_fd_readdir(DIR, FAR, 100, 0, &n), __WASI_ERRNO_FAULT);
        ERR(__wasi_fd_prestat_get(DIR, FAR), __WASI_ERRNO_FAULT);
        ERR(__wasi_fd_prestat_dir_name(DIR, FAR, 8), __WASI_ERRNO_FAULT);
        ERR(__wasi_random_get(FAR, 8), __WASI_ERRNO_FAULT);
        ERR(__wasi_args_sizes_get(FAR, &n), __WASI_ERRNO_FAULT);
        ERR(__wasi_environ_sizes_get(&n, FAR), __WASI_ERRNO_FAULT);
        ERR(__wasi_path_readlink(DIR, "f", FAR, 8, &n), __WASI_ERRNO_FAULT);
    }
    /* Bad poll subscriptions. */
    {
        __wasi_subscription_t sub;
        __wasi_event_t ev;
        memset(&sub, 0, sizeof sub);
        sub.u.tag = 3;
        ERR(__wasi_poll_oneoff(&sub, &ev, 1, &n), __WASI_ERRNO_INVAL);
        sub.u.tag = __WASI_EVENTTYPE_CLOCK;
        ERR(__wasi_poll_oneoff(&sub, FAR, 1, &n), __WASI_ERRNO_FAULT);
        /* An unknown clock is reported in its event. */
        sub.userdata = 5;
        sub.u.u.clock.id = 9;
        OK(__wasi_poll_oneoff(&sub, &ev, 1, &n));
        EQ(n, 1);
        EQ(ev.error, __WASI_ERRNO_INVAL);
    }
    OK(__wasi_fd_close(fd));
    return finish("wasi_badargs");
}
