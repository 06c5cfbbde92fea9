#!/bin/bash
# lab.sh - boots a throw-away qemu VM with PPP in its kernel and runs one
# guest test script against a real pppoe-server and a real pppd client.
#
#   tests/e2e/lab.sh [OPTIONS] GUEST_SCRIPT [ARGS...]      (root)
#
# The host kernel has no PPP. The VM runs Debian's stock kernel (extracted
# from linux-image-amd64 into /var/cache/pppkit-lab, never installed) on a
# root filesystem shared read-only over virtio-9p: the host's own root by
# default, or a Debian 13 tree (--rootfs trixie) for pppd 2.5. Inside the VM:
#
#   netns isp                     netns rtr (the router)             netns lan
#   pppoe-server on isp0   veth   pppd call lab (rp-pppoe.so on      bridge   eth0 172.16.1.100/16
#   + session pppd (ppp100) <---> wan0, mtu 1454, pppkit plugins)    <------> gw 172.16.2.1
#   192.0.2.1, "internet" host    ppp0 203.0.113.10 (IPCP)
#   198.51.100.80 on lo,          lan0 = bridge 172.16.2.1/16, ip_forward=1
#   route 172.16.0.0/16 via ppp
#
# Every address exists only inside the VM (qemu runs with -nic none).
# GUEST_SCRIPT (bash) runs in the VM's initial namespace and sources
# tests/e2e/guest.sh (path in $LAB_LIB) for lab_up, lab_redial, lab_poff,
# in_ns, capture_*, check/pass/fail. See tests/e2e/README.md.
#
# Exit status: 0 every check passed (at least one ran), 1 a check failed or
# the guest script failed, 2 setup error, 77 skipped (reason on the last
# line), 124 the watchdog stopped the VM.
#
# Options (each also as an environment variable, shown in brackets):
#   --build DIR          build dir, shared read-write at the same path [LAB_BUILD,
#                        default $PPPKIT_BUILD]
#   --plugin PATH|NAME   adds "plugin PATH" to the router's peer file; NAME means
#                        BUILD/pppkit-NAME.so (repeatable) [LAB_PLUGINS, space separated]
#   --opts "OPTS"        more router pppd options (@WORK@, @BUILD@ are replaced)
#                        [LAB_CLIENT_OPTS]
#   --server-opts "OPTS" more ISP-side pppd options [LAB_SERVER_OPTS]
#   --config FILE        installed as the router's /etc/ppp/pppkit.conf [LAB_CONFIG]
#   --file SRC:DEST[:MODE]  copies SRC to DEST inside the router's /etc/ppp
#                        (DEST relative to /etc/ppp, e.g. pppkit.d/10-x.conf or
#                        pppkit-secrets:0600), owned by root (repeatable)
#                        [LAB_FILES, space separated]
#   --share DIR          another host dir, read-write at the same path (repeatable)
#                        [LAB_SHARE]
#   --passenv NAME       passes a host environment variable to the guest script
#                        (repeatable) [LAB_PASSENV]
#   --mtu N              router pppd "mtu N" (default 1454, like the user's line) [LAB_MTU]
#   --ipv6               "+ipv6" on both pppds [LAB_IPV6=1]
#   --rootfs host|trixie|DIR  the VM's root (default host; trixie = Debian 13 tree
#                        made once with debootstrap in /var/cache/pppkit-lab/trixie)
#                        [LAB_ROOTFS]
#   --mem SIZE           VM memory (default 512M) [LAB_MEM]
#   --init lab|systemd   PID 1 of the guest: this script (default), or Debian's
#                        /lib/systemd/systemd reaching lab.target (sysinit.target
#                        + lab.service, which runs the guest script); slow and
#                        host-bound units are masked; see README.md [LAB_INIT]
#   --timeout SECONDS    watchdog for the whole VM run (default 300) [LAB_TIMEOUT]
#   --name NAME          label for the work dir (default: the script's name) [LAB_NAME]
#   --keep               keep the work dir even when everything passed [LAB_KEEP=1]
#   --quiet              do not stream the guest script's output live [LAB_QUIET=1]
#   --prepare            only fetch/cache the kernel (and the rootfs) and exit
set -u

LAB_SELF=$(readlink -f "${BASH_SOURCE[0]}")
LAB_DIR=$(dirname "$LAB_SELF")

###########################################################################
# Guest side: PID 1 inside the VM (the initramfs switch_root's into this)
###########################################################################
g_uptime() { local u _; read -r u _ </proc/uptime; echo "$u"; }
g_log() { echo "lab[guest $(g_uptime)s]: $*"; }
g_res() { # STATUS NAME DETAIL...  (setup results of the harness itself)
    local st=$1 name=$2; shift 2
    echo "$st $name $*" >>"$W/results"
    g_log "$st $name $*"
}

# /etc/ppp for one side: a copy of the root's, without anything that would
# make the test depend on the host (options has "auth"; ip-up.d has ddclient).
g_etc_copy() { # DEST
    local d=$1 x
    mkdir -p "$d"
    cp -a /etc/ppp/. "$d/"
    rm -rf "$d/peers" "$d/pppkit.conf" "$d/pppkit.d" "$d/pppkit-secrets"
    rm -rf "${d:?}"/ip-up.d "$d"/ip-down.d "$d"/ip-pre-up.d "$d"/ipv6-up.d "$d"/ipv6-down.d
    mkdir -p "$d"/ip-up.d "$d"/ip-down.d "$d"/ip-pre-up.d "$d"/ipv6-up.d "$d"/ipv6-down.d "$d/peers"
    echo "# lab: intentionally empty (Debian's has auth, lock, crtscts)" >"$d/options"
    printf '"%s" * "%s" *\n' "$LAB_USER" "$LAB_PASS" >"$d/chap-secrets"
    : >"$d/pap-secrets"
    chmod 600 "$d/chap-secrets" "$d/pap-secrets"
}
g_marker() { # ETC SIDE : scripts that log "uptime args" to markers/SIDE-EVENT
    local d
    for d in ip-up ip-down ipv6-up ipv6-down; do
        printf '#!/bin/sh\necho "$(cut -d" " -f1 /proc/uptime) $*" >>%s/markers/%s-%s\n' \
            "$W" "$2" "$d" >"$1/$d.d/99lab-marker"
    done
}
g_write_etc() {
    local f src dest mode
    g_etc_copy "$LAB_ISP_ETC"
    g_etc_copy "$LAB_RTR_ETC"
    mkdir -p "$W/markers"
    g_marker "$LAB_ISP_ETC" isp
    g_marker "$LAB_RTR_ETC" rtr
    # the ISP routes the customer's LAN to the session (a routed /16 behind the line)
    printf '#!/bin/sh\nip route replace %s dev "$1"\n' "$LAB_LAN_NET" >"$LAB_ISP_ETC/ip-up.d/10lab-lan-route"
    chmod 755 "$LAB_ISP_ETC"/*.d/* "$LAB_RTR_ETC"/*.d/*
    cat >"$LAB_ISP_ETC/pppoe-server-options" <<EOF
# lab: options of the ISP-side session pppd (pppoe-server -O)
require-chap
lcp-echo-interval 1
lcp-echo-failure 3
unit $LAB_ISP_UNIT
ipparam isp
debug
logfile $W/logs/isp-pppd.log
$([ "$LAB_IPV6" = 1 ] && echo +ipv6)
${LAB_SERVER_OPTS//@WORK@/$W}
EOF
    local opts=${LAB_CLIENT_OPTS//@WORK@/$W}
    opts=${opts//@BUILD@/$LAB_BUILD}
    {
        echo "# lab: the router's peer (pppd call lab)"
        echo "plugin rp-pppoe.so"
        echo "nic-$LAB_WAN_IF"
        echo "user \"$LAB_USER\""
        echo "noauth"
        echo "noipdefault"
        echo "defaultroute"
        echo "mtu $LAB_MTU"
        echo "persist"
        echo "maxfail 0"
        echo "holdoff 1"
        echo "lcp-echo-interval 1"
        echo "lcp-echo-failure 3"
        echo "ipparam lab"
        echo "debug"
        echo "logfile $W/logs/rtr-pppd.log"
        [ "$LAB_IPV6" = 1 ] && echo "+ipv6"
        for f in $LAB_PLUGINS; do echo "plugin $f"; done
        [ -n "$opts" ] && echo "$opts"
    } >"$LAB_RTR_ETC/peers/lab"
    if [ -n "$LAB_CONFIG" ]; then
        install -m 644 "$LAB_CONFIG" "$LAB_RTR_ETC/pppkit.conf" || g_res FAIL setup "cannot install $LAB_CONFIG"
    fi
    for f in $LAB_FILES; do
        IFS=: read -r src dest mode <<<"$f"
        dest=${dest#/etc/ppp/}; dest=${dest#/}
        install -D -m "${mode:-644}" -o root -g root "$src" "$LAB_RTR_ETC/$dest" \
            || g_res FAIL setup "cannot install $src as /etc/ppp/$dest"
    done
}

g_topology() { # few processes: every exec is slow under TCG
    local pfx=${LAB_LAN_NET#*/}
    ip netns add isp && ip netns add rtr && ip netns add lan || return 1
    ip -b - <<EOF || return 1
link set lo up
link add isp0 netns isp type veth peer name $LAB_WAN_IF netns rtr
link add eth0 netns lan type veth peer name lanp-lan netns rtr
EOF
    ip -n isp -b - <<EOF || return 1
link set lo up
link set isp0 up
addr add $LAB_INET_IP/32 dev lo
EOF
    # LAN: a bridge in the router, so tests can add hosts (lab_add_lan_host)
    ip -n rtr -b - <<EOF || return 1
link set lo up
link set $LAB_WAN_IF up
link add $LAB_LAN_IF type bridge
addr add $LAB_LAN_GW/$pfx dev $LAB_LAN_IF
link set $LAB_LAN_IF up
link set lanp-lan master $LAB_LAN_IF up
EOF
    ip -n lan -b - <<EOF || return 1
link set lo up
addr add $LAB_LAN_HOST/$pfx dev eth0
link set eth0 up
route add default via $LAB_LAN_GW
EOF
    ip netns exec rtr sh -c 'echo 1 >/proc/sys/net/ipv4/ip_forward && echo 1 >/proc/sys/net/ipv6/conf/all/forwarding'
}

g_stop_all() { # the client first, gracefully, so plugins log their exit lines
    local pid i
    [ -f "$LAB_RUN/client.pid" ] && read -r pid <"$LAB_RUN/client.pid" && kill -0 "$pid" 2>/dev/null && {
        g_log "stopping router pppd $pid (SIGTERM)"
        kill -TERM "$pid"
        for i in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    }
    [ -f "$LAB_RUN/pids" ] && while read -r pid; do kill -TERM "$pid" 2>/dev/null; done <"$LAB_RUN/pids"
    return 0
}

guest_main() {
    export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
    export HOME=/root LANG=C
    W=$LAB_WORK
    trap 'g_log "powering off"; sync; busybox poweroff -f' EXIT
    local t_init; t_init=$(g_uptime)
    if [ "${LAB_INIT:-lab}" != systemd ]; then
        mount -t proc proc /proc
        mount -t sysfs sys /sys
        mkdir -p /dev/pts /dev/shm /run/lock
        mount -t devpts -o newinstance,ptmxmode=0666 devpts /dev/pts && ln -sf pts/ptmx /dev/ptmx
        mount -t tmpfs shm /dev/shm
        # devtmpfs has no /dev/fd: bash's <(...) and /dev/stdin need them
        ln -sfn /proc/self/fd /dev/fd; ln -sf /proc/self/fd/0 /dev/stdin
        ln -sf /proc/self/fd/1 /dev/stdout; ln -sf /proc/self/fd/2 /dev/stderr
    fi
    # shellcheck disable=SC1091
    . "$W/guest.env"
    mkdir -p "$W/logs" "$W/cap" /run/lab
    echo "INFO boot-to-init ${t_init}s kernel $(uname -r), $(. /etc/os-release; echo "$PRETTY_NAME"), $(pppd --version 2>&1)" >>"$W/results"
    g_log "init at ${t_init}s, kernel $(uname -r), $(pppd --version 2>&1)"
    if [ "${LAB_INIT:-lab}" = systemd ]; then
        local us; us=$(systemctl show -p UserspaceTimestampMonotonic --value 2>/dev/null)
        echo "INFO systemd-boot kernel->systemd $(awk -v u="${us:-0}" 'BEGIN{printf "%.1f", u/1e6}')s, systemd->lab.service $(awk -v u="${us:-0}" -v t="$t_init" 'BEGIN{printf "%.1f", t-u/1e6}')s (PID 1: $(systemctl --version | head -n 1))" >>"$W/results"
        echo "INFO systemd-failed-units $(systemctl list-units --failed --no-legend --plain 2>/dev/null | awk '{printf "%s ", $1}')" >>"$W/results"
    fi

    # Modules live in the cached kernel tree (9p, mounted by the initramfs);
    # point the kernel's auto-loader at a wrapper so nft & co. find theirs.
    printf '#!/bin/sh\nexec /usr/sbin/modprobe -d /run/lab/mods "$@"\n' >/run/lab/modprobe
    chmod 755 /run/lab/modprobe
    echo /run/lab/modprobe >/proc/sys/kernel/modprobe
    local m
    for m in veth bridge ppp_generic ppp_async pppoe; do
        /run/lab/modprobe "$m" || g_res FAIL setup "modprobe $m"
    done
    [ -c /dev/ppp ] || g_res FAIL setup "/dev/ppp missing after modprobe ppp_generic"
    # What the tests' rulesets (firewall, MSS; exthdr and rt are part of
    # nf_tables) and pppd's CCP make the kernel load on demand (see a run's
    # logs/modules.txt), loaded before any test's clock starts. On demand,
    # each request_module execs modprobe over 9p under TCG: inside the
    # firewall plugin's configure() that took 20 s on an idle host and 51 s
    # under CI's load, past lab_dial's 60 s; here, 1-2 s. (The lab's cost:
    # on real hardware they load in milliseconds, or at boot.)
    local t_m=$SECONDS
    /run/lab/modprobe -a nf_tables nft_ct nft_nat nft_chain_nat nft_masq nft_fib_inet nft_fib_ipv4 nft_fib_ipv6 \
        nft_log nf_log_syslog nft_limit ppp_deflate bsd_comp || g_res FAIL setup "modprobe nftables modules"
    echo "INFO modules-preloaded $((SECONDS - t_m)) s for nf_tables and the expressions the rulesets use" >>"$W/results"
    g_log "modules loaded"
    # under systemd, journald has syslog (journalctl -o json for the fields)
    [ "${LAB_INIT:-lab}" = systemd ] || busybox syslogd -O "$W/logs/syslog"

    export LAB_RUN=/run/lab LAB_ISP_ETC=/run/lab/etc-isp LAB_RTR_ETC=/run/lab/etc-rtr
    g_topology || g_res FAIL setup "topology: could not create the namespaces and links"
    g_log "namespaces ready"
    g_write_etc
    LAB_SRV_KOPTS=""
    local pv; pv=$(pppd --version 2>&1 | awk '{print $NF}')
    # rp-pppoe 4.0 (Debian 13) has kernel mode; its default plugin path does not exist in Debian
    if pppoe-server -h 2>&1 | grep -q -- '^ *-k'; then LAB_SRV_KOPTS="-k -g /usr/lib/pppd/$pv/pppoe.so"; fi
    export LAB_SRV_KOPTS LAB_PPPD_VERSION=$pv

    g_log "running: bash ${LAB_SCRIPT[*]}"
    local rc
    (
        cd "$W" || exit 2
        export LAB_WORK=$W LAB_LIB="$LAB_DIR/guest.sh" LAB_RESULTS=$W/results
        exec timeout -k 5 "$LAB_TEST_TIMEOUT" bash "${LAB_SCRIPT[@]}"
    ) </dev/null >>"$W/test.out" 2>&1
    rc=$?
    g_log "guest script exit status $rc"
    cut -d' ' -f1 /proc/modules >"$W/logs/modules.txt" 2>/dev/null # what the test made the kernel load
    g_stop_all
    case $rc in
        0) ;;
        77) grep -q '^SKIP ' "$W/results" || echo "SKIP guest script exit 77" >>"$W/results" ;;
        124) g_res FAIL guest-script "timed out after ${LAB_TEST_TIMEOUT}s" ;;
        *) g_res FAIL guest-script "exit status $rc" ;;
    esac
    # keep the peer files for the log (never the secrets files)
    mkdir -p "$W/etc"
    cp "$LAB_RTR_ETC/peers/lab" "$W/etc/rtr-peer-lab" 2>/dev/null
    cp "$LAB_ISP_ETC/pppoe-server-options" "$W/etc/isp-pppoe-server-options" 2>/dev/null
    [ -f "$LAB_RTR_ETC/pppkit.conf" ] && cp "$LAB_RTR_ETC/pppkit.conf" "$W/etc/rtr-pppkit.conf"
    echo "DONE" >>"$W/results"
}

if [ -n "${LAB_WORK:-}" ] && { [ "$$" = 1 ] || [ "${LAB_INIT:-}" = systemd ]; } && [ -f "$LAB_WORK/guest.env" ] && [ -z "${LAB_LIB:-}" ]; then
    guest_main
    exit 0
fi

###########################################################################
# Host side
###########################################################################
say() { echo "lab: $*"; }
die() { echo "lab: SETUP ERROR: $*" >&2; exit 2; }
skip() { echo "lab: SKIP: $*"; exit 77; }

LAB_BUILD=${LAB_BUILD:-${PPPKIT_BUILD:-}}
LAB_PLUGINS=${LAB_PLUGINS:-}
LAB_CLIENT_OPTS=${LAB_CLIENT_OPTS:-}
LAB_SERVER_OPTS=${LAB_SERVER_OPTS:-}
LAB_CONFIG=${LAB_CONFIG:-}
LAB_FILES=${LAB_FILES:-}
LAB_SHARE=${LAB_SHARE:-}
LAB_PASSENV=${LAB_PASSENV:-}
LAB_MTU=${LAB_MTU:-1454}
LAB_IPV6=${LAB_IPV6:-0}
LAB_ROOTFS=${LAB_ROOTFS:-host}
LAB_MEM=${LAB_MEM:-512M}
LAB_INIT=${LAB_INIT:-lab}
LAB_TIMEOUT=${LAB_TIMEOUT:-300}
LAB_NAME=${LAB_NAME:-}
LAB_KEEP=${LAB_KEEP:-0}
LAB_QUIET=${LAB_QUIET:-0}
LAB_CACHE=${LAB_CACHE:-/var/cache/pppkit-lab}
LAB_SUITE=${LAB_SUITE:-trixie}
# the runtime libraries of every pppkit .so and tool are in the list, as in the package's
# Depends (checked by tests/load/lab_pkgs.test.sh);
# a changed list rebuilds the tree on the next run
LAB_TRIXIE_PKGS=ppp,pppoe,iproute2,nftables,procps,iputils-ping,busybox,kmod,tcpdump,libc6,libgcc-s1,libstdc++6,libinih1,libnftables1,libnftnl11,libmnl0,libcurl4t64,libssl3t64,libsystemd0
PREPARE_ONLY=0

while [ $# -gt 0 ]; do
    case $1 in
        --build) LAB_BUILD=$2; shift 2 ;;
        --plugin) LAB_PLUGINS="$LAB_PLUGINS $2"; shift 2 ;;
        --opts) LAB_CLIENT_OPTS="$LAB_CLIENT_OPTS $2"; shift 2 ;;
        --server-opts) LAB_SERVER_OPTS="$LAB_SERVER_OPTS $2"; shift 2 ;;
        --config) LAB_CONFIG=$2; shift 2 ;;
        --file) LAB_FILES="$LAB_FILES $2"; shift 2 ;;
        --share) LAB_SHARE="$LAB_SHARE $2"; shift 2 ;;
        --passenv) LAB_PASSENV="$LAB_PASSENV $2"; shift 2 ;;
        --mtu) LAB_MTU=$2; shift 2 ;;
        --ipv6) LAB_IPV6=1; shift ;;
        --rootfs) LAB_ROOTFS=$2; shift 2 ;;
        --mem) LAB_MEM=$2; shift 2 ;;
        --init) LAB_INIT=$2; shift 2 ;;
        --timeout) LAB_TIMEOUT=$2; shift 2 ;;
        --name) LAB_NAME=$2; shift 2 ;;
        --keep) LAB_KEEP=1; shift ;;
        --quiet) LAB_QUIET=1; shift ;;
        --prepare) PREPARE_ONLY=1; shift ;;
        --) shift; break ;;
        -*) die "unknown option $1 (see the top of $LAB_SELF)" ;;
        *) break ;;
    esac
done

export PATH=$PATH:/usr/sbin:/sbin
[ "$(id -u)" = 0 ] || skip "the lab needs root (qemu, 9p shares of / and the kernel cache)"
command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 is not installed (make deps)"
for c in cpio busybox depmod modprobe setsid timeout flock; do
    command -v "$c" >/dev/null || skip "$c is not installed (make deps)"
done
[ "$PREPARE_ONLY" = 1 ] || [ $# -ge 1 ] || die "usage: lab.sh [OPTIONS] GUEST_SCRIPT [ARGS...]"
[[ "$LAB_MTU" =~ ^[0-9]+$ ]] || die "--mtu: a number expected (got '$LAB_MTU')"
[[ "$LAB_TIMEOUT" =~ ^[0-9]+$ ]] || die "--timeout: seconds expected (got '$LAB_TIMEOUT')"
case $LAB_INIT in lab|systemd) ;; *) die "--init: lab or systemd (got '$LAB_INIT')" ;; esac

mkdir -p "$LAB_CACHE" || die "cannot create $LAB_CACHE"
exec 8>"$LAB_CACHE/.lock"

# ---- the kernel: Debian's linux-image, extracted once --------------------
kpkg_name() { apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-/{print $2; exit}'; }
prepare_kernel() {
    local kpkg kdir deb
    kpkg=${LAB_KPKG:-$(kpkg_name)}
    [ -n "$kpkg" ] || skip "cannot resolve linux-image-amd64 (apt-get update needed?)"
    KVER=${kpkg#linux-image-}
    kdir=$LAB_CACHE/kernel/$KVER
    if [ ! -f "$kdir/ok" ]; then
        say "fetching $kpkg into $kdir (once, ~70 MB)"
        rm -rf "$kdir"; mkdir -p "$kdir/dl"; chown _apt "$kdir/dl" 2>/dev/null
        (cd "$kdir/dl" && timeout 600 apt-get download "$kpkg" >/dev/null 2>&1) \
            || { rm -rf "$kdir"; skip "apt-get download $kpkg failed (no Debian mirror?)"; }
        deb=$(ls "$kdir"/dl/*.deb) && dpkg-deb -x "$deb" "$kdir/root" || die "dpkg-deb -x $deb failed"
        rm -rf "$kdir/dl"
        depmod -b "$kdir/root" "$KVER" || die "depmod failed"
        touch "$kdir/ok"
    fi
    QEMU_KERNEL=$kdir/root/boot/vmlinuz-$KVER
    KROOT=$kdir/root
    MODDIR=$kdir/root/lib/modules/$KVER
}

# ---- the Debian 13 root, debootstrap'ed once -----------------------------
host_mirror() {
    local u
    u=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null |
        awk '/^URIs:/{for(i=2;i<=NF;i++) if ($i ~ /\/debian\/?$/ && $i !~ /security/) {print $i; exit}}')
    [ -n "$u" ] || u=$(grep -hs '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list | grep -v security |
        awk '{for(i=2;i<=NF;i++) if ($i ~ /\/debian\/?$/) {print $i; exit}}')
    echo "$u"
}
prepare_trixie() {
    local root=$LAB_CACHE/$LAB_SUITE mirror t0
    ROOTFS=$root
    [ "$(cat "$root/.pppkit-lab-ok" 2>/dev/null)" = "$LAB_TRIXIE_PKGS" ] && return 0
    command -v debootstrap >/dev/null || skip "debootstrap is not installed (make deps)"
    mirror=${LAB_MIRROR:-$(host_mirror)}
    [ -n "$mirror" ] || skip "no Debian mirror in the host's apt sources (set LAB_MIRROR)"
    say "debootstrap $LAB_SUITE minbase from $mirror into $root (once, ~30-60 s)"
    t0=$SECONDS
    rm -rf "$root" "$root.partial"
    timeout 900 debootstrap --variant=minbase --include="$LAB_TRIXIE_PKGS" "$LAB_SUITE" "$root.partial" "$mirror" \
        >"$LAB_CACHE/debootstrap.log" 2>&1 \
        || { rm -rf "$root.partial"; skip "debootstrap $LAB_SUITE failed, see $LAB_CACHE/debootstrap.log"; }
    rm -f "$root.partial"/var/cache/apt/archives/*.deb
    mv "$root.partial" "$root" && echo "$LAB_TRIXIE_PKGS" >"$root/.pppkit-lab-ok" || die "cannot move the rootfs into place"
    say "debootstrap done in $((SECONDS - t0))s, $(du -sh "$root" | cut -f1)"
}

# A shared lock while a VM uses the cache; building or rebuilding it takes
# the lock exclusively, so it never happens under a running VM.
flock -s -w 900 8 || die "cannot lock $LAB_CACHE/.lock"
cache_ready() {
    [ -f "$LAB_CACHE/kernel/${LAB_KPKG_RESOLVED#linux-image-}/ok" ] || return 1
    [ "$LAB_ROOTFS" != trixie ] || [ "$(cat "$LAB_CACHE/$LAB_SUITE/.pppkit-lab-ok" 2>/dev/null)" = "$LAB_TRIXIE_PKGS" ]
}
LAB_KPKG_RESOLVED=${LAB_KPKG:-$(kpkg_name)}
if ! cache_ready; then
    flock -u 8
    flock -x -w 900 8 || die "cannot lock $LAB_CACHE/.lock"
fi
prepare_kernel
case $LAB_ROOTFS in
    host) ROOTFS=/ ;;
    trixie) LAB_SUITE=trixie; prepare_trixie ;;
    /*) ROOTFS=$(readlink -f "$LAB_ROOTFS"); [ -x "$ROOTFS/usr/sbin/pppd" ] || die "no usr/sbin/pppd in $ROOTFS" ;;
    *) die "--rootfs: host, trixie or an absolute directory (got '$LAB_ROOTFS')" ;;
esac
flock -s 8 || die "cannot lock $LAB_CACHE/.lock"
if [ "$PREPARE_ONLY" = 1 ]; then say "ready: kernel $KVER, root $ROOTFS"; exit 0; fi

# ---- what the guest sees -------------------------------------------------
LAB_SCRIPT=("$@")
LAB_SCRIPT[0]=$(readlink -f "${LAB_SCRIPT[0]}") || die "no guest script ${LAB_SCRIPT[0]}"
[ -f "${LAB_SCRIPT[0]}" ] || die "no guest script ${LAB_SCRIPT[0]}"
[ -n "$LAB_NAME" ] || LAB_NAME=$(basename "${LAB_SCRIPT[0]}" .sh)
LAB_NAME=${LAB_NAME//[^A-Za-z0-9_.-]/_}
[ -z "$LAB_BUILD" ] || { LAB_BUILD=$(readlink -f "$LAB_BUILD") && [ -d "$LAB_BUILD" ]; } || die "no build dir '$LAB_BUILD'"
plugins=""
for p in $LAB_PLUGINS; do
    case $p in /*) ;; *) [ -n "$LAB_BUILD" ] || die "--plugin $p needs --build"; p=$LAB_BUILD/pppkit-$p.so ;; esac
    [ -f "$p" ] || die "no plugin $p (build it first)"
    plugins="$plugins $p"
done
LAB_PLUGINS=$plugins
[ -z "$LAB_CONFIG" ] || { LAB_CONFIG=$(readlink -f "$LAB_CONFIG") && [ -f "$LAB_CONFIG" ]; } || die "no config file '$LAB_CONFIG'"

WORK=$(mktemp -d "/tmp/pppkit-lab.$LAB_NAME.XXXXXX") || die "mktemp"
chmod 755 "$WORK"
mkdir -p "$WORK/logs" "$WORK/files"
# --file sources are copied into the work dir, so they need no share
files=""
i=0
for f in $LAB_FILES; do
    IFS=: read -r src dest mode <<<"$f"
    [ -f "$src" ] && [ -n "$dest" ] || die "--file $f: SRC:DEST[:MODE] with an existing SRC"
    [[ "$dest" != *..* ]] || die "--file $f: DEST must stay inside /etc/ppp"
    cp "$src" "$WORK/files/$i" || die "cp $src"
    files="$files $WORK/files/$i:$dest${mode:+:$mode}"
    i=$((i + 1))
done
LAB_FILES=$files
if [ -n "$LAB_CONFIG" ]; then cp "$LAB_CONFIG" "$WORK/files/pppkit.conf" && LAB_CONFIG=$WORK/files/pppkit.conf; fi

# 9p shares, mounted by the initramfs before switch_root: "tag guest-path options"
SHARES=()     # tag|host-path|guest-path|ro|rw
add_share() { SHARES+=("$1|$2|$3|$4"); }
# The whole source tree, read-only: the harness, the guest scripts and the
# helpers next to them (tests/firewall, tests/ddns, ...). A clone may live
# under /tmp, which the guest's own tmpfs would hide. It comes first, so that a
# build dir inside it is mounted on top.
LAB_TOP=$(cd "$LAB_DIR/../.." && pwd)
add_share lab "$LAB_TOP" "$LAB_TOP" ro
add_share work "$WORK" "$WORK" rw
add_share mods "$MODDIR" "/run/lab/mods/lib/modules/$KVER" ro
[ -n "$LAB_BUILD" ] && add_share build "$LAB_BUILD" "$LAB_BUILD" rw
# a guest script elsewhere is copied into the work dir (its directory may be
# /tmp, which the guest's own tmpfs hides; helpers next to it: use --share)
if [ "$(dirname "${LAB_SCRIPT[0]}")" != "$LAB_DIR" ]; then
    cp "${LAB_SCRIPT[0]}" "$WORK/files/guest-script" || die "cp ${LAB_SCRIPT[0]}"
    LAB_SCRIPT[0]=$WORK/files/guest-script
fi
n=0
for d in $LAB_SHARE; do
    d=$(readlink -f "$d") && [ -d "$d" ] || die "--share: no directory $d"
    add_share "share$n" "$d" "$d" rw; n=$((n + 1))
done
if [ "$ROOTFS" != / ]; then
    # mount points must exist in the read-only root (tmpfs paths need none)
    for s in "${SHARES[@]}"; do
        IFS='|' read -r _ _ g _ <<<"$s"
        case $g in /tmp/*|/run/*|/var/log/*) ;; *) mkdir -p "$ROOTFS$g" || die "mkdir $ROOTFS$g" ;; esac
    done
fi

LAB_TEST_TIMEOUT=$((LAB_TIMEOUT > 60 ? LAB_TIMEOUT - 30 : LAB_TIMEOUT / 2))
{
    echo "LAB_DIR=$(printf %q "$LAB_DIR")"
    for v in LAB_BUILD LAB_PLUGINS LAB_CLIENT_OPTS LAB_SERVER_OPTS LAB_CONFIG LAB_FILES LAB_MTU LAB_IPV6 \
             LAB_TEST_TIMEOUT LAB_NAME LAB_INIT; do
        echo "export $v=$(printf %q "${!v}")"
    done
    # fixed lab constants (see README.md); all of them exist only inside the VM
    cat <<'EOF'
export LAB_USER=lab LAB_PASS=lab-chap-secret
export LAB_WAN_IF=wan0 LAB_LAN_IF=lan0 LAB_PPP_IF=ppp0 LAB_ISP_UNIT=100
export LAB_ISP_IP=192.0.2.1 LAB_PUBLIC_IP=203.0.113.10 LAB_INET_IP=198.51.100.80
export LAB_LAN_NET=172.16.0.0/16 LAB_LAN_GW=172.16.2.1 LAB_LAN_HOST=172.16.1.100
EOF
    echo "LAB_SCRIPT=($(printf '%q ' "${LAB_SCRIPT[@]}"))"
    for v in $LAB_PASSENV; do [ -n "${!v+x}" ] && echo "export $v=$(printf %q "${!v}")"; done
    echo "export PPPKIT_TOP=$(printf %q "${PPPKIT_TOP:-$LAB_TOP}")"
    [ -n "$LAB_BUILD" ] && echo "export PPPKIT_BUILD=$(printf %q "$LAB_BUILD")"
} >"$WORK/guest.env"

# systemd as PID 1: boot lab.target; mask what is slow under TCG or touches
# the host's devices (udev, fsck/remount of /, fstab, getty, timers, ...)
SYSD_ARGS=""
if [ "$LAB_INIT" = systemd ]; then
    [ -x "$ROOTFS/lib/systemd/systemd" ] || die "--init systemd: no lib/systemd/systemd in $ROOTFS"
    SYSD_ARGS="systemd.unit=lab.target fstab=no systemd.gpt_auto=no systemd.firstboot=no"
    SYSD_ARGS+=" systemd.show_status=no systemd.log_level=notice"
    for u in systemd-udevd.service systemd-udev-trigger.service systemd-udev-settle.service \
             systemd-udevd-control.socket systemd-udevd-kernel.socket systemd-remount-fs.service \
             systemd-fsck-root.service systemd-random-seed.service systemd-binfmt.service \
             proc-sys-fs-binfmt_misc.automount systemd-pstore.service systemd-timesyncd.service \
             systemd-machine-id-commit.service systemd-repart.service systemd-hwdb-update.service \
             systemd-pcrphase-sysinit.service systemd-pcrphase.service ldconfig.service \
             keyboard-setup.service console-setup.service systemd-ask-password-console.path \
             cryptsetup.target veritysetup.target integritysetup.target \
             sys-kernel-debug.mount sys-kernel-tracing.mount sys-fs-fuse-connections.mount \
             sys-kernel-config.mount dev-hugepages.mount getty.target serial-getty@ttyS0.service \
             apt-daily.timer apt-daily-upgrade.timer; do
        SYSD_ARGS+=" systemd.mask=$u"
    done
fi

# ---- initramfs: busybox + virtio/9p modules; mounts the root and the shares
make_initramfs() {
    local b=$WORK/initramfs l a m s tag host guest mode
    mkdir -p "$b/bin" "$b/proc" "$b/sys" "$b/dev" "$b/newroot" "$b/mods"
    cp /bin/busybox "$b/bin/" || return 1
    for l in $(ldd /bin/busybox | grep -o '/[^ ]*'); do mkdir -p "$b$(dirname "$l")"; cp -L "$l" "$b$l"; done
    for a in sh mount umount insmod switch_root poweroff cat echo mkdir; do ln -s busybox "$b/bin/$a"; done
    for m in $(for a in virtio_pci 9pnet_virtio 9p; do modprobe -d "$KROOT" -S "$KVER" --show-depends "$a"; done |
               awk '$1=="insmod"{print $2}' | awk '!s[$0]++'); do
        cp "$m" "$b/mods/" && basename "$m" >>"$b/mods/order"
    done
    : >"$b/shares"
    for s in "${SHARES[@]}"; do
        IFS='|' read -r tag host guest mode <<<"$s"
        [ "$mode" = ro ] && mode=ro,cache=loose
        echo "$tag $guest $mode" >>"$b/shares"
    done
    # The root is read-only: cache=loose lets the guest keep binaries in its
    # page cache (exec over 9p is otherwise the slowest step). Shares are
    # read-write and uncached, so the host sees the guest's writes at once.
    cat >"$b/init" <<'EOF'
#!/bin/sh
mount -t proc proc /proc; mount -t devtmpfs dev /dev; mount -t sysfs sys /sys
for m in $(cat /mods/order); do insmod /mods/$m || echo "lab-initramfs: insmod $m failed"; done
o=trans=virtio,version=9p2000.L,msize=512000
mount -t 9p -o $o,ro,cache=loose root /newroot || { echo "lab-initramfs: cannot mount the root over 9p"; poweroff -f; }
mount -t tmpfs -o mode=1777 tmp /newroot/tmp
mount -t tmpfs -o mode=755 run /newroot/run
mount -t tmpfs -o mode=755 log /newroot/var/log
while read -r tag dir mode; do
    mkdir -p /newroot$dir
    mount -t 9p -o $o,$mode $tag /newroot$dir || echo "lab-initramfs: cannot mount share $tag on $dir"
done </shares
umount /proc /sys; mount --move /dev /newroot/dev
[ "$LAB_INIT" = systemd ] || exec switch_root /newroot /bin/bash "$LAB_SELF"
# systemd as PID 1: the root stays read-only; what units write goes to tmpfs
mount -t tmpfs -o mode=1777 vartmp /newroot/var/tmp
mount -t tmpfs -o mode=755 varlib /newroot/var/lib
mkdir -p /newroot/run/systemd/system
cat >/newroot/run/systemd/system/lab.target <<EOT
[Unit]
Description=pppkit lab: sysinit.target, then the guest script
Requires=sysinit.target lab.service
After=sysinit.target lab.service
EOT
cat >/newroot/run/systemd/system/lab.service <<EOT
[Unit]
Description=pppkit lab guest script
DefaultDependencies=no
After=sysinit.target systemd-journald.socket
[Service]
Type=exec
Environment=LAB_INIT=systemd LAB_SELF=$LAB_SELF LAB_WORK=$LAB_WORK
ExecStart=/bin/bash $LAB_SELF
StandardOutput=journal+console
StandardError=journal+console
EOT
# the host root has /.dockerenv: systemd sees a container and reads its
# "kernel command line" (systemd.unit=, systemd.mask=) from its own argv
exec switch_root /newroot /lib/systemd/systemd $(cat /sysd.args)
EOF
    chmod 755 "$b/init"
    echo "${SYSD_ARGS:-}" >"$b/sysd.args"
    (cd "$b" && find . | cpio -o -H newc 2>/dev/null | gzip -1) >"$WORK/initramfs.gz"
}
make_initramfs || die "cannot build the initramfs"


VMPID="" TAILPID=""
cleanup() {
    local rc=$?
    if [ -n "$VMPID" ]; then
        kill -TERM "$VMPID" 2>/dev/null && sleep 2
        kill -KILL -- "-$VMPID" 2>/dev/null   # our own process group (setsid)
    fi
    [ -n "$TAILPID" ] && kill "$TAILPID" 2>/dev/null
    rm -rf "$WORK/initramfs" "$WORK/initramfs.gz"
    if [ "$rc" = 0 ] && [ "$LAB_KEEP" != 1 ]; then rm -rf "$WORK"; else say "work dir kept: $WORK"; fi
    exit "$rc"
}
trap cleanup EXIT
trap 'say "interrupted"; exit 130' INT TERM HUP

# ---- boot ------------------------------------------------------------------
QARGS=(-accel tcg,tb-size=128 -smp 2 -m "$LAB_MEM" -kernel "$QEMU_KERNEL" -initrd "$WORK/initramfs.gz"
       -append "console=ttyS0 quiet panic=-1 LAB_SELF=$LAB_SELF LAB_WORK=$WORK LAB_INIT=$LAB_INIT"
       -fsdev "local,id=root,path=$ROOTFS,security_model=none,readonly=on,multidevs=remap"
       -device "virtio-9p-pci,fsdev=root,mount_tag=root"
       -nographic -no-reboot -nic none)
for s in "${SHARES[@]}"; do
    IFS='|' read -r tag host guest mode <<<"$s"
    ro=""; [ "$mode" = ro ] && ro=",readonly=on"
    QARGS+=(-fsdev "local,id=$tag,path=$host,security_model=none$ro" -device "virtio-9p-pci,fsdev=$tag,mount_tag=$tag")
done
: >"$WORK/test.out"
T0=$(date +%s.%N)
say "booting qemu (TCG, $LAB_MEM, root $ROOTFS, kernel $KVER, watchdog ${LAB_TIMEOUT}s), work dir $WORK"
setsid qemu-system-x86_64 "${QARGS[@]}" </dev/null >"$WORK/console.log" 2>&1 &
VMPID=$!
if [ "$LAB_QUIET" != 1 ]; then
    tail -n +1 -F --pid="$VMPID" "$WORK/test.out" 2>/dev/null &
    TAILPID=$!
fi
DEADLINE=$((SECONDS + LAB_TIMEOUT))
TIMED_OUT=0
while kill -0 "$VMPID" 2>/dev/null; do
    if [ "$SECONDS" -ge "$DEADLINE" ]; then
        say "WATCHDOG: the VM is still running after ${LAB_TIMEOUT}s, stopping it"
        TIMED_OUT=1
        kill -TERM "$VMPID" 2>/dev/null; sleep 3; kill -KILL -- "-$VMPID" 2>/dev/null
        break
    fi
    sleep 0.5
done
wait "$VMPID" 2>/dev/null
kill -KILL -- "-$VMPID" 2>/dev/null
VMPID=""
[ -n "$TAILPID" ] && { sleep 0.3; kill "$TAILPID" 2>/dev/null; wait "$TAILPID" 2>/dev/null; TAILPID=""; }
WALL=$(awk -v s="$T0" -v e="$(date +%s.%N)" 'BEGIN{printf "%.1f", e-s}')
tr -d '\r' <"$WORK/console.log" >"$WORK/console.txt" 2>/dev/null

# ---- report ------------------------------------------------------------------
R=$WORK/results
npass=$(grep -c '^PASS ' "$R" 2>/dev/null); nfail=$(grep -c '^FAIL ' "$R" 2>/dev/null)
echo "----------------------------------------------------------------------"
grep -E '^(INFO|FAIL) ' "$R" 2>/dev/null | sed 's/^/  /'
say "${npass:-0} passed, ${nfail:-0} failed, VM wall time ${WALL}s"
show_logs() {
    local f
    echo "--- console (last 25 lines)"; grep -v '^$' "$WORK/console.txt" | tail -n 25
    for f in rtr-pppd.log isp-pppd.log; do
        [ -f "$WORK/logs/$f" ] && { echo "--- $f (last 20 lines)"; tail -n 20 "$WORK/logs/$f"; }
    done
}
if [ "$TIMED_OUT" = 1 ]; then show_logs; echo "FAIL: watchdog after ${LAB_TIMEOUT}s"; exit 124; fi
if ! grep -qx DONE "$R" 2>/dev/null; then show_logs; echo "FAIL: the guest did not finish (see $WORK/console.txt)"; exit 1; fi
if [ "${nfail:-0}" -gt 0 ]; then show_logs; echo "FAIL"; exit 1; fi
if grep -q '^SKIP ' "$R"; then grep '^SKIP ' "$R" | tail -n 1 | sed 's/^SKIP /SKIP: /'; exit 77; fi
if [ "${npass:-0}" -eq 0 ]; then echo "FAIL: the guest script ran no check"; exit 1; fi
echo "PASS"
exit 0
