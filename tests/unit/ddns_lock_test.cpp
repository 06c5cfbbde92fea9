// The profile's lock and the state directory (plugins/ddns/core/state.cpp,
// lock_profile() and prepare_state_dir()). Runs in main.cpp's temporary directory.
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include "ddns/core/state.hpp"
#include "testutil.hpp"

using namespace pppkit::ddns;

TEST_SUITE("ddns_lock")
{
    TEST_CASE("the first attempt of a profile creates the directory, then holds the lock")
    {
        std::string path = state_path("lockdir", "home");  // lockdir/ddns/home.state: nothing exists yet
        ProfileLock a = lock_profile(path);
        REQUIRE(a.status == ProfileLock::Status::Held);
        struct stat st {};
        REQUIRE(::stat("lockdir/ddns", &st) == 0);
        CHECK((st.st_mode & 0777) == 0700);
        // a second worker (another open file description) finds it busy
        ProfileLock b = lock_profile(path);
        CHECK(b.status == ProfileLock::Status::Busy);
        CHECK(b.fd == -1);
        // another profile is not affected
        ProfileLock other = lock_profile(state_path("lockdir", "office"));
        CHECK(other.status == ProfileLock::Status::Held);
        ::close(other.fd);
        // released when the holder closes it (or exits)
        ::close(a.fd);
        ProfileLock c = lock_profile(path);
        CHECK(c.status == ProfileLock::Status::Held);
        ::close(c.fd);
    }

    TEST_CASE("prepare_state_dir: never through a link, never a non-directory")
    {
        REQUIRE(::mkdir("linkdir", 0700) == 0);
        REQUIRE(::mkdir("elsewhere", 0700) == 0);
        REQUIRE(::symlink("../elsewhere", "linkdir/ddns") == 0);
        auto err = prepare_state_dir(state_path("linkdir", "home"), static_cast<long>(::getuid()),
                                     static_cast<long>(::getgid()));
        REQUIRE(err);
        CHECK(err->find("linkdir/ddns") != std::string::npos);
        REQUIRE(::mkdir("filedir", 0700) == 0);
        pppkit::test::write_file("filedir/ddns", "not a directory");
        CHECK(prepare_state_dir(state_path("filedir", "home"), static_cast<long>(::getuid()),
                                static_cast<long>(::getgid())));
        CHECK(lock_profile(state_path("filedir", "home")).status == ProfileLock::Status::Error);
        // a state file that is a link is refused too (O_NOFOLLOW)
        REQUIRE(::mkdir("lnk", 0700) == 0);
        REQUIRE(::mkdir("lnk/ddns", 0700) == 0);
        REQUIRE(::symlink("/etc/passwd", "lnk/ddns/home.state") == 0);
        CHECK(
            prepare_state_dir(state_path("lnk", "home"), static_cast<long>(::getuid()), static_cast<long>(::getgid())));
        // nor a hard link (to a file of root's, the fchown would hand it to the worker's user)
        REQUIRE(::mkdir("hard", 0700) == 0);
        REQUIRE(::mkdir("hard/ddns", 0700) == 0);
        pppkit::test::write_file("roots-file", "root's\n");
        REQUIRE(::link("roots-file", "hard/ddns/home.state") == 0);
        auto hard =
            prepare_state_dir(state_path("hard", "home"), static_cast<long>(::getuid()), static_cast<long>(::getgid()));
        REQUIRE(hard);
        CHECK(hard->find("hard/ddns/home.state has 2 hard links") != std::string::npos);
        // the same for the lock file
        REQUIRE(::unlink("hard/ddns/home.state") == 0);
        REQUIRE(::link("roots-file", "hard/ddns/home.state.lock") == 0);
        CHECK(prepare_state_dir(state_path("hard", "home"), static_cast<long>(::getuid()),
                                static_cast<long>(::getgid())));
    }

    TEST_CASE("read_state: a FIFO in the worker user's directory is not read (it would block the plugin)")
    {
        REQUIRE(::mkdir("fifodir", 0700) == 0);
        REQUIRE(::mkfifo("fifodir/home.state", 0600) == 0);
        bool corrupt = false;
        State s = read_state("fifodir/home.state", &corrupt);  // returns at once, no writer needed
        CHECK(corrupt);
        CHECK_FALSE(s.suspended);
    }
}
