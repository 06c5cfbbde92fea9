/* pk_host.h - the C ABI between pppd_shim.c (the only code that includes pppd
 * headers) and the C++ side of every pppkit plugin.
 *
 * Contract:
 *  - Everything here is called on pppd's single thread, from pppd's main loop
 *    (notifiers, timers) or from option parsing (plugin_init, option parsers).
 *  - The C++ side (host.cpp) must never let an exception escape a pk_* entry
 *    point it implements; every one of them is noexcept and catches all.
 *    The shim's functions are C and never throw: they are declared noexcept
 *    for C++ so that a catch block may call them and stay non-throwing.
 *  - A plugin whose C++ side failed to initialise must not let pppd dial:
 *    the shim registers its notifiers before pk_cxx_plugin_init(), and the
 *    first event after the options are parsed stops pppd (EXIT_OPTION_ERROR).
 *  - The kernel is asked about the interface (its MTU) only while it exists:
 *    from ip-up/ipv6-up until link-down; never at link-down or exit.
 *  - Strings passed in either direction are borrowed: copy what you keep.
 */
#ifndef PPPKIT_PK_HOST_H
#define PPPKIT_PK_HOST_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
#define PK_NOEXCEPT noexcept
extern "C" {
#else
#define PK_NOEXCEPT
#endif

enum pk_level { PK_DEBUG = 0, PK_INFO, PK_NOTICE, PK_WARN, PK_ERROR };

/* Mirrors pppd's PHASE_* (identical in 2.4.9 and 2.5.x); the shim
 * static_asserts that the numbers match. */
enum pk_phase {
    PK_PHASE_DEAD = 0,
    PK_PHASE_INITIALIZE,
    PK_PHASE_SERIALCONN,
    PK_PHASE_DORMANT,
    PK_PHASE_ESTABLISH,
    PK_PHASE_AUTHENTICATE,
    PK_PHASE_CALLBACK,
    PK_PHASE_NETWORK,
    PK_PHASE_RUNNING,
    PK_PHASE_TERMINATE,
    PK_PHASE_DISCONNECT,
    PK_PHASE_HOLDOFF,
    PK_PHASE_MASTER
};

enum pk_event {
    PK_EV_PHASE = 0, /* arg: enum pk_phase */
    PK_EV_IP_UP,     /* IPCP up: address and MTU are set, interface is up */
    PK_EV_IP_DOWN,   /* IPCP down: called before the addresses are cleared */
    PK_EV_IPV6_UP,
    PK_EV_IPV6_DOWN,
    PK_EV_LINK_DOWN,
    PK_EV_EXIT /* arg: pppd's exit status; last event before exit() */
};

/* A snapshot of the link, filled by the shim from pppd's state. */
struct pk_link {
    char ifname[64]; /* "" until pppd has created the interface */
    int unit;        /* ppp unit number, -1 if unknown */
    char ipparam[256];
    uint32_t local4;  /* IPCP local address, network byte order, 0 if none */
    uint32_t remote4; /* IPCP peer address, network byte order */
    uint64_t ourid6;  /* IPV6CP interface identifiers (link-local), 0 if none */
    uint64_t hisid6;
    int mtu;     /* interface MTU, 0 if unknown or not asked */
    int persist; /* pppd's persist option */
    /* The PPPoE session, as pppd's channel (rp-pppoe.so / pppoe.so) keeps it
     * from the PADS on (phase ESTABLISH): raw and unchecked, the C++ side
     * validates. 0 / "" when the channel is not PPPoE or not connected. */
    int session;            /* ppp_session_number / ppp_get_session_number() */
    char remote_number[64]; /* the AC's MAC as the channel wrote it ("AA:BB:..") */
    char devnam[64];        /* the channel's device: the Ethernet interface */
    /* pppd's exit status as it stands: EXIT_OK at the start of each attempt
     * (main loop), set by what ends the attempt (19 when we failed to
     * authenticate, 11 when the peer did) before lcp_close. */
    int status;
};

/* An option parser: return 1 on success; on failure write a message into
 * err (at most errlen bytes, NUL-terminated) and return 0. value is NULL for
 * options registered with takes_arg == 0. */
typedef int (*pk_option_fn)(void *ctx, const char *value, char *err, size_t errlen);

/* ---- provided by the shim (pppd side) ---- */
void pk_log(enum pk_level level, const char *msg) PK_NOEXCEPT;
/* Fills out from pppd's state. The MTU is read from the kernel (through
 * pppd) only when query_mtu is non-zero; otherwise out->mtu is 0. */
void pk_get_link(struct pk_link *out, int query_mtu) PK_NOEXCEPT;
/* Registers one pppd option. name must outlive pppd (a string literal).
 * Returns 0 on success, -1 when the shim's option table is full. */
int pk_add_option(const char *name, const char *description, int takes_arg, int hidden, pk_option_fn fn,
                  void *ctx) PK_NOEXCEPT;
/* Options must be handed to pppd in one table: call once after all
 * pk_add_option calls in plugin_init. */
void pk_commit_options(void) PK_NOEXCEPT;
void pk_timeout(void (*fn)(void *), void *arg, int ms) PK_NOEXCEPT;
void pk_untimeout(void (*fn)(void *), void *arg) PK_NOEXCEPT;
/* Logs msg as an option error and exits pppd with EXIT_OPTION_ERROR (2). */
void pk_die_option_error(const char *msg) PK_NOEXCEPT;
/* Logs msg as an error; then, from pppd's main loop (a 0 ms timer),
 * ends the link as on SIGTERM (LCP Terminate-Request, the channel's
 * disconnect: rp-pppoe's PADT) without persist, and pppd exits with
 * EXIT_OPTION_ERROR (2). Returns at once; call it from a notifier. */
void pk_stop_pppd(const char *msg) PK_NOEXCEPT;
const char *pk_pppd_version(void) PK_NOEXCEPT;
/* Non-zero when pppd's "debug" (or -d) is on: pppd then logs every control
 * packet, CHAP's challenge and response among them. Final once the options
 * are parsed (any event after PHASE_INITIALIZE). */
int pk_debug_on(void) PK_NOEXCEPT;

/* pppd's redial delay. pppd calls one holdoff_hook (a plain pointer): the
 * first pppkit plugin's plugin_init installs the shim's, unless another
 * plugin set one before; the other pppkit plugins leave it. */
struct pk_holdoff {
    int holdoff;      /* pppd's "holdoff" option, seconds (default 30) */
    int specified;    /* non-zero when the user gave "holdoff N" */
    int need_holdoff; /* 0 when pppd itself would not wait (idle timeout) */
    int owned;        /* non-zero when pppd's holdoff_hook is this plugin's */
};
void pk_get_holdoff(struct pk_holdoff *out) PK_NOEXCEPT;

/* ---- provided by the C++ side (host.cpp) ---- */
/* Called by plugin_init after the notifiers are registered. On failure it
 * logs, records the failure, and returns: the next event stops pppd. */
void pk_cxx_plugin_init(void) PK_NOEXCEPT;
void pk_cxx_event(enum pk_event ev, int arg) PK_NOEXCEPT;
/* pppd's holdoff_hook (owner plugin only): the seconds to wait before the
 * next dial, from pppd's main loop after the link ended (persist). Returns
 * at once: no I/O but one log line at debug level. */
int pk_cxx_holdoff(void) PK_NOEXCEPT;

#ifdef __cplusplus
}
#endif
#endif
