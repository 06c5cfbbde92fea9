// Fuzz target: the secrets file. The input is written to a 0600 file of the
// fuzzer's own uid and loaded. Oracles: a loaded secret holds no CR, LF, NUL
// or other control byte (it would inject a header or a POP3 command, issue
// 12 §6); no diagnostic shows a secret's value.
#include <fcntl.h>
#include <unistd.h>

#include <cstdint>
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
            if (value.size() >= 4 && msg.find(value) != std::string::npos && name.find(value) == std::string::npos &&
                path.find(value) == std::string::npos)
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
