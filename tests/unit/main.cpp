// The unit-test main: runs every doctest case inside a fresh temporary
// directory (tests may write files there), removed on success and kept, with
// its path printed, on failure.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>

int main(int argc, char** argv)
{
    char tmpl[] = "/tmp/pppkit-unit.XXXXXX";
    const char* dir = mkdtemp(tmpl);
    if (dir == nullptr) {
        std::perror("mkdtemp");
        return 2;
    }
    std::string cwd = std::filesystem::current_path();
    if (chdir(dir) != 0)
        return 2;
    doctest::Context ctx;
    ctx.applyCommandLine(argc, argv);
    int rc = ctx.run();
    if (chdir(cwd.c_str()) != 0)
        std::perror("chdir");
    if (rc == 0 && !ctx.shouldExit())
        std::filesystem::remove_all(dir);
    else
        std::fprintf(stderr, "unit-tests: files kept in %s\n", dir);
    return rc;
}
