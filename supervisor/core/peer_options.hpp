// peer_options.hpp - what pppkitd reads of the options of a pppd it starts:
// whether that pppd loads a pppkit plugin, and whether it turns on pppd's
// debug (warned of: it logs the CHAP exchange). A pppd without a plugin says nothing
// of its attempts (no events), so pppkitd starts it with "maxfail 1"
// appended: each failed attempt ends it, and its exit status is counted
// (authentication failures, exit 19), under pppkitd's own backoff and
// hourly bound, instead of a persist pppd redialling by itself unseen
// (supervisor/pppkitd/daemon.cpp, spawn()). Pure: the caller reads the files.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pppkit::supervisor {

// One pppd options file, as pppd's own reader splits it (options.c
// getword): words separated by white space, '#' at the start of a word
// comments out the rest of the line, "..." or '...' quote, a backslash
// escapes the next character. The free-text argument of an option such as
// user, name, ipparam or connect is skipped, as pppd skips it ("user plugin"
// names a user; the word after it is an option again).
struct OptionsScan {
    bool pppkit_plugin = false;  // "plugin X" with X's file name starting "pppkit-"
    // "debug" or "-d": pppd logs every control packet it sends and receives,
    // the CHAP challenge and response among them (MD5 of the password with
    // the two, enough for an offline guess of the password)
    bool debug = false;
    // "show-password" after the last "hide-password": with debug, a PAP
    // password is logged in clear (the last of the two wins, as in pppd)
    std::optional<bool> show_password;
    std::vector<std::string> files;  // "file F": F is read too
    std::vector<std::string> calls;  // "call NAME": peers/NAME is read too
};
[[nodiscard]] OptionsScan scan_options(std::string_view text);

}  // namespace pppkit::supervisor
