#include "common/secrets.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "common/text.hpp"
#include "common/trust.hpp"

namespace pppkit::secrets {
namespace {

// A secrets file holds a few names and tokens.
constexpr std::size_t kMaxSize = std::size_t{64} * 1024;

}  // namespace

void wipe(std::string& s) noexcept
{
    if (!s.empty())
        explicit_bzero(s.data(), s.size());
    s.clear();
}

Secrets::~Secrets()
{
    for (auto& [k, v] : items_)
        wipe(v);
}

const std::string* Secrets::get(std::string_view name) const
{
    for (const auto& [k, v] : items_)
        if (k == name)
            return &v;
    return nullptr;
}

void Secrets::set(std::string name, std::string value)
{
    for (auto& [k, v] : items_) {
        if (k == name) {
            wipe(v);
            v = std::move(value);
            return;
        }
    }
    items_.emplace_back(std::move(name), std::move(value));
}

std::variant<Secrets, std::vector<config::Diagnostic>> load(const std::string& path, unsigned expected_uid)
{
    std::vector<config::Diagnostic> diags;
    auto fail = [&](int line, std::string problem) {
        config::Diagnostic d;
        d.file = path;
        d.line = line;
        d.problem = std::move(problem);
        diags.push_back(std::move(d));
    };
    // The file's own owner and mode, with the fix for a secrets file (0600).
    auto judge = [&](const struct stat& st) {
        if (st.st_uid != expected_uid)
            fail(0, "secrets file must be owned by root (uid " + std::to_string(st.st_uid) +
                        "); fix: chown root:root " + path + " && chmod 600 " + path);
        if ((st.st_mode & 077) != 0) {
            char mode[8];
            std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
            fail(0, std::string("secrets file is readable or writable by group or others (mode ") + mode +
                        "); fix: chmod 600 " + path);
        }
        return diags.empty();
    };
    struct stat st {};
    if (::lstat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && !judge(st))
        return diags;
    // The walk refuses a directory above the file that others could write
    // and a symbolic link planted by someone else (common/trust.hpp); the
    // checks are repeated on what was opened.
    trust::Policy policy;
    policy.owner = expected_uid;
    auto opened = trust::open(path, trust::Kind::File, policy);
    if (!opened.ok()) {
        fail(0, (opened.err != 0 && opened.err != ELOOP)
                    ? std::string("cannot open secrets file: ") + std::strerror(opened.err)
                    : "secrets file refused: " + opened.problem);
        return diags;
    }
    int fd = opened.fd.release();
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        fail(0, "secrets file is not a regular file");
        return diags;
    }
    if (!judge(st)) {
        ::close(fd);
        return diags;
    }
    // reserved up front: read_all never reallocates, so no copy of a
    // secret is left in freed memory
    std::string text;
    text.reserve(kMaxSize + 1);
    const int read_err = text::read_all(fd, text, kMaxSize);
    ::close(fd);
    if (read_err != 0) {
        wipe(text);
        fail(0, read_err == EFBIG ? "secrets file is larger than " + std::to_string(kMaxSize / 1024) + " KiB"
                                  : std::string("cannot read secrets file: ") + std::strerror(read_err));
        return diags;
    }

    Secrets out;
    int lineno = 0;
    size_t start = 0;
    while (start < text.size()) {
        size_t nl = text.find('\n', start);
        if (nl == std::string::npos)
            nl = text.size();
        ++lineno;
        std::string_view line(text.data() + start, nl - start);
        start = nl + 1;
        line = text::trim(line);
        if (line.empty() || line.front() == '#')
            continue;
        auto eq = line.find('=');
        if (eq == std::string_view::npos) {
            fail(lineno, "expected 'name = value' (value not shown)");
            continue;
        }
        const std::string_view name = text::trim(line.substr(0, eq));
        const std::string_view value = text::trim(line.substr(eq + 1));
        config::KeySpec ref{"name", config::Type::SecretRef};
        if (std::holds_alternative<config::Problem>(config::check_value(ref, name))) {
            // Not echoed: in a line of another format ("cf Token==", a
            // chap-secrets line) the text before the first '=' is mostly
            // the secret. Only a name that passed this check is ever shown.
            fail(lineno, "bad secret name, line not shown (expected 'name = value', the name of letters, digits, "
                         "'-', '_', '.')");
            continue;
        }
        // A CR, LF or NUL in a token would inject a header or a POP3 command.
        if (std::any_of(value.begin(), value.end(),
                        [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; })) {
            fail(lineno,
                 "secret '" + std::string(name) + "' contains a control character (CR, LF, NUL, ...); value not shown");
            continue;
        }
        if (value.size() > 1024) {
            fail(lineno, "secret '" + std::string(name) + "' is longer than 1024 bytes");
            continue;
        }
        if (out.has(name)) {
            fail(lineno, "secret '" + std::string(name) + "' is defined twice");
            continue;
        }
        out.set(std::string(name), std::string(value));
    }
    wipe(text);
    if (!diags.empty())
        return diags;
    return out;
}

}  // namespace pppkit::secrets
