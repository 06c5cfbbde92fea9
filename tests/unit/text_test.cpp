// Unit tests of common/text.cpp: trim, split, join, the bounded read_all and
// read_path.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <string>
#include <vector>

#include "common/text.hpp"

using namespace pppkit;

namespace {

// A pipe holding `data`, its write end closed (or kept open: more may come).
struct Pipe {
    int r = -1, w = -1;
    explicit Pipe(const std::string& data, bool close_writer = true, int rflags = 0)
    {
        int fds[2];
        REQUIRE(::pipe2(fds, O_CLOEXEC) == 0);
        r = fds[0];
        w = fds[1];
        REQUIRE(::fcntl(w, F_SETPIPE_SZ, 1 << 20) >= 0);
        REQUIRE(::write(w, data.data(), data.size()) == static_cast<ssize_t>(data.size()));
        if (close_writer) {
            ::close(w);
            w = -1;
        }
        if (rflags != 0)
            REQUIRE(::fcntl(r, F_SETFL, rflags) == 0);
    }
    ~Pipe()
    {
        ::close(r);
        if (w >= 0)
            ::close(w);
    }
};

}  // namespace

TEST_SUITE("text")
{
    TEST_CASE("trim drops blanks and CRs at both ends only")
    {
        struct Row {
            int line;
            std::string in, want;
        };
        const std::vector<Row> rows = {
            {__LINE__, "", ""},
            {__LINE__, " \t\r ", ""},
            {__LINE__, "key = value\r", "key = value"},
            {__LINE__, "\t a b \t", "a b"},
            {__LINE__, "x", "x"},
            {__LINE__, "\na\n", "\na\n"},  // a line has no LF; one is not a blank
        };
        for (const auto& r : rows) {
            CAPTURE(r.line);
            CHECK(text::trim(r.in) == r.want);
        }
    }

    TEST_CASE("split cuts at any separator, trims the parts and drops empty ones")
    {
        using V = std::vector<std::string>;
        struct Row {
            int line;
            std::string in, seps;
            V want;
        };
        const std::vector<Row> rows = {
            {__LINE__, "", ",", V{}},
            {__LINE__, ",,, ", ",", V{}},
            {__LINE__, "a, b,,c", ",", V{"a", "b", "c"}},
            {__LINE__, "80, 443 ", ",", V{"80", "443"}},
            {__LINE__, "a b,c", ",", V{"a b", "c"}},  // a blank is no separator unless named
            {__LINE__, "ppp0, eth1\teth2", ", \t", V{"ppp0", "eth1", "eth2"}},
            {__LINE__, "good 1.2.3.4\r", " \t\r", V{"good", "1.2.3.4"}},
            {__LINE__, "one", ",", V{"one"}},
        };
        for (const auto& r : rows) {
            CAPTURE(r.line);
            CHECK(text::split(r.in, r.seps) == r.want);
        }
    }

    TEST_CASE("join puts the separator between items, empty items included")
    {
        CHECK(text::join({}) == "");
        CHECK(text::join({"a"}) == "a");
        CHECK(text::join({"a", "b", "c"}) == "a, b, c");
        CHECK(text::join({"", "b"}, ",") == ",b");
        CHECK(text::join({"80", "443"}, ",") == "80,443");
    }

    TEST_CASE("read_all: the whole content up to the limit; EFBIG past it; a failing read is an error")
    {
        const std::string big(100000, 'x');
        struct Row {
            int line;
            std::string data;
            size_t limit;
            int want_err;
            size_t want_size;
        };
        const std::vector<Row> rows = {
            {__LINE__, "", 10, 0, 0},
            {__LINE__, "hello\n", 10, 0, 6},
            {__LINE__, "0123456789", 10, 0, 10},  // exactly the limit
            {__LINE__, "0123456789a", 10, EFBIG, 11},
            {__LINE__, big, big.size(), 0, big.size()},  // several chunks
            {__LINE__, big, big.size() - 1, EFBIG, big.size()},
        };
        for (const auto& r : rows) {
            CAPTURE(r.line);
            Pipe p(r.data);
            std::string out = "stale";
            CHECK(text::read_all(p.r, out, r.limit) == r.want_err);
            CHECK(out.size() == r.want_size);
            if (r.want_err == 0)
                CHECK(out == r.data);
        }

        // a directory opens, but read() fails with EISDIR: not an empty file
        int dir = ::open(".", O_RDONLY | O_CLOEXEC);
        REQUIRE(dir >= 0);
        std::string out = "stale";
        CHECK(text::read_all(dir, out, 1024) == EISDIR);
        CHECK(out.empty());
        ::close(dir);

        // a bad descriptor
        CHECK(text::read_all(-1, out, 1024) == EBADF);

        // a non-blocking pipe whose writer is still there: EAGAIN after what was there
        Pipe open_pipe("part", false, O_NONBLOCK);
        CHECK(text::read_all(open_pipe.r, out, 1024) == EAGAIN);
        CHECK(out == "part");
    }

    TEST_CASE("read_all into reserved storage never reallocates it")
    {
        Pipe p(std::string(5000, 's'));
        std::string out;
        out.reserve(4097);
        const char* storage = out.data();
        CHECK(text::read_all(p.r, out, 4096) == EFBIG);
        CHECK(out.data() == storage);
    }

    TEST_CASE("read_path: a file's content; open()'s errno; read_all's limit and errors")
    {
        char name[] = "/tmp/pppkit-text-test.XXXXXX";
        const int fd = ::mkstemp(name);
        REQUIRE(fd >= 0);
        REQUIRE(::write(fd, "512\n", 4) == 4);
        ::close(fd);
        std::string out = "stale";
        CHECK(text::read_path(name, out, 4) == 0);
        CHECK(out == "512\n");
        CHECK(text::read_path(name, out, 3) == EFBIG);
        ::unlink(name);

        out = "stale";
        CHECK(text::read_path(name, out, 1024) == ENOENT);
        CHECK(out.empty());
        CHECK(text::read_path("/", out, 1024) == EISDIR);

        // a /proc file says size 0 and still has content
        CHECK(text::read_path("/proc/self/stat", out, 4096) == 0);
        CHECK(out.find(") ") != std::string::npos);
    }
}
