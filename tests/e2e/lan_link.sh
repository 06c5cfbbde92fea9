# lan_link.sh - a lab scenario shared by firewall.test.sh (pppd 2.4.9) and
# abi25.test.sh (pppd 2.5.2): a real pppd whose own interface (ppp0) a
# [firewall] lan-interfaces item names. Sourced by a guest script after
# guest.sh, with the router's pppd stopped (after lab_poff); the ISP side
# (pppoe-server) must be running.
#
# lan_link_refused [PPPD-ARG...]: writes the router's pppkit.conf with
# `lan-interfaces = lan0, ppp0` (`wan = ppp1`, so `pppkit check` accepts it)
# and runs `pppd call lab nodetach PPPD-ARG...` (extra args: e.g. the plugin
# when the peer file does not load pppkit-firewall.so). pppkit-firewall
# refuses the link at ESTABLISH (plugins/firewall/plugin.cpp) and stops pppd
# through host::stop_pppd. Checks (tests/netns/firewall_links.test.sh part D
# proves the same with a fake pppd):
#   lan-link-exit          pppd exits 2 (EXIT_OPTION_ERROR), not a crash
#   lan-link-log-*         pppd's log names the item and the interface, and
#                          the stop reason; the link took ppp0
#   lan-link-no-ip-up      the router never ran ip-up
#   lan-link-failsafe-*    the table is the failsafe, ppp0 named nowhere in it,
#                          no forwarding, input as the plugin's log says
#   lan-link-termreq       the router sent an LCP Terminate-Request (pppd
#                          ended the link itself, as on SIGTERM)
#   lan-link-padt          the router sent a PADT on the carrier (isp0), so
#                          the ISP ends the session at once (pppd 2.5's
#                          channel sends it; with pppd 2.4.9, whose rp-pppoe.so
#                          sends none, pppkit's host does: plugins/host/host.cpp)
#   lan-link-isp-session   the ISP's session pppd is gone within 15 s of the
#                          router's exit (without a PADT it lingers until its
#                          own LCP gives up: ~30 s of Config-Requests)
#
# lan_link_refused_unacked [PPPD-ARG...]: the same refusal, but the ISP never
# sees the router's session frames (a netdev ingress rule in the ISP's
# namespace drops ethertype 0x8864 from the router): its Terminate-Requests
# go unanswered, LCP gives up by its timer, and pppd's main loop then reads
# the channel's hang-up after PHASE_DEAD ("Modem hangup", EXIT_HANGUP): the
# race CI hit with a slow ISP (stop 33), made certain. Checks:
#   lan-link-unacked-exit    pppd exits 2, not 16 (plugins/host/pppd_shim.c
#                            sets the status in pppd's holdoff hook, after
#                            the link is down)
#   lan-link-unacked-hangup  pppd did read that hang-up (else this scenario
#                            proved nothing)
#   lan-link-unacked-once    one session only (no redial)
# shellcheck shell=bash

_lan_link_conf() {
    local conf=$LAB_RTR_ETC/pppkit.conf
    cat >"$conf" <<EOF
# lan_link.sh: this link's own interface ($LAB_PPP_IF) is named by lan-interfaces
[firewall]
wan = ppp1
lan-interfaces = $LAB_LAN_IF, $LAB_PPP_IF
lan-networks = $LAB_LAN_NET
router-services = ssh
# IPv6 rules on (the default): the trixie root is a minbase without netbase
# (no /etc/protocols), and the full ruleset names no protocol nft must look up
EOF
    chmod 0644 "$conf"
}

# _lan_link_pppd NAME WHAT PPPD-ARG...: the router's pppd (pppd call lab
# nodetach), waited for 90 s at most; LAN_LINK_RC = its exit status, or why not
_lan_link_pppd() {
    local name=$1 what=$2
    shift 2
    lab_bg "$name" rtr pppd call lab nodetach "$@"
    LAB_CLIENT_PID=$LAB_BG_PID
    echo "$LAB_CLIENT_PID" >"$LAB_RUN/client.pid"
    lab_log "router pppd started, $what (pid $LAB_CLIENT_PID)"
    if wait_until 90 eval '! alive "$LAB_CLIENT_PID"'; then
        wait "$LAB_CLIENT_PID"
        LAN_LINK_RC=$?
    else
        LAN_LINK_RC="still running after 90 s"
        kill -TERM "$LAB_CLIENT_PID" 2>/dev/null
    fi
}

lan_link_refused() {
    local log rc t0 mac pos up0 tail n
    _lan_link_conf
    log=$(lab_client_log)
    pos=$(wc -l <"$log" 2>/dev/null || echo 0)
    up0=$(marker_count rtr ip-up)
    mac=$(ip -n rtr -o link show "$LAB_WAN_IF" | grep -o 'link/ether [0-9a-f:]*' | awk '{print $2}')
    capture_start carrier isp isp0 'ether proto 0x8863 or ether proto 0x8864' || return 1
    t0=$(lab_now)
    _lan_link_pppd rtr-pppd-lan "with $LAB_PPP_IF in lan-interfaces" "$@"
    rc=$LAN_LINK_RC
    check_eq lan-link-exit 2 "$rc" "router pppd's exit status $(lab_since "$t0") s after start (2 = EXIT_OPTION_ERROR)"
    # the ISP side after the router's exit: its session pppd should end at once
    local t1 left=unknown
    t1=$(lab_now)
    if wait_until 15 eval '[ "$(tree_of "$LAB_SERVER_PID" | wc -l)" -le 1 ]'; then
        left="gone $(lab_since "$t1") s after the router's exit"
        pass lan-link-isp-session "the ISP's session pppd $left"
    else
        left="still running 15 s after the router's exit: $(tree_of "$LAB_SERVER_PID" | tr '\n' ' ')"
        fail lan-link-isp-session "the ISP's session pppd $left"
    fi
    capture_stop carrier
    tail=$W/logs/rtr-pppd-lan.txt
    tail -n +"$((pos + 1))" "$log" >"$tail"
    sed 's/^/    pppd.log| /' "$tail"
    check lan-link-log-interface grep -m1 "Connect: $LAB_PPP_IF <--> $LAB_WAN_IF" "$tail"
    check lan-link-log-item grep -m1 -F \
        "lan-interfaces: '$LAB_PPP_IF' matches $LAB_PPP_IF, this pppd's own interface" "$tail"
    check lan-link-log-stop grep -m1 -F \
        "lan-interfaces takes this link's interface $LAB_PPP_IF for LAN, not bringing the link up" "$tail"
    check lan-link-no-crash bash -c '! grep -E "Fatal signal|terminate called|Aborted|Segmentation" "$1"' _ "$tail"
    check_eq lan-link-no-ip-up "$up0" "$(marker_count rtr ip-up)" "router ip-up runs"
    # the loaded table: the failsafe, lan0 still accepted as LAN, ppp0 named nowhere
    in_rtr nft list table inet pppkit_fw >"$W/logs/nft-lan-link.txt" 2>&1
    local mark
    mark=$(in_rtr nft list set inet pppkit_fw pppkit_mark 2>/dev/null | sed -n 's/.*comment "\(.*\)".*/\1/p')
    check lan-link-failsafe-mark bash -c '[[ "$1" == "pppkit failsafe"* ]]' _ "$mark"
    # what input accepts besides lo and replies: the LAN interfaces the
    # failsafe kept. Today none: lan_interfaces() (core/firewall.cpp) keeps no
    # LAN name when any item overlaps ppp* (ppp0 does), before the plugin
    # takes this link's interface out; the plugin's log says so ("input only
    # from loopback")
    local lan_accept
    lan_accept=$(sed -n '/hook input/,/}/p' "$W/logs/nft-lan-link.txt" | grep -E 'iifname .* accept$' |
        grep -vE '^\s*iifname "lo" accept$' | tr -s ' \t' ' ')
    info lan-link-failsafe-lan "input accepts from: lo${lan_accept:+,$lan_accept}"
    if grep -qF "for LAN (input only from loopback, no forwarding)" "$tail"; then
        check_eq lan-link-failsafe-as-logged "" "$lan_accept" "LAN accept lines (the log says: input only from loopback)"
    else
        check lan-link-failsafe-as-logged grep -qE "iifname .*\"$LAB_LAN_IF\".* accept" <<<"$lan_accept"
    fi
    check_eq lan-link-failsafe-no-ppp0 0 "$(grep -c "\"$LAB_PPP_IF\"" "$W/logs/nft-lan-link.txt")" \
        "lines naming \"$LAB_PPP_IF\" in inet pppkit_fw"
    check_eq lan-link-no-forwarding 1 "$(sed -n '/hook forward/,/}/p' "$W/logs/nft-lan-link.txt" | grep -c 'policy drop')" \
        "forward chain with policy drop"
    # the carrier: PPPoE discovery and LCP as the ISP side saw them
    tcpdump -n -e -r "$W/cap/carrier.pcap" 2>/dev/null >"$W/logs/carrier-lan-link.txt"
    grep -E 'PAD|Term|Conf-Req' "$W/logs/carrier-lan-link.txt" | head -n 12 | sed 's/^/    carrier| /'
    n=$(grep -c "^[0-9:.]* $mac > .*PADT" "$W/logs/carrier-lan-link.txt")
    if [ "$n" -ge 1 ]; then
        pass lan-link-padt "$n PADT from the router ($mac) on the carrier; the ISP's session $left"
    else
        fail lan-link-padt "no PADT from the router ($mac) on the carrier ($(grep -c . "$W/logs/carrier-lan-link.txt") PPPoE frames captured)"
    fi
    # the link ends the way pppd ends it on SIGTERM, not by die() in the callback
    check lan-link-termreq grep -m1 "^[0-9:.]* $mac > .*LCP, Term-Request" "$W/logs/carrier-lan-link.txt"
}

lan_link_refused_unacked() {
    local log pos rc t0 mac tail
    _lan_link_conf
    mac=$(ip -n rtr -o link show "$LAB_WAN_IF" | grep -o 'link/ether [0-9a-f:]*' | awk '{print $2}')
    if ! in_isp nft -f - <<EOF; then
table netdev lan_link_unacked {
    chain in {
        type filter hook ingress device isp0 priority 0; policy accept;
        ether saddr $mac ether type 0x8864 drop
    }
}
EOF
        fail lan-link-unacked-exit "cannot load the ISP's ingress drop rule"
        return 1
    fi
    log=$(lab_client_log)
    pos=$(wc -l <"$log" 2>/dev/null || echo 0)
    t0=$(lab_now)
    _lan_link_pppd rtr-pppd-unacked "the ISP deaf to its session frames" "$@"
    rc=$LAN_LINK_RC
    in_isp nft delete table netdev lan_link_unacked
    tail=$W/logs/rtr-pppd-unacked.txt
    tail -n +"$((pos + 1))" "$log" >"$tail"
    sed 's/^/    pppd.log| /' "$tail"
    check_eq lan-link-unacked-exit 2 "$rc" \
        "router pppd's exit status $(lab_since "$t0") s after start, its Terminate-Requests unanswered (2 = EXIT_OPTION_ERROR, 16 = hangup)"
    check lan-link-unacked-hangup grep -m1 "Modem hangup" "$tail"
    check_eq lan-link-unacked-once 1 "$(grep -c "Connect: $LAB_PPP_IF <--> $LAB_WAN_IF" "$tail")" \
        "sessions the router opened (1: no redial)"
    # the ISP's session pppd ends by the router's PADT or its own LCP: wait,
    # so that what the test does next starts from no session
    wait_until 40 eval '[ "$(tree_of "$LAB_SERVER_PID" | wc -l)" -le 1 ]' ||
        info lan-link-unacked-isp "the ISP's session pppd still runs 40 s after the router's exit"
}
