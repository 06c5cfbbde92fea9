#include "ddns/io/attempt.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

namespace pppkit::ddns::io {

std::optional<std::string> bind_source(int fd, const std::string& text)
{
    sockaddr_storage ss{};
    socklen_t len = 0;
    auto* s6 = reinterpret_cast<sockaddr_in6*>(&ss);
    auto* s4 = reinterpret_cast<sockaddr_in*>(&ss);
    if (inet_pton(AF_INET6, text.c_str(), &s6->sin6_addr) == 1) {
        s6->sin6_family = AF_INET6;
        len = sizeof *s6;
    } else if (inet_pton(AF_INET, text.c_str(), &s4->sin_addr) == 1) {
        s4->sin_family = AF_INET;
        len = sizeof *s4;
    } else {
        return "'" + text + "' is not an address";
    }
    if (::bind(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0)
        return "cannot use " + text + " as the source address: " + std::strerror(errno);
    return std::nullopt;
}
}  // namespace pppkit::ddns::io
