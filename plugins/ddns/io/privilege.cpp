#include "ddns/io/privilege.hpp"

#include <grp.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace pppkit::ddns::io {

std::optional<std::string> drop_privileges(const passwd* user)
{
    auto fail = [](const char* what) { return std::string(what) + ": " + std::strerror(errno); };
    if (user) {
        // the bounding set, where CAP_SETPCAP allows (no_new_privs below makes
        // it moot for what an exec could gain)
        for (int cap = 0; ::prctl(PR_CAPBSET_READ, cap, 0, 0, 0) >= 0; ++cap)  // EINVAL past CAP_LAST_CAP
            if (::prctl(PR_CAPBSET_READ, cap, 0, 0, 0) == 1 && ::prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0)
                break;
        if (::setgroups(0, nullptr) != 0)
            return fail("setgroups");
        if (::setresgid(user->pw_gid, user->pw_gid, user->pw_gid) != 0)
            return fail("setresgid");
        if (::setresuid(user->pw_uid, user->pw_uid, user->pw_uid) != 0)
            return fail("setresuid");
        if (::getuid() == 0 || ::geteuid() == 0 || ::getegid() == 0)
            return std::string("still root after setresuid");
    }
    (void)::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
    __user_cap_header_struct hdr{_LINUX_CAPABILITY_VERSION_3, 0};
    __user_cap_data_struct none[2]{};
    if (::syscall(SYS_capset, &hdr, none) != 0)
        return fail("capset");
    if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
        return fail("PR_SET_NO_NEW_PRIVS");
    if (::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
        return fail("PR_SET_DUMPABLE");
    return std::nullopt;
}
}  // namespace pppkit::ddns::io
