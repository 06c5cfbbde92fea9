// import.hpp - pure core of `pppkit firewall import`: reads an iptables-save /
// iptables-restore file or a shell script made of `iptables ...` lines (the
// seed's kind: readonly variables, comments, one rule per line), recognises
// what pppkit's [firewall] and [forward "..."] sections express, and keeps the
// rest for the iptables package's translators (iptables-restore-translate), whose
// output becomes an extras nft file.
//
// Nothing here runs a process, touches a file or logs: the CLI adapter
// (plugins/firewall/cli/import_cmd.cpp) runs the translators and writes files.
//
// Flow:  parse(text)  ->  map(parsed)  ->  [adapter: run each family's
//        translator_run(), take_translation()]  ->  render_extras(...)  ->  render_ini(...),
//        render_report(...)
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pppkit::firewall::import {

enum class Format { Script, Save };
enum class Family { V4, V6 };

enum class Op {
    Append,       // -A CHAIN
    Insert,       // -I CHAIN [N]
    Policy,       // -P CHAIN TARGET (also ":CHAIN POLICY" in save files)
    NewChain,     // -N CHAIN (also ":CHAIN -" in save files)
    Flush,        // -F [CHAIN]
    DeleteChain,  // -X [CHAIN]
    Zero,         // -Z [CHAIN]
    Other,        // -D, -R, -E, -L, ... (not a ruleset statement)
};

// One iptables command, parsed. Only what the mapping needs is decoded; the
// raw arguments are kept for the translator.
struct Rule {
    int line = 0;  // in the input file
    Family family = Family::V4;
    std::string text;               // the command after variable expansion (for the report)
    std::vector<std::string> args;  // iptables arguments (after the command name), expanded
    bool has_table_arg = false;     // args carry -t

    std::string table = "filter";
    Op op = Op::Other;
    std::string chain;
    std::string policy;  // Op::Policy

    std::string proto;  // "", tcp, udp, icmp, ... (lower case)
    std::string in_if, out_if;
    std::string src, dst;
    std::vector<std::string> dports;  // "443", "137-139" (from --dport or multiport --dports)
    std::vector<std::string> sports;
    std::string icmp_type;
    std::vector<std::string> states;  // ESTABLISHED, RELATED, ... (upper case)
    bool limit = false;
    std::string limit_rate, limit_burst;
    std::string comment;         // -m comment --comment
    std::string target;          // ACCEPT, DROP, LOG, DNAT, a chain, ...
    std::string to_destination;  // DNAT
    std::string log_prefix, log_level;
    std::vector<std::string> unknown;  // options/matches the mapping does not decode
    // Why the rule's meaning cannot be imported at all (a service name the
    // services database does not know, a port out of range): the rule is
    // reported NOT IMPORTED, neither mapped nor handed to the translator.
    std::vector<std::string> refused;
    std::string heading;   // the "### ..." comment above the rule, in its paragraph
    int heading_line = 0;  // that comment's line (0: none); rules under one heading share it
};

enum class Outcome {
    Mapped,      // expressed by a pppkit.conf key or section
    Covered,     // pppkit's fixed policy does it already
    Ignored,     // not a rule (flush, zero, superseded policy, shell line)
    Changed,     // pppkit does it differently, on purpose (explained)
    Suspicious,  // probably a mistake in the original (explained); not imported
    Extras,      // translated into the extras nft file
    Failed,      // could not be parsed or translated; nothing imported
};
std::string_view outcome_name(Outcome o);

struct Note {
    int line = 0;  // 0: about the whole file
    Outcome outcome = Outcome::Ignored;
    std::string what;
};

struct Parsed {
    Format format = Format::Script;
    std::vector<Rule> rules;
    std::vector<Note> notes;  // lines that are not iptables commands
};

// Detects the format and parses. Never fails: what it cannot read becomes a
// Failed or Ignored note. Named ports (--dport ssh) are resolved as iptables
// resolves them: getservbyname() for the rule's protocol (/etc/services).
Parsed parse(std::string_view text);

struct Forward {
    int line = 0;         // the DNAT rule
    int accept_line = 0;  // the FORWARD accept rule paired with it (0: none)
    std::string name;
    std::string proto;              // tcp | udp | both
    std::string port;               // 443 | 8000-8010 | 443,80
    std::string to;                 // host[:port]
    std::vector<std::string> from;  // source networks (empty: any)
};

struct Mapping {
    std::vector<std::string> wan;  // interface names
    std::vector<std::string> lan_interfaces;
    std::vector<std::string> lan_networks;
    std::vector<std::string> router_services;  // "udp/53", "tcp/22"
    std::vector<std::string> wan_services;
    std::vector<std::string> forward_block;  // "tcp/135", "udp/137-139"
    bool lan_icmp = false;
    bool wan_ping = false;
    bool masquerade = false;
    bool egress_guard = false;
    bool lan_default_accept = false;
    bool log = false;
    std::string log_level;  // pppkit spelling (warn, info, ...)
    std::string log_rate;   // "3/hour"
    bool has_v6 = false;    // ip6tables rules were seen
    std::vector<Forward> forwards;
    std::vector<size_t> leftovers;  // indexes into Parsed::rules, for the translator
    std::vector<Note> notes;        // one or more per rule, in file order
};

Mapping map(const Parsed& p);

// What the translator printed for one leftover (nullopt: it failed; error says why).
struct Translation {
    std::optional<std::string> output;
    std::string error;
};

// One iptables-restore-translate (or ip6tables-...) run translates every
// leftover of a family still undecided in `done` (no output, no error): each
// as a save-file line followed by a marker rule (comment "pppkit-import-K",
// K its index in Mapping::leftovers) whose translation ends that leftover's
// output, so a rule that iptables expands into several keeps them all.
struct TranslatorRun {
    std::vector<std::string> argv;  // the command; input goes to its stdin (-f /dev/stdin)
    std::string input;              // iptables-restore text
    std::vector<size_t> leftovers;  // the K of each leftover in input
    std::vector<size_t> owner;      // owner[n - 1]: the K of input line n (SIZE_MAX: none)
};
// Sets done[k].error for leftovers no restore file can hold (a chain policy).
TranslatorRun translator_run(const Parsed& p, const Mapping& m, Family f, std::vector<Translation>& done);
// Takes one run's output (stdout and stderr) into done. ok: it exited 0.
// A failed run blames the leftover of the input line its error names, so
// that the next run goes on without it; with no such line, every leftover
// of the run gets the error.
void take_translation(const TranslatorRun& run, bool ok, std::string_view output, std::vector<Translation>& done);

struct Extras {
    std::string text;         // the nft file body ("" when nothing is left over)
    std::vector<Note> notes;  // translation outcomes (Extras or Failed), per leftover
};
// translations[i] belongs to m.leftovers[i].
Extras render_extras(const Parsed& p, const Mapping& m, const std::vector<Translation>& translations);

// The pppkit.conf text. extras_path: absolute path of the extras file, or ""
// when there is none.
std::string render_ini(const Mapping& m, std::string_view source_name, std::string_view extras_path);

// The human report: counts, warnings first, then every rule's outcome as
// "FILE:LINE: outcome: what".
std::string render_report(const Parsed& p, const Mapping& m, const Extras& x, std::string_view source_name);

// Helpers exposed for tests.
// POSIX-shell-like words of one line: quotes, backslashes, $VAR and ${VAR}
// from vars; '#' at a word start ends the line. nullopt with error set on an
// unterminated quote or an unset variable.
struct Var {
    std::string name, value;
};
std::optional<std::vector<std::string>> shell_words(std::string_view line, const std::vector<Var>& vars,
                                                    std::string& error);
// If net (a.b.c.d/n) lies inside one of the special-purpose IPv4 ranges
// pppkit's egress guard covers, that range; else nullopt.
std::vector<std::string> guard_ranges();
std::optional<std::string> guard_range_of(std::string_view net);
// A guard range that net is probably a typo of (same prefix length, one or
// two characters different), or nullopt.
std::optional<std::string> typo_of_guard_range(std::string_view net);

}  // namespace pppkit::firewall::import
