/* pipe_wake.c N GAP_MS BYTES - what one log line costs its writer when the
 * reader sleeps on another CPU, with no pppkit code at all: the baseline
 * beside the callback benches (mss.bench.sh, ddns_bench.py), whose fake pppd
 * writes a line per log message to its caller.
 *
 * A child pinned to CPU 0 blocks in read() on a pipe; this process, pinned
 * to CPU 1, writes BYTES to it N times, GAP_MS apart (the reader is asleep
 * again by then), and times each write() by the wall clock and by its own
 * CPU clock. On bare metal waking a reader on another CPU costs the writer a
 * few microseconds (an IPI). On a VM whose idle vCPUs are halted in the host
 * it can cost milliseconds, counted as the writer's own CPU time.
 *
 * Prints "pipe-write n=N median_us=X p99_us=Y max_us=Z over1ms=K cpu_max_us=C";
 * exits 2 with fewer than two CPUs (nothing to measure). */
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double us(clockid_t c)
{
    struct timespec t;
    clock_gettime(c, &t);
    return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

static void pin(int cpu)
{
    cpu_set_t s;
    CPU_ZERO(&s);
    CPU_SET(cpu, &s);
    if (sched_setaffinity(0, sizeof s, &s) != 0) {
        perror("sched_setaffinity");
        exit(1);
    }
}

static int cmp(const void* a, const void* b)
{
    double x = *(const double*)a, y = *(const double*)b;
    return (x > y) - (x < y);
}

int main(int argc, char** argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 300;
    int gap_ms = argc > 2 ? atoi(argv[2]) : 10;
    size_t bytes = argc > 3 ? (size_t)atoi(argv[3]) : 80;
    if (n < 1 || gap_ms < 1 || bytes < 1 || bytes > 4096) {
        fprintf(stderr, "usage: pipe_wake N GAP_MS BYTES\n");
        return 1;
    }
    if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
        return 2;
    int p[2];
    if (pipe(p) != 0) {
        perror("pipe");
        return 1;
    }
    pid_t child = fork();
    if (child == 0) {
        pin(0);
        close(p[1]);
        char b[4096];
        while (read(p[0], b, sizeof b) > 0) {
        }
        _exit(0);
    }
    pin(1);
    close(p[0]);
    char msg[4096];
    memset(msg, 'x', bytes);
    msg[bytes - 1] = '\n';
    double* t = calloc((size_t)n, sizeof *t);
    double cpu_max = 0;
    int over = 0;
    for (int i = 0; i < n; i++) {
        struct timespec gap = {gap_ms / 1000, (long)(gap_ms % 1000) * 1000000L};
        nanosleep(&gap, NULL);
        double w0 = us(CLOCK_MONOTONIC), c0 = us(CLOCK_THREAD_CPUTIME_ID);
        if (write(p[1], msg, bytes) != (ssize_t)bytes) {
            perror("write");
            return 1;
        }
        t[i] = us(CLOCK_MONOTONIC) - w0;
        double c = us(CLOCK_THREAD_CPUTIME_ID) - c0;
        if (c > cpu_max)
            cpu_max = c;
        if (t[i] > 1000)
            over++;
    }
    close(p[1]);
    waitpid(child, NULL, 0);
    qsort(t, (size_t)n, sizeof *t, cmp);
    printf("pipe-write n=%d median_us=%.1f p99_us=%.1f max_us=%.1f over1ms=%d cpu_max_us=%.1f\n", n, t[n / 2],
           t[(int)((n - 1) * 0.99)], t[n - 1], over, cpu_max);
    free(t);
    return 0;
}
