#include "common/nft.hpp"

#include <fcntl.h>
#include <nftables/libnftables.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>

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

Context::Context() : ctx_(nft_ctx_new(NFT_CTX_DEFAULT))
{
    if (ctx_ != nullptr) {
        nft_ctx_buffer_output(ctx_);
        nft_ctx_buffer_error(ctx_);
    }
}

Context::~Context()
{
    if (ctx_ != nullptr)
        nft_ctx_free(ctx_);
}

Result Context::exec(std::string_view cmds, bool dry)
{
    Result r;
    if (ctx_ == nullptr) {
        r.error = "cannot create an nftables context";
        return r;
    }
    std::string buf(cmds);
    nft_ctx_set_dry_run(ctx_, dry);
    int rc = nft_run_cmd_from_buffer(ctx_, buf.c_str());
    nft_ctx_set_dry_run(ctx_, false);
    r.output = trimmed(nft_ctx_get_output_buffer(ctx_));
    r.error = trimmed(nft_ctx_get_error_buffer(ctx_));
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
    const unsigned flags = nft_ctx_output_get_flags(ctx_);
    nft_ctx_output_set_flags(ctx_, flags | NFT_CTX_OUTPUT_JSON);
    Result r = exec(cmds, false);
    nft_ctx_output_set_flags(ctx_, flags);
    return r;
}

Result check_in_child(std::string_view cmds, int timeout_ms)
{
    Result r;
    std::string buf(cmds);
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
        nft_ctx* ctx = nft_ctx_new(NFT_CTX_DEFAULT);
        if (ctx == nullptr)
            _exit(3);
        nft_ctx_buffer_output(ctx);
        nft_ctx_buffer_error(ctx);
        nft_ctx_set_dry_run(ctx, true);
        int rc = nft_run_cmd_from_buffer(ctx, buf.c_str());
        const char* e = nft_ctx_get_error_buffer(ctx);
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
