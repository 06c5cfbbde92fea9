// nft.hpp - a libnftables context kept for the life of the process.
// A fresh nft_ctx pays ~10 ms of parser setup on its first command; a reused
// one applies a whole ruleset in about a millisecond. Callers therefore create
// one Context early (before the link is up) and call warm() once.
// Every run() is one netlink transaction: all of it applies, or none.
// libnftables is not linked: each Context dlopen()s libnftables.so.1 and
// dlclose()s it when destroyed (after nft_ctx_free), so a process keeps it
// mapped only while it holds a Context (pppkitd: during a repair, a read or
// a status; the plugins: from plugin_init on). Loading costs ~3 ms more on
// the first command. A Context that could not load it is not valid() and
// every command fails with the loader's reason: never an open firewall.
#pragma once

#include <memory>
#include <string>
#include <string_view>

struct nft_ctx;

namespace pppkit::nft {

struct Lib;  // nft.cpp: the dlopen()ed entry points

struct Result {
    bool ok = false;
    std::string error;   // what nft said, trimmed
    std::string output;  // listing output, if any
    int signal = 0;      // check_in_child: the child died by this signal (nft crashed)
    bool timed_out = false;
};

class Context {
public:
    Context();
    ~Context();
    Context(const Context&) = delete;
    Context& operator=(const Context&) = delete;

    // Applies cmds (nft -f syntax) atomically.
    Result run(std::string_view cmds);
    // Runs a listing command with JSON output (nft -j), for nft_json.hpp.
    Result list_json(std::string_view cmds);
    // Checks cmds against the kernel without applying them (nft -c).
    Result check(std::string_view cmds);
    [[nodiscard]] bool valid() const { return ctx_ != nullptr; }

private:
    Result exec(std::string_view cmds, bool dry);
    std::unique_ptr<Lib> lib_;  // destroyed after ctx_ is freed
    nft_ctx* ctx_ = nullptr;
};

// The dry run of cmds in a forked child with its own fresh context, for text
// libnftables has not parsed before: libnftables 1.0.6 aborts the process on
// some malformed input (an assertion), and that must kill a child, never
// pppd or pppkit. The child gets default signal handlers (pppd's must not
// run in it) and _exit()s; the parent waits at most timeout_ms, then kills
// it. Blocks the caller: in pppd only before dialling (configure()), never
// in a link callback.
Result check_in_child(std::string_view cmds, int timeout_ms);

// Quotes s as an nft string literal ("ppp0"); s must not contain '"' or '\\'.
std::string quote(std::string_view s);

}  // namespace pppkit::nft
