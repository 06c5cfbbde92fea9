#include "common/cli.hpp"

namespace pppkit::cli {

std::string take_config(Args& args, bool& explicit_path)
{
    explicit_path = false;
    std::string path = "/etc/ppp/pppkit.conf";
    for (size_t i = 0; i < args.size(); ++i) {
        if (args[i] == "--config" && i + 1 < args.size()) {
            path = args[i + 1];
            explicit_path = true;
            args.erase(args.begin() + static_cast<long>(i), args.begin() + static_cast<long>(i) + 2);
            break;
        }
        if (args[i].rfind("--config=", 0) == 0) {
            path = args[i].substr(9);
            explicit_path = true;
            args.erase(args.begin() + static_cast<long>(i));
            break;
        }
    }
    return path;
}

}  // namespace pppkit::cli
