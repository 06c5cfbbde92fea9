// config.hpp - pppkit's INI configuration: a table-driven loader.
//
// Files: the main file (default /etc/ppp/pppkit.conf), then <dir>/*.conf in
// lexical order, where <dir> is the main file's name with ".conf" replaced by
// ".d" (/etc/ppp/pppkit.d). Sections of the same type and name in several
// files are merged; a later file overrides a key set by an earlier one.
//
// Syntax: "[type]" or [type "name"] headers, "key = value" lines, whole-line
// comments starting with '#' or ';'. Values are taken verbatim (no inline
// comments, so a ';' in a URL or password is data), of any length.
//
// Table-driven, as systemd's config parsers: each key's KeySpec names its
// type (or its own parser, KeySpec::parse), and check_value() both checks a
// value and parses it, once; load() keeps the result in the Entry
// (Entry::parsed, read by Entry::boolean(), integer(), seconds(), list(),
// as<T>()). An enum key parses by its table of names (Choices) to the core's
// own enum, read with as<E>(). A core reads those, never the text again, and
// falls back to the key's documented default (documented_default()) rather
// than to a value of its own.
//
// Pure: nothing here logs. Every problem becomes a Diagnostic, and all of them
// are collected, not just the first.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

#include "common/trust.hpp"

namespace pppkit::config {

struct Diagnostic {
    std::string file;
    int line = 0;
    std::string section;  // label, e.g. mss or ddns "home"
    std::string key;
    std::string problem;
    std::string value;
    bool has_value = false;

    // "file:line: [section] key: problem (got 'value')"
    [[nodiscard]] std::string str() const;
};

// The values of the keys with their own parser (KeySpec::parse), named here
// so that Value can hold them; the cores use these types as their own
// (firewall::Service, probe::Target, mss::Mode).
enum class Proto { Tcp, Udp, Both };

struct PortRange {
    int lo = 0;
    int hi = 0;  // == lo for a single port
    bool operator==(const PortRange&) const = default;
};

// One "proto/port[-port]" item (or a name such as ssh, dns).
struct Service {
    Proto proto = Proto::Tcp;
    PortRange ports;
    bool operator==(const Service&) const = default;
};

// "N/second|minute|hour|day", as nft's limit statement takes it.
struct Rate {
    int count = 0;
    std::string unit;  // second, minute, hour or day
    [[nodiscard]] std::string str() const { return std::to_string(count) + "/" + unit; }
    bool operator==(const Rate&) const = default;
};

// One upstream probe of a link: "icmp ADDRESS" or "tcp ADDRESS:PORT".
struct ProbeTarget {
    enum class Kind { Icmp, Tcp } kind = Kind::Icmp;
    int family = 0;                          // AF_INET or AF_INET6
    std::string address;                     // as inet_ntop writes it
    uint16_t port = 0;                       // Tcp only
    [[nodiscard]] std::string text() const;  // "icmp 192.0.2.1", "tcp [2001:db8::1]:443"
    bool operator==(const ProbeTarget&) const = default;
};

// [forward NAME] to: an IPv4 host, and the port to send to when one is given;
// an item of [pppkitd] status-listen (the port always set).
struct HostPort {
    std::string address;
    std::optional<int> port;
    bool operator==(const HostPort&) const = default;
};

// [mss] mss: auto, pmtu or a fixed IPv4 MSS.
enum class MssMode {
    Auto,   // negotiated MTU - 40 (IPv4) and - 60 (IPv6)
    Pmtu,   // the route MTU, as iptables --clamp-mss-to-pmtu (nft "rt mtu")
    Fixed,  // a fixed IPv4 MSS; IPv6 gets 20 less (its header is 20 bytes longer)
};
struct Mss {
    MssMode mode = MssMode::Auto;
    int fixed = 0;  // IPv4 MSS when mode == Fixed
    bool operator==(const Mss&) const = default;
};

// An enum key's table (Type::Enum): each name with the value of the core's
// enum it stands for. The one list of the names: check_value() parses a
// value by it (to an EnumValue, read back with Entry::as<E>()), "expected one
// of" lists it, and a core names a value by it (name()). Define it constexpr,
// with choices_of<E>() over an array of choice()s.
struct Choice {
    std::string_view name;
    int value = 0;
};
template <class E>
[[nodiscard]] constexpr Choice choice(std::string_view name, E value)
{
    return {name, static_cast<int>(value)};
}
// Its address names the enum E (EnumValue::type, Choices::type).
template <class E>
inline constexpr char enum_tag = 0;

struct Choices {
    const void* type = nullptr;  // &enum_tag<E>
    std::span<const Choice> names;
    // The name of value v (empty when the table has none).
    template <class E>
    [[nodiscard]] constexpr std::string_view name(E v) const
    {
        for (const Choice& c : names)
            if (c.value == static_cast<int>(v))
                return c.name;
        return {};
    }
    // The names joined by sep: "a|b|c".
    [[nodiscard]] std::string joined(char sep) const;
};
template <class E, std::size_t N>
[[nodiscard]] constexpr Choices choices_of(const std::array<Choice, N>& names)
{
    return {&enum_tag<E>, names};
}

// An enum key's value as its table parsed it: the enum (type) and its value.
struct EnumValue {
    const void* type = nullptr;  // &enum_tag<E>
    int value = 0;
    bool operator==(const EnumValue&) const = default;
};

// A value as its KeySpec reads it, parsed once, by check_value(), where it
// is validated: Int and Port as an integer, Bool as a bool, Duration as
// seconds, Enum as an EnumValue, a list as its items, a key with its own
// parser as that parser's type, every other type as its text. std::monostate: not parsed (see
// Entry::parsed).
using Value = std::variant<std::monostate, std::string, long long, bool, std::chrono::seconds, std::vector<std::string>,
                           std::vector<Service>, std::vector<PortRange>, Rate, std::vector<ProbeTarget>, Mss, HostPort,
                           std::vector<HostPort>, EnumValue>;

// v as T: for an alternative T of Value, a pointer to it; for an enum T, its
// value (std::optional<T>) when v is an EnumValue of T's table. Null or
// nullopt when v holds anything else: never a default of its own.
template <class T>
[[nodiscard]] auto value_as(const Value& v)
{
    if constexpr (std::is_enum_v<T>) {
        const auto* e = std::get_if<EnumValue>(&v);
        if (e == nullptr || e->type != &enum_tag<T>)
            return std::optional<T>();
        return std::optional<T>(static_cast<T>(e->value));
    } else {
        return std::get_if<T>(&v);
    }
}

// What a value's check found wrong (check_value(), KeySpec::parse).
struct Problem {
    std::string what;
};

struct Entry {
    std::string key;
    std::string value;  // the text, verbatim
    std::string file;
    int line = 0;
    // Set by load() and parse_text() when the entry's section was checked
    // against its schema and the value passed; monostate otherwise (a value
    // refused with a diagnostic, a section no schema checked here).
    Value parsed;

    // The value parsed at load when it has that type, else nullopt: a reader
    // that asks for the wrong type, or reads an entry that was never checked,
    // gets nothing, never a 0 or a false. There is no second parser: a core
    // keeps its default or reports the key on nullopt, as it says.
    [[nodiscard]] std::optional<bool> boolean() const;
    [[nodiscard]] std::optional<long long> integer() const;
    [[nodiscard]] std::optional<std::chrono::seconds> seconds() const;
    // A list key's items; null as above.
    [[nodiscard]] const std::vector<std::string>* list() const { return value_as<std::vector<std::string>>(parsed); }
    // The value of a key with its own parser (KeySpec::parse), e.g.
    // as<Rate>() (a pointer), or of an enum key, e.g. as<LanDefault>() (a
    // std::optional); null as above (see value_as()).
    template <class T>
    [[nodiscard]] auto as() const
    {
        return value_as<T>(parsed);
    }
};

struct Section {
    std::string type;
    std::string name;  // empty for unnamed sections
    std::string file;  // where the section was first opened
    int line = 0;
    std::vector<Entry> entries;

    // The entry for key (the last one when a later file overrides), or null.
    [[nodiscard]] const Entry* get(std::string_view key) const;
    [[nodiscard]] std::vector<const Entry*> get_all(std::string_view key) const;
    [[nodiscard]] std::string label() const;
};

struct Document {
    std::vector<Section> sections;
    std::vector<std::string> files;  // the files read, in order

    [[nodiscard]] std::vector<const Section*> of_type(std::string_view type) const;
    [[nodiscard]] const Section* first(std::string_view type) const;
};

enum class Type {
    String,     // any text; max = maximum length when non-zero
    Int,        // integer in [min, max]
    Bool,       // yes/no, true/false, on/off, 1/0
    Enum,       // one of the names of choices
    Port,       // 1-65535
    PortRange,  // N or N-M
    Cidr,       // IPv4 or IPv6 network a.b.c.d/n, x::/n; no host bits
    Address,    // IPv4 or IPv6 address
    Address4,   // IPv4 address
    Endpoint,   // address[:port] (IPv6 as [addr]:port)
    Interface,  // interface name, a trailing '*' matches a prefix
    Duration,   // 30, 30s, 5m, 24h, 7d; within [min, max] seconds
    Path,       // absolute path
    SecretRef,  // the name of a key in the secrets file
};

struct KeySpec {
    std::string_view key;
    Type type = Type::String;
    std::string_view def{};  // documented default ("" = none); see documented_default()
    long long min = 0;
    long long max = 0;
    const Choices* choices = nullptr;  // Enum: its table of names (required)
    bool list = false;                 // comma or space separated list of Type
    bool required = false;
    bool repeatable = false;  // may appear several times in a section
    std::string_view help{};
    // Extra check run after the type check (per list item); returns the problem.
    std::optional<std::string> (*check)(std::string_view value) = nullptr;
    // A key whose value has a domain type: its one parser, run after the type
    // check in place of check (a list: after every item passed the type check
    // and check, on the whole value); its Value (one of the domain
    // alternatives) is what load() keeps, so the core reads it, never the text.
    std::variant<Value, Problem> (*parse)(std::string_view value) = nullptr;
    // A Path that pppkit reads (File) or keeps state in (Directory): load()
    // checks it with trust::check() when it exists (see common/trust.hpp);
    // an untrusted one is a diagnostic at the key's line. A missing one is
    // left to the reader (a missing File is an error, a Directory is created).
    enum class Trust { None, File, Directory } trust = Trust::None;
};

struct SectionSpec {
    std::string_view type;
    enum class Naming { None, Required } naming = Naming::None;
    std::vector<KeySpec> keys;
    std::string_view help{};
    // Owned by a part of pppkit that is not loaded here, which checks its
    // keys: the section is accepted as it is (see common/schema.hpp).
    bool foreign = false;

    [[nodiscard]] const KeySpec* key(std::string_view k) const;
};

using Schema = std::span<const SectionSpec>;

struct LoadResult {
    Document doc;
    std::vector<Diagnostic> diags;
    // A file or the drop-in directory could not be read (missing after all,
    // refused by trust, an I/O error): what it says is unknown, so a caller
    // that would do nothing for a section it does not see must not conclude
    // that the section is absent (the firewall fails closed on it).
    bool unread = false;
    // The main file is missing (where it need not exist) or empty (0 bytes):
    // no diagnostic, as pppkit runs without one, but it is also what an
    // editor leaves for a moment while it saves the file (renamed away, or
    // truncated before it is written again). A caller that would undo what
    // a configuration did when it sees none must not conclude there is none:
    // the firewall fails closed on it, pppkitd refuses it as a reload.
    bool absent = false;
    [[nodiscard]] bool ok() const { return diags.empty(); }
};

// Loads main_file and its drop-in directory. A missing main file is an
// error only when must_exist (the path was given explicitly). The main file,
// the drop-in directory, each drop-in and every existing path of a key marked
// Trust are opened and checked under policy (trust.hpp): when running as
// root, a file or directory others could have written is refused.
LoadResult load(const std::string& main_file, bool must_exist, Schema schema,
                const trust::Policy& policy = trust::current());
// Parses one text as if it were the file `filename` (no drop-ins): for tests
// and for "pppkit check".
LoadResult parse_text(std::string_view text, const std::string& filename, Schema schema);
// The drop-in directory for a main file: "/etc/ppp/pppkit.conf" -> "/etc/ppp/pppkit.d".
std::string dropin_dir(const std::string& main_file);

// Checks one value against its spec: the problem, or the value as the spec's
// type reads it (see Value; a list is its items). The one parser of a value:
// the loader keeps its result in Entry::parsed.
std::variant<Value, Problem> check_value(const KeySpec& spec, std::string_view value);

// The documented default of key (its KeySpec's def) read by the same
// parser, so that a core falling back to it uses the number the schema
// documents; monostate when the key has no def or no such key exists.
Value documented_default(const SectionSpec& spec, std::string_view key);

std::vector<std::string> split_list(std::string_view v);

// Parsers for text that is not a configuration value (pppd options, state
// files, command arguments); return nullopt on bad input. A configuration
// value is read from Entry::parsed, never parsed again.
std::optional<long long> parse_int(std::string_view v);
std::optional<bool> parse_bool(std::string_view v);

}  // namespace pppkit::config
