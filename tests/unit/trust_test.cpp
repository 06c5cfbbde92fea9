// Unit tests of plugins/common/trust.cpp: which files and directories pppkit
// trusts when it runs as root. The rows that change an owner need root and
// are skipped otherwise (the policy trusts root and the test's own uid).
#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "common/trust.hpp"
#include "testutil.hpp"

using namespace pppkit;

namespace {

constexpr unsigned kNobody = 65534;

std::string abs(const std::string& p) { return std::filesystem::current_path().string() + "/" + p; }

trust::Policy enforced()
{
    trust::Policy p;
    p.enforce = true;
    p.owner = ::getuid();
    return p;
}

}  // namespace

TEST_SUITE("trust")
{
    TEST_CASE("a file or directory is trusted only when nobody else could have written it")
    {
        bool root = ::geteuid() == 0;
        std::filesystem::create_directories("t/ok");
        std::filesystem::create_directories("t/gw");
        std::filesystem::create_directories("t/other");
        std::filesystem::create_directories("t/sticky");
        test::write_file("t/ok/file", "x\n");
        test::write_file("t/gw/file", "x\n");
        test::write_file("t/ok/gwfile", "x\n");
        test::write_file("t/ok/owfile", "x\n");
        test::write_file("t/ok/nobody", "x\n");
        test::write_file("t/other/file", "x\n");
        ::chmod("t/ok/gwfile", 0664);
        ::chmod("t/ok/owfile", 0606);
        ::chmod("t/gw", 0775);
        ::chmod("t/sticky", 01777);
        test::write_file("t/sticky/file", "x\n");
        ::mkfifo("t/ok/fifo", 0600);
        CHECK(::symlink("file", "t/ok/mylink") == 0);        // a link the trusted owner made
        CHECK(::symlink("../ok/file", "t/ok/uplink") == 0);  // leads through '..'
        if (root) {
            CHECK(::chown("t/ok/nobody", kNobody, kNobody) == 0);
            CHECK(::chown("t/other", kNobody, kNobody) == 0);
            CHECK(::symlink(abs("t/ok/file").c_str(), "t/ok/planted") == 0);
            CHECK(::lchown("t/ok/planted", kNobody, kNobody) == 0);
        }
        struct Row {
            int line;
            std::string path;
            trust::Kind kind;
            std::string expect;  // "" = trusted, else a part of the problem
            bool needs_root = false;
        };
        const std::vector<Row> rows = {
            {__LINE__, "t/ok/file", trust::Kind::File, ""},
            {__LINE__, "t/ok", trust::Kind::Directory, ""},
            {__LINE__, "t/sticky/file", trust::Kind::File, ""},  // sticky on the way is fine
            {__LINE__, "t/ok/mylink", trust::Kind::File, ""},
            {__LINE__, "t/ok/gwfile", trust::Kind::File, "is writable by group or others (mode 0664)"},
            {__LINE__, "t/ok/owfile", trust::Kind::File, "is writable by group or others (mode 0606)"},
            {__LINE__, "t/gw/file", trust::Kind::File, "directory " + abs("t/gw") + " is writable by group"},
            {__LINE__, "t/gw", trust::Kind::Directory, "is writable by group or others (mode 0775)"},
            {__LINE__, "t/sticky", trust::Kind::Directory, "is writable by group or others (mode 1777)"},
            {__LINE__, "t/ok/fifo", trust::Kind::File, "is not a regular file"},
            {__LINE__, "t/ok/file", trust::Kind::Directory, "is not a directory"},
            {__LINE__, "t/ok", trust::Kind::File, "is not a regular file"},
            {__LINE__, "t/ok/missing", trust::Kind::File, "does not exist"},
            {__LINE__, "t/ok/../ok/file", trust::Kind::File, ""},
            {__LINE__, "t/ok/uplink", trust::Kind::File, ""},  // root's link through '..'
            {__LINE__, "t/gw/../ok/file", trust::Kind::File, "directory " + abs("t/gw") + " is writable by group"},
            {__LINE__, "t/ok/..", trust::Kind::Directory, "ends in '..'"},
            {__LINE__, "t/ok/nobody", trust::Kind::File, "is owned by uid 65534", true},
            {__LINE__, "t/other/file", trust::Kind::File, "directory " + abs("t/other") + " is owned by uid 65534",
             true},
            {__LINE__, "t/ok/planted", trust::Kind::File, "is a symbolic link owned by uid 65534", true},
        };
        for (const auto& r : rows) {
            CAPTURE(r.line);
            if (r.needs_root && !root)
                continue;
            for (const auto& path : {r.path, abs(r.path)}) {
                CAPTURE(path);
                auto o = trust::open(path, r.kind, enforced());
                if (r.expect.empty()) {
                    CHECK(o.ok());
                    CHECK(o.problem == "");
                } else {
                    CHECK(!o.ok());
                    CHECK(o.problem.find(r.expect) != std::string::npos);
                    CAPTURE(o.problem);
                }
            }
        }
        CHECK(trust::open("t/ok/missing", trust::Kind::File, enforced()).err == ENOENT);
        std::string text;
        CHECK(!trust::read_file(abs("t/ok/file"), text, enforced()));
        CHECK(text == "x\n");
        // not enforced (a user's own check): the same files open plainly
        trust::Policy off;
        off.enforce = false;
        CHECK(trust::open("t/ok/gwfile", trust::Kind::File, off).ok());
        CHECK(!trust::open("t/ok/fifo", trust::Kind::File, off).ok());
    }

    TEST_CASE("open: a FIFO or device in place of a file is refused without being opened (review 24 #8)")
    {
        std::filesystem::create_directories("t");
        std::filesystem::remove("t/fifo-w");
        REQUIRE(::mkfifo("t/fifo-w", 0600) == 0);
        // a writer blocks in open() until a reader opens the FIFO
        pid_t writer = ::fork();
        REQUIRE(writer >= 0);
        if (writer == 0) {
            int fd = ::open("t/fifo-w", O_WRONLY);
            _exit(fd >= 0 ? 0 : 1);
        }
        ::usleep(100 * 1000);  // the writer is in open()
        trust::Policy off;
        off.enforce = false;
        for (const auto& p : {enforced(), off}) {
            auto o = trust::open(abs("t/fifo-w"), trust::Kind::File, p);
            CHECK(!o.ok());
            CHECK(o.problem.find("is not a regular file") != std::string::npos);
        }
        ::usleep(200 * 1000);
        int status = 0;
        CHECK_MESSAGE(::waitpid(writer, &status, WNOHANG) == 0, "the FIFO was opened: its writer was let go");
        ::kill(writer, SIGKILL);
        ::waitpid(writer, &status, 0);
    }

    TEST_CASE("env_block: env_start and env_end from a /proc/PID/stat line")
    {
        // 49 fields after the command name's ")": 3 (state) .. 51 (env_end), then 52
        auto line = [](const std::string& comm, const std::string& start, const std::string& end) {
            std::string s = "1234 (" + comm + ") S";
            for (int f = 4; f <= 49; ++f)
                s += " " + std::to_string(f);
            return s + " " + start + " " + end + " 0\n";
        };
        struct Row {
            int line;
            std::string stat;
            bool ok;
            std::uintptr_t start, end;
        };
        const std::vector<Row> rows = {
            {__LINE__, line("pppd", "140728000000000", "140728000004000"), true, 140728000000000, 140728000004000},
            {__LINE__, line("a) b (c", "100", "200"), true, 100, 200},  // comm holds ") " and " ("
            {__LINE__, line("pppd", "100", "100"), false, 0, 0},        // empty block
            {__LINE__, line("pppd", "0", "0"), false, 0, 0},            // not ptrace-able: zeros
            {__LINE__, line("pppd", "200", "100"), false, 0, 0},
            {__LINE__, line("pppd", "10x", "200"), false, 0, 0},
            {__LINE__, "1234 (pppd) S 4 5 6", false, 0, 0},  // too short
            {__LINE__, "no parenthesis at all", false, 0, 0},
            {__LINE__, "", false, 0, 0},
        };
        for (const auto& r : rows) {
            CAPTURE(r.line);
            auto b = trust::env_block(r.stat);
            REQUIRE(b.has_value() == r.ok);
            if (b) {
                CHECK(b->start == r.start);
                CHECK(b->end == r.end);
                CHECK(b->holds(reinterpret_cast<const void*>(r.start)));
                CHECK(!b->holds(reinterpret_cast<const void*>(r.end)));
            }
        }
    }

    TEST_CASE("env_block: this process's environment lies in it, a setenv copy does not")
    {
        std::ifstream in("/proc/self/stat");
        std::string stat;
        REQUIRE(std::getline(in, stat));
        auto b = trust::env_block(stat);
        REQUIRE(b.has_value());
        REQUIRE(environ[0] != nullptr);
        CHECK(b->holds(environ[0]));  // from exec
        ::setenv("PPPKIT_UNIT_TEST", "x", 1);
        CHECK(!b->holds(std::getenv("PPPKIT_UNIT_TEST") - std::string("PPPKIT_UNIT_TEST=").size()));
        ::unsetenv("PPPKIT_UNIT_TEST");
    }
}
