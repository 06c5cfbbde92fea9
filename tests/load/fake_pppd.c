/* fake_pppd.c - a small stand-in for pppd 2.4.9, to load a real pppkit plugin
 * (.so) and drive it the way pppd does (Kea's "libload" test pattern).
 *
 * It defines, with pppd's own types (it includes the 2.4.9 headers), every
 * pppd symbol the shim (plugins/host/pppd_shim.c) uses: the notifier lists
 * and add_notifier, add_options, the loggers, option_error, die, lcp_close, timeout,
 * ifname/ifunit/ipparam/persist/status/debug, netif_get_mtu, the IPCP/IPV6CP option
 * arrays and the PPPoE channel's ppp_session_number/remote_number/devnam. Linked with -rdynamic, so the dlopen-ed
 * plugin binds to them.
 *
 * usage: fake_pppd SO COMMAND...   (commands run in order)
 *   version           print the plugin's pppd_version (dlsym)
 *   init              call plugin_init, as pppd does while parsing "plugin SO"
 *   plugin SO2        dlopen another plugin and call its plugin_init (a second "plugin" option)
 *   options           list the registered options: "option NAME arg|noarg priv|- hide|- DESC"
 *   notifiers         list how many notifiers each list has: "notifiers phase=1 ip-up=1 ..."
 *   opt NAME [VALUE]  parse an option like pppd; a rejected one exits 2 (EXIT_OPTION_ERROR)
 *   ifname NAME | mtu N | unit N | local4 A.B.C.D   set the link state the plugin reads
 *   pppoe ID MAC DEV  what rp-pppoe.so sets at its PADS: ppp_session_number, remote_number
 *                     (MAC as given, e.g. "52:54:00:AB:CD:EF"), devnam (e.g. "wan0")
 *   phase N | ip-up | ip-down | ipv6-up | ipv6-down | link-down | exit N   fire a notifier
 *                     (like pppd: the interface is gone after link-down's notifiers ran,
 *                     and before exit's run; ip-up, ipv6-up or ifname bring it back)
 *   get-mtu           print "MTU N" from netif_get_mtu, as the shim would read it
 *   run-timers        run the due timers once (pppd's main loop after a callback:
 *                     the plugin's stop of pppd, lcp_close, runs here)
 *   call NAME         nothing: puts "call NAME" into the command line, where the plugin
 *                     finds its peer name (/proc/self/cmdline), as in "pppd call NAME"
 *   persist           set pppd's persist option
 *   debug             pppd's "debug" option (the debug variable counts them)
 *   maxfail N         pppd's maxfail (1: the main loop stops after this first attempt)
 *   late-hangup       lcp_close's link also hangs up after PHASE_DEAD (EXIT_HANGUP, below)
 *   die N             pppd's die(N): exits N (a pppd ending by itself, e.g. 19 without persist)
 *   status N          pppd's status (what the attempt's end set: 19 when we failed to authenticate)
 *   set-holdoff N     the option "holdoff N" (holdoff = N, holdoff_specified = 1)
 *   need-holdoff 0|1  pppd's need_holdoff (0 after an idle timeout)
 *   redial            what pppd's main loop does after a link ended under persist:
 *                     t = need_holdoff ? holdoff : 0; if (holdoff_hook) t = holdoff_hook();
 *                     prints "HOLDOFF t hook|no-hook"
 *   sleep MS          wait MS milliseconds (a link that stays up for a while)
 *   sh CMD            run CMD with system() (to look at the kernel between events): "SH rc=N"
 *   stamp FILE        write the wall clock (CLOCK_REALTIME, "SECONDS.NANOSECONDS") to FILE:
 *                     a bench's t0 just before the next event, without a shell's start-up
 *   bench N GAP_MS    N x (ip-up, ipv6-up, ip-down, ipv6-down), GAP_MS apart (pppd's events
 *                     are never back to back: the kernel may finish deferred work
 *                     of the previous transaction in between); prints the time of each
 *                     callback: "bench EVENT n=N median_us=X min_us=M p99_us=Y max_us=Z", then
 *                     "bench cpu max_us=C": the most CPU time one callback used (wall time
 *                     minus the time the scheduler gave to other processes)
 * Every log line the plugin writes through pppd goes to stdout as "LOG <level>: msg";
 * option_error as "OPTION-ERROR: msg"; die(N) prints "DIE N" and exits N;
 * lcp_close prints "LCP-CLOSE unit reason" and ends the link (below).
 * The MTU is the kernel's for ifname (SIOCGIFMTU), unless "mtu N" set one.
 * Asking for the MTU of an interface that is gone (issue 13: in pppd it costs
 * two module-loader runs) prints "MTU-OF-GONE-LINK ifname" and is counted;
 * the last two lines are "mtu-of-gone-link=M" and "END errors-logged=N". */
#define INET6 1
#include <pppd/pppd.h>
#include <pppd/eui64.h>
#include <pppd/fsm.h>
#include <pppd/ipcp.h>
#include <pppd/ipv6cp.h>

#include <arpa/inet.h>
#include <dlfcn.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define EXPORT __attribute__((visibility("default"), used))

/* ------------------------------------------------------------ pppd state */
EXPORT struct notifier *phasechange, *exitnotify, *ip_up_notifier, *ip_down_notifier, *ipv6_up_notifier,
    *ipv6_down_notifier, *link_down_notifier;
EXPORT char ifname[MAXIFNAMELEN];
EXPORT int ifunit = -1;
EXPORT char *ipparam;
EXPORT bool persist;
EXPORT int ppp_session_number;
EXPORT char remote_number[MAXNAMELEN];
EXPORT char devnam[MAXPATHLEN];
EXPORT ipcp_options ipcp_gotoptions[NUM_PPP], ipcp_hisoptions[NUM_PPP];
EXPORT ipv6cp_options ipv6cp_gotoptions[NUM_PPP], ipv6cp_hisoptions[NUM_PPP];
EXPORT int (*holdoff_hook)(void);
EXPORT int holdoff = 30; /* pppd's default */
EXPORT bool holdoff_specified;
EXPORT int need_holdoff = 1;
EXPORT volatile int status;
EXPORT int debug; /* pppd's "debug" option: a count, each "debug" adds one */

static int fixed_mtu;   /* 0: ask the kernel */
static int n_log_error; /* messages that came through error() */
static int link_gone;   /* the interface was removed (after link-down, at exit) */
static int n_mtu_gone;  /* MTU reads of a removed interface */

/* ------------------------------------------------------------ logging */
static void vlog(const char *level, const char *fmt, va_list ap)
{
    printf("LOG %s: ", level);
    vprintf(fmt, ap);
    printf("\n");
    fflush(stdout);
}
#define LOGGER(fn, level)                                                                                              \
    EXPORT void fn(char *fmt, ...)                                                                                     \
    {                                                                                                                  \
        va_list ap;                                                                                                    \
        va_start(ap, fmt);                                                                                             \
        vlog(level, fmt, ap);                                                                                          \
        va_end(ap);                                                                                                    \
    }
LOGGER(dbglog, "debug")
LOGGER(info, "info")
LOGGER(notice, "notice")
LOGGER(warn, "warn")
EXPORT void error(char *fmt, ...)
{
    va_list ap;
    ++n_log_error;
    va_start(ap, fmt);
    vlog("error", fmt, ap);
    va_end(ap);
}
EXPORT void option_error(char *fmt, ...)
{
    va_list ap;
    printf("OPTION-ERROR: ");
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    fflush(stdout);
}
EXPORT void die(int status)
{
    printf("DIE %d\n", status);
    fflush(stdout);
    exit(status);
}

/* lcp_close (from a timer: run-timers): pppd's LCP ends the link at once
 * (TermReq, TermAck, link_terminated: phases TERMINATE, DISCONNECT, DEAD).
 * With "late-hangup", pppd's get_input() then reads the channel's hang-up
 * (the peer's PADT crossing ours) in the same loop pass: "Modem hangup",
 * status = EXIT_HANGUP, after the PHASE_DEAD notifiers. Then its main():
 * without persist (or maxfail reached: the first attempt) die(status), else
 * t = need_holdoff ? holdoff : 0, holdoff_hook's t if set; t > 0: the
 * PHASE_HOLDOFF wait ("HOLDOFF-PHASE t"), after which no persist is
 * die(status); else "REDIAL". */
static void fire(struct notifier *n, int arg);
static int late_hangup;
EXPORT int maxfail = 10;
EXPORT void lcp_close(int unit, char *reason)
{
    printf("LCP-CLOSE %d %s\n", unit, reason);
    fflush(stdout);
    fire(phasechange, PHASE_TERMINATE);
    fire(phasechange, PHASE_DISCONNECT);
    fire(phasechange, PHASE_DEAD);
    if (late_hangup) {
        printf("MODEM-HANGUP\n");
        status = EXIT_HANGUP;
    }
    if (!persist || maxfail == 1)
        die(status);
    int t = need_holdoff ? holdoff : 0;
    if (holdoff_hook)
        t = (*holdoff_hook)();
    if (t > 0) {
        printf("HOLDOFF-PHASE %d\n", t);
        fire(phasechange, PHASE_HOLDOFF);
        if (!persist)
            die(status);
    }
    printf("REDIAL\n");
}

/* ------------------------------------------------------------ notifiers */
EXPORT void add_notifier(struct notifier **list, notify_func func, void *arg)
{
    struct notifier *n = calloc(1, sizeof(*n));
    if (!n)
        abort();
    n->func = func;
    n->arg = arg;
    /* pppd appends: notifiers run in the order they were added */
    while (*list)
        list = &(*list)->next;
    *list = n;
}

static int count(struct notifier *n)
{
    int c = 0;
    for (; n; n = n->next)
        ++c;
    return c;
}

static void fire(struct notifier *n, int arg)
{
    for (; n; n = n->next)
        n->func(n->arg, arg);
}

/* ------------------------------------------------------------ options */
#define MAX_TABLES 16
static option_t *tables[MAX_TABLES];
static int n_tables;

EXPORT void add_options(option_t *opts)
{
    if (n_tables >= MAX_TABLES)
        abort();
    tables[n_tables++] = opts;
}

static option_t *find_option(const char *name)
{
    for (int t = 0; t < n_tables; ++t)
        for (option_t *o = tables[t]; o->name; ++o)
            if (strcmp(o->name, name) == 0)
                return o;
    return NULL;
}

/* ------------------------------------------------------------ timers */
struct ftimer {
    void (*fn)(void *);
    void *arg;
    int live;
};
static struct ftimer timers[64];

EXPORT void timeout(void (*fn)(void *), void *arg, int s, int us)
{
    (void)s;
    (void)us;
    for (int i = 0; i < 64; ++i)
        if (!timers[i].live) {
            timers[i] = (struct ftimer){fn, arg, 1};
            return;
        }
    abort();
}

EXPORT void untimeout(void (*fn)(void *), void *arg)
{
    for (int i = 0; i < 64; ++i)
        if (timers[i].live && timers[i].fn == fn && timers[i].arg == arg)
            timers[i].live = 0;
}

EXPORT int netif_get_mtu(int unit)
{
    (void)unit;
    if (link_gone) {
        ++n_mtu_gone;
        printf("MTU-OF-GONE-LINK %s\n", ifname);
        fflush(stdout);
        return 0;
    }
    if (fixed_mtu)
        return fixed_mtu;
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct ifreq req;
    memset(&req, 0, sizeof req);
    snprintf(req.ifr_name, sizeof req.ifr_name, "%.15s", ifname);
    int mtu = (fd >= 0 && ioctl(fd, SIOCGIFMTU, &req) == 0) ? req.ifr_mtu : 0;
    if (fd >= 0)
        close(fd);
    return mtu;
}

/* ------------------------------------------------------------ driver */
static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void report(const char *ev, double *t, int n)
{
    qsort(t, (size_t)n, sizeof(double), cmp_double);
    int p99 = (int)((n - 1) * 0.99);
    printf("bench %s n=%d median_us=%.1f min_us=%.1f p99_us=%.1f max_us=%.1f\n", ev, n, t[n / 2], t[0], t[p99],
           t[n - 1]);
}

static double cpu_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static double max_cpu_us; /* the most CPU time (user + system) one timed callback used */

static double timed(struct notifier *list, int arg)
{
    double c0 = cpu_us(), t0 = now_us();
    fire(list, arg);
    double took = now_us() - t0, cpu = cpu_us() - c0;
    if (cpu > max_cpu_us)
        max_cpu_us = cpu;
    return took;
}

static int need(int i, int argc, const char *cmd)
{
    if (i >= argc) {
        fprintf(stderr, "fake_pppd: %s needs an argument\n", cmd);
        exit(64);
    }
    return i;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: fake_pppd SO COMMAND...\n");
        return 64;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    snprintf(ifname, sizeof ifname, "ppp0");
    ipparam = "";
    /* like pppd's loadplugin(): RTLD_GLOBAL | RTLD_NOW */
    void *h = dlopen(argv[1], RTLD_GLOBAL | RTLD_NOW);
    if (!h) {
        printf("DLOPEN-FAILED: %s\n", dlerror());
        return 3;
    }
    for (int i = 2; i < argc; ++i) {
        const char *c = argv[i];
        if (strcmp(c, "version") == 0) {
            const char *v = dlsym(h, "pppd_version");
            printf("pppd_version %s\n", v ? v : "(missing)");
        } else if (strcmp(c, "init") == 0) {
            void (*init)(void) = (void (*)(void))dlsym(h, "plugin_init");
            if (!init) {
                printf("NO-PLUGIN-INIT\n");
                return 3;
            }
            init();
        } else if (strcmp(c, "plugin") == 0) {
            /* another "plugin SO" on pppd's command line: loaded and initialised the same way */
            void *h2 = dlopen(argv[need(++i, argc, c)], RTLD_GLOBAL | RTLD_NOW);
            void (*init2)(void) = h2 ? (void (*)(void))dlsym(h2, "plugin_init") : NULL;
            if (!init2) {
                printf("DLOPEN-FAILED: %s\n", h2 ? "no plugin_init" : dlerror());
                return 3;
            }
            init2();
        } else if (strcmp(c, "options") == 0) {
            for (int t = 0; t < n_tables; ++t)
                for (option_t *o = tables[t]; o->name; ++o)
                    printf("option %s %s %s %s %s\n", o->name, o->type == o_special ? "arg" : "noarg",
                           (o->flags & OPT_PRIV) ? "priv" : "-", (o->flags & OPT_HIDE) ? "hide" : "-",
                           o->description ? o->description : "");
        } else if (strcmp(c, "notifiers") == 0) {
            printf("notifiers phase=%d ip-up=%d ip-down=%d ipv6-up=%d ipv6-down=%d link-down=%d exit=%d\n",
                   count(phasechange), count(ip_up_notifier), count(ip_down_notifier), count(ipv6_up_notifier),
                   count(ipv6_down_notifier), count(link_down_notifier), count(exitnotify));
        } else if (strcmp(c, "opt") == 0) {
            const char *name = argv[need(++i, argc, c)];
            option_t *o = find_option(name);
            if (!o) {
                printf("UNRECOGNIZED-OPTION %s\n", name);
                return 2;
            }
            char *args[2] = {NULL, NULL};
            if (o->type == o_special)
                args[0] = argv[need(++i, argc, c)];
            int (*parser)(char **) = (int (*)(char **))o->addr;
            if (!parser(args)) {
                printf("OPTION-REJECTED %s\n", name);
                return 2; /* pppd: EXIT_OPTION_ERROR */
            }
            printf("OPTION-ACCEPTED %s\n", name);
        } else if (strcmp(c, "ifname") == 0) {
            snprintf(ifname, sizeof ifname, "%s", argv[need(++i, argc, c)]);
            ifunit = 0;
            link_gone = 0;
        } else if (strcmp(c, "pppoe") == 0) {
            ppp_session_number = atoi(argv[need(++i, argc, c)]);
            snprintf(remote_number, sizeof remote_number, "%s", argv[need(++i, argc, c)]);
            snprintf(devnam, sizeof devnam, "%s", argv[need(++i, argc, c)]);
        } else if (strcmp(c, "mtu") == 0) {
            fixed_mtu = atoi(argv[need(++i, argc, c)]);
        } else if (strcmp(c, "unit") == 0) {
            ifunit = atoi(argv[need(++i, argc, c)]);
        } else if (strcmp(c, "local4") == 0) {
            ipcp_gotoptions[0].ouraddr = inet_addr(argv[need(++i, argc, c)]);
        } else if (strcmp(c, "phase") == 0) {
            fire(phasechange, atoi(argv[need(++i, argc, c)]));
        } else if (strcmp(c, "ip-up") == 0) {
            link_gone = 0;
            fire(ip_up_notifier, 0);
        } else if (strcmp(c, "ip-down") == 0) {
            fire(ip_down_notifier, 0);
        } else if (strcmp(c, "ipv6-up") == 0) {
            link_gone = 0;
            fire(ipv6_up_notifier, 0);
        } else if (strcmp(c, "ipv6-down") == 0) {
            fire(ipv6_down_notifier, 0);
        } else if (strcmp(c, "link-down") == 0) {
            fire(link_down_notifier, 0);
            link_gone = 1;
        } else if (strcmp(c, "exit") == 0) {
            link_gone = 1;
            fire(exitnotify, atoi(argv[need(++i, argc, c)]));
        } else if (strcmp(c, "get-mtu") == 0) {
            printf("MTU %d\n", netif_get_mtu(ifunit)); /* as the shim does; for the self-test */
        } else if (strcmp(c, "run-timers") == 0) {
            for (int t = 0; t < 64; ++t)
                if (timers[t].live) {
                    timers[t].live = 0;
                    timers[t].fn(timers[t].arg);
                }
        } else if (strcmp(c, "call") == 0) {
            need(++i, argc, c); /* read from /proc/self/cmdline by the plugin */
        } else if (strcmp(c, "persist") == 0) {
            persist = 1;
        } else if (strcmp(c, "debug") == 0) {
            debug++;
        } else if (strcmp(c, "maxfail") == 0) {
            maxfail = atoi(argv[need(++i, argc, c)]);
        } else if (strcmp(c, "late-hangup") == 0) {
            late_hangup = 1;
        } else if (strcmp(c, "die") == 0) {
            die(atoi(argv[need(++i, argc, c)]));
        } else if (strcmp(c, "status") == 0) {
            status = atoi(argv[need(++i, argc, c)]);
        } else if (strcmp(c, "set-holdoff") == 0) {
            holdoff = atoi(argv[need(++i, argc, c)]);
            holdoff_specified = 1;
        } else if (strcmp(c, "need-holdoff") == 0) {
            need_holdoff = atoi(argv[need(++i, argc, c)]);
        } else if (strcmp(c, "redial") == 0) {
            int t = need_holdoff ? holdoff : 0; /* pppd's main(), between two dials */
            if (holdoff_hook)
                t = (*holdoff_hook)();
            printf("HOLDOFF %d %s\n", t, holdoff_hook ? "hook" : "no-hook");
        } else if (strcmp(c, "sleep") == 0) {
            long ms = atol(argv[need(++i, argc, c)]);
            struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
            nanosleep(&ts, NULL);
        } else if (strcmp(c, "bench") == 0) {
            int n = atoi(argv[need(++i, argc, c)]);
            int gap_ms = atoi(argv[need(++i, argc, c)]);
            if (n < 1 || n > 100000 || gap_ms < 0 || gap_ms > 1000)
                return 64;
            struct timespec gap = {0, (long)gap_ms * 1000000L};
            double *t[4];
            for (int k = 0; k < 4; ++k)
                t[k] = calloc((size_t)n, sizeof(double));
            max_cpu_us = 0;
            for (int r = 0; r < n; ++r) {
                t[0][r] = timed(ip_up_notifier, 0);
                nanosleep(&gap, NULL);
                t[1][r] = timed(ipv6_up_notifier, 0);
                nanosleep(&gap, NULL);
                t[2][r] = timed(ip_down_notifier, 0);
                nanosleep(&gap, NULL);
                t[3][r] = timed(ipv6_down_notifier, 0);
                nanosleep(&gap, NULL);
            }
            report("ip-up", t[0], n);
            report("ipv6-up", t[1], n);
            report("ip-down", t[2], n);
            report("ipv6-down", t[3], n);
            printf("bench cpu max_us=%.1f\n", max_cpu_us);
            for (int k = 0; k < 4; ++k)
                free(t[k]);
        } else if (strcmp(c, "sh") == 0) {
            /* look at the kernel state between two events */
            int rc = system(argv[need(++i, argc, c)]);
            fflush(stdout);
            printf("SH rc=%d\n", WIFEXITED(rc) ? WEXITSTATUS(rc) : -1);
        } else if (strcmp(c, "stamp") == 0) {
            const char *path = argv[need(++i, argc, c)];
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            FILE *f = fopen(path, "w");
            if (f == NULL || fprintf(f, "%lld.%09ld\n", (long long)ts.tv_sec, ts.tv_nsec) < 0 || fclose(f) != 0)
                return 71;
        } else if (strcmp(c, "timed-phase") == 0) {
            int ph = atoi(argv[need(++i, argc, c)]);
            printf("bench phase-%d us=%.1f\n", ph, timed(phasechange, ph));
        } else {
            fprintf(stderr, "fake_pppd: unknown command '%s'\n", c);
            return 64;
        }
    }
    printf("mtu-of-gone-link=%d\n", n_mtu_gone);
    printf("END errors-logged=%d\n", n_log_error);
    return 0;
}
