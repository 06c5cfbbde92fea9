// oracle.hpp - what every pppkit fuzz target checks besides "no crash, no
// ASan/UBSan report". A broken invariant prints what broke and aborts, so
// libFuzzer writes the input as a crash artifact.
//
// The invariants are the contracts of issues 9 and 12: accepted values carry
// no control bytes, text from a server is printable and bounded before it
// reaches a log or the state file, generated nft text keeps every value
// inside its quoting and its table.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace fuzz {

// The longest server text pppkit may keep from one answer (detail, echoed
// address): the state file's own cap on a detail.
inline constexpr size_t kMaxServerText = 256;

[[noreturn]] inline void fail(std::string_view what, std::string_view value)
{
    std::string shown;
    for (unsigned char c : value.substr(0, 400)) {
        if (c >= 0x20 && c < 0x7f && c != '\\') {
            shown += static_cast<char>(c);
        } else {
            char b[8];
            std::snprintf(b, sizeof b, "\\x%02x", c);
            shown += b;
        }
    }
    std::fprintf(stderr, "ORACLE: %.*s: '%s'%s\n", static_cast<int>(what.size()), what.data(), shown.c_str(),
                 value.size() > 400 ? " (cut)" : "");
    std::abort();
}

// A byte below 0x20 (tab excepted) or DEL.
inline bool has_control(std::string_view s, bool allow_tab = true)
{
    for (unsigned char c : s)
        if ((c < 0x20 && !(allow_tab && c == '\t')) || c == 0x7f)
            return true;
    return false;
}

// Printable ASCII only: what a log line, `pppkit ddns status` or the state
// file may show of a server's text.
inline bool printable(std::string_view s)
{
    for (unsigned char c : s)
        if (c < 0x20 || c >= 0x7f)
            return false;
    return true;
}

// PPPKIT_FUZZ_VERBOSE=1: print why an input was refused (to see whether a
// seed reaches the code it is meant for).
inline bool verbose() { return std::getenv("PPPKIT_FUZZ_VERBOSE") != nullptr; }

inline void expect_server_text(std::string_view what, std::string_view s)
{
    if (!printable(s))
        fail(std::string(what) + " holds a non-printable byte (server text must be escaped or dropped)", s);
    if (s.size() > kMaxServerText)
        fail(std::string(what) + " keeps more than 256 bytes (server text must be bounded)", s);
}

// Text that goes onto an HTTP request line or into a header: no CR, LF, NUL
// or other control byte can end it early or add a line.
inline void expect_request_text(std::string_view what, std::string_view s)
{
    if (has_control(s, false))
        fail(std::string(what) + " carries a control byte into the request", s);
}

// Checks a generated nft ruleset (see the .cpp of each target for which
// values reach it):
//  - no control byte but '\n';
//  - per line, quotes pair up and a quoted string holds no '\\' or '"';
//  - outside quotes: no ';' (a second statement) except on "type ... hook"
//    lines, no '#' (a comment that swallows the rest of a rule);
//  - braces balance outside quotes and never close the table early: the
//    only top-level lines are define, add/delete table, table, '}', flush
//    set and add element, all naming pppkit's table;
//  - a number in an address or prefix is plain decimal: nft reads a leading
//    0 as octal (198.51.100.0/024 is a /20) and "/-0" as something else.
void expect_nft_text(std::string_view ruleset, std::string_view table);

}  // namespace fuzz
