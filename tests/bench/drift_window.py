#!/usr/bin/env python3
"""drift_window.py - the two halves of the drift-repair window measurement
(tests/netns/pppkitd_drift.test.sh, tests/bench/drift.bench.sh).

drift_window.py flush RUNS PPPKITD_PID TIMEOUT_S [--keep-socket | NFT_ARGS...]
    In the router's namespace: RUNS times, run `nft NFT_ARGS` (default:
    flush ruleset) and time, from the nftables notifications themselves
    (NFNLGRP_NFTABLES), the flush's commit (the NFT_MSG_NEWGEN that names
    the flushing process) -> the next commit by PPPKITD_PID that creates
    table inet pppkit_fw. 0 as the pid: nobody is expected (the
    no-supervisor control). Between runs it waits for the table and 30 ms
    more. Prints one "run N ms|never gone=MS" line per run, then "summary
    runs=N back=N never=N median_ms=X min_ms=X max_ms=X gone_median_ms=X
    after_gone_median_ms=X follow_median_ms=X after_gone=N within5=N
    slow_median_ms=X".
    gone: the flushing nft had exited before the table was back. Closing
    its netlink socket makes the kernel (nft_rcv_nl_event) wait, holding
    the nftables commit lock, until the destroy work of the tables it
    deleted is flushed: an RCU grace period. A repair whose batch reaches
    the kernel before that close is committed first; one that comes after
    waits for the grace period. after_gone: how many runs were repaired
    after the nft process had exited, and (median) how long after it; a
    repair that waited for the close can still beat nft's exit by a
    fraction of a millisecond, so within5 (back within 5 ms: before the
    close) and slow_median_ms (the others) tell the two apart.
    --keep-socket: the flush (what `nft flush ruleset` sends: one
    DELTABLE without a name) comes from this process's own socket, kept
    open, as a daemon such as firewalld would: no such wait.
    follow: DRIFT_FOLLOW_MS (when set) after the table is back and the
    flusher has exited, another commit (creating table inet pppkit_follow,
    as a pppd's ip-up commits its elements) is timed from its send to its
    ACK; summary follow_median_ms. It waits for whoever holds the commit
    lock then (pppkitd closing its libnftables socket right after the
    repair would hold it for a grace period). Its notifications are read
    and dropped: before 2026-12-05 they were left for the next run, whose
    "flush" was then that leftover, read before nft had even started, so
    every run from the second on counted nft's start-up (about 8 ms).
    Runs are DRIFT_GAP_MS (30) apart; pppkitd keeps libnftables loaded for
    1 s after a repair, so a gap above that times repairs from rest.

drift_window.py syn DST PORT INTERVAL_MS STOPFILE
    In the WAN's namespace: one TCP connection attempt (one SYN) to DST:PORT
    every INTERVAL_MS until STOPFILE appears; each is watched for 300 ms.
    An attempt that connects got a SYN-ACK: the port was open. Prints
    "syn sent=N synack=N rate_per_s=X".
"""
import os
import select
import socket
import struct
import subprocess
import sys
import time

NETLINK_NETFILTER = 12
NFNLGRP_NFTABLES = 7
NETLINK_ADD_MEMBERSHIP = 1
SOL_NETLINK = 270
SUBSYS_NFTABLES = 10
NFT_MSG_NEWTABLE = 0
NFT_MSG_NEWGEN = 15
NFTA_GEN_PROC_PID = 2


def attrs(payload):
    """nlattrs after the 4-byte nfgenmsg: {type: bytes}"""
    out, off = {}, 4
    while off + 4 <= len(payload):
        ln, ty = struct.unpack_from("=HH", payload, off)
        if ln < 4:
            break
        out[ty & 0x7FFF] = payload[off + 4 : off + ln]
        off += (ln + 3) & ~3
    return out


def messages(data):
    off = 0
    while off + 16 <= len(data):
        ln, ty, _fl, _seq, _pid = struct.unpack_from("=IHHII", data, off)
        if ln < 16:
            break
        yield ty, data[off + 16 : off + ln]
        off += (ln + 3) & ~3


NFNL_MSG_BATCH_BEGIN, NFNL_MSG_BATCH_END = 0x10, 0x11
NFT_MSG_DELTABLE = 2
NLM_F_REQUEST, NLM_F_ACK, NLM_F_CREATE = 1, 4, 0x400
NFPROTO_INET = 1
FOLLOW_MS = float(os.environ["DRIFT_FOLLOW_MS"]) if os.environ.get("DRIFT_FOLLOW_MS") else None
GAP_MS = float(os.environ.get("DRIFT_GAP_MS", "30"))


def nlmsg(ty, flags, seq, payload):
    return struct.pack("=IHHII", 16 + len(payload), ty, flags, seq, 0) + payload


def flush_batch(seq):
    """what `nft flush ruleset` sends: DELTABLE, family unspec, no name"""
    begin = nlmsg(NFNL_MSG_BATCH_BEGIN, NLM_F_REQUEST, seq, struct.pack("=BBH", 0, 0, socket.htons(SUBSYS_NFTABLES)))
    delete = nlmsg(SUBSYS_NFTABLES << 8 | NFT_MSG_DELTABLE, NLM_F_REQUEST | NLM_F_ACK, seq + 1, struct.pack("=BBH", 0, 0, 0))
    end = nlmsg(NFNL_MSG_BATCH_END, NLM_F_REQUEST, seq + 2, struct.pack("=BBH", 0, 0, socket.htons(SUBSYS_NFTABLES)))
    return begin + delete + end


def follow_batch(seq):
    """add table inet pppkit_follow: a commit that needs the commit lock"""
    name = b"pppkit_follow\0"
    attr = struct.pack("=HH", 4 + len(name), 1) + name + b"\0" * ((4 - len(name) % 4) % 4)
    begin = nlmsg(NFNL_MSG_BATCH_BEGIN, NLM_F_REQUEST, seq, struct.pack("=BBH", 0, 0, socket.htons(SUBSYS_NFTABLES)))
    add = nlmsg(SUBSYS_NFTABLES << 8 | NFT_MSG_NEWTABLE, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE, seq + 1,
                struct.pack("=BBH", NFPROTO_INET, 0, 0) + attr)
    end = nlmsg(NFNL_MSG_BATCH_END, NLM_F_REQUEST, seq + 2, struct.pack("=BBH", 0, 0, socket.htons(SUBSYS_NFTABLES)))
    return begin + add + end


def acked(sock, what):
    for ty, payload in messages(sock.recv(1 << 16)):
        if ty == 2 and struct.unpack_from("=i", payload)[0] != 0:  # NLMSG_ERROR
            sys.exit("%s was refused: errno %d" % (what, -struct.unpack_from("=i", payload)[0]))


def drain(sock):
    while True:
        try:
            sock.recv(1 << 20, socket.MSG_DONTWAIT)
        except BlockingIOError:
            return


def flush(runs, pppkitd, timeout, nft_args):
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_NETFILTER)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
    s.bind((0, 0))
    s.setsockopt(SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, NFNLGRP_NFTABLES)
    keep = nft_args == ["--keep-socket"]
    own = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_NETFILTER)
    own.bind((0, 0))
    times, gones, afters, follows, never = [], [], [], [], 0
    for run in range(1, runs + 1):
        # not waited for here: the notifications are read (and timed) as
        # they come, not after nft exits (by then the repair may be queued too)
        if keep:
            proc, pidfd = None, None
            own.send(flush_batch(run * 4))
        else:
            proc = subprocess.Popen(["nft"] + nft_args)
            pidfd = os.pidfd_open(proc.pid)
        # the flush is the commit whose NEWGEN names the flusher: not a
        # leftover of the previous run's follow-up, read before nft even ran
        flusher = os.getpid() if keep else proc.pid
        t_flush, t_back, t_gone, created = None, None, None, False
        end = time.monotonic() + 5 + timeout
        while time.monotonic() < end and t_back is None:
            wait = end - time.monotonic() if t_flush is None else t_flush + timeout - time.monotonic()
            if wait <= 0:
                break
            r, _, _ = select.select([s] + ([pidfd] if pidfd is not None and t_gone is None else []), [], [], wait)
            if not r:
                break
            now = time.monotonic()
            if pidfd is not None and pidfd in r:
                t_gone = now
                if s not in r:
                    continue
            data = s.recv(1 << 20)
            for ty, payload in messages(data):
                if ty >> 8 != SUBSYS_NFTABLES:
                    continue
                msg = ty & 0xFF
                a = attrs(payload)
                if msg == NFT_MSG_NEWTABLE and a.get(1, b"").rstrip(b"\0") == b"pppkit_fw":
                    created = True
                elif msg == NFT_MSG_NEWGEN:
                    pid = struct.unpack(">I", a[NFTA_GEN_PROC_PID])[0] if NFTA_GEN_PROC_PID in a else 0
                    if t_flush is None and pid == flusher:
                        t_flush = now
                    elif t_flush is not None and pid == pppkitd and created:
                        t_back = now
                    created = False
        if keep:
            acked(own, "the flush")
        else:
            if proc.wait() != 0:
                sys.exit("nft %s failed" % " ".join(nft_args))
            os.close(pidfd)
        # after the flusher's exit: what the follow-up waits for then is
        # what the repair left, not the flusher's close
        if t_back is not None and FOLLOW_MS is not None:
            time.sleep(FOLLOW_MS / 1000)
            t0 = time.monotonic()
            own.send(follow_batch(run * 4 + 1000000))
            acked(own, "the follow-up commit")
            follows.append((time.monotonic() - t0) * 1000)
            drain(s)  # its notifications, sent before its ACK
        gone = ""
        if t_gone is not None and t_flush is not None:
            gones.append(max(0.0, (t_gone - t_flush) * 1000))
            gone = " gone=%.2f" % gones[-1]
        if t_back is not None:
            ms = (t_back - t_flush) * 1000
            times.append(ms)
            if t_gone is not None:  # the repair came after the flusher's close
                afters.append((t_back - max(t_gone, t_flush)) * 1000)
            print("run %d %.2f%s" % (run, ms, gone), flush=True)
        else:
            never += 1
            print("run %d never%s" % (run, gone), flush=True)
        time.sleep(GAP_MS / 1000)

    def median(v):
        v = sorted(v)
        return v[len(v) // 2] if v else float("nan")

    times.sort()
    mx = times[-1] if times else float("nan")
    mn = times[0] if times else float("nan")
    print(
        "summary runs=%d back=%d never=%d median_ms=%.2f min_ms=%.2f max_ms=%.2f gone_median_ms=%.2f after_gone_median_ms=%.2f"
        " follow_median_ms=%.2f after_gone=%d within5=%d slow_median_ms=%.2f"
        % (runs, len(times), never, median(times), mn, mx, median(gones), median(afters), median(follows), len(afters),
           sum(1 for t in times if t <= 5), median([t for t in times if t > 5]))
    )


def syn(dst, port, interval, stopfile):
    inflight, sent, synack = [], 0, 0
    start = time.monotonic()
    nxt = start
    while not os.path.exists(stopfile):
        now = time.monotonic()
        if now >= nxt:
            c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            c.setblocking(False)
            c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # close: RST, no FIN
            c.connect_ex((dst, port))
            inflight.append((c, now))
            sent += 1
            nxt += interval
            if nxt < now:
                nxt = now + interval
        # poll, not select: select refuses a descriptor above 1023
        poller = select.poll()
        byfd = {}
        for c, _ in inflight:
            poller.register(c, select.POLLOUT)
            byfd[c.fileno()] = c
        ready = poller.poll(max(0, min(nxt - time.monotonic(), 0.01)) * 1000)
        w = [byfd[fd] for fd, _ in ready]
        done = set()
        for c in w:
            if c.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0:
                synack += 1
            done.add(c)
        now = time.monotonic()
        keep = []
        for c, t in inflight:
            if c in done or now - t > 0.3:
                c.close()
            else:
                keep.append((c, t))
        inflight = keep
    secs = time.monotonic() - start
    print("syn sent=%d synack=%d rate_per_s=%.0f" % (sent, synack, sent / secs if secs else 0))


if __name__ == "__main__":
    if sys.argv[1] == "flush":
        flush(int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), sys.argv[5:] or ["flush", "ruleset"])
    elif sys.argv[1] == "syn":
        syn(sys.argv[2], int(sys.argv[3]), float(sys.argv[4]) / 1000, sys.argv[5])
    else:
        sys.exit(__doc__)
