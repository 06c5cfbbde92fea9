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
// Pure: nothing here logs. Every problem becomes a Diagnostic, and all of them
// are collected, not just the first.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
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

struct Entry {
    std::string key;
    std::string value;
    std::string file;
    int line = 0;
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
    Enum,       // one of choices ("a|b|c")
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
    std::string_view def{};  // documented default ("" = none)
    long long min = 0;
    long long max = 0;
    std::string_view choices{};  // Enum: "a|b|c"
    bool list = false;           // comma or space separated list of Type
    bool required = false;
    bool repeatable = false;  // may appear several times in a section
    std::string_view help{};
    // Extra check run after the type check (per list item); returns the problem.
    std::optional<std::string> (*check)(std::string_view value) = nullptr;
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

// Checks one value against its spec; returns the problem, if any.
std::optional<std::string> check_value(const KeySpec& spec, std::string_view value);

// Typed readers for values that already passed check_value.
bool to_bool(std::string_view v);
long long to_int(std::string_view v);
long long to_seconds(std::string_view v);  // Duration
std::vector<std::string> split_list(std::string_view v);

// Value parsers shared with plugin cores (return nullopt on bad input).
std::optional<long long> parse_int(std::string_view v);
std::optional<bool> parse_bool(std::string_view v);
std::optional<long long> parse_duration(std::string_view v);

}  // namespace pppkit::config
