// pppkit firewall import FILE [--out DIR] [--force]
//
// Reads an iptables-save/iptables-restore file or a shell script of
// `iptables ...` lines, maps what pppkit.conf can say (firewall/cli/core/import),
// translates the rest with the iptables package's translator
// (iptables-restore-translate / ip6tables-restore-translate, one run a family)
// and writes:
//   DIR/pppkit.conf           the [firewall] and [forward "..."] sections
//   DIR/pppkit-firewall.nft   the extras (only when something is left over)
//   DIR/import-report.txt     the report, also printed on stdout
// Without --out, prints the three on stdout and writes nothing.
// Exit status: 0 written (read the report), 1 some statements could not be
// imported at all (listed under Warnings), 2 usage, unreadable input or
// an output that exists (without --force).
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "common/cli.hpp"
#include "firewall/cli/core/import.hpp"

namespace pppkit::cli {
namespace {

namespace imp = pppkit::firewall::import;

int usage()
{
    std::fprintf(stderr, "usage: pppkit firewall import FILE [--out DIR] [--force]\n"
                         "  FILE   an iptables-save / iptables-restore file, or a shell script of iptables lines\n"
                         "  --out  write DIR/pppkit.conf, DIR/pppkit-firewall.nft (extras) and DIR/import-report.txt\n"
                         "         (without it, print them and write nothing)\n"
                         "  --force  overwrite existing files in DIR\n");
    return 2;
}

struct Ran {
    bool ok = false;  // exited 0
    std::string out;  // stdout and stderr
};

// Runs argv (no shell) with input on its stdin; bounded to 10 s.
Ran run_translator(const std::vector<std::string>& argv, const std::string& input)
{
    Ran ran;
    int in = ::memfd_create("pppkit-import", MFD_CLOEXEC);
    if (in < 0 || ::write(in, input.data(), input.size()) != static_cast<ssize_t>(input.size()) ||
        ::lseek(in, 0, SEEK_SET) != 0) {
        ran.out = std::string("cannot pass the rules to ") + argv[0] + ": " + std::strerror(errno);
        if (in >= 0)
            ::close(in);
        return ran;
    }
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) {
        ran.out = std::strerror(errno);
        ::close(in);
        return ran;
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
    posix_spawn_file_actions_adddup2(&fa, fds[1], 2);
    posix_spawn_file_actions_adddup2(&fa, in, 0);
    std::vector<char*> cargv;
    for (const auto& a : argv)
        cargv.push_back(const_cast<char*>(a.c_str()));
    cargv.push_back(nullptr);
    pid_t pid = -1;
    int rc = posix_spawnp(&pid, cargv[0], &fa, nullptr, cargv.data(), environ);
    if (rc == ENOENT) {  // /usr/sbin is not always in a user's PATH
        std::string full = "/usr/sbin/" + argv[0];
        cargv[0] = full.data();
        rc = posix_spawn(&pid, full.c_str(), &fa, nullptr, cargv.data(), environ);
    }
    posix_spawn_file_actions_destroy(&fa);
    ::close(fds[1]);
    ::close(in);
    if (rc != 0) {
        ::close(fds[0]);
        ran.out = argv[0] + ": " + std::strerror(rc) + " (install the iptables package)";
        return ran;
    }
    char buf[4096];
    bool timed_out = false;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    for (;;) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            ::kill(pid, SIGKILL);
            timed_out = true;
            break;
        }
        pollfd p{fds[0], POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(left.count())) <= 0)
            continue;
        ssize_t n = ::read(fds[0], buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        ran.out.append(buf, static_cast<size_t>(n));
    }
    ::close(fds[0]);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (timed_out) {
        ran.out = argv[0] + " timed out";
        return ran;
    }
    ran.ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    if (!ran.ok && ran.out.empty())
        ran.out = argv[0] + ": exit status " + std::to_string(WEXITSTATUS(status));
    return ran;
}

bool write_file(const std::filesystem::path& p, const std::string& text, std::string& err)
{
    std::ofstream f(p, std::ios::binary | std::ios::trunc);
    f << text;
    f.close();
    if (!f) {
        err = p.string() + ": " + std::strerror(errno);
        return false;
    }
    return true;
}

}  // namespace

int firewall_import(const Args& in)
{
    Args args = in;
    if (!args.empty() && args[0] == "import")
        args.erase(args.begin());
    bool ignored = false;
    take_config(args, ignored);  // a global --config does not matter here
    std::string file, outdir;
    bool force = false;
    for (size_t i = 0; i < args.size(); ++i) {
        if (args[i] == "--out" && i + 1 < args.size())
            outdir = args[++i];
        else if (args[i].rfind("--out=", 0) == 0)
            outdir = args[i].substr(6);
        else if (args[i] == "--force")
            force = true;
        else if (file.empty() && args[i] != "-h" && args[i] != "--help" &&
                 (args[i] == "-" || args[i].empty() || args[i][0] != '-'))
            file = args[i];
        else
            return usage();  // -h, --help, or anything unknown
    }
    if (file.empty())
        return usage();

    std::string text;
    {
        std::ifstream f(file == "-" ? "/dev/stdin" : file, std::ios::binary);
        if (!f) {
            std::fprintf(stderr, "pppkit firewall import: cannot read %s: %s\n", file.c_str(), std::strerror(errno));
            return 2;
        }
        std::ostringstream ss;
        ss << f.rdbuf();
        text = ss.str();
    }
    std::string name = std::filesystem::path(file).filename().string();

    auto parsed = imp::parse(text);
    auto mapping = imp::map(parsed);
    // one run a family; a run that fails on a rule goes again without it
    std::vector<imp::Translation> translations(mapping.leftovers.size());
    for (auto fam : {imp::Family::V4, imp::Family::V6})
        for (auto run = imp::translator_run(parsed, mapping, fam, translations); !run.leftovers.empty();
             run = imp::translator_run(parsed, mapping, fam, translations)) {
            const Ran ran = run_translator(run.argv, run.input);
            imp::take_translation(run, ran.ok, ran.out, translations);
        }
    auto extras = imp::render_extras(parsed, mapping, translations);

    std::filesystem::path dir;
    std::string extras_path;
    if (!outdir.empty()) {
        std::error_code ec;
        dir = std::filesystem::absolute(outdir, ec);
        std::filesystem::create_directories(dir, ec);
        if (ec) {
            std::fprintf(stderr, "pppkit firewall import: cannot create %s: %s\n", outdir.c_str(),
                         ec.message().c_str());
            return 2;
        }
        if (!force)
            for (const char* f : {"pppkit.conf", "pppkit-firewall.nft", "import-report.txt"})
                if (std::filesystem::exists(dir / f)) {
                    std::fprintf(stderr, "pppkit firewall import: %s exists (use --force to overwrite)\n",
                                 (dir / f).c_str());
                    return 2;
                }
        if (!extras.text.empty())
            extras_path = (dir / "pppkit-firewall.nft").string();
    } else if (!extras.text.empty()) {
        extras_path = "/etc/ppp/pppkit-firewall.nft";
    }
    auto ini = imp::render_ini(mapping, name, extras_path);
    auto report = imp::render_report(parsed, mapping, extras, name);

    if (outdir.empty()) {
        std::printf("# ==== pppkit.conf ====\n%s", ini.c_str());
        if (!extras.text.empty())
            std::printf("\n# ==== %s ====\n%s", extras_path.c_str(), extras.text.c_str());
        std::printf("\n# ==== report ====\n%s", report.c_str());
    } else {
        std::string err;
        if (!write_file(dir / "pppkit.conf", ini, err) ||
            (!extras.text.empty() && !write_file(dir / "pppkit-firewall.nft", extras.text, err)) ||
            !write_file(dir / "import-report.txt", report, err)) {
            std::fprintf(stderr, "pppkit firewall import: %s\n", err.c_str());
            return 2;
        }
        std::printf("%s\nwrote %s%s, %s\n", report.c_str(), (dir / "pppkit.conf").c_str(),
                    extras.text.empty() ? "" : (", " + (dir / "pppkit-firewall.nft").string()).c_str(),
                    (dir / "import-report.txt").c_str());
    }
    bool failed = false;
    for (const auto* v : {&parsed.notes, &mapping.notes, &extras.notes})
        for (const auto& n : *v)
            if (n.outcome == imp::Outcome::Failed && n.line != 0)  // line 0: about the file, not a statement
                failed = true;
    return failed ? 1 : 0;
}

}  // namespace pppkit::cli
