// Fuzz target: the secrets file. The input is written to a 0600 file of the
// fuzzer's own uid and loaded. Oracles: a loaded secret holds no CR, LF, NUL
// or other control byte (it would inject a header or a POP3 command, issue
// 12 §6); no diagnostic shows a secret's value.
#include <fcntl.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <variant>

#include "common/secrets.hpp"
#include "oracle.hpp"

namespace {

std::string path_once()
{
    const char* tmp = std::getenv("TMPDIR");
    std::string p = std::string(tmp ? tmp : "/tmp") + "/pppkit-fuzz-secrets." + std::to_string(getpid());
    return p;
}

// The value part ("name = value") of each line, as the loader trims it.
std::vector<std::pair<std::string, std::string>> lines_of(std::string_view in)
{
    std::vector<std::pair<std::string, std::string>> out;
    while (true) {
        size_t nl = in.find('\n');
        std::string_view l = in.substr(0, nl);
        size_t eq = l.find('=');
        if (eq == std::string_view::npos)
            out.emplace_back(std::string(l), "");
        else
            out.emplace_back(std::string(l.substr(0, eq)), std::string(l.substr(eq + 1)));
        if (nl == std::string_view::npos)
            break;
        in.remove_prefix(nl + 1);
    }
    return out;
}

std::string trim(std::string s)
{
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
        s.pop_back();
    size_t i = s.find_first_not_of(" \t");
    return i == std::string::npos ? "" : s.substr(i);
}

// A name as a diagnostic shows it (config.cpp's printable()): control
// bytes, tab, DEL and bytes >= 0x80 as \xNN.
std::string escaped(std::string_view s)
{
    std::string out;
    for (unsigned char c : s) {
        if (c < 0x20 || c >= 0x7f) {
            char b[8];
            std::snprintf(b, sizeof b, "\\x%02x", c);
            out += b;
        } else {
            out += static_cast<char>(c);
        }
    }
    return out;
}

// The loader's per-line messages (common/secrets.cpp), each with "{}" where
// it names the line. A value that is a piece of one ("ters, di" of
// "letters, digits") is found in a diagnostic without being shown: it is no
// evidence of a leak, and the oracle cannot tell the two apart by the message
// alone. So such values are not judged (a secret that short and that plain is
// no real secret); every other value must not occur in a message, except
// inside the line's own name or the file's path, which the message names on
// purpose. The name is put into each template before the search, so a value
// that spans it ("cret name '' (let" when the name is empty) is found there
// too. Keep this list in step with secrets.cpp: a new message gives false
// findings until its text is added here.
bool in_fixed_text(std::string_view value, const std::string& name)
{
    static constexpr std::string_view kTemplates[] = {
        "expected 'name = value' (value not shown)",
        "bad secret name, line not shown (expected 'name = value', the name of letters, digits, '-', '_', '.')",
        "secret '{}' contains a control character (CR, LF, NUL, ...); value not shown",
        "secret '{}' is longer than 1024 bytes",
        "secret '{}' is defined twice",
    };
    for (auto t : kTemplates) {
        std::string text(t);
        if (size_t at = text.find("{}"); at != std::string::npos)
            text.replace(at, 2, name);
        if (text.find(value) != std::string::npos)
            return true;
    }
    return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    using namespace pppkit;
    static const std::string path = path_once();
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0)
        std::abort();
    if (size && ::write(fd, data, size) != static_cast<ssize_t>(size))
        std::abort();
    ::close(fd);
    std::string_view in(reinterpret_cast<const char*>(data), size);
    auto r = secrets::load(path, getuid());
    auto lines = lines_of(in);
    if (auto* diags = std::get_if<std::vector<config::Diagnostic>>(&r)) {
        for (const auto& d : *diags) {
            std::string msg = d.str();
            if (d.line < 1 || static_cast<size_t>(d.line) > lines.size())
                continue;
            auto [name, value] = lines[d.line - 1];
            value = trim(value);
            // The parts the message names on purpose (the "path:line:"
            // prefix, the line's name as the loader escapes it) are cut
            // out, each replaced by a byte no message holds (it is printable
            // ASCII), so a value cannot match across the seams either.
            std::string rest = msg;
            auto cut = [&](const std::string& part) {
                if (part.empty())
                    return;
                for (size_t at = rest.find(part); at != std::string::npos; at = rest.find(part, at + 1))
                    rest.replace(at, part.size(), "\x01");
            };
            cut(path + ":" + std::to_string(d.line) + ":");
            cut(escaped(trim(name)));
            // (A value with a byte outside printable ASCII cannot occur raw
            // in a diagnostic, which is printable ASCII; it could only
            // match the seams.)
            if (value.size() >= 4 && fuzz::printable(value) && rest.find(value) != std::string::npos &&
                name.find(value) == std::string::npos && !in_fixed_text(value, escaped(trim(name))))
                fuzz::fail("a diagnostic shows a secret's value: " + msg, value);
        }
        return 0;
    }
    const auto& s = std::get<secrets::Secrets>(r);
    for (const auto& [name, value] : lines) {
        std::string n = trim(name);
        if (const auto* v = s.get(n); v && fuzz::has_control(*v))
            fuzz::fail("a secret holds a control byte (header or command injection)", *v);
    }
    return 0;
}
