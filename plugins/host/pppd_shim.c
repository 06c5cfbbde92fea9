/* pppd_shim.c - the pppd ABI boundary. The only file in pppkit that includes
 * pppd headers. It is compiled once per ABI:
 *   - pppd 2.4.9 (Debian 12, Ubuntu 22.04/24.04): <pppd/patchlevel.h> defines VERSION;
 *   - pppd 2.5.x (Debian 13): <pppd/pppdconf.h> defines PPPD_VERSION.
 * It exports exactly plugin_init and pppd_version; everything else is hidden
 * (-fvisibility=hidden). It forwards pppd's notifiers to pk_cxx_event() and
 * offers pppd's services through pk_host.h. */
/* 2.4.9 declares the IPv6CP interface ids (eui64_t) only with INET6. */
#define INET6 1
#include <pppd/pppd.h>
#include <pppd/eui64.h>
#include <pppd/fsm.h>
#include <pppd/ipcp.h>
#include <pppd/ipv6cp.h>
#include <pppd/lcp.h>
#if __has_include(<pppd/options.h>)
#include <pppd/options.h> /* 2.5.x: option_t and ppp_add_options */
#endif

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#include "pk_host.h"

#if defined(PPPD_VERSION)
#define PK_ABI_25 1
#define PK_VERSION PPPD_VERSION
/* exported by pppd 2.5.x but no longer declared in its public headers */
extern void die(int status);
/* types as in 2.5.2's binary (nm -S: 4, 1 and 4 bytes) */
extern int holdoff;
extern bool holdoff_specified;
extern int need_holdoff;
extern bool persist; /* 1 byte in 2.5.2 (nm -S); 2.5 declares only ppp_persist() */
extern int maxfail;  /* 4 bytes in 2.5.2 (nm -S) */
#else
#define PK_ABI_25 0
#define PK_VERSION VERSION
#endif

#define PK_EXPORT __attribute__((visibility("default")))

PK_EXPORT char pppd_version[] = PK_VERSION;

_Static_assert((int)PHASE_DEAD == (int)PK_PHASE_DEAD, "phase numbering");
_Static_assert((int)PHASE_SERIALCONN == (int)PK_PHASE_SERIALCONN, "phase numbering");
_Static_assert((int)PHASE_DORMANT == (int)PK_PHASE_DORMANT, "phase numbering");
_Static_assert((int)PHASE_NETWORK == (int)PK_PHASE_NETWORK, "phase numbering");
_Static_assert((int)PHASE_RUNNING == (int)PK_PHASE_RUNNING, "phase numbering");
_Static_assert((int)PHASE_HOLDOFF == (int)PK_PHASE_HOLDOFF, "phase numbering");
_Static_assert((int)PHASE_MASTER == (int)PK_PHASE_MASTER, "phase numbering");

/* ---------------------------------------------------------------- logging */
/* pppd's error() and warn() share their names with glibc's error(3) and
 * warn(3): a direct call would be bound at link time to glibc's versioned
 * symbols and reach pppd only by the loader's grace. Look pppd's own up in the
 * global scope instead, where the pppd executable comes first. */
typedef void (*pk_logfn)(const char *, ...);
static pk_logfn pppd_error, pppd_warn;

static void resolve_log_functions(void)
{
    pppd_error = (pk_logfn)dlsym(RTLD_DEFAULT, "error");
    pppd_warn = (pk_logfn)dlsym(RTLD_DEFAULT, "warn");
}

void pk_log(enum pk_level level, const char *msg)
{
    switch (level) {
    case PK_DEBUG: dbglog("%s", msg); break;
    case PK_INFO: info("%s", msg); break;
    case PK_NOTICE: notice("%s", msg); break;
    case PK_WARN:
        if (pppd_warn)
            pppd_warn("%s", msg);
        else
            notice("warning: %s", msg);
        break;
    default:
        if (pppd_error)
            pppd_error("%s", msg);
        else
            notice("error: %s", msg);
        break;
    }
}

const char *pk_pppd_version(void) { return pppd_version; }

int pk_debug_on(void)
{
#if PK_ABI_25
    return debug_on() ? 1 : 0;
#else
    return debug != 0;
#endif
}

/* --------------------------------------------------------------- link info */
void pk_get_link(struct pk_link *out, int query_mtu)
{
    memset(out, 0, sizeof(*out));
#if PK_ABI_25
    snprintf(out->ifname, sizeof(out->ifname), "%s", ppp_ifname() ? ppp_ifname() : "");
    out->unit = ppp_ifunit();
    snprintf(out->ipparam, sizeof(out->ipparam), "%s", ppp_ipparam() ? ppp_ipparam() : "");
    out->persist = ppp_persist() ? 1 : 0;
    out->mtu = query_mtu && out->unit >= 0 ? ppp_get_mtu(out->unit) : 0;
    out->session = ppp_get_session_number();
    snprintf(out->remote_number, sizeof(out->remote_number), "%.63s",
             ppp_get_remote_number() ? ppp_get_remote_number() : "");
    snprintf(out->devnam, sizeof(out->devnam), "%.63s", ppp_devnam() ? ppp_devnam() : "");
    out->status = (int)ppp_status();
#else
    snprintf(out->ifname, sizeof(out->ifname), "%s", ifname);
    out->unit = ifunit;
    snprintf(out->ipparam, sizeof(out->ipparam), "%s", ipparam ? ipparam : "");
    out->persist = persist ? 1 : 0;
    out->mtu = query_mtu && ifunit >= 0 ? netif_get_mtu(ifunit) : 0;
    out->session = ppp_session_number;
    /* cut at 63 bytes: a longer value is no MAC and no interface name anyway */
    snprintf(out->remote_number, sizeof(out->remote_number), "%.63s", remote_number);
    snprintf(out->devnam, sizeof(out->devnam), "%.63s", devnam);
    out->status = status;
#endif
    out->local4 = ipcp_gotoptions[0].ouraddr;
    out->remote4 = ipcp_hisoptions[0].hisaddr;
    memcpy(&out->ourid6, &ipv6cp_gotoptions[0].ourid, sizeof(out->ourid6));
    memcpy(&out->hisid6, &ipv6cp_hisoptions[0].hisid, sizeof(out->hisid6));
}

/* ----------------------------------------------------------------- timers */
void pk_timeout(void (*fn)(void *), void *arg, int ms)
{
    if (ms < 0)
        ms = 0;
#if PK_ABI_25
    ppp_timeout(fn, arg, ms / 1000, (ms % 1000) * 1000);
#else
    timeout(fn, arg, ms / 1000, (ms % 1000) * 1000);
#endif
}

void pk_untimeout(void (*fn)(void *), void *arg)
{
#if PK_ABI_25
    ppp_untimeout(fn, arg);
#else
    untimeout(fn, arg);
#endif
}

void pk_die_option_error(const char *msg)
{
#if PK_ABI_25
    ppp_option_error("%s", msg);
#else
    option_error("%s", msg);
#endif
    die(EXIT_OPTION_ERROR);
}

/* ----------------------------------------------------------- pk_stop_pppd
 * msg is logged as an error. The link ends the way pppd ends it on SIGTERM,
 * then pppd exits with EXIT_OPTION_ERROR. die() from a notifier skipped both
 * LCP's Terminate-Request and the channel's disconnect (rp-pppoe's PADT): the
 * peer kept the PPPoE session until its own LCP gave up. Nothing of the link
 * may be torn down from inside the notifier either (start_link calls
 * lcp_lowerup after the ESTABLISH notifiers: an lcp_close there would be
 * undone, LCP would stay CLOSED and pppd would hang), so a 0 ms timer does
 * it from pppd's main loop: lcp_close(); link_terminated() calls the
 * channel's disconnect (PADT).
 * The exit status is set last, once the link is down: pppd's main loop reads
 * the channel once more after PHASE_DEAD, and a hang-up there (the peer's
 * PADT crossing ours: pppd 2.5.2, a slow peer that never acked the
 * Terminate-Request) sets EXIT_HANGUP over anything set before. So persist
 * stays on, maxfail off, and holdoff_hook becomes stop_holdoff() (whoever
 * owned it: another pppkit plugin's shim, or another plugin; pppd will not
 * dial again, so their holdoff is moot): the main loop calls it once the
 * link is down; it sets the status, turns persist off and asks for a 1 s
 * holdoff, after which pppd leaves its loop, waits for its scripts and exits
 * with that status. A SIGTERM meanwhile ends pppd as the user asked. If pppd
 * is still running 20 s after lcp_close (a state lcp_close cannot end), die().
 */
static int stopping;

static void set_exit_option_error(void)
{
#if PK_ABI_25
    ppp_set_status(EXIT_OPTION_ERROR);
#else
    status = EXIT_OPTION_ERROR;
#endif
}

static int stop_holdoff(void)
{
    persist = 0;
    set_exit_option_error();
    return 1;
}

/* the main loop reaches holdoff_hook once the link is down (above) */
static void exit_after_link(void)
{
    holdoff_hook = stop_holdoff;
    persist = 1;
    maxfail = 0;
    set_exit_option_error();
}

static void stop_fallback(void *arg)
{
    (void)arg;
    die(EXIT_OPTION_ERROR);
}

static void stop_link(void *arg)
{
    (void)arg;
    exit_after_link();
    lcp_close(0, "link refused by pppkit");
    pk_timeout(stop_fallback, NULL, 20000);
}

void pk_stop_pppd(const char *msg)
{
    if (stopping)
        return;
    stopping = 1;
    /* error(), not option_error(): pppd's option_error() after the options
     * were parsed goes to syslog only, not to pppd's logfile */
    pk_log(PK_ERROR, msg);
    exit_after_link();
    pk_timeout(stop_link, NULL, 0);
}

/* ---------------------------------------------------------------- holdoff
 * pppd (main loop, after the link ended and persist holds) calls
 * holdoff_hook() instead of using its fixed holdoff: seconds to wait. */
static int shim_holdoff(void) { return pk_cxx_holdoff(); }

void pk_get_holdoff(struct pk_holdoff *out)
{
    out->holdoff = holdoff;
    out->specified = holdoff_specified ? 1 : 0;
    out->need_holdoff = need_holdoff ? 1 : 0;
    out->owned = holdoff_hook == shim_holdoff;
}

/* ---------------------------------------------------------------- options
 * pppd's o_special parsers take no context, so the shim keeps a fixed table of
 * trampolines: parser N calls the N-th registered pk_option_fn. */
#define PK_MAX_OPTIONS 24

struct pk_opt_slot {
    pk_option_fn fn;
    void *ctx;
    int takes_arg;
};
static struct pk_opt_slot slots[PK_MAX_OPTIONS];
static option_t pppd_opts[PK_MAX_OPTIONS + 1];
static int n_opts;

static int run_slot(int i, char **argv)
{
    char err[512] = "";
    const char *value = slots[i].takes_arg ? argv[0] : NULL;
    if (slots[i].fn(slots[i].ctx, value, err, sizeof(err)))
        return 1;
#if PK_ABI_25
    ppp_option_error("%s", err[0] ? err : "invalid value");
#else
    option_error("%s", err[0] ? err : "invalid value");
#endif
    return 0;
}

/* clang-format off */
#define PK_TRAMP(n) static int tramp_##n(char **argv) { return run_slot(n, argv); }
PK_TRAMP(0) PK_TRAMP(1) PK_TRAMP(2) PK_TRAMP(3) PK_TRAMP(4) PK_TRAMP(5)
PK_TRAMP(6) PK_TRAMP(7) PK_TRAMP(8) PK_TRAMP(9) PK_TRAMP(10) PK_TRAMP(11)
PK_TRAMP(12) PK_TRAMP(13) PK_TRAMP(14) PK_TRAMP(15) PK_TRAMP(16) PK_TRAMP(17)
PK_TRAMP(18) PK_TRAMP(19) PK_TRAMP(20) PK_TRAMP(21) PK_TRAMP(22) PK_TRAMP(23)
static int (*const tramps[PK_MAX_OPTIONS])(char **) = {
    tramp_0, tramp_1, tramp_2, tramp_3, tramp_4, tramp_5, tramp_6, tramp_7,
    tramp_8, tramp_9, tramp_10, tramp_11, tramp_12, tramp_13, tramp_14, tramp_15,
    tramp_16, tramp_17, tramp_18, tramp_19, tramp_20, tramp_21, tramp_22, tramp_23,
};
/* clang-format on */

int pk_add_option(const char *name, const char *description, int takes_arg, int hidden, pk_option_fn fn, void *ctx)
{
    if (n_opts >= PK_MAX_OPTIONS)
        return -1;
    slots[n_opts].fn = fn;
    slots[n_opts].ctx = ctx;
    slots[n_opts].takes_arg = takes_arg;
    option_t *o = &pppd_opts[n_opts];
    memset(o, 0, sizeof(*o));
    o->name = (char *)name;
    o->type = takes_arg ? o_special : o_special_noarg;
    o->addr = (void *)tramps[n_opts];
    o->description = (char *)description;
    /* OPT_PRIV: only root (or an options file root controls) may set them. */
    o->flags = OPT_PRIV | (hidden ? OPT_HIDE : 0);
    ++n_opts;
    return 0;
}

void pk_commit_options(void)
{
    if (n_opts == 0)
        return;
    memset(&pppd_opts[n_opts], 0, sizeof(pppd_opts[n_opts]));
#if PK_ABI_25
    ppp_add_options(pppd_opts);
#else
    add_options(pppd_opts);
#endif
}

/* -------------------------------------------------------------- notifiers */
static void on_phase(void *ctx, int arg)
{
    (void)ctx;
    if (stopping && arg == PHASE_DEAD)
        set_exit_option_error(); /* die(status) follows in pppd's main loop */
    pk_cxx_event(PK_EV_PHASE, arg);
}
static void on_ip_up(void *ctx, int arg)
{
    (void)ctx;
    pk_cxx_event(PK_EV_IP_UP, arg);
}
static void on_ip_down(void *ctx, int arg)
{
    (void)ctx;
    pk_cxx_event(PK_EV_IP_DOWN, arg);
}
static void on_ipv6_up(void *ctx, int arg)
{
    (void)ctx;
    pk_cxx_event(PK_EV_IPV6_UP, arg);
}
static void on_ipv6_down(void *ctx, int arg)
{
    (void)ctx;
    pk_cxx_event(PK_EV_IPV6_DOWN, arg);
}
static void on_link_down(void *ctx, int arg)
{
    (void)ctx;
    pk_cxx_event(PK_EV_LINK_DOWN, arg);
}
static void on_exit_notify(void *ctx, int arg)
{
    (void)ctx;
    pk_cxx_event(PK_EV_EXIT, arg);
}

/* Called by pppd while it parses the "plugin" option, before the rest of
 * the options are parsed and before pppd detaches. pppd ignores what
 * plugin_init does (it returns void), and die() here would run pppd's
 * cleanup half-initialised: so the notifiers go in first, and a C++ side
 * that could not initialise stops pppd at the first phase change, before
 * the link is dialled (see pk_cxx_event). */
PK_EXPORT void plugin_init(void)
{
    resolve_log_functions();
#if PK_ABI_25
    ppp_add_notify(NF_PHASE_CHANGE, on_phase, NULL);
    ppp_add_notify(NF_IP_UP, on_ip_up, NULL);
    ppp_add_notify(NF_IP_DOWN, on_ip_down, NULL);
    ppp_add_notify(NF_IPV6_UP, on_ipv6_up, NULL);
    ppp_add_notify(NF_IPV6_DOWN, on_ipv6_down, NULL);
    ppp_add_notify(NF_LINK_DOWN, on_link_down, NULL);
    ppp_add_notify(NF_EXIT, on_exit_notify, NULL);
#else
    add_notifier(&phasechange, on_phase, NULL);
    add_notifier(&ip_up_notifier, on_ip_up, NULL);
    add_notifier(&ip_down_notifier, on_ip_down, NULL);
    add_notifier(&ipv6_up_notifier, on_ipv6_up, NULL);
    add_notifier(&ipv6_down_notifier, on_ipv6_down, NULL);
    add_notifier(&link_down_notifier, on_link_down, NULL);
    add_notifier(&exitnotify, on_exit_notify, NULL);
#endif
    /* one owner per pppd: the first pppkit plugin, unless another plugin
     * installed a hook before (then pppd keeps that one) */
    if (holdoff_hook == NULL)
        holdoff_hook = shim_holdoff;
    pk_cxx_plugin_init();
}
