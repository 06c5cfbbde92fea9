// config.cpp - see config.hpp. inih (Debian's libinih) splits the lines; it
// is fed through ini_parse_stream() by a reader that counts lines (Debian
// builds inih without INI_HANDLER_LINENO), checks the syntax of every line
// itself (inih reports only the first bad line), and hands inih each value as
// a short placeholder, so that values of any length survive inih's 200-byte
// line buffer and a ';' inside a value is never taken for a comment.
#include "common/config.hpp"

#include "common/ifname.hpp"
#include "common/text.hpp"

#include <arpa/inet.h>
#include <dirent.h>
#include <ini.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>

namespace pppkit::config {
namespace {

using text::trim;

bool valid_type_word(std::string_view s)
{
    if (s.empty())
        return false;
    return std::all_of(s.begin(), s.end(),
                       [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'; });
}

bool valid_name(std::string_view s)
{
    if (s.empty() || s.size() > 64)
        return false;
    return std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
               c == '.';
    });
}

// What a key may contain; anything else is refused, never reinterpreted.
bool valid_key(std::string_view s)
{
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
    });
}

// A control byte in a value (NUL, CR, ESC, ...): a tab separates list items
// and is allowed.
bool is_control(char c)
{
    auto u = static_cast<unsigned char>(c);
    return (u < 0x20 && c != '\t') || u == 0x7f;
}

// Bytes a terminal or a log would act on, written as \xNN: control bytes,
// tab, DEL, and every byte >= 0x80 (a C1 control such as 0x9b is a CSI on
// some terminals, and a diagnostic must not depend on the locale reading
// the input as UTF-8). A diagnostic is printable ASCII.
std::string printable(std::string_view s)
{
    std::string out;
    for (char c : s) {
        if (is_control(c) || c == '\t' || static_cast<unsigned char>(c) >= 0x80) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned>(static_cast<unsigned char>(c)));
            out += buf;
        } else {
            out += c;
        }
    }
    return out;
}

struct FileParse {
    std::string file;
    std::vector<std::string> lines;
    size_t next = 0;
    int lineno = 0;
    std::vector<std::string> values;  // placeholder index -> verbatim value
    std::vector<int> value_lines;
    std::vector<Diagnostic>* diags = nullptr;
    Document* doc = nullptr;
    int cur = -1;  // index into doc->sections, -1 before the first header
};

void diag(FileParse& p, int line, std::string section, std::string key, std::string problem,
          std::optional<std::string> value = std::nullopt)
{
    Diagnostic d;
    d.file = p.file;
    d.line = line;
    d.section = std::move(section);
    d.key = std::move(key);
    d.problem = std::move(problem);
    if (value) {
        d.value = *value;
        d.has_value = true;
    }
    p.diags->push_back(std::move(d));
}

void open_section(FileParse& p, std::string_view header)
{
    // header is the text between '[' and ']'
    header = trim(header);
    std::string_view type = header;
    std::string name;
    auto sp = header.find_first_of(" \t");
    bool ok = true;
    if (sp != std::string_view::npos) {
        type = header.substr(0, sp);
        std::string_view rest = trim(header.substr(sp));
        if (rest.size() >= 2 && rest.front() == '"' && rest.back() == '"') {
            name = std::string(rest.substr(1, rest.size() - 2));
            if (!valid_name(name)) {
                diag(p, p.lineno, std::string(header), "", "section name must be 1-64 letters, digits, '-', '_' or '.'",
                     name);
                ok = false;
            }
        } else {
            diag(p, p.lineno, std::string(header), "", "expected [type] or [type \"name\"]", std::string(header));
            ok = false;
        }
    }
    if (ok && !valid_type_word(type)) {
        diag(p, p.lineno, std::string(header), "", "expected [type] or [type \"name\"]", std::string(header));
        ok = false;
    }
    if (!ok) {
        p.cur = -2;  // swallow keys until the next valid header
        return;
    }
    auto& secs = p.doc->sections;
    for (size_t i = 0; i < secs.size(); ++i) {
        if (secs[i].type == type && secs[i].name == name) {
            p.cur = static_cast<int>(i);
            return;
        }
    }
    Section s;
    s.type = std::string(type);
    s.name = name;
    s.file = p.file;
    s.line = p.lineno;
    secs.push_back(std::move(s));
    p.cur = static_cast<int>(secs.size() - 1);
}

// ini_reader: returns one line per call, rewritten as described above.
char* reader(char* str, int num, void* stream)
{
    auto& p = *static_cast<FileParse*>(stream);
    if (p.next >= p.lines.size())
        return nullptr;
    std::string_view line = p.lines[p.next++];
    ++p.lineno;
    std::string out = "\n";
    std::string_view t = trim(line);
    if (p.lineno == 1 && t.substr(0, 3) == "\xEF\xBB\xBF")
        t = trim(t.substr(3));
    if (t.empty() || t.front() == '#' || t.front() == ';') {
        // blank or comment
    } else if (t.front() == '[') {
        if (t.back() != ']')
            diag(p, p.lineno, "", "", "section header must end with ']'", std::string(t));
        else
            open_section(p, t.substr(1, t.size() - 2));
    } else {
        auto eq = t.find_first_of("=:");
        if (eq == std::string_view::npos || trim(t.substr(0, eq)).empty()) {
            diag(p, p.lineno, p.cur >= 0 ? p.doc->sections[p.cur].label() : "", "", "expected 'key = value'",
                 std::string(t));
        } else if (p.cur == -1) {
            diag(p, p.lineno, "", std::string(trim(t.substr(0, eq))), "key outside of any [section]",
                 std::string(trim(t.substr(eq + 1))));
        } else if (p.cur >= 0) {
            std::string key(trim(t.substr(0, eq)));
            p.values.emplace_back(trim(t.substr(eq + 1)));
            p.value_lines.push_back(p.lineno);
            const std::string& value = p.values.back();
            auto ctl = std::find_if(value.begin(), value.end(), is_control);
            if (key.size() > 64) {
                diag(p, p.lineno, p.doc->sections[p.cur].label(), key.substr(0, 64) + "...", "key too long");
            } else if (!valid_key(key)) {
                // "mss ;note" or "wan\v" would reach inih, which strips an
                // inline comment or any isspace() and reads another key.
                diag(p, p.lineno, p.doc->sections[p.cur].label(), key, "a key may contain only letters, digits and '-'",
                     value);
            } else if (ctl != value.end()) {
                char byte[8];
                std::snprintf(byte, sizeof byte, "0x%02x", static_cast<unsigned>(static_cast<unsigned char>(*ctl)));
                diag(p, p.lineno, p.doc->sections[p.cur].label(), key,
                     std::string("contains a control character (byte ") + byte + ")", value);
            } else {
                out = "k" + std::to_string(p.values.size() - 1) + "=" + key + "\n";
            }
        }
    }
    if (static_cast<int>(out.size()) >= num)
        out = "\n";
    std::memcpy(str, out.c_str(), out.size() + 1);
    return str;
}

// ini_handler: inih gives back "k<N>" as the key and the original key as the
// value (so it never sees the real value); section is always "".
int handler(void* user, const char* /*section*/, const char* name, const char* value)
{
    auto& p = *static_cast<FileParse*>(user);
    if (name[0] != 'k' || p.cur < 0)
        return 1;
    size_t idx = std::strtoul(name + 1, nullptr, 10);
    if (idx >= p.values.size())
        return 1;
    Entry e;
    e.key = value;
    e.value = p.values[idx];
    e.file = p.file;
    e.line = p.value_lines[idx];
    p.doc->sections[p.cur].entries.push_back(std::move(e));
    return 1;
}

void parse_into(std::string_view text, const std::string& filename, Document& doc, std::vector<Diagnostic>& diags)
{
    FileParse p;
    p.file = filename;
    p.diags = &diags;
    p.doc = &doc;
    size_t start = 0;
    while (start <= text.size()) {
        auto nl = text.find('\n', start);
        if (nl == std::string_view::npos) {
            if (start < text.size())
                p.lines.emplace_back(text.substr(start));
            break;
        }
        p.lines.emplace_back(text.substr(start, nl - start));
        start = nl + 1;
    }
    doc.files.push_back(filename);
    ini_parse_stream(reader, &p, handler, &p);
}

const SectionSpec* find_section(Schema schema, std::string_view type)
{
    for (const auto& s : schema)
        if (s.type == type)
            return &s;
    return nullptr;
}

// A key name that reads like a credential ("pasword", "api-token"): the
// value of such an unknown key is not echoed, nor is a SecretRef's that is
// no name (it is likely the password itself, typed where its name belongs).
bool secret_like(std::string_view key)
{
    std::string k(key);
    std::transform(k.begin(), k.end(), k.begin(), [](unsigned char c) { return std::tolower(c); });
    for (const char* w : {"pass", "pasw", "pwd", "secret", "token", "key", "auth", "cred"})
        if (k.find(w) != std::string::npos)
            return true;
    return false;
}

void validate(Document& doc, Schema schema, std::vector<Diagnostic>& diags)
{
    auto add = [&](const std::string& file, int line, const std::string& sec, std::string key, std::string problem,
                   std::optional<std::string> value) {
        Diagnostic d;
        d.file = file;
        d.line = line;
        d.section = sec;
        d.key = std::move(key);
        d.problem = std::move(problem);
        if (value) {
            d.value = *value;
            d.has_value = true;
        }
        diags.push_back(std::move(d));
    };
    for (auto& s : doc.sections) {
        const SectionSpec* spec = find_section(schema, s.type);
        if (spec == nullptr) {
            std::string known;
            for (const auto& k : schema)
                known += (known.empty() ? "" : ", ") + std::string(k.type);
            add(s.file, s.line, s.label(), "", "unknown section (known: " + known + ")", std::nullopt);
            continue;
        }
        if (spec->foreign)
            continue;
        if (spec->naming == SectionSpec::Naming::Required && s.name.empty())
            add(s.file, s.line, s.label(), "", "needs a name, as [" + s.type + " \"name\"]", std::nullopt);
        if (spec->naming == SectionSpec::Naming::None && !s.name.empty())
            add(s.file, s.line, s.label(), "", "takes no name, write [" + s.type + "]", s.name);
        for (size_t i = 0; i < s.entries.size(); ++i) {
            Entry& e = s.entries[i];
            const KeySpec* ks = spec->key(e.key);
            if (ks == nullptr) {
                if (secret_like(e.key))
                    add(e.file, e.line, s.label(), e.key, "unknown key (its value is not shown: it may be a secret)",
                        std::nullopt);
                else
                    add(e.file, e.line, s.label(), e.key, "unknown key", e.value);
                continue;
            }
            // the name of a secret, or the secret typed in its place: never echoed
            const std::optional<std::string> shown =
                ks->type == Type::SecretRef ? std::nullopt : std::optional<std::string>(e.value);
            if (!ks->repeatable) {
                for (size_t j = 0; j < i; ++j) {
                    if (s.entries[j].key == e.key && s.entries[j].file == e.file) {
                        add(e.file, e.line, s.label(), e.key,
                            "duplicate key (first set at line " + std::to_string(s.entries[j].line) + ")", shown);
                        break;
                    }
                }
            }
            auto checked = check_value(*ks, e.value);
            if (auto* v = std::get_if<Value>(&checked))
                e.parsed = std::move(*v);
            else if (ks->type == Type::SecretRef)
                add(e.file, e.line, s.label(), e.key,
                    std::get<Problem>(checked).what +
                        " (the value is not shown: if it is the secret itself, put it in the secrets file and name "
                        "it here)",
                    std::nullopt);
            else
                add(e.file, e.line, s.label(), e.key, std::get<Problem>(checked).what, e.value);
        }
        for (const auto& ks : spec->keys)
            if (ks.required && s.get(ks.key) == nullptr)
                add(s.file, s.line, s.label(), std::string(ks.key), "missing (required)", std::nullopt);
    }
}

// Every existing path of a key marked Trust must pass trust::check(); a
// missing one is left to whoever reads it.
void check_trusted_paths(const Document& doc, Schema schema, const trust::Policy& policy,
                         std::vector<Diagnostic>& diags)
{
    for (const auto& s : doc.sections) {
        const SectionSpec* spec = find_section(schema, s.type);
        if (spec == nullptr)
            continue;
        for (const auto& e : s.entries) {
            const KeySpec* ks = spec->key(e.key);
            if (ks == nullptr || ks->trust == KeySpec::Trust::None || e.value.empty() || e.value.front() != '/')
                continue;
            auto kind = ks->trust == KeySpec::Trust::File ? trust::Kind::File : trust::Kind::Directory;
            int err = 0;
            auto problem = trust::check(e.value, kind, policy, &err);
            if (!problem || err == ENOENT)
                continue;
            Diagnostic d;
            d.file = e.file;
            d.line = e.line;
            d.section = s.label();
            d.key = e.key;
            d.problem = *problem;
            d.value = e.value;
            d.has_value = true;
            diags.push_back(std::move(d));
        }
    }
}

bool is_ipv4(std::string_view v, in_addr* out = nullptr)
{
    in_addr a{};
    std::string s(v);
    if (inet_pton(AF_INET, s.c_str(), &a) != 1)
        return false;
    if (out != nullptr)
        *out = a;
    return true;
}

bool is_ipv6(std::string_view v, in6_addr* out = nullptr)
{
    in6_addr a{};
    std::string s(v);
    if (inet_pton(AF_INET6, s.c_str(), &a) != 1)
        return false;
    if (out != nullptr)
        *out = a;
    return true;
}

std::optional<std::string> check_cidr(std::string_view v)
{
    auto slash = v.find('/');
    if (slash == std::string_view::npos)
        return "expected a network as address/prefix, e.g. 172.16.0.0/16";
    auto addr = v.substr(0, slash);
    auto plen = parse_int(v.substr(slash + 1));
    unsigned char bytes[16] = {};
    int bits = 0;
    in_addr a4{};
    in6_addr a6{};
    if (is_ipv4(addr, &a4)) {
        bits = 32;
        std::memcpy(bytes, &a4, 4);
    } else if (is_ipv6(addr, &a6)) {
        bits = 128;
        std::memcpy(bytes, &a6, 16);
    } else {
        return "not an IPv4 or IPv6 network";
    }
    if (!plen || *plen < 0 || *plen > bits)
        return "prefix length must be 0-" + std::to_string(bits);
    for (int b = static_cast<int>(*plen); b < bits; ++b)
        if ((bytes[b / 8] >> (7 - b % 8)) & 1)
            return "host bits set after /" + std::to_string(*plen) + " (did you mean a network address?)";
    return std::nullopt;
}

// 30, 30s, 5m, 24h, 7d: seconds; nullopt on bad input or overflow.
std::optional<long long> parse_duration(std::string_view v)
{
    if (v.empty())
        return std::nullopt;
    long long mult = 1;
    switch (v.back()) {
    case 's':
        mult = 1;
        v.remove_suffix(1);
        break;
    case 'm':
        mult = 60;
        v.remove_suffix(1);
        break;
    case 'h':
        mult = 3600;
        v.remove_suffix(1);
        break;
    case 'd':
        mult = 86400;
        v.remove_suffix(1);
        break;
    default: break;
    }
    auto n = parse_int(v);
    long long seconds = 0;
    if (!n || *n < 0 || __builtin_mul_overflow(*n, mult, &seconds))
        return std::nullopt;
    return seconds;
}

using Checked = std::variant<Value, Problem>;

Checked check_type(const KeySpec& spec, std::string_view v);

Checked check_one(const KeySpec& spec, std::string_view v)
{
    auto r = check_type(spec, v);
    if (std::holds_alternative<Value>(r) && spec.parse != nullptr && !spec.list)
        return spec.parse(v);
    if (std::holds_alternative<Value>(r) && spec.check != nullptr)
        if (auto p = spec.check(v))
            return Problem{*p};
    return r;
}

Checked check_type(const KeySpec& spec, std::string_view v)
{
    const Value text{std::string(v)};
    switch (spec.type) {
    case Type::String:
        if (spec.max > 0 && static_cast<long long>(v.size()) > spec.max)
            return Problem{"longer than " + std::to_string(spec.max) + " characters"};
        return text;
    case Type::Int: {
        auto n = parse_int(v);
        if (!n)
            return Problem{"not an integer"};
        if ((spec.min != 0 || spec.max != 0) && (*n < spec.min || *n > spec.max))
            return Problem{"out of range " + std::to_string(spec.min) + "-" + std::to_string(spec.max)};
        return Value{*n};
    }
    case Type::Bool: {
        auto b = parse_bool(v);
        if (!b)
            return Problem{"expected yes or no"};
        return Value{*b};
    }
    case Type::Enum:
        if (spec.choices != nullptr)
            for (const Choice& c : spec.choices->names)
                if (c.name == v)
                    return Value{EnumValue{spec.choices->type, c.value}};
        return Problem{"expected one of " + (spec.choices != nullptr ? spec.choices->joined(',') : std::string())};
    case Type::Port: {
        auto n = parse_int(v);
        if (!n || *n < 1 || *n > 65535)
            return Problem{"not a port number (1-65535)"};
        return Value{*n};
    }
    case Type::PortRange: {
        auto dash = v.find('-');
        auto lo = parse_int(v.substr(0, dash));
        auto hi = dash == std::string_view::npos ? lo : parse_int(v.substr(dash + 1));
        if (!lo || !hi || *lo < 1 || *lo > 65535 || *hi < 1 || *hi > 65535)
            return Problem{"not a port or port range (1-65535, e.g. 8000-8010)"};
        if (*hi < *lo)
            return Problem{"port range is reversed"};
        return text;
    }
    case Type::Cidr:
        if (auto p = check_cidr(v))
            return Problem{*p};
        return text;
    case Type::Address:
        if (!is_ipv4(v) && !is_ipv6(v))
            return Problem{"not an IPv4 or IPv6 address"};
        return text;
    case Type::Address4:
        if (!is_ipv4(v))
            return Problem{"not an IPv4 address"};
        return text;
    case Type::Endpoint: {
        std::string_view host = v;
        std::optional<std::string_view> port;
        if (!v.empty() && v.front() == '[') {
            auto close = v.find(']');
            if (close == std::string_view::npos)
                return Problem{"expected [IPv6]:port"};
            host = v.substr(1, close - 1);
            if (close + 1 < v.size()) {
                if (v[close + 1] != ':')
                    return Problem{"expected [IPv6]:port"};
                port = v.substr(close + 2);
            }
            if (!is_ipv6(host))
                return Problem{"not an IPv6 address"};
        } else {
            auto colon = v.find(':');
            if (colon != std::string_view::npos && v.find(':', colon + 1) == std::string_view::npos) {
                host = v.substr(0, colon);
                port = v.substr(colon + 1);
            }
            if (!is_ipv4(host) && !(is_ipv6(host) && !port))
                return Problem{"not an address (a.b.c.d, a.b.c.d:port or [IPv6]:port)"};
        }
        if (port) {
            auto n = parse_int(*port);
            if (!n || *n < 1 || *n > 65535)
                return Problem{"not a port number (1-65535)"};
        }
        return text;
    }
    case Type::Interface:
        if (auto p = ifname::check_pattern(v))  // common/ifname.hpp: the one check
            return Problem{*p};
        return text;
    case Type::Duration: {
        auto s = parse_duration(v);
        if (!s)
            return Problem{"not a duration (e.g. 30s, 5m, 24h, 7d)"};
        if ((spec.min != 0 || spec.max != 0) && (*s < spec.min || *s > spec.max))
            return Problem{"out of range " + std::to_string(spec.min) + "s-" + std::to_string(spec.max) + "s"};
        return Value{std::chrono::seconds(*s)};
    }
    case Type::Path:
        if (v.empty() || v.front() != '/')
            return Problem{"must be an absolute path"};
        return text;
    case Type::SecretRef:
        if (!valid_name(v))
            return Problem{"not a secret name (letters, digits, '-', '_', '.')"};
        return text;
    }
    return text;
}

}  // namespace

std::string Choices::joined(char sep) const
{
    std::string out;
    for (const Choice& c : names)
        out += (out.empty() ? "" : std::string(1, sep)) + std::string(c.name);
    return out;
}

std::string Diagnostic::str() const
{
    // Every part may hold bytes of the input (a section name, a value quoted
    // in the problem): all go through printable().
    std::string s = printable(file) + ":" + std::to_string(line) + ":";
    if (!section.empty())
        s += " [" + printable(section) + "]";
    if (!key.empty())
        s += " " + printable(key);
    if (!section.empty() || !key.empty())
        s += ":";
    s += " " + printable(problem);
    if (has_value)
        s += " (got '" + printable(value) + "')";
    return s;
}

const Entry* Section::get(std::string_view key) const
{
    const Entry* found = nullptr;
    for (const auto& e : entries)
        if (e.key == key)
            found = &e;
    return found;
}

std::vector<const Entry*> Section::get_all(std::string_view key) const
{
    std::vector<const Entry*> out;
    for (const auto& e : entries)
        if (e.key == key)
            out.push_back(&e);
    return out;
}

std::string Section::label() const { return name.empty() ? type : type + " \"" + name + "\""; }

std::vector<const Section*> Document::of_type(std::string_view type) const
{
    std::vector<const Section*> out;
    for (const auto& s : sections)
        if (s.type == type)
            out.push_back(&s);
    return out;
}

const Section* Document::first(std::string_view type) const
{
    for (const auto& s : sections)
        if (s.type == type)
            return &s;
    return nullptr;
}

const KeySpec* SectionSpec::key(std::string_view k) const
{
    for (const auto& ks : keys)
        if (ks.key == k)
            return &ks;
    return nullptr;
}

std::string dropin_dir(const std::string& main_file)
{
    std::string d = main_file;
    if (d.size() > 5 && d.compare(d.size() - 5, 5, ".conf") == 0)
        d.resize(d.size() - 5);
    return d + ".d";
}

LoadResult parse_text(std::string_view text, const std::string& filename, Schema schema)
{
    LoadResult r;
    parse_into(text, filename, r.doc, r.diags);
    validate(r.doc, schema, r.diags);
    return r;
}

LoadResult load(const std::string& main_file, bool must_exist, Schema schema, const trust::Policy& policy)
{
    LoadResult r;
    auto file_diag = [&](const std::string& file, const std::string& problem, int err) {
        Diagnostic d;
        d.file = file;
        // an OS error reads as before; a trust problem says what to fix
        d.problem = (err != 0 && err != ELOOP) ? "cannot read: " + std::string(std::strerror(err)) : problem;
        r.diags.push_back(std::move(d));
        r.unread = true;
    };
    std::string text;
    int err = 0;
    if (main_file == "/dev/null") {
        // an empty configuration on purpose (pppkit --config /dev/null ...)
        r.doc.files.push_back(main_file);
    } else if (auto problem = trust::read_file(main_file, text, policy, &err)) {
        if (must_exist || err != ENOENT)
            file_diag(main_file, *problem, err);
        else
            r.absent = true;
    } else {
        r.absent = text.empty();
        parse_into(text, main_file, r.doc, r.diags);
    }
    std::string dir = dropin_dir(main_file);
    std::vector<std::string> names;
    auto opened = trust::open(dir, trust::Kind::Directory, policy);
    if (!opened.ok()) {
        if (opened.err != ENOENT)
            file_diag(dir, opened.problem, opened.err);
    } else if (DIR* dp = ::fdopendir(opened.fd.get())) {
        (void)opened.fd.release();  // dp owns it now
        while (dirent* de = readdir(dp)) {
            std::string n = de->d_name;
            if (n.size() > 5 && n.compare(n.size() - 5, 5, ".conf") == 0 && n[0] != '.')
                names.push_back(n);
        }
        closedir(dp);
    } else {
        // drop-ins that cannot be listed are unread, never "none" (opened closes the fd)
        file_diag(dir, "cannot list the directory", errno);
    }
    std::sort(names.begin(), names.end());
    for (const auto& n : names) {
        std::string path = dir + "/" + n;
        std::string t;
        if (auto problem = trust::read_file(path, t, policy, &err)) {
            file_diag(path, *problem, err);
            continue;
        }
        parse_into(t, path, r.doc, r.diags);
    }
    validate(r.doc, schema, r.diags);
    check_trusted_paths(r.doc, schema, policy, r.diags);
    std::stable_sort(r.diags.begin(), r.diags.end(), [&](const Diagnostic& a, const Diagnostic& b) {
        auto fa = std::find(r.doc.files.begin(), r.doc.files.end(), a.file) - r.doc.files.begin();
        auto fb = std::find(r.doc.files.begin(), r.doc.files.end(), b.file) - r.doc.files.begin();
        return fa != fb ? fa < fb : a.line < b.line;
    });
    return r;
}

std::variant<Value, Problem> check_value(const KeySpec& spec, std::string_view value)
{
    if (!spec.list)
        return check_one(spec, value);
    auto items = split_list(value);
    if (items.empty())
        return Problem{"empty list"};
    for (const auto& it : items) {
        auto r = check_one(spec, it);
        if (auto* p = std::get_if<Problem>(&r))
            return Problem{"'" + it + "': " + p->what};
    }
    if (spec.parse != nullptr)  // every item passed: the list's own parser reads the whole value
        return spec.parse(value);
    return Value{std::move(items)};
}

Value documented_default(const SectionSpec& spec, std::string_view key)
{
    const KeySpec* ks = spec.key(key);
    if (ks == nullptr || ks->def.empty())
        return {};
    auto r = check_value(*ks, ks->def);
    auto* v = std::get_if<Value>(&r);
    return v != nullptr ? std::move(*v) : Value{};
}

std::string ProbeTarget::text() const
{
    if (kind == Kind::Icmp)
        return "icmp " + address;
    return "tcp " + (family == AF_INET6 ? "[" + address + "]" : address) + ":" + std::to_string(port);
}

std::optional<bool> Entry::boolean() const
{
    const auto* b = std::get_if<bool>(&parsed);
    return b != nullptr ? std::optional<bool>(*b) : std::nullopt;
}

std::optional<long long> Entry::integer() const
{
    const auto* n = std::get_if<long long>(&parsed);
    return n != nullptr ? std::optional<long long>(*n) : std::nullopt;
}

std::optional<std::chrono::seconds> Entry::seconds() const
{
    const auto* s = std::get_if<std::chrono::seconds>(&parsed);
    return s != nullptr ? std::optional<std::chrono::seconds>(*s) : std::nullopt;
}

std::optional<long long> parse_int(std::string_view v)
{
    if (v.empty() || v.size() > 18)
        return std::nullopt;
    bool neg = false;
    if (v.front() == '-') {
        neg = true;
        v.remove_prefix(1);
        if (v.empty())
            return std::nullopt;
    }
    long long n = 0;
    for (char c : v) {
        if (c < '0' || c > '9')
            return std::nullopt;
        n = n * 10 + (c - '0');
    }
    return neg ? -n : n;
}

std::optional<bool> parse_bool(std::string_view v)
{
    if (v == "yes" || v == "true" || v == "on" || v == "1")
        return true;
    if (v == "no" || v == "false" || v == "off" || v == "0")
        return false;
    return std::nullopt;
}

std::vector<std::string> split_list(std::string_view v) { return text::split(v, ", \t"); }

}  // namespace pppkit::config
