/* Everything but files: args and environment, clocks, random_get, poll_oneoff, sched_yield,
 * proc_raise, the sock_* calls on descriptors that are not sockets, and the preopen table
 * (prestat, closing and renumbering over a preopen). Run with arguments "a" "bc" and the
 * environment K=v. */
#include <stdlib.h>
#include "check.h"

#define BAD 99

__attribute__((import_module("wasi_snapshot_preview1"), import_name("proc_raise")))
int32_t raw_proc_raise(int32_t sig);

static __wasi_subscription_t clock_sub(uint64_t userdata, __wasi_clockid_t id, uint64_t timeout,
                                       __wasi_subclockflags_t flags) {
    __wasi_subscription_t s;
    memset(&s, 0, sizeof s);
    s.userdata = userdata;
    s.u.tag = __WASI_EVENTTYPE_CLOCK;
    s.u.u.clock.id = id;
    s.u.u.clock.timeout = timeout;
    s.u.u.clock.flags = flags;
    return s;
}

static __wasi_subscription_t fd_sub(uint64_t userdata, __wasi_eventtype_t type, __wasi_fd_t fd) {
    __wasi_subscription_t s;
    memset(&s, 0, sizeof s);
    s.userdata = userdata;
    s.u.tag = type;
    s.u.u.fd_read.file_descriptor = fd;
    return s;
}

int main(int argc, char **argv) {
    __wasi_size_t count, size;
    __wasi_timestamp_t t, t2, res;

    /* Arguments and environment. */
    OK(__wasi_args_sizes_get(&count, &size));
    EQ(count, 3);
    EQ(size, strlen(argv[0]) + 1 + 2 + 3);
    {
        char *ptrs[8];
        char bytes[256];
        memset(bytes, 0x55, sizeof bytes);
        OK(__wasi_args_get((uint8_t **)ptrs, (uint8_t *)bytes));
        EQ(strcmp(ptrs[1], "a"), 0);
        EQ(strcmp(ptrs[2], "bc"), 0);
        EQ(ptrs[1] == ptrs[0] + strlen(argv[0]) + 1, 1);
        EQ((unsigned char)bytes[size], 0x55); /* nothing written past the sizes */
    }
    OK(__wasi_environ_sizes_get(&count, &size));
    EQ(count, 1);
    EQ(size, 4);
    {
        char *ptrs[4];
        char bytes[16];
        OK(__wasi_environ_get((uint8_t **)ptrs, (uint8_t *)bytes));
        EQ(strcmp(ptrs[0], "K=v"), 0);
        EQ(argc, 3);
        EQ(getenv("K") != 0 && strcmp(getenv("K"), "v") == 0, 1);
    }

    /* Clocks. */
    /* (The CPU-time clocks and unknown ids are in wasi_badargs.c: wasmtime differs there.) */
    for (__wasi_clockid_t id = 0; id < 2; id++) {
        OK(__wasi_clock_res_get(id, &res));
        EQ(res > 0 && res <= 1000000000ull, 1);
        OK(__wasi_clock_time_get(id, 1, &t));
    }
    OK(__wasi_clock_time_get(__WASI_CLOCKID_REALTIME, 0, &t));
    EQ(t > 1577836800ull * 1000000000ull, 1); /* after 2020 */
    OK(__wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 0, &t));
    OK(__wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 0, &t2));
    EQ(t2 >= t, 1);

    /* Random bytes. */
    {
        uint8_t a[64], b[64];
        memset(a, 0, sizeof a);
        memset(b, 0, sizeof b);
        OK(__wasi_random_get(a, sizeof a));
        OK(__wasi_random_get(b, sizeof b));
        EQ(memcmp(a, b, sizeof a) != 0, 1);
        OK(__wasi_random_get(a, 0));
    }

    /* sched_yield, and proc_raise: no signals (NOTSUP, as wasmtime). */
    OK(__wasi_sched_yield());
    ERR(raw_proc_raise(0), __WASI_ERRNO_NOTSUP);

    /* poll_oneoff. */
    {
        __wasi_subscription_t subs[4];
        __wasi_event_t events[4];
        __wasi_size_t n = 99;
        ERR(__wasi_poll_oneoff(subs, events, 0, &n), __WASI_ERRNO_INVAL);
        /* A relative clock waits. */
        subs[0] = clock_sub(7, __WASI_CLOCKID_MONOTONIC, 5000000, 0);
        OK(__wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 0, &t));
        OK(__wasi_poll_oneoff(subs, events, 1, &n));
        OK(__wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 0, &t2));
        EQ(t2 - t >= 5000000, 1);
        EQ(n, 1);
        EQ(events[0].userdata, 7);
        EQ(events[0].error, 0);
        EQ(events[0].type, __WASI_EVENTTYPE_CLOCK);
        /* An absolute deadline in the past is ready at once. */
        subs[0] = clock_sub(8, __WASI_CLOCKID_MONOTONIC, t, __WASI_SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME);
        OK(__wasi_poll_oneoff(subs, events, 1, &n));
        EQ(n, 1);
        EQ(events[0].userdata, 8);
        /* The earliest of two clocks. */
        subs[0] = clock_sub(1, __WASI_CLOCKID_MONOTONIC, 60000000000ull, 0);
        subs[1] = clock_sub(2, __WASI_CLOCKID_REALTIME, 1000000, 0);
        OK(__wasi_poll_oneoff(subs, events, 2, &n));
        EQ(n, 1);
        EQ(events[0].userdata, 2);
        /* Descriptors are ready at once: a file to read and write, stdout to write. */
        __wasi_fd_t fd = OPEN(DIR, "f", __WASI_OFLAGS_CREAT, __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE, 0);
        EQ(put(fd, "hello"), 5);
        subs[0] = clock_sub(1, __WASI_CLOCKID_MONOTONIC, 60000000000ull, 0);
        subs[1] = fd_sub(2, __WASI_EVENTTYPE_FD_WRITE, 1);
        subs[2] = fd_sub(3, __WASI_EVENTTYPE_FD_READ, fd);
        /* (wasmtime may report one of the two ready descriptors, regwasm reports both.) */
        OK(__wasi_poll_oneoff(subs, events, 3, &n));
        EQ(n >= 1 && n <= 2, 1);
        {
            int good = 1;
            for (__wasi_size_t i = 0; i < n && i < 2; i++)
                good &= events[i].error == 0 &&
                        ((events[i].userdata == 2 && events[i].type == __WASI_EVENTTYPE_FD_WRITE) ||
                         (events[i].userdata == 3 && events[i].type == __WASI_EVENTTYPE_FD_READ));
            EQ(good, 1);
        }
        /* A bad descriptor is reported in its event, or fails the whole call. */
        subs[0] = fd_sub(9, __WASI_EVENTTYPE_FD_READ, BAD);
        {
            __wasi_errno_t e = __wasi_poll_oneoff(subs, events, 1, &n);
            EQ(e == __WASI_ERRNO_BADF || (e == 0 && n == 1 && events[0].error == __WASI_ERRNO_BADF), 1);
        }
        OK(__wasi_fd_close(fd));
    }

    /* Sockets: none here. */
    {
        __wasi_fd_t out;
        __wasi_size_t n;
        __wasi_roflags_t ro;
        char buf[4];
        __wasi_iovec_t iov = {(uint8_t *)buf, sizeof buf};
        ERR(__wasi_sock_shutdown(BAD, __WASI_SDFLAGS_RD), __WASI_ERRNO_BADF);
        ERR(__wasi_sock_shutdown(DIR, __WASI_SDFLAGS_RD), __WASI_ERRNO_NOTSOCK);
        ERR(__wasi_sock_shutdown(1, __WASI_SDFLAGS_WR), __WASI_ERRNO_NOTSOCK);
        ERR(__wasi_sock_accept(BAD, 0, &out), __WASI_ERRNO_BADF);
        ERR(__wasi_sock_accept(DIR, 0, &out), __WASI_ERRNO_NOTSOCK);
        ERR(__wasi_sock_recv(BAD, &iov, 1, 0, &n, &ro), __WASI_ERRNO_BADF);
        ERR(__wasi_sock_recv(0, &iov, 1, 0, &n, &ro), __WASI_ERRNO_NOTSOCK);
        ERR(__wasi_sock_send(BAD, (const __wasi_ciovec_t *)&iov, 1, 0, &n), __WASI_ERRNO_BADF);
        ERR(__wasi_sock_send(1, (const __wasi_ciovec_t *)&iov, 1, 0, &n), __WASI_ERRNO_NOTSOCK);
    }

    /* The preopen table. */
    {
        __wasi_prestat_t ps;
        char name[8];
        __wasi_fd_t fd, sub;
        OK(__wasi_fd_prestat_get(DIR, &ps));
        EQ(ps.tag, __WASI_PREOPENTYPE_DIR);
        EQ(ps.u.dir.pr_name_len, 2);
        memset(name, 0, sizeof name);
        OK(__wasi_fd_prestat_dir_name(DIR, (uint8_t *)name, 2));
        EQ(strcmp(name, "/d"), 0);
        ERR(__wasi_fd_prestat_dir_name(DIR, (uint8_t *)name, 1), __WASI_ERRNO_NAMETOOLONG);
        ERR(__wasi_fd_prestat_get(0, &ps), __WASI_ERRNO_BADF);
        ERR(__wasi_fd_prestat_get(BAD, &ps), __WASI_ERRNO_BADF);
        ERR(__wasi_fd_prestat_dir_name(BAD, (uint8_t *)name, 8), __WASI_ERRNO_BADF);
        OK(__wasi_path_create_directory(DIR, "sub"));
        OK(__wasi_path_open(DIR, 0, "sub", __WASI_OFLAGS_DIRECTORY, 0, 0, 0, &sub));
        ERR(__wasi_fd_prestat_get(sub, &ps), __WASI_ERRNO_BADF);
        fd = OPEN(DIR, "f", 0, __WASI_RIGHTS_FD_READ, 0);
        ERR(__wasi_fd_prestat_get(fd, &ps), __WASI_ERRNO_BADF);
        /* Renumbering over the preopen replaces it; closing it makes its paths unreachable. */
        OK(__wasi_fd_renumber(sub, DIR));
        ERR(__wasi_fd_prestat_get(DIR, &ps), __WASI_ERRNO_BADF);
        ERR(__wasi_fd_renumber(sub, fd), __WASI_ERRNO_BADF);
        OK(__wasi_fd_close(DIR));
        ERR(__wasi_path_open(DIR, 0, "f", 0, 0, 0, 0, &sub), __WASI_ERRNO_BADF);
        ERR(__wasi_fd_close(DIR), __WASI_ERRNO_BADF);
        OK(__wasi_fd_close(fd));
    }
    return finish("wasi_misc");
}
