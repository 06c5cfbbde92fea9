#include "common/nft.hpp"

#include <dlfcn.h>
#include <fcntl.h>
#include <nftables/libnftables.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <type_traits>

namespace pppkit::nft {
namespace {
std::string trimmed(const char* s)
{
    std::string out = s != nullptr ? s : "";
    while (!out.empty() && (out.back() == '\n' || out.back() == ' '))
        out.pop_back();
    return out;
}
}  // namespace

// libnftables' entry points, from one dlopen() of libnftables.so.1: each
// Context holds one (the loader counts them) and dlclose()s it after
// nft_ctx_free, so a process with no Context has no libnftables mapped.
struct Lib {
    // RTLD_LAZY: each library binds as it would have at exec (its own
    // BIND_NOW flag decides); RTLD_LOCAL: nothing else resolves against it
    void* so = ::dlopen("libnftables.so.1", RTLD_LAZY | RTLD_LOCAL);
    std::string error;  // why it is not loaded
    decltype(&::nft_ctx_new) ctx_new = nullptr;
    decltype(&::nft_ctx_free) ctx_free = nullptr;
    decltype(&::nft_ctx_buffer_output) buffer_output = nullptr;
    decltype(&::nft_ctx_buffer_error) buffer_error = nullptr;
    decltype(&::nft_ctx_set_dry_run) set_dry_run = nullptr;
    decltype(&::nft_run_cmd_from_buffer) run_cmd_from_buffer = nullptr;
    decltype(&::nft_ctx_get_output_buffer) get_output_buffer = nullptr;
    decltype(&::nft_ctx_get_error_buffer) get_error_buffer = nullptr;
    decltype(&::nft_ctx_output_get_flags) output_get_flags = nullptr;
    decltype(&::nft_ctx_output_set_flags) output_set_flags = nullptr;

    Lib()
    {
        if (so == nullptr) {
            const char* e = ::dlerror();
            error = std::string("cannot load libnftables.so.1: ") + (e != nullptr ? e : "dlopen failed");
            return;
        }
        bool ok = true;
        auto sym = [&](auto& fn, const char* name) {
            void* f = ::dlsym(so, name);
            ok = ok && f != nullptr;
            fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(f);
        };
        sym(ctx_new, "nft_ctx_new");
        sym(ctx_free, "nft_ctx_free");
        sym(buffer_output, "nft_ctx_buffer_output");
        sym(buffer_error, "nft_ctx_buffer_error");
        sym(set_dry_run, "nft_ctx_set_dry_run");
        sym(run_cmd_from_buffer, "nft_run_cmd_from_buffer");
        sym(get_output_buffer, "nft_ctx_get_output_buffer");
        sym(get_error_buffer, "nft_ctx_get_error_buffer");
        sym(output_get_flags, "nft_ctx_output_get_flags");
        sym(output_set_flags, "nft_ctx_output_set_flags");
        if (!ok) {
            error = "libnftables.so.1 lacks an entry point";
            ::dlclose(so);
            so = nullptr;
        }
    }
    ~Lib()
    {
        if (so != nullptr)
            ::dlclose(so);
    }
    Lib(const Lib&) = delete;
    Lib& operator=(const Lib&) = delete;

    // nft_ctx_new initialises libxtables, which _exit(111)s the process when
    // the real and effective uids differ: Debian's setuid pppd started by a
    // member of group dip (pon). Root's own real uid for that one call, the
    // caller's back at once (an effective uid 0 may set either).
    nft_ctx* new_ctx() const
    {
        uid_t r = 0;
        uid_t e = 0;
        uid_t s = 0;
        const bool swap = ::getresuid(&r, &e, &s) == 0 && e == 0 && r != 0 && ::setresuid(0, -1, -1) == 0;
        nft_ctx* c = ctx_new(NFT_CTX_DEFAULT);
        if (swap && ::setresuid(r, -1, -1) != 0)
            ::_exit(111);  // cannot give the caller's uid back: stop as libxtables would have
        return c;
    }

    // A context with buffered output and errors; nullptr: error says why.
    nft_ctx* context()
    {
        if (so == nullptr)
            return nullptr;
        nft_ctx* c = new_ctx();
        if (c == nullptr) {
            error = "cannot create an nftables context";
            return nullptr;
        }
        buffer_output(c);
        buffer_error(c);
        return c;
    }
};

Context::Context() : lib_(std::make_unique<Lib>()), ctx_(lib_->context()) {}

Context::~Context()
{
    if (ctx_ != nullptr)
        lib_->ctx_free(ctx_);
}

Result Context::exec(std::string_view cmds, bool dry)
{
    Result r;
    if (ctx_ == nullptr) {
        r.error = lib_->error;
        return r;
    }
    std::string buf(cmds);
    lib_->set_dry_run(ctx_, dry);
    int rc = lib_->run_cmd_from_buffer(ctx_, buf.c_str());
    lib_->set_dry_run(ctx_, false);
    r.output = trimmed(lib_->get_output_buffer(ctx_));
    r.error = trimmed(lib_->get_error_buffer(ctx_));
    r.ok = rc == 0;
    if (!r.ok && r.error.empty())
        r.error = "nft failed (rc " + std::to_string(rc) + ")";
    return r;
}

Result Context::run(std::string_view cmds) { return exec(cmds, false); }

Result Context::list_json(std::string_view cmds)
{
    if (ctx_ == nullptr)
        return exec(cmds, false);
    const unsigned flags = lib_->output_get_flags(ctx_);
    lib_->output_set_flags(ctx_, flags | NFT_CTX_OUTPUT_JSON);
    Result r = exec(cmds, false);
    lib_->output_set_flags(ctx_, flags);
    return r;
}

Result check_in_child(std::string_view cmds, int timeout_ms)
{
    Result r;
    std::string buf(cmds);
    // loaded before fork: the child only calls into it (no dlopen after fork)
    const Lib lib;
    if (lib.so == nullptr) {
        r.error = lib.error;
        return r;
    }
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) {
        r.error = std::string("cannot check the ruleset in a child process: pipe: ") + std::strerror(errno);
        return r;
    }
    pid_t pid = fork();
    if (pid < 0) {
        int err = errno;
        close(fds[0]);
        close(fds[1]);
        r.error = std::string("cannot check the ruleset in a child process: fork: ") + std::strerror(err);
        return r;
    }
    if (pid == 0) {
        // A copy of pppd (or pppkit): none of its handlers may run here.
        struct sigaction dfl {};
        dfl.sa_handler = SIG_DFL;
        for (int sig = 1; sig < NSIG; ++sig)
            sigaction(sig, &dfl, nullptr);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, nullptr);
        close(fds[0]);
        dup2(fds[1], STDERR_FILENO);  // libnftables' own "BUG:" lines and assert() messages
        nft_ctx* ctx = lib.new_ctx();
        if (ctx == nullptr)
            _exit(3);
        lib.buffer_output(ctx);
        lib.buffer_error(ctx);
        lib.set_dry_run(ctx, true);
        int rc = lib.run_cmd_from_buffer(ctx, buf.c_str());
        const char* e = lib.get_error_buffer(ctx);
        size_t left = e != nullptr ? std::strlen(e) : 0;
        while (left > 0) {
            ssize_t n = write(fds[1], e, left);
            if (n <= 0)
                break;
            e += n;
            left -= static_cast<size_t>(n);
        }
        _exit(rc == 0 ? 0 : 1);
    }
    close(fds[1]);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    std::string err;
    for (;;) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            r.timed_out = true;
            kill(pid, SIGKILL);
            break;
        }
        pollfd p{fds[0], POLLIN, 0};
        int n = poll(&p, 1, static_cast<int>(left.count()));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            continue;  // timeout: caught at the top
        char chunk[4096];
        ssize_t got = read(fds[0], chunk, sizeof chunk);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            break;  // EOF: the child is done (or dead)
        if (err.size() < 65536)
            err.append(chunk, static_cast<size_t>(got));
    }
    close(fds[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    r.error = trimmed(err.c_str());
    if (r.timed_out) {
        r.error = "nft did not answer within " + std::to_string(timeout_ms) + " ms";
    } else if (WIFSIGNALED(status)) {
        r.signal = WTERMSIG(status);
    } else if (WIFEXITED(status)) {
        r.ok = WEXITSTATUS(status) == 0;
        if (!r.ok && r.error.empty())
            r.error = WEXITSTATUS(status) == 3 ? "cannot create an nftables context" : "nft failed";
    }
    return r;
}
Result Context::check(std::string_view cmds) { return exec(cmds, true); }

}  // namespace pppkit::nft
